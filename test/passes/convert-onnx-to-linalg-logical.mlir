// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Float comparisons are ordered; the result is i1.
// CHECK-LABEL: func.func @less_float
// CHECK: linalg.generic
// CHECK: arith.cmpf olt
// CHECK: -> tensor<3xi1>
func.func @less_float(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xi1> {
  %0 = "onnx.Less"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// Unsigned comparisons use unsigned predicates.
// CHECK-LABEL: func.func @greater_unsigned
// CHECK: arith.cmpi ugt
func.func @greater_unsigned(%a: tensor<3xui8>, %b: tensor<3xui8>) -> tensor<3xi1> {
  %0 = "onnx.Greater"(%a, %b) : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// Where broadcasts all three operands.
// CHECK-LABEL: func.func @where
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<2x3xi1>, tensor<3xf32>, tensor<f32>)
// CHECK: arith.select
func.func @where(%c: tensor<2x3xi1>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<2x3xf32> {
  %0 = "onnx.Where"(%c, %x, %y) : (tensor<2x3xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Integer Mod with fmod=0 takes the divisor's sign.
// CHECK-LABEL: func.func @mod_int
// CHECK: %[[R:.+]] = arith.remsi
// CHECK: arith.select %{{.+}}, %{{.+}}, %[[R]]
func.func @mod_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "onnx.Mod"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
