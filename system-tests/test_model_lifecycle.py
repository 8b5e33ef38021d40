"""Load/unload really frees memory; lazy loading; the memory budget refuses what cannot fit."""

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import requests
import torch
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


class Spin(torch.nn.Module):
    """Busy for `steps` interpreter iterations, so that a request can hold the model."""

    def forward(self, x: torch.Tensor, steps: torch.Tensor):
        y = x
        for _ in range(int(steps[0])):
            y = torch.sin(y)
        return y


def spin_steps_for(seconds):
    module = torch.jit.script(Spin())
    x, steps = torch.zeros(4), 20_000
    started = time.perf_counter()
    module(x, torch.tensor([steps]))
    return max(steps, int(steps * seconds / (time.perf_counter() - started)))


def pending(server, model):
    """kiln_model_pending_requests for `model`, from /metrics."""
    for line in requests.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith("kiln_model_pending_requests{") and f'model="{model}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_the_memory_budget_unloads_the_least_recently_used_idle_model_never_a_busy_one(tmp_path):
    """Three models of 64 MiB each (the artifact's size counts, padded with an extra file that
    libtorch never reads) and a budget of 176 MiB: two fit, a third unloads one of them."""
    padding = 64 << 20
    for name in ("a", "b", "c"):
        (tmp_path / "data" / "models" / name / "1").mkdir(parents=True)
        torch.jit.save(torch.jit.script(Spin()), str(tmp_path / "data" / "models" / name / "1" / "model.pt"),
                       _extra_files={"padding": bytes(padding)})
        (tmp_path / "data" / "models" / name / "config.json").write_text(json.dumps({
            "platform": "pytorch_libtorch", "max_batch_size": 0,
            "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1]}, {"name": "steps", "datatype": "INT64", "shape": [1]}],
            "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1]}]}))
    server = KilnProcess(tmp_path / "data", extra_args=["--lazy-load", "--model-memory-budget", "176MiB"]).start()
    headers = {"Authorization": f"Bearer {server.admin_key}"}

    def infer(model, steps=1):
        body = {"inputs": [{"name": "x", "datatype": "FP32", "shape": [4], "data": [0.5] * 4},
                           {"name": "steps", "datatype": "INT64", "shape": [1], "data": [steps]}]}
        return requests.post(f"{server.url}/v2/models/{model}/infer", json=body, headers=headers, timeout=60)

    def loaded():
        models = requests.get(f"{server.url}/v1/models", headers=headers).json()["models"]
        return {m["name"]: m for m in models if m["state"] == "READY"}

    try:
        assert infer("a").status_code == 200 and infer("b").status_code == 200
        resident = loaded()
        assert set(resident) == {"a", "b"}
        for model in resident.values():
            estimate = model["versions"][0]["memory_bytes"]
            assert padding <= estimate <= 88 << 20, f"{model['name']}: memory_bytes {estimate}; the budget arithmetic needs 64–88 MiB"
        # a used after b: b is the least recently used and goes when c loads.
        assert infer("a").status_code == 200
        assert infer("c").status_code == 200
        assert set(loaded()) == {"a", "c"}

        # a busy (a request running for ~3 s) and then c used: a is now the least recently
        # used, but busy, so loading b unloads c instead, and a's request completes.
        with ThreadPoolExecutor(1) as pool:
            long_request = pool.submit(infer, "a", spin_steps_for(3.0))
            deadline = time.monotonic() + 10
            while pending(server, "a") < 1:
                assert time.monotonic() < deadline, "a's long request never became pending"
                time.sleep(0.02)
            assert infer("c").status_code == 200
            assert infer("b").status_code == 200
            assert pending(server, "a") >= 1, "a's request ended before b loaded; the test proved nothing"
            assert set(loaded()) == {"a", "b"}
            answer = long_request.result(timeout=60)
        assert answer.status_code == 200, answer.text
    finally:
        server.stop()
