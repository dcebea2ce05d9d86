// RUN: smelt-opt %s --split-input-file --onnx-infer-shapes | FileCheck %s

// Unknown result types are refined with libonnx's inference functions, and the
// function's results follow.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: -> tensor<2x4xf32>
// CHECK: "onnx.MatMul"{{.*}} -> tensor<2x4xf32>
// CHECK: "onnx.Relu"{{.*}} -> tensor<2x4xf32>
func.func @chain(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<*xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<*xf32>
  %1 = "onnx.Relu"(%0) : (tensor<*xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

// A constant operand gives data-dependent shapes (Reshape with -1).
// CHECK-LABEL: func.func @reshape_constant
// CHECK: "onnx.Reshape"{{.*}} -> tensor<4x6xf32>
func.func @reshape_constant(%x: tensor<2x3x4xf32>) -> tensor<*xf32> {
  %s = "onnx.Constant"() {value = dense<[4, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %0 = "onnx.Reshape"(%x, %s) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Dynamic dims stay dynamic where nothing determines them; known ones are filled in.
// CHECK-LABEL: func.func @partial
// CHECK: "onnx.Add"{{.*}} -> tensor<?x3xf32>
func.func @partial(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Optional inputs that are absent (Clip without min/max) are not inputs.
// CHECK-LABEL: func.func @optional
// CHECK: "onnx.Clip"{{.*}} -> tensor<5xf32>
func.func @optional(%x: tensor<5xf32>) -> tensor<*xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Clip"(%x, %none, %none) : (tensor<5xf32>, none, none) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
