#!/usr/bin/env bash
# Runs the benchmarks in benchmarks/ one after another (`make bench`); each prints its own table
# (benchmarks/README.md says what each measures). Not part of `make test`.
#
#   benchmarks/run.sh                     # all of them: foundation inference jobs tracking ctr imaging explain
#   benchmarks/run.sh foundation ctr      # only those named
#   benchmarks/run.sh soak                # the 30-minute soak (issue 26), only when named
#
# Each sub-folder's run.sh installs what it needs (wrk, redis-server, celery, mlflow, pandas) and
# builds what it runs; the Python scripts here use the release build and .venv (`make venv`).
# A benchmark that fails is reported at the end and the others still run; the exit status is 1
# if any failed. Each one's raw output is kept in benchmarks/results/<UTC time>-<commit>/<name>.txt
# under a header naming the commit (and whether the tree had changes), the CPU and the time:
# benchmarks/README.md summarises those files.
set -uo pipefail
cd "$(dirname "$0")/.."

ALL=(foundation inference jobs tracking ctr imaging explain)
if [ $# -gt 0 ]; then selected=("$@"); else selected=("${ALL[@]}"); fi

needs_release_and_venv() {
  swift build -c release --product kiln || return 1   # incremental: quick after `make release`
  make venv >/dev/null
}

bench() {
  case "$1" in
    foundation)
      command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; } || return 1
      needs_release_and_venv || return 1
      /usr/bin/python3 benchmarks/foundation.py --bin .build/release/kiln ;;
    inference) benchmarks/inference/run.sh ;;
    jobs) benchmarks/jobs/run.sh ;;
    tracking) benchmarks/tracking/run.sh ;;
    ctr) benchmarks/ctr/run.sh ;;
    explain) benchmarks/explain/run.sh ;;
    soak)  # 30 minutes; not in the default list
      needs_release_and_venv || return 1
      .venv/bin/python benchmarks/soak/run.py ;;
    imaging)
      needs_release_and_venv || return 1
      local status=0
      for script in biomarker ct_classification mri_segmentation; do
        echo "-- imaging/$script.py"
        .venv/bin/python "benchmarks/imaging/$script.py" || status=1
      done
      return $status ;;
    *) echo "unknown benchmark '$1' (known: ${ALL[*]})" >&2; return 2 ;;
  esac
}

commit=$(git rev-parse --short=12 HEAD)
dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo " (with uncommitted changes)" || true)
results="benchmarks/results/$(date -u +%Y%m%dT%H%MZ)-$commit"
mkdir -p "$results"
failed=()
for name in "${selected[@]}"; do
  echo "== $name"
  {
    echo "# benchmark: $name"
    echo "# commit: $(git rev-parse HEAD)$dirty"
    echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores; $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "# started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } > "$results/$name.txt"
  bench "$name" 2>&1 | tee -a "$results/$name.txt"
  status=${PIPESTATUS[0]}
  echo "# finished: $(date -u +%Y-%m-%dT%H:%M:%SZ), exit $status" >> "$results/$name.txt"
  [ "$status" -eq 0 ] || failed+=("$name")
done
echo "raw output: $results/"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
