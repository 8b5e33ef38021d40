"""A full disk (issue 26): on a small tmpfs data directory, /ready and a metric report free space
under min_free_space; an upload that does not fit answers 507 `insufficient_storage` (at once when
its length is declared) with no path in it and leaves no partial file; reads keep working; once
space is freed, uploads work again. Needs root to mount the tmpfs (skipped otherwise)."""

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


def test_a_full_disk_answers_507_without_a_path_and_recovers(small_disk):
    server = KilnProcess(small_disk / "data", env={**os.environ, "KILN_MIN_FREE_SPACE": "8MiB"}).start()
    try:
        headers = {**server.headers(), "Content-Type": "application/octet-stream"}
        kept = requests.post(f"{server.url}/v1/blobs", data=b"k" * 100_000, headers=headers)
        assert kept.status_code == 201, kept.text
        sha = kept.json()["sha256"]
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
        # Nothing partial stays behind, and reads keep working.
        leftovers = [p for p in (small_disk / "data" / "blobs").rglob("*") if p.is_file() and p.stat().st_size >= 4 << 20]
        assert not leftovers, leftovers
        assert requests.get(f"{server.url}/v1/blobs/{sha}", headers=server.headers()).content == b"k" * 100_000
        assert requests.get(f"{server.url}/health").status_code == 200
        filler.unlink()
        assert requests.get(f"{server.url}/ready").status_code == 200
        again = requests.post(f"{server.url}/v1/blobs", data=os.urandom(4 << 20), headers=headers)
        assert again.status_code == 201, again.text
    finally:
        server.stop()
