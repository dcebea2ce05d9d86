// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// NLL loss with mean reduction: per-position loss and weight, then
// sum(loss) / sum(weight); ignored targets read class 0 with weight 0.
// CHECK-LABEL: func.func @nll_mean_ignore
// CHECK: %[[PICK:.+]]:2 = linalg.generic
// CHECK: %[[IGN:.+]] = arith.cmpi eq, %{{.+}}, %c-1_i64
// CHECK: %[[SAFE:.+]] = arith.select %[[IGN]]
// CHECK: arith.index_cast %[[SAFE]]
// CHECK: tensor.extract
// CHECK: %[[SUM:.+]] = linalg.reduce ins(%[[PICK]]#0
// CHECK: %[[WSUM:.+]] = linalg.reduce ins(%[[PICK]]#1
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[WSUM]]
// CHECK: arith.divf
func.func @nll_mean_ignore(%x: tensor<3x5xf32>, %t: tensor<3xi64>) -> tensor<f32> {
  %none = onnx.NoValue
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %none) {ignore_index = -1 : i64} : (tensor<3x5xf32>, tensor<3xi64>, none) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// SoftmaxCrossEntropyLoss takes log-softmax over the class axis first and can
// return it as its second output.
// CHECK-LABEL: func.func @sce_none_logprob
// CHECK: math.exp
// CHECK: math.log
// CHECK: %[[PICK:.+]]:2 = linalg.generic
// CHECK-NOT: linalg.reduce
// CHECK: return %[[PICK]]#0, %{{.+}} : tensor<2x4xf32>, tensor<2x3x4xf32>
func.func @sce_none_logprob(%s: tensor<2x3x4xf32>, %l: tensor<2x4xi32>) -> (tensor<2x4xf32>, tensor<2x3x4xf32>) {
  %none = onnx.NoValue
  %0:2 = "onnx.SoftmaxCrossEntropyLoss"(%s, %l, %none) {reduction = "none"} : (tensor<2x3x4xf32>, tensor<2x4xi32>, none) -> (tensor<2x4xf32>, tensor<2x3x4xf32>)
  return %0#0, %0#1 : tensor<2x4xf32>, tensor<2x3x4xf32>
}

// -----

// Dynamic batch: every init is sized from the inputs at run time.
// CHECK-LABEL: func.func @nll_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x5xf32>, %[[T:.+]]: tensor<?xi64>)
// CHECK: %[[N:.+]] = tensor.dim %[[T]], %{{.+}} : tensor<?xi64>
// CHECK: tensor.empty(%[[N]]) : tensor<?xf32>
// CHECK: linalg.reduce
func.func @nll_dynamic(%x: tensor<?x5xf32>, %t: tensor<?xi64>) -> tensor<f32> {
  %none = onnx.NoValue
  %0 = "onnx.NegativeLogLikelihoodLoss"(%x, %t, %none) {reduction = "sum"} : (tensor<?x5xf32>, tensor<?xi64>, none) -> tensor<f32>
  return %0 : tensor<f32>
}
