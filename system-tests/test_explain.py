"""Explanations of served models (issue 24): `POST /v1/models/{name}/explain` with TreeSHAP,
KernelSHAP, LIME and permutation, on the biomarker demo XGBoost model (trained by `kiln train
imaging-demo`, with its training rows as `reference.json`) and on a TorchScript tabular model.
TreeSHAP is compared with Debian's XGBoost in Python; the reference comparisons with the PyPI
`shap` and `lime` packages are in benchmarks/explain."""

import csv
import json
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import requests
import xgboost

from kiln_process import KILN_BIN, KilnProcess

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "breast_cancer_with_header.csv"
MODEL = "biomarker_classifier"


def cases():
    with open(DATA) as handle:
        rows = list(csv.DictReader(handle))
    names = [name for name in rows[0] if name not in ("target", "diagnosis")]
    return names, np.array([[float(row[name]) for name in names] for row in rows], dtype=np.float32)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("explain") / "data"
    subprocess.run([KILN_BIN, "train", "imaging-demo", "--only", "biomarker", "--data-dir", str(data_dir),
                    "--biomarker-data", str(DATA)], check=True, capture_output=True, text=True)
    for name in ("tabular_mlp", "pretrained_mri_unet", "untrained_ct_cnn"):
        shutil.copytree(ROOT / "examples" / "models" / name, data_dir / "models" / name)
    process = KilnProcess(data_dir).start()
    yield process
    process.stop()


def explain(server, rows, model=MODEL, **parameters):
    body = {"inputs": [{"name": "features", "datatype": "FP32", "shape": list(np.shape(rows)),
                        "data": np.asarray(rows, dtype=np.float32).ravel().tolist()}],
            "parameters": parameters}
    return requests.post(f"{server.url}/v1/models/{model}/explain", json=body, headers=server.headers())


def infer(server, rows, model=MODEL):
    body = {"inputs": [{"name": "features", "datatype": "FP32", "shape": list(np.shape(rows)),
                        "data": np.asarray(rows, dtype=np.float32).ravel().tolist()}]}
    answer = requests.post(f"{server.url}/v2/models/{model}/infer", json=body, headers=server.headers())
    assert answer.status_code == 200, answer.text
    return np.array(answer.json()["outputs"][0]["data"]).reshape(answer.json()["outputs"][0]["shape"])


def test_metadata_lists_the_methods_and_the_reference_sample(server):
    model = requests.get(f"{server.url}/v1/models/{MODEL}", headers=server.headers()).json()
    [version] = model["versions"]
    assert version["explain_methods"] == ["tree_shap", "kernel_shap", "lime", "permutation"]
    assert version["reference_rows"] == 569
    mlp = requests.get(f"{server.url}/v1/models/tabular_mlp", headers=server.headers()).json()
    assert mlp["versions"][0]["explain_methods"] == ["kernel_shap", "lime", "permutation"]
    assert "reference_rows" not in mlp["versions"][0]
    mri = requests.get(f"{server.url}/v1/models/pretrained_mri_unet", headers=server.headers()).json()
    assert mri["versions"][0]["explain_methods"] == []
    cnn = requests.get(f"{server.url}/v1/models/untrained_ct_cnn", headers=server.headers()).json()
    assert cnn["versions"][0]["explain_methods"] == ["grad_cam"]


def test_tree_shap_equals_xgboost_pred_contribs(server):
    _, rows = cases()
    answer = explain(server, rows[:8], method="tree_shap")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["method"] == "tree_shap" and body["output"]["space"] == "margin"
    booster = xgboost.Booster(model_file=str(server.data_dir / "models" / MODEL / "1" / "model.json"))
    expected = booster.predict(xgboost.DMatrix(rows[:8]), pred_contribs=True)
    for explanation, row in zip(body["explanations"], expected):
        assert np.allclose(explanation["values"], row[:-1], atol=1e-4)
        assert abs(explanation["base_value"] - row[-1]) < 1e-4
        assert explanation["additivity_error"] < 1e-4


