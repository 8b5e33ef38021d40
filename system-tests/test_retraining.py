"""The closed learning loop (issue 18) on the biomarker demo model (XGBoost: it retrains in
seconds; the CT fine-tuning under a shift is measured by benchmarks/retraining/shift_eval.py):
reviews → POST /v1/retraining → a candidate scored against the serving version on the same
held-out reviewed cases → promoted only if better; the run in the MLflow API; schedules that
fire once after N reviews, also across a SIGKILL; feedback-stats; the Label Studio exchange."""

import csv
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from kiln_process import KILN_BIN, KilnProcess

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "breast_cancer_with_header.csv"
MODEL = "biomarker_classifier"


def rows():
    with open(DATA) as handle:
        table = list(csv.DictReader(handle))
    names = [name for name in table[0] if name not in ("target", "diagnosis")]
    return names, table


@pytest.fixture()
def server(tmp_path):
    data_dir = tmp_path / "data"
    subprocess.run([KILN_BIN, "train", "imaging-demo", "--only", "biomarker", "--data-dir", str(data_dir), "--biomarker-data", str(DATA)],
                   check=True, capture_output=True)
    process = KilnProcess(data_dir).start()
    yield process
    process.stop()


def predict_and_review(server, count, label_of, seed=3):
    names, table = rows()
    rng = random.Random(seed)
    ids = []
    for row in rng.sample(table, count):
        answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": {n: float(row[n]) for n in names}},
                               headers=server.headers())
        assert answer.status_code == 200, answer.text
        body = answer.json()
        label = label_of(row, rng)
        review = {"decision": "confirm"} if label == body["prediction"] else {"decision": "correct", "label": label}
        reviewed = requests.post(f"{server.url}/predict/{body['prediction_id']}/review", json=review, headers=server.headers())
        assert reviewed.status_code == 201, reviewed.text
        ids.append(body["prediction_id"])
    return ids


def truth(row, rng):
    return "benign" if row["target"] == "1" else "malignant"


def coin(row, rng):
    return rng.choice(["malignant", "benign"])


