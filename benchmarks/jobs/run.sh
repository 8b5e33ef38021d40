#!/usr/bin/env bash
# Kiln's job queue (embedded SQLite, 2 workers) vs Celery 5 + Redis (2 worker processes),
# the same no-op task, same run. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
BURST=${1:-2000}
command -v redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server; }
make venv >/dev/null
.venv/bin/pip install --quiet --disable-pip-version-check "celery[redis]==5.5.3"
swift build -c release --product kiln-bench-jobs
swift build -c release --product kiln
redis-server --port 6399 --save "" --appendonly no --daemonize yes >/dev/null
trap 'redis-cli -p 6399 shutdown nosave >/dev/null 2>&1 || true; kill $CELERY 2>/dev/null || true' EXIT
(cd benchmarks/jobs && ../../.venv/bin/celery -A celery_tasks worker --concurrency 2 --pool prefork --loglevel warning) &
CELERY=$!
sleep 5
.build/release/kiln-bench-jobs "$BURST"
.venv/bin/python benchmarks/jobs/celery_bench.py "$BURST"
# The HTTP path users take (infer-async with a real model): a second Kiln row, not comparable
# job for job with the no-op rows above.
.venv/bin/python benchmarks/jobs/http_bench.py "$BURST"