def test_kernel_shap_adds_up_to_the_served_prediction(server):
    names, rows = cases()
    answer = explain(server, rows[:2], method="kernel_shap", samples=512, seed=3, background_size=20)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["feature_names"] == names
    assert body["parameters"] == {"samples": 512, "seed": 3, "background": "reference", "background_summary": "kmeans",
                                  "background_rows": 20, "evaluator": "trees"}
    served = infer(server, rows[:2])
    for explanation, probability in zip(body["explanations"], served):
        assert abs(explanation["prediction"] - probability) < 1e-6
        assert abs(explanation["base_value"] + sum(explanation["values"]) - explanation["prediction"]) < 1e-6
        assert explanation["additivity_error"] < 1e-6 and explanation["fit_error"] >= 0
        magnitudes = [abs(item["weight"]) for item in explanation["top"]]
        assert magnitudes == sorted(magnitudes, reverse=True)
    # Seeded: the same request gives the same values.
    again = explain(server, rows[:2], method="kernel_shap", samples=512, seed=3, background_size=20).json()
    assert again["explanations"] == body["explanations"]
    # The coalitions evaluated on the model's trees give what running every row through XGBoost gives.
    rows_run = explain(server, rows[:2], method="kernel_shap", samples=512, seed=3, background_size=20, tree_evaluator=False).json()
    assert rows_run["parameters"]["evaluator"] == "model"
    for fast, slow in zip(body["explanations"], rows_run["explanations"]):
        assert np.allclose(fast["values"], slow["values"], atol=1e-5) and abs(fast["base_value"] - slow["base_value"]) < 1e-6


def test_kernel_shap_with_a_background_the_caller_sends(server):
    _, rows = cases()
    background = rows[100:110].tolist()
    body = explain(server, rows[:1], method="kernel_shap", samples=300, background=background).json()
    assert body["parameters"]["background"] == "request" and body["parameters"]["background_rows"] == 10
    expected_base = float(np.mean(infer(server, rows[100:110])))
    assert abs(body["explanations"][0]["base_value"] - expected_base) < 1e-6


def test_lime_names_the_instance_bins_and_reports_the_fit(server):
    names, rows = cases()
    answer = explain(server, rows[:1], method="lime", samples=2000, num_features=5, seed=1)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    [explanation] = body["explanations"]
    assert len(explanation["top"]) == 5
    assert body["parameters"]["feature_selection"] == "auto" and body["parameters"]["kernel_width"] == pytest.approx(0.75 * 30 ** 0.5)
    for item in explanation["top"]:
        assert names[item["index"]] == item["feature"] and item["feature"] in item["condition"]
    assert 0 <= explanation["r2"] <= 1 and abs(explanation["fit_error"] - (1 - explanation["r2"])) < 1e-12


def test_a_torchscript_model_explains_its_predicted_class(server):
    _, rows = cases()
    scaled = (rows[:1] - rows.mean(axis=0)) / rows.std(axis=0)
    background = ((rows[200:216] - rows.mean(axis=0)) / rows.std(axis=0)).tolist()
    answer = explain(server, scaled, model="tabular_mlp", method="kernel_shap", samples=256, background=background)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    probabilities = infer(server, scaled, model="tabular_mlp")[0]
    assert body["output"]["index"] == int(np.argmax(probabilities))
    assert body["output"]["label"] == ["no_click", "click"][body["output"]["index"]]
    explanation = body["explanations"][0]
    assert abs(explanation["prediction"] - probabilities.max()) < 1e-5
    assert explanation["additivity_error"] < 1e-5
    permutation = explain(server, scaled, model="tabular_mlp", method="permutation", background=background, target="click").json()
    assert permutation["output"]["index"] == 1 and len(permutation["explanations"][0]["values"]) == 30


