// RUN: smelt-opt %s --split-input-file --smelt-cpu-data-tiling | FileCheck %s

// AVX2-class target: 4x16 register tiles. Both operands are run-time values:
// A is packed into [M/4][K][4][1] panels and B into [N/16][K][16][1] panels,
// the product is an mmt4d into a zeroed packed C, and C is unpacked. The
// packing copies are transposes without the unit dims: B's and C's keep
// the innermost dim in place (row copies), A's moves it.
// CHECK-LABEL: func.func @runtime_operands
// CHECK:       tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2]] output_shape [16, 4, 160] : tensor<64x160xf32> into tensor<16x4x160xf32>
// CHECK:       %[[AT:.+]] = linalg.transpose ins(%{{.+}} : tensor<16x4x160xf32>) outs(%{{.+}} : tensor<16x160x4xf32>) permutation = [0, 2, 1]
// CHECK:       %[[A:.+]] = tensor.expand_shape %[[AT]] {{\[}}[0], [1], [2, 3]] output_shape [16, 160, 4, 1]
// CHECK:       %[[BT:.+]] = linalg.transpose ins(%{{.+}} : tensor<160x12x16xf32>) outs(%{{.+}} : tensor<12x160x16xf32>) permutation = [1, 0, 2]
// CHECK:       %[[B:.+]] = tensor.expand_shape %[[BT]] {{\[}}[0], [1], [2, 3]] output_shape [12, 160, 16, 1]
// CHECK:       %[[C:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<16x12x4x16xf32>)
// CHECK:       %[[P:.+]] = linalg.mmt4d ins(%[[A]], %[[B]] : tensor<16x160x4x1xf32>, tensor<12x160x16x1xf32>) outs(%[[C]] : tensor<16x12x4x16xf32>)
// CHECK:       %[[U:.+]] = linalg.transpose ins(%[[P]] : tensor<16x12x4x16xf32>) outs(%{{.+}} : tensor<16x4x12x16xf32>) permutation = [0, 2, 1, 3]
// CHECK:       tensor.collapse_shape %[[U]] {{\[}}[0, 1], [2, 3]] : tensor<16x4x12x16xf32> into tensor<64x192xf32>
// CHECK-NOT:   linalg.matmul
// CHECK-NOT:   linalg.pack
// CHECK-NOT:   linalg.unpack
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @runtime_operands(%a: tensor<64x160xf32>, %b: tensor<160x192xf32>) -> tensor<64x192xf32> {
    %zero = arith.constant 0.0 : f32
    %empty = tensor.empty() : tensor<64x192xf32>
    %c = linalg.fill ins(%zero : f32) outs(%empty : tensor<64x192xf32>) -> tensor<64x192xf32>
    %r = linalg.matmul ins(%a, %b : tensor<64x160xf32>, tensor<160x192xf32>) outs(%c : tensor<64x192xf32>) -> tensor<64x192xf32>
    return %r : tensor<64x192xf32>
  }
}

// -----

