// RUN: smelt-opt %s --split-input-file --smelt-cpu-clone-shared-inits | FileCheck %s

#row = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// One bias broadcast (CSE merged two equal ones) is the init of two
// products, one through a reshape: the second gets its own broadcast, so
// that bufferization copies nothing.
// CHECK-LABEL: func.func @shared_bias
// CHECK:       %[[BIAS:.+]] = arith.constant dense<{{.+}}> : tensor<16xf32>
// CHECK:       %[[FIRST:.+]] = linalg.generic {{.+}} ins(%[[BIAS]] : tensor<16xf32>)
// CHECK:       linalg.matmul ins(%{{.+}}, %{{.+}} : tensor<8x4xf32>, tensor<4x16xf32>) outs(%[[FIRST]] : tensor<8x16xf32>)
// CHECK:       %[[SECOND:.+]] = linalg.generic {{.+}} ins(%[[BIAS]] : tensor<16xf32>)
// CHECK:       %[[VIEW:.+]] = tensor.expand_shape %[[SECOND]]
// CHECK:       linalg.batch_matmul {{.+}} outs(%[[VIEW]] : tensor<2x4x16xf32>)
func.func @shared_bias(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %x: tensor<2x4x4xf32>, %bb: tensor<2x4x16xf32>) -> (tensor<8x16xf32>, tensor<2x4x16xf32>) {
  %bias = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]> : tensor<16xf32>
  %empty = tensor.empty() : tensor<8x16xf32>
  %init = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%empty : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x16xf32>
  %p = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  %view = tensor.expand_shape %init [[0, 1], [2]] output_shape [2, 4, 16] : tensor<8x16xf32> into tensor<2x4x16xf32>
  %q = linalg.batch_matmul ins(%x, %bb : tensor<2x4x4xf32>, tensor<2x4x16xf32>) outs(%view : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %p, %q : tensor<8x16xf32>, tensor<2x4x16xf32>
}

// -----

// A zero fill that one product overwrites and another op reads: the
// product gets a fill of its own, the reader keeps the original.
// CHECK-LABEL: func.func @read_and_overwritten
// CHECK:       %[[ZERO:.+]] = linalg.fill
// CHECK:       %[[OWN:.+]] = linalg.fill
// CHECK:       linalg.matmul {{.+}} outs(%[[OWN]] : tensor<8x16xf32>)
// CHECK:       linalg.add ins(%[[ZERO]], %{{.+}} : tensor<8x16xf32>, tensor<8x16xf32>)
func.func @read_and_overwritten(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %c: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x16xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x16xf32>) -> tensor<8x16xf32>
  %p = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%fill : tensor<8x16xf32>) -> tensor<8x16xf32>
  %s = linalg.add ins(%fill, %c : tensor<8x16xf32>, tensor<8x16xf32>) outs(%empty : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %p, %s : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

#row = affine_map<(d0, d1) -> (d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// Inits computed from run-time values are not duplicated.
// CHECK-LABEL: func.func @runtime_init
// CHECK-COUNT-1: linalg.generic
// CHECK-NOT:   linalg.generic
func.func @runtime_init(%a: tensor<8x4xf32>, %b: tensor<4x16xf32>, %bias: tensor<16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %empty = tensor.empty() : tensor<8x16xf32>
  %init = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<16xf32>) outs(%empty : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<8x16xf32>
  %p = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  %q = linalg.matmul ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %p, %q : tensor<8x16xf32>, tensor<8x16xf32>
}
