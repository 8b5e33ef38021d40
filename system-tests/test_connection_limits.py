"""Connection limits (issue 26): half-open requests are closed after the header timeout while the
server keeps answering; a slow upload that keeps moving completes while a stalled body is cut;
idle kept-alive connections close; a per-address cap answers 503 with Retry-After."""

import os
import resource
import socket
import time

import pytest
import requests

from kiln_process import KilnProcess


def start(tmp_path, **settings):
    env = {**os.environ, **{f"KILN_{name.upper()}": str(value) for name, value in settings.items()}}
    return KilnProcess(tmp_path / "data", env=env).start()


def closed_within(sock, seconds):
    """True when the server closes `sock` within `seconds` (EOF or reset)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def connect(server):
    return socket.create_connection(("127.0.0.1", server.port))


def read_until_closed(sock, seconds):
    """Everything the server sends on `sock` until it closes it (EOF or reset), or None when
    it is still open after `seconds` without sending more."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except socket.timeout:
        return None
    return received


def read_response_head(sock, seconds):
    """The status line and headers of one response on a kept-alive `sock`."""
    sock.settimeout(seconds)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def test_half_open_requests_are_closed_within_the_header_timeout_while_health_answers(tmp_path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 7000:
        pytest.skip(f"needs 7000 file descriptors (hard limit {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 7000), hard))  # the server inherits it
    server = start(tmp_path, header_timeout=20, max_connections=5000, max_connections_per_address=5000)
    sockets = []

    def health_latencies():
        """p50 and p99 of 300 sequential GET /health over one keep-alive connection."""
        latencies = []
        with requests.Session() as session:
            for _ in range(30):  # warm-up: the connection and the server's first requests
                session.get(f"{server.url}/health")
            for _ in range(300):
                started = time.perf_counter()
                assert session.get(f"{server.url}/health").status_code == 200
                latencies.append(time.perf_counter() - started)
        latencies.sort()
        return latencies[150], latencies[int(len(latencies) * 0.99)]

    try:
        time.sleep(2)  # past the start's own work (migrations, job recovery, the first schedule tick)
        alone = health_latencies()
        first = time.monotonic()
        for _ in range(3000):
            sock = connect(server)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # the headers never end
            sockets.append(sock)
        opened = time.monotonic()
        beside = health_latencies()  # before the first of them times out
        print(f"3000 half-open connections opened in {opened - first:.1f} s; /health p50/p99: "
              f"{alone[0] * 1000:.2f}/{alone[1] * 1000:.2f} ms alone, {beside[0] * 1000:.2f}/{beside[1] * 1000:.2f} ms beside them")
        # The server keeps answering at its usual pace: the median under 10 ms and no stall. (The
        # p99 on the 2-core test VM is 5–23 ms even without them, so it is printed, not asserted.)
        assert beside[0] < 0.010 and beside[1] < 0.100, (alone, beside)
        # All are closed within the 20 s header timeout of their accept (the last accepted at `opened`), plus slack.
        assert time.monotonic() < first + 20, "the measurement ran into the timeouts; open the connections faster"
        deadline = opened + 20 + 3
        still_open = [sock for sock in sockets if not closed_within(sock, max(0.01, deadline - time.monotonic()))]
        assert not still_open, f"{len(still_open)} of 3000 half-open connections still open"
        assert requests.get(f"{server.url}/health").status_code == 200
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def test_slow_uploads_complete_stalled_bodies_and_idle_connections_close(tmp_path):
    server = start(tmp_path, header_timeout=2, body_timeout=1, keepalive_timeout=1)
    try:
        key = server.admin_key
        size = 256 * 1024
        # 256 KiB at 64 KiB/s: four times the header and body timeouts, but never a pause of 1 s.
        upload = connect(server)
        upload.sendall(f"POST /v1/blobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                       f"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n".encode())
        started = time.monotonic()
        for _ in range(size // 8192):
            upload.sendall(b"k" * 8192)
            time.sleep(0.125)
        upload.settimeout(30)
        answer = upload.recv(65536).decode(errors="replace")
        assert answer.startswith("HTTP/1.1 201"), answer[:300]
        assert time.monotonic() - started > 3.5
        # The kept-alive connection closes after 1 s idle.
        assert closed_within(upload, 3)
        upload.close()

        # A body that stops moving is cut after the body timeout.
        stalled = connect(server)
        stalled.sendall(f"POST /v1/blobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                        f"Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n".encode() + b"x" * 10)
        started = time.monotonic()
        assert closed_within(stalled, 5)
        assert 0.8 < time.monotonic() - started < 4
        stalled.close()
        # Nothing of the stalled upload was stored.
        listed = requests.get(f"{server.url}/v1/blobs", headers=server.headers())
        if listed.status_code == 200:
            assert all(blob.get("size_bytes", blob.get("size")) != 10 for blob in listed.json().get("blobs", []))
    finally:
        server.stop()


def test_a_per_address_cap_answers_503_with_retry_after(tmp_path):
    server = start(tmp_path, max_connections_per_address=5)
    held = []
    try:
        time.sleep(0.5)  # the start's own /health probes have closed their connections
        # Each held connection has been answered, so the server has counted it: a bare connect
        # may not yet be accepted when the sixth arrives on a busy machine.
        for _ in range(5):
            sock = connect(server)
            held.append(sock)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response_head(sock, 10).startswith(b"HTTP/1.1 200"), "a held connection was refused"
        extra = connect(server)
        extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_until_closed(extra, 5)
        assert answer is not None, "the refused connection was not closed"
        extra.close()
        text = answer.decode()
        assert text.startswith("HTTP/1.1 503"), text
        head = text.lower()
        assert "retry-after: 1" in head and "connection: close" in head and '"code":"unavailable"' in text
        for sock in held:
            sock.close()
        time.sleep(0.3)
        assert requests.get(f"{server.url}/health").status_code == 200
    finally:
        for sock in held:
            sock.close()
        server.stop()


def test_websockets_are_pinged_and_a_silent_peer_is_closed(tmp_path):
    """websocket_ping_interval: a follower that answers pings stays connected while its job runs; a
    peer that vanished (never reads, so never answers) is closed at the next ping after one."""
    import base64
    import json
    import shutil
    import threading
    from pathlib import Path

    import numpy as np
    import websocket

    examples = Path(__file__).resolve().parents[1] / "examples" / "models"
    shutil.copytree(examples / "pretrained_mri_unet", tmp_path / "data" / "models" / "pretrained_mri_unet")
    server = start(tmp_path, websocket_ping_interval=0.5, job_workers=1)
    try:
        headers = server.headers()
        # A 3-D U-Net over a 160³ volume runs for seconds: its job's WebSocket stays open meanwhile.
        volume = np.random.default_rng(3).random((1, 1, 160, 160, 160), dtype=np.float32)
        header = json.dumps({"inputs": [{"name": "volume", "datatype": "FP32", "shape": list(volume.shape),
                                         "parameters": {"binary_data_size": volume.nbytes}}]}).encode()
        job_id = requests.post(f"{server.url}/v1/models/pretrained_mri_unet/infer-async", data=header + volume.tobytes(),
                               headers={**headers, "Content-Type": "application/octet-stream",
                                        "Inference-Header-Content-Length": str(len(header))}).json()["job_id"]
        # The silent peer: a hand-made upgrade, then nothing is ever read or sent.
        silent = connect(server)
        key = base64.b64encode(os.urandom(16)).decode()
        silent.sendall((f"GET /ws/jobs/{job_id} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                        f"Authorization: {headers['Authorization']}\r\n\r\n").encode())
        # The live follower: websocket-client answers each ping as it reads, in its own thread.
        follower = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/jobs/{job_id}",
                                               header=[f"Authorization: {headers['Authorization']}"], timeout=60)
        messages, failures = [], []

        def follow():
            while True:
                try:
                    message = follower.recv()
                except websocket.WebSocketConnectionClosedException:
                    return
                except OSError as error:
                    failures.append(error)
                    return
                if not message:
                    return
                messages.append(json.loads(message))

        reader = threading.Thread(target=follow)
        reader.start()
        started = time.monotonic()
        time.sleep(2.0)
        received = read_until_closed(silent, 0.2)
        assert received is not None, "the silent peer is still open after 2 s of 0.5 s pings"
        assert received.startswith(b"HTTP/1.1 101"), received[:200]
        assert b"\x89" in received, "no ping frame was sent"  # FIN + opcode 0x9
        running = requests.get(f"{server.url}/v1/jobs/{job_id}", headers=headers).json()["state"]
        if running == "succeeded":
            pytest.skip("the segmentation finished within 2 s: nothing shows that the follower was kept")
        reader.join(timeout=120)
        assert not failures, failures
        assert messages and messages[-1]["state"] == "succeeded", messages[-3:]
        assert time.monotonic() - started > 2.0
    finally:
        server.stop()
