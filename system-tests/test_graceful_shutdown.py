"""SIGTERM while a slow request is in flight: the request completes, then the server exits 0."""

import hashlib
import json
import os
import signal
import socket
import time

import requests


def test_sigterm_lets_in_flight_request_finish(kiln_factory):
    server = kiln_factory().start()
    data = os.urandom(8 << 20)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall((
        f"POST /v1/blobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(data)}\r\n"
        f"Authorization: Bearer {server.admin_key}\r\nConnection: close\r\n\r\n").encode())
    half = len(data) // 2
    sock.sendall(data[:half])
    time.sleep(0.3)

    server.signal(signal.SIGTERM)
    time.sleep(0.5)
    assert server.proc.poll() is None, "the server must wait for the in-flight request"

    sock.sendall(data[half:])
    response = b""
    while chunk := sock.recv(65536):
        response += chunk
    sock.close()
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201"), head
    assert json.loads(body)["sha256"] == hashlib.sha256(data).hexdigest()
    assert server.wait(timeout=15) == 0


def test_new_connections_are_refused_while_draining(kiln_factory):
    """Once SIGTERM arrives the listener is closed, while an in-flight request still holds the
    process up: a new client is refused then, not only after the process is gone."""
    server = kiln_factory().start()
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall((
        f"POST /v1/blobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000\r\n"
        f"Authorization: Bearer {server.admin_key}\r\nConnection: close\r\n\r\n").encode() + b"x" * 1000)
    time.sleep(0.3)
    server.signal(signal.SIGINT)
    time.sleep(0.5)
    assert server.proc.poll() is None, "the in-flight upload must hold the server up"
    try:
        answer = requests.get(server.url + "/health", timeout=2)
        raise AssertionError(f"a new connection was served while draining: {answer.status_code}")
    except requests.ConnectionError:
        pass
    sock.sendall(b"x" * 1000)
    response = b""
    while chunk := sock.recv(65536):
        response += chunk
    sock.close()
    assert response.startswith(b"HTTP/1.1 201"), response[:200]
    assert server.wait(timeout=15) == 0


def test_drain_is_bounded_by_shutdown_timeout(kiln_factory):
    """A request that never completes cannot hold the server up past shutdown_timeout."""
    server = kiln_factory(extra_args=["--shutdown-timeout", "1"]).start()
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall((
        f"POST /v1/blobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n"
        f"Authorization: Bearer {server.admin_key}\r\n\r\n").encode() + b"x" * 1000)
    time.sleep(0.3)
    began = time.monotonic()
    server.signal(signal.SIGTERM)
    code = server.wait(timeout=20)
    elapsed = time.monotonic() - began
    sock.close()
    assert elapsed < 6, f"shutdown took {elapsed:.1f}s with shutdown_timeout=1"
    assert code == 0
    # The abandoned upload left no blob behind.
    assert list((server.data_dir / "blobs" / "tmp").iterdir()) == []


def _jobs_at_rest(server):
    """Each job's state and attempts as the store holds them (the server stopped)."""
    import sqlite3
    with sqlite3.connect(server.data_dir / "kiln.sqlite") as db:
        rows = {row[0]: (row[1], row[2]) for row in db.execute("SELECT id, state, attempts FROM jobs")}
    db.close()
    return rows


def _slow_job_and_queue(tmp_path, side, *args):
    """A server with one inference worker running a U-Net over a side³ volume (seconds) and
    three small jobs queued behind it."""
    import shutil
    import numpy as np
    from test_jobs import EXAMPLES, request_body, start, start_slow_segmentation
    shutil.copytree(EXAMPLES / "pretrained_mri_unet", tmp_path / "data" / "models" / "pretrained_mri_unet")
    server = start(tmp_path, "data", "--job-workers", "1", *args)
    headers = server.headers()
    slow = start_slow_segmentation(server, np.random.default_rng(3).random((1, 1, side, side, side), dtype=np.float32))
    small = [requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async",
                           data=request_body(np.ones((2, 30), np.float32)),
                           headers={**headers, "Content-Type": "application/json"}).json()["job_id"] for _ in range(3)]
    assert requests.get(f"{server.url}/v1/jobs/{slow}", headers=headers).json()["state"] == "running", \
        "the slow job ended before SIGTERM; it must outlast three submissions"
    return server, slow, small


def test_sigterm_lets_a_running_job_finish_and_leaves_queued_jobs_queued(tmp_path):
    """README: SIGTERM lets in-flight work finish within shutdown_timeout. A running job ends
    succeeded; the jobs queued behind it are not started on the way down; a restart runs them."""
    from test_jobs import wait_done
    server, slow, small = _slow_job_and_queue(tmp_path, 144, "--shutdown-timeout", "300")
    server.signal(signal.SIGTERM)
    assert server.wait(timeout=300) == 0
    rows = _jobs_at_rest(server)
    assert rows[slow] == ("succeeded", 1), rows[slow]
    assert all(rows[job] == ("queued", 0) for job in small), [rows[job] for job in small]
    server.start()
    assert all(wait_done(server, job, server.headers())["state"] == "succeeded" for job in small)
    server.stop()


def test_a_job_cut_short_by_the_drain_deadline_returns_to_the_queue(tmp_path):
    """A job still running when shutdown_timeout passes is cancelled and goes back to the queue
    without using up an attempt; the next start runs it to success."""
    from test_jobs import wait_done
    server, slow, small = _slow_job_and_queue(tmp_path, 208, "--shutdown-timeout", "1")
    began = time.monotonic()
    server.signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    assert time.monotonic() - began < 5, "the drain must end near shutdown_timeout, not when the forward pass does"
    rows = _jobs_at_rest(server)
    assert rows[slow] == ("queued", 0), f"the cut-short job must be queued again with no attempt used: {rows[slow]}"
    assert all(rows[job] == ("queued", 0) for job in small)
    server.start()
    job = wait_done(server, slow, server.headers(), timeout=300)
    assert job["state"] == "succeeded" and job["attempts"] == 1, job
    server.stop()
