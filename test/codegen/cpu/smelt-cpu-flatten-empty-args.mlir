// RUN: smelt-opt %s --split-input-file --smelt-cpu-flatten-empty-args | FileCheck %s

// A zero-element argument becomes memref<0xT>; the body keeps the original
// type through a zero-byte alloca. Other arguments are untouched.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.+]]: memref<2xf32>, %{{.+}}: memref<0xf32>)
// CHECK: %[[STAND:.+]] = memref.alloca() : memref<20x0x5xf32>
// CHECK: memref.copy %{{.+}}, %[[STAND]] : memref<20x0x5xf32> to memref<20x0x5xf32>
func.func @main(%x: memref<2xf32>, %y: memref<20x0x5xf32>) {
  %a = memref.alloc() : memref<20x0x5xf32>
  memref.copy %a, %y : memref<20x0x5xf32> to memref<20x0x5xf32>
  memref.dealloc %a : memref<20x0x5xf32>
  return
}

// -----

// Rank 1 already has a static stride: nothing to do.
// CHECK-LABEL: func.func @rank1
// CHECK-SAME: memref<0xi64>
// CHECK-NOT: memref.alloca
func.func @rank1(%x: memref<0xi64>) {
  return
}
