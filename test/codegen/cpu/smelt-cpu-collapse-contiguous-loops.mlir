// RUN: smelt-opt %s --smelt-cpu-collapse-contiguous-loops | FileCheck %s

// CHECK-DAG: #[[ROWS:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALE:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[SWAP:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[SCALE2:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>

// SiLU over [1, 1152, 7, 7]: every loop walks both buffers contiguously, so
// the four loops become one of 56448.
// CHECK-LABEL: func.func @elementwise
// CHECK-DAG:   %[[X:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0, 1, 2, 3]] : memref<1x1152x7x7xf32> into memref<56448xf32>
// CHECK-DAG:   %[[Y:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0, 1, 2, 3]] : memref<1x1152x7x7xf32> into memref<56448xf32>
// CHECK:       linalg.generic {{.+}} iterator_types = ["parallel"]} ins(%[[X]] : memref<56448xf32>) outs(%[[Y]] : memref<56448xf32>)
// CHECK:         math.exp
#id4 = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @elementwise(%x: memref<1x1152x7x7xf32>, %y: memref<1x1152x7x7xf32>) {
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%x : memref<1x1152x7x7xf32>) outs(%y : memref<1x1152x7x7xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    %e = math.exp %n : f32
    linalg.yield %e : f32
  }
  return
}

// A squeeze-and-excitation scale: the per-channel factor ignores (h, w) and
// indexes its unit dims by the constant 0. Those join the channel dim in a
// view of the factor, then (n, c) and (h, w) merge.
// CHECK-LABEL: func.func @channel_scale
// CHECK-DAG:   memref.collapse_shape %{{.+}} {{\[}}[0, 1], [2, 3]] : memref<1x32x14x14xf32> into memref<32x196xf32>
// CHECK-DAG:   memref.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : memref<1x32x1x1xf32> into memref<1x32xf32>
// CHECK-DAG:   memref.collapse_shape %{{.+}} {{\[}}[0, 1]] : memref<1x32xf32> into memref<32xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[ROWS]], #[[SCALE]], #[[ROWS]]], iterator_types = ["parallel", "parallel"]}
#scale = affine_map<(n, c, h, w) -> (n, c, 0, 0)>
func.func @channel_scale(%x: memref<1x32x14x14xf32>, %s: memref<1x32x1x1xf32>, %y: memref<1x32x14x14xf32>) {
  linalg.generic {indexing_maps = [#id4, #scale, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%x, %s : memref<1x32x14x14xf32>, memref<1x32x1x1xf32>) outs(%y : memref<1x32x14x14xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  }
  return
}

// A global average pool's sum: the two reduction loops merge (same order of
// additions), the parallel ones too.
// CHECK-LABEL: func.func @pool_sum
// CHECK:       linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]}
#pool_in = affine_map<(n, c, h, w) -> (n, c, h, w)>
#pool_out = affine_map<(n, c, h, w) -> (n, c)>
func.func @pool_sum(%x: memref<2x8x7x7xf32>, %y: memref<2x8xf32>) {
  linalg.generic {indexing_maps = [#pool_in, #pool_out], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
    ins(%x : memref<2x8x7x7xf32>) outs(%y : memref<2x8xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  }
  return
}

// A slice of rows 0..3 of 8 in each channel: (c, h) are not contiguous
// (channel stride 64, rows 4 x 8), so only (h, w) merge.
// CHECK-LABEL: func.func @strided_view
// CHECK:       memref.collapse_shape %{{.+}} {{\[}}[0], [1, 2]] : memref<4x4x8xf32, strided<[64, 8, 1]>> into memref<4x32xf32, strided<[64, 1]>>
// CHECK:       iterator_types = ["parallel", "parallel"]
func.func @strided_view(%x: memref<4x8x8xf32>, %y: memref<4x4x8xf32>) {
  %v = memref.subview %x[0, 0, 0] [4, 4, 8] [1, 1, 1] : memref<4x8x8xf32> to memref<4x4x8xf32, strided<[64, 8, 1]>>
  linalg.generic {indexing_maps = [affine_map<(c, h, w) -> (c, h, w)>, affine_map<(c, h, w) -> (c, h, w)>], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%v : memref<4x4x8xf32, strided<[64, 8, 1]>>) outs(%y : memref<4x4x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  }
  return
}

// Moving the last dim first: (a, b) stay adjacent in both buffers and merge;
// c does not.
// CHECK-LABEL: func.func @rotate
// CHECK-DAG:   memref.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : memref<4x8x16xf32> into memref<32x16xf32>
// CHECK-DAG:   memref.collapse_shape %{{.+}} {{\[}}[0], [1, 2]] : memref<16x4x8xf32> into memref<16x32xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[ROWS]], #[[SWAP]]], iterator_types = ["parallel", "parallel"]}
func.func @rotate(%x: memref<4x8x16xf32>, %y: memref<16x4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (c, a, b)>], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%x : memref<4x8x16xf32>) outs(%y : memref<16x4x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  }
  return
}

// Reversing the dims: no two loops are adjacent in both buffers. Unchanged.
// CHECK-LABEL: func.func @reverse
// CHECK-NOT:   memref.collapse_shape
// CHECK:       iterator_types = ["parallel", "parallel", "parallel"]
func.func @reverse(%x: memref<4x8x16xf32>, %y: memref<16x8x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (c, b, a)>], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%x : memref<4x8x16xf32>) outs(%y : memref<16x8x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  }
  return
}

