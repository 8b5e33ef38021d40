"""The cost of durable commits (issue 26): SQLite `synchronous=FULL` (Kiln's default: the WAL is
fsynced at every commit, so an acknowledged write survives power loss) against `NORMAL` (survives a
process crash only), on the same machine in one run:

- jobs/s: `kiln-bench-jobs` (a burst of no-op jobs through the durable queue, 2 workers);
- MLflow `log-metric`/s: sequential `POST /api/2.0/mlflow/runs/log-metric` over one keep-alive connection;
- job submissions/s over HTTP: sequential `POST /v1/jobs`-backed `infer-async` on the example MLP.

Usage: python benchmarks/durability/run.py [--bin-dir .build/release] [--count 500]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
from kiln_process import KilnProcess  # noqa: E402


def jobs_per_second(bench, mode):
    out = subprocess.run([bench, "2000"], capture_output=True, text=True, check=True,
                         env={**os.environ, "KILN_SQLITE_SYNCHRONOUS": mode}).stdout
    match = re.search(r"([\d.]+)\s*jobs/s", out)
    return float(match.group(1)) if match else out.strip()


def http_rates(kiln, mode, count, work):
    data_dir = work / f"data-{mode}"
    shutil.copytree(ROOT / "examples" / "models" / "tabular_mlp", data_dir / "models" / "tabular_mlp")
    import kiln_process
    kiln_process.KILN_BIN = kiln
    server = KilnProcess(data_dir, env={**os.environ, "KILN_SQLITE_SYNCHRONOUS": mode}).start()
    try:
        headers = server.headers()
        with requests.Session() as session:
            experiment = session.post(f"{server.url}/api/2.0/mlflow/experiments/create", json={"name": "durability"}, headers=headers).json()
            run = session.post(f"{server.url}/api/2.0/mlflow/runs/create", json={"experiment_id": experiment["experiment_id"]},
                               headers=headers).json()["run"]["info"]["run_id"]
            started = time.perf_counter()
            for step in range(count):
                answer = session.post(f"{server.url}/api/2.0/mlflow/runs/log-metric", headers=headers,
                                      json={"run_id": run, "key": "loss", "value": 1.0 / (step + 1), "timestamp": 0, "step": step})
                assert answer.status_code == 200, answer.text
            metrics = count / (time.perf_counter() - started)
            body = json.dumps({"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 30], "data": [0.0] * 30}]})
            started = time.perf_counter()
            for _ in range(count):
                answer = session.post(f"{server.url}/v1/models/tabular_mlp/infer-async", data=body,
                                      headers={**headers, "Content-Type": "application/json"})
                assert answer.status_code == 202, answer.text
            submissions = count / (time.perf_counter() - started)
        return metrics, submissions
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin-dir", default=str(ROOT / ".build" / "release"))
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    bin_dir = Path(args.bin_dir)
    work = Path(tempfile.mkdtemp(prefix="kiln-durability-"))
    results = {}
    for mode in ("normal", "full"):
        results[mode] = (jobs_per_second(str(bin_dir / "kiln-bench-jobs"), mode),) + http_rates(str(bin_dir / "kiln"), mode, args.count, work)
    shutil.rmtree(work, ignore_errors=True)
    print(f"{'':28s} {'NORMAL':>10s} {'FULL':>10s} {'FULL/NORMAL':>12s}")
    for index, name in enumerate(["jobs/s (kiln-bench-jobs)", "log-metric/s (HTTP)", "infer-async submits/s (HTTP)"]):
        normal, full = results["normal"][index], results["full"][index]
        ratio = f"{full / normal:.2f}" if isinstance(full, float) and isinstance(normal, float) else "?"
        print(f"{name:28s} {normal:>10.1f} {full:>10.1f} {ratio:>12s}" if ratio != "?" else f"{name}: {normal} | {full}")


if __name__ == "__main__":
    main()
