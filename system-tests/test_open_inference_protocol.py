"""The Open Inference Protocol, proven with the real tritonclient[http] client. Outputs are
compared with the same model files run by Debian's python3-torch and python3-xgboost."""

import json
from concurrent.futures import ThreadPoolExecutor
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import requests
import torch
import tritonclient.http as triton
import xgboost
from tritonclient.utils import InferenceServerException

from kiln_process import KilnProcess

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("oip") / "data"
    shutil.copytree(EXAMPLES, data_dir / "models")
    process = KilnProcess(data_dir, extra_args=["--max-tensor-elements", "100000", "--rate-limit", "0"]).start()
    yield process
    process.stop()


@pytest.fixture
def client(server):
    return triton.InferenceServerClient(url=f"127.0.0.1:{server.port}", concurrency=8)


def auth(server):
    # A fresh dict per call: tritonclient writes Inference-Header-Content-Length into it.
    return {"Authorization": f"Bearer {server.admin_key}"}


def torch_reference(model, *inputs):
    module = torch.jit.load(str(EXAMPLES / model / "1" / "model.pt"))
    with torch.no_grad():
        result = module(*[torch.from_numpy(x) for x in inputs])
    return [r.numpy() for r in (result if isinstance(result, tuple) else (result,))]


def test_health_and_metadata(server, client):
    assert client.is_server_live(headers=auth(server))
    assert client.is_server_ready(headers=auth(server))
    assert client.is_model_ready("tabular_mlp", headers=auth(server))
    assert not client.is_model_ready("no_such_model", headers=auth(server))
    metadata = client.get_server_metadata(headers=auth(server))
    assert metadata["name"] == "kiln" and "binary_tensor_data" in metadata["extensions"]
    model = client.get_model_metadata("two_io", headers=auth(server))
    assert model["platform"] == "pytorch_libtorch" and model["versions"] == ["1"]
    assert [i["name"] for i in model["inputs"]] == ["a", "b"]
    assert model["outputs"][1] == {"name": "row_sum", "datatype": "INT64", "shape": [-1, 1]}
    config = client.get_model_config("tabular_mlp", headers=auth(server))
    assert config["max_batch_size"] == 64 and "dynamic_batching" in config


def test_requires_credentials(server):
    client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
    with pytest.raises(InferenceServerException) as error:
        client.get_server_metadata()
    assert "401" in str(error.value.status()) or "unauthenticated" in str(error.value).lower()


@pytest.mark.parametrize("binary_in,binary_out", [(True, True), (False, False), (True, False), (False, True)])
def test_infer_matches_pytorch(server, client, binary_in, binary_out):
    x = np.random.default_rng(7).normal(size=(5, 30)).astype(np.float32)
    inp = triton.InferInput("features", list(x.shape), "FP32")
    inp.set_data_from_numpy(x, binary_data=binary_in)
    out = triton.InferRequestedOutput("probabilities", binary_data=binary_out)
    result = client.infer("tabular_mlp", [inp], outputs=[out], request_id="req-1", headers=auth(server))
    assert result.get_response()["id"] == "req-1"
    np.testing.assert_allclose(result.as_numpy("probabilities"), torch_reference("tabular_mlp", x)[0], atol=1e-5)


