"""Load/unload really frees memory; lazy loading; the memory budget refuses what cannot fit."""

import shutil
from pathlib import Path

import numpy as np
import requests
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

from kiln_process import KilnProcess

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "models"


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def start(tmp_path, *args, models=("tabular_mlp",)):
    for name in models:
        shutil.copytree(EXAMPLES / name, tmp_path / "data" / "models" / name)
    return KilnProcess(tmp_path / "data", extra_args=list(args)).start()


def test_200_load_infer_unload_cycles_do_not_grow_memory(tmp_path):
    server = start(tmp_path, "--load-models", "none")
    try:
        client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
        headers = {"Authorization": f"Bearer {server.admin_key}"}
        x = np.ones((4, 30), dtype=np.float32)
        samples = {}
        for cycle in range(1, 201):
            client.load_model("tabular_mlp", headers=dict(headers))
            inp = triton.InferInput("features", [4, 30], "FP32")
            inp.set_data_from_numpy(x)
            assert client.infer("tabular_mlp", [inp], headers=dict(headers)).as_numpy("probabilities").shape == (4, 2)
            client.unload_model("tabular_mlp", headers=dict(headers))
            if cycle in (10, 100, 200):
                samples[cycle] = rss_kib(server.proc.pid)
        print(f"RSS after cycle 10/100/200: {samples[10]}/{samples[100]}/{samples[200]} KiB")
        assert samples[200] <= samples[10] * 1.05, samples
        threads = len(list(Path(f"/proc/{server.proc.pid}/task").iterdir()))
        assert threads < 40, f"{threads} threads: compute threads of unloaded models leak"
    finally:
        server.stop()


def test_lazy_load_on_first_request(tmp_path):
    server = start(tmp_path, "--lazy-load")
    try:
        client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
        headers = {"Authorization": f"Bearer {server.admin_key}"}
        assert not client.is_model_ready("tabular_mlp", headers=dict(headers))
        inp = triton.InferInput("features", [1, 30], "FP32")
        inp.set_data_from_numpy(np.zeros((1, 30), dtype=np.float32))
        assert client.infer("tabular_mlp", [inp], headers=dict(headers)).as_numpy("probabilities").shape == (1, 2)
        assert client.is_model_ready("tabular_mlp", headers=dict(headers))
        missing = requests.post(f"{server.url}/v2/models/nope/infer", json={"inputs": []}, headers=headers)
        assert missing.status_code == 404
    finally:
        server.stop()


def test_a_model_that_cannot_fit_the_budget_is_refused(tmp_path):
    server = start(tmp_path, "--lazy-load", "--model-memory-budget", "1")
    try:
        client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
        inp = triton.InferInput("features", [1, 30], "FP32")
        inp.set_data_from_numpy(np.zeros((1, 30), dtype=np.float32))
        try:
            client.infer("tabular_mlp", [inp], headers={"Authorization": f"Bearer {server.admin_key}"})
            raise AssertionError("expected 503")
        except InferenceServerException as error:
            assert error.status() == "503" and "budget" in error.message()
        assert requests.get(server.url + "/ready").status_code == 200
    finally:
        server.stop()
