// RUN: smelt-opt %s --smelt-cpu-bare-pointer-entry | FileCheck %s

// Only the public model function gets bare pointers; private helpers with
// dynamically sized memrefs keep descriptors.
// CHECK-LABEL: func.func @main
// CHECK-SAME: attributes {llvm.bareptr}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: llvm.bareptr
func.func @main(%a: memref<4xf32>) {
  return
}
func.func private @helper(%a: memref<?xf32>) {
  return
}
