#!/usr/bin/env bash
# run-install-test.sh - install Smelt to a temporary prefix and build an
# application against it (test/install/example), as a user's project would.
#
# Checks that `cmake --install` lays out the tools, the runtime, the headers,
# the CMake package and the pkg-config file; that the example finds them with
# find_package(Smelt), compiles a model at build time with smelt_add_model and
# gets the scores `smelt run` gets from the build tree; and that a program
# built with pkg-config's flags links the installed runtime.
#
# usage: run-install-test.sh BUILD_DIR WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in bin/smelt bin/smelt-opt bin/smelt-translate lib/libsmelt_runtime.so lib/libsmelt_runtime.a \
         include/smelt/runtime.h include/smelt/model_abi.h lib/cmake/Smelt/SmeltConfig.cmake \
         lib/cmake/Smelt/SmeltModel.cmake lib/pkgconfig/smelt.pc; do
  [ -e "$prefix/$f" ] || { echo "install-test: $f was not installed"; exit 1; }
done
"$prefix/bin/smelt" --version > /dev/null

model=$here/../e2e/models/mlp.onnxtxt
cmake -G Ninja -S "$here/example" -B "$work/app" -DCMAKE_PREFIX_PATH="$prefix" \
  -DSMELT_EXAMPLE_MODEL="$model" > "$work/configure.log"
cmake --build "$work/app" > "$work/build.log"
"$work/app/static_app" > "$work/static.txt"
"$build/bin/smelt" compile "$model" --shape image=1,1,8,8 -o "$work/mlp.so"
"$build/bin/smelt" run "$work/mlp.so" -i "image=$here/../e2e/models/mlp-input.npy" --print \
  | tail -n 1 > "$work/shared.txt"
diff "$work/static.txt" "$work/shared.txt"
LD_LIBRARY_PATH="$prefix/lib" "$work/app/version_app"

# pkg-config's flags build the same program against the installed runtime.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
cc -std=c99 $(pkg-config --cflags smelt) "$here/example/version_app.c" \
  $(pkg-config --libs smelt) -o "$work/pc_app"
LD_LIBRARY_PATH="$prefix/lib" "$work/pc_app"
echo "install-test: installed tree works"
