#!/usr/bin/python3
"""Creates Kiln's demo models, reproducibly, with Debian's python3-torch and python3-xgboost.

    /usr/bin/python3 scripts/make-example-models.py [--out examples/models]

Every model is a DEMO: trained for seconds on synthetic data, to show the serving path, not
to be used for decisions. Each model folder gets `config.json`, `1/<artifact>` and
`sample.json` (an input and the output this script computed for it, which Kiln's tests use
to check that Kiln's engines give the same numbers).

Example names must differ from the apps' demo model names (`ct_classifier`, `mri_segmenter`,
`biomarker_classifier`, trained by `make serve` only where that folder is missing), or copying
the examples into a model repository stops the demo from being trained
(system-tests/test_example_models.py checks this).
"""

import argparse
import json
from pathlib import Path

import numpy as np
import torch
import xgboost


def write(folder: Path, config: dict, sample: dict):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (folder / "sample.json").write_text(json.dumps(sample) + "\n")


def tensor_json(name, array):
    dtype = {np.float32: "FP32", np.int64: "INT64", np.float64: "FP64"}[array.dtype.type]
    return {"name": name, "datatype": dtype, "shape": list(array.shape), "data": array.reshape(-1).tolist()}


class TabularMLP(torch.nn.Module):
    """30 features → class probabilities."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(30, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))

    def forward(self, features):
        return torch.softmax(self.layers(features), dim=1)


class SmallCTNet(torch.nn.Module):
    """A small CNN on one-channel 64×64 slices → 3 classes (normal / benign / malignant)."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1))
        self.head = torch.nn.Linear(16, 3)

    def forward(self, image):
        return torch.softmax(self.head(self.features(image).flatten(1)), dim=1)


class TwoInTwoOut(torch.nn.Module):
    """Two inputs, two outputs: (a + b, a * b) and the row sums of a, as INT64."""

    def forward(self, a, b):
        return a + b * 2.0, a.sum(dim=1, keepdim=True).to(torch.int64)


def make_torch(folder: Path, module, config, inputs):
    torch.manual_seed(0)
    module.eval()
    scripted = torch.jit.script(module)
    (folder / "1").mkdir(parents=True, exist_ok=True)
    scripted.save(str(folder / "1" / "model.pt"))
    with torch.no_grad():
        outputs = scripted(*[torch.from_numpy(x) for x in inputs])
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs,)
    sample = {
        "inputs": [tensor_json(spec["name"], x) for spec, x in zip(config["inputs"], inputs)],
        "outputs": [tensor_json(spec["name"], y.numpy()) for spec, y in zip(config["outputs"], outputs)],
    }
    write(folder, config, sample)


def make_xgboost(folder: Path, trees: int, depth: int):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 30)).astype(np.float32)
    logits = x[:, 0] * 1.5 - x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + rng.normal(scale=0.5, size=4000)
    y = (logits > 0).astype(np.float32)
    booster = xgboost.train(
        {"objective": "binary:logistic", "max_depth": depth, "eta": 0.1, "seed": 0, "nthread": 1,
         "tree_method": "hist"},
        xgboost.DMatrix(x, label=y), num_boost_round=trees)
    (folder / "1").mkdir(parents=True, exist_ok=True)
    booster.save_model(str(folder / "1" / "model.json"))
    sample_x = rng.normal(size=(4, 30)).astype(np.float32)
    probabilities = booster.inplace_predict(sample_x).astype(np.float32)
    config = {
        "platform": "xgboost",
        "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 30]}],
        "outputs": [{"name": "probability", "datatype": "FP32", "shape": [-1]}],
        "max_batch_size": 256,
        "dynamic_batching": {"max_queue_delay_us": 200},
        "metadata": {"demo": True, "description": f"DEMO click-through classifier, {trees} trees of depth {depth}, synthetic data"},
    }
    write(folder, config, {"inputs": [tensor_json("features", sample_x)], "outputs": [tensor_json("probability", probabilities)]})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "examples" / "models"))
    args = parser.parse_args()
    out = Path(args.out)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(1)

    make_torch(out / "tabular_mlp", TabularMLP(), {
        "platform": "pytorch_libtorch",
        "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 30]}],
        "outputs": [{"name": "probabilities", "datatype": "FP32", "shape": [-1, 2]}],
        "max_batch_size": 64,
        "dynamic_batching": {"max_queue_delay_us": 200},
        "labels": ["no_click", "click"],
        "metadata": {"demo": True, "description": "DEMO MLP on 30 features, untrained weights (seed 0)"},
    }, [rng.normal(size=(3, 30)).astype(np.float32)])

    make_torch(out / "untrained_ct_cnn", SmallCTNet(), {
        "platform": "pytorch_libtorch",
        "inputs": [{"name": "image", "datatype": "FP32", "shape": [-1, 1, 64, 64]}],
        "outputs": [{"name": "probabilities", "datatype": "FP32", "shape": [-1, 3]}],
        "max_batch_size": 8,
        "dynamic_batching": {"max_queue_delay_us": 500},
        "warmup": [{"inputs": [{"name": "image", "shape": [1, 1, 64, 64], "zero_data": True}]}],
        "labels": ["normal", "benign", "malignant"],
        "metadata": {"demo": True, "description": "DEMO CNN on 64×64 slices, untrained weights (seed 0)"},
    }, [rng.normal(size=(1, 1, 64, 64)).astype(np.float32)])

    make_torch(out / "two_io", TwoInTwoOut(), {
        "platform": "pytorch_libtorch",
        "inputs": [{"name": "a", "datatype": "FP32", "shape": [-1, 4]}, {"name": "b", "datatype": "FP32", "shape": [-1, 4]}],
        "outputs": [{"name": "combined", "datatype": "FP32", "shape": [-1, 4]}, {"name": "row_sum", "datatype": "INT64", "shape": [-1, 1]}],
        "max_batch_size": 16,
        "metadata": {"demo": True, "description": "Two inputs and two outputs, for protocol tests"},
    }, [rng.normal(size=(2, 4)).astype(np.float32), rng.normal(size=(2, 4)).astype(np.float32)])

    make_xgboost(out / "ctr_xgboost", trees=50, depth=4)


if __name__ == "__main__":
    main()
