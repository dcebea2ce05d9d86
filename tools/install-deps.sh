#!/usr/bin/env bash
# install-deps.sh - install every Debian package Smelt needs to build and test.
# Idempotent: prints nothing and exits quickly when everything is already present.
# usage: tools/install-deps.sh [--bench]
#   --bench  also PyTorch and torchvision (about 1 GB), which bench/run-bench.sh
#            uses to export its ResNet, MobileNet, EfficientNet and transformer models,
#            and Python's protobuf and NumPy for bench/quantize-dynamic.py (int8 BERT)
set -euo pipefail

packages=(
  cmake ninja-build ccache g++ pkg-config libclang-rt-22-dev
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22 liblld-22-dev
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  libcli11-dev libfmt-dev googletest libgtest-dev
  nodejs
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi
)
case ${1:-} in
  --bench) packages+=(python3-torch python3-torchvision python3-protobuf python3-numpy) ;;
  "") ;;
  *) echo "usage: tools/install-deps.sh [--bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
