"""Soak (issue 26): the mixed load of soak_load.py against a release `kiln serve` for 30 minutes,
printed per 5-minute window (latency percentiles per stream, RSS, open descriptors, threads,
errors), then the verdict against the goals: RSS within ±5% of the first window after the
warm-up window, descriptors and threads flat, zero 5xx.

Usage: .venv/bin/python benchmarks/soak/run.py [--bin .build/release/kiln] [--minutes 30] [--window 300]
"""

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
sys.path.insert(0, str(ROOT / "benchmarks" / "soak"))
import kiln_process  # noqa: E402
from soak_load import Soak, print_window, verdict  # noqa: E402

MODELS = ("tabular_mlp", "ctr_xgboost", "untrained_ct_cnn")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "kiln"))
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--window", type=float, default=300, help="seconds per reported window")
    parser.add_argument("--only", default=",".join(Soak.STREAMS), help=f"comma-separated streams of {','.join(Soak.STREAMS)}")
    args = parser.parse_args()
    kiln_process.KILN_BIN = args.bin
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data"
        for model in MODELS:
            shutil.copytree(ROOT / "examples" / "models" / model, data / "models" / model)
        server = kiln_process.KilnProcess(data).start()
        try:
            soak = Soak(server.url, server.admin_key, server.proc.pid, window_seconds=args.window)
            print(f"soak: {args.minutes} min against {args.bin}, windows of {args.window:.0f} s (the first is the warm-up)")
            soak.run(args.minutes * 60, on_window=print_window, only=args.only.split(","))
            result = verdict(soak.windows[:-1], warmup=1)
            alive = server.proc.poll() is None
        finally:
            server.stop()
    print(json.dumps(result, indent=2))
    goals = {
        "rss within ±5%": result["rss_drift"] <= 0.05,
        "descriptors flat (±8)": result["fd_drift"] <= 8,
        "threads flat (±2)": result["thread_drift"] <= 2,
        "zero 5xx": result["server_errors"] == 0,
        "no wrong answers": not result["errors"],
        "server alive": alive,
    }
    for goal, met in goals.items():
        print(f"{'met' if met else 'MISSED'}: {goal}")
    sys.exit(0 if all(goals.values()) else 1)


if __name__ == "__main__":
    main()
