"""Durable jobs over HTTP: asynchronous inference, SSE, ownership, cancel/delete, and recovery
after the server is killed mid-run."""

import json
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import requests
import websocket
import torch

from kiln_process import KilnProcess

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"


def start(tmp_path, name="data", *args):
    models = tmp_path / name / "models"
    if not (models / "tabular_mlp").exists():
        shutil.copytree(EXAMPLES / "tabular_mlp", models / "tabular_mlp")
    return KilnProcess(tmp_path / name, extra_args=list(args)).start()


def request_body(x):
    return json.dumps({"inputs": [{"name": "features", "datatype": "FP32", "shape": list(x.shape), "data": x.ravel().tolist()}]})


def wait_done(server, job_id, headers, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = requests.get(f"{server.url}/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def reference(x):
    module = torch.jit.load(str(EXAMPLES / "tabular_mlp" / "1" / "model.pt"))
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


def test_async_inference_result_events_and_ownership(tmp_path):
    server = start(tmp_path)
    try:
        headers = server.headers()
        x = np.random.default_rng(4).normal(size=(3, 30)).astype(np.float32)
        submitted = requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async", data=request_body(x),
                                  headers={**headers, "Content-Type": "application/json", "Idempotency-Key": "req-1"})
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["job_id"]
        assert submitted.headers["Location"] == f"/v1/jobs/{job_id}"
        again = requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async", data=request_body(x),
                              headers={**headers, "Content-Type": "application/json", "Idempotency-Key": "req-1"})
        assert again.status_code == 200 and again.json()["job_id"] == job_id

        job = wait_done(server, job_id, headers)
        assert job["state"] == "succeeded" and job["progress"] == 1
        result = requests.get(f"{server.url}/v1/jobs/{job_id}/result", headers=headers)
        assert result.status_code == 200
        outputs = np.array(result.json()["outputs"][0]["data"], dtype=np.float32).reshape(3, 2)
        np.testing.assert_allclose(outputs, reference(x), atol=1e-5)

        # A late SSE subscriber gets the terminal state at once and the stream ends.
        events = requests.get(f"{server.url}/v1/jobs/{job_id}/events", headers=headers, stream=True, timeout=10)
        lines = [line for line in events.iter_lines(decode_unicode=True) if line.startswith("data: ")]
        assert json.loads(lines[-1][6:])["state"] == "succeeded"

        # The same over WebSocket: JSON text messages, current state first, closed after the terminal event.
        socket = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/jobs/{job_id}",
                                             header=[f"Authorization: Bearer {server.admin_key}"], timeout=10)
        messages = []
        while True:
            try:
                message = socket.recv()
            except websocket.WebSocketConnectionClosedException:
                break
            if not message:
                break
            messages.append(json.loads(message))
        socket.close()
        assert messages and messages[-1]["state"] == "succeeded" and messages[-1]["type"] == "result"

        user = requests.post(f"{server.url}/v1/keys", json={"role": "user"}, headers=headers).json()["key"]
        other = {"Authorization": f"Bearer {user}"}
        assert requests.get(f"{server.url}/v1/jobs/{job_id}", headers=other).status_code == 404
        try:
            websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/jobs/{job_id}", header=[f"Authorization: Bearer {user}"], timeout=5)
            raise AssertionError("another caller's job must not upgrade")
        except websocket.WebSocketBadStatusException as error:
            # hummingbird-websocket answers every refused upgrade with 400, whatever the reason.
            assert error.status_code == 400
        try:
            websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/jobs/{job_id}", timeout=5)
            raise AssertionError("no credentials must not upgrade")
        except websocket.WebSocketBadStatusException as error:
            assert error.status_code == 400
        assert requests.get(f"{server.url}/v1/jobs/job_unknown", headers=headers).status_code == 404
        assert requests.post(f"{server.url}/v1/jobs/{job_id}/cancel", headers=headers).status_code == 409
        assert requests.get(f"{server.url}/v1/jobs", headers=other).json()["jobs"] == []
        assert [j["id"] for j in requests.get(f"{server.url}/v1/jobs?state=succeeded", headers=headers).json()["jobs"]] == [job_id]
        assert requests.get(f"{server.url}/v1/jobs?state=exploded", headers=headers).status_code == 400

        bad = requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async", data="{not json",
                            headers={**headers, "Content-Type": "application/json"})
        assert bad.status_code == 400
        assert requests.get(f"{server.url}/v1/jobs", headers=headers).json()["jobs"][0]["id"] == job_id

        assert requests.delete(f"{server.url}/v1/jobs/{job_id}", headers=headers).status_code == 204
        assert requests.get(f"{server.url}/v1/jobs/{job_id}", headers=headers).status_code == 404

        # A request the model rejects ends the job failed with the reason.
        wrong = np.zeros((1, 29), dtype=np.float32)
        failed_id = requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async", data=request_body(wrong),
                                  headers={**headers, "Content-Type": "application/json"}).json()["job_id"]
        failed = wait_done(server, failed_id, headers)
        assert failed["state"] == "failed" and "shape" in failed["error"]["message"]
        assert requests.get(f"{server.url}/v1/jobs/{failed_id}/result", headers=headers).status_code == 409
    finally:
        server.stop()


