// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Round is round-half-to-even, as ONNX defines it.
// CHECK-LABEL: func.func @round
// CHECK: linalg.generic
// CHECK: math.roundeven
func.func @round(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Round"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Elu: alpha * expm1(x) below zero, x elsewhere.
// CHECK-LABEL: func.func @elu
// CHECK: ^bb0(%[[X:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[ALPHA:.+]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[E:.+]] = math.expm1 %[[X]]
// CHECK: %[[NEG:.+]] = arith.cmpf olt, %[[X]]
// CHECK: %[[S:.+]] = arith.mulf %[[ALPHA]], %[[E]]
// CHECK: arith.select %[[NEG]], %[[S]], %[[X]]
func.func @elu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "onnx.Elu"(%x) {alpha = 2.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// PRelu broadcasts its slope like any binary op.
// CHECK-DAG: #[[SLOPE:.+]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-LABEL: func.func @prelu
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[SLOPE]], #{{.+}}]
// CHECK: arith.select
func.func @prelu(%x: tensor<2x3x4xf32>, %slope: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = "onnx.PRelu"(%x, %slope) : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Sign of a signed integer picks -1, 0 or 1.
// CHECK-LABEL: func.func @sign_int
// CHECK: arith.cmpi sgt
// CHECK: arith.cmpi slt
func.func @sign_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "onnx.Sign"(%x) : (tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