// A diagonal (Einsum "ii->i") indexes one loop twice: no loops merge.
// CHECK-LABEL: func.func @diagonal
// CHECK-NOT:   memref.collapse_shape
// CHECK:       iterator_types = ["parallel", "parallel"]
func.func @diagonal(%x: memref<2x4x4xf32>, %y: memref<2x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, i) -> (b, i, i)>, affine_map<(b, i) -> (b, i)>], iterator_types = ["parallel", "parallel"]}
    ins(%x : memref<2x4x4xf32>) outs(%y : memref<2x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  }
  return
}

// A fill of a contiguous buffer (a max pool's -inf init) fills its
// one-dimensional view: as a nest, LLVM vectorized an outer loop with
// scatters. A fill of a strided view keeps its shape.
// CHECK-LABEL: func.func @fills
// CHECK:       %[[FLAT:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0, 1, 2, 3]] : memref<1x56x56x64xf32> into memref<200704xf32>
// CHECK:       linalg.fill ins(%{{.+}} : f32) outs(%[[FLAT]] : memref<200704xf32>)
// CHECK:       linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : memref<1x56x56x64xf32, strided<[215296, 3712, 64, 1], offset: 3776>>)
func.func @fills(%x: memref<1x56x56x64xf32>, %padded: memref<1x58x58x64xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%x : memref<1x56x56x64xf32>)
  %inner = memref.subview %padded[0, 1, 1, 0] [1, 56, 56, 64] [1, 1, 1, 1] : memref<1x58x58x64xf32> to memref<1x56x56x64xf32, strided<[215296, 3712, 64, 1], offset: 3776>>
  linalg.fill ins(%ninf : f32) outs(%inner : memref<1x56x56x64xf32, strided<[215296, 3712, 64, 1], offset: 3776>>)
  return
}

// A squeeze-and-excitation scale kept as [1, C, 1, 1] and broadcast over
// channels-last pixels: its map has more results than loops (not a
// projected permutation, which the row kernels need). Its unit dims
// indexed by 0 join the channel dim in a collapsed view.
// CHECK-LABEL: func.func @se_scale
// CHECK:       %[[S:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : memref<1x32x1x1xf32> into memref<1x32xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[SCALE2]], {{.+}}} ins(%[[S]], %{{.+}} : memref<1x32xf32>, memref<1x64x32xf32>)
func.func @se_scale(%s: memref<1x32x1x1xf32>, %x: memref<1x64x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2, 0, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %x : memref<1x32x1x1xf32>, memref<1x64x32xf32>) outs(%x : memref<1x64x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  }
  return
}
