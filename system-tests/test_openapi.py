"""schemathesis fuzzes every operation in /openapi.json against a live server: no 5xx, and
every response (status, content type, headers, body) must match the document."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import requests

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
])

# positive_data_acceptance (every schema-valid request gets 2xx) runs on every operation but
# these, whose acceptance depends on what no schema states:
CONTENT_CHECKED = {
    "GET /v1/jobs": "`cursor` must be a token this server returned",
    "POST /api/upload": "the CSV's contents (UTF-8, a header, a label column)",
    "POST /predict/ct_classification": "an image file (DICOM, PNG or JPEG) and a valid window",
    "POST /predict/mri_segmentation": "a NIfTI volume or a zip of one DICOM series",
    "POST /v1/datasets/from-feedback": "reviewed predictions in the store",
    "POST /v1/models/{model}/infer-async": "tensors named and shaped as the model's signature",
    "POST /v1/models/{model}/explain": "tensors named and shaped as the model's signature",
    "POST /v1/models/{model}/versions/{version}/explain": "tensors named and shaped as the model's signature",
    "POST /v1/models/{model}/versions": "a model artifact libtorch or XGBoost can load",
    "POST /v1/schedules": "a cron expression Kiln can parse",
    "GET /api/report/feature-importance/{run_id}": "the methods a run offers depend on its model (gain and shap for XGBoost)",
}


def test_schemathesis_finds_no_server_errors_or_schema_mismatches(kiln_factory, tmp_path):
    # A generous rate limit: the fuzzer is one fast caller and 429s are not what we test here.
    server = kiln_factory(extra_args=["--rate-limit", "100000", "--rate-limit-burst", "100000"])
    # Real models, so that the model endpoints answer with data and not only 404s.
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "models", server.data_dir / "models")
    server.start()
    # A finished CTR run, so that /api/* operations reach their success paths with its id.
    from test_ctr_app import train_xgboost
    run_id, _ = train_xgboost(server)
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[parameters]\n"path.run_id" = "{run_id}"\n')
    response = requests.get(server.url + "/openapi.json", headers=server.headers())
    assert response.status_code == 200
    schema_path = tmp_path / "openapi.json"
    schema_path.write_text(json.dumps(response.json()))

    # Revocation runs without the stateful phase: there the fuzzer would list the keys and
    # revoke the one it authenticates with, and every later request would only test 401s.
    run_schemathesis(schema_path, server, config, CHECKS, "--exclude-operation-id", "revokeKey")
    run_schemathesis(schema_path, server, config, CHECKS, "--include-operation-id", "revokeKey", "--phases", "coverage,fuzzing")
    # Valid data means valid Unicode too: a JSON string escaping a lone surrogate (\udb7b) is
    # refused as invalid JSON, as it should be, so that run draws strings UTF-8 can encode.
    positive = tmp_path / "schemathesis-positive.toml"
    positive.write_text(config.read_text() + '[generation]\ncodec = "utf-8"\n')
    excluded = [argument for name in CONTENT_CHECKED for argument in ("--exclude-name", name)]
    run_schemathesis(schema_path, server, positive, "positive_data_acceptance", "--exclude-operation-id", "revokeKey", *excluded)
    # The admin key must still work: fuzzing must not corrupt or lock out the store.
    assert requests.get(server.url + "/v1/keys", headers=server.headers()).status_code == 200


# Debian 12's Python 3.11.2 sometimes fails inside hypothesis with "SystemError: AST constructor
# recursion depth mismatch" (a CPython 3.11.2 bug in ast.parse, fixed in later 3.11 releases),
# which schemathesis reports as a runtime error of its own. Only that interpreter crash is retried;
# any finding about Kiln fails the test at once.
INTERPRETER_BUG = "AST constructor recursion depth mismatch"


def run_schemathesis(schema_path, server, config, checks, *selection):
    schemathesis = Path(sys.executable).parent / "schemathesis"
    for attempt in range(3):
        result = subprocess.run(
            [str(schemathesis), "--config-file", str(config), "run", str(schema_path), "--url", server.url,
             "-H", f"Authorization: Bearer {server.admin_key}",
             "--checks", checks, "--max-examples", "40", "--seed", "1", "--workers", "1",
             "--suppress-health-check", "all", *selection],
            capture_output=True, text=True, timeout=600)
        print(result.stdout[-6000:])
        print(result.stderr[-2000:])
        if result.returncode == 0 or INTERPRETER_BUG not in result.stdout + result.stderr:
            break
        print(f"schemathesis hit the Python 3.11.2 ast bug; attempt {attempt + 2}")
    assert result.returncode == 0, "schemathesis reported failures (see output above)"
