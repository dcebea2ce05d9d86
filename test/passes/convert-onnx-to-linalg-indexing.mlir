// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// GatherElements: a run-time check that every index is in [-3, 3) (one
// pass over the flattened indices), then one generic over indices; the
// index replaces the axis coordinate, wrapped when negative, and one still
// outside reads row 0 (the check has failed the run).
// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME: (%[[D:.+]]: tensor<3x4xf32>, %[[I:.+]]: tensor<2x4xi64>)
// CHECK: %[[DIM:.+]] = arith.constant 3 : index
// CHECK: %[[OK:.+]] = scf.for
// CHECK: cf.assert %[[OK]], "node {{.*}}(GatherElements): an index is out of range
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[I]] : tensor<2x4xi64>)
// CHECK: ^bb0(%[[IDX:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[J:.+]] = linalg.index 1
// CHECK: %[[C:.+]] = arith.index_cast %[[IDX]] : i64 to index
// CHECK: %[[NEG:.+]] = arith.cmpi slt, %[[C]]
// CHECK: %[[ADD:.+]] = arith.addi %[[C]], %[[DIM]]
// CHECK: %[[W:.+]] = arith.select %[[NEG]], %[[ADD]], %[[C]]
// CHECK: %[[IN:.+]] = arith.cmpi ult, %[[W]], %[[DIM]]
// CHECK: %[[SAFE:.+]] = arith.select %[[IN]], %[[W]], %{{.+}}
// CHECK: tensor.extract %[[D]][%[[SAFE]], %[[J]]]
// CHECK-NOT: onnx.GatherElements
func.func @gather_elements(%d: tensor<3x4xf32>, %i: tensor<2x4xi64>) -> tensor<2x4xf32> {
  %0 = "onnx.GatherElements"(%d, %i) {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2x4xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// GatherND with batch_dims = 1: the indices checked against the indexed
// dim (3), then the batch coordinate and the indexed coordinate (wrapped,
// then zero if still outside).
// CHECK-LABEL: func.func @gather_nd_batch
// CHECK-SAME: (%[[D:.+]]: tensor<2x3x4xi32>, %[[I:.+]]: tensor<2x1xi64>)
// CHECK: cf.assert %{{.+}}, "node {{.*}}(GatherND): an index is out of range
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<2x4xi32>)
// CHECK: %[[B:.+]] = linalg.index 0
// CHECK: %[[T:.+]] = linalg.index 1
// CHECK: %[[IDX:.+]] = tensor.extract %[[I]][%[[B]], %{{.+}}] : tensor<2x1xi64>
// CHECK: arith.index_cast %[[IDX]]
// CHECK: arith.select
// CHECK: %[[W:.+]] = arith.select
// CHECK: tensor.extract %[[D]][%[[B]], %[[W]], %[[T]]] : tensor<2x3x4xi32>
func.func @gather_nd_batch(%d: tensor<2x3x4xi32>, %i: tensor<2x1xi64>) -> tensor<2x4xi32> {
  %0 = "onnx.GatherND"(%d, %i) {batch_dims = 1 : i64} : (tensor<2x3x4xi32>, tensor<2x1xi64>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

// ScatterElements: data is the generic's init; a reduction dim runs over the
// update slots along the axis (extent from a splat constant), each slot
// whose index hits the element is folded in.
// CHECK-DAG: #[[SLOTS:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @scatter_elements_mul
// CHECK-SAME: (%[[D:.+]]: tensor<4x5xf32>, %[[I:.+]]: tensor<2x5xi32>, %[[U:.+]]: tensor<2x5xf32>)
// CHECK: %[[EXTENT:.+]] = arith.constant dense<false> : tensor<2xi1>
// CHECK: linalg.generic {indexing_maps = [#[[SLOTS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[EXTENT]] : tensor<2xi1>) outs(%[[D]] : tensor<4x5xf32>)
// CHECK: ^bb0(%{{.+}}: i1, %[[ACC:.+]]: f32):
// CHECK: %[[P0:.+]] = linalg.index 0
// CHECK: %[[P1:.+]] = linalg.index 1
// CHECK: %[[K:.+]] = linalg.index 2
// CHECK: tensor.extract %[[I]][%[[K]], %[[P1]]] : tensor<2x5xi32>
// CHECK: %[[W:.+]] = arith.select
// CHECK: %[[HIT:.+]] = arith.cmpi eq, %[[W]], %[[P0]]
// CHECK: %[[UPD:.+]] = tensor.extract %[[U]][%[[K]], %[[P1]]]
// CHECK: %[[M:.+]] = arith.mulf %[[ACC]], %[[UPD]]
// CHECK: arith.select %[[HIT]], %[[M]], %[[ACC]]
func.func @scatter_elements_mul(%d: tensor<4x5xf32>, %i: tensor<2x5xi32>, %u: tensor<2x5xf32>) -> tensor<4x5xf32> {
  %0 = "onnx.ScatterElements"(%d, %i, %u) {axis = 0 : i64, reduction = "mul"} : (tensor<4x5xf32>, tensor<2x5xi32>, tensor<2x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// ScatterElements with updates narrower than data off the axis: slots are
// only valid inside the updates' extent.
// CHECK-LABEL: func.func @scatter_elements_partial
// CHECK: linalg.generic
// CHECK: %[[P0:.+]] = linalg.index 0
// CHECK: %[[FITS:.+]] = arith.cmpi slt, %[[P0]], %{{.+}} : index
// CHECK: %[[HIT:.+]] = arith.cmpi eq
// CHECK: %[[BOTH:.+]] = arith.andi %[[HIT]], %[[FITS]]
// CHECK: arith.select %[[BOTH]]
func.func @scatter_elements_partial(%d: tensor<3x5xi64>, %i: tensor<1x2xi64>, %u: tensor<1x2xi64>) -> tensor<3x5xi64> {
  %0 = "onnx.ScatterElements"(%d, %i, %u) {axis = 1 : i64} : (tensor<3x5xi64>, tensor<1x2xi64>, tensor<1x2xi64>) -> tensor<3x5xi64>
  return %0 : tensor<3x5xi64>
}

// -----

// ScatterND: reduction dims over indices.shape[:-1]; indices is read through
// (slot, 0), which also gives those dims their extent.
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d2, 0)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @scatter_nd_add
// CHECK-SAME: (%[[D:.+]]: tensor<4x5xf32>, %[[I:.+]]: tensor<3x1xi64>, %[[U:.+]]: tensor<3x5xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[I]] : tensor<3x1xi64>) outs(%[[D]] : tensor<4x5xf32>)
// CHECK: ^bb0(%[[IN:.+]]: i64, %[[ACC:.+]]: f32):
// CHECK: %[[P0:.+]] = linalg.index 0
// CHECK: %[[P1:.+]] = linalg.index 1
// CHECK: %[[S:.+]] = linalg.index 2
// CHECK: arith.index_cast %[[IN]]
// CHECK: %[[W:.+]] = arith.select
// CHECK: %[[HIT:.+]] = arith.cmpi eq, %[[W]], %[[P0]]
// CHECK: %[[UPD:.+]] = tensor.extract %[[U]][%[[S]], %[[P1]]]
// CHECK: %[[SUM:.+]] = arith.addf %[[ACC]], %[[UPD]]
// CHECK: arith.select %[[HIT]], %[[SUM]], %[[ACC]]
func.func @scatter_nd_add(%d: tensor<4x5xf32>, %i: tensor<3x1xi64>, %u: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %0 = "onnx.ScatterND"(%d, %i, %u) {reduction = "add"} : (tensor<4x5xf32>, tensor<3x1xi64>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// OneHot: depth is the result's dim on the axis; negative indices wrap.
// CHECK-LABEL: func.func @one_hot
// CHECK-SAME: (%[[I:.+]]: tensor<3xi64>, %{{.+}}: tensor<f32>, %[[V:.+]]: tensor<2xf32>)
// CHECK-DAG: %[[OFF:.+]] = tensor.extract %[[V]][%{{.+}}] : tensor<2xf32>
// CHECK-DAG: %[[ON:.+]] = tensor.extract %[[V]][%{{.+}}] : tensor<2xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[I]] : tensor<3xi64>)
// CHECK: %[[DEPTH:.+]] = arith.constant 10 : index
// CHECK: %[[W:.+]] = arith.select
// CHECK: %[[AX:.+]] = linalg.index 1
// CHECK: %[[HIT:.+]] = arith.cmpi eq, %[[W]], %[[AX]]
// CHECK: arith.select %[[HIT]], %[[ON]], %[[OFF]]
func.func @one_hot(%i: tensor<3xi64>, %d: tensor<f32>, %v: tensor<2xf32>) -> tensor<3x10xf32> {
  %0 = "onnx.OneHot"(%i, %d, %v) {axis = 1 : i64} : (tensor<3xi64>, tensor<f32>, tensor<2xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

// Compress with a constant condition selecting a contiguous run is a slice.
// CHECK-LABEL: func.func @compress_slice
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[S:.+]] = tensor.extract_slice %[[X]][0, 1] [3, 2] [1, 1] : tensor<3x4xf32> to tensor<3x2xf32>
// CHECK: return %[[S]]
func.func @compress_slice(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %c = "onnx.Constant"() {value = dense<[false, true, true]> : tensor<3xi1>} : () -> tensor<3xi1>
  %0 = "onnx.Compress"(%x, %c) {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Compress without an axis flattens; scattered selections gather from a
// constant table of positions.
// CHECK-LABEL: func.func @compress_flat
// CHECK-SAME: (%[[X:.+]]: tensor<2x2xf32>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[X]]
// CHECK: %[[POS:.+]] = arith.constant dense<[0, 3]> : tensor<2xi64>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[POS]] : tensor<2xi64>)
// CHECK: tensor.extract %[[FLAT]]
func.func @compress_flat(%x: tensor<2x2xf32>) -> tensor<2xf32> {
  %c = "onnx.Constant"() {value = dense<[true, false, false, true]> : tensor<4xi1>} : () -> tensor<4xi1>
  %0 = "onnx.Compress"(%x, %c) : (tensor<2x2xf32>, tensor<4xi1>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A run-time condition with a declared static result: positions come from a
// running count of the condition, the number of true entries is checked
// against the declared length, and the read is clamped into the input.
// CHECK-LABEL: func.func @compress_runtime
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>, %[[C:.+]]: tensor<3xi1>)
// CHECK: %[[COUNTS:.+]] = linalg.generic
// CHECK-SAME: ins(%[[C]] : tensor<3xi1>)
// CHECK: %[[POS:.+]] = linalg.generic
// CHECK-SAME: ins(%[[COUNTS]] : tensor<3xi64>)
// CHECK: %[[TRUE:.+]] = linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[C]] : tensor<3xi1>)
// CHECK: %[[SELECTED:.+]] = tensor.extract %[[TRUE]][]
// CHECK: %[[N:.+]] = arith.index_cast %[[SELECTED]]
// CHECK: %[[OK:.+]] = arith.cmpi eq, %[[N]], %{{.+}} : index
// CHECK: cf.assert %[[OK]], "node '<unnamed>' (Compress): the condition selects another number of entries than the output's declared size 2"
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[POS]] : tensor<2xi64>)
// CHECK: arith.minsi
// CHECK: tensor.extract %[[X]]
func.func @compress_runtime(%x: tensor<3x2xf32>, %c: tensor<3xi1>) -> tensor<2x2xf32> {
  %0 = "onnx.Compress"(%x, %c) {axis = 0 : i64} : (tensor<3x2xf32>, tensor<3xi1>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @scatter_reduction(%d: tensor<4xf32>, %i: tensor<1x1xi64>, %u: tensor<1xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{node '<unnamed>' (ScatterND): reduction 'xor' is not supported}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.ScatterND"(%d, %i, %u) {reduction = "xor"} : (tensor<4xf32>, tensor<1x1xi64>, tensor<1xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compress_count(%x: tensor<4xf32>) -> tensor<3xf32> {
  %c = "onnx.Constant"() {value = dense<[true, false, false, true]> : tensor<4xi1>} : () -> tensor<4xi1>
  // expected-error @+2 {{(Compress): condition selects 2 entries but the result type has 3}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Compress"(%x, %c) {axis = 0 : i64} : (tensor<4xf32>, tensor<4xi1>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @one_hot_depth(%i: tensor<3xi64>, %v: tensor<2xf32>) -> tensor<3x10xf32> {
  %d = "onnx.Constant"() {value = dense<4> : tensor<i64>} : () -> tensor<i64>
  // expected-error @+2 {{(OneHot): depth 4 does not match the result type 'tensor<3x10xf32>'}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.OneHot"(%i, %d, %v) {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

// OneHot with a run-time depth: the axis size is the depth value, checked
// (>= 0, at most 2^31 elements in all) and 0 when the check fails.
// CHECK-LABEL: func.func @onehot_dynamic
// CHECK: %[[D:.+]] = tensor.extract %arg1[] : tensor<i64>
// CHECK: %[[DI:.+]] = arith.index_cast %[[D]]
// CHECK: cf.assert %[[OK:.+]], "node {{.*}}(OneHot): depth must be >= 0 and the result at most 2^31 elements"
// CHECK: %[[DEPTH:.+]] = arith.select %[[OK]], %[[DI]], %c0
// CHECK: tensor.empty(%{{.+}}, %[[DEPTH]]) : tensor<?x?xf32>
func.func @onehot_dynamic(%i: tensor<?xi64>, %d: tensor<i64>, %v: tensor<2xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.OneHot"(%i, %d, %v) {axis = -1 : i64} : (tensor<?xi64>, tensor<i64>, tensor<2xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// GatherND with a run-time indices.shape[-1]: the ranks imply it.
// CHECK-LABEL: func.func @gathernd_dynamic
// CHECK: tensor.cast %arg1 : tensor<?x?xi64> to tensor<?x2xi64>
// CHECK: linalg.generic
func.func @gathernd_dynamic(%x: tensor<?x?xf32>, %i: tensor<?x?xi64>) -> tensor<?xf32> {
  %0 = "onnx.GatherND"(%x, %i) : (tensor<?x?xf32>, tensor<?x?xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// ScatterElements of dynamic shapes: the reduction extent is an unread empty tensor.
// CHECK-LABEL: func.func @scatter_elements_dynamic
// CHECK: %[[EXTENT:.+]] = tensor.empty(%{{.+}}) : tensor<?xi1>
// CHECK: linalg.generic {{.+}} ins(%[[EXTENT]] : tensor<?xi1>) outs(%arg0 : tensor<?x?xf32>)
func.func @scatter_elements_dynamic(%x: tensor<?x?xf32>, %i: tensor<?x?xi64>, %u: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.ScatterElements"(%x, %i, %u) {axis = 0 : i64} : (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Compress with a run-time condition and dynamic dims: the result length
// along the axis is the run-time count of true conditions.
// CHECK-LABEL: func.func @compress_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xf32>, %[[C:.+]]: tensor<?xi1>)
// CHECK: %[[LEN:.+]] = arith.minsi
// CHECK: %[[COND:.+]] = tensor.extract_slice %[[C]][0] [%[[LEN]]] [1] : tensor<?xi1> to tensor<?xi1>
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[COND]] : tensor<?xi1>)
// CHECK: %[[COUNT64:.+]] = tensor.extract %[[SUM]][] : tensor<i64>
// CHECK: %[[COUNT:.+]] = arith.index_cast %[[COUNT64]] : i64 to index
// CHECK: %[[RUNNING:.+]] = linalg.generic {{.+}} ins(%[[COND]] : tensor<?xi1>) outs(%{{.+}} : tensor<?xi64>)
// CHECK: %[[POS:.+]] = linalg.generic {{.+}} ins(%[[RUNNING]] : tensor<?xi64>) outs(%{{.+}} : tensor<?xi64>)
// CHECK: %[[EMPTY:.+]] = tensor.empty(%{{.+}}, %[[COUNT]]) : tensor<?x?xf32>
// CHECK: %[[OUT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[POS]] : tensor<?xi64>) outs(%[[EMPTY]] : tensor<?x?xf32>)
// CHECK: tensor.extract %[[X]]
// CHECK: return %[[OUT]]
func.func @compress_dynamic(%x: tensor<?x?xf32>, %c: tensor<?xi1>) -> tensor<?x?xf32> {
  %0 = "onnx.Compress"(%x, %c) {axis = 1 : i64} : (tensor<?x?xf32>, tensor<?xi1>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
