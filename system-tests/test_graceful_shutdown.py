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
