"""No internals in any error (issue 26): each error path the test can provoke — a database locked
past its busy timeout, a corrupt model file, an engine that refuses an input, a read-only data
directory — answers with a stable code and a message that holds no path, no SQL and no stack.
A full disk is covered by test_storage_exhaustion.py."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests

from kiln_process import KilnProcess

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"

# What must never reach a client: a file path, SQL, SQLite's own words, a C++ or Swift stack.
INTERNALS = [
    re.compile(r"/(tmp|work|root|home|var|usr)/"),
    re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET|WHERE)\b"),
    re.compile(r"sqlite|SQLITE_|database is locked", re.IGNORECASE),
    re.compile(r"Exception raised from|frame #\d|\.cpp:\d|\.swift:\d|c10::|at::"),
]


def assert_no_internals(answer, data_dir):
    text = answer.text
    assert str(data_dir) not in text, text
    for pattern in INTERNALS:
        assert not pattern.search(text), f"{pattern.pattern} in {text}"


def test_a_locked_database_is_a_503_without_sql(tmp_path):
    server = KilnProcess(tmp_path / "data").start()
    try:
        # Another process (a backup, a manual sqlite3 session) holds the write lock past busy_timeout (5 s).
        holder = sqlite3.connect(tmp_path / "data" / "kiln.sqlite", isolation_level=None, timeout=1)
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        refused = requests.post(f"{server.url}/v1/keys", json={"role": "user"}, headers=server.headers(), timeout=30)
        assert 4.5 < time.monotonic() - started < 8.0, "the write neither waited for busy_timeout nor gave up"
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "unavailable"
        assert_no_internals(refused, server.data_dir)
        holder.rollback()
        holder.close()
        # Reads never waited (WAL), and once the lock is gone writes work again.
        assert requests.post(f"{server.url}/v1/keys", json={"role": "user"}, headers=server.headers()).status_code == 201
    finally:
        server.stop()


def test_a_corrupt_model_file_and_an_engine_error_name_no_internals(tmp_path):
    data = tmp_path / "data"
    # A model whose TorchScript archive is cut short on disk (a failed copy): it cannot load.
    broken = data / "models" / "broken_mlp"
    shutil.copytree(EXAMPLES / "tabular_mlp", broken)
    archive = (broken / "1" / "model.pt").read_bytes()
    (broken / "1" / "model.pt").write_bytes(archive[: len(archive) // 2])
    # A model that accepts any width: the width reaches libtorch, whose matmul refuses it.
    loose = data / "models" / "loose_mlp"
    shutil.copytree(EXAMPLES / "tabular_mlp", loose)
    config = json.loads((loose / "config.json").read_text())
    config["inputs"][0]["shape"] = [-1, -1]
    (loose / "config.json").write_text(json.dumps(config))
    server = KilnProcess(data).start()
    try:
        headers = server.headers()
        body = {"inputs": [{"name": "features", "shape": [1, 30], "datatype": "FP32", "data": [0.0] * 30}]}
        unloadable = requests.post(f"{server.url}/v2/models/broken_mlp/infer", json=body, headers=headers)
        assert unloadable.status_code in (400, 404, 503), unloadable.text
        assert_no_internals(unloadable, data)
        load = requests.post(f"{server.url}/v2/repository/models/broken_mlp/load", headers=headers)
        assert load.status_code >= 400, load.text
        assert_no_internals(load, data)
        native = requests.get(f"{server.url}/v1/models/broken_mlp", headers=headers)
        assert_no_internals(native, data)

        narrow = {"inputs": [{"name": "features", "shape": [1, 7], "datatype": "FP32", "data": [0.0] * 7}]}
        refused = requests.post(f"{server.url}/v2/models/loose_mlp/infer", json=narrow, headers=headers)
        assert refused.status_code == 400, refused.text
        # The engine's own reason, without the TorchScript traceback it came wrapped in.
        assert "mat1 and mat2 shapes cannot be multiplied (1x7 and 30x64)" in refused.json()["error"], refused.text
        assert_no_internals(refused, data)
        # The same refusal through an async job: the job's stored error is as clean.
        job = requests.post(f"{server.url}/v1/models/loose_mlp/infer-async", json=narrow, headers=headers)
        assert job.status_code == 202, job.text
        job_id = job.json()["job_id"]
        deadline = time.monotonic() + 30
        while (state := requests.get(f"{server.url}/v1/jobs/{job_id}", headers=headers)).json()["state"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert state.json()["state"] == "failed", state.text
        assert_no_internals(state, data)
    finally:
        server.stop()


@pytest.fixture()
def read_only_blobs(tmp_path):
    """The blob directory bind-mounted read-only (as root, mode bits would not stop a write)."""
    data = tmp_path / "data"
    (data / "blobs").mkdir(parents=True)
    blobs = str(data / "blobs")
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", blobs, blobs], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here (needs root and CAP_SYS_ADMIN)")
    yield data
    subprocess.run(["umount", "-l", blobs], check=False)


def test_a_read_only_data_directory_is_a_500_without_a_path(read_only_blobs):
    data = read_only_blobs
    server = KilnProcess(data).start()
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(data / "blobs")], check=True)
        headers = {**server.headers(), "Content-Type": "application/octet-stream"}
        refused = requests.post(f"{server.url}/v1/blobs", data=b"r" * 10_000, headers=headers)
        assert refused.status_code == 500, refused.text
        assert refused.json()["error"]["code"] == "internal"
        assert refused.json()["request_id"] in refused.json()["error"]["message"] or "request id" in refused.json()["error"]["message"]
        assert_no_internals(refused, data)
        # The log has what the answer left out.
        assert "Read-only file system" in server.log_path.read_text() or "EROFS" in server.log_path.read_text()
        assert requests.get(f"{server.url}/health").status_code == 200
    finally:
        server.stop()
