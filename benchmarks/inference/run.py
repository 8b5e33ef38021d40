#!/usr/bin/env python3
"""Kiln vs the seeds' FastAPI way, same machine, same run, same model files.

    benchmarks/inference/run.sh        (builds, installs, then runs this)

Rows: (a) floor: the engine in-process (libtorch forward / XGBoost predict via Debian's
python3-torch / python3-xgboost, which load the same libtorch and libxgboost Kiln uses);
(b) Kiln, binary tensor extension; (c) Kiln, JSON; (d) FastAPI + uvicorn, one worker, JSON
float list (and base64 for the CNN). Load from wrk at concurrency 1, 8 and 32; `errors` counts
answers that are not a 200 holding the output (wrk's script reads every body) and socket errors.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SHAPES = {"cnn": [1, 1, 224, 224], "mlp": [1, 30], "xgb": [1, 30]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, path, headers=None, timeout=120):
    import urllib.request
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
            if urllib.request.urlopen(request, timeout=2).status == 200:
                return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"server on {port} not ready")


def rss_mib(pid, field="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024


def wrk(url, body_file, headers, connections, duration, expect):
    """wrk at `connections`; `errors` counts answers that are not 200 or lack `expect` in the body."""
    env = dict(os.environ, BODY_FILE=str(body_file), HEADERS="|".join(f"{k}: {v}" for k, v in headers.items()), EXPECT=expect)
    threads = min(connections, 2)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
                          "-s", str(HERE / "post.lua"), url], capture_output=True, text=True, env=env, check=True).stdout

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    bad = re.search(r"Bad answers: (\d+)", out)
    assert bad, f"wrk printed no count of bad answers:\n{out}"
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "errors": int(bad.group(1)) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)}


def floor(models, threads):
    """The engine itself, in-process: p50 per call at batch 1, and the best items/s."""
    import torch
    import xgboost
    torch.set_num_threads(threads)
    results = {}
    for name in ("cnn", "mlp"):
        module = torch.jit.load(str(models / name / "1" / "model.pt")).eval()
        iterations = 100 if name == "cnn" else 3000
        best_items = 0.0
        p50 = None
        for batch in ([1, 8] if name == "cnn" else [1, 64]):
            x = torch.from_numpy(np.random.default_rng(0).normal(size=[batch] + SHAPES[name][1:]).astype(np.float32))
            with torch.inference_mode():
                for _ in range(3):
                    module(x)
                times = []
                for _ in range(iterations if batch == 1 else max(30, iterations // 8)):
                    start = time.perf_counter()
                    module(x)
                    times.append(time.perf_counter() - start)
            if batch == 1:
                p50 = statistics.median(times) * 1000
            best_items = max(best_items, batch / statistics.median(times))
        results[name] = {"p50": p50, "items": best_items}
    booster = xgboost.Booster(model_file=str(models / "xgb" / "1" / "model.json"))
    booster.set_param({"nthread": threads})
    best_items, p50 = 0.0, None
    for batch in (1, 256):
        x = np.random.default_rng(0).normal(size=(batch, 30)).astype(np.float32)
        times = []
        for _ in range(2000 if batch == 1 else 300):
            start = time.perf_counter()
            booster.inplace_predict(x)
            times.append(time.perf_counter() - start)
        if batch == 1:
            p50 = statistics.median(times) * 1000
        best_items = max(best_items, batch / statistics.median(times))
    results["xgb"] = {"p50": p50, "items": best_items}
    return results


def bodies(out):
    rng = np.random.default_rng(1)
    files = {}
    for name, shape in SHAPES.items():
        x = rng.normal(size=shape).astype(np.float32)
        raw = x.tobytes()
        header = json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": shape,
                                         "parameters": {"binary_data_size": len(raw)}}],
                             "outputs": [{"name": "output", "parameters": {"binary_data": True}}]}).encode()
        (out / f"{name}.bin").write_bytes(header + raw)
        files[(name, "kiln-binary")] = (out / f"{name}.bin", {"Inference-Header-Content-Length": str(len(header)),
                                                                "Content-Type": "application/octet-stream"})
        (out / f"{name}.kiln.json").write_text(json.dumps(
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": shape, "data": x.ravel().tolist()}]}))
        files[(name, "kiln-json")] = (out / f"{name}.kiln.json", {"Content-Type": "application/json"})
        (out / f"{name}.fastapi.json").write_text(json.dumps({"data": x.ravel().tolist(), "shape": shape}))
        files[(name, "fastapi-json")] = (out / f"{name}.fastapi.json", {"Content-Type": "application/json"})
        if name == "cnn":
            (out / f"{name}.fastapi.b64").write_text(json.dumps({"b64": base64.b64encode(raw).decode(), "shape": shape}))
            files[(name, "fastapi-base64")] = (out / f"{name}.fastapi.b64", {"Content-Type": "application/json"})
    return files


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiln", default=str(ROOT / ".build/release/kiln"))
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "out"
    models = out / "models"
    if not models.exists():
        subprocess.run(["/usr/bin/python3", str(HERE / "make_models.py"), str(models)], check=True)
    files = bodies(out)

    print("measuring the floor (in-process engines)...", flush=True)
    engine = floor(models, args.threads)

    data_dir = Path(tempfile.mkdtemp(prefix="kiln-bench-"))
    kiln_port, fastapi_port = free_port(), free_port()
    kiln = subprocess.Popen([args.kiln, "serve", "--port", str(kiln_port), "--data-dir", str(data_dir), "--model-repository",
                             str(models), "--rate-limit", "0", "--access-log", "false", "--log-level", "warning",
                             "--engine-threads", str(args.threads)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(kiln_port, "/ready")
    key = (data_dir / "admin.key").read_text().strip()
    wait_http(kiln_port, "/v2/models/cnn/ready", {"Authorization": f"Bearer {key}"})
    fastapi = subprocess.Popen([sys.executable, str(HERE / "fastapi_server.py"), str(models), str(fastapi_port), str(args.threads)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(fastapi_port, "/docs")
    try:
        rows = []
        for name in ("cnn", "mlp", "xgb"):
            variants = ["kiln-binary", "kiln-json", "fastapi-json"] + (["fastapi-base64"] if name == "cnn" else [])
            for variant in variants:
                body, headers = files[(name, variant)]
                if variant.startswith("kiln"):
                    url = f"http://127.0.0.1:{kiln_port}/v2/models/{name}/infer"
                    headers = dict(headers, Authorization=f"Bearer {key}")
                else:
                    url = f"http://127.0.0.1:{fastapi_port}/predict/{name}"
                # Kiln's answers name the output (JSON, or the binary answer's JSON header); FastAPI's hold "output".
                results = {c: wrk(url, body, headers, c, args.duration, '"output') for c in (1, 8, 32)}
                rows.append((name, variant, results))
                print(f"  {name:4} {variant:15} c1 p50 {results[1]['p50']:8.2f} ms  c32 {results[32]['rps']:8.0f} req/s", flush=True)
        kiln_rss, fastapi_rss = rss_mib(kiln.pid, "VmHWM"), rss_mib(fastapi.pid, "VmHWM")
    finally:
        for process in (kiln, fastapi):
            process.send_signal(signal.SIGTERM)
            process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"\nCPU cores: {os.cpu_count()}; engine threads: {args.threads}; wrk {args.duration}s per cell; "
          f"latency in ms, throughput in requests/s (1 item each)\n")
    print(f"| model | server | p50 c=1 | p99 c=1 | req/s c=1 | req/s c=8 | req/s c=32 | p99 c=32 | errors |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("cnn", "mlp", "xgb"):
        print(f"| {name} | floor (in-process engine) | {engine[name]['p50']:.3f} | | | | {engine[name]['items']:.0f} items/s | | |")
        for row_name, variant, r in rows:
            if row_name == name:
                print(f"| {name} | {variant} | {r[1]['p50']:.3f} | {r[1]['p99']:.3f} | {r[1]['rps']:.0f} | {r[8]['rps']:.0f} | "
                      f"{r[32]['rps']:.0f} | {r[32]['p99']:.1f} | {sum(x['errors'] for x in r.values())} |")
    print("\nRatios (Kiln binary vs others):")
    table = {(n, v): r for n, v, r in rows}
    for name in ("cnn", "mlp", "xgb"):
        kb = table[(name, "kiln-binary")]
        fa = table[(name, "fastapi-json")]
        print(f"  {name}: c=1 p50 Kiln/floor {kb[1]['p50'] / engine[name]['p50']:.2f}x (+{kb[1]['p50'] - engine[name]['p50']:.2f} ms); "
              f"c=32 Kiln {kb[32]['rps']:.0f} req/s = {kb[32]['rps'] / engine[name]['items']:.2f}x floor items/s, "
              f"{kb[32]['rps'] / fa[32]['rps']:.1f}x FastAPI JSON; c=1 {kb[1]['rps'] / fa[1]['rps']:.1f}x FastAPI")
    print(f"\nPeak RSS under load: Kiln {kiln_rss:.0f} MiB, FastAPI {fastapi_rss:.0f} MiB (ratio {kiln_rss / fastapi_rss:.2f})")


if __name__ == "__main__":
    main()
