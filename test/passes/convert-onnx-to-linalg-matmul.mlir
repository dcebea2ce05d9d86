// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// A static 2-D MatMul is one linalg.matmul into a zero-filled init.
// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:.+]]: tensor<3x4xf32>, %[[B:.+]]: tensor<4x5xf32>)
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<3x5xf32>)
// CHECK: %[[R:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<3x4xf32>, tensor<4x5xf32>) outs(%[[INIT]] : tensor<3x5xf32>)
// CHECK: return %[[R]]
// CHECK-NOT: onnx.
func.func @matmul_2d(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// A static stack of matrices times one matrix (a Linear layer over
// [batch, sequence, features]): the rows stack into one 2-D linalg.matmul
// (which data tiling then packs), and the result is expanded back.
// CHECK-LABEL: func.func @matmul_stacked_rows
// CHECK-SAME: (%[[A:.+]]: tensor<2x3x4xf32>, %[[B:.+]]: tensor<4x5xf32>)
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<6x5xf32>)
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[ROWS]], %[[B]] : tensor<6x4xf32>, tensor<4x5xf32>) outs(%[[INIT]] : tensor<6x5xf32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]] output_shape [2, 3, 5] : tensor<6x5xf32> into tensor<2x3x5xf32>
// CHECK: return %[[R]]
func.func @matmul_stacked_rows(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

// Dynamic 2-D MatMul: the init takes M from A and N from B at run time.
// CHECK-LABEL: func.func @matmul_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x?xf32>, %[[B:.+]]: tensor<?x?xf32>)
// CHECK-DAG: %[[M:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?x?xf32>
// CHECK-DAG: %[[N:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?x?xf32>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<?x?xf32>)
// CHECK: %[[R:.+]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<?x?xf32>, tensor<?x?xf32>) outs(%[[INIT]] : tensor<?x?xf32>)
// CHECK: return %[[R]]
func.func @matmul_dynamic(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A dynamic vector operand is expanded to [k, 1] and the unit dim collapsed
// away again.
// CHECK-LABEL: func.func @matvec_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x?xf32>, %[[V:.+]]: tensor<?xf32>)
// CHECK: %[[K:.+]] = tensor.dim %[[V]]
// CHECK: %[[COL:.+]] = tensor.expand_shape %[[V]] {{\[}}[0, 1]] output_shape [%[[K]], 1] : tensor<?xf32> into tensor<?x1xf32>
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[A]], %[[COL]] : tensor<?x?xf32>, tensor<?x1xf32>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[P]] {{\[}}[0, 1]] : tensor<?x1xf32> into tensor<?xf32>
// CHECK: return %[[R]]
func.func @matvec_dynamic(%a: tensor<?x?xf32>, %v: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "onnx.MatMul"(%a, %v) : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Two dynamic batch dims may broadcast at run time: the batch size is their
// maximum, and the run time picks the plain contraction when both equal it,
// else a contraction over operands broadcast explicitly (index 0 where a
// batch dim is 1).
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-LABEL: func.func @matmul_batch_broadcast
// CHECK-SAME: (%[[A:.+]]: tensor<?x?x4xf32>, %[[B:.+]]: tensor<?x4x?xf32>)
// CHECK: %[[DA:.+]] = tensor.dim %[[A]], %{{.+}} : tensor<?x?x4xf32>
// CHECK: %[[DB:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?x4x?xf32>
// CHECK: %[[BATCH:.+]] = arith.maxui %[[DA]], %[[DB]] : index
// CHECK: arith.cmpi eq, %{{.+}}, %[[BATCH]]
// CHECK: arith.cmpi eq, %{{.+}}, %[[BATCH]]
// CHECK: %[[R:.+]] = scf.if %{{.+}} -> (tensor<?x?x?xf32>) {
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[B]] :
// CHECK: } else {
// CHECK: %[[BA:.+]] = linalg.generic
// CHECK: arith.select
// CHECK: tensor.extract %[[A]]
// CHECK: %[[BB:.+]] = linalg.generic
// CHECK: tensor.extract %[[B]]
// CHECK: linalg.generic {{.+}} ins(%[[BA]], %[[BB]] :
// CHECK: return %[[R]]
func.func @matmul_batch_broadcast(%a: tensor<?x?x4xf32>, %b: tensor<?x4x?xf32>) -> tensor<?x?x?xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<?x?x4xf32>, tensor<?x4x?xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// A static unit batch dim against a dynamic one stretches through its map:
// no run-time choice.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>
// CHECK-LABEL: func.func @matmul_batch_static_one
// CHECK-NOT: scf.if
// CHECK: linalg.generic {indexing_maps = [#[[LHS]],
func.func @matmul_batch_static_one(%a: tensor<1x3x4xf32>, %b: tensor<?x4x5xf32>) -> tensor<?x3x5xf32> {
  %0 = "onnx.MatMul"(%a, %b) : (tensor<1x3x4xf32>, tensor<?x4x5xf32>) -> tensor<?x3x5xf32>
  return %0 : tensor<?x3x5xf32>
}

// -----

// Dynamic Gemm with transA: M comes from A's dim 1, N from B's dim 1; C
// broadcasts at run time through the elementwise builder.
// CHECK-DAG: #[[A_MAP:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-LABEL: func.func @gemm_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x?xf32>, %[[B:.+]]: tensor<?x?xf32>, %[[C:.+]]: tensor<?xf32>)
// CHECK-DAG: %[[M:.+]] = tensor.dim %[[A]], %[[ONE:c1.*]] : tensor<?x?xf32>
// CHECK-DAG: %[[N:.+]] = tensor.dim %[[B]], %{{.+}} : tensor<?x?xf32>
// CHECK: tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[A_MAP]],
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: scf.if
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: onnx.
func.func @gemm_dynamic(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %c: tensor<?xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.Gemm"(%a, %b, %c) {transA = 1 : i64, beta = 2.0 : f32} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
