#!/usr/bin/env bash
# gpu-check.sh - the GPU path checked and timed on a machine with an NVIDIA GPU.
#
# Run it whenever a session has the device machine, and record what it prints,
# with the date and the GPU, in docs/targets.md. It builds smelt (Release, in
# BUILD_DIR) and then:
#   1. conformance: the static variant of every K-th case of the ONNX backend
#      suites compiled with --device cuda --gpu ARCH and run on the GPU through
#      the runtime (test/conformance/run-conformance.sh, the CPU's tolerances);
#      every case the CPU passes (expected-pass.txt) must pass;
#   2. real models: the fixed-shape builds of test/e2e/real-models compiled
#      with --device cuda, against ONNX Runtime's outputs (rtol 1e-4, atol
#      1e-5) when their npm cache (CACHE, see fetch-models.sh) is there: the
#      device machine has no network, so carry it over;
#   3. latency: `smelt bench` of the bundled example model at batch 8 on the
#      GPU and on the CPU, side by side (ResNet-50 and BERT-class models at
#      batch 1 and 8 are not scripted yet: their ONNX files come from
#      bench/run-bench.sh, which needs PyTorch, and exceed what a device
#      session can carry).
# With --emulate DIR it runs without a GPU: the fake CUDA driver of DIR
# (build/test/unit/runtime/fake-cuda) with each model's kernels compiled for
# the host (--emit=host-kernels), which checks this script and the host side
# of the GPU path, not the GPU.
#
# usage: tools/gpu-check.sh [--arch sm_90] [--sample K] [--cache DIR] [--emulate DIR] [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arch= sample=3 cache= emulate=
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arch=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --cache) cache=$(realpath "$2"); shift 2 ;;
    --emulate) emulate=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "gpu-check.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
build=$(realpath -m "${1:-$root/build}")
work=$build/gpu-check
mkdir -p "$work"

if [ -z "$emulate" ]; then
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,compute_cap,driver_version \
    --format=csv,noheader | sed 's/^/gpu: /'
  # The GPU's own architecture unless --arch says otherwise ("9.0" -> sm_90).
  if [ -z "$arch" ] && command -v nvidia-smi >/dev/null; then
    arch=sm_$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1 | tr -d '. ')
  fi
fi
arch=${arch:-sm_80}
echo "date: $(date -u +%Y-%m-%d), arch: $arch${emulate:+ (emulated on the CPU: $emulate)}"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) threads"

if [ ! -x "$build/bin/smelt" ] || [ -z "$emulate" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build" smelt >/dev/null
fi
smelt=$build/bin/smelt
flags="--device cuda --gpu $arch"

echo "== conformance (static variant, every ${sample}th case)"
# --gpu-emulation adds --device cuda itself.
conformance_args=(--compile-flags "$flags")
[ -n "$emulate" ] && conformance_args=(--compile-flags "--gpu $arch" --gpu-emulation "$emulate")
"$root/test/conformance/run-conformance.sh" --variants static --sample "$sample" \
  "${conformance_args[@]}" \
  "$smelt" /usr/share/libonnx-testdata/data "$work/conformance" | grep -E 'cases:|REGRESSION|expected passes' || true

# Runs smelt with the fake driver and KERNELS' kernels when emulating.
on_device() {
  local kernels=$1
  shift
  if [ -n "$emulate" ]; then
    LD_LIBRARY_PATH="$emulate" FAKE_CUDA_KERNELS="$kernels" "$@"
  else
    "$@"
  fi
}

echo "== real models"
if [ -n "$cache" ] && [ -d "$cache" ]; then
  SMELT_COMPILE_FLAGS="$flags" SMELT_FIXED_ONLY=1 SMELT_GPU_EMULATION="$emulate" \
    "$root/test/e2e/real-models/run-real-models.sh" "$smelt" "$cache" "$work/real-models" \
    /dev/null || true
else
  echo "skipped: no model cache (--cache; test/e2e/real-models/fetch-models.sh fills one)"
fi

echo "== latency (ms per run, median; GPU runs include the copies in and out)"
bench() {  # bench NAME MODEL SHAPES...
  local name=$1 model=$2 shape_args=() spec gpu cpu
  shift 2
  for spec in "$@"; do shape_args+=(--shape "$spec"); done
  "$smelt" compile "$model" "${shape_args[@]}" -o "$work/$name-cpu.so"
  "$smelt" compile "$model" "${shape_args[@]}" $flags -o "$work/$name-gpu.so"
  [ -n "$emulate" ] && "$smelt" compile "$model" "${shape_args[@]}" $flags --emit=host-kernels \
    -o "$work/$name-gpu.kernels.so"
  gpu=$(on_device "$work/$name-gpu.kernels.so" "$smelt" bench "$work/$name-gpu.so" 2>&1 | tail -1)
  cpu=$("$smelt" bench "$work/$name-cpu.so" 2>&1 | tail -1)
  printf '%s\n  gpu: %s\n  cpu: %s\n' "$name" "$gpu" "$cpu"
}
bench mlp "$root/test/e2e/models/mlp.onnxtxt" image=8,1,8,8
