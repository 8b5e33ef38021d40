"""schemathesis fuzzes every operation in /openapi.json against a live server: no 5xx, and
every response (status, content type, headers, body) must match the document."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import requests

# positive_data_acceptance is not on yet: 14 operations validate more than their schema says
# (a version's minimum, the CTR config's ranges, file contents no schema can state), so a
# schema-valid request may still get 400 (issue 27 lists them).
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
])


def test_schemathesis_finds_no_server_errors_or_schema_mismatches(kiln_factory, tmp_path):
    # A generous rate limit: the fuzzer is one fast caller and 429s are not what we test here.
    server = kiln_factory(extra_args=["--rate-limit", "100000", "--rate-limit-burst", "100000"])
    # Real models, so that the model endpoints answer with data and not only 404s.
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "models", server.data_dir / "models")
    server.start()
    response = requests.get(server.url + "/openapi.json", headers=server.headers())
    assert response.status_code == 200
    schema_path = tmp_path / "openapi.json"
    schema_path.write_text(json.dumps(response.json()))

    # Revocation runs without the stateful phase: there the fuzzer would list the keys and
    # revoke the one it authenticates with, and every later request would only test 401s.
    run_schemathesis(schema_path, server, "--exclude-operation-id", "revokeKey")
    run_schemathesis(schema_path, server, "--include-operation-id", "revokeKey", "--phases", "coverage,fuzzing")
    # The admin key must still work: fuzzing must not corrupt or lock out the store.
    assert requests.get(server.url + "/v1/keys", headers=server.headers()).status_code == 200


# Debian 12's Python 3.11.2 sometimes fails inside hypothesis with "SystemError: AST constructor
# recursion depth mismatch" (a CPython 3.11.2 bug in ast.parse, fixed in later 3.11 releases),
# which schemathesis reports as a runtime error of its own. Only that interpreter crash is retried;
# any finding about Kiln fails the test at once.
INTERPRETER_BUG = "AST constructor recursion depth mismatch"


def run_schemathesis(schema_path, server, *selection):
    schemathesis = Path(sys.executable).parent / "schemathesis"
    for attempt in range(3):
        result = subprocess.run(
            [str(schemathesis), "run", str(schema_path), "--url", server.url,
             "-H", f"Authorization: Bearer {server.admin_key}",
             "--checks", CHECKS, "--max-examples", "40", "--seed", "1", "--workers", "1",
             "--suppress-health-check", "all", *selection],
            capture_output=True, text=True, timeout=600)
        print(result.stdout[-6000:])
        print(result.stderr[-2000:])
        if result.returncode == 0 or INTERPRETER_BUG not in result.stdout + result.stderr:
            break
        print(f"schemathesis hit the Python 3.11.2 ast bug; attempt {attempt + 2}")
    assert result.returncode == 0, "schemathesis reported failures (see output above)"
