"""CTR app benchmarks (issue 7), Kiln against the Python way in the same run, on the same data:

1. upload + parse + validate a 60,000 × 119 CSV: `POST /api/upload` (end to end over HTTP) vs
   `pandas.read_csv` plus the same checks in Python (goal: Kiln ≥ 3× faster); also, to show
   where the time goes, the same checks in process (`kiln ctr check --timing`, parse + validate
   of the local file) and the HTTP floor (the same body posted so that the server streams it
   to disk and then refuses it, without parsing);
2. one LSTM training epoch (the seed's TabularSeqModel, same sizes, same loop: Adam over
   shuffled mini-batches, then the validation pass and the 4000-row train-accuracy pass) vs the
   same in Python on Debian's python3-torch, same libtorch, same thread count (goal ≤ 1.15×);
3. XGBoost training, per boosting round with the same parameters and evaluation sets, vs
   Python xgboost (goal ≤ 1.1×).

Kiln's epoch and round times come from the timestamps of the per-epoch metrics it records.
Run through benchmarks/ctr/run.sh (release build). Prints one line per figure and the ratios.
"""

import os
# Like Kiln (openblas_threads = 1), keep OpenBLAS from competing with libtorch's own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "system-tests"))
os.environ.setdefault("KILN_BIN", str(ROOT / ".build" / "release" / "kiln"))
from kiln_process import KilnProcess  # noqa: E402


def python_upload(path, engine="c"):
    """The seed's check in pandas; `engine` "c" (the default parser) or "pyarrow" (multi-threaded,
    Arrow's own CSV reader: the fastest pandas has)."""
    import pandas as pd

    frame = pd.read_csv(path, engine=engine)
    errors, warnings = [], []
    columns = list(frame.columns)
    if len(set(columns)) != len(columns):
        errors.append("duplicate_header")
    if "clicked" not in frame.columns:
        errors.append("missing_target")
    else:
        values = set(frame["clicked"].dropna().unique().tolist())
        if not values <= {0, 1}:
            errors.append("non_binary_target")
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            errors.append(("non_numeric", column))
    missing = frame.isna().sum()
    for column, count in missing.items():
        if count:
            warnings.append(("missing_values", column, int(count)))
    info = {"totalRows": len(frame), "clickedOne": int(frame["clicked"].sum())}
    preview = frame.head(10).to_dict(orient="records")
    return errors, warnings, info, preview


def time_best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def wait(server, run_id, timeout=3600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = requests.get(f"{server.url}/api/train/status/{run_id}", headers=server.headers()).json()
        if status["status"] != "training":
            return status
        time.sleep(0.5)
    raise TimeoutError(run_id)


def metric_times(server, run_id, key):
    answer = requests.get(f"{server.url}/api/2.0/mlflow/metrics/get-history", params={"run_id": run_id, "metric_key": key},
                          headers=server.headers()).json()
    return sorted((m["step"], m["timestamp"]) for m in answer["metrics"])


def python_lstm_epochs(values, labels, train_rows, validation_rows, config, epochs, threads):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)

    class TabularSeqModel(nn.Module):
        def __init__(self, d, hidden, mlp, dropout, mean, scale):
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean))
            self.register_buffer("scale", torch.tensor(scale))
            self.lstm = nn.LSTM(1, hidden, batch_first=True)
            layers, width = [], hidden
            for units in mlp:
                layers += [nn.Linear(width, units), nn.ReLU(), nn.Dropout(dropout)]
                width = units
            layers.append(nn.Linear(width, 1))
            self.head = nn.Sequential(*layers)

        def forward(self, x):
            z = torch.nan_to_num((x - self.mean) / self.scale, 0.0)
            _, (h, _) = self.lstm(z.unsqueeze(2))
            return self.head(h[0]).squeeze(1)

    train_x = values[train_rows]
    mean, scale = train_x.mean(axis=0), train_x.std(axis=0)
    scale[scale < 1e-12] = 1
    model = TabularSeqModel(values.shape[1], config["lstm_hidden"], config["mlp_hidden"], config["dropout"], mean, scale)
    optimiser = torch.optim.Adam(model.parameters(), lr=config["learning_rate"])
    positives = labels[train_rows].sum()
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(len(train_rows) - positives) / positives], dtype=torch.float32))
    rng = np.random.default_rng(0)
    accuracy_rows = np.sort(rng.permutation(train_rows)[:4000])
    x_all = torch.from_numpy(values)
    y_all = torch.from_numpy(labels)

    def predict(rows):
        model.eval()
        with torch.inference_mode():
            return torch.cat([torch.sigmoid(model(x_all[rows[i:i + 1024]])) for i in range(0, len(rows), 1024)])

    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.train()
        order = rng.permutation(train_rows)
        for i in range(0, len(order), config["batch_size"]):
            batch = order[i:i + config["batch_size"]]
            optimiser.zero_grad()
            loss = loss_fn(model(x_all[batch]), y_all[batch])
            loss.backward()
            optimiser.step()
        predict(validation_rows)
        predict(accuracy_rows)
        times.append(time.perf_counter() - start)
    return times


