"""Kiln's jobs the way a client uses them: POST /v1/models/tabular_mlp/infer-async over HTTP
(keep-alive), the example MLP run by each job (not a no-op), two job workers, release build.

A burst of BURST submissions from 4 client threads, timed until the last job has succeeded; then
200 jobs one at a time on an idle queue, each timed from the POST to its `succeeded` event on the
job's SSE stream (`/v1/jobs/{id}/events`), which the API's second-resolution timestamps cannot give.
"""
import json
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
import os  # noqa: E402
os.environ.setdefault("KILN_BIN", str(ROOT / ".build" / "release" / "kiln"))
from kiln_process import KilnProcess  # noqa: E402

burst = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
work = Path(tempfile.mkdtemp(prefix="kiln-bench-jobs-http-"))
shutil.copytree(ROOT / "examples" / "models" / "tabular_mlp", work / "data" / "models" / "tabular_mlp")
server = KilnProcess(work / "data", extra_args=["--rate-limit", "0", "--access-log", "false", "--job-workers", "2"]).start()
url = f"{server.url}/v1/models/tabular_mlp/infer-async"
headers = {**server.headers(), "Content-Type": "application/json"}
body = json.dumps({"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 30], "data": [0.1] * 30}]})


def unfinished(session):
    return sum(len(session.get(f"{server.url}/v1/jobs", params={"state": state, "limit": 1}, headers=headers).json()["jobs"])
               for state in ("queued", "running"))


try:
    sessions = [requests.Session() for _ in range(4)]

    def submit(index):
        answer = sessions[index % 4].post(url, data=body, headers=headers)
        assert answer.status_code == 202, answer.text
        return answer.json()["job_id"]

    start = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(submit, range(burst)))
    submitted = time.perf_counter() - start
    while unfinished(sessions[0]):
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    last = sessions[0].get(f"{server.url}/v1/jobs/{ids[-1]}", headers=headers).json()
    assert last["state"] == "succeeded", last

    latencies = []
    session = sessions[0]
    for _ in range(200):
        began = time.perf_counter()
        job_id = session.post(url, data=body, headers=headers).json()["job_id"]
        with session.get(f"{server.url}/v1/jobs/{job_id}/events", headers=headers, stream=True, timeout=30) as events:
            for line in events.iter_lines():
                if line.startswith(b"data:") and json.loads(line[5:]).get("state") == "succeeded":
                    break
        latencies.append((time.perf_counter() - began) * 1000)
        time.sleep(0.005)
    latencies.sort()
    print(f"kiln over HTTP, burst {burst} infer-async jobs: {burst / elapsed:.0f} jobs/s (submitting took {submitted:.2f} s, "
          f"{burst / submitted:.0f} submits/s); POST → succeeded event median {statistics.median(latencies):.2f} ms, "
          f"p99 {latencies[len(latencies) * 99 // 100]:.2f} ms (n=200)")
finally:
    server.stop()
    shutil.rmtree(work, ignore_errors=True)
