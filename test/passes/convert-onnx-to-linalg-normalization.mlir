// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Inference BatchNormalization: one elementwise generic, the per-channel
// operands indexed by dim 1.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batchnorm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4x5xf32>, %[[S:[^:]+]]: tensor<3xf32>, %[[B:[^:]+]]: tensor<3xf32>, %[[M:[^:]+]]: tensor<3xf32>, %[[V:[^:]+]]: tensor<3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[S]], %[[B]], %[[M]], %[[V]] :
// CHECK: arith.addf
// CHECK: math.sqrt
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK-NOT: onnx.
func.func @batchnorm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %y, %rm, %rv = "onnx.BatchNormalization"(%x, %s, %b, %m, %v) {epsilon = 1.0e-2 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, none, none)
  return %y : tensor<2x3x4x5xf32>
}

// -----

// Softmax along the last axis (default): max-reduce, exp(x - max), sum, divide.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @softmax_default_axis
// CHECK-SAME: (%[[X:.+]]: tensor<3x4x5xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<3x4x5xf32>) outs(%{{.+}} : tensor<3x4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[EXP:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[MAX]] :
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[EXP]] :
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[EXP]], %[[SUM]] :
// CHECK: arith.divf
// CHECK-NOT: onnx.
func.func @softmax_default_axis(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = "onnx.Softmax"(%x) : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// Softmax along axis 0 reduces the leading dim only.
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @softmax_axis_0
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[RED]]], iterator_types = ["reduction", "parallel", "parallel"]}
func.func @softmax_axis_0(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = "onnx.Softmax"(%x) {axis = 0 : i64} : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// LogSoftmax: x - max - log(sum(exp(x - max))).
// CHECK-LABEL: func.func @logsoftmax_negative_axis
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[SUM]] :
// CHECK: math.log
// CHECK-NOT: arith.divf
func.func @logsoftmax_negative_axis(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = "onnx.LogSoftmax"(%x) {axis = -2 : i64} : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}