def test_two_inputs_two_outputs(server, client):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(3, 4)).astype(np.float32)
    inputs = [triton.InferInput("a", [3, 4], "FP32"), triton.InferInput("b", [3, 4], "FP32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b, binary_data=False)
    result = client.infer("two_io", inputs, headers=auth(server))
    combined, row_sum = torch_reference("two_io", a, b)
    np.testing.assert_allclose(result.as_numpy("combined"), combined, atol=1e-5)
    assert result.as_numpy("row_sum").dtype == np.int64
    np.testing.assert_array_equal(result.as_numpy("row_sum"), row_sum)
    # Output selection: only the second output, in JSON.
    only = client.infer("two_io", inputs, outputs=[triton.InferRequestedOutput("row_sum", binary_data=False)],
                        headers=auth(server))
    assert [o["name"] for o in only.get_response()["outputs"]] == ["row_sum"]


def test_xgboost_matches_python_xgboost(server, client):
    x = np.random.default_rng(11).normal(size=(17, 30)).astype(np.float32)
    inp = triton.InferInput("features", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    result = client.infer("ctr_xgboost", [inp], headers=auth(server))
    booster = xgboost.Booster(model_file=str(EXAMPLES / "ctr_xgboost" / "1" / "model.json"))
    np.testing.assert_allclose(result.as_numpy("probability"), booster.inplace_predict(x), atol=1e-5)


def test_wrong_shape_is_a_client_error(server, client):
    x = np.zeros((2, 29), dtype=np.float32)
    inp = triton.InferInput("features", [2, 29], "FP32")
    inp.set_data_from_numpy(x)
    with pytest.raises(InferenceServerException) as error:
        client.infer("tabular_mlp", [inp], headers=auth(server))
    assert error.value.status() == "400"
    assert "shape" in error.value.message()


def raw_infer(server, model, body: bytes, header_length=None, path_version=""):
    headers = {**auth(server), "Content-Type": "application/octet-stream"}
    if header_length is not None:
        headers["Inference-Header-Content-Length"] = str(header_length)
    return requests.post(f"{server.url}/v2/models/{model}{path_version}/infer", data=body, headers=headers)


@pytest.mark.parametrize("case", ["wrong_dtype", "too_many_elements", "truncated_binary", "header_longer_than_body",
                                  "unknown_model", "unknown_version", "bad_version", "not_json", "missing_input",
                                  "unknown_output", "data_count_mismatch", "batch_too_large"])
def test_bad_input_gets_a_clear_4xx(server, case):
    def header(inputs, **extra):
        return json.dumps({"inputs": inputs, **extra}).encode()

    features = {"name": "features", "datatype": "FP32", "shape": [1, 30], "data": [0.0] * 30}
    model, body, length, version = "tabular_mlp", header([features]), None, ""
    if case == "wrong_dtype":
        body = header([{**features, "datatype": "INT32", "data": [0] * 30}])
    elif case == "too_many_elements":
        body = header([{**features, "shape": [1000, 300], "data": []}])
    elif case == "truncated_binary":
        h = header([{"name": "features", "datatype": "FP32", "shape": [1, 30], "parameters": {"binary_data_size": 120}}])
        body, length = h + struct.pack("<10f", *range(10)), len(h)
    elif case == "header_longer_than_body":
        length = len(body) + 100
    elif case == "unknown_model":
        model = "no_such_model"
    elif case == "unknown_version":
        version = "/versions/7"
    elif case == "bad_version":
        version = "/versions/latest-ish"
    elif case == "not_json":
        body = b"{not json"
    elif case == "missing_input":
        body = header([])
    elif case == "unknown_output":
        body = header([features], outputs=[{"name": "nope"}])
    elif case == "data_count_mismatch":
        body = header([{**features, "data": [0.0] * 29}])
    elif case == "batch_too_large":
        body = header([{**features, "shape": [65, 30], "data": [0.0] * (65 * 30)}])
    response = raw_infer(server, model, body, length, version)
    # The README's promise: an unknown model, version or alias is 404, every malformed request 400.
    expected = 404 if case in ("unknown_model", "unknown_version", "bad_version") else 400
    assert response.status_code == expected, (case, response.status_code, response.text)
    assert response.json()["error"], case
    # The server is unaffected.
    assert raw_infer(server, "tabular_mlp", header([features])).status_code == 200


def test_concurrent_requests_are_batched(server):
    stats_url = f"{server.url}/v2/models/tabular_mlp/stats"
    before = requests.get(stats_url, headers=auth(server)).json()["model_stats"][0]
    x = np.random.default_rng(5).normal(size=(1, 30)).astype(np.float32)
    expected = torch_reference("tabular_mlp", x)[0]
    body = json.dumps({"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 30], "data": x.ravel().tolist()}]})

    def worker(_):
        with requests.Session() as session:
            outputs = []
            for _ in range(25):
                response = session.post(f"{server.url}/v2/models/tabular_mlp/infer", data=body,
                                        headers={**auth(server), "Content-Type": "application/json"})
                assert response.status_code == 200, response.text
                outputs.append(np.array(response.json()["outputs"][0]["data"], dtype=np.float32).reshape(1, 2))
            return outputs

    with ThreadPoolExecutor(16) as pool:
        results = [o for batch in pool.map(worker, range(16)) for o in batch]
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-5)
    after = requests.get(stats_url, headers=auth(server)).json()["model_stats"][0]
    inferences = after["inference_count"] - before["inference_count"]
    executions = after["execution_count"] - before["execution_count"]
    assert inferences == 400
    assert executions < inferences, f"no batching: {executions} executions for {inferences} inferences"
    print(f"batching: {inferences} inferences in {executions} executions")
    metrics = requests.get(f"{server.url}/metrics").text
    for name in ["kiln_model_inferences_total", "kiln_model_executions_total", "kiln_model_requests_total",
                 "kiln_model_queue_duration_seconds_bucket", "kiln_model_compute_duration_seconds_bucket",
                 "kiln_model_batch_size_bucket", "kiln_model_pending_requests", "kiln_model_loaded"]:
        assert f'{name}{{model="tabular_mlp",version="1"' in metrics, name


def test_repository_load_and_unload_need_admin(server):
    user = requests.post(f"{server.url}/v1/keys", json={"role": "user"}, headers=auth(server)).json()["key"]
    client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
    with pytest.raises(InferenceServerException):
        client.unload_model("ctr_xgboost", headers={"Authorization": f"Bearer {user}"})
    client.unload_model("ctr_xgboost", headers=auth(server))
    assert not client.is_model_ready("ctr_xgboost", headers=auth(server))
    index = {m["name"]: m for m in client.get_model_repository_index(headers=auth(server))}
    assert index["ctr_xgboost"]["state"] == "UNAVAILABLE"
    client.load_model("ctr_xgboost", headers=auth(server))
    assert client.is_model_ready("ctr_xgboost", headers=auth(server))


def test_aliases_route_requests_by_label(server, client):
    headers = auth(server)
    response = requests.post(f"{server.url}/v1/models/tabular_mlp/aliases", json={"alias": "production", "version": 1},
                             headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["aliases"] == {"production": 1}
    x = np.random.default_rng(2).normal(size=(2, 30)).astype(np.float32)
    inp = triton.InferInput("features", [2, 30], "FP32")
    inp.set_data_from_numpy(x)
    expected = torch_reference("tabular_mlp", x)[0]
    by_name = client.infer("tabular_mlp@production", [inp], headers=auth(server))
    by_version_position = client.infer("tabular_mlp", [inp], model_version="production", headers=auth(server))
    for result in (by_name, by_version_position):
        np.testing.assert_allclose(result.as_numpy("probabilities"), expected, atol=1e-5)
        assert result.get_response()["model_version"] == "1"
    assert client.is_model_ready("tabular_mlp", model_version="production", headers=auth(server))

    with pytest.raises(InferenceServerException) as error:
        client.infer("tabular_mlp", [inp], model_version="staging", headers=auth(server))
    assert error.value.status() == "404"
    bad = [({"alias": "production", "version": 9}, 404), ({"alias": "9lives", "version": 1}, 400),
           ({"alias": "x"}, 400), ({"alias": "p", "version": "one"}, 400)]
    for body, status in bad:
        assert requests.post(f"{server.url}/v1/models/tabular_mlp/aliases", json=body, headers=headers).status_code == status
    user = requests.post(f"{server.url}/v1/keys", json={"role": "user"}, headers=headers).json()["key"]
    forbidden = requests.post(f"{server.url}/v1/models/tabular_mlp/aliases", json={"alias": "staging", "version": 1},
                              headers={"Authorization": f"Bearer {user}"})
    assert forbidden.status_code == 403

    listing = requests.get(f"{server.url}/v1/models", headers=headers).json()["models"]
    mlp = next(m for m in listing if m["name"] == "tabular_mlp")
    assert mlp["state"] == "READY" and mlp["aliases"] == {"production": 1} and mlp["platform"] == "pytorch_libtorch"
    assert mlp["versions"][0]["version"] == 1 and mlp["versions"][0]["artifact_bytes"] > 0
    assert requests.delete(f"{server.url}/v1/models/tabular_mlp/aliases/production", headers=headers).status_code == 204
    assert requests.delete(f"{server.url}/v1/models/tabular_mlp/aliases/production", headers=headers).status_code == 404
    assert requests.get(f"{server.url}/v1/models/nope", headers=headers).status_code == 404


def test_broken_model_is_reported_without_stopping_the_server(tmp_path):
    models = tmp_path / "data" / "models"
    shutil.copytree(EXAMPLES / "tabular_mlp", models / "tabular_mlp")
    (models / "broken_config" / "1").mkdir(parents=True)
    (models / "broken_config" / "config.json").write_text('{"platform": "pytorch_libtorch", "inputs": []}')
    (models / "corrupt_artifact" / "1").mkdir(parents=True)
    shutil.copy(EXAMPLES / "tabular_mlp" / "config.json", models / "corrupt_artifact" / "config.json")
    (models / "corrupt_artifact" / "1" / "model.pt").write_bytes(b"this is not a TorchScript archive")
    server = KilnProcess(tmp_path / "data").start()
    try:
        client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
        index = {m["name"]: m for m in client.get_model_repository_index(headers=auth(server))}
        assert index["tabular_mlp"]["state"] == "READY"
        for name in ("broken_config", "corrupt_artifact"):
            assert index[name]["state"] == "UNAVAILABLE" and index[name]["reason"], index[name]
        assert "outputs" in index["broken_config"]["reason"]
        with pytest.raises(InferenceServerException) as error:
            client.load_model("corrupt_artifact", headers=auth(server))
        assert error.value.status() == "400"
        assert client.is_model_ready("tabular_mlp", headers=auth(server))
    finally:
        server.stop()


@pytest.mark.parametrize("binary", [True, False])
def test_classification_returns_bytes_with_labels(server, client, binary):
    x = np.random.default_rng(9).normal(size=(2, 1, 64, 64)).astype(np.float32)
    inp = triton.InferInput("image", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    out = triton.InferRequestedOutput("probabilities", binary_data=binary, class_count=2)
    result = client.infer("untrained_ct_cnn", [inp], outputs=[out], headers=auth(server))
    classes = result.as_numpy("probabilities")
    assert classes.shape == (2, 2) and classes.dtype == np.object_
    probabilities = torch_reference("untrained_ct_cnn", x)[0]
    labels = ["normal", "benign", "malignant"]
    for row in range(2):
        best = int(np.argmax(probabilities[row]))
        element = classes[row][0]
        score, index, label = (element.decode() if isinstance(element, bytes) else element).split(":")
        assert int(index) == best and label == labels[best]
        assert abs(float(score) - probabilities[row][best]) < 1e-5


def test_timeouts_answer_504(server):
    body = json.dumps({"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 30], "data": [0.0] * 30}],
                       "parameters": {"timeout": 0}})
    headers = {**auth(server), "Content-Type": "application/json"}
    response = requests.post(f"{server.url}/v2/models/tabular_mlp/infer", data=body, headers=headers)
    assert response.status_code == 504 and "timed out" in response.json()["error"]
    plain = json.dumps({"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, 30], "data": [0.0] * 30}]})
    by_header = requests.post(f"{server.url}/v2/models/tabular_mlp/infer", data=plain, headers={**headers, "Kiln-Timeout-Ms": "0"})
    assert by_header.status_code == 504
    bad = requests.post(f"{server.url}/v2/models/tabular_mlp/infer", data=plain, headers={**headers, "Kiln-Timeout-Ms": "soon"})
    assert bad.status_code == 400
    assert requests.post(f"{server.url}/v2/models/tabular_mlp/infer", data=plain, headers=headers).status_code == 200


class BoolMask(torch.nn.Module):
    """keeps the values whose flag is set and says which of the kept are positive."""

    def forward(self, values: torch.Tensor, keep: torch.Tensor):
        kept = torch.where(keep, values, torch.zeros_like(values))
        return kept, kept > 0


@pytest.mark.parametrize("binary", [True, False])
def test_bool_inputs_and_outputs_and_bytes_through_tritonclient(server, client, binary):
    model_dir = server.data_dir / "models" / "bool_mask"
    if not model_dir.exists():
        (model_dir / "1").mkdir(parents=True)
        torch.jit.script(BoolMask()).save(str(model_dir / "1" / "model.pt"))
        (model_dir / "config.json").write_text(json.dumps({
            "platform": "pytorch_libtorch", "max_batch_size": 0,
            "inputs": [{"name": "values", "datatype": "FP32", "shape": [-1]},
                       {"name": "keep", "datatype": "BOOL", "shape": [-1]}],
            "outputs": [{"name": "kept", "datatype": "FP32", "shape": [-1]},
                        {"name": "positive", "datatype": "BOOL", "shape": [-1]}]}))
        client.load_model("bool_mask", headers=auth(server))
    values = np.array([1.5, -2.0, 3.0, 0.5, -1.0], dtype=np.float32)
    keep = np.array([True, True, False, True, False])
    inputs = [triton.InferInput("values", [5], "FP32"), triton.InferInput("keep", [5], "BOOL")]
    inputs[0].set_data_from_numpy(values, binary_data=binary)
    inputs[1].set_data_from_numpy(keep, binary_data=binary)
    outputs = [triton.InferRequestedOutput(name, binary_data=binary) for name in ("kept", "positive")]
    result = client.infer("bool_mask", inputs, outputs=outputs, headers=auth(server))
    np.testing.assert_array_equal(result.as_numpy("kept"), [1.5, -2.0, 0.0, 0.5, 0.0])
    assert result.as_numpy("positive").dtype == np.bool_
    np.testing.assert_array_equal(result.as_numpy("positive"), [True, False, False, True, False])

    # BYTES from tritonclient (length-prefixed in binary) is read, and refused by this model's
    # BOOL input with a 400 that names the datatypes, not a parse error.
    text = triton.InferInput("keep", [5], "BYTES")
    words = [b"yes", "n\u00f6".encode(), b"", b"y", b"no"]
    text.set_data_from_numpy(np.array(words, dtype=np.object_), binary_data=binary)
    with pytest.raises(InferenceServerException) as error:
        client.infer("bool_mask", [inputs[0], text], headers=auth(server))
    assert error.value.status() == "400"
    assert "BYTES" in error.value.message() and "BOOL" in error.value.message(), error.value.message()
