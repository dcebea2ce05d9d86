// RUN: smelt-opt %s --split-input-file --onnx-fold-constants | FileCheck %s

// Shape of a static tensor, gathered and sliced, folds to one constant.
// CHECK-LABEL: func.func @shape_gather_slice
// CHECK-NOT: onnx.Shape
// CHECK-NOT: onnx.Gather
// CHECK-NOT: onnx.Slice
// CHECK: %[[C:.+]] = "onnx.Constant"() <{value = dense<3> : tensor<1xi64>}>
// CHECK: return %[[C]]
func.func @shape_gather_slice(%x: tensor<2x3x4xf32>) -> tensor<1xi64> {
  %s = "onnx.Shape"(%x) : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %i = "onnx.Constant"() {value = dense<[0, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %g = "onnx.Gather"(%s, %i) {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  %start = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %end = "onnx.Constant"() {value = dense<[2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %none = onnx.NoValue
  %sl = "onnx.Slice"(%g, %start, %end, %none, %none) : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>, none, none) -> tensor<1xi64>
  return %sl : tensor<1xi64>
}

// -----

// The exporters' Reshape target: Concat of unsqueezed dims and a -1.
// CHECK-LABEL: func.func @concat_unsqueeze
// CHECK: %[[C:.+]] = "onnx.Constant"() <{value = dense<[2, 12]> : tensor<2xi64>}>
// CHECK: "onnx.Reshape"(%{{.+}}, %[[C]])
func.func @concat_unsqueeze(%x: tensor<2x3x4xf32>) -> tensor<2x12xf32> {
  %s = "onnx.Shape"(%x) {end = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<1xi64>
  %a = "onnx.Constant"() {value = dense<[3]> : tensor<1xi64>} : () -> tensor<1xi64>
  %b = "onnx.Constant"() {value = dense<[4]> : tensor<1xi64>} : () -> tensor<1xi64>
  %m = "onnx.Mul"(%a, %b) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %c = "onnx.Concat"(%s, %m) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = "onnx.Reshape"(%x, %c) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  return %r : tensor<2x12xf32>
}

// -----

// Cast truncates towards zero; integer Div by zero is left for run time.
// CHECK-LABEL: func.func @cast_and_div
// CHECK-DAG: "onnx.Constant"() <{value = dense<[1, -2]> : tensor<2xi32>}>
// CHECK-DAG: "onnx.Div"
func.func @cast_and_div(%z: tensor<2xi64>) -> (tensor<2xi32>, tensor<2xi64>) {
  %f = "onnx.Constant"() {value = dense<[1.7, -2.9]> : tensor<2xf32>} : () -> tensor<2xf32>
  %i = "onnx.Cast"(%f) {to = 6 : i64} : (tensor<2xf32>) -> tensor<2xi32>
  %n = "onnx.Constant"() {value = dense<[4, 5]> : tensor<2xi64>} : () -> tensor<2xi64>
  %zero = "onnx.Constant"() {value = dense<[1, 0]> : tensor<2xi64>} : () -> tensor<2xi64>
  %d = "onnx.Div"(%n, %zero) : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %i, %d : tensor<2xi32>, tensor<2xi64>
}

// -----

// Large results are left to code generation.
// CHECK-LABEL: func.func @too_large
// CHECK: "onnx.ConstantOfShape"
func.func @too_large() -> tensor<300x300xf32> {
  %s = "onnx.Constant"() {value = dense<[300, 300]> : tensor<2xi64>} : () -> tensor<2xi64>
  %c = "onnx.ConstantOfShape"(%s) : (tensor<2xi64>) -> tensor<300x300xf32>
  return %c : tensor<300x300xf32>
}

// -----

// An If on a constant condition is replaced by the branch it takes, even when
// the other branch would produce a different shape.
// CHECK-LABEL: func.func @constant_if
// CHECK-NOT: onnx.If
// CHECK: %[[N:.+]] = "onnx.Neg"(%{{.+}}) : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: return %[[N]]
func.func @constant_if(%x: tensor<3xf32>) -> tensor<*xf32> {
  %c = "onnx.Constant"() {value = dense<true> : tensor<1xi1>} : () -> tensor<1xi1>
  %0 = "onnx.If"(%c) ({
    %u = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
    %e = "onnx.Unsqueeze"(%x, %u) : (tensor<3xf32>, tensor<1xi64>) -> tensor<3x1xf32>
    onnx.Yield %e : tensor<3x1xf32>
  }, {
    %n = "onnx.Neg"(%x) : (tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %n : tensor<3xf32>
  }) : (tensor<1xi1>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Types declared downstream of an If whose branches differ in rank held for
// the branch the exporter traced (here the squeezing else). Once the If is
// decided for the other, they are derived anew from the branch taken: the
// Relu's declared rank-1 type gives way to the then branch's rank 2.
// CHECK-LABEL: func.func @types_after_decided_if
// CHECK-NOT: onnx.If
// CHECK: %[[R:.+]] = "onnx.Relu"(%{{.+}}) : (tensor<3x1xf32>) -> tensor<3x1xf32>
// CHECK: %[[I:.+]] = "onnx.Identity"(%[[R]]) : (tensor<3x1xf32>) -> tensor<3x1xf32>
// CHECK: return %[[I]]
func.func @types_after_decided_if(%x: tensor<3xf32>) -> tensor<*xf32> {
  %c = "onnx.Constant"() {value = dense<true> : tensor<1xi1>} : () -> tensor<1xi1>
  // Regions: else first, then.
  %0 = "onnx.If"(%c) ({
    onnx.Yield %x : tensor<3xf32>
  }, {
    %u = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
    %e = "onnx.Unsqueeze"(%x, %u) : (tensor<3xf32>, tensor<1xi64>) -> tensor<3x1xf32>
    onnx.Yield %e : tensor<3x1xf32>
  }) : (tensor<1xi1>) -> tensor<*xf32>
  %1 = "onnx.Relu"(%0) : (tensor<*xf32>) -> tensor<?xf32>
  %2 = "onnx.Identity"(%1) : (tensor<?xf32>) -> tensor<*xf32>
  return %2 : tensor<*xf32>
}

// -----

// A static dim of a tensor with dynamic dims folds when a Gather picks it
// from the Shape; an If testing it (as exporters write for squeezes) then
// takes its branch at compile time. The dynamic dim 0 does not fold.
// CHECK-LABEL: func.func @static_dim_of_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x1x?xf32>)
// CHECK-NOT: onnx.If
// CHECK: %[[DIMS:.+]] = "onnx.Shape"(%[[X]])
// CHECK: %[[D0:.+]] = "onnx.Gather"(%[[DIMS]],
// CHECK: return %[[X]], %[[D0]]
func.func @static_dim_of_dynamic(%x: tensor<?x1x?xf32>) -> (tensor<*xf32>, tensor<1xi64>) {
  %s = "onnx.Shape"(%x) : (tensor<?x1x?xf32>) -> tensor<3xi64>
  %one = "onnx.Constant"() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %zero = "onnx.Constant"() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %d1 = "onnx.Gather"(%s, %one) {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %d0 = "onnx.Gather"(%s, %zero) {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %is1 = "onnx.Equal"(%d1, %one) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi1>
  %r = "onnx.If"(%is1) ({
    %sq = "onnx.Squeeze"(%x, %one) : (tensor<?x1x?xf32>, tensor<1xi64>) -> tensor<?x?xf32>
    onnx.Yield %sq : tensor<?x?xf32>
  }, {
    onnx.Yield %x : tensor<?x1x?xf32>
  }) : (tensor<1xi1>) -> tensor<*xf32>
  return %r, %d0 : tensor<*xf32>, tensor<1xi64>
}

// -----

// torchvision's detection transform computes its padding from constants:
// ReduceMax, Ceil of a Div, and a Transpose of the [3, 2] pads. All fold, so
// the padded image (and every conv after it) keeps static dims.
// CHECK-LABEL: func.func @padding_arithmetic
// CHECK-NOT: onnx.ReduceMax
// CHECK-NOT: onnx.Ceil
// CHECK-NOT: onnx.Transpose
// CHECK-DAG: "onnx.Constant"() <{value = dense<{{\[}}[3, 1, 5], [2, 4, 6]]> : tensor<2x3xi64>}>
// CHECK-DAG: "onnx.Constant"() <{value = dense<11> : tensor<i64>}>
// CHECK-DAG: "onnx.Constant"() <{value = dense<4.000000e+00> : tensor<f32>}>
func.func @padding_arithmetic() -> (tensor<2x3xi64>, tensor<i64>, tensor<f32>) {
  %sizes = "onnx.Constant"() {value = dense<[320.0, 352.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %max = "onnx.ReduceMax"(%sizes) {keepdims = 0 : i64} : (tensor<2xf32>) -> tensor<f32>
  %stride = "onnx.Constant"() {value = dense<32.0> : tensor<f32>} : () -> tensor<f32>
  %blocks = "onnx.Div"(%max, %stride) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %ceil = "onnx.Ceil"(%blocks) : (tensor<f32>) -> tensor<f32>
  %n = "onnx.Cast"(%ceil) {to = 7 : i64} : (tensor<f32>) -> tensor<i64>
  %pads = "onnx.Constant"() {value = dense<[[3, 2], [1, 4], [5, 6]]> : tensor<3x2xi64>} : () -> tensor<3x2xi64>
  %t = "onnx.Transpose"(%pads) {perm = array<i64: 1, 0>} : (tensor<3x2xi64>) -> tensor<2x3xi64>
  %third = "onnx.Constant"() {value = dense<[[2.5, 0.25], [-1.0, 3.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %axes = "onnx.Constant"() {value = dense<[0, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %sum = "onnx.ReduceSum"(%third, %axes) {keepdims = 0 : i64} : (tensor<2x2xf32>, tensor<2xi64>) -> tensor<f32>
  %floor = "onnx.Floor"(%sum) : (tensor<f32>) -> tensor<f32>
  return %t, %n, %floor : tensor<2x3xi64>, tensor<i64>, tensor<f32>
}

// -----

// A reduction along some axes keeps the others; ReduceMin over axis 1.
// CHECK-LABEL: func.func @reduce_min_axis
// CHECK: %[[C:.+]] = "onnx.Constant"() <{value = dense<{{\[}}[1], [-4]]> : tensor<2x1xi64>}>
// CHECK: return %[[C]]
func.func @reduce_min_axis() -> tensor<2x1xi64> {
  %x = "onnx.Constant"() {value = dense<[[7, 1, 3], [-4, 0, 9]]> : tensor<2x3xi64>} : () -> tensor<2x3xi64>
  %m = "onnx.ReduceMin"(%x) {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xi64>) -> tensor<2x1xi64>
  return %m : tensor<2x1xi64>
}

// -----

// Integers fold as integers, never through double: (2^60 + 1) + 1 is
// 2^60 + 2 (double would give 2^60), INT64_MAX (a Slice's "to the end")
// survives a Concat, and Div, Mod and Sub of large values are exact; int64
// arithmetic wraps like the type (INT64_MAX + 1 is INT64_MIN).
// CHECK-LABEL: func.func @exact_integers
// CHECK-DAG: "onnx.Constant"() <{value = dense<1152921504606846978> : tensor<1xi64>}>
// CHECK-DAG: "onnx.Constant"() <{value = dense<[0, 9223372036854775807]> : tensor<2xi64>}>
// CHECK-DAG: "onnx.Constant"() <{value = dense<1537228672809129301> : tensor<1xi64>}>
// CHECK-DAG: "onnx.Constant"() <{value = dense<-1> : tensor<1xi64>}>
// CHECK-DAG: "onnx.Constant"() <{value = dense<-9223372036854775808> : tensor<1xi64>}>
// CHECK-NOT: onnx.Add
// CHECK-NOT: onnx.Concat
// CHECK-NOT: onnx.Div
// CHECK-NOT: onnx.Mod
func.func @exact_integers() -> (tensor<1xi64>, tensor<2xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) {
  %big = "onnx.Constant"() {value = dense<1152921504606846977> : tensor<1xi64>} : () -> tensor<1xi64>
  %one = "onnx.Constant"() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
  %sum = "onnx.Add"(%big, %one) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %zero = "onnx.Constant"() {value = dense<0> : tensor<1xi64>} : () -> tensor<1xi64>
  %max = "onnx.Constant"() {value = dense<9223372036854775807> : tensor<1xi64>} : () -> tensor<1xi64>
  %ends = "onnx.Concat"(%zero, %max) {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %six = "onnx.Constant"() {value = dense<6> : tensor<1xi64>} : () -> tensor<1xi64>
  %q = "onnx.Div"(%max, %six) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %m = "onnx.Constant"() {value = dense<-7> : tensor<1xi64>} : () -> tensor<1xi64>
  %three = "onnx.Constant"() {value = dense<3> : tensor<1xi64>} : () -> tensor<1xi64>
  %fm = "onnx.Mod"(%m, %three) {fmod = 1 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %wrap = "onnx.Add"(%max, %one) : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %sum, %ends, %q, %fm, %wrap : tensor<1xi64>, tensor<2xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>
}
