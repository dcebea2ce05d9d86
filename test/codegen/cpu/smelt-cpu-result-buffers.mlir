// RUN: smelt-opt %s --split-input-file --smelt-cpu-result-buffers | FileCheck %s
// RUN: smelt-opt %s --split-input-file --smelt-cpu-result-buffers \
// RUN:   --buffer-results-to-out-params="hoist-static-allocs=true modify-public-functions=true" \
// RUN:   | FileCheck %s --check-prefix=OUT

// One buffer in two result positions: the second returns a copy, so each
// out-parameter replaces its own allocation and the product is written
// straight into the first output.
// CHECK-LABEL: func.func @twice
// CHECK:       %[[A:.+]] = memref.alloc() : memref<4xf32>
// CHECK:       %[[B:.+]] = memref.alloc() : memref<4xf32>
// CHECK:       memref.copy %[[A]], %[[B]]
// CHECK:       return %[[A]], %[[B]]
// OUT-LABEL:   func.func @twice
// OUT-SAME:    (%{{.+}}: memref<4xf32>, %[[O1:.+]]: memref<4xf32>, %[[O2:.+]]: memref<4xf32>)
// OUT-NOT:     memref.alloc
// OUT:         linalg.copy ins(%{{.+}} : memref<4xf32>) outs(%[[O1]] : memref<4xf32>)
// OUT:         memref.copy %[[O1]], %[[O2]]
func.func @twice(%x: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  return %a, %a : memref<4xf32>, memref<4xf32>
}

// -----

// Dynamic sizes are carried over to the copy; distinct buffers are left
// alone.
// CHECK-LABEL: func.func @dynamic
// CHECK:       %[[D:.+]] = memref.dim %[[X:.+]], %c0
// CHECK:       %[[C:.+]] = memref.alloc(%[[D]]) : memref<?xf32>
// CHECK:       memref.copy %[[X]], %[[C]]
// CHECK:       return %[[X]], %[[C]], %{{.+}} : memref<?xf32>, memref<?xf32>, memref<2xf32>
func.func @dynamic(%x: memref<?xf32>, %y: memref<2xf32>) -> (memref<?xf32>, memref<?xf32>, memref<2xf32>) {
  return %x, %x, %y : memref<?xf32>, memref<?xf32>, memref<2xf32>
}

// -----

// A result that is a reshape of an allocation (a model ending in Flatten or
// an unpacked product): the allocation takes the result's shape and its
// users see it through the inverse reshape, so the out-parameter replaces
// it and nothing is copied.
// CHECK-LABEL: func.func @reshaped
// CHECK:       %[[A:.+]] = memref.alloc() {alignment = 64 : i64} : memref<8x6xf32>
// CHECK:       %[[V:.+]] = memref.expand_shape %[[A]] {{\[}}[0, 1], [2]] output_shape [2, 4, 6] : memref<8x6xf32> into memref<2x4x6xf32>
// CHECK:       linalg.copy ins(%{{.+}} : memref<2x4x6xf32>) outs(%[[V]] : memref<2x4x6xf32>)
// CHECK:       return %[[A]] : memref<8x6xf32>
// OUT-LABEL:   func.func @reshaped
// OUT-SAME:    (%{{.+}}: memref<2x4x6xf32>, %[[O:.+]]: memref<8x6xf32>)
// OUT-NOT:     memref.alloc
// OUT:         memref.expand_shape %[[O]]
// OUT-NOT:     memref.copy
func.func @reshaped(%x: memref<2x4x6xf32>) -> memref<8x6xf32> {
  %a = memref.alloc() {alignment = 64 : i64} : memref<2x4x6xf32>
  linalg.copy ins(%x : memref<2x4x6xf32>) outs(%a : memref<2x4x6xf32>)
  %r = memref.collapse_shape %a [[0, 1], [2]] : memref<2x4x6xf32> into memref<8x6xf32>
  return %r : memref<8x6xf32>
}
