// RUN: smelt-opt %s --split-input-file --smelt-cpu-distinct-results | FileCheck %s
// RUN: smelt-opt %s --split-input-file --smelt-cpu-distinct-results \
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
