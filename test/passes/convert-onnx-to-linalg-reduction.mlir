// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// ReduceSum over a constant axis with keepdims: a reduction generic into the
// kept dims, then an expand back to the unit dim.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @sum_keepdims
// CHECK-SAME: (%[[X:.+]]: tensor<3x2x2xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<3x2xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<3x2x2xf32>) outs(%[[INIT]] : tensor<3x2xf32>)
// CHECK: arith.addf
// CHECK: %[[R:.+]] = tensor.expand_shape %[[SUM]] {{\[}}[0], [1, 2]] output_shape [3, 1, 2] : tensor<3x2xf32> into tensor<3x1x2xf32>
// CHECK: return %[[R]]
// CHECK-NOT: onnx.
func.func @sum_keepdims(%x: tensor<3x2x2xf32>) -> tensor<3x1x2xf32> {
  %axes = "onnx.Constant"() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 1 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

// -----

// Absent axes reduce everything; without keepdims the result is a scalar.
// CHECK-LABEL: func.func @sum_all
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<f32>)
// CHECK-NOT: onnx.
func.func @sum_all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %none = onnx.NoValue
  %0 = "onnx.ReduceSum"(%x, %none) {keepdims = 0 : i64} : (tensor<2x3xf32>, none) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Empty axes with noop_with_empty_axes = 1 is the identity.
// CHECK-LABEL: func.func @sum_noop
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[X]]
func.func @sum_noop(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %axes = "onnx.Constant"() {value = dense<> : tensor<0xi64>} : () -> tensor<0xi64>
  %0 = "onnx.ReduceSum"(%x, %axes) {noop_with_empty_axes = 1 : i64} : (tensor<3x2xf32>, tensor<0xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A run-time axes input is accepted when keepdims makes the result shape name
// the reduced axis.
// CHECK-LABEL: func.func @sum_runtime_axes_keepdims
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT: onnx.
func.func @sum_runtime_axes_keepdims(%x: tensor<3x2x4xf32>, %axes: tensor<1xi64>) -> tensor<3x2x1xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 1 : i64} : (tensor<3x2x4xf32>, tensor<1xi64>) -> tensor<3x2x1xf32>
  return %0 : tensor<3x2x1xf32>
}

// -----

// ReduceMean divides the sum by the number of reduced elements (2 * 2).
// CHECK-LABEL: func.func @mean
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: %[[COUNT:.+]] = arith.constant 4.000000e+00 : f32
// CHECK: arith.divf %{{.+}}, %[[COUNT]]
// CHECK: tensor.expand_shape
// CHECK-SAME: into tensor<1x3x1xf32>
// CHECK-NOT: onnx.
func.func @mean(%x: tensor<2x3x2xf32>) -> tensor<1x3x1xf32> {
  %0 = "onnx.ReduceMean"(%x) {axes = array<i64: 0, -1>} : (tensor<2x3x2xf32>) -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// ReduceMax on floats starts at -inf and uses maximumf.
// CHECK-LABEL: func.func @max_float
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK-NOT: onnx.
func.func @max_float(%x: tensor<4x5xf32>) -> tensor<4xf32> {
  %0 = "onnx.ReduceMax"(%x) {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<4x5xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Unsigned max keeps its signedness: init 0 and maxui on signless i8.
// CHECK-LABEL: func.func @max_unsigned
// CHECK-SAME: tensor<4x5xi8>
// CHECK: arith.constant 0 : i8
// CHECK: arith.maxui
// CHECK-NOT: onnx.
func.func @max_unsigned(%x: tensor<4x5xui8>) -> tensor<5xui8> {
  %0 = "onnx.ReduceMax"(%x) {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<4x5xui8>) -> tensor<5xui8>
  return %0 : tensor<5xui8>
}

// -----

// Signed integer min starts at the largest value.
// CHECK-LABEL: func.func @min_int
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.minsi
// CHECK-NOT: onnx.
func.func @min_int(%x: tensor<4x5xi32>) -> tensor<4x1xi32> {
  %0 = "onnx.ReduceMin"(%x) {axes = array<i64: 1>} : (tensor<4x5xi32>) -> tensor<4x1xi32>
  return %0 : tensor<4x1xi32>
}

// -----

// ReduceProd with default axes multiplies everything, starting at 1.
// CHECK-LABEL: func.func @prod_all
// CHECK: arith.constant 1.000000e+00 : f32
// CHECK: arith.mulf
// CHECK: tensor.expand_shape
// CHECK-SAME: into tensor<1x1xf32>
// CHECK-NOT: onnx.
func.func @prod_all(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  %0 = "onnx.ReduceProd"(%x) : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}
