// RUN: smelt-opt %s --split-input-file --smelt-cpu-output-in-place | FileCheck %s

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias = affine_map<(d0, d1, d2) -> (d2)>

// A bias added to an unpacked product (a transpose of the tiles, reshaped):
// the unpacked buffer becomes the output itself (collapsed to one dim and
// expanded to the buffer's shape), and the add reads and writes the output.
// CHECK-LABEL: func.func @bias_after_unpack
// CHECK-SAME:  (%[[TILES:.+]]: memref<2x4x8x16xf32>, %[[B:.+]]: memref<64xf32>, %[[OUT:.+]]: memref<1x16x64xf32>)
// CHECK-NOT:   memref.alloc
// CHECK:       %[[FLAT:.+]] = memref.collapse_shape %[[OUT]] {{\[\[}}0, 1, 2]] : memref<1x16x64xf32> into memref<1024xf32>
// CHECK:       %[[UNPACKED:.+]] = memref.expand_shape %[[FLAT]] {{\[\[}}0, 1, 2, 3]] output_shape [2, 8, 4, 16] : memref<1024xf32> into memref<2x8x4x16xf32>
// CHECK:       linalg.transpose ins(%[[TILES]] : memref<2x4x8x16xf32>) outs(%[[UNPACKED]] : memref<2x8x4x16xf32>)
// CHECK:       %[[ROWS:.+]] = memref.collapse_shape %[[UNPACKED]]
// CHECK:       %[[VIEW:.+]] = memref.expand_shape %[[ROWS]]
// CHECK:       linalg.generic
// CHECK-SAME:  ins(%[[B]], %[[VIEW]] : memref<64xf32>, memref<1x16x64xf32>) outs(%[[OUT]] : memref<1x16x64xf32>)
func.func @bias_after_unpack(%tiles: memref<2x4x8x16xf32>, %b: memref<64xf32>, %out: memref<1x16x64xf32>) {
  %unpacked = memref.alloc() {alignment = 64 : i64} : memref<2x8x4x16xf32>
  linalg.transpose ins(%tiles : memref<2x4x8x16xf32>) outs(%unpacked : memref<2x8x4x16xf32>) permutation = [0, 2, 1, 3]
  %rows = memref.collapse_shape %unpacked [[0, 1], [2, 3]] : memref<2x8x4x16xf32> into memref<16x64xf32>
  %view = memref.expand_shape %rows [[0, 1], [2]] output_shape [1, 16, 64] : memref<16x64xf32> into memref<1x16x64xf32>
  linalg.generic {indexing_maps = [#bias, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b, %view : memref<64xf32>, memref<1x16x64xf32>) outs(%out : memref<1x16x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Left alone: the input's buffer is read after the elementwise op (writing
// the output over it would change what that read sees), and an output that
// the function also writes elsewhere.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-2: memref.alloc
// CHECK-NOT:   memref.expand_shape
func.func @kept(%x: memref<4x8xf32>, %out: memref<4x8xf32>, %also: memref<4x8xf32>, %out2: memref<4x8xf32>) {
  %a = memref.alloc() : memref<4x8xf32>
  linalg.copy ins(%x : memref<4x8xf32>) outs(%a : memref<4x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x8xf32>) outs(%out : memref<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  }
  linalg.copy ins(%a : memref<4x8xf32>) outs(%also : memref<4x8xf32>)
  %c = memref.alloc() : memref<4x8xf32>
  linalg.copy ins(%x : memref<4x8xf32>) outs(%c : memref<4x8xf32>)
  linalg.copy ins(%x : memref<4x8xf32>) outs(%out2 : memref<4x8xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<4x8xf32>) outs(%out2 : memref<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  }
  return
}
