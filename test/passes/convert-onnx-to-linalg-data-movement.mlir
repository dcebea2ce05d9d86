// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Unsigned constants keep their bits and become signless.
// CHECK-LABEL: func.func @constant_unsigned
// CHECK: %[[C:.+]] = arith.constant dense<[1, -1]> : tensor<2xi8>
// CHECK: return %[[C]]
// CHECK-NOT: onnx.
func.func @constant_unsigned() -> tensor<2xui8> {
  %0 = "onnx.Constant"() {value = dense<[1, 255]> : tensor<2xui8>} : () -> tensor<2xui8>
  return %0 : tensor<2xui8>
}

// -----

// value_ints becomes a dense i64 constant.
// CHECK-LABEL: func.func @constant_ints
// CHECK: arith.constant dense<[3, 4]> : tensor<2xi64>
func.func @constant_ints() -> tensor<2xi64> {
  %0 = "onnx.Constant"() {value_ints = array<i64: 3, 4>} : () -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Resource blobs keep their handle; only the type becomes signless.
// CHECK-LABEL: func.func @constant_resource
// CHECK: arith.constant dense_resource<blob> : tensor<2xi8>
// CHECK-NOT: onnx.
func.func @constant_resource() -> tensor<2xui8> {
  %0 = "onnx.Constant"() {value = dense_resource<blob> : tensor<2xui8>} : () -> tensor<2xui8>
  return %0 : tensor<2xui8>
}
{-#
  dialect_resources: {
    builtin: {
      blob: "0x010000000102"
    }
  }
#-}

// -----

// Reshape reads only the result type; a merge of dims is a collapse.
// CHECK-LABEL: func.func @reshape_collapse
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>, %{{.+}}: tensor<2xi64>)
// CHECK: %[[R:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1, 2]] : tensor<2x3x4xf32> into tensor<2x12xf32>
// CHECK: return %[[R]]
// CHECK-NOT: onnx.
func.func @reshape_collapse(%x: tensor<2x3x4xf32>, %shape: tensor<2xi64>) -> tensor<2x12xf32> {
  %0 = "onnx.Reshape"(%x, %shape) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// A reshape that is neither a collapse nor an expand.
// CHECK-LABEL: func.func @reshape_general
// CHECK: tensor.reshape %{{.+}}(%{{.+}}) : (tensor<2x3xf32>, tensor<2xindex>) -> tensor<3x2xf32>
func.func @reshape_general(%x: tensor<2x3xf32>, %shape: tensor<2xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.Reshape"(%x, %shape) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A shape read at run time is checked against the input's element count
// before the reshape; when the check fails the result dims are 0.
// CHECK-LABEL: func.func @reshape_runtime_shape
// CHECK: cf.assert %[[OK:.+]], "node {{.*}}(Reshape): the shape does not hold exactly the input's elements
// CHECK: %[[D0:.+]] = arith.select %[[OK]], %{{.+}}, %[[C0:.+]] : index
// CHECK: %[[D1:.+]] = arith.select %[[OK]], %{{.+}}, %[[C0]] : index
// CHECK: %[[SHAPE:.+]] = tensor.from_elements %[[D0]], %[[D1]] : tensor<2xindex>
// CHECK: tensor.reshape %{{.+}}(%[[SHAPE]]) : (tensor<6xf32>, tensor<2xindex>) -> tensor<?x?xf32>
func.func @reshape_runtime_shape(%x: tensor<6xf32>, %shape: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = "onnx.Reshape"(%x, %shape) : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze_squeeze_flatten
// CHECK: %[[U:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2], [3]] output_shape [1, 3, 4, 5] : tensor<3x4x5xf32> into tensor<1x3x4x5xf32>
// CHECK: %[[S:.+]] = tensor.collapse_shape %[[U]] {{\[}}[0, 1], [2], [3]] : tensor<1x3x4x5xf32> into tensor<3x4x5xf32>
// CHECK: tensor.collapse_shape %[[S]] {{\[}}[0], [1, 2]] : tensor<3x4x5xf32> into tensor<3x20xf32>
// CHECK-NOT: onnx.
func.func @unsqueeze_squeeze_flatten(%x: tensor<3x4x5xf32>, %axes: tensor<1xi64>) -> tensor<3x20xf32> {
  %0 = "onnx.Unsqueeze"(%x, %axes) : (tensor<3x4x5xf32>, tensor<1xi64>) -> tensor<1x3x4x5xf32>
  %1 = "onnx.Squeeze"(%0, %axes) : (tensor<1x3x4x5xf32>, tensor<1xi64>) -> tensor<3x4x5xf32>
  %2 = "onnx.Flatten"(%1) {axis = 1 : i64} : (tensor<3x4x5xf32>) -> tensor<3x20xf32>
  return %2 : tensor<3x20xf32>
}

// -----

// Transpose without perm reverses the dims.
// CHECK-LABEL: func.func @transpose_default
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<4x3x2xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x3x2xf32>) permutation = [2, 1, 0]
// CHECK-NOT: onnx.
func.func @transpose_default(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = "onnx.Transpose"(%x) : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return %0 : tensor<4x3x2xf32>
}

// -----

// A dim static on one side only (refinement knew the result's, not the
// input's; or the other way round) is static on both for linalg.transpose,
// which wants them equal: the input is cast, the result cast back.
// CHECK-LABEL: func.func @transpose_partly_static
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x4xf32>)
// CHECK: %[[C:.+]] = tensor.cast %[[X]] : tensor<?x3x4xf32> to tensor<1x3x4xf32>
// CHECK: %[[E:.+]] = tensor.empty() : tensor<4x1x3xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[C]] : tensor<1x3x4xf32>) outs(%[[E]] : tensor<4x1x3xf32>) permutation = [2, 0, 1]
// CHECK: %[[R:.+]] = tensor.cast %[[T]] : tensor<4x1x3xf32> to tensor<?x1x3xf32>
// CHECK: return %[[R]]
func.func @transpose_partly_static(%x: tensor<?x3x4xf32>) -> tensor<?x1x3xf32> {
  %0 = "onnx.Transpose"(%x) {perm = array<i64: 2, 0, 1>} : (tensor<?x3x4xf32>) -> tensor<?x1x3xf32>
  return %0 : tensor<?x1x3xf32>
}

// -----

// Concat along a negative axis: one insert_slice per input at its offset.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<2x1xf32>)
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[I0:.+]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: %[[I1:.+]] = tensor.insert_slice %[[B]] into %[[I0]][0, 3] [2, 1] [1, 1]
// CHECK: return %[[I1]]
// CHECK-NOT: onnx.
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> tensor<2x4xf32> {
  %0 = "onnx.Concat"(%a, %b) {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Constant positive-step slice with an INT_MAX end and a negative start.
// CHECK-LABEL: func.func @slice_static
// CHECK-SAME: (%[[X:.+]]: tensor<20x10xf32>)
// CHECK: tensor.extract_slice %[[X]][0, 7] [20, 3] [1, 1] : tensor<20x10xf32> to tensor<20x3xf32>
// CHECK-NOT: onnx.
func.func @slice_static(%x: tensor<20x10xf32>) -> tensor<20x3xf32> {
  %starts = "onnx.Constant"() {value = dense<[-3]> : tensor<1xi64>} : () -> tensor<1xi64>
  %ends = "onnx.Constant"() {value = dense<[9223372036854775807]> : tensor<1xi64>} : () -> tensor<1xi64>
  %axes = "onnx.Constant"() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %none = onnx.NoValue
  %0 = "onnx.Slice"(%x, %starts, %ends, %axes, %none) : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<20x3xf32>
  return %0 : tensor<20x3xf32>
}

// -----

// Negative steps: a generic reading data[start + i * step].
// CHECK-LABEL: func.func @slice_negative_step
// CHECK-SAME: (%[[X:.+]]: tensor<10xf32>)
// CHECK-DAG: %[[START:.+]] = arith.constant 9 : index
// CHECK-DAG: %[[STEP:.+]] = arith.constant -2 : index
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 0 : index
// CHECK: %[[M:.+]] = arith.muli %[[I]], %[[STEP]]
// CHECK: %[[P:.+]] = arith.addi %[[START]], %[[M]]
// CHECK: tensor.extract %[[X]][%[[P]]]
// CHECK-NOT: onnx.
func.func @slice_negative_step(%x: tensor<10xf32>) -> tensor<5xf32> {
  %starts = "onnx.Constant"() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
  %ends = "onnx.Constant"() {value = dense<[-9223372036854775808]> : tensor<1xi64>} : () -> tensor<1xi64>
  %axes = "onnx.Constant"() {value = dense<[0]> : tensor<1xi64>} : () -> tensor<1xi64>
  %steps = "onnx.Constant"() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Slice"(%x, %starts, %ends, %axes, %steps) : (tensor<10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Run-time starts and axes: each dim's start and step are selected and
// clamped as scalars; with positive steps one extract_slice takes them.
// CHECK-LABEL: func.func @slice_runtime
// CHECK: tensor.extract %{{.+}}[%{{.+}}] : tensor<2xi64>
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.select
// CHECK: tensor.extract_slice %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] [3, 10, 5] [%{{.+}}, %{{.+}}, %{{.+}}] : tensor<20x10x5xf32> to tensor<3x10x5xf32>
// CHECK-NOT: onnx.
func.func @slice_runtime(%x: tensor<20x10x5xf32>, %starts: tensor<2xi64>, %ends: tensor<2xi64>, %axes: tensor<2xi64>) -> tensor<3x10x5xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Slice"(%x, %starts, %ends, %axes, %none) : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, none) -> tensor<3x10x5xf32>
  return %0 : tensor<3x10x5xf32>
}

// -----

// Gather on axis 1 with 2-D indices: every index is first checked to be in
// [-4, 4) (one pass over the flattened indices, then a run-time check naming
// the node); the result iterates (i, j0, j1, k), negative indices wrap by the
// axis size, and one still outside reads element 0 (the run fails anyway).
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[D:.+]]: tensor<3x4x5xf32>, %[[I:.+]]: tensor<2x2xi64>)
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[I]] {{\[\[}}0, 1]] : tensor<2x2xi64> into tensor<4xi64>
// CHECK: %[[OK:.+]] = scf.for
// CHECK: tensor.extract %[[FLAT]]
// CHECK-DAG: arith.cmpi sge
// CHECK-DAG: arith.cmpi slt
// CHECK: cf.assert %[[OK]], "node {{.*}}(Gather): an index is out of range (each must be in [-n, n) for an axis of n elements)"
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #{{.+}}]
// CHECK-SAME: ins(%[[I]] : tensor<2x2xi64>)
// CHECK: ^bb0(%[[V:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[C:.+]] = arith.index_cast %[[V]] : i64 to index
// CHECK: %[[N:.+]] = arith.cmpi slt, %[[C]]
// CHECK: %[[W:.+]] = arith.addi %[[C]], %{{.+}}
// CHECK: %[[S:.+]] = arith.select %[[N]], %[[W]], %[[C]]
// CHECK: %[[IN:.+]] = arith.cmpi ult, %[[S]]
// CHECK: %[[SAFE:.+]] = arith.select %[[IN]], %[[S]], %{{.+}}
// CHECK: %[[I0:.+]] = linalg.index 0
// CHECK: %[[I3:.+]] = linalg.index 3
// CHECK: tensor.extract %[[D]][%[[I0]], %[[SAFE]], %[[I3]]]
// CHECK-NOT: onnx.
func.func @gather(%d: tensor<3x4x5xf32>, %i: tensor<2x2xi64>) -> tensor<3x2x2x5xf32> {
  %0 = "onnx.Gather"(%d, %i) {axis = 1 : i64} : (tensor<3x4x5xf32>, tensor<2x2xi64>) -> tensor<3x2x2x5xf32>
  return %0 : tensor<3x2x2x5xf32>
}

// -----

// Shape with start/end keeps only the selected dims.
// CHECK-LABEL: func.func @shape_slice
// CHECK: %[[S:.+]] = arith.constant dense<[4, 5]> : tensor<2xi64>
// CHECK: return %[[S]]
// CHECK-NOT: onnx.
func.func @shape_slice(%x: tensor<3x4x5xf32>) -> tensor<2xi64> {
  %0 = "onnx.Shape"(%x) {start = -2 : i64} : (tensor<3x4x5xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// ConstantOfShape fills the static result with the value attribute.
// CHECK-LABEL: func.func @constant_of_shape
// CHECK: %[[V:.+]] = arith.constant 7 : i32
// CHECK: linalg.fill ins(%[[V]] : i32) outs(%{{.+}} : tensor<10x6xi32>)
// CHECK-NOT: onnx.
func.func @constant_of_shape(%shape: tensor<2xi64>) -> tensor<10x6xi32> {
  %0 = "onnx.ConstantOfShape"(%shape) {value = dense<7> : tensor<1xi32>} : (tensor<2xi64>) -> tensor<10x6xi32>
  return %0 : tensor<10x6xi32>
}

// -----

// Expand broadcasts like an elementwise op with one input.
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[B]], #{{.+}}]
// CHECK-SAME: ins(%{{.+}} : tensor<1x3xf32>) outs(%{{.+}} : tensor<4x3xf32>)
// CHECK-NOT: onnx.
func.func @expand(%x: tensor<1x3xf32>, %shape: tensor<2xi64>) -> tensor<4x3xf32> {
  %0 = "onnx.Expand"(%x, %shape) : (tensor<1x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Tile reads input[i mod dim] along the repeated dims.
// CHECK-LABEL: func.func @tile
// CHECK: linalg.generic
// CHECK: %[[I0:.+]] = linalg.index 0
// CHECK: %[[I1:.+]] = linalg.index 1
// CHECK: %[[R:.+]] = arith.remui %[[I1]]
// CHECK: tensor.extract %{{.+}}[%[[I0]], %[[R]]] : tensor<2x3xf32>
// CHECK-NOT: onnx.
func.func @tile(%x: tensor<2x3xf32>, %repeats: tensor<2xi64>) -> tensor<2x6xf32> {
  %0 = "onnx.Tile"(%x, %repeats) : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Dynamic Concat: the axis size is the run-time sum of the inputs' sizes;
// the other dims must agree (a run-time check), else nothing is inserted.
// CHECK-LABEL: func.func @concat_dynamic
// CHECK-DAG: %[[A0:.+]] = tensor.dim %arg0, %c0
// CHECK-DAG: %[[B0:.+]] = tensor.dim %arg1, %c0
// CHECK: %[[SUM:.+]] = arith.addi %{{.+}}, %[[B0]]
// CHECK: cf.assert %[[AGREE:.+]], "node {{.*}}(Concat): the inputs' dims differ outside the axis"
// CHECK: tensor.empty(%[[SUM]], %{{.+}}) : tensor<?x?xf32>
// CHECK: %[[A:.+]] = tensor.extract_slice %arg0
// CHECK: tensor.insert_slice %[[A]]
// CHECK: %[[B:.+]] = tensor.extract_slice %arg1
// CHECK: tensor.insert_slice %[[B]]
func.func @concat_dynamic(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.Concat"(%a, %b) {axis = 0 : i64} : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Slice with run-time starts/ends of run-time length: a dynamic extract_slice.
// CHECK-LABEL: func.func @slice_dynamic
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %arg2
// CHECK: arith.ceildivsi
// CHECK: tensor.extract_slice %arg0[%{{.+}}, %{{.+}}] [%{{.+}}, %{{.+}}] [%{{.+}}, %{{.+}}] : tensor<?x?xf32> to tensor<?x?xf32>
func.func @slice_dynamic(%x: tensor<?x?xf32>, %s: tensor<?xi64>, %e: tensor<?xi64>) -> tensor<?x?xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Slice"(%x, %s, %e, %none, %none) : (tensor<?x?xf32>, tensor<?xi64>, tensor<?xi64>, none, none) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tile with run-time repeats: sizes are dim * repeat.
// CHECK-LABEL: func.func @tile_dynamic
// CHECK: tensor.cast %arg1 : tensor<?xi64> to tensor<2xi64>
// CHECK: arith.muli
// CHECK: linalg.generic
// CHECK: arith.remui
func.func @tile_dynamic(%x: tensor<?x?xf32>, %r: tensor<?xi64>) -> tensor<?x?xf32> {
  %0 = "onnx.Tile"(%x, %r) : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// ConstantOfShape with a run-time shape fills a dynamically sized tensor.
// CHECK-LABEL: func.func @constant_of_shape_dynamic
// CHECK: %[[EMPTY:.+]] = tensor.empty(%{{.+}}, %{{.+}}) : tensor<?x?xi32>
// CHECK: linalg.fill ins(%{{.+}} : i32) outs(%[[EMPTY]]
func.func @constant_of_shape_dynamic(%s: tensor<?xi64>) -> tensor<?x?xi32> {
  %0 = "onnx.ConstantOfShape"(%s) {value = dense<3> : tensor<1xi32>} : (tensor<?xi64>) -> tensor<?x?xi32>
  return %0 : tensor<?x?xi32>
}

// -----

// Unsqueeze with run-time axes reshapes to sizes selected at run time.
// CHECK-LABEL: func.func @unsqueeze_runtime_axes
// CHECK: tensor.cast %arg1 : tensor<?xi64> to tensor<1xi64>
// CHECK: tensor.reshape %arg0
func.func @unsqueeze_runtime_axes(%x: tensor<?x?xf32>, %axes: tensor<?xi64>) -> tensor<?x?x?xf32> {
  %0 = "onnx.Unsqueeze"(%x, %axes) : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