// A constant B (a weight, here B[k][n] = 20k + n) is packed at compile
// time: N = 20 is two panels of 16 columns, the second padded with zeros.
// A is a constant too (with two reduction steps, a run-time A would stay
// unpacked: see @kept).
// CHECK-LABEL: func.func @packed_weight
// CHECK:       %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}0.000000e+00], [1.000000e+00],
// CHECK-SAME:    [1.500000e+01]], {{\[\[}}2.000000e+01], [2.100000e+01],
// CHECK-SAME:    [3.500000e+01]]], {{\[\[\[}}1.600000e+01], [1.700000e+01], [1.800000e+01], [1.900000e+01], [0.000000e+00],
// CHECK-SAME:    [3.900000e+01], [0.000000e+00],
// CHECK-SAME:    : tensor<2x2x16x1xf32>
// CHECK:       linalg.mmt4d ins(%{{.+}}, %[[W]] : tensor<4096x2x4x1xf32>, tensor<2x2x16x1xf32>) outs(%{{.+}} : tensor<4096x2x4x16xf32>)
// CHECK:       tensor.extract_slice %{{.+}}[0, 0] [16384, 20] [1, 1] : tensor<16384x32xf32> to tensor<16384x20xf32>
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @packed_weight() -> tensor<16384x20xf32> {
    %a = arith.constant dense<1.0> : tensor<16384x2xf32>
    %w = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0]]> : tensor<2x20xf32>
    %zero = arith.constant 0.0 : f32
    %empty = tensor.empty() : tensor<16384x20xf32>
    %c = linalg.fill ins(%zero : f32) outs(%empty : tensor<16384x20xf32>) -> tensor<16384x20xf32>
    %r = linalg.matmul ins(%a, %w : tensor<16384x2xf32>, tensor<2x20xf32>) outs(%c : tensor<16384x20xf32>) -> tensor<16384x20xf32>
    return %r : tensor<16384x20xf32>
  }
}

// -----

// Small products (under 65536 multiply-adds), transposed-map matmuls,
// dynamic shapes, a batch-1 product with a run-time B (which would be
// copied to be read once), a run-time B of 96 rows and a run-time A of 96
// columns times a weight (narrow 1x1 convolutions: the panels fit the L1
// cache as they are), and a run-time A of 960 columns times a weight of 160
// columns (an inverted residual block's projection: packing A and unpacking
// C would copy M x 1120 elements for M x 160 x 960 multiply-adds) keep the
// unpacked kernel.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-7: linalg.matmul
// CHECK-NOT:   linalg.mmt4d
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @kept(%a: tensor<16x16xf32>, %b: tensor<16x16xf32>, %c: tensor<16x16xf32>,
                  %d: tensor<160x64xf32>, %e: tensor<160x160xf32>, %f: tensor<64x160xf32>,
                  %g: tensor<?x160xf32>, %h: tensor<160x160xf32>, %i: tensor<?x160xf32>,
                  %j: tensor<1x768xf32>, %k: tensor<768x160xf32>, %l: tensor<1x160xf32>,
                  %m: tensor<64x96xf32>, %n: tensor<96x4096xf32>, %o: tensor<64x4096xf32>,
                  %p: tensor<4096x96xf32>, %q: tensor<4096x64xf32>,
                  %r: tensor<196x960xf32>, %s: tensor<196x160xf32>) {
    %w = arith.constant dense<0.5> : tensor<96x64xf32>
    %v = arith.constant dense<0.25> : tensor<960x160xf32>
    %0 = linalg.matmul ins(%a, %b : tensor<16x16xf32>, tensor<16x16xf32>) outs(%c : tensor<16x16xf32>) -> tensor<16x16xf32>
    %1 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
           ins(%d, %e : tensor<160x64xf32>, tensor<160x160xf32>) outs(%f : tensor<64x160xf32>) -> tensor<64x160xf32>
    %2 = linalg.matmul ins(%g, %h : tensor<?x160xf32>, tensor<160x160xf32>) outs(%i : tensor<?x160xf32>) -> tensor<?x160xf32>
    %3 = linalg.matmul ins(%j, %k : tensor<1x768xf32>, tensor<768x160xf32>) outs(%l : tensor<1x160xf32>) -> tensor<1x160xf32>
    %4 = linalg.matmul ins(%m, %n : tensor<64x96xf32>, tensor<96x4096xf32>) outs(%o : tensor<64x4096xf32>) -> tensor<64x4096xf32>
    %5 = linalg.matmul ins(%p, %w : tensor<4096x96xf32>, tensor<96x64xf32>) outs(%q : tensor<4096x64xf32>) -> tensor<4096x64xf32>
    %6 = linalg.matmul ins(%r, %v : tensor<196x960xf32>, tensor<960x160xf32>) outs(%s : tensor<196x160xf32>) -> tensor<196x160xf32>
    return
  }
}

