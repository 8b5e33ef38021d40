"""Biomarker prediction with SHAP over HTTP (issue 6 goal: p50 ≤ 5 ms), release build.

Trains the demo model with `kiln train imaging-demo`, starts Kiln, sends 1000 sequential
requests (one keep-alive connection) with the first 100 cases in turn, prints p50/p95/p99.
"""

import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
os.environ.setdefault("KILN_BIN", str(ROOT / ".build" / "release" / "kiln"))
from kiln_process import KILN_BIN, KilnProcess  # noqa: E402

data = ROOT / "examples" / "data" / "breast_cancer_with_header.csv"
work = Path(tempfile.mkdtemp(prefix="kiln-bench-bio-"))
subprocess.run([KILN_BIN, "train", "imaging-demo", "--only", "biomarker", "--data-dir", str(work / "data"), "--biomarker-data", str(data)], check=True,
               capture_output=True)
with open(data) as handle:
    rows = list(csv.DictReader(handle))
names = [name for name in rows[0] if name not in ("target", "diagnosis")]
bodies = [{"features": {name: float(row[name]) for name in names}} for row in rows[:100]]
server = KilnProcess(work / "data", extra_args=["--rate-limit", "0", "--access-log", "false"]).start()
try:
    session = requests.Session()
    headers = server.headers()
    url = f"{server.url}/predict/biomarker_prediction"
    for body in bodies:  # warm-up
        session.post(url, json=body, headers=headers).raise_for_status()
    times = []
    for index in range(1000):
        start = time.perf_counter()
        session.post(url, json=bodies[index % 100], headers=headers).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"biomarker prediction + TreeSHAP over HTTP, 1000 sequential requests: p50 {statistics.median(times):.2f} ms, "
          f"p95 {times[949]:.2f} ms, p99 {times[989]:.2f} ms (goal p50 ≤ 5 ms)")
finally:
    server.stop()
