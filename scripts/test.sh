#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite; ctest's last line gives the count.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