// -----

// The byte product of a quantized MatMul on an AVX512-VNNI target: panels
// of 4 bytes of the reduction innermost (vpdpbusd's groups), 8 rows of A by
// 32 columns of B (two vectors of i32). K = 70 and N = 20 are padded with
// zeros (they add nothing to the sums); the packed product keeps the body.
// CHECK-DAG:   #[[PA:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2, d3, d5)>
// CHECK-DAG:   #[[PB:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG:   #[[PC:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d4)>
// CHECK-LABEL: func.func @byte_product
// CHECK:       tensor.pad %{{.+}} low[0, 0] high[0, 2]
// CHECK:       %[[A:.+]] = linalg.transpose ins(%{{.+}} : tensor<8x8x18x4xi8>) outs(%{{.+}} : tensor<8x18x8x4xi8>) permutation = [0, 2, 1, 3]
// CHECK:       tensor.pad %{{.+}} low[0, 0] high[2, 12]
// CHECK:       %[[BT:.+]] = linalg.transpose ins(%{{.+}} : tensor<18x4x32xi8>) outs(%{{.+}} : tensor<18x32x4xi8>) permutation = [0, 2, 1]
// CHECK:       %[[B:.+]] = tensor.expand_shape %[[BT]] {{\[}}[0, 1], [2], [3]] output_shape [1, 18, 32, 4]
// CHECK:       %[[C:.+]] = linalg.fill ins(%{{.+}} : i32) outs(%{{.+}} : tensor<8x1x8x32xi32>)
// CHECK:       %[[P:.+]] = linalg.generic {indexing_maps = [#[[PA]], #[[PB]], #[[PC]]], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]} ins(%[[A]], %[[B]] : tensor<8x18x8x4xi8>, tensor<1x18x32x4xi8>) outs(%[[C]] : tensor<8x1x8x32xi32>)
// CHECK:       arith.extui
// CHECK:       arith.extsi
// CHECK:       %[[U:.+]] = tensor.collapse_shape %[[P]] {{\[}}[0, 1, 2], [3]] : tensor<8x1x8x32xi32> into tensor<64x32xi32>
// CHECK:       tensor.extract_slice %[[U]][0, 0] [64, 20] [1, 1]
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
module attributes {smelt.cpu_target = {triple = "x86_64-unknown-linux-gnu", vector_bits = 512 : i64, vector_registers = 32 : i64, enabled_features = "avx2 avx512f avx512bw avx512vnni"}} {
  func.func @byte_product(%a: tensor<64x70xi8>, %b: tensor<70x20xi8>) -> tensor<64x20xi32> {
    %zero = arith.constant 0 : i32
    %empty = tensor.empty() : tensor<64x20xi32>
    %c = linalg.fill ins(%zero : i32) outs(%empty : tensor<64x20xi32>) -> tensor<64x20xi32>
    %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : tensor<64x70xi8>, tensor<70x20xi8>) outs(%c : tensor<64x20xi32>) {
    ^bb0(%x: i8, %w: i8, %acc: i32):
      %xe = arith.extui %x : i8 to i32
      %we = arith.extsi %w : i8 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    } -> tensor<64x20xi32>
    return %r : tensor<64x20xi32>
  }
}

// -----

