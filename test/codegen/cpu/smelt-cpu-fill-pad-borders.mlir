// RUN: smelt-opt %s --smelt-cpu-fill-pad-borders | FileCheck %s

// A pad of H and W by one on each side: the fill of all 1x2x6x8 elements
// becomes fills of the top and bottom rows (all columns) and of the left
// and right columns of the interior rows; the copy fills the interior.
// CHECK-LABEL: func.func @pad_hw
// CHECK-DAG:   %[[ZERO:.+]] = arith.constant 0.0
// CHECK-NOT:   linalg.map
// CHECK:       %[[TOP:.+]] = memref.subview %[[P:.+]][0, 0, 0, 0] [1, 2, 1, 8] [1, 1, 1, 1]
// CHECK:       linalg.fill ins(%[[ZERO]] : f32) outs(%[[TOP]]
// CHECK:       %[[BOTTOM:.+]] = memref.subview %[[P]][0, 0, 5, 0] [1, 2, 1, 8] [1, 1, 1, 1]
// CHECK:       linalg.fill ins(%[[ZERO]] : f32) outs(%[[BOTTOM]]
// CHECK:       %[[LEFT:.+]] = memref.subview %[[P]][0, 0, 1, 0] [1, 2, 4, 1] [1, 1, 1, 1]
// CHECK:       linalg.fill ins(%[[ZERO]] : f32) outs(%[[LEFT]]
// CHECK:       %[[RIGHT:.+]] = memref.subview %[[P]][0, 0, 1, 7] [1, 2, 4, 1] [1, 1, 1, 1]
// CHECK:       linalg.fill ins(%[[ZERO]] : f32) outs(%[[RIGHT]]
// CHECK-NOT:   linalg.fill
// CHECK:       linalg.copy
func.func @pad_hw(%x: memref<1x2x4x6xf32>, %p: memref<1x2x6x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.map outs(%p : memref<1x2x6x8xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %p[0, 0, 1, 1] [1, 2, 4, 6] [1, 1, 1, 1] : memref<1x2x6x8xf32> to memref<1x2x4x6xf32, strided<[96, 48, 8, 1], offset: 9>>
  linalg.copy ins(%x : memref<1x2x4x6xf32>) outs(%interior : memref<1x2x4x6xf32, strided<[96, 48, 8, 1], offset: 9>>)
  return
}

// Padding only at the end of the last dim: one slab.
// CHECK-LABEL: func.func @pad_end
// CHECK:       memref.subview %{{.+}}[0, 5] [3, 2] [1, 1]
// CHECK-NEXT:  linalg.fill
// CHECK-NOT:   linalg.fill
func.func @pad_end(%x: memref<3x5xf32>, %p: memref<3x7xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%p : memref<3x7xf32>)
  %interior = memref.subview %p[0, 0] [3, 5] [1, 1] : memref<3x7xf32> to memref<3x5xf32, strided<[7, 1]>>
  linalg.copy ins(%x : memref<3x5xf32>) outs(%interior : memref<3x5xf32, strided<[7, 1]>>)
  return
}

// A fill whose buffer is then read whole, not copied into: unchanged.
// CHECK-LABEL: func.func @plain_fill
// CHECK:       linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : memref<3x7xf32>)
func.func @plain_fill(%x: memref<3x7xf32>, %p: memref<3x7xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%p : memref<3x7xf32>)
  linalg.copy ins(%p : memref<3x7xf32>) outs(%x : memref<3x7xf32>)
  return
}
