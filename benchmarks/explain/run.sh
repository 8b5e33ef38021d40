#!/usr/bin/env bash
# Explanations (issue 24): Kiln's TreeSHAP, KernelSHAP and LIME against PyPI shap and lime on the
# same model and data, the KernelSHAP speed against shap.KernelExplainer, and planted CTR drivers
# (see eval.py). Uses its own virtualenv (shap pulls numpy 2, numba and scikit-learn; Debian's
# XGBoost comes from the system site packages). Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
swift build -c release --product kiln
VENV=benchmarks/explain/.venv
if [ ! -f "$VENV/.installed" ] || [ benchmarks/explain/requirements.txt -nt "$VENV/.installed" ]; then
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r benchmarks/explain/requirements.txt
  touch "$VENV/.installed"
fi
"$VENV/bin/python" benchmarks/explain/eval.py "$@"
