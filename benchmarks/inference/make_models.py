#!/usr/bin/python3
"""The benchmark's models, written as a Kiln model repository (same files for every server).

    /usr/bin/python3 benchmarks/inference/make_models.py OUT_DIR

- cnn: a ResNet-18-style CNN (BasicBlocks 2-2-2-2, 64→512 channels) on 1×1×224×224, 3 classes
- mlp: 30 features → 256 → 256 → 2
- xgb: 200 trees of depth 6, binary classifier on 30 features (synthetic data)
Untrained weights (seed 0): the benchmark measures serving, not accuracy.
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch
import xgboost


class Block(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride, bias=False), torch.nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        identity = x if self.down is None else self.down(x)
        return torch.relu(y + identity)


class ResNet18(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False), torch.nn.BatchNorm2d(64),
                                        torch.nn.ReLU(), torch.nn.MaxPool2d(3, 2, 1))
        layers = []
        cin = 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
            cin = cout
        self.layers = torch.nn.Sequential(*layers)
        self.head = torch.nn.Linear(512, 3)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return torch.softmax(self.head(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1)), dim=1)


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(30, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                                       torch.nn.ReLU(), torch.nn.Linear(256, 2))

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


def write_config(folder, config):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2))


def main():
    out = Path(sys.argv[1])
    torch.manual_seed(0)
    for name, module, shape, batch, delay in [("cnn", ResNet18(), [-1, 1, 224, 224], 8, 2000), ("mlp", MLP(), [-1, 30], 64, 500)]:
        module.eval()
        (out / name / "1").mkdir(parents=True, exist_ok=True)
        torch.jit.script(module).save(str(out / name / "1" / "model.pt"))
        outputs = 3 if name == "cnn" else 2
        write_config(out / name, {
            "platform": "pytorch_libtorch",
            "inputs": [{"name": "input", "datatype": "FP32", "shape": shape}],
            "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, outputs]}],
            "max_batch_size": batch, "dynamic_batching": {"max_queue_delay_us": delay},
            "metadata": {"demo": True, "description": "benchmark model, untrained"},
        })
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 30)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] - x[:, 3] + rng.normal(scale=0.5, size=20000) > 0).astype(np.float32)
    booster = xgboost.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "seed": 0, "nthread": 2},
                            xgboost.DMatrix(x, label=y), num_boost_round=200)
    (out / "xgb" / "1").mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / "xgb" / "1" / "model.json"))
    write_config(out / "xgb", {
        "platform": "xgboost",
        "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 30]}],
        "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1]}],
        "max_batch_size": 256, "dynamic_batching": {"max_queue_delay_us": 500},
    })


if __name__ == "__main__":
    main()
