// RUN: smelt-opt %s --split-input-file --smelt-cpu-mark-tile-fusion | FileCheck %s
// RUN: smelt-opt %s --split-input-file --smelt-cpu-mark-tile-fusion --smelt-cpu-tile-and-vectorize | FileCheck %s --check-prefix=TILES

#row = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// A matrix product between its bias broadcast and an in-place ReLU, with
// an unrelated copy in between: both neighbours join its fusion group.
// CHECK-LABEL: func.func @bias_product_relu
// CHECK:       linalg.generic {{.+}} ins(%{{.+}} : memref<64xf32>) outs(%[[C:.+]] : memref<64x64xf32>) attrs = {smelt.fused_prologue = 0 : i64}
// CHECK:       linalg.copy
// CHECK:       linalg.matmul {smelt.fusion_group = 0 : i64}
// CHECK:       linalg.generic {{.+}} ins(%[[C]] : memref<64x64xf32>) outs(%[[C]] : memref<64x64xf32>) attrs = {smelt.fused_epilogue = 0 : i64}
// Once tiled, each 8 x 32 register tile starts from the bias and ends with
// the ReLU, in registers: no pass over the whole output is left, and the
// tile is stored once, after the ReLU (the prologue's stores and the
// product's own store are forwarded to the reads after them).
// TILES-LABEL: func.func @bias_product_relu
// TILES:       scf.for
// TILES:         %[[BIAS:.+]] = vector.load %{{.+}} : memref<64xf32>, vector<32xf32>
// TILES-NOT:     vector.store %[[BIAS]]
// TILES:         %[[INIT:.+]] = vector.broadcast %[[BIAS]] : vector<32xf32> to vector<8x32xf32>
// TILES-NOT:     vector.store
// TILES:         scf.for {{.+}} iter_args(%{{.+}} = %[[INIT]]) -> (vector<8x32xf32>)
// TILES-COUNT-8:   vector.fma
// TILES:         }
// TILES-NOT:     vector.store
// TILES-COUNT-8: arith.maximumf {{.+}} : vector<32xf32>
// TILES-COUNT-8: vector.store
// TILES-NOT:   linalg.generic
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @bias_product_relu(%a: memref<64x32xf32>, %b: memref<32x64xf32>, %bias: memref<64xf32>,
                               %c: memref<64x64xf32>, %x: memref<16xf32>, %y: memref<16xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
        ins(%bias : memref<64xf32>) outs(%c : memref<64x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    }
    linalg.copy ins(%x : memref<16xf32>) outs(%y : memref<16xf32>)
    linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x64xf32>) outs(%c : memref<64x64xf32>)
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%c : memref<64x64xf32>) outs(%c : memref<64x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.maximumf %in, %zero : f32
      linalg.yield %r : f32
    }
    return
  }
}

// -----

