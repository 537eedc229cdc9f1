#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite; ctest's closing line gives the count.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
set +e
ctest --test-dir build --output-on-failure -LE soak -j "$(nproc)" | tee build/ctest.out
rc=${PIPESTATUS[0]}
set -e
# What the crash, fault and flush tests proved (ctest keeps a passing test's output only in its
# log), then ctest's own closing count once more, so it stays the last word.
echo
grep -hE "^(crash test|kill point test|flush test|write fault stress|sync durability|power loss|io errors)" \
  build/Testing/Temporary/LastTest.log || true
# The doctest MESSAGEs of the model, snapshot and space tests, without their file:line prefix.
grep -hoE "MESSAGE: (model test|compaction space|bytes on disk after compact_range|(clean|crashed) store|killed store: images|fuzz corpus).*" \
  build/Testing/Temporary/LastTest.log | sed 's/^MESSAGE: //' || true
grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" build/ctest.out | tail -n 1
exit "$rc"
