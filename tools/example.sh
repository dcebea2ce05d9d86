#!/usr/bin/env bash
# example.sh - build smelt, compile the bundled example model and run it.
# The README's first command. Usage: tools/example.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
"$root/tools/install-deps.sh"
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" smelt
model=$root/test/e2e/models/mlp.onnxtxt
"$build/bin/smelt" compile "$model" --shape image=1,1,8,8 -o "$build/mlp.so"
echo "compiled $model -> $build/mlp.so"
"$build/bin/smelt" run "$build/mlp.so" -i image="$root/test/e2e/models/mlp-input.npy" --print
