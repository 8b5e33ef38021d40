#!/usr/bin/env bash
# CTR app benchmarks (see run.py): Kiln vs pandas, python3-torch and Python xgboost, same run.
# Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
if ! dpkg-query -W -f='${Status}' python3-pandas 2>/dev/null | grep -q "install ok installed"; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pandas
fi
swift build -c release
make venv
# pandas' engine="pyarrow", the second CSV baseline.
.venv/bin/pip install --quiet --disable-pip-version-check pyarrow==15.0.2  # works with Debian 12's NumPy 1.24 (pyarrow 26 needs NumPy 2)
.venv/bin/python benchmarks/ctr/run.py "$@"
