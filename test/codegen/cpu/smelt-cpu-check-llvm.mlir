// RUN: smelt-opt %s --split-input-file --verify-diagnostics --smelt-cpu-check-llvm | FileCheck %s

// An all-LLVM module passes unchanged.
// CHECK-LABEL: llvm.func @ok
llvm.func @ok(%arg0: !llvm.ptr) {
  llvm.return
}

// -----

// A function the bare-pointer convention could not lower is an error, and
// the note names the argument type that blocked it.
// expected-error @+2 {{'func.func' op was not lowered to the LLVM dialect}}
// expected-note @+1 {{argument type 'memref<20x0x5xf32>' has dynamic strides}}
func.func @main(%arg0: memref<2xf32>, %arg1: memref<20x0x5xf32>) {
  llvm.return
}
