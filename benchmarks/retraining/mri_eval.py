"""Closed-loop evaluation of the MRI segmenter (issue 18): do 10 corrected masks fix a shift?

`kiln datagen mri-volumes --tumours hypointense` makes head volumes whose tumours are darker than grey
matter and do not enhance (the demo segmenter learned bright, enhancing tumours, half with a dark core).
The serving demo segmenter (examples/models/pretrained_mri_unet, v1) segments REVIEWS of them through
POST /predict/mri_segmentation; this script plays the radiologist and uploads each volume's true mask as
a `correct_mask` review, starts POST /v1/retraining, waits, and prints the job's figures: serving vs
candidate Dice on the held-out reviewed volumes (the fixed evaluation split) and on the demo's original
held-out volumes, with 95 % paired-bootstrap intervals, and whether it was promoted. It then segments
further shifted volumes the candidate never saw (another seed) with both versions and prints their Dice.

Usage: python benchmarks/retraining/mri_eval.py [--kiln .build/release/kiln] [--reviews 10] [--unseen 16]
"""

import argparse
import csv
import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nibabel
import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from kiln_process import KilnProcess  # noqa: E402
from shift_eval import retrain, show  # noqa: E402


def volumes(kiln, out, count, seed):
    subprocess.run([kiln, "datagen", "mri-volumes", "--tumours", "hypointense", "--count", str(count), "--seed", str(seed),
                    "--out", str(out)], check=True, capture_output=True)
    with open(out / "labels.csv") as handle:
        return [(out / row["file"], out / row["mask"]) for row in csv.DictReader(handle)]


def segment(server, path, model=None):
    data = {"model": model} if model else {}
    with open(path, "rb") as handle:
        answer = requests.post(f"{server.url}/predict/mri_segmentation", files={"file": (path.name, handle)}, data=data,
                               headers=server.headers())
    assert answer.status_code == 202, answer.text
    status_url = server.url + answer.json()["status_url"]
    while True:
        state = requests.get(status_url, headers=server.headers()).json()
        if state["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.2)
    assert state["status"] == "succeeded", state
    mask = requests.get(server.url + state["result"]["mask_url"], headers=server.headers())
    mask.raise_for_status()
    return state["result"], np.asarray(nibabel.Nifti1Image.from_bytes(gzip.decompress(mask.content)).dataobj) > 0


def dice(predicted, truth):
    total = predicted.sum() + truth.sum()
    return 1.0 if total == 0 else 2.0 * np.logical_and(predicted, truth).sum() / total


def true_mask(path):
    return np.asarray(nibabel.load(str(path)).dataobj) > 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiln", default=str(ROOT / ".build" / "release" / "kiln"))
    parser.add_argument("--reviews", type=int, default=10)
    parser.add_argument("--unseen", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    import kiln_process
    kiln_process.KILN_BIN = args.kiln
    work = Path(tempfile.mkdtemp(prefix="kiln-mri-retraining-"))
    data_dir = work / "data"
    shutil.copytree(ROOT / "examples" / "models" / "pretrained_mri_unet", data_dir / "models" / "mri_segmenter")
    reviewed = volumes(args.kiln, work / "shifted", args.reviews, seed=7001)
    unseen = volumes(args.kiln, work / "unseen", args.unseen, seed=7002)
    server = KilnProcess(data_dir).start(timeout=120)
    try:
        requests.post(f"{server.url}/v1/models/mri_segmenter/aliases", json={"alias": "production", "version": 1},
                      headers=server.headers()).raise_for_status()
        served = []
        for volume, mask in reviewed:
            result, predicted = segment(server, volume)
            served.append(dice(predicted, true_mask(mask)))
            with open(mask, "rb") as handle:
                review = requests.post(f"{server.url}/predict/{result['prediction_id']}/review",
                                       files={"file": (mask.name, handle)}, data={"decision": "correct_mask"}, headers=server.headers())
            assert review.status_code == 201, review.text
        print(f"serving v1 on the {len(reviewed)} reviewed hypointense volumes (seed 7001): mean Dice {np.mean(served):.4f}")

        options = {"epochs": args.epochs} if args.epochs else {}
        result, seconds = retrain(server, "mri_segmenter", policy={"min_evaluation_cases": 2}, options=options)
        show(f"MRI, {len(reviewed)} corrected masks of hypointense tumours", result, seconds)
        candidate = result["candidate_version"]

        scores = {1: [], candidate: []}
        for volume, mask in unseen:
            truth = true_mask(mask)
            for version in scores:
                scores[version].append(dice(segment(server, volume, f"mri_segmenter@{version}")[1], truth))
        print(f"  {len(unseen)} unseen hypointense volumes (seed 7002): v1 mean Dice {np.mean(scores[1]):.4f}, "
              f"v{candidate} {np.mean(scores[candidate]):.4f}")
    finally:
        server.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
