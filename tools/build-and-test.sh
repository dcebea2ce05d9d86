#!/usr/bin/env bash
# build-and-test.sh - install dependencies, build everything, run every test.
# The README's test command and what CI (.ci/run) calls. Usage: tools/build-and-test.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
"$root/tools/install-deps.sh"
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build"
ctest --test-dir "$build" --output-on-failure -j 2
