#!/usr/bin/env bash
# Kiln vs FastAPI + uvicorn on the same models (see run.py). Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; }
swift build -c release
make venv
.venv/bin/pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
.venv/bin/python benchmarks/inference/run.py "$@"
