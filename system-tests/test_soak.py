"""Soak in the suite (issue 26): two minutes of the mixed load of benchmarks/soak (inference on
three models, uploads, async jobs followed over WebSocket, tracking writes). After a 40 s warm-up
the server's RSS stays within ±5%, its open descriptors and threads stay flat, and no answer
is a 5xx (or wrong). The 30-minute run is `benchmarks/soak/run.py`."""

import shutil
import sys
from pathlib import Path

from kiln_process import KilnProcess

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "soak"))
from soak_load import Soak, print_window, verdict  # noqa: E402

MODELS = ("tabular_mlp", "ctr_xgboost", "untrained_ct_cnn")


def test_two_minutes_of_mixed_load_leave_the_server_flat(tmp_path):
    data = tmp_path / "data"
    for model in MODELS:
        shutil.copytree(ROOT / "examples" / "models" / model, data / "models" / model)
    server = KilnProcess(data).start()
    try:
        soak = Soak(server.url, server.admin_key, server.proc.pid, window_seconds=20)
        soak.run(120, on_window=print_window)
        result = verdict(soak.windows[:-1], warmup=2)  # the last window is cut short
        print(result)
        assert result["server_errors"] == 0 and not result["errors"], result["errors"]
        assert result["windows_measured"] >= 3
        assert result["rss_drift"] <= 0.05, result["rss_mib"]
        assert result["fd_drift"] <= 8 and result["thread_drift"] <= 2, result
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_websocket_connections_leave_no_memory_behind(tmp_path):
    """Each `/ws/jobs/{id}` connection used to keep about 1.1 KB (a reference cycle in
    hummingbird-websocket's router upgrade, broken by `releaseWebSocketHandler`): 4,000 more
    connections grew the heap in use by ~4.4 MiB. Now, after a warm-up of 10,000 (the heap settles
    over the first ~6,000: 55.8 → 58.5 MiB, then flat within 0.5 MiB to 24,000), 8,000 more must
    keep under 3 MiB (0.4 KB each; ~8.6 MiB with the cycle back). 4,000 under 2 MiB left too
    little room: one full-suite run read 2.2 MiB without any leak."""
    import json
    import time

    import requests
    import websocket

    data = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "models" / "tabular_mlp", data / "models" / "tabular_mlp")
    server = KilnProcess(data).start()
    try:
        body = {"inputs": [{"name": "features", "shape": [4, 30], "datatype": "FP32", "data": [0.25] * 120}]}
        job = requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async", json=body, headers=server.headers()).json()["job_id"]
        deadline = time.monotonic() + 30
        while requests.get(f"{server.url}/v1/jobs/{job}", headers=server.headers()).json()["state"] != "succeeded":
            assert time.monotonic() < deadline, "the job did not finish"
            time.sleep(0.05)

        def follow(times):
            for _ in range(times):
                ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws/jobs/{job}",
                                                 header=[f"Authorization: Bearer {server.admin_key}"], timeout=10)
                while json.loads(ws.recv()).get("state") != "succeeded":
                    pass
                ws.close()

        def heap_kib():
            """kiln_process_heap_in_use_bytes (the RSS also holds freed memory the allocator
            keeps), read after a pause: the last connections' teardown holds their buffers
            (read at once, 2.2 MiB instead of 1.0 MiB in one run)."""
            time.sleep(1.5)
            for line in requests.get(f"{server.url}/metrics").text.splitlines():
                if line.startswith("kiln_process_heap_in_use_bytes "):
                    return float(line.split()[1]) / 1024

        follow(10000)
        before = heap_kib()
        follow(8000)
        grown = heap_kib() - before
        print(f"heap after 10,000 warm-up WebSocket connections: {before} KiB; 8,000 more grew it by {grown:.0f} KiB")
        assert grown < 3072, f"8,000 WebSocket connections kept {grown:.0f} KiB"
    finally:
        server.stop()
