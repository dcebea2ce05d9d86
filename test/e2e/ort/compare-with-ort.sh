#!/usr/bin/env bash
# compare-with-ort.sh - compile a model with smelt and check it against ONNX Runtime.
#
# usage: compare-with-ort.sh SMELT SMELT_TRANSLATE MODEL WORKDIR ATOL SEED NAME=dims...
# MODEL may be ONNX text (.onnxtxt); it is converted to binary for ONNX Runtime.
# onnxruntime-node is installed from npm (scripts disabled) into
# $SMELT_NPM_CACHE (default WORKDIR/npm) on first use; tests that share the
# cache take turns installing it (flock). SMELT_COMPILE_FLAGS
# adds compile options (a --target, say) and SMELT_EXEC runs the result
# through a program (smelt run --exec), e.g. as firmware under QEMU.
# SMELT_ORT_MODEL names an equivalent model (same inputs and outputs) for
# ONNX Runtime to run instead, and SMELT_ORT_GRAPH_OPTIMIZATION its graph
# optimization level (reference.mjs): for integer models, whose byte
# products ONNX Runtime gets wrong on x86-64 CPUs without VNNI.
set -euo pipefail
smelt=$1 translate=$2 model=$3 work=$4 atol=$5 seed=$6
shift 6
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
npm_dir=${SMELT_NPM_CACHE:-$work/npm}
mkdir -p "$npm_dir"
(
  flock 9
  if [ ! -f "$npm_dir/installed" ]; then
    (cd "$npm_dir" && npm install --silent --no-save --no-audit --no-fund --ignore-scripts \
        onnxruntime-node@1 >/dev/null)
    touch "$npm_dir/installed"
  fi
) 9>"$npm_dir.lock"
# MODEL (or SMELT_ORT_MODEL) as binary ONNX at OUT.
to_binary() {
  case "$1" in
    *.onnxtxt) "$translate" "$1" --emit-onnx "$2" ;;
    *) cp "$1" "$2" ;;
  esac
}
binary=$work/model.onnx reference=$work/model.onnx
to_binary "$model" "$binary"
if [ -n "${SMELT_ORT_MODEL:-}" ]; then
  reference=$work/reference.onnx
  to_binary "$SMELT_ORT_MODEL" "$reference"
fi
shape_args=()
for spec in "$@"; do shape_args+=(--shape "$spec"); done
# shellcheck disable=SC2086 # the flags are words
"$smelt" compile "$binary" -o "$work/model.so" "${shape_args[@]}" ${SMELT_COMPILE_FLAGS:-}
ORT_NODE_MODULES="$npm_dir/node_modules" node "$here/reference.mjs" "$reference" "$work/data" "$seed" "$@"
"$smelt" run "$work/model.so" --check "$work/data" --rtol 0 --atol "$atol" \
  ${SMELT_EXEC:+--exec "$SMELT_EXEC"}
