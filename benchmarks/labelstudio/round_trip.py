"""Label Studio round trip (issue 18) through a real Label Studio (PyPI `label-studio` 1.23.2), started
on loopback by this script: Kiln's review tasks are exported, imported into a Label Studio project with
Kiln's labeling config (each prediction as a pre-annotation), annotated through Label Studio's API
(this script plays the annotator with the true labels), exported with Label Studio's own JSON export
and imported back into Kiln as reviews. Checked for the CT classifier (images as data URIs) and the
biomarker model (features as text). Too heavy for the default suite (Label Studio and its Django stack
install in about a minute and its first start migrates a database for minutes), hence a script here.

Usage: benchmarks/labelstudio/run.sh [--kiln .build/release/kiln]   (makes its own venv with label-studio)
"""

import argparse
import csv
import os
import secrets
import shutil
import socket
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabelStudio:
    """A Label Studio server on loopback with one user whose legacy API token this script chose."""

    def __init__(self, binary, work):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(20)
        self.email = "annotator@example.org"
        self.log = open(work / "label-studio.log", "w")
        self.process = subprocess.Popen(
            [binary, "start", "--no-browser", "--data-dir", str(work / "label-studio"), "--port", str(self.port),
             "--internal-host", "127.0.0.1", "--username", self.email, "--password", secrets.token_hex(8),
             "--user-token", self.token, "--enable-legacy-api-token"],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true"})
        started = time.monotonic()
        while True:
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() - started > 900:
                raise SystemExit(f"Label Studio did not start; see {self.log.name}")
            time.sleep(2)
        self.startup = time.monotonic() - started

    def call(self, method, path, **kwargs):
        answer = requests.request(method, self.url + path, headers={"Authorization": f"Token {self.token}"}, timeout=120, **kwargs)
        assert answer.ok, (method, path, answer.status_code, answer.text[:500])
        return answer.json() if answer.content else None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def round_trip(kiln, studio, model, truth):
    """Kiln tasks → a Label Studio project → annotations with `truth[prediction_id]` → export → Kiln."""
    config = requests.get(f"{kiln.url}/v1/feedback/label-studio/config", params={"model": model}, headers=kiln.headers())
    config.raise_for_status()
    tasks = requests.get(f"{kiln.url}/v1/feedback/label-studio/tasks", params={"model": model, "unreviewed": "true"},
                         headers=kiln.headers()).json()
    project = studio.call("POST", "/api/projects", json={"title": f"Kiln {model}", "label_config": config.text})
    imported = studio.call("POST", f"/api/projects/{project['id']}/import", json=tasks)
    assert imported["task_count"] == len(tasks), imported
    listed = studio.call("GET", "/api/tasks", params={"project": project["id"], "page_size": 1000, "fields": "all"})
    studio_tasks = listed["tasks"] if isinstance(listed, dict) else listed
    assert len(studio_tasks) == len(tasks), len(studio_tasks)
    from_name = "label"
    to_name = "features" if model == "biomarker_classifier" else "image"
    agree = 0
    for task in studio_tasks:
        prediction_id = task["data"]["kiln_prediction_id"]
        pre = task["predictions"]
        assert len(pre) == 1 and pre[0]["result"][0]["value"]["choices"], task
        predicted = pre[0]["result"][0]["value"]["choices"][0]
        agree += predicted == truth[prediction_id]
        studio.call("POST", f"/api/tasks/{task['id']}/annotations", json={
            "result": [{"from_name": pre[0]["result"][0]["from_name"] or from_name, "to_name": to_name, "type": "choices",
                        "value": {"choices": [truth[prediction_id]]}}]})
    export = studio.call("GET", f"/api/projects/{project['id']}/export", params={"exportType": "JSON", "download_all_tasks": "true"})
    assert len(export) == len(tasks)
    first = requests.post(f"{kiln.url}/v1/feedback/label-studio/import", json=export, headers=kiln.headers())
    assert first.status_code == 200, first.text
    first = first.json()
    again = requests.post(f"{kiln.url}/v1/feedback/label-studio/import", json=export, headers=kiln.headers()).json()
    reviews = {r["prediction_id"]: r for r in first["reviews"]}
    wrong = [pid for pid, label in truth.items() if pid in reviews and reviews[pid]["label"] != label]
    print(f"\n== {model}: {len(tasks)} tasks ==")
    print(f"  Label Studio project {project['id']}: {imported['task_count']} tasks imported, {sum(len(t['predictions']) for t in studio_tasks)} "
          f"pre-annotations, {len(studio_tasks)} annotations made; the model's pre-annotation agreed with the annotator on {agree}")
    print(f"  Kiln import of Label Studio's export: {first['imported']} reviews "
          f"({sum(r['decision'] == 'confirm' for r in first['reviews'])} confirm, {sum(r['decision'] == 'correct' for r in first['reviews'])} correct), "
          f"{len(first['skipped'])} skipped, reviewer {sorted({r['reviewer'] for r in first['reviews']})}")
    print(f"  labels that differ from the annotator's: {len(wrong)}; the same export imported again: {again['imported']} new, {again['unchanged']} unchanged")
    ok = first["imported"] == len(tasks) and not wrong and not first["skipped"] and again["imported"] == 0
    print("  round trip:", "OK" if ok else "FAILED")
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiln", default=str(ROOT / ".build" / "release" / "kiln"))
    parser.add_argument("--label-studio", default=shutil.which("label-studio") or "label-studio")
    parser.add_argument("--cases", type=int, default=12)
    args = parser.parse_args()
    import kiln_process
    kiln_process.KILN_BIN = args.kiln
    work = Path(tempfile.mkdtemp(prefix="kiln-label-studio-"))
    data_dir = work / "data"
    subprocess.run([args.kiln, "train", "imaging-demo", "--only", "ct", "--ct-slices", "200", "--ct-epochs", "2", "--data-dir", str(data_dir)],
                   check=True, capture_output=True)
    subprocess.run([args.kiln, "train", "imaging-demo", "--only", "biomarker", "--data-dir", str(data_dir), "--biomarker-data", str(BIOMARKER_CSV)],
                   check=True, capture_output=True)
    subprocess.run([args.kiln, "datagen", "ct-slices", "--lesions", "training", "--count", str(args.cases), "--seed", "77",
                    "--out", str(work / "slices")], check=True, capture_output=True)
    kiln = KilnProcess(data_dir).start(timeout=120)
    studio = None
    try:
        ct_truth, marker_truth = {}, {}
        with open(work / "slices" / "labels.csv") as handle:
            for row in csv.DictReader(handle):
                with open(work / "slices" / row["file"], "rb") as image:
                    answer = requests.post(f"{kiln.url}/predict/ct_classification", files={"file": (row["file"], image, "image/png")},
                                           data={"return_heatmap": "false"}, headers=kiln.headers())
                answer.raise_for_status()
                ct_truth[answer.json()["prediction_id"]] = row["label"]
        with open(BIOMARKER_CSV) as handle:
            rows = list(csv.DictReader(handle))[:args.cases]
        names = [name for name in rows[0] if name not in ("target", "diagnosis")]
        for row in rows:
            answer = requests.post(f"{kiln.url}/predict/biomarker_prediction", json={"features": {n: float(row[n]) for n in names}},
                                   headers=kiln.headers())
            answer.raise_for_status()
            marker_truth[answer.json()["prediction_id"]] = "benign" if row["target"] == "1" else "malignant"
        print(f"starting Label Studio ({args.label_studio}) ...")
        studio = LabelStudio(args.label_studio, work)
        version = requests.get(f"{studio.url}/api/version", timeout=10).json()
        print(f"Label Studio {version.get('release', version.get('label-studio-os-package', {}).get('version', '?'))} up after {studio.startup:.0f} s")
        ok = round_trip(kiln, studio, "ct_classifier", ct_truth) & round_trip(kiln, studio, "biomarker_classifier", marker_truth)
    finally:
        if studio:
            studio.stop()
        kiln.stop()
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
