#!/usr/bin/env bash
# Builds the tests with sanitizers and runs them (README.md, "Sanitizers"):
#   scripts/sanitize.sh address,undefined [BUILD_DIR]   # ASan + UBSan, in build-asan/
#   scripts/sanitize.sh thread [BUILD_DIR]              # TSan, in build-tsan/
# It builds only the suites it runs (storage format, engine, power loss, and the crash writer
# the crash tests start) and runs every test labelled `sanitize` but the soak runs; ctest's
# summary is the last word. KEPLER_JOBS sets the build's and ctest's parallelism (nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
case "$mode" in
  address,undefined) dir=${2:-build-asan} ;;
  thread) dir=${2:-build-tsan} ;;
  *)
    echo "usage: scripts/sanitize.sh address,undefined|thread [BUILD_DIR]" >&2
    exit 2
    ;;
esac
jobs=${KEPLER_JOBS:-$(nproc)}
scripts/setup.sh
caf_args=()
if [[ $mode == thread ]]; then
  # TSan needs CAF instrumented too (scripts/build_tsan_caf.sh says why); named outright, so a
  # build dir once configured with Debian's libcaf cannot keep it.
  caf="$dir/caf-tsan"
  scripts/build_tsan_caf.sh "$caf"
  caf=$(cd "$caf" && pwd)
  caf_args=(-DCAF_INCLUDE_DIR="$caf/include" -DCAF_CORE_LIBRARY="$caf/lib/libcaf_core.so"
    -DCAF_IO_LIBRARY="$caf/lib/libcaf_io.so" -DCAF_OPENSSL_LIBRARY="$caf/lib/libcaf_openssl.so")
fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKEPLER_BUILD_BENCH=OFF \
  -DKEPLER_SANITIZE="$mode" "${caf_args[@]}"
targets=(kepler_format_tests kepler_engine_tests kepler_power_loss_tests kepler_crash_writer)
[[ $mode == thread ]] && targets+=(kepler_tsan_probe)
cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
set +e
ctest --test-dir "$dir" --output-on-failure -L sanitize -LE soak -j "$jobs" | tee "$dir/ctest.out"
rc=${PIPESTATUS[0]}
set -e
echo
grep -hE "^(crash test|kill point test|write fault stress|sync durability)" \
  "$dir/Testing/Temporary/LastTest.log" || true
grep -E "tests passed, [0-9]+ tests failed out of [0-9]+|Total Test time" "$dir/ctest.out" | tail -n 2
exit "$rc"
