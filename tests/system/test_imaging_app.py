"""Medical imaging app (issue 6): the demo biomarker model trained by `kiln train imaging-demo`,
served at the seed's path with TreeSHAP explanations."""

import csv
import math
import os
import subprocess
from pathlib import Path

import pytest
import requests

from kiln_process import KILN_BIN, KilnProcess

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data" / "breast_cancer_with_header.csv"


def cases():
    with open(DATA) as handle:
        rows = list(csv.DictReader(handle))
    names = [name for name in rows[0] if name not in ("target", "diagnosis")]
    return names, rows


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("imaging") / "data"
    trained = subprocess.run([KILN_BIN, "train", "imaging-demo", "--data-dir", str(data_dir), "--biomarker-data", str(DATA)],
                             check=True, capture_output=True, text=True)
    assert "alias production → version 1" in trained.stdout
    process = KilnProcess(data_dir).start()
    yield process
    process.stop()


def test_biomarker_prediction_explains_with_shap_that_adds_up(server):
    names, rows = cases()
    for row in rows[:40]:
        features = {name: float(row[name]) for name in names}
        answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": features}, headers=server.headers())
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["model"] == {"name": "biomarker_classifier", "version": 1, "demo": True, "notice": "DEMO MODEL — not for clinical use"}
        shap = body["shap"]
        assert len(shap["contributions"]) == 30
        total = shap["base_value"] + sum(item["contribution"] for item in shap["contributions"])
        assert abs(total - shap["margin"]) < 1e-4
        magnitudes = [abs(item["contribution"]) for item in shap["contributions"]]
        assert magnitudes == sorted(magnitudes, reverse=True)
        benign = 1 / (1 + math.exp(-shap["margin"]))
        assert abs(body["probabilities"]["benign"] - benign) < 1e-6
        assert body["prediction"] == ("benign" if benign >= 0.5 else "malignant")
    # The demo model separates the training cases it was fitted on.
    assert body["prediction"] == ("benign" if rows[39]["target"] == "1" else "malignant")


def test_biomarker_prediction_refuses_bad_features(server):
    names, rows = cases()
    features = {name: float(rows[0][name]) for name in names}
    partial = dict(features)
    del partial["mean radius"]
    partial["tumour colour"] = 1.0
    answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": partial}, headers=server.headers())
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_argument"
    assert error["details"] == {"missing": ["mean radius"], "unknown": ["tumour colour"]}
    wrong_type = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": {**features, "mean radius": "big"}},
                               headers=server.headers())
    assert wrong_type.status_code == 400
    unknown_model = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": features, "model": "nope@production"},
                                  headers=server.headers())
    assert unknown_model.status_code == 404
    assert requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": features}).status_code == 401


def roc_auc(scores, labels):
    """Mann-Whitney AUC, ties counted half (as Kiln computes it)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(labels)
    negatives = len(labels) - positives
    rank_sum = sum(rank for rank, label in zip(ranks, labels) if label == 1)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def test_cross_validated_auc_agrees_with_python_xgboost(server):
    """Same parameters, same stratified folds, Python xgboost: the 5-fold ROC AUCs agree within 0.005."""
    import json
    np = pytest.importorskip("numpy")
    xgb = pytest.importorskip("xgboost")
    names, rows = cases()
    values = np.array([[float(row[name]) for name in names] for row in rows], dtype=np.float32)
    labels = [int(row["target"]) for row in rows]
    folds, dealt = [[] for _ in range(5)], {}
    for index, label in enumerate(labels):  # each class's rows dealt to the folds in turn, as Kiln does
        folds[dealt.get(label, 0) % 5].append(index)
        dealt[label] = dealt.get(label, 0) + 1
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.1, "subsample": 1, "colsample_bytree": 1,
              "min_child_weight": 1, "seed": 0, "nthread": 1, "eval_metric": "auc"}
    python_auc = []
    for held in range(5):
        train = [i for fold in range(5) if fold != held for i in folds[fold]]
        booster = xgb.train(params, xgb.DMatrix(values[train], label=[labels[i] for i in train]), num_boost_round=100)
        scores = booster.predict(xgb.DMatrix(values[folds[held]])).tolist()
        python_auc.append(roc_auc(scores, [labels[i] for i in folds[held]]))
    config = json.loads((server.data_dir / "models" / "biomarker_classifier" / "1" / "config.json").read_text())
    kiln_auc = config["metadata"]["cv_roc_auc"]
    print(f"5-fold ROC AUC: kiln {kiln_auc} mean {config['metadata']['cv_roc_auc_mean']}; "
          f"python xgboost {[round(a, 4) for a in python_auc]} mean {sum(python_auc) / 5:.4f}")
    assert abs(sum(kiln_auc) / 5 - sum(python_auc) / 5) < 0.005
    for kiln, python in zip(kiln_auc, python_auc):
        assert abs(kiln - python) < 0.005