// The same product on AVX2 without VNNI: vpmaddwd takes pairs of i16, so
// both operands are widened once, before they are packed: A (unsigned
// here) zero-extended at run time, the constant B sign-extended at compile
// time, its packed panels a constant of i16 (little-endian: B[0][0] = -128
// and B[1][0] = -48, then B[0][1] = -91 and B[1][1] = -11). Tiles of 4 rows
// by 16 columns; the body is the same, on i16.
// CHECK-LABEL: func.func @byte_product_avx2
// CHECK-DAG:   %[[B:.+]] = arith.constant dense<"0x80FFD0FFA5FFF5FF{{[0-9A-F]+}}"> : tensor<1x32x16x2xi16>
// CHECK:       %[[WIDE:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<64x64xi8>) outs(%{{.+}} : tensor<64x64xi16>)
// CHECK:         arith.extui %{{.+}} : i8 to i16
// CHECK:       tensor.expand_shape %[[WIDE]]
// CHECK:       %[[A:.+]] = linalg.transpose ins(%{{.+}} : tensor<16x4x32x2xi16>) outs(%{{.+}} : tensor<16x32x4x2xi16>) permutation = [0, 2, 1, 3]
// CHECK:       linalg.generic {{.+}} ins(%[[A]], %[[B]] : tensor<16x32x4x2xi16>, tensor<1x32x16x2xi16>) outs(%{{.+}} : tensor<16x1x4x16xi32>)
// CHECK-NEXT:  ^bb0(%{{.+}}: i16, %{{.+}}: i16, %{{.+}}: i32):
// CHECK-NEXT:    arith.extui %{{.+}} : i16 to i32
// CHECK-NEXT:    arith.extsi %{{.+}} : i16 to i32
// CHECK-NOT:   arith.extsi %{{.+}} : i8 to i16
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
module attributes {smelt.cpu_target = {triple = "x86_64-unknown-linux-gnu", vector_bits = 256 : i64, vector_registers = 16 : i64, enabled_features = "avx avx2 fma"}} {
  func.func @byte_product_avx2(%a: tensor<64x64xi8>) -> tensor<64x16xi32> {
    %b = arith.constant dense<[[-128,-91,-54,-17,20,57,94,-125,-88,-51,-14,23,60,97,-122,-85],[-48,-11,26,63,100,-119,-82,-45,-8,29,66,103,-116,-79,-42,-5],[32,69,106,-113,-76,-39,-2,35,72,109,-110,-73,-36,1,38,75],[112,-107,-70,-33,4,41,78,115,-104,-67,-30,7,44,81,118,-101],[-64,-27,10,47,84,121,-98,-61,-24,13,50,87,124,-95,-58,-21],[16,53,90,127,-92,-55,-18,19,56,93,-126,-89,-52,-15,22,59],[96,-123,-86,-49,-12,25,62,99,-120,-83,-46,-9,28,65,102,-117],[-80,-43,-6,31,68,105,-114,-77,-40,-3,34,71,108,-111,-74,-37],[0,37,74,111,-108,-71,-34,3,40,77,114,-105,-68,-31,6,43],[80,117,-102,-65,-28,9,46,83,120,-99,-62,-25,12,49,86,123],[-96,-59,-22,15,52,89,126,-93,-56,-19,18,55,92,-127,-90,-53],[-16,21,58,95,-124,-87,-50,-13,24,61,98,-121,-84,-47,-10,27],[64,101,-118,-81,-44,-7,30,67,104,-115,-78,-41,-4,33,70,107],[-112,-75,-38,-1,36,73,110,-109,-72,-35,2,39,76,113,-106,-69],[-32,5,42,79,116,-103,-66,-29,8,45,82,119,-100,-63,-26,11],[48,85,122,-97,-60,-23,14,51,88,125,-94,-57,-20,17,54,91],[-128,-91,-54,-17,20,57,94,-125,-88,-51,-14,23,60,97,-122,-85],[-48,-11,26,63,100,-119,-82,-45,-8,29,66,103,-116,-79,-42,-5],[32,69,106,-113,-76,-39,-2,35,72,109,-110,-73,-36,1,38,75],[112,-107,-70,-33,4,41,78,115,-104,-67,-30,7,44,81,118,-101],[-64,-27,10,47,84,121,-98,-61,-24,13,50,87,124,-95,-58,-21],[16,53,90,127,-92,-55,-18,19,56,93,-126,-89,-52,-15,22,59],[96,-123,-86,-49,-12,25,62,99,-120,-83,-46,-9,28,65,102,-117],[-80,-43,-6,31,68,105,-114,-77,-40,-3,34,71,108,-111,-74,-37],[0,37,74,111,-108,-71,-34,3,40,77,114,-105,-68,-31,6,43],[80,117,-102,-65,-28,9,46,83,120,-99,-62,-25,12,49,86,123],[-96,-59,-22,15,52,89,126,-93,-56,-19,18,55,92,-127,-90,-53],[-16,21,58,95,-124,-87,-50,-13,24,61,98,-121,-84,-47,-10,27],[64,101,-118,-81,-44,-7,30,67,104,-115,-78,-41,-4,33,70,107],[-112,-75,-38,-1,36,73,110,-109,-72,-35,2,39,76,113,-106,-69],[-32,5,42,79,116,-103,-66,-29,8,45,82,119,-100,-63,-26,11],[48,85,122,-97,-60,-23,14,51,88,125,-94,-57,-20,17,54,91],[-128,-91,-54,-17,20,57,94,-125,-88,-51,-14,23,60,97,-122,-85],[-48,-11,26,63,100,-119,-82,-45,-8,29,66,103,-116,-79,-42,-5],[32,69,106,-113,-76,-39,-2,35,72,109,-110,-73,-36,1,38,75],[112,-107,-70,-33,4,41,78,115,-104,-67,-30,7,44,81,118,-101],[-64,-27,10,47,84,121,-98,-61,-24,13,50,87,124,-95,-58,-21],[16,53,90,127,-92,-55,-18,19,56,93,-126,-89,-52,-15,22,59],[96,-123,-86,-49,-12,25,62,99,-120,-83,-46,-9,28,65,102,-117],[-80,-43,-6,31,68,105,-114,-77,-40,-3,34,71,108,-111,-74,-37],[0,37,74,111,-108,-71,-34,3,40,77,114,-105,-68,-31,6,43],[80,117,-102,-65,-28,9,46,83,120,-99,-62,-25,12,49,86,123],[-96,-59,-22,15,52,89,126,-93,-56,-19,18,55,92,-127,-90,-53],[-16,21,58,95,-124,-87,-50,-13,24,61,98,-121,-84,-47,-10,27],[64,101,-118,-81,-44,-7,30,67,104,-115,-78,-41,-4,33,70,107],[-112,-75,-38,-1,36,73,110,-109,-72,-35,2,39,76,113,-106,-69],[-32,5,42,79,116,-103,-66,-29,8,45,82,119,-100,-63,-26,11],[48,85,122,-97,-60,-23,14,51,88,125,-94,-57,-20,17,54,91],[-128,-91,-54,-17,20,57,94,-125,-88,-51,-14,23,60,97,-122,-85],[-48,-11,26,63,100,-119,-82,-45,-8,29,66,103,-116,-79,-42,-5],[32,69,106,-113,-76,-39,-2,35,72,109,-110,-73,-36,1,38,75],[112,-107,-70,-33,4,41,78,115,-104,-67,-30,7,44,81,118,-101],[-64,-27,10,47,84,121,-98,-61,-24,13,50,87,124,-95,-58,-21],[16,53,90,127,-92,-55,-18,19,56,93,-126,-89,-52,-15,22,59],[96,-123,-86,-49,-12,25,62,99,-120,-83,-46,-9,28,65,102,-117],[-80,-43,-6,31,68,105,-114,-77,-40,-3,34,71,108,-111,-74,-37],[0,37,74,111,-108,-71,-34,3,40,77,114,-105,-68,-31,6,43],[80,117,-102,-65,-28,9,46,83,120,-99,-62,-25,12,49,86,123],[-96,-59,-22,15,52,89,126,-93,-56,-19,18,55,92,-127,-90,-53],[-16,21,58,95,-124,-87,-50,-13,24,61,98,-121,-84,-47,-10,27],[64,101,-118,-81,-44,-7,30,67,104,-115,-78,-41,-4,33,70,107],[-112,-75,-38,-1,36,73,110,-109,-72,-35,2,39,76,113,-106,-69],[-32,5,42,79,116,-103,-66,-29,8,45,82,119,-100,-63,-26,11],[48,85,122,-97,-60,-23,14,51,88,125,-94,-57,-20,17,54,91]]> : tensor<64x16xi8>
    %zero = arith.constant 0 : i32
    %empty = tensor.empty() : tensor<64x16xi32>
    %c = linalg.fill ins(%zero : i32) outs(%empty : tensor<64x16xi32>) -> tensor<64x16xi32>
    %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : tensor<64x64xi8>, tensor<64x16xi8>) outs(%c : tensor<64x16xi32>) {
    ^bb0(%x: i8, %w: i8, %acc: i32):
      %xe = arith.extui %x : i8 to i32
      %we = arith.extsi %w : i8 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    } -> tensor<64x16xi32>
    return %r : tensor<64x16xi32>
  }
}

