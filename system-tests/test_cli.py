"""The CLI: keys created, listed and revoked on the store while the server runs; migrate; version."""

import os
import stat
import subprocess
import time

import requests

from kiln_process import KILN_BIN


def kiln(*args, env=None):
    return subprocess.run([KILN_BIN, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_first_start_writes_admin_key_once_with_mode_0600(kiln_factory):
    server = kiln_factory().start()
    key_file = server.data_dir / "admin.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first_key = server.admin_key
    assert "Created the first admin API key" in server.log_path.read_text()
    server.stop()
    server.start()
    assert server.admin_key == first_key, "a restart must not create another admin key"
    assert requests.get(server.url + "/v1/keys", headers=server.headers()).status_code == 200


def test_keys_commands_work_against_a_running_server(kiln_factory):
    server = kiln_factory().start()
    created = kiln("keys", "create", "--role", "service", "--name", "batch job", "--data-dir", str(server.data_dir))
    assert created.returncode == 0, created.stderr
    fields = dict(line.split(":", 1) for line in created.stdout.splitlines() if ":" in line and not line.startswith("Store"))
    key, key_id = fields["key"].strip(), fields["id"].strip()
    assert requests.get(server.url + "/openapi.json", headers=server.headers(key)).status_code == 200

    listed = kiln("keys", "list", "--data-dir", str(server.data_dir))
    assert key_id in listed.stdout and "batch job" in listed.stdout and key not in listed.stdout

    revoked = kiln("keys", "revoke", key_id, "--data-dir", str(server.data_dir))
    assert revoked.returncode == 0, revoked.stderr
    # The server caches verified keys for at most 5 seconds.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if requests.get(server.url + "/openapi.json", headers=server.headers(key)).status_code == 401:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("key revoked by the CLI still accepted after 10 s")

    again = kiln("keys", "revoke", key_id, "--data-dir", str(server.data_dir))
    assert again.returncode != 0 and "already revoked" in again.stderr
    bad_role = kiln("keys", "create", "--role", "root", "--data-dir", str(server.data_dir))
    assert bad_role.returncode != 0 and "role must be one of" in bad_role.stderr


def test_migrate_version_and_config_errors(tmp_path):
    data_dir = tmp_path / "d"
    first = kiln("migrate", "--data-dir", str(data_dir))
    assert first.returncode == 0 and "applied migrations" in first.stdout
    second = kiln("migrate", "--data-dir", str(data_dir))
    assert second.returncode == 0 and "up to date" in second.stdout
    assert kiln("version").stdout.startswith("kiln ")

    bad_env = kiln("serve", "--data-dir", str(data_dir), env={"KILN_PORT": "eighty"})
    assert bad_env.returncode != 0 and "KILN_PORT" in bad_env.stderr
    open_anon = kiln("serve", "--data-dir", str(data_dir), "--host", "0.0.0.0", "--allow-anonymous")
    assert open_anon.returncode != 0 and "loopback" in open_anon.stderr
    help_text = kiln("serve", "--help").stdout
    for flag in ["--host", "--port", "--data-dir", "--config", "--database", "--allow-anonymous", "--max-upload",
                 "--rate-limit", "--shutdown-timeout", "--jwt-hs256-secret"]:
        assert flag in help_text, flag


def test_doctor_reports_the_engines_it_loaded():
    """README: `kiln doctor` names the libtorch version, the BLAS libtorch really uses (read
    from the loaded libraries, so Debian's OpenBLAS here), thread settings and a matmul figure."""
    import re
    result = kiln("doctor")
    assert result.returncode == 0, result.stderr
    lines = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in result.stdout.splitlines() if line.strip())
    assert re.fullmatch(r"\d+\.\d+\.\d+ \(plugin .*libKilnTorch\.so\)", lines["libtorch"]), lines["libtorch"]
    assert "openblas" in lines["blas"], lines["blas"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", lines["xgboost"])
    assert int(lines["cores"]) >= 1
    assert re.match(r"libtorch intra-op \d+", lines["threads"])
    gflops = float(re.fullmatch(r"([\d.]+) GFLOP/s \(FP32\)", lines["matmul 512x512"]).group(1))
    assert gflops > 0.5, "a 512×512 FP32 matmul below 0.5 GFLOP/s means the BLAS is not the one named"
