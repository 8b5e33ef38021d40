"""MRI segmentation end to end on a 128³ volume (issue 6 goal: ≤ 10 s), release build, against
the same pipeline written the Python way with the same model file, in the same run.

Kiln: POST /predict/mri_segmentation → job → GET /predict/task_status until it has succeeded
(NIfTI decode → quantile normalisation → trilinear resampling to 64³ → 3-D U-Net → back to 128³
→ threshold → speck removal → mask .nii.gz + preview PNG stored), timed from submit to success,
polling every 10 ms.
Python, in process (no HTTP, no job store, no preview — in its favour): nibabel → numpy
quantiles → torch.nn.functional.interpolate (trilinear) → the same TorchScript file on Debian's
python3-torch → interpolate back → threshold → nibabel .nii.gz. Both use 2 torch threads.
Uses the demo model copied in examples/models/pretrained_mri_unet (served as mri_segmenter).
Prints p50 of each and the ratio.
"""

import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nibabel
import numpy as np
import requests
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
os.environ.setdefault("KILN_BIN", str(ROOT / ".build" / "release" / "kiln"))
from kiln_process import KilnProcess  # noqa: E402

RUNS = 8
SHAPE = (128, 128, 128)


def synthetic_volume(path: Path):
    """A head-like ellipsoid (scalp, skull, grey and white matter) with a bright 29.6 ml sphere, int16, 1.5 mm voxels."""
    grid = np.stack(np.meshgrid(*[(np.arange(n) + 0.5) / n for n in SHAPE], indexing="ij"))
    head = (((grid - 0.5) / np.array([0.4, 0.44, 0.4])[:, None, None, None]) ** 2).sum(axis=0)
    volume = np.select([head > 1, head > 0.92, head > 0.8, head > 0.62], [20.0, 900.0, 80.0, 450.0], 680.0)
    volume[(((grid - np.array([0.6, 0.45, 0.5])[:, None, None, None]) / 0.1) ** 2).sum(axis=0) <= 1] = 950
    volume += np.random.default_rng(0).normal(0, 40, SHAPE)
    nibabel.save(nibabel.Nifti1Image(volume.astype(np.int16), np.diag([1.5, 1.5, 1.5, 1])), str(path))


def python_pipeline(module, path: Path, out: Path):
    image = nibabel.load(str(path))
    data = np.asarray(image.dataobj, dtype=np.float32)
    sample = np.sort(data.ravel()[:: max(1, data.size // 200_000)])
    lo, hi = sample[int((sample.size - 1) * 0.01)], sample[int((sample.size - 1) * 0.995)]
    x = torch.from_numpy(np.clip((data - lo) / (hi - lo), 0, 1).transpose(2, 1, 0).copy())[None, None]
    x = torch.nn.functional.interpolate(x, size=(64, 64, 64), mode="trilinear", align_corners=False)
    with torch.no_grad():
        probability = module(x)
    probability = torch.nn.functional.interpolate(probability, size=data.shape[::-1], mode="trilinear", align_corners=False)
    mask = (probability[0, 0].numpy().transpose(2, 1, 0) >= 0.5).astype(np.uint8)
    nibabel.save(nibabel.Nifti1Image(mask, image.affine, image.header), str(out))
    return mask


work = Path(tempfile.mkdtemp(prefix="kiln-bench-mri-"))
volume_path = work / "volume128.nii"
synthetic_volume(volume_path)
shutil.copytree(ROOT / "examples" / "models" / "pretrained_mri_unet", work / "data" / "models" / "mri_segmenter")
model_file = work / "data" / "models" / "mri_segmenter" / "1" / "model.pt"

server = KilnProcess(work / "data", extra_args=["--rate-limit", "0", "--access-log", "false", "--engine-threads", "2"]).start()
try:
    session, headers = requests.Session(), server.headers()
    body = volume_path.read_bytes()
    kiln_times, stages, tumour_ml = [], None, None
    for index in range(RUNS + 1):
        start = time.perf_counter()
        submitted = session.post(f"{server.url}/predict/mri_segmentation", files={"file": ("volume128.nii", body)},
                                 data={"model": "mri_segmenter@1"}, headers=headers)
        submitted.raise_for_status()
        while True:
            state = session.get(server.url + submitted.json()["status_url"], headers=headers).json()
            if state["status"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        assert state["status"] == "succeeded", state
        if index >= 1:
            kiln_times.append(elapsed)
        stages = state["result"]["processing_time_ms"]
        tumour_ml = state["result"]["labels"][1]["volume_ml"]
finally:
    server.stop()

torch.set_num_threads(2)
module = torch.jit.load(str(model_file)).eval()
python_times = []
for index in range(RUNS + 1):
    start = time.perf_counter()
    mask = python_pipeline(module, volume_path, work / "mask.nii.gz")
    if index >= 1:
        python_times.append(time.perf_counter() - start)

kiln_p50, python_p50 = statistics.median(kiln_times), statistics.median(python_times)
print(f"128³ int16 volume ({len(body) / 1e6:.1f} MB), {RUNS} runs after 1 warm-up, 2 torch threads")
print(f"  Kiln job, submit → succeeded: p50 {kiln_p50:6.2f} s  max {max(kiln_times):6.2f} s   (job stages, ms: {stages}; tumour {tumour_ml} ml)")
print(f"  Python in process:            p50 {python_p50:6.2f} s  max {max(python_times):6.2f} s   (nibabel + numpy + torch {torch.__version__}; tumour {mask.sum() * 1.5 ** 3 / 1000:.3f} ml)")
print(f"  ratio (Python p50 / Kiln p50): {python_p50 / kiln_p50:.2f}×   goal: Kiln ≤ 10 s")