// -----

// A splat weight widens to a splat: sign-extended, -3 stays -3 in i16.
// CHECK-LABEL: func.func @splat_weight_avx2
// CHECK:       %[[B:.+]] = arith.constant dense<-3> : tensor<1x32x16x2xi16>
// CHECK:       linalg.generic {{.+}} ins(%{{.+}}, %[[B]] : tensor<16x32x4x2xi16>, tensor<1x32x16x2xi16>)
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
module attributes {smelt.cpu_target = {triple = "x86_64-unknown-linux-gnu", vector_bits = 256 : i64, vector_registers = 16 : i64, enabled_features = "avx avx2 fma"}} {
  func.func @splat_weight_avx2(%a: tensor<64x64xi8>) -> tensor<64x16xi32> {
    %b = arith.constant dense<-3> : tensor<64x16xi8>
    %zero = arith.constant 0 : i32
    %empty = tensor.empty() : tensor<64x16xi32>
    %c = linalg.fill ins(%zero : i32) outs(%empty : tensor<64x16xi32>) -> tensor<64x16xi32>
    %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%a, %b : tensor<64x64xi8>, tensor<64x16xi8>) outs(%c : tensor<64x16xi32>) {
    ^bb0(%x: i8, %w: i8, %acc: i32):
      %xe = arith.extui %x : i8 to i32
      %we = arith.extsi %w : i8 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    } -> tensor<64x16xi32>
    return %r : tensor<64x16xi32>
  }
}

