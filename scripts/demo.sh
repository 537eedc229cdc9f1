#!/usr/bin/env bash
# Sets up, builds and runs the demo: `scripts/demo.sh [DIR]`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build/apps/kepler demo "$@"
