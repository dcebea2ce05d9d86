// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// Batched matmul: output labels b, i, k are the parallel loops in output
// order, the summed label j the reduction loop after them. Spaces in the
// equation are ignored.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_matmul
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %[[Y:.+]]: tensor<2x4x5xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<2x3x4xf32>, tensor<2x4x5xf32>) outs(%[[ACC]] : tensor<2x3x5xf32>)
// CHECK: ^bb0(%[[VA:.+]]: f32, %[[VB:.+]]: f32, %[[VO:.+]]: f32):
// CHECK: %[[P:.+]] = arith.mulf %[[VA]], %[[VB]] : f32
// CHECK: %[[S:.+]] = arith.addf %[[VO]], %[[P]] : f32
// CHECK: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
// CHECK-NOT: onnx.
func.func @batch_matmul(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = "onnx.Einsum"(%a, %b) {equation = "bij, bjk -> bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// A label repeated within one operand reads its diagonal: both dims map to
// the same loop. The ellipsis stands for the leading batch dim.
// CHECK-DAG: #[[DIAG:.+]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @batch_diagonal
// CHECK: linalg.generic {indexing_maps = [#[[DIAG]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: outs(%{{.+}} : tensor<3x5xf64>)
func.func @batch_diagonal(%x: tensor<3x5x5xf64>) -> tensor<3x5xf64> {
  %0 = "onnx.Einsum"(%x) {equation = "...ii ->...i"} : (tensor<3x5x5xf64>) -> tensor<3x5xf64>
  return %0 : tensor<3x5xf64>
}

// -----

// Implicit output of "ii": no label appears once, so the diagonal is summed
// into a scalar (the trace); integers multiply and add with muli/addi.
// CHECK-DAG: #[[DIAG:.+]] = affine_map<(d0) -> (d0, d0)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @trace
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i32
// CHECK: linalg.generic {indexing_maps = [#[[DIAG]], #[[SCALAR]]]
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK: arith.addi
// CHECK-SAME: : i32
func.func @trace(%x: tensor<4x4xi32>) -> tensor<i32> {
  %0 = "onnx.Einsum"(%x) {equation = "ii"} : (tensor<4x4xi32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// Three operands, two summed labels: one generic, the product of all three.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @chain
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: ^bb0(%[[VA:.+]]: f32, %[[VB:.+]]: f32, %[[VC:.+]]: f32, %[[VO:.+]]: f32):
// CHECK: %[[P1:.+]] = arith.mulf %[[VA]], %[[VB]] : f32
// CHECK: %[[P2:.+]] = arith.mulf %[[P1]], %[[VC]] : f32
// CHECK: arith.addf %[[VO]], %[[P2]] : f32
// CHECK-NOT: linalg.generic
func.func @chain(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4x2xf32>) -> tensor<2x2xf32> {
  %0 = "onnx.Einsum"(%a, %b, %c) {equation = "ij,jk,kl->il"} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Implicit output with ellipses: the broadcast ellipsis dims (2x1 against 5,
// right-aligned), then i and k. A's size-1 ellipsis dim reads element 0.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @ellipsis_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[OUT]]]
// CHECK-SAME: outs(%{{.+}} : tensor<2x5x3x2xf32>)
func.func @ellipsis_broadcast(%a: tensor<2x1x3x4xf32>, %b: tensor<5x4x2xf32>) -> tensor<2x5x3x2xf32> {
  %0 = "onnx.Einsum"(%a, %b) {equation = "...ij,...jk"} : (tensor<2x1x3x4xf32>, tensor<5x4x2xf32>) -> tensor<2x5x3x2xf32>
  return %0 : tensor<2x5x3x2xf32>
}

// -----

func.func @rank_mismatch(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{node '<unnamed>' (Einsum): equation 'ijk->i': term 'ijk' has 3 labels for an operand of rank 2}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Einsum"(%x) {equation = "ijk->i"} : (tensor<3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @size_mismatch(%a: tensor<3xf32>, %b: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+2 {{node '<unnamed>' (Einsum): equation 'i,i': label sizes 3 and 4 differ}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Einsum"(%a, %b) {equation = "i,i"} : (tensor<3xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @unknown_output_label(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{node '<unnamed>' (Einsum): equation 'i->j': output label 'j' is not in any input}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Einsum"(%x) {equation = "i->j"} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Dynamic dims: label sizes come from the operands' dims at run time.
// CHECK-LABEL: func.func @dynamic_matmul
// CHECK-SAME: (%[[A:.+]]: tensor<?x?xf32>, %[[B:.+]]: tensor<?x5xf32>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK: %[[I:.+]] = tensor.dim %[[A]], %[[C0]]
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[I]]) : tensor<?x5xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<?x5xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<?x?xf32>, tensor<?x5xf32>) outs(%[[INIT]] : tensor<?x5xf32>)
func.func @dynamic_matmul(%a: tensor<?x?xf32>, %b: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %0 = "onnx.Einsum"(%a, %b) {equation = "ij,jk->ik"} : (tensor<?x?xf32>, tensor<?x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}
