"""A SIGKILL during an upload leaves no partial blob; acknowledged blobs survive intact."""

import hashlib
import os
import signal
import socket
import time

import requests


def upload(server, data: bytes) -> dict:
    response = requests.post(server.url + "/v1/blobs", data=data, headers=server.headers())
    assert response.status_code in (200, 201), response.text
    return response.json()


def start_slow_upload(server, total: int, sent_before_kill: int) -> socket.socket:
    """Sends headers and the first part of a large body over a raw socket, then stalls."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    head = (
        f"POST /v1/blobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {total}\r\n"
        f"Authorization: Bearer {server.admin_key}\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    sock.sendall(head.encode())
    chunk = os.urandom(1 << 20)
    sent = 0
    while sent < sent_before_kill:
        sock.sendall(chunk)
        sent += len(chunk)
    return sock


def test_sigkill_mid_upload_leaves_no_partial_blob(kiln_factory):
    server = kiln_factory().start()
    acknowledged = []
    for size in (0, 1, 4096, 3 * (1 << 20) + 7):
        data = os.urandom(size)
        body = upload(server, data)
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        assert body["size"] == size
        acknowledged.append(body["sha256"])

    sock = start_slow_upload(server, total=256 << 20, sent_before_kill=32 << 20)
    tmp_dir = server.data_dir / "blobs" / "tmp"
    deadline = time.monotonic() + 10
    while not any(p.stat().st_size > 0 for p in tmp_dir.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(tmp_dir.iterdir()), "the in-flight upload should be streaming to a temp file"

    server.signal(signal.SIGKILL)
    assert server.wait() == -signal.SIGKILL
    sock.close()

    server.start()
    assert list(tmp_dir.iterdir()) == [], "temp files of the killed upload must be gone after restart"
    stored = sorted(
        d.name + f.name for d in (server.data_dir / "blobs").iterdir() if d.name != "tmp" for f in d.iterdir())
    assert stored == sorted(set(acknowledged)), "only acknowledged blobs may be visible"
    for digest in acknowledged:
        response = requests.get(f"{server.url}/v1/blobs/{digest}", headers=server.headers())
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == digest
