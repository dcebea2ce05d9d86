// RUN: smelt-opt %s | smelt-opt | FileCheck %s
// The onnx dialect's ops and types print in a form that parses back to the
// same IR: NoValue, Yield and the !onnx.seq / !onnx.opt / !onnx.string types
// use custom syntax; generated ops use the generic form with properties.

// CHECK-LABEL: func.func @novalue_operands
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>, %[[HI:.+]]: tensor<f32>)
func.func @novalue_operands(%x: tensor<2x3xf32>, %hi: tensor<f32>) -> tensor<2x3xf32> {
  // CHECK: %[[NONE:.+]] = onnx.NoValue
  %none = onnx.NoValue
  // CHECK: "onnx.Clip"(%[[X]], %[[NONE]], %[[HI]]) : (tensor<2x3xf32>, none, tensor<f32>) -> tensor<2x3xf32>
  %0 = "onnx.Clip"(%x, %none, %hi) : (tensor<2x3xf32>, none, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @attributes
func.func @attributes(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>, tensor<2xi64>) {
  // CHECK: "onnx.Transpose"(%{{.+}}) <{perm = array<i64: 1, 0>}>
  %0 = "onnx.Transpose"(%x) <{perm = array<i64: 1, 0>}> : (tensor<2x3xf32>) -> tensor<3x2xf32>
  // CHECK: "onnx.LeakyRelu"(%{{.+}}) <{alpha = 2.500000e-01 : f32}>
  %1 = "onnx.LeakyRelu"(%x) <{alpha = 0.25 : f32}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: "onnx.Constant"() <{value = dense<[7, -8]> : tensor<2xi64>}>
  %2 = "onnx.Constant"() <{value = dense<[7, -8]> : tensor<2xi64>}> : () -> tensor<2xi64>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<2x3xf32>, tensor<2xi64>
}

// CHECK-LABEL: func.func @if_regions
// CHECK-SAME: (%[[C:.+]]: tensor<i1>, %[[X:.+]]: tensor<2xf32>)
func.func @if_regions(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: %[[R:.+]] = "onnx.If"(%[[C]]) ({
  // CHECK-NEXT: %[[NEG:.+]] = "onnx.Neg"(%[[X]])
  // CHECK-NEXT: onnx.Yield %[[NEG]] : tensor<2xf32>
  // CHECK-NEXT: }, {
  // CHECK-NEXT: onnx.Yield %[[X]] : tensor<2xf32>
  // CHECK-NEXT: }) : (tensor<i1>) -> tensor<2xf32>
  %0 = "onnx.If"(%c) ({
    %1 = "onnx.Neg"(%x) : (tensor<2xf32>) -> tensor<2xf32>
    onnx.Yield %1 : tensor<2xf32>
  }, {
    onnx.Yield %x : tensor<2xf32>
  }) : (tensor<i1>) -> tensor<2xf32>
  // CHECK: return %[[R]]
  return %0 : tensor<2xf32>
}

// CHECK-LABEL: func.func @sequence_and_optional
// CHECK-SAME: (%[[S:.+]]: !onnx.seq<tensor<?xf32>>, %[[O:.+]]: !onnx.opt<tensor<2xf32>>)
// CHECK-SAME: -> (tensor<i64>, tensor<i1>, !onnx.seq<tensor<?xf32>>)
func.func @sequence_and_optional(%s: !onnx.seq<tensor<?xf32>>, %o: !onnx.opt<tensor<2xf32>>)
    -> (tensor<i64>, tensor<i1>, !onnx.seq<tensor<?xf32>>) {
  // CHECK: "onnx.SequenceLength"(%[[S]]) : (!onnx.seq<tensor<?xf32>>) -> tensor<i64>
  %0 = "onnx.SequenceLength"(%s) : (!onnx.seq<tensor<?xf32>>) -> tensor<i64>
  // CHECK: "onnx.OptionalHasElement"(%[[O]]) : (!onnx.opt<tensor<2xf32>>) -> tensor<i1>
  %1 = "onnx.OptionalHasElement"(%o) : (!onnx.opt<tensor<2xf32>>) -> tensor<i1>
  return %0, %1, %s : tensor<i64>, tensor<i1>, !onnx.seq<tensor<?xf32>>
}

// CHECK-LABEL: func.func @strings
// CHECK-SAME: (%{{.+}}: tensor<3x!onnx.string>) -> tensor<3x!onnx.string>
func.func @strings(%s: tensor<3x!onnx.string>) -> tensor<3x!onnx.string> {
  // CHECK: "onnx.Identity"(%{{.+}}) : (tensor<3x!onnx.string>) -> tensor<3x!onnx.string>
  %0 = "onnx.Identity"(%s) : (tensor<3x!onnx.string>) -> tensor<3x!onnx.string>
  return %0 : tensor<3x!onnx.string>
}
