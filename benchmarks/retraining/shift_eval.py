"""Closed-loop evaluation (issue 18): does retraining from reviews fix a shift, and does bad feedback get refused?

1. CT, shifted: `kiln datagen ct-slices --lesions small-faint` makes slices whose lesions are about half the
   radius and half the contrast of the demo's training lesions. The serving demo classifier (v1) is asked about
   REVIEWS of them through POST /predict/ct_classification; this script plays reviewer with the true labels
   (POST /predict/{id}/review: confirm or correct), starts POST /v1/retraining, waits, and prints the job's
   figures: serving vs candidate accuracy on the held-out reviewed slices (the fixed evaluation split, 30 %)
   and on the demo's original held-out set, with 95 % paired-bootstrap intervals, and whether it was promoted.
   It then asks the promoted model about 200 further shifted slices it never saw (another seed) and prints
   both versions' accuracy on them.
2. CT, random labels: the same from the same v1 (a copy of the data directory), but every "correction" is a
   coin flip: the candidate must be registered and not promoted, with the failed check named.
3. Biomarker, random labels: 200 biomarker predictions with coin-flip labels: not promoted.

Usage: python benchmarks/retraining/shift_eval.py [--kiln .build/release/kiln] [--reviews 200]
"""

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
from kiln_process import KilnProcess  # noqa: E402

BIOMARKER_CSV = ROOT / "examples" / "data" / "breast_cancer_with_header.csv"


def slices(kiln, out, count, seed):
    subprocess.run([kiln, "datagen", "ct-slices", "--lesions", "small-faint", "--count", str(count), "--seed", str(seed),
                    "--out", str(out)], check=True, capture_output=True)
    with open(out / "labels.csv") as handle:
        return [(out / row["file"], row["label"]) for row in csv.DictReader(handle)]


def classify(server, path, model=None):
    data = {"return_heatmap": "false"}
    if model:
        data["model"] = model
    with open(path, "rb") as handle:
        answer = requests.post(f"{server.url}/predict/ct_classification", files={"file": (path.name, handle, "image/png")},
                               data=data, headers=server.headers())
    answer.raise_for_status()
    return answer.json()


def review(server, prediction_id, predicted, label):
    body = {"decision": "confirm"} if label == predicted else {"decision": "correct", "label": label}
    requests.post(f"{server.url}/predict/{prediction_id}/review", json=body, headers=server.headers()).raise_for_status()


def retrain(server, model, evaluation_fraction=0.3, **request):
    """Starts a retraining (`request`: further fields of POST /v1/retraining) and waits for its result."""
    started = time.monotonic()
    answer = requests.post(f"{server.url}/v1/retraining", json={"model": model, "evaluation_fraction": evaluation_fraction, **request},
                           headers=server.headers())
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    while True:
        status = requests.get(f"{server.url}/v1/retraining/{job_id}", headers=server.headers()).json()
        if status["state"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(1)
    assert status["state"] == "succeeded", status
    return status["result"], time.monotonic() - started


def show(title, result, seconds):
    print(f"\n== {title} (retraining took {seconds:.0f} s) ==")
    for part in ("feedback", "original"):
        block = result["evaluation"][part]
        if not block:
            continue
        s, c, d = block["serving"], block["candidate"], block["difference"]
        print(f"  {part:9s} {block['metric']} on {block['cases']} cases: serving {s['value']:.4f} {s['ci95']}  "
              f"candidate {c['value']:.4f} {c['ci95']}  difference {d['value']:+.4f} {d['ci95']}")
    print(f"  candidate version {result['candidate_version']}, promoted: {result['promoted']}")
    for reason in result["decision"]["reasons"]:
        print(f"  not promoted because: {reason}")


def ct_run(kiln, data_dir, images, reviews, random_labels):
    server = KilnProcess(data_dir).start(timeout=120)
    try:
        rng = random.Random(7)
        for path, label in images[:reviews]:
            answer = classify(server, path)
            truth = rng.choice(["no_lesion", "lesion"]) if random_labels else label
            review(server, answer["prediction_id"], answer["prediction"], truth)
        result, seconds = retrain(server, "ct_classifier")
        return server, result, seconds
    except BaseException:
        server.stop()
        raise


def accuracy(server, images, model):
    right = sum(classify(server, path, model)["prediction"] == label for path, label in images)
    return right / len(images)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiln", default=str(ROOT / ".build" / "release" / "kiln"))
    parser.add_argument("--reviews", type=int, default=200)
    args = parser.parse_args()
    import kiln_process
    kiln_process.KILN_BIN = args.kiln
    work = Path(tempfile.mkdtemp(prefix="kiln-retraining-"))
    base = work / "base"
    print(f"training the demo CT classifier and biomarker model into {base} ...")
    for only in ("ct", "biomarker"):
        subprocess.run([args.kiln, "train", "imaging-demo", "--only", only, "--data-dir", str(base), "--biomarker-data", str(BIOMARKER_CSV)],
                       check=True, capture_output=True)
    shifted = slices(args.kiln, work / "shifted", args.reviews, seed=9001)
    unseen = slices(args.kiln, work / "unseen", 200, seed=9002)

    good = work / "good"
    shutil.copytree(base, good)
    server, result, seconds = ct_run(args.kiln, good, shifted, args.reviews, random_labels=False)
    try:
        show(f"CT, {args.reviews} reviewed small/faint-lesion slices, true labels", result, seconds)
        if result["promoted"]:
            serving = accuracy(server, unseen, "ct_classifier@1")
            candidate = accuracy(server, unseen, "ct_classifier@production")
            print(f"  200 unseen shifted slices (seed 9002): v1 accuracy {serving:.4f}, promoted v{result['candidate_version']} {candidate:.4f}")
    finally:
        server.stop()

    bad = work / "bad"
    shutil.copytree(base, bad)
    server, result, seconds = ct_run(args.kiln, bad, shifted, args.reviews, random_labels=True)
    server.stop()
    show(f"CT, {args.reviews} reviews with random labels", result, seconds)

    server = KilnProcess(work / "bad").start(timeout=120)
    try:
        rng = random.Random(11)
        with open(BIOMARKER_CSV) as handle:
            rows = list(csv.DictReader(handle))
        names = [name for name in rows[0] if name not in ("target", "diagnosis")]
        for row in rng.sample(rows, 200):
            answer = requests.post(f"{server.url}/predict/biomarker_prediction", json={"features": {n: float(row[n]) for n in names}},
                                   headers=server.headers()).json()
            review(server, answer["prediction_id"], answer["prediction"], rng.choice(["malignant", "benign"]))
        result, seconds = retrain(server, "biomarker_classifier")
        show("biomarker, 200 reviews with random labels", result, seconds)
    finally:
        server.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