// A 1x1 convolution as a product over the collapsed output [N*H*W, F]: the
// neighbours over [N, H, W, F] get their loops collapsed the same way and
// use the product's own view; the epilogue writes another buffer.
// CHECK-LABEL: func.func @pointwise_conv
// CHECK:       %[[MATRIX:.+]] = memref.collapse_shape %[[OUT:.+]] {{\[\[}}0, 1, 2], [3]]
// CHECK:       linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]} ins(%{{.+}} : memref<32xf32>) outs(%[[MATRIX]] : memref<64x32xf32>) attrs = {smelt.fused_prologue = 0 : i64}
// CHECK:       linalg.matmul {smelt.fusion_group = 0 : i64} {{.+}} outs(%[[MATRIX]] : memref<64x32xf32>)
// CHECK:       linalg.generic {{.+}} ins(%[[MATRIX]] : memref<64x32xf32>) outs(%{{.+}} : memref<64x32xf32>) attrs = {smelt.fused_epilogue = 0 : i64}
#bias4 = affine_map<(d0, d1, d2, d3) -> (d3)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @pointwise_conv(%in: memref<64x16xf32>, %w: memref<16x32xf32>, %bias: memref<32xf32>,
                            %out: memref<1x8x8x32xf32>, %act: memref<1x8x8x32xf32>) {
    linalg.generic {indexing_maps = [#bias4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%bias : memref<32xf32>) outs(%out : memref<1x8x8x32xf32>) {
    ^bb0(%b: f32, %o: f32):
      linalg.yield %b : f32
    }
    %matrix = memref.collapse_shape %out [[0, 1, 2], [3]] : memref<1x8x8x32xf32> into memref<64x32xf32>
    linalg.matmul ins(%in, %w : memref<64x16xf32>, memref<16x32xf32>) outs(%matrix : memref<64x32xf32>)
    linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%out : memref<1x8x8x32xf32>) outs(%act : memref<1x8x8x32xf32>) {
    ^bb0(%x: f32, %o: f32):
      %neg = arith.negf %x : f32
      %e = math.exp %neg : f32
      %one = arith.constant 1.0 : f32
      %d = arith.addf %one, %e : f32
      %s = arith.divf %x, %d : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// A convolution with packed filters writes its output as [N, OH, OW, F/32,
// 32] panels (a reshape of the NHWC buffer): the bias broadcast and the
// residual Add + ReLU over [N, OH, OW, F] are split the same way, on
// reshaped views of their operands, and join its fusion group.
// CHECK-LABEL: func.func @packed_filter_conv
// CHECK-SAME:    (%{{.+}}: memref<1x3x8x3x8x32xf32{{.+}}>, %{{.+}}: memref<2x3x3x32x32xf32>, %[[BIAS:.+]]: memref<64xf32>, %[[OUT:.+]]: memref<1x8x8x64xf32>, %[[RES:.+]]: memref<1x8x8x64xf32>)
// CHECK-DAG:   %[[PANELS:.+]] = memref.expand_shape %[[OUT]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 2, 32]
// CHECK-DAG:   %[[BIASP:.+]] = memref.expand_shape %[[BIAS]] {{\[}}[0, 1]] output_shape [2, 32]
// CHECK:       linalg.generic {{.+}} ins(%[[BIASP]] : memref<2x32xf32>) outs(%[[PANELS]] : memref<1x8x8x2x32xf32>) attrs = {smelt.fused_prologue = 0 : i64}
// CHECK:       %[[RESP:.+]] = memref.expand_shape %[[RES]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 2, 32]
// CHECK:       linalg.generic {{.+}} outs(%[[PANELS]] : memref<1x8x8x2x32xf32>) attrs = {smelt.fusion_group = 0 : i64}
// CHECK:       linalg.generic {{.+}} ins(%[[PANELS]], %[[RESP]] : memref<1x8x8x2x32xf32>, memref<1x8x8x2x32xf32>) outs(%[[PANELS]] : memref<1x8x8x2x32xf32>) attrs = {smelt.fused_epilogue = 0 : i64}
#pc_win = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d5, d1, d6, d2, d7)>
#pc_w = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
#pc_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
#pc_bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#pc_id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @packed_filter_conv(%win: memref<1x3x8x3x8x32xf32, strided<[3200, 320, 320, 32, 32, 1]>>,
                                %w: memref<2x3x3x32x32xf32>, %bias: memref<64xf32>,
                                %out: memref<1x8x8x64xf32>, %res: memref<1x8x8x64xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.generic {indexing_maps = [#pc_bias, #pc_id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%bias : memref<64xf32>) outs(%out : memref<1x8x8x64xf32>) {
    ^bb0(%b: f32, %o: f32):
      linalg.yield %b : f32
    }
    %panels = memref.expand_shape %out [[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 2, 32] : memref<1x8x8x64xf32> into memref<1x8x8x2x32xf32>
    linalg.generic {indexing_maps = [#pc_win, #pc_w, #pc_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%win, %w : memref<1x3x8x3x8x32xf32, strided<[3200, 320, 320, 32, 32, 1]>>, memref<2x3x3x32x32xf32>) outs(%panels : memref<1x8x8x2x32xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %o, %p : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#pc_id, #pc_id, #pc_id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%out, %res : memref<1x8x8x64xf32>, memref<1x8x8x64xf32>) outs(%out : memref<1x8x8x64xf32>) {
    ^bb0(%x: f32, %r: f32, %o: f32):
      %sum = arith.addf %x, %r : f32
      %relu = arith.maximumf %sum, %zero : f32
      linalg.yield %relu : f32
    }
    return
  }
}

// -----

// The same with an epilogue that writes another buffer: its own output is
// split into panels, not replaced by the product's.
// CHECK-LABEL: func.func @packed_filter_conv_elsewhere
// CHECK-SAME:    %[[OUT:[^:]+]]: memref<1x8x8x64xf32>, %[[ACT:[^:]+]]: memref<1x8x8x64xf32>)
// CHECK-DAG:   %[[PANELS:.+]] = memref.expand_shape %[[OUT]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 2, 32]
// CHECK-DAG:   %[[ACTP:.+]] = memref.expand_shape %[[ACT]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 2, 32]
// CHECK:       linalg.generic {{.+}} outs(%[[PANELS]] : memref<1x8x8x2x32xf32>) attrs = {smelt.fusion_group = 0 : i64}
// CHECK:       linalg.generic {{.+}} ins(%[[PANELS]] : memref<1x8x8x2x32xf32>) outs(%[[ACTP]] : memref<1x8x8x2x32xf32>) attrs = {smelt.fused_epilogue = 0 : i64}
#pe_win = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d5, d1, d6, d2, d7)>
#pe_w = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
#pe_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
#pe_id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @packed_filter_conv_elsewhere(%win: memref<1x3x8x3x8x32xf32, strided<[3200, 320, 320, 32, 32, 1]>>,
                                          %w: memref<2x3x3x32x32xf32>,
                                          %out: memref<1x8x8x64xf32>, %act: memref<1x8x8x64xf32>) {
    %zero = arith.constant 0.0 : f32
    %panels = memref.expand_shape %out [[0], [1], [2], [3, 4]] output_shape [1, 8, 8, 2, 32] : memref<1x8x8x64xf32> into memref<1x8x8x2x32xf32>
    linalg.generic {indexing_maps = [#pe_win, #pe_w, #pe_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%win, %w : memref<1x3x8x3x8x32xf32, strided<[3200, 320, 320, 32, 32, 1]>>, memref<2x3x3x32x32xf32>) outs(%panels : memref<1x8x8x2x32xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %o, %p : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#pe_id, #pe_id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%out : memref<1x8x8x64xf32>) outs(%act : memref<1x8x8x64xf32>) {
    ^bb0(%x: f32, %o: f32):
      %relu = arith.maximumf %x, %zero : f32
      linalg.yield %relu : f32
    }
    return
  }
}

// -----

// Nothing fuses where it would change the result or cannot run per tile:
// a reduction split into cache blocks (K = 512: a tile sees part of each
// sum), an op between the product and its consumer that reads the output,
// and a consumer that writes a buffer the product reads.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @blocked_reduction
// CHECK-NOT:   smelt.fus
// CHECK-LABEL: func.func @read_in_between
// CHECK:       smelt.fused_prologue = 0
// CHECK-NOT:   smelt.fused_epilogue
// CHECK-LABEL: func.func @writes_an_input
// CHECK-NOT:   smelt.fused_epilogue
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @blocked_reduction(%a: memref<64x512xf32>, %b: memref<512x64xf32>, %c: memref<64x64xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%c : memref<64x64xf32>)
    linalg.matmul ins(%a, %b : memref<64x512xf32>, memref<512x64xf32>) outs(%c : memref<64x64xf32>)
    return
  }
  func.func @read_in_between(%a: memref<64x32xf32>, %b: memref<32x64xf32>, %c: memref<64x64xf32>,
                             %copy: memref<64x64xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.fill ins(%zero : f32) outs(%c : memref<64x64xf32>)
    linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x64xf32>) outs(%c : memref<64x64xf32>)
    linalg.copy ins(%c : memref<64x64xf32>) outs(%copy : memref<64x64xf32>)
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%c : memref<64x64xf32>) outs(%c : memref<64x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.maximumf %in, %zero : f32
      linalg.yield %r : f32
    }
    return
  }
  func.func @writes_an_input(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
    %zero = arith.constant 0.0 : f32
    linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
    linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%c : memref<64x64xf32>) outs(%a : memref<64x64xf32>) {
    ^bb0(%in: f32, %out: f32):
      %r = arith.maximumf %in, %zero : f32
      linalg.yield %r : f32
    }
    return
  }
}

// -----

// A Where after a product that reads a boolean mask stays a separate op: the
// fused tile would read the mask as a vector of i1, which LLVM packs into
// bits while the memref holds a byte per element.
// CHECK-LABEL: func.func @boolean_mask_epilogue
// TILES-LABEL: func.func @boolean_mask_epilogue
// CHECK:       linalg.matmul ins
// CHECK-NOT:   smelt.fusion_group
// CHECK:       linalg.generic
// CHECK-NOT:   smelt.fused_epilogue
// CHECK:       return
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @boolean_mask_epilogue(%a: memref<64x32xf32>, %b: memref<32x64xf32>, %c: memref<64x64xf32>,
                                   %mask: memref<64x64xi1>, %y: memref<64x64xf32>) {
    %ninf = arith.constant 0xFF800000 : f32
    linalg.matmul ins(%a, %b : memref<64x32xf32>, memref<32x64xf32>) outs(%c : memref<64x64xf32>)
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"]}
        ins(%mask, %c : memref<64x64xi1>, memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
    ^bb0(%m: i1, %in: f32, %out: f32):
      %r = arith.select %m, %ninf, %in : f32
      linalg.yield %r : f32
    }
    return
  }
}
