"""A mixed load held against one Kiln server, and what the server's process does under it.

Used by `benchmarks/soak/run.py` (30 minutes, windows of 5) and `system-tests/test_soak.py`
(2 minutes in the suite). One thread per stream, each on its own keep-alive session:

- inference on three models: `tabular_mlp` (libtorch MLP), `ctr_xgboost` (XGBoost),
  `untrained_ct_cnn` (libtorch CNN on 64×64 images), V2 JSON;
- uploads: 64 KiB of fresh random bytes to `POST /v1/blobs`, deleted again after the read-back;
- async jobs: `POST /v1/models/tabular_mlp/infer-async`, each followed over `WS /ws/jobs/{id}`
  until its terminal message, then the result fetched;
- tracking writes: MLflow `runs/log-batch` of 50 metrics per step on one run.

Every answer is checked (status and body); a sampler reads the server's RSS, open file
descriptors and threads from /proc every second. Results are per window: count, errors by
status, and latency p50/p90/p99 per stream.
"""

import hashlib
import json
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field

import requests
import websocket


@dataclass
class Window:
    start: float
    latencies: dict = field(default_factory=dict)  # stream -> [seconds]
    errors: dict = field(default_factory=dict)     # (stream, status or reason) -> count
    samples: list = field(default_factory=list)    # (rss_bytes, fds, threads, anonymous_rss_bytes)

    def record(self, stream, seconds, problem=None):
        if problem is None:
            self.latencies.setdefault(stream, []).append(seconds)
        else:
            self.errors[(stream, problem)] = self.errors.get((stream, problem), 0) + 1

    @property
    def server_errors(self):
        return sum(count for (_, problem), count in self.errors.items() if isinstance(problem, int) and problem >= 500)

    def median_sample(self, index):
        return statistics.median(sample[index] for sample in self.samples) if self.samples else None

    def summary(self, started):
        percentiles = {}
        for stream, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
            percentiles[stream] = {"count": len(ordered), "p50_ms": pick(0.5), "p90_ms": pick(0.9), "p99_ms": pick(0.99)}
        return {
            "from_s": round(self.start - started),
            "streams": percentiles,
            "errors": {f"{stream}:{problem}": count for (stream, problem), count in sorted(self.errors.items(), key=str)},
            "rss_mib": round(self.median_sample(0) / (1 << 20), 1) if self.samples else None,
            "anon_mib": round(self.median_sample(3) / (1 << 20), 1) if self.samples else None,
            "fds": self.median_sample(1),
            "threads": self.median_sample(2),
        }


def process_sample(pid):
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    rss = int(fields["VmRSS"].split()[0]) * 1024
    anonymous = int(fields["RssAnon"].split()[0]) * 1024  # the heap: RSS less mapped files (libtorch's code)
    threads = int(fields["Threads"])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, fds, threads, anonymous


