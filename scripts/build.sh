#!/usr/bin/env bash
# Configures and builds KeplerDB in build/ (Release with debug info), after setup.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo 
cmake --build build -j "$(nproc)"
