// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// Constant pads: a negative begin crops, padded dims read through a bounds
// check and take the constant value outside; unpadded dims are not checked.
// CHECK-LABEL: func.func @pad_constant
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x5xf32>, %[[V:.+]]: tensor<f32>)
// CHECK-DAG: %[[FILL:.+]] = tensor.extract %[[V]][] : tensor<f32>
// CHECK-DAG: %[[B0:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[B1:.+]] = arith.constant -1 : index
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<3x4x5xf32>)
// CHECK: %[[I0:.+]] = linalg.index 0
// CHECK: %[[I1:.+]] = linalg.index 1
// CHECK: %[[I2:.+]] = linalg.index 2
// CHECK: arith.subi %[[I0]], %[[B0]]
// CHECK: arith.subi %[[I1]], %[[B1]]
// CHECK: %[[IN1:.+]] = arith.andi
// CHECK: %[[IN:.+]] = arith.andi %{{.+}}, %[[IN1]]
// CHECK: %[[E:.+]] = tensor.extract %[[X]][%{{.+}}, %{{.+}}, %[[I2]]]
// CHECK: %[[R:.+]] = arith.select %[[IN]], %[[E]], %[[FILL]] : f32
// CHECK: linalg.yield %[[R]]
// CHECK-NOT: onnx.Pad
func.func @pad_constant(%x: tensor<2x3x5xf32>, %v: tensor<f32>) -> tensor<3x4x5xf32> {
  %p = "onnx.Constant"() {value = dense<[1, -1, 0, 0, 2, 0]> : tensor<6xi64>} : () -> tensor<6xi64>
  %0 = "onnx.Pad"(%x, %p, %v) {mode = "constant"} : (tensor<2x3x5xf32>, tensor<6xi64>, tensor<f32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// Run-time pads: only the begins are read; reflect mirrors with period 2 * (dim - 1).
// CHECK-LABEL: func.func @pad_reflect_runtime
// CHECK-SAME: (%[[X:.+]]: tensor<4xi32>, %[[P:.+]]: tensor<2xi64>)
// CHECK: %[[B:.+]] = tensor.extract %[[P]][%{{.+}}] : tensor<2xi64>
// CHECK: %[[BI:.+]] = arith.index_cast %[[B]] : i64 to index
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[S:.+]] = arith.subi %[[I]], %[[BI]]
// CHECK: %[[PERIOD:.+]] = arith.constant 6 : index
// CHECK: arith.remsi %[[S]], %[[PERIOD]]
// CHECK: tensor.extract %[[X]]
// CHECK-NOT: onnx.Pad
func.func @pad_reflect_runtime(%x: tensor<4xi32>, %p: tensor<2xi64>) -> tensor<7xi32> {
  %none = onnx.NoValue
  %0 = "onnx.Pad"(%x, %p, %none) {mode = "reflect"} : (tensor<4xi32>, tensor<2xi64>, none) -> tensor<7xi32>
  return %0 : tensor<7xi32>
}

// -----

// Edge clamps the source index into the data.
// CHECK-LABEL: func.func @pad_edge
// CHECK: linalg.generic
// CHECK: %[[LOW:.+]] = arith.maxsi
// CHECK: arith.minsi %[[LOW]]
// CHECK: tensor.extract
func.func @pad_edge(%x: tensor<4xf32>) -> tensor<6xf32> {
  %p = "onnx.Constant"() {value = dense<[1, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
  %none = onnx.NoValue
  %0 = "onnx.Pad"(%x, %p, %none) {mode = "edge"} : (tensor<4xf32>, tensor<2xi64>, none) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Split: one extract_slice per output, sizes from the result types; an empty
// output is a tensor.empty (its offset would be out of bounds).
// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:.+]]: tensor<2x6xf32>
// CHECK-DAG: %[[A:.+]] = tensor.extract_slice %[[X]][0, 0] [2, 2] [1, 1] : tensor<2x6xf32> to tensor<2x2xf32>
// CHECK-DAG: %[[B:.+]] = tensor.extract_slice %[[X]][0, 2] [2, 4] [1, 1] : tensor<2x6xf32> to tensor<2x4xf32>
// CHECK-DAG: %[[C:.+]] = tensor.empty() : tensor<2x0xf32>
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @split(%x: tensor<2x6xf32>, %s: tensor<3xi64>) -> (tensor<2x2xf32>, tensor<2x4xf32>, tensor<2x0xf32>) {
  %0:3 = "onnx.Split"(%x, %s) {axis = -1 : i64} : (tensor<2x6xf32>, tensor<3xi64>) -> (tensor<2x2xf32>, tensor<2x4xf32>, tensor<2x0xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x2xf32>, tensor<2x4xf32>, tensor<2x0xf32>
}

// -----

// DepthToSpace DCR: channels split as (bh, bw, c), moved next to h and w.
// CHECK-LABEL: func.func @depth_to_space_dcr
// CHECK-SAME: (%[[X:.+]]: tensor<1x8x2x3xf32>)
// CHECK: %[[E:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2, 3], [4], [5]] output_shape [1, 2, 2, 2, 2, 3]
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[E]] : tensor<1x2x2x2x2x3xf32>) outs(%{{.+}} : tensor<1x2x2x2x3x2xf32>) permutation = [0, 3, 4, 1, 5, 2]
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[T]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<1x2x2x2x3x2xf32> into tensor<1x2x4x6xf32>
// CHECK: return %[[C]]
func.func @depth_to_space_dcr(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = "onnx.DepthToSpace"(%x) {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// DepthToSpace CRD: channels split as (c, bh, bw).
// CHECK-LABEL: func.func @depth_to_space_crd
// CHECK: linalg.transpose
// CHECK-SAME: permutation = [0, 1, 4, 2, 5, 3]
func.func @depth_to_space_crd(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = "onnx.DepthToSpace"(%x) {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// SpaceToDepth: (n, c, h, bh, w, bw) -> (n, bh, bw, c, h, w).
// CHECK-LABEL: func.func @space_to_depth
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [1, 2, 2, 2, 3, 2]
// CHECK: linalg.transpose
// CHECK-SAME: permutation = [0, 3, 5, 1, 2, 4]
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3], [4], [5]] : tensor<1x2x2x2x2x3xf32> into tensor<1x8x2x3xf32>
func.func @space_to_depth(%x: tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32> {
  %0 = "onnx.SpaceToDepth"(%x) {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  return %0 : tensor<1x8x2x3xf32>
}

// -----

// Trilu with a run-time k: lower keeps j <= i + k, over the last two dims.
// CHECK-LABEL: func.func @trilu_lower
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x4xi64>, %[[K:.+]]: tensor<i64>)
// CHECK: %[[KV:.+]] = tensor.extract %[[K]][] : tensor<i64>
// CHECK: %[[KI:.+]] = arith.index_cast %[[KV]]
// CHECK: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]] : tensor<2x3x4xi64>)
// CHECK: ^bb0(%[[IN:.+]]: i64, %{{.+}}: i64):
// CHECK: %[[I:.+]] = linalg.index 1
// CHECK: %[[J:.+]] = linalg.index 2
// CHECK: %[[D:.+]] = arith.addi %[[I]], %[[KI]]
// CHECK: %[[KEEP:.+]] = arith.cmpi sle, %[[J]], %[[D]]
// CHECK: arith.select %[[KEEP]], %[[IN]], %[[ZERO]]
func.func @trilu_lower(%x: tensor<2x3x4xi64>, %k: tensor<i64>) -> tensor<2x3x4xi64> {
  %0 = "onnx.Trilu"(%x, %k) {upper = 0 : i64} : (tensor<2x3x4xi64>, tensor<i64>) -> tensor<2x3x4xi64>
  return %0 : tensor<2x3x4xi64>
}

// -----

// EyeLike: ones where j == i + k, in the result's element type.
// CHECK-LABEL: func.func @eye_like
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[J:.+]] = linalg.index 1
// CHECK: %[[D:.+]] = arith.addi %[[I]], %{{.+}}
// CHECK: %[[ON:.+]] = arith.cmpi eq, %[[J]], %[[D]]
// CHECK: arith.uitofp %[[ON]] : i1 to f64
func.func @eye_like(%x: tensor<3x4xi32>) -> tensor<3x4xf64> {
  %0 = "onnx.EyeLike"(%x) {dtype = 11 : i64, k = 1 : i64} : (tensor<3x4xi32>) -> tensor<3x4xf64>
  return %0 : tensor<3x4xf64>
}

// -----

// Range: start + i * delta; the length is the result type's.
// CHECK-LABEL: func.func @range
// CHECK-SAME: (%[[S:.+]]: tensor<i32>, %{{.+}}: tensor<i32>, %[[D:.+]]: tensor<i32>)
// CHECK-DAG: %[[START:.+]] = tensor.extract %[[S]][]
// CHECK-DAG: %[[DELTA:.+]] = tensor.extract %[[D]][]
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[I64:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[I32:.+]] = arith.trunci %[[I64]] : i64 to i32
// CHECK: %[[M:.+]] = arith.muli %[[I32]], %[[DELTA]]
// CHECK: arith.addi %[[START]], %[[M]]
func.func @range(%s: tensor<i32>, %l: tensor<i32>, %d: tensor<i32>) -> tensor<5xi32> {
  %0 = "onnx.Range"(%s, %l, %d) : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

// CumSum with a constant axis: a reduction dim k runs along the axis and x
// is read at k; exclusive keeps k < i.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @cumsum_exclusive
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>
// CHECK: %[[INIT:.+]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK: ^bb0(%[[E:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[K:.+]] = linalg.index 2
// CHECK: %[[I:.+]] = linalg.index 1
// CHECK: %[[INC:.+]] = arith.cmpi slt, %[[K]], %[[I]]
// CHECK: %[[SUM:.+]] = arith.addf %[[ACC]], %[[E]]
// CHECK: arith.select %[[INC]], %[[SUM]], %[[ACC]]
func.func @cumsum_exclusive(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = "onnx.Constant"() {value = dense<-1> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.CumSum"(%x, %a) {exclusive = 1 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CumSum with a run-time axis: x is read with tensor.extract, and a splat
// constant gives the reduction its extent (the largest dim); reverse keeps k >= i.
// CHECK-LABEL: func.func @cumsum_runtime_axis
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xi32>, %[[A:.+]]: tensor<i32>)
// CHECK: tensor.extract %[[A]][]
// CHECK: %[[EXTENT:.+]] = arith.constant dense<false> : tensor<3xi1>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[EXTENT]] : tensor<3xi1>)
// CHECK: arith.cmpi sge
// CHECK: tensor.extract %[[X]]
// CHECK: arith.addi
func.func @cumsum_runtime_axis(%x: tensor<2x3xi32>, %a: tensor<i32>) -> tensor<2x3xi32> {
  %0 = "onnx.CumSum"(%x, %a) {reverse = 1 : i64} : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @pad_wrap(%x: tensor<4xf32>, %p: tensor<2xi64>) -> tensor<6xf32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (Pad): mode 'wrap' is not supported}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Pad"(%x, %p, %none) {mode = "wrap"} : (tensor<4xf32>, tensor<2xi64>, none) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @pad_mismatch(%x: tensor<4xf32>) -> tensor<6xf32> {
  %p = "onnx.Constant"() {value = dense<[1, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
  %none = onnx.NoValue
  // expected-error @+2 {{(Pad): pads [1, 2] do not turn 'tensor<4xf32>' into 'tensor<6xf32>'}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Pad"(%x, %p, %none) : (tensor<4xf32>, tensor<2xi64>, none) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @split_mismatch(%x: tensor<6xf32>) -> (tensor<2xf32>, tensor<4xf32>) {
  %s = "onnx.Constant"() {value = dense<[3, 3]> : tensor<2xi64>} : () -> tensor<2xi64>
  // expected-error @+2 {{(Split): output 0 of type 'tensor<2xf32>' does not match split 3}}
  // expected-error @+1 {{failed to legalize}}
  %0:2 = "onnx.Split"(%x, %s) : (tensor<6xf32>, tensor<2xi64>) -> (tensor<2xf32>, tensor<4xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<4xf32>
}

// -----

func.func @depth_to_space_mode(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  // expected-error @+2 {{(DepthToSpace): mode 'XYZ' is not supported}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.DepthToSpace"(%x) {blocksize = 2 : i64, mode = "XYZ"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// Range with a dynamic result: length = max(ceil((limit - start) / delta), 0).
// CHECK-LABEL: func.func @range_dynamic
// CHECK: arith.divf
// CHECK: math.ceil
// CHECK: arith.maxsi
// CHECK: tensor.empty(%{{.+}}) : tensor<?xf32>
// CHECK: linalg.generic
func.func @range_dynamic(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>) -> tensor<?xf32> {
  %0 = "onnx.Range"(%s, %l, %d) : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Split with run-time split sizes: slices at running offsets.
// CHECK-LABEL: func.func @split_dynamic
// CHECK: tensor.cast %arg1 : tensor<?xi64> to tensor<2xi64>
// CHECK: tensor.extract_slice %arg0[%{{.+}}] [%{{.+}}] [1] : tensor<?xf32> to tensor<?xf32>
// CHECK: tensor.extract_slice %arg0[%{{.+}}] [%{{.+}}] [1] : tensor<?xf32> to tensor<?xf32>
func.func @split_dynamic(%x: tensor<?xf32>, %s: tensor<?xi64>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0:2 = "onnx.Split"(%x, %s) {axis = 0 : i64} : (tensor<?xf32>, tensor<?xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// Pad of dynamic dims with run-time pads: sizes are dim + begin + end.
// CHECK-LABEL: func.func @pad_dynamic
// CHECK: tensor.cast %arg1 : tensor<?xi64> to tensor<4xi64>
// CHECK: tensor.empty(%{{.+}}, %{{.+}}) : tensor<?x?xf32>
// CHECK: linalg.generic
func.func @pad_dynamic(%x: tensor<?x?xf32>, %p: tensor<?xi64>) -> tensor<?x?xf32> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.Pad"(%x, %p, %none) {mode = "edge"} : (tensor<?x?xf32>, tensor<?xi64>, none) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// DepthToSpace with dynamic dims reads each element from its source position.
// CHECK-LABEL: func.func @depth_to_space_dynamic
// CHECK: linalg.generic
// CHECK: arith.remui
// CHECK: tensor.extract %arg0
func.func @depth_to_space_dynamic(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %0 = "onnx.DepthToSpace"(%x) {blocksize = 2 : i64, mode = "DCR"} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}
