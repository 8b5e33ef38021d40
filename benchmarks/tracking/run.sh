#!/usr/bin/env bash
# Kiln vs `mlflow server` (SQLite backend), both from the real MLflow client (see run.py).
# Not part of `make test`. The full `mlflow` package (the server) lives in its own virtualenv.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
swift build -c release
[ -x .venv-mlflow/bin/python ] || /usr/bin/python3 -m venv .venv-mlflow
.venv-mlflow/bin/pip install --quiet --disable-pip-version-check -r benchmarks/tracking/requirements.txt
.venv-mlflow/bin/python benchmarks/tracking/run.py "$@"
