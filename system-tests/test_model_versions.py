"""Uploading model versions: validated by loading before they become visible."""

import json
import shutil
from pathlib import Path

import numpy as np
import requests
import tritonclient.http as triton

from kiln_process import KilnProcess

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"


def upload(server, name, artifact_name, artifact: bytes, config=None, key=None):
    files = {"artifact": (artifact_name, artifact, "application/octet-stream")}
    if config is not None:
        files["config"] = (None, json.dumps(config))
    return requests.post(f"{server.url}/v1/models/{name}/versions", files=files,
                         headers={"Authorization": f"Bearer {key or server.admin_key}"})


def test_upload_versions_and_new_models(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "tabular_mlp", data / "models" / "tabular_mlp")
    server = KilnProcess(data).start()
    try:
        model_pt = (EXAMPLES / "tabular_mlp" / "1" / "model.pt").read_bytes()
        created = upload(server, "tabular_mlp", "model.pt", model_pt)
        assert created.status_code == 201, created.text
        assert created.json()["version"] == 2
        assert (data / "models" / "tabular_mlp" / "2" / "model.pt").read_bytes() == model_pt
        client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
        headers = {"Authorization": f"Bearer {server.admin_key}"}
        assert client.is_model_ready("tabular_mlp", model_version="2", headers=dict(headers))

        corrupt = upload(server, "tabular_mlp", "model.pt", b"PK\x03\x04 not really a TorchScript archive")
        assert corrupt.status_code == 400 and "does not load" in corrupt.json()["error"]["message"]
        assert not (data / "models" / "tabular_mlp" / "3").exists()
        assert list((data / "models" / ".staging").iterdir()) == []

        config = json.loads((EXAMPLES / "ctr_xgboost" / "config.json").read_text())
        xgb = (EXAMPLES / "ctr_xgboost" / "1" / "model.json").read_bytes()
        assert upload(server, "new_ctr", "model.json", xgb).status_code == 400  # a new model needs its config
        new = upload(server, "new_ctr", "model.json", xgb, config=config)
        assert new.status_code == 201, new.text
        x = np.zeros((2, 30), dtype=np.float32)
        inp = triton.InferInput("features", [2, 30], "FP32")
        inp.set_data_from_numpy(x)
        assert client.infer("new_ctr", [inp], headers=dict(headers)).as_numpy("probability").shape == (2,)

        wrong_features = dict(config, inputs=[{"name": "features", "datatype": "FP32", "shape": [-1, 12]}])
        assert upload(server, "other_ctr", "model.json", xgb, config=wrong_features).status_code == 400
        assert upload(server, "x", "model.onnx", b"...", config=config).status_code == 400
        assert upload(server, "../escape", "model.json", xgb, config=config).status_code in (400, 404)
        plain = requests.post(f"{server.url}/v1/models/tabular_mlp/versions", data=model_pt, headers=headers)
        assert plain.status_code == 415
        user = requests.post(f"{server.url}/v1/keys", json={"role": "user"}, headers=headers).json()["key"]
        assert upload(server, "tabular_mlp", "model.pt", model_pt, key=user).status_code == 403
        assert client.is_model_ready("tabular_mlp", headers=dict(headers))
    finally:
        server.stop()
