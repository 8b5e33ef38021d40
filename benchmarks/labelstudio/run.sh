#!/usr/bin/env bash
# Kiln ↔ Label Studio round trip (see round_trip.py). Not part of `make test`: Label Studio gets
# its own venv (its Django stack pins versions the system tests' venv does not want).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
[ -x .build/release/kiln ] || swift build -c release --product kiln
if [ ! -x .venv-labelstudio/bin/label-studio ]; then
    python3 -m venv .venv-labelstudio
    .venv-labelstudio/bin/pip install --quiet --disable-pip-version-check label-studio==1.23.2
fi
.venv-labelstudio/bin/python benchmarks/labelstudio/round_trip.py --label-studio .venv-labelstudio/bin/label-studio "$@"