def python_xgboost_rounds(values, labels, train_rows, validation_rows, rounds, depth, eta):
    import xgboost as xgb

    train = xgb.DMatrix(values[train_rows], label=labels[train_rows], missing=np.nan)
    validation = xgb.DMatrix(values[validation_rows], label=labels[validation_rows], missing=np.nan)
    positives = labels[train_rows].sum()
    params = {"objective": "binary:logistic", "eval_metric": ["logloss", "auc", "error"], "eta": eta, "max_depth": depth,
              "scale_pos_weight": (len(train_rows) - positives) / positives, "seed": 0, "nthread": 1}
    booster = xgb.Booster(params, [train, validation])
    stamps = []
    for i in range(rounds):
        booster.update(train, i)
        booster.eval_set([(train, "train"), (validation, "validation")], i)
        stamps.append(time.perf_counter())
    return stamps


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--columns", type=int, default=119)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lstm-epochs", type=int, default=3)
    parser.add_argument("--xgb-rounds", type=int, default=60)
    parser.add_argument("--skip", default="", help="comma list of upload,lstm,xgboost to skip")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    kiln = ROOT / ".build" / "release" / "kiln"
    work = Path(tempfile.mkdtemp(prefix="kiln-bench-ctr-"))
    csv = work / "ctr.csv"
    subprocess.run([str(kiln), "datagen", "ctr", "--rows", str(args.rows), "--columns", str(args.columns), "--seed", "1", "--output", str(csv)], check=True)
    print(f"data: {args.rows} × {args.columns} ({csv.stat().st_size / 1e6:.1f} MB)")
    server = KilnProcess(work / "data", extra_args=["--rate-limit", "0", "--access-log", "false"]).start()
    try:
        body = csv.read_bytes()
        file_id = None
        if "upload" not in skip:
            def kiln_upload():
                nonlocal file_id
                answer = requests.post(f"{server.url}/api/upload", files={"file": ("ctr.csv", body, "text/csv")}, headers=server.headers())
                answer.raise_for_status()
                file_id = answer.json()["file_id"]
            python_upload(csv)  # warm the page cache and pandas' imports
            kiln_upload()  # and, the same, Kiln's first request (connection set-up, first blob, SQLite pages)
            kiln_median, kiln_times = time_best(kiln_upload, args.repeats)
            python_median, python_times = time_best(lambda: python_upload(csv), args.repeats)
            print(f"upload+parse+validate: kiln median {kiln_median * 1000:.0f} ms {[round(t * 1000) for t in kiln_times]}; "
                  f"pandas median {python_median * 1000:.0f} ms {[round(t * 1000) for t in python_times]}; "
                  f"kiln is {python_median / kiln_median:.2f}× faster (goal ≥ 3×)")
            python_upload(csv, engine="pyarrow")  # its imports and thread pool
            arrow_median, arrow_times = time_best(lambda: python_upload(csv, engine="pyarrow"), args.repeats)
            print(f"  second baseline, pandas with engine=\"pyarrow\": median {arrow_median * 1000:.0f} ms {[round(t * 1000) for t in arrow_times]}; "
                  f"kiln is {arrow_median / kiln_median:.2f}× faster")
            def receive_only():
                # A `mapping` part without a `file` part: streamed to disk, then refused before parsing.
                answer = requests.post(f"{server.url}/api/upload", files={"mapping": ("ctr.csv", body, "text/csv")}, headers=server.headers())
                assert answer.status_code == 400, answer.status_code
            floor_median, _ = time_best(receive_only, args.repeats)
            if shutil.which("curl"):
                # The same upload with curl as the client, which streams the file from disk as a
                # browser does instead of building the multipart body in Python first (process
                # start included). Printed beside the figure above, not instead of it.
                auth = server.headers()["Authorization"]
                def curl_upload():
                    subprocess.run(["curl", "-sf", "-o", "/dev/null", "-H", f"Authorization: {auth}", "-F", f"file=@{csv};type=text/csv",
                                    f"{server.url}/api/upload"], check=True)
                curl_median, curl_times = time_best(curl_upload, args.repeats)
                print(f"  the same upload with curl as the client: kiln median {curl_median * 1000:.0f} ms {[round(t * 1000) for t in curl_times]}; "
                      f"{python_median / curl_median:.2f}× pandas")
            checks = []
            for _ in range(args.repeats):
                out = subprocess.run([str(kiln), "ctr", "check", str(csv), "--timing"], check=True, capture_output=True, text=True).stdout
                checks.append(json.loads(out)["elapsed_ms"] / 1000)
            check_median = statistics.median(checks)
            print(f"  of which the HTTP transfer and multipart streaming to disk (no parsing): {floor_median * 1000:.0f} ms")
            print(f"parse+validate in process: kiln ctr check median {check_median * 1000:.0f} ms {[round(t * 1000) for t in checks]}; "
                  f"kiln is {python_median / check_median:.2f}× faster than pandas")
        else:
            file_id = requests.post(f"{server.url}/api/upload", files={"file": ("ctr.csv", body, "text/csv")}, headers=server.headers()).json()["file_id"]

        import pandas as pd
        frame = pd.read_csv(csv)
        labels = frame.pop("clicked").to_numpy(dtype=np.float32)
        values = frame.to_numpy(dtype=np.float32)
        # The same stratified split Kiln makes is not needed for timing; sizes match (80/20).
        rng = np.random.default_rng(42)
        order = rng.permutation(len(labels))
        cut = int(len(labels) * 0.8)
        train_rows, validation_rows = np.sort(order[:cut]), np.sort(order[cut:])

        if "lstm" not in skip:
            config = {"model": "lstm", "epochs": args.lstm_epochs, "batch_size": 4096, "learning_rate": 0.001, "lstm_hidden": 64,
                      "mlp_hidden": [256, 128], "dropout": 0.2}
            run_id = requests.post(f"{server.url}/api/train", json={"file_id": file_id, "config": config}, headers=server.headers()).json()["run_id"]
            status = wait(server, run_id)
            assert status["status"] == "completed", status
            stamps = [t for _, t in metric_times(server, run_id, "val_loss")]
            kiln_epochs = [(b - a) / 1000 for a, b in zip(stamps, stamps[1:])]
            python_epochs = python_lstm_epochs(values, labels, train_rows, validation_rows, config, args.lstm_epochs, os.cpu_count())[1:]
            k, p = statistics.median(kiln_epochs), statistics.median(python_epochs)
            print(f"LSTM epoch (48k rows, batch 4096, hidden 64, mlp 256-128): kiln median {k:.2f} s {[round(t, 2) for t in kiln_epochs]}; "
                  f"python3-torch median {p:.2f} s {[round(t, 2) for t in python_epochs]}; kiln/python = {k / p:.3f} (goal ≤ 1.15)")

        if "xgboost" not in skip:
            config = {"model": "xgboost", "epochs": args.xgb_rounds, "learning_rate": 0.1, "max_depth": 6}
            run_id = requests.post(f"{server.url}/api/train", json={"file_id": file_id, "config": config}, headers=server.headers()).json()["run_id"]
            status = wait(server, run_id)
            assert status["status"] == "completed", status
            stamps = [t for _, t in metric_times(server, run_id, "val_loss")]
            kiln_round = (stamps[-1] - stamps[0]) / 1000 / (len(stamps) - 1)
            python_stamps = python_xgboost_rounds(values, labels, train_rows, validation_rows, args.xgb_rounds, 6, 0.1)
            python_round = (python_stamps[-1] - python_stamps[0]) / (len(python_stamps) - 1)
            print(f"XGBoost round (48k rows, depth 6, 3 eval metrics on 2 sets, 1 thread): kiln {kiln_round * 1000:.1f} ms; "
                  f"python xgboost {python_round * 1000:.1f} ms; kiln/python = {kiln_round / python_round:.3f} (goal ≤ 1.1)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
