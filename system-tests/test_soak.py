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
