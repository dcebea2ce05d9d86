// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Add broadcasts its [3] operand along the leading dim of the result.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[E]]
// CHECK: arith.addf
// CHECK-NOT: onnx.
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Unsigned division keeps its signedness although the types become signless.
// CHECK-LABEL: func.func @div_unsigned
// CHECK-SAME: tensor<4xi8>
// CHECK: arith.divui
func.func @div_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = "onnx.Div"(%a, %b) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Clip with only a max: a single minimumf against the broadcast scalar.
// CHECK-LABEL: func.func @clip_max_only
// CHECK: linalg.generic
// CHECK-NOT: arith.maximumf
// CHECK: arith.minimumf
func.func @clip_max_only(%x: tensor<5xf32>, %hi: tensor<f32>) -> tensor<5xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Clip"(%x, %none, %hi) : (tensor<5xf32>, none, tensor<f32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// CHECK-LABEL: func.func @cast_float_to_int
// CHECK: arith.fptosi %{{.+}} : f32 to i32
func.func @cast_float_to_int(%x: tensor<3xf32>) -> tensor<3xi32> {
  %0 = "onnx.Cast"(%x) {to = 6 : i64} : (tensor<3xf32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// Two dynamic dims may broadcast against each other: the run time picks the
// plain generic when the sizes match and the general one otherwise. The
// result dim is the size that is not 1 (0 against 1 is 0), and 0 if either
// is 0. Sizes that neither match the result nor are 1 fail a run-time check
// naming the node (the model then returns an error instead of a result) and
// read nothing: the result is then zeros.
// CHECK-LABEL: func.func @add_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?xf32>, %[[B:.+]]: tensor<?xf32>)
// CHECK: %[[DA:.+]] = tensor.dim %[[A]]
// CHECK: %[[AZERO:.+]] = arith.cmpi eq, %[[DA]], %[[C0:.+]] : index
// CHECK: %[[DB:.+]] = tensor.dim %[[B]]
// CHECK: %[[BZERO:.+]] = arith.cmpi eq, %[[DB]], %[[C0]] : index
// CHECK: %[[ANYZERO:.+]] = arith.ori %[[AZERO]], %[[BZERO]]
// CHECK: %[[AONE:.+]] = arith.cmpi eq, %[[DA]], %[[C1:.+]] : index
// CHECK: %[[SIZE:.+]] = arith.select %[[AONE]], %[[DB]], %[[DA]]
// CHECK: %[[N:.+]] = arith.select %[[ANYZERO]], %[[C0]], %[[SIZE]]
// CHECK: %[[AEQ:.+]] = arith.cmpi eq, %{{.+}}, %[[N]]
// CHECK: %[[ASTRETCH:.+]] = arith.cmpi eq, %{{.+}}, %[[ONE:.+]] : index
// CHECK: arith.ori %[[AEQ]], %[[ASTRETCH]]
// CHECK: cf.assert %[[OK:.+]], "node 'add_0' (Add): input dims do not broadcast (each must equal the result's or be 1)"
// CHECK: %[[R:.+]] = scf.if %{{.+}} -> (tensor<?xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<?xf32>, tensor<?xf32>)
// CHECK: } else {
// CHECK: scf.if %[[OK]] -> (tensor<?xf32>)
// CHECK: linalg.generic
// CHECK: tensor.extract %[[A]]
// CHECK: tensor.extract %[[B]]
// CHECK: } else {
// CHECK: linalg.fill
// CHECK: return %[[R]]
func.func @add_dynamic(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  %0 = "onnx.Add"(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> loc("add_0"("Add"))
  return %0 : tensor<?xf32>
}

// -----

// Cast with dynamic dims: the result takes its size from the operand.
// CHECK-LABEL: func.func @cast_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x3xf32>)
// CHECK: %[[D:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3xf32>
// CHECK: %[[INIT:.+]] = tensor.empty(%[[D]]) : tensor<?x3xi32>
// CHECK: %[[R:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<?x3xf32>) outs(%[[INIT]] : tensor<?x3xi32>)
// CHECK: arith.fptosi
// CHECK: return %[[R]]
func.func @cast_dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xi32> {
  %0 = "onnx.Cast"(%x) {to = 6 : i64} : (tensor<?x3xf32>) -> tensor<?x3xi32>
  return %0 : tensor<?x3xi32>
}

// -----

// Identity forwards its operand; a result type with other static dims gets
// a tensor.cast.
// CHECK-LABEL: func.func @identity_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x3xf32>)
// CHECK: %[[R:.+]] = tensor.cast %[[X]] : tensor<?x3xf32> to tensor<?x?xf32>
// CHECK: return %[[R]]
func.func @identity_dynamic(%x: tensor<?x3xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.Identity"(%x) : (tensor<?x3xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
