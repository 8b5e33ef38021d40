#!/usr/bin/env python3
"""Foundation figures for `kiln serve`: start-to-ready time, idle RSS, and wrk throughput.

Usage: benchmarks/foundation.py [--bin .build/release/kiln] [--duration 10] [--connections 64]
Needs wrk (Debian package `wrk`). Prints a table; numbers are for this machine, this run.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
        conn.request("GET", "/ready")
        return conn.getresponse().status == 200
    except OSError:
        return False


def start(binary, data_dir, port, extra=()):
    began = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data_dir, "--log-level", "warning",
                             "--access-log", "false", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not ready(port):
        if proc.poll() is not None:
            raise SystemExit("kiln exited during start")
        time.sleep(0.002)
    return proc, time.perf_counter() - began


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


def wrk(url, duration, connections, key=None):
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if key:
        args[1:1] = ["-H", f"Authorization: Bearer {key}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * scale, int(non2xx.group(1)) if non2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/release/kiln")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    starts = []
    for _ in range(args.starts):
        data_dir = tempfile.mkdtemp(prefix="kiln-bench-")
        proc, elapsed = start(args.bin, data_dir, free_port())
        starts.append(elapsed)
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        shutil.rmtree(data_dir)

    data_dir = tempfile.mkdtemp(prefix="kiln-bench-")
    port = free_port()
    # Rate limiting off: wrk is one caller and we measure the server, not the limiter's 429s.
    proc, _ = start(args.bin, data_dir, port, extra=["--rate-limit", "0"])
    try:
        time.sleep(1)
        idle = rss_mib(proc.pid)
        key = open(os.path.join(data_dir, "admin.key")).read().strip()
        base = f"http://127.0.0.1:{port}"
        rows = [
            ("GET /health (no auth)", *wrk(base + "/health", args.duration, args.connections)),
            ("GET /v1/keys (API key + SQLite read)", *wrk(base + "/v1/keys", args.duration, args.connections, key)),
            ("GET /v1/blobs/{missing} (API key, 404)", *wrk(base + "/v1/blobs/" + "0" * 64, args.duration, args.connections, key)),
        ]
        loaded = rss_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        shutil.rmtree(data_dir)

    print(f"start → /ready 200, empty data dir: median {statistics.median(starts) * 1000:.0f} ms "
          f"(min {min(starts) * 1000:.0f}, max {max(starts) * 1000:.0f}, n={len(starts)})")
    print(f"idle RSS after start: {idle:.1f} MiB; RSS after load: {loaded:.1f} MiB")
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s, server and wrk sharing {os.cpu_count()} cores")
    print(f"{'endpoint':42} {'req/s':>10} {'p99 ms':>8} {'non-2xx':>8}")
    for name, rps, p99, non2xx in rows:
        print(f"{name:42} {rps:>10.0f} {p99:>8.2f} {non2xx:>8}")


if __name__ == "__main__":
    main()
