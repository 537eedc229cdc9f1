#!/usr/bin/env bash
# The soak tier's fuzzing (tests/fuzz/README.md): builds the clang fuzz build (libFuzzer,
# ASan + UBSan) and runs every fuzz target for SECONDS each (default 60) over a copy of its
# checked-in corpus, printing per target the executions, the corpus growth and whether it found
# anything. Exits 1 when any target found something (the crashing input is kept under the work
# directory; add it to tests/fuzz/corpus/<target>/ with the fix).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]       e.g. scripts/fuzz.sh 300 table manifest
#   env: KEPLER_FUZZ_BUILD (build dir, default build-fuzz), KEPLER_FUZZ_WORK (work dir, default
#        $KEPLER_FUZZ_BUILD/fuzz-runs), KEPLER_FUZZ_JOBS (make -j, default 1),
#        KEPLER_FUZZ_SETUP=0 (skip scripts/setup.sh --fuzz)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
all_targets=(wal_reader batch table version_edit manifest current block_decode)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
build=${KEPLER_FUZZ_BUILD:-$top/build-fuzz}
work=${KEPLER_FUZZ_WORK:-$build/fuzz-runs}
jobs=${KEPLER_FUZZ_JOBS:-1}

# Per target: the largest input worth trying (the corpus's largest file is about this size)
# and the allocation limit: a decoder must never allocate much for a small input.
max_len() {
  case "$1" in
    wal_reader) echo 40000 ;;
    table | manifest) echo 8192 ;;
    block_decode) echo 4096 ;;
    current) echo 64 ;;
    *) echo 1024 ;;
  esac
}

[ "${KEPLER_FUZZ_SETUP:-1}" = 0 ] || "$top/scripts/setup.sh" --fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S "$top" -B "$build" -DKEPLER_FUZZ=ON -DKEPLER_SANITIZE=address,undefined \
    -DKEPLER_BUILD_BENCH=OFF -DKEPLER_BUILD_TESTS=ON
fi
for t in "${targets[@]}"; do make -C "$build" -j"$jobs" "kepler_fuzz_$t" >/dev/null; done

found=0
summary=()
for t in "${targets[@]}"; do
  corpus=$work/$t/corpus
  artifacts=$work/$t/artifacts/
  rm -rf "$work/$t"
  mkdir -p "$corpus" "$artifacts"
  cp "$top/tests/fuzz/corpus/$t"/* "$corpus/"
  seeds=$(ls "$corpus" | wc -l)
  log=$work/$t/fuzz.log
  echo "fuzz: $t for ${seconds}s ($seeds corpus inputs)"
  set +e
  # UBSan findings abort (halt_on_error) so libFuzzer reports them as crashes.
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$build/tests/kepler_fuzz_$t" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
    -malloc_limit_mb=512 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  now=$(ls "$corpus" | wc -l)
  findings=$(ls "$artifacts" | wc -l)
  if [ "$rc" -eq 0 ] && [ "$findings" -eq 0 ]; then
    verdict="nothing found"
  else
    verdict="FOUND: $(ls "$artifacts" | tr '\n' ' ')(exit $rc; see $log)"
    found=1
  fi
  line="$t: $execs executions in ${seconds}s, corpus $seeds -> $now, $verdict"
  echo "fuzz: $line"
  summary+=("$line")
done
echo "fuzz: summary"
printf '  %s\n' "${summary[@]}"
exit "$found"