def wait_for(server, retraining_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = requests.get(f"{server.url}/v1/retraining/{retraining_id}", headers=server.headers()).json()
        if status["state"] in ("succeeded", "failed", "cancelled"):
            return status
        time.sleep(0.3)
    raise TimeoutError(retraining_id)


def test_random_labels_give_a_registered_candidate_that_is_not_promoted(server):
    predict_and_review(server, 120, coin)
    started = requests.post(f"{server.url}/v1/retraining", json={"model": MODEL}, headers=server.headers())
    assert started.status_code == 202, started.text
    assert started.headers["Location"] == f"/v1/retraining/{started.json()['id']}"
    status = wait_for(server, started.json()["id"])
    assert status["state"] == "succeeded", status
    result = status["result"]
    assert result["promoted"] is False and result["candidate_version"] == 2
    feedback = result["evaluation"]["feedback"]
    assert feedback["metric"] == "roc_auc" and feedback["cases"] >= 20
    assert len(feedback["split_sha256"]) == 64
    # The failed check is named: coin-flip labels cannot be predicted better than chance.
    assert any(reason.startswith(("improvement:", "significance:")) for reason in result["decision"]["reasons"]), result["decision"]
    # The version is registered, with the reason, and production still serves version 1.
    answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": {n: 1.0 for n in rows()[0]}}, headers=server.headers())
    assert answer.json()["model"]["version"] == 1
    audit = requests.get(f"{server.url}/v1/audit", headers=server.headers()).json()
    entries = audit["entries"] if isinstance(audit, dict) else audit
    assert any(entry["action"] == "model.promotion_refused" for entry in entries)


def test_true_labels_retrain_track_and_promote_only_through_the_checks(server):
    predict_and_review(server, 150, truth)
    # A policy no candidate can meet is refused: the decision follows the configured margin.
    strict = requests.post(f"{server.url}/v1/retraining", json={"model": MODEL, "policy": {"min_improvement": 0.5}}, headers=server.headers())
    status = wait_for(server, strict.json()["id"])
    assert status["result"]["promoted"] is False
    assert any(reason.startswith("improvement:") for reason in status["result"]["decision"]["reasons"])
    # With a zero margin and no significance requirement, a candidate as good as the serving
    # model on the reviewed cases and no worse on the original held-out fold is promoted. It is
    # asked for through `kiln retrain` while four clients keep asking the production model: no
    # request fails during the promotion, and the answers move from version 1 to the candidate.
    stop, seen, failures = threading.Event(), [], []
    headers, body = server.headers(), {"features": {n: 1.0 for n in rows()[0]}}

    def load():
        with requests.Session() as session:
            while not stop.is_set():
                answer = session.post(f"{server.url}/predict/biomarker_prediction", json=body, headers=headers)
                if answer.status_code == 200:
                    seen.append(answer.json()["model"]["version"])
                else:
                    failures.append((answer.status_code, answer.text[:200]))

    clients = [threading.Thread(target=load) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        cli = subprocess.run([KILN_BIN, "retrain", MODEL, "--server", server.url, "--min-improvement=-0.05", "--no-require-significant",
                              "--max-regression", "0.05"], capture_output=True, text=True, timeout=300,
                             env={**os.environ, "KILN_API_KEY": server.admin_key})
        time.sleep(0.5)
    finally:
        stop.set()
        for client in clients:
            client.join()
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "promoted to 'production'" in cli.stdout and "held-out reviews" in cli.stdout, cli.stdout
    lenient_id = re.search(r"retraining (\S+) queued", cli.stdout).group(1)
    status = wait_for(server, lenient_id)
    assert not failures, failures[:3]
    assert seen[0] == 1 and set(seen) == {1, status["result"]["candidate_version"]}, sorted(set(seen))
    result = status["result"]
    assert result["promoted"] is True, result["decision"]
    assert result["evaluation"]["original"]["cases"] == 115  # fold 1 of 5: 43 malignant + 72 benign
    version = result["candidate_version"]
    answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": {n: 1.0 for n in rows()[0]}}, headers=server.headers())
    assert answer.json()["model"]["version"] == version
    # The run is in the tracking store, as MLflow's REST API shows it.
    run = requests.get(f"{server.url}/api/2.0/mlflow/runs/get", params={"run_id": result["run_id"]}, headers=server.headers()).json()["run"]
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    assert params["model"] == MODEL and params["dataset_sha256"] == result["dataset"]["manifest_sha256"]
    assert int(params["training_cases"]) + int(params["evaluation_cases"]) == 150
    assert run["info"]["status"] == "FINISHED"
    metrics = {m["key"] for m in run["data"]["metrics"]}
    assert {"feedback_candidate_roc_auc", "original_serving_roc_auc"} <= metrics
    # The held-out split is fixed: the same cases are held out again.
    assert status["result"]["evaluation"]["feedback"]["split_sha256"] == wait_for(server, strict.json()["id"])["result"]["evaluation"]["feedback"]["split_sha256"]
    # Rollback is an alias move back to the previous version, audited.
    back = requests.post(f"{server.url}/v1/models/{MODEL}/aliases", json={"alias": "production", "version": 1}, headers=server.headers())
    assert back.status_code == 200, back.text
    answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": {n: 1.0 for n in rows()[0]}}, headers=server.headers())
    assert answer.json()["model"]["version"] == 1
    history = requests.get(f"{server.url}/v1/retraining", params={"model": MODEL}, headers=server.headers()).json()["retrainings"]
    assert [item["id"] for item in history] == [lenient_id, strict.json()["id"]]


def test_retraining_refuses_bad_requests(server):
    for body, status in [({"model": "nope"}, 404), ({"model": MODEL, "evaluation_fraction": 1.5}, 400),
                         ({"model": MODEL, "options": {"epochs": 0}}, 400), ({"model": MODEL, "alias": "9bad"}, 400), ({}, 400)]:
        answer = requests.post(f"{server.url}/v1/retraining", json=body, headers=server.headers())
        assert answer.status_code == status, (body, answer.text)
        assert "error" in answer.json()
    # Without reviews the job fails with a stable code.
    started = requests.post(f"{server.url}/v1/retraining", json={"model": MODEL}, headers=server.headers())
    status = wait_for(server, started.json()["id"])
    assert status["state"] == "failed" and status["error"]["code"] == "no_reviews"
    # `kiln retrain` exits 1 and says why: a refused request, a failed job, no key.
    env = {**os.environ, "KILN_API_KEY": server.admin_key}
    refused = subprocess.run([KILN_BIN, "retrain", "nope", "--server", server.url], capture_output=True, text=True, env=env, timeout=60)
    assert refused.returncode == 1 and "404 not_found" in refused.stderr, refused.stderr
    assert "retrainable_models" in refused.stderr and MODEL in refused.stderr, refused.stderr
    failed = subprocess.run([KILN_BIN, "retrain", MODEL, "--server", server.url], capture_output=True, text=True, env=env, timeout=120)
    assert failed.returncode == 1 and "no_reviews" in failed.stdout, failed.stdout
    keyless = subprocess.run([KILN_BIN, "retrain", MODEL, "--server", server.url], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "KILN_API_KEY"}, timeout=60)
    assert keyless.returncode != 0 and "KILN_API_KEY" in keyless.stderr


def test_a_reviews_schedule_fires_exactly_once_after_the_fifth_review_across_a_sigkill(server):
    schedule = requests.post(f"{server.url}/v1/schedules", json={
        "name": "after five reviews", "kind": "retraining", "parameters": {"model": MODEL, "promote": False},
        "trigger": {"reviews": 5}}, headers=server.headers())
    assert schedule.status_code == 201, schedule.text
    schedule_id = schedule.json()["id"]
    predict_and_review(server, 4, truth)
    time.sleep(2.5)
    assert requests.get(f"{server.url}/v1/schedules/{schedule_id}", headers=server.headers()).json()["fired"] == 0
    server.signal(signal.SIGKILL)
    server.wait()
    server.start()
    predict_and_review(server, 1, truth, seed=99)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        state = requests.get(f"{server.url}/v1/schedules/{schedule_id}", headers=server.headers()).json()
        if state["fired"]:
            break
        time.sleep(0.2)
    time.sleep(3)
    state = requests.get(f"{server.url}/v1/schedules/{schedule_id}", headers=server.headers()).json()
    assert state["fired"] == 1 and state["reviews_at_last_firing"] == 5
    history = requests.get(f"{server.url}/v1/retraining", params={"model": MODEL}, headers=server.headers()).json()["retrainings"]
    assert len(history) == 1 and history[0]["requested_by"] == f"schedule:{schedule_id}" and history[0]["id"] == state["last_job_id"]
    # Paused schedules are listed as paused; bad triggers are refused.
    paused = requests.post(f"{server.url}/v1/schedules/{schedule_id}/pause", headers=server.headers()).json()
    assert paused["paused"] is True
    for trigger in [{"cron": "61 * * * *"}, {"cron": "daily@25:00"}, {"reviews": 0}, {}, {"cron": "weekly", "reviews": 3}]:
        bad = requests.post(f"{server.url}/v1/schedules", json={"name": "x", "kind": "retraining", "parameters": {"model": MODEL}, "trigger": trigger},
                            headers=server.headers())
        assert bad.status_code == 400, (trigger, bad.text)
    weekly = requests.post(f"{server.url}/v1/schedules", json={"name": "weekly", "kind": "retraining", "parameters": {"model": MODEL},
                                                               "trigger": {"cron": "weekly"}}, headers=server.headers()).json()
    assert weekly["next_fire_at"].endswith("T00:00:00Z")


def test_feedback_stats_and_the_label_studio_round_trip(server):
    ids = predict_and_review(server, 30, truth)
    stats = requests.get(f"{server.url}/v1/models/{MODEL}/feedback-stats", params={"bucket": "week"}, headers=server.headers()).json()
    assert stats["reviewed_predictions"] == 30 and 0 <= stats["agreed"] <= 30
    assert sum(item["reviews"] for item in stats["by_class"]) == 30 and len(stats["by_period"]) == 1
    assert requests.get(f"{server.url}/v1/models/{MODEL}/feedback-stats", params={"bucket": "year"}, headers=server.headers()).status_code == 400
    # Unreviewed predictions go out as Label Studio tasks with the model's answer as pre-annotation.
    names, table = rows()
    fresh = [requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": {n: float(r[n]) for n in names}},
                           headers=server.headers()).json() for r in table[:3]]
    tasks = requests.get(f"{server.url}/v1/feedback/label-studio/tasks", params={"model": MODEL, "unreviewed": "true"}, headers=server.headers()).json()
    assert {t["data"]["kiln_prediction_id"] for t in tasks} == {f["prediction_id"] for f in fresh}
    assert all(t["predictions"][0]["result"][0]["value"]["choices"] in (["benign"], ["malignant"]) for t in tasks)
    config = requests.get(f"{server.url}/v1/feedback/label-studio/config", params={"model": MODEL}, headers=server.headers())
    assert '<Choice value="benign"/>' in config.text and 'toName="features"' in config.text
    # An annotated export comes back as reviews; importing it again adds nothing.
    export = [dict(task, id=index, annotations=[{"completed_by": {"email": "ann@example.org"}, "was_cancelled": False, "updated_at": "2026-12-03T10:00:00Z",
                                                  "result": [{"from_name": "label", "to_name": "features", "type": "choices", "value": {"choices": ["malignant"]}}]}])
              for index, task in enumerate(tasks)]
    export.append({"id": 99, "data": {}, "annotations": []})
    first = requests.post(f"{server.url}/v1/feedback/label-studio/import", json=export, headers=server.headers()).json()
    assert first["imported"] == 3 and [s["task"] for s in first["skipped"]] == [99]
    assert all(r["reviewer"] == "label-studio:ann@example.org" and r["label"] == "malignant" for r in first["reviews"])
    again = requests.post(f"{server.url}/v1/feedback/label-studio/import", json=export, headers=server.headers()).json()
    assert again["imported"] == 0 and again["unchanged"] == 3
    assert requests.post(f"{server.url}/v1/feedback/label-studio/import", json={"not": "a list"}, headers=server.headers()).status_code == 400
    # A task that is not an object makes the whole body something other than an export: 400.
    mixed = requests.post(f"{server.url}/v1/feedback/label-studio/import", json=export + [[None, None]], headers=server.headers())
    assert mixed.status_code == 400 and "task" in mixed.json()["error"]["message"], mixed.text