def start_slow_segmentation(server, volume):
    """Submits the example U-Net over `volume` as a job and waits until it runs; its id."""
    headers = server.headers()
    header = json.dumps({"inputs": [{"name": "volume", "datatype": "FP32", "shape": list(volume.shape),
                                     "parameters": {"binary_data_size": volume.nbytes}}]}).encode()
    job_id = requests.post(f"{server.url}/v1/models/pretrained_mri_unet/infer-async", data=header + volume.tobytes(),
                           headers={**headers, "Content-Type": "application/octet-stream",
                                    "Inference-Header-Content-Length": str(len(header))}).json()["job_id"]
    deadline = time.monotonic() + 30
    while requests.get(f"{server.url}/v1/jobs/{job_id}", headers=headers).json()["state"] != "running":
        assert time.monotonic() < deadline, "the slow job never started"
        time.sleep(0.02)
    return job_id


def test_jobs_survive_sigkill(tmp_path):
    """Jobs, the server killed while one runs: after a restart every job succeeds; a job that had
    finished is not run again, the one left running is recovered and run once more, the queued
    ones run once. A slow segmentation holds the only inference worker, so the kill finds it
    running and the small jobs behind it queued, whatever the machine's speed."""
    import sqlite3
    from datetime import datetime

    shutil.copytree(EXAMPLES / "pretrained_mri_unet", tmp_path / "data" / "models" / "pretrained_mri_unet")
    server = start(tmp_path, "data", "--job-workers", "1")
    headers = server.headers()
    rng = np.random.default_rng(8)
    inputs = {}

    def submit_inference():
        x = rng.normal(size=(64, 30)).astype(np.float32)
        response = requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async", data=request_body(x),
                                 headers={**headers, "Content-Type": "application/json"})
        assert response.status_code == 202
        inputs[response.json()["job_id"]] = x
        return response.json()["job_id"]

    for job_id in [submit_inference() for _ in range(10)]:
        assert wait_done(server, job_id, headers)["state"] == "succeeded"
    # A 3-D U-Net over a 144³ volume (seconds on any CPU) holds the only inference worker.
    blocker = start_slow_segmentation(server, rng.random((1, 1, 144, 144, 144), dtype=np.float32))
    for _ in range(40):
        submit_inference()
    assert requests.get(f"{server.url}/v1/jobs/{blocker}", headers=headers).json()["state"] == "running", \
        "the slow job ended before the kill; it must run longer than 40 submissions take"
    server.signal(signal.SIGKILL)
    server.wait()
    # What the store holds at the kill, read before anything recovers it.
    with sqlite3.connect(server.data_dir / "kiln.sqlite") as db:
        at_kill = {row[0]: {"state": row[1], "attempts": row[2], "finished_at": row[3]}
                   for row in db.execute("SELECT id, state, attempts, finished_at FROM jobs")}
    db.close()
    assert set(at_kill) == set(inputs) | {blocker}
    running = {job_id for job_id, row in at_kill.items() if row["state"] == "running"}
    assert running == {blocker}, sorted(row["state"] for row in at_kill.values())
    assert sum(row["state"] == "succeeded" for row in at_kill.values()) == 10
    server.start()
    recovered_blocker = wait_done(server, blocker, headers, timeout=120)
    assert recovered_blocker["state"] == "succeeded" and recovered_blocker["attempts"] == at_kill[blocker]["attempts"] + 1
    for job_id, x in inputs.items():
        job = wait_done(server, job_id, headers, timeout=60)
        assert job["state"] == "succeeded", job
        before = at_kill[job_id]
        if before["state"] == "succeeded":
            finished = datetime.fromisoformat(job["finished_at"].replace("Z", "+00:00")).timestamp()
            assert job["attempts"] == before["attempts"] == 1 and abs(finished - before["finished_at"]) < 1, (job, before)
        elif job_id in running:
            assert job["attempts"] == before["attempts"] + 1, (job, before)
        else:
            assert before["state"] == "queued" and job["attempts"] == 1, (job, before)
        outputs = requests.get(f"{server.url}/v1/jobs/{job_id}/result", headers=headers).json()["outputs"][0]["data"]
        np.testing.assert_allclose(np.array(outputs, dtype=np.float32).reshape(64, 2), reference(x), atol=1e-5)
    server.stop()
    recovered = server.log_path.read_text().count("recovered a job left running")
    assert recovered == len(running), (recovered, len(running))