def test_large_explanations_run_as_jobs(server):
    _, rows = cases()
    answer = explain(server, rows[:1], method="kernel_shap", samples=256, seed=5, background_size=10, job=True)
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["job_id"]
    assert answer.headers["Location"] == f"/v1/jobs/{job_id}"
    deadline = time.monotonic() + 60
    while True:
        job = requests.get(f"{server.url}/v1/jobs/{job_id}", headers=server.headers()).json()
        if job["state"] in ("succeeded", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert job["state"] == "succeeded", job
    direct = explain(server, rows[:1], method="kernel_shap", samples=256, seed=5, background_size=10, job=False).json()
    assert job["result"]["explanations"] == direct["explanations"]


@pytest.mark.parametrize("parameters, status, code", [
    ({}, 400, "invalid_argument"),
    ({"method": "shapley_magic"}, 400, "invalid_argument"),
    ({"method": "kernel_shap", "samples": 1}, 400, "invalid_argument"),
    ({"method": "kernel_shap", "samples": 10_000_000}, 400, "invalid_argument"),
    ({"method": "kernel_shap", "background": [[1.0, 2.0]]}, 400, "invalid_argument"),
    ({"method": "kernel_shap", "background": "all of it"}, 400, "invalid_argument"),
    ({"method": "lime", "target": 7}, 400, "invalid_argument"),
    ({"method": "lime", "feature_selection": "lasso"}, 400, "invalid_argument"),
    ({"method": "kernel_shap", "tree_evaluator": "yes"}, 400, "invalid_argument"),
    ({"method": "kernel_shap", "samples": 100_000, "background_size": 1000}, 400, "invalid_argument"),
])
def test_bad_explain_requests(server, parameters, status, code):
    _, rows = cases()
    answer = explain(server, rows[:1], **parameters)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code


def test_methods_a_model_cannot_do_are_refused(server):
    _, rows = cases()
    tree = explain(server, rows[:1], model="tabular_mlp", method="tree_shap")
    assert tree.status_code == 422 and tree.json()["error"]["code"] == "explanation_unsupported"
    assert tree.json()["error"]["details"]["supported"] == ["kernel_shap", "lime", "permutation"]
    image = requests.post(f"{server.url}/v1/models/pretrained_mri_unet/explain", headers=server.headers(), json={
        "inputs": [{"name": "image", "datatype": "FP32", "shape": [1, 1, 8, 8], "data": [0.0] * 64}],
        "parameters": {"method": "kernel_shap"}})
    assert image.status_code == 422 and image.json()["error"]["code"] == "explanation_unsupported"
    # No reference sample and no background sent: KernelSHAP has nothing to integrate over.
    bare = explain(server, rows[:1], model="tabular_mlp", method="kernel_shap")
    assert bare.status_code == 400 and "reference.json" in bare.json()["error"]["message"]
    missing = explain(server, rows[:1], model="no_such_model", method="lime")
    assert missing.status_code == 404
    assert requests.post(f"{server.url}/v1/models/{MODEL}/explain", json={}).status_code == 401


def test_biomarker_explanations_are_archived_for_review(server):
    names, rows = cases()
    headers = server.headers()
    features = {name: float(value) for name, value in zip(names, rows[3])}
    answers = {}
    for method in ("tree_shap", "kernel_shap", "lime"):
        answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": features, "method": method},
                               headers=headers)
        assert answer.status_code == 200, answer.text
        answers[method] = answer.json()
    kernel = answers["kernel_shap"]["shap"]
    assert kernel["method"] == "kernel_shap" and len(kernel["contributions"]) == 30
    assert abs(kernel["base_value"] + sum(c["contribution"] for c in kernel["contributions"]) - kernel["prediction"]) < 1e-6
    assert abs(answers["kernel_shap"]["probabilities"]["benign"] - answers["tree_shap"]["probabilities"]["benign"]) < 1e-6
    assert answers["lime"]["lime"]["method"] == "lime" and len(answers["lime"]["lime"]["weights"]) == 10
    bad = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": features, "method": "grad_cam"}, headers=headers)
    assert bad.status_code == 400

    # A reviewer sees the explanation the model gave with the prediction.
    prediction_id = answers["lime"]["prediction_id"]
    reviewed = requests.post(f"{server.url}/v1/feedback/{prediction_id}", json={"decision": "confirm"}, headers=headers)
    assert reviewed.status_code == 201, reviewed.text
    listed = requests.get(f"{server.url}/v1/feedback", params={"model": MODEL}, headers=headers).json()["reviews"]
    [item] = [review for review in listed if review["prediction_id"] == prediction_id]
    assert item["explanation"] == answers["lime"]["lime"]