def held_out(prediction_id, fraction):
    """Kiln's evaluation split: the first 8 bytes of SHA-256("kiln-evaluation-split:" + id) below the fraction."""
    digest = hashlib.sha256(f"kiln-evaluation-split:{prediction_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def test_corrected_masks_fine_tune_the_mri_segmenter(tmp_path):
    """Corrected masks (NIfTI) of segmentations become a fine-tuned candidate scored by Dice on the
    held-out reviewed volumes and on the demo's original held-out volumes (here 3 small ones, so
    the test runs in a minute; benchmarks/retraining/mri_eval.py measures the effect)."""
    data_dir = tmp_path / "data"
    model_dir = data_dir / "models" / "mri_segmenter"
    shutil.copytree(ROOT / "examples" / "models" / "pretrained_mri_unet", model_dir)
    for path in (model_dir / "config.json", model_dir / "1" / "config.json"):
        config = json.loads(path.read_text())
        config["metadata"]["held_out"].update({"volumes": 3, "grid": [48, 48, 40]})
        path.write_text(json.dumps(config))
    volumes = tmp_path / "volumes"
    subprocess.run([KILN_BIN, "datagen", "mri-volumes", "--count", "8", "--dimensions", "48,48,40", "--seed", "5", "--out", str(volumes)],
                   check=True, capture_output=True)
    with open(volumes / "labels.csv") as handle:
        pairs = [(volumes / row["file"], volumes / row["mask"]) for row in csv.DictReader(handle)]
    server = KilnProcess(data_dir).start()
    try:
        assert requests.post(f"{server.url}/v1/models/mri_segmenter/aliases", json={"alias": "production", "version": 1},
                             headers=server.headers()).status_code == 200
        # Segment and correct until both parts of the split hold two volumes (prediction ids are random).
        parts = {True: 0, False: 0}
        for index in range(40):
            if min(parts.values()) >= 2:
                break
            volume, mask = pairs[index % len(pairs)]
            submitted = requests.post(f"{server.url}/predict/mri_segmentation", files={"file": (volume.name, volume.read_bytes())},
                                      headers=server.headers())
            assert submitted.status_code == 202, submitted.text
            deadline = time.monotonic() + 120
            while (state := requests.get(server.url + submitted.json()["status_url"], headers=server.headers()).json())["status"] not in ("succeeded", "failed"):
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert state["status"] == "succeeded", state
            prediction_id = state["result"]["prediction_id"]
            review = requests.post(f"{server.url}/predict/{prediction_id}/review", files={"file": (mask.name, mask.read_bytes())},
                                   data={"decision": "correct_mask"}, headers=server.headers())
            assert review.status_code == 201, review.text
            parts[held_out(prediction_id, 0.5)] += 1
        started = requests.post(f"{server.url}/v1/retraining", json={"model": "mri_segmenter", "evaluation_fraction": 0.5, "options": {"epochs": 1},
                                                                      "promote": False}, headers=server.headers())
        assert started.status_code == 202, started.text
        status = wait_for(server, started.json()["id"], timeout=600)
        assert status["state"] == "succeeded", status
        result = status["result"]
        feedback, original = result["evaluation"]["feedback"], result["evaluation"]["original"]
        assert feedback["metric"] == "dice" and feedback["cases"] == parts[True]
        assert original["metric"] == "dice" and original["cases"] == 3 and "48×48×40" in original["description"]
        for block in (feedback, original):
            assert all(0 <= block[side]["value"] <= 1 for side in ("serving", "candidate"))
        assert result["promoted"] is False and result["promotion_requested"] is False
        listing = requests.get(f"{server.url}/v1/models/mri_segmenter", headers=server.headers()).json()
        assert {v["version"] for v in listing["versions"]} == {1, 2} and listing["aliases"] == {"production": 1}
        tuned = json.loads((model_dir / "2" / "config.json").read_text())["metadata"]["fine_tuning"]
        assert tuned["from_version"] == 1 and tuned["reviewed_volumes"] == parts[False] and tuned["epochs"] == 1
        # The candidate serves: a segmentation by version 2 succeeds.
        volume = pairs[0][0]
        submitted = requests.post(f"{server.url}/predict/mri_segmentation", files={"file": (volume.name, volume.read_bytes())},
                                  data={"model": "mri_segmenter@2"}, headers=server.headers())
        assert submitted.status_code == 202, submitted.text
    finally:
        server.stop()
