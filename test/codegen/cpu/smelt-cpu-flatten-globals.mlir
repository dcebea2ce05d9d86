// RUN: smelt-opt %s --split-input-file --smelt-cpu-flatten-globals | FileCheck %s
// RUN: smelt-opt %s --split-input-file --smelt-cpu-flatten-globals --finalize-memref-to-llvm | FileCheck %s --check-prefix=LLVM

// A packed weight (panels of one-element rows) becomes one row of all its
// elements, in the same order; its user sees the original shape through an
// expand_shape. In the LLVM dialect it is one array, not nested arrays.
// CHECK-LABEL: memref.global "private" constant @packed : memref<12xf32> = dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01]> {alignment = 64 : i64}
// CHECK-LABEL: func.func @use
// CHECK: %[[FLAT:.+]] = memref.get_global @packed : memref<12xf32>
// CHECK: %[[VIEW:.+]] = memref.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2, 3]] output_shape [2, 3, 2, 1] : memref<12xf32> into memref<2x3x2x1xf32>
// CHECK: memref.copy %[[VIEW]], %{{.+}} : memref<2x3x2x1xf32> to memref<2x3x2x1xf32>
// LLVM: llvm.mlir.global private constant @packed({{.*}}) {addr_space = 0 : i32, alignment = 64 : i64} : !llvm.array<12 x f32>
memref.global "private" constant @packed : memref<2x3x2x1xf32> = dense<[[[[0.0], [1.0]], [[2.0], [3.0]], [[4.0], [5.0]]], [[[6.0], [7.0]], [[8.0], [9.0]], [[10.0], [11.0]]]]> {alignment = 64 : i64}
func.func @use(%out: memref<2x3x2x1xf32>) {
  %w = memref.get_global @packed : memref<2x3x2x1xf32>
  memref.copy %w, %out : memref<2x3x2x1xf32> to memref<2x3x2x1xf32>
  return
}

// -----

// Weights held as a resource blob keep the blob; only the type changes.
// Every user of the global gets its own view.
// CHECK-LABEL: memref.global "private" constant @blob : memref<4xf32> = dense_resource<weights>
// CHECK-LABEL: func.func @two_users
// CHECK-COUNT-2: memref.expand_shape %{{.+}} {{\[\[}}0, 1]] output_shape [2, 2] : memref<4xf32> into memref<2x2xf32>
memref.global "private" constant @blob : memref<2x2xf32> = dense_resource<weights>
func.func @two_users(%a: memref<2x2xf32>, %b: memref<2x2xf32>) {
  %w = memref.get_global @blob : memref<2x2xf32>
  memref.copy %w, %a : memref<2x2xf32> to memref<2x2xf32>
  %v = memref.get_global @blob : memref<2x2xf32>
  memref.copy %v, %b : memref<2x2xf32> to memref<2x2xf32>
  return
}
{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// Rank 1 and rank 0 globals, and buffers without an initial value, stay.
// CHECK-LABEL: memref.global "private" constant @row : memref<3xf32> = dense<1.000000e+00>
// CHECK-LABEL: memref.global "private" constant @scalar : memref<f32> = dense<2.000000e+00>
// CHECK-LABEL: memref.global "private" @state : memref<2x2xf32> = uninitialized
// CHECK-NOT: memref.expand_shape
memref.global "private" constant @row : memref<3xf32> = dense<1.0>
memref.global "private" constant @scalar : memref<f32> = dense<2.0>
memref.global "private" @state : memref<2x2xf32> = uninitialized
func.func @kept(%o: memref<3xf32>) {
  %r = memref.get_global @row : memref<3xf32>
  %s = memref.get_global @scalar : memref<f32>
  %t = memref.get_global @state : memref<2x2xf32>
  memref.copy %r, %o : memref<3xf32> to memref<3xf32>
  return
}
