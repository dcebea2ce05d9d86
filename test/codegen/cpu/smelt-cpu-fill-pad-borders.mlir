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

// After smelt-cpu-pad-in-place the pad's source is computed straight into
// the interior: a product runs in between (it touches other buffers), then
// the ReLU writes the whole interior without reading it. The fill keeps
// only the border.
// CHECK-LABEL: func.func @producer_writes_interior
// CHECK-COUNT-4: linalg.fill
// CHECK-NOT:   linalg.fill
// CHECK:       linalg.matmul
// CHECK:       linalg.generic
#relu_id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @producer_writes_interior(%a: memref<16x4xf32>, %b: memref<4x8xf32>, %c: memref<16x8xf32>,
                                    %p: memref<1x6x6x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%p : memref<1x6x6x8xf32>)
  linalg.matmul ins(%a, %b : memref<16x4xf32>, memref<4x8xf32>) outs(%c : memref<16x8xf32>)
  %x = memref.expand_shape %c [[0, 1, 2], [3]] output_shape [1, 4, 4, 8] : memref<16x8xf32> into memref<1x4x4x8xf32>
  %interior = memref.subview %p[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1] : memref<1x6x6x8xf32> to memref<1x4x4x8xf32, strided<[288, 48, 8, 1], offset: 56>>
  linalg.generic {indexing_maps = [#relu_id, #relu_id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x4x4x8xf32>) outs(%interior : memref<1x4x4x8xf32, strided<[288, 48, 8, 1], offset: 56>>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// An op that reads the padded buffer before the interior is written keeps
// the whole fill.
// CHECK-LABEL: func.func @read_before_write
// CHECK:       linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : memref<1x6x6x8xf32>)
func.func @read_before_write(%p: memref<1x6x6x8xf32>, %q: memref<1x6x6x8xf32>, %x: memref<1x4x4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%p : memref<1x6x6x8xf32>)
  linalg.copy ins(%p : memref<1x6x6x8xf32>) outs(%q : memref<1x6x6x8xf32>)
  %interior = memref.subview %p[0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1] : memref<1x6x6x8xf32> to memref<1x4x4x8xf32, strided<[288, 48, 8, 1], offset: 56>>
  linalg.copy ins(%x : memref<1x4x4x8xf32>) outs(%interior : memref<1x4x4x8xf32, strided<[288, 48, 8, 1], offset: 56>>)
  return
}
