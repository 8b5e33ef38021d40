"""A full disk (issue 26): on a small tmpfs data directory, /ready and a metric report free space
under min_free_space; every write path that does not fit (a blob, a model version, a tracking
artifact, an SQLite commit) answers 507 `insufficient_storage` (at once when its length is
declared) with no path or SQL in it and leaves no partial file; reads keep working; once space is
freed, writes work again and what was stored before is intact. Needs root to mount the tmpfs (skipped otherwise)."""

import os
import subprocess

import pytest
import requests

from kiln_process import KilnProcess


@pytest.fixture()
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path):
    """Writes `path` until the volume is full."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(descriptor)


def log_metrics(server, run_id, step):
    """One MLflow batch of 1000 metrics (~100 KB of rows) at `step`."""
    metrics = [{"key": f"m{index}", "value": index / 7, "timestamp": 1_700_000_000_000, "step": step} for index in range(1000)]
    return requests.post(f"{server.url}/api/2.0/mlflow/runs/log-batch", json={"run_id": run_id, "metrics": metrics},
                         headers=server.headers())


def test_a_full_disk_answers_507_without_a_path_and_recovers(small_disk):
    server = KilnProcess(small_disk / "data", env={**os.environ, "KILN_MIN_FREE_SPACE": "8MiB"}).start()
    try:
        headers = {**server.headers(), "Content-Type": "application/octet-stream"}
        kept = requests.post(f"{server.url}/v1/blobs", data=b"k" * 100_000, headers=headers)
        assert kept.status_code == 201, kept.text
        sha = kept.json()["sha256"]
        mlflow = f"{server.url}/api/2.0/mlflow"
        experiment = requests.post(f"{mlflow}/experiments/create", json={"name": "full-disk"}, headers=server.headers()).json()
        run = requests.post(f"{mlflow}/runs/create", json={"experiment_id": experiment["experiment_id"]},
                            headers=server.headers()).json()["run"]["info"]
        logged = log_metrics(server, run["run_id"], step=0)
        assert logged.status_code == 200, logged.text
        ready = requests.get(f"{server.url}/ready").json()
        assert ready["status"] == "ready" and ready["free_bytes"] > 8 << 20
        filler = small_disk / "filler"
        fill(filler)
        # Under min_free_space: not ready (a load balancer stops sending writes), and the metric says why.
        low = requests.get(f"{server.url}/ready")
        assert low.status_code == 503 and "min_free_space" in low.json()["reason"], low.text
        metrics = requests.get(f"{server.url}/metrics").text
        free = int(float(next(line.split()[1] for line in metrics.splitlines() if line.startswith("kiln_data_dir_free_bytes"))))
        assert free < 8 << 20
        # A declared length that cannot fit is refused before the body is read.
        early = requests.post(f"{server.url}/v1/blobs", data=b"e" * (16 << 20), headers=headers)
        assert early.status_code == 507 and early.json()["error"]["details"]["declared_bytes"] == 16 << 20, early.text
        # A body of unknown length (chunked) fails as it is written.
        refused = requests.post(f"{server.url}/v1/blobs", data=iter([os.urandom(1 << 20)] * 4), headers=headers)
        assert refused.status_code == 507, refused.text
        error = refused.json()["error"]
        assert error["code"] == "insufficient_storage"
        assert "/" not in error["message"] and "data" not in error["message"], error
        # A model version upload (multipart, under the early check's 1 MiB) fails as its file is written.
        version = requests.post(f"{server.url}/v1/models/full_disk/versions", headers=server.headers(),
                                files={"artifact": ("model.pt", os.urandom(900_000))})
        assert version.status_code == 507 and version.json()["error"]["code"] == "insufficient_storage", version.text
        assert "/" not in version.json()["error"]["message"]
        assert not any((small_disk / "data" / "models").glob(".staging/*")), "a partial model version was left"
        # A tracking artifact (MLflow's artifact proxy) fails as it is written.
        root = run["artifact_uri"].removeprefix("mlflow-artifacts:/")
        artifact = requests.put(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{root}/weights.bin",
                                data=os.urandom(900_000), headers=server.headers())
        assert artifact.status_code == 507 and artifact.json()["error_code"] == "RESOURCE_EXHAUSTED", artifact.text
        assert "/" not in artifact.json()["message"]
        # SQLite cannot grow its WAL: the commit fails with SQLITE_FULL and is rolled back (each
        # batch is ~100 KB of rows, so the WAL must grow within a few of them).
        answers = [log_metrics(server, run["run_id"], step=step) for step in range(1, 40)]
        failed = [answer for answer in answers if answer.status_code != 200]
        assert failed, "40 metric batches fitted on a full disk"
        for answer in failed:
            assert answer.status_code == 507 and answer.json()["error_code"] == "RESOURCE_EXHAUSTED", answer.text
            assert not any(word in answer.text for word in ("/", "sqlite", "SQL", "INSERT", "metrics")), answer.text
        # Nothing partial stays behind, and reads keep working.
        leftovers = [p for p in (small_disk / "data" / "blobs").rglob("*") if p.is_file() and p.stat().st_size >= 4 << 20]
        assert not leftovers, leftovers
        assert requests.get(f"{server.url}/v1/blobs/{sha}", headers=server.headers()).content == b"k" * 100_000
        assert requests.get(f"{server.url}/health").status_code == 200
        filler.unlink()
        assert requests.get(f"{server.url}/ready").status_code == 200
        again = requests.post(f"{server.url}/v1/blobs", data=os.urandom(4 << 20), headers=headers)
        assert again.status_code == 201, again.text
        assert log_metrics(server, run["run_id"], step=100).status_code == 200
        history = requests.get(f"{mlflow}/metrics/get-history", params={"run_id": run["run_id"], "metric_key": "m0"},
                               headers=server.headers()).json()["metrics"]
        stored_steps = {point["step"] for point in history}
        accepted = {0, 100} | {step for step, answer in zip(range(1, 40), answers) if answer.status_code == 200}
        assert stored_steps == accepted, "a refused batch left rows behind, or an accepted one lost them"
    finally:
        server.stop()