// -----

// Channels-last convolutions with constant filters over 256 KiB (here 3 x 3
// x 128 x 64: 288 KiB) get them packed at compile time as [F/32][KH][KW][C]
// [32] panels and become a multiply-accumulate over the padded input into
// the output seen as [N, OH, OW, F/32, 32]; strides stay in the input map.
// Smaller filters, and filters known only at run time, keep the named op.
// CHECK-DAG:   #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 + d5, d2 + d6, d7)>
// CHECK-DAG:   #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
// CHECK-DAG:   #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG:   #[[STRIDED:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d5, d2 * 2 + d6, d7)>
// CHECK-LABEL: func.func @packed_filters
// CHECK:       %[[PACKED:.+]] = arith.constant dense<5.000000e-01> : tensor<2x3x3x128x32xf32>
// CHECK:       %[[PANELS:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 14, 14, 2, 32]
// CHECK:       %[[PRODUCT:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.+}}, %[[PACKED]] : tensor<1x16x16x128xf32>, tensor<2x3x3x128x32xf32>) outs(%[[PANELS]] : tensor<1x14x14x2x32xf32>)
// CHECK:         arith.mulf
// CHECK:         arith.addf
// CHECK:       tensor.collapse_shape %[[PRODUCT]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x14x14x2x32xf32> into tensor<1x14x14x64xf32>
// CHECK-NOT:   linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func.func @small_filters
// CHECK:       linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func.func @runtime_filters
// CHECK:       linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func.func @strided
// CHECK:       linalg.generic {indexing_maps = [#[[STRIDED]], #[[W]], #[[OUT]]]
// CHECK-NOT:   linalg.transpose
// 546 filters are no multiple of the 32-wide panels: the last panel holds
// 2 filters and 30 zero ones, the output is padded by as many columns
// (zeros) for the product, and the result is its first 546 columns.
// CHECK-LABEL: func.func @padded_panel
// CHECK:       %[[PACKED:.+]] = arith.constant dense_resource<{{.+}}> : tensor<18x1x1x128x32xf32>
// CHECK:       %[[PADDED:.+]] = tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 0, 30]
// CHECK:       %[[PANELS:.+]] = tensor.expand_shape %[[PADDED]] {{\[}}[0], [1], [2], [3, 4]] output_shape [1, 4, 4, 18, 32]
// CHECK:       %[[PRODUCT:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[PACKED]] : tensor<1x4x4x128xf32>, tensor<18x1x1x128x32xf32>) outs(%[[PANELS]] : tensor<1x4x4x18x32xf32>)
// CHECK:       %[[WHOLE:.+]] = tensor.collapse_shape %[[PRODUCT]] {{\[}}[0], [1], [2], [3, 4]] : tensor<1x4x4x18x32xf32> into tensor<1x4x4x576xf32>
// CHECK:       tensor.extract_slice %[[WHOLE]][0, 0, 0, 0] [1, 4, 4, 546] [1, 1, 1, 1] : tensor<1x4x4x576xf32> to tensor<1x4x4x546xf32>
// CHECK-NOT:   linalg.conv_2d_nhwc_hwcf
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @packed_filters(%in: tensor<1x16x16x128xf32>, %bias: tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32> {
    %w = arith.constant dense<0.5> : tensor<3x3x128x64xf32>
    %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%in, %w : tensor<1x16x16x128xf32>, tensor<3x3x128x64xf32>) outs(%bias : tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32>
    return %r : tensor<1x14x14x64xf32>
  }
  func.func @small_filters(%in: tensor<1x16x16x32xf32>, %bias: tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32> {
    %w = arith.constant dense<0.5> : tensor<3x3x32x64xf32>
    %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%in, %w : tensor<1x16x16x32xf32>, tensor<3x3x32x64xf32>) outs(%bias : tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32>
    return %r : tensor<1x14x14x64xf32>
  }
  func.func @runtime_filters(%in: tensor<1x16x16x128xf32>, %w: tensor<3x3x128x64xf32>, %bias: tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32> {
    %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%in, %w : tensor<1x16x16x128xf32>, tensor<3x3x128x64xf32>) outs(%bias : tensor<1x14x14x64xf32>) -> tensor<1x14x14x64xf32>
    return %r : tensor<1x14x14x64xf32>
  }
  func.func @strided(%in: tensor<1x15x15x128xf32>, %bias: tensor<1x7x7x64xf32>) -> tensor<1x7x7x64xf32> {
    %w = arith.constant dense<0.5> : tensor<3x3x128x64xf32>
    %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
        ins(%in, %w : tensor<1x15x15x128xf32>, tensor<3x3x128x64xf32>) outs(%bias : tensor<1x7x7x64xf32>) -> tensor<1x7x7x64xf32>
    return %r : tensor<1x7x7x64xf32>
  }
  func.func @padded_panel(%in: tensor<1x4x4x128xf32>, %bias: tensor<1x4x4x546xf32>) -> tensor<1x4x4x546xf32> {
    %w = arith.constant dense<0.5> : tensor<1x1x128x546xf32>
    %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%in, %w : tensor<1x4x4x128xf32>, tensor<1x1x128x546xf32>) outs(%bias : tensor<1x4x4x546xf32>) -> tensor<1x4x4x546xf32>
    return %r : tensor<1x4x4x546xf32>
  }
}