def test_grad_cam_maps_an_image_classifier(server):
    # A bright square in the top left of an otherwise dark 64×64 image, twice (two images in one request).
    image = np.zeros((2, 1, 64, 64), dtype=np.float32)
    image[:, :, 8:24, 8:24] = 1.0
    body = {"inputs": [{"name": "image", "datatype": "FP32", "shape": [2, 1, 64, 64], "data": image.ravel().tolist()}],
            "parameters": {"method": "grad_cam", "target": 2}}
    answer = requests.post(f"{server.url}/v1/models/untrained_ct_cnn/explain", json=body, headers=server.headers())
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["method"] == "grad_cam" and result["output"]["index"] == 2 and len(result["explanations"]) == 2
    for explanation in result["explanations"]:
        heatmap = explanation["heatmap"]
        assert heatmap["method"] in ("grad-cam", "saliency")
        values = np.array(heatmap["values"])
        assert values.shape == (heatmap["height"], heatmap["width"]) and values.min() >= 0 and values.max() <= 1 + 1e-6
        assert 0 <= explanation["prediction"] <= 1 and "base_value" not in explanation
    assert result["explanations"][0]["heatmap"] == result["explanations"][1]["heatmap"]
    too_many = {"inputs": [{"name": "image", "datatype": "FP32", "shape": [17, 1, 64, 64], "data": [0.0] * (17 * 64 * 64)}],
                "parameters": {"method": "grad_cam"}}
    assert requests.post(f"{server.url}/v1/models/untrained_ct_cnn/explain", json=too_many, headers=server.headers()).status_code == 400
    wrong = dict(body, parameters={"method": "kernel_shap"})
    refused = requests.post(f"{server.url}/v1/models/untrained_ct_cnn/explain", json=wrong, headers=server.headers())
    assert refused.status_code == 422 and refused.json()["error"]["details"]["supported"] == ["grad_cam"]


def test_a_reference_sample_travels_with_an_uploaded_version(server):
    _, rows = cases()
    scaled = ((rows - rows.mean(axis=0)) / rows.std(axis=0)).astype(np.float32)
    model_dir = ROOT / "examples" / "models" / "tabular_mlp"
    config = (model_dir / "config.json").read_text()

    def upload(reference):
        with open(model_dir / "1" / "model.pt", "rb") as artifact:
            return requests.post(f"{server.url}/v1/models/mlp_with_reference/versions", headers=server.headers(), files={
                "artifact": ("model.pt", artifact), "config": (None, config),
                "reference": ("reference.json", json.dumps(reference))})

    # A sample of the wrong width is refused before anything is installed.
    refused = upload({"rows": scaled[:20, :29].tolist()})
    assert refused.status_code == 400 and "reference.json" in refused.json()["error"]["message"], refused.text
    assert requests.get(f"{server.url}/v1/models/mlp_with_reference", headers=server.headers()).status_code == 404
    assert upload({"rows": [[float("nan")] * 30]}).status_code == 400

    installed = upload({"feature_names": [f"f{i}" for i in range(30)], "rows": scaled[:200].tolist()})
    assert installed.status_code == 201, installed.text
    [version] = installed.json()["model"]["versions"]
    assert version["reference_rows"] == 200
    # KernelSHAP now needs no background in the request: the stored sample is it.
    answer = explain(server, scaled[300:301], model="mlp_with_reference", method="kernel_shap", samples=128, background_size=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["parameters"]["background"] == "reference" and body["parameters"]["background_rows"] == 10
    assert body["feature_names"][:2] == ["f0", "f1"] and body["explanations"][0]["additivity_error"] < 1e-5
