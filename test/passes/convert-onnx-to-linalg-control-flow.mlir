// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// If becomes scf.if on the condition's scalar; both branches keep their ops.
// CHECK-LABEL: func.func @if_static
// CHECK-SAME: (%[[COND:.+]]: tensor<i1>, %[[X:.+]]: tensor<3xf32>)
// CHECK: %[[C:.+]] = tensor.extract %[[COND]][] : tensor<i1>
// CHECK: %[[R:.+]] = scf.if %[[C]] -> (tensor<3xf32>)
// CHECK: math.exp
// CHECK: scf.yield
// CHECK: } else {
// CHECK: arith.negf
// CHECK: scf.yield
// CHECK: return %[[R]]
// CHECK-NOT: onnx.
func.func @if_static(%cond: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "onnx.If"(%cond) ({
    %n = "onnx.Neg"(%x) : (tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %n : tensor<3xf32>
  }, {
    %e = "onnx.Exp"(%x) : (tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %e : tensor<3xf32>
  }) : (tensor<i1>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
