"""Kiln vs `mlflow server` (SQLite backend), both driven by the real MLflow client.

Measures, in one run on the same machine:
  1. log_metric round trips per second: one client thread calling MlflowClient.log_metric in a loop.
  2. runs/search over 10,000 runs with a metric filter: MlflowClient.search_runs, median latency.
Prints the figures and the Kiln/MLflow ratios against MLflow's default (4 gunicorn workers) and
against its best configuration here (1 worker: with 4, each keep-alive request stalls ~40 ms, so
the default alone flatters Kiln). Usage: benchmarks/tracking/run.sh [--runs N] [--seconds S]
"""

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param

ROOT = Path(__file__).resolve().parents[2]
KILN = ROOT / ".build" / "release" / "kiln"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, path: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + path, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not start")


def start_kiln(work: Path):
    port = free_port()
    data = work / "kiln"
    proc = subprocess.Popen([str(KILN), "serve", "--port", str(port), "--data-dir", str(data), "--load-models", "none",
                             "--rate-limit", "0"],
                            stdout=open(work / "kiln.log", "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, "/ready")
    return proc, url, {"MLFLOW_TRACKING_TOKEN": (data / "admin.key").read_text().strip()}


def start_mlflow(work: Path, workers: int):
    port = free_port()
    mlflow_bin = Path(sys.executable).parent / "mlflow"
    proc = subprocess.Popen([str(mlflow_bin), "server", "--backend-store-uri", f"sqlite:///{work}/mlflow-{workers}w.db",
                             "--artifacts-destination", str(work / f"mlflow-artifacts-{workers}w"), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)],
                            stdout=open(work / f"mlflow-{workers}w.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, "/health", timeout=120)
    return proc, url, {}


def use(url: str, env: dict) -> MlflowClient:
    os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
    os.environ.update(env)
    return MlflowClient(tracking_uri=url)


def log_metric_rate(client: MlflowClient, seconds: float) -> float:
    experiment = client.create_experiment(f"logging-{time.time_ns()}")
    run_id = client.create_run(experiment).info.run_id
    for step in range(20):  # warm-up
        client.log_metric(run_id, "warm", 0.5, step=step)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        client.log_metric(run_id, "loss", random.random(), step=count)
        count += 1
    return count / (time.perf_counter() - start)


def populate(client: MlflowClient, runs: int) -> str:
    experiment = client.create_experiment(f"search-{time.time_ns()}")
    rng = random.Random(7)
    values = [(rng.random(), rng.choice(["lstm", "xgboost"])) for _ in range(runs)]

    def one(item):
        auc, model = item
        run_id = client.create_run(experiment).info.run_id
        now = int(time.time() * 1000)
        client.log_batch(run_id, metrics=[Metric("auc", auc, now, 0), Metric("loss", 1 - auc, now, 0)],
                         params=[Param("model", model), Param("lr", "0.01")])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, values))
    return experiment


def search_latency(client: MlflowClient, experiment: str, flt: str, repeats: int) -> tuple[float, int]:
    found = client.search_runs([experiment], flt, max_results=1000)
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        found = client.search_runs([experiment], flt, max_results=1000)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000, len(found)


def raw_search_latency(url: str, env: dict, experiment: str, flt: str, repeats: int) -> float:
    """The same search as raw HTTP, reading the body but not parsing it: the server's share."""
    headers = {"Authorization": f"Bearer {env['MLFLOW_TRACKING_TOKEN']}"} if env else {}
    body = {"experiment_ids": [experiment], "filter": flt, "max_results": 1000, "run_view_type": "ACTIVE_ONLY"}
    session = requests.Session()
    session.post(f"{url}/api/2.0/mlflow/runs/search", json=body, headers=headers).raise_for_status()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.post(f"{url}/api/2.0/mlflow/runs/search", json=body, headers=headers).content
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--mlflow-workers", default="4,1",
                        help="comma-separated worker counts to measure mlflow server with (its own default is 4)")
    args = parser.parse_args()
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    filters = ["metrics.auc > 0.9", "metrics.auc > 0.99 AND params.model = 'lstm'"]

    results = {}
    work = Path(tempfile.mkdtemp(prefix="kiln-bench-tracking-"))
    try:
        servers = [("kiln", start_kiln)] + [
            (f"mlflow-{count}w", lambda w, count=count: start_mlflow(w, count)) for count in map(int, args.mlflow_workers.split(","))]
        for name, starter in servers:
            proc, url, env = starter(work)
            try:
                client = use(url, env)
                rate = log_metric_rate(client, args.seconds)
                started = time.perf_counter()
                experiment = populate(client, args.runs)
                populate_s = time.perf_counter() - started
                searches = [search_latency(client, experiment, f, args.repeats) for f in filters]
                raw = [raw_search_latency(url, env, experiment, f, args.repeats) for f in filters]
                results[name] = {"rate": rate, "populate_s": populate_s, "searches": searches, "raw": raw}
                print(f"{name:7s} log_metric {rate:8.1f}/s   populate {args.runs} runs {populate_s:6.1f}s   "
                      + "   ".join(f"search[{f}] client {ms:7.1f} ms, raw HTTP {raw_ms:7.1f} ms ({n} runs)"
                                 for f, (ms, n), raw_ms in zip(filters, searches, raw)), flush=True)
            finally:
                if name.startswith("mlflow"):
                    os.killpg(proc.pid, signal.SIGTERM)
                else:
                    proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    kiln = results.pop("kiln")
    for name, mlflow in results.items():
        print()
        print(f"against {name}:")
        print(f"  log_metric round trips/s: kiln {kiln['rate']:.0f}, {name} {mlflow['rate']:.0f} -> {kiln['rate'] / mlflow['rate']:.2f}x (goal >= 3x)")
        for f, (k_ms, k_n), (m_ms, m_n), k_raw, m_raw in zip(filters, kiln["searches"], mlflow["searches"], kiln["raw"], mlflow["raw"]):
            assert k_n == m_n, f"result counts differ for {f}: kiln {k_n}, {name} {m_n}"
            print(f"  search '{f}' over {args.runs} runs ({k_n} results): through the client kiln {k_ms:.1f} ms, {name} {m_ms:.1f} ms"
                  f" -> {m_ms / k_ms:.2f}x faster (goal >= 5x); raw HTTP kiln {k_raw:.1f} ms, {name} {m_raw:.1f} ms -> {m_raw / k_raw:.2f}x")

if __name__ == "__main__":
    main()