class Soak:
    def __init__(self, url, admin_key, pid, window_seconds):
        self.url = url
        self.headers = {"Authorization": f"Bearer {admin_key}"}
        self.pid = pid
        self.window_seconds = window_seconds
        self.windows = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    # -- bookkeeping

    def current(self):
        with self.lock:
            now = time.monotonic()
            if not self.windows or now - self.windows[-1].start >= self.window_seconds:
                self.windows.append(Window(start=now))
            return self.windows[-1]

    def timed(self, stream, call):
        """Runs `call` (which returns None when its answer was right, else a problem) and records it."""
        started = time.monotonic()
        try:
            problem = call()
        except (requests.RequestException, websocket.WebSocketException, OSError) as error:
            problem = type(error).__name__
        self.current().record(stream, time.monotonic() - started, problem)

    # -- the streams

    def inference(self, model, input_name, shape, check):
        session = requests.Session()
        count = 1
        for dimension in shape:
            count *= dimension
        rng = random.Random(model)
        def call():
            data = [rng.random() for _ in range(count)]
            body = {"inputs": [{"name": input_name, "shape": shape, "datatype": "FP32", "data": data}]}
            answer = session.post(f"{self.url}/v2/models/{model}/infer", json=body, headers=self.headers, timeout=30)
            if answer.status_code != 200:
                return answer.status_code
            return None if check(answer.json()) else "wrong-body"
        while not self.stop.is_set():
            self.timed(f"infer:{model}", call)

    def uploads(self):
        session = requests.Session()
        headers = {**self.headers, "Content-Type": "application/octet-stream"}
        def call():
            payload = os.urandom(64 << 10)
            digest = hashlib.sha256(payload).hexdigest()
            created = session.post(f"{self.url}/v1/blobs", data=payload, headers=headers, timeout=30)
            if created.status_code != 201:
                return created.status_code
            if created.json().get("sha256") != digest:
                return "wrong-digest"
            read = session.get(f"{self.url}/v1/blobs/{digest}", headers=self.headers, timeout=30)
            if read.status_code != 200 or read.content != payload:
                return read.status_code if read.status_code != 200 else "wrong-bytes"
            deleted = session.delete(f"{self.url}/v1/blobs/{digest}", headers=self.headers, timeout=30)
            return None if deleted.status_code == 204 else deleted.status_code
        while not self.stop.is_set():
            self.timed("upload", call)

    def jobs(self):
        session = requests.Session()
        port = self.url.rsplit(":", 1)[1]
        body = {"inputs": [{"name": "features", "shape": [4, 30], "datatype": "FP32", "data": [0.25] * 120}]}
        def call():
            submitted = session.post(f"{self.url}/v1/models/tabular_mlp/infer-async", json=body, headers=self.headers, timeout=30)
            if submitted.status_code != 202:
                return submitted.status_code
            job_id = submitted.json()["job_id"]
            socket = websocket.create_connection(f"ws://127.0.0.1:{port}/ws/jobs/{job_id}",
                                                 header=[f"Authorization: Bearer {self.headers['Authorization'][7:]}"], timeout=30)
            last = None
            try:
                while True:
                    message = socket.recv()
                    if not message:
                        break
                    last = json.loads(message)
                    if last.get("state") in ("succeeded", "failed", "cancelled"):
                        break
            except websocket.WebSocketConnectionClosedException:
                pass
            finally:
                socket.close()
            if not last or last.get("state") != "succeeded":
                return f"job-{last and last.get('state')}"
            result = session.get(f"{self.url}/v1/jobs/{job_id}/result", headers=self.headers, timeout=30)
            if result.status_code != 200:
                return result.status_code
            return None if len(result.json()["outputs"][0]["data"]) == 8 else "wrong-result"
        while not self.stop.is_set():
            self.timed("job+ws", call)

    def tracking(self):
        session = requests.Session()
        mlflow = f"{self.url}/api/2.0/mlflow"
        experiment = session.post(f"{mlflow}/experiments/create", json={"name": f"soak-{time.time_ns()}"}, headers=self.headers).json()
        run_id = session.post(f"{mlflow}/runs/create", json={"experiment_id": experiment["experiment_id"]},
                              headers=self.headers).json()["run"]["info"]["run_id"]
        step = 0
        def call():
            nonlocal step
            step += 1
            metrics = [{"key": f"loss_{index}", "value": 1 / step, "timestamp": int(time.time() * 1000), "step": step} for index in range(50)]
            answer = session.post(f"{mlflow}/runs/log-batch", json={"run_id": run_id, "metrics": metrics}, headers=self.headers, timeout=30)
            return None if answer.status_code == 200 else answer.status_code
        while not self.stop.is_set():
            self.timed("tracking", call)

    def sampler(self):
        while not self.stop.wait(1.0):
            try:
                sample = process_sample(self.pid)
            except OSError:
                continue
            self.current().samples.append(sample)

    # -- running

    STREAMS = ("mlp", "xgboost", "cnn", "upload", "jobs", "tracking")

    def run(self, duration_seconds, on_window=None, only=STREAMS):
        """Runs the streams named in `only` (all by default) and the sampler."""
        probabilities = lambda body: len(body["outputs"][0]["data"]) > 0
        streams = {
            "mlp": lambda: self.inference("tabular_mlp", "features", [1, 30], probabilities),
            "xgboost": lambda: self.inference("ctr_xgboost", "features", [1, 30], probabilities),
            "cnn": lambda: self.inference("untrained_ct_cnn", "image", [1, 1, 64, 64], probabilities),
            "upload": self.uploads, "jobs": self.jobs, "tracking": self.tracking,
        }
        chosen = [streams[name] for name in only] + [self.sampler]
        threads = [threading.Thread(target=stream, daemon=True) for stream in chosen]
        started = time.monotonic()
        self.current()
        for thread in threads:
            thread.start()
        reported = 0
        while time.monotonic() - started < duration_seconds:
            time.sleep(0.5)
            with self.lock:
                finished = self.windows[:-1]
            for window in finished[reported:]:
                if on_window:
                    on_window(window.summary(started))
                reported += 1
        self.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        return started


def verdict(windows, warmup):
    """How the complete windows after the first `warmup` ones compare with the first of them:
    the largest relative RSS change, the largest change in open descriptors and threads (window
    medians), and the errors of the whole run (warm-up included) by kind."""
    measured = [window for window in windows[warmup:] if window.samples]
    assert measured, "no complete window after the warm-up"
    rss = [window.median_sample(0) for window in measured]
    fds = [window.median_sample(1) for window in measured]
    threads = [window.median_sample(2) for window in measured]
    errors = {}
    for window in windows:
        for (stream, problem), count in window.errors.items():
            errors[f"{stream}:{problem}"] = errors.get(f"{stream}:{problem}", 0) + count
    return {
        "windows_measured": len(measured),
        "rss_mib": [round(value / (1 << 20), 1) for value in rss],
        "rss_drift": max(abs(value - rss[0]) / rss[0] for value in rss),
        "fd_drift": max(abs(value - fds[0]) for value in fds),
        "thread_drift": max(abs(value - threads[0]) for value in threads),
        "server_errors": sum(window.server_errors for window in windows),
        "errors": errors,
        "requests": sum(len(values) for window in windows for values in window.latencies.values()),
    }


def print_window(summary):
    streams = "  ".join(f"{name} n={s['count']} p50 {s['p50_ms']:.1f} p90 {s['p90_ms']:.1f} p99 {s['p99_ms']:.1f} ms"
                        for name, s in summary["streams"].items())
    print(f"[{summary['from_s']:>5}s] rss {summary['rss_mib']} MiB (heap {summary['anon_mib']})  fds {summary['fds']}  threads {summary['threads']}  "
          f"errors {summary['errors'] or 0}\n         {streams}", flush=True)
