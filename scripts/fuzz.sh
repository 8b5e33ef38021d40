#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read client bytes (libFuzzer + AddressSanitizer).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     (make fuzz FUZZ_SECONDS=600)
#
# Builds the fuzz targets of Package.swift (declared only with KILN_FUZZ=1) into .build-fuzz/
# with `-sanitize=fuzzer,address`, then runs each for SECONDS (default 60) on a working corpus
# in .build-fuzz/corpus/TARGET seeded from Fuzz/corpus/TARGET, Fuzz/regressions/TARGET and the
# test fixtures. A crash leaves its input in .build-fuzz/artifacts/TARGET/: keep it in
# Fuzz/regressions/TARGET/ (every later run replays it first) and write the unit test that
# pins the fix. Prints one summary line per target; exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all=(fuzz-json fuzz-v2-inference fuzz-multipart fuzz-csv fuzz-nifti fuzz-zip fuzz-dicom)

[[ $# -gt 0 ]] && targets=("$@") || targets=("${all[@]}")

build=.build-fuzz
flags=(--build-path "$build" -Xswiftc -sanitize=fuzzer,address)
for target in "${targets[@]}"; do
  KILN_FUZZ=1 swift build "${flags[@]}" --product "$target"
done
[[ " ${targets[*]} " == *" fuzz-dicom "* ]] && KILN_FUZZ=1 swift build "${flags[@]}" --product KilnDicom
bin=$(KILN_FUZZ=1 swift build "${flags[@]}" --show-bin-path)

# Extra seeds beside Fuzz/corpus: the fixtures the tests already read.
declare -A fixtures=([fuzz-dicom]=Tests/Fixtures/dicom [fuzz-nifti]=Tests/Fixtures/nifti)
# Inputs longer than this are not tried (the NIfTI and DICOM seeds are 6–225 KB).
declare -A max_len=([fuzz-dicom]=262144 [fuzz-nifti]=131072 [fuzz-zip]=16384 [fuzz-csv]=8192)

status=0
for target in "${targets[@]}"; do
  corpus=$build/corpus/$target artifacts=$build/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  started=$build/$target.started
  touch "$started"
  seeds=()
  [[ -d Fuzz/corpus/$target ]] && seeds+=("Fuzz/corpus/$target")
  [[ -d Fuzz/regressions/$target ]] && seeds+=("Fuzz/regressions/$target")
  [[ -n "${fixtures[$target]:-}" ]] && seeds+=("${fixtures[$target]}")
  log=$build/$target.log
  set +e
  # Swift's own crash backtracer would run inside ASan's report and confuse it: libFuzzer's is enough.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$bin/$target" "$corpus" "${seeds[@]}" \
    -max_total_time="$seconds" -max_len="${max_len[$target]:-4096}" -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  found=$(find "$artifacts" -type f -newer "$started" | wc -l)  # this run's, not earlier runs
  printf '%-18s %6ss  executions %-10s coverage %-6s features %-7s corpus %-5s crashes %s  (exit %s, log %s)\n' \
    "$target" "$seconds" "$runs" "$cov" "$ft" "$(ls "$corpus" | wc -l)" "$found" "$rc" "$log"
  [[ $rc -eq 0 ]] || status=1
done
exit $status
