// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Padded max pool pads with -inf; the kernel loops take their bounds from
// an empty window tensor.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @maxpool_pads_strides
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x5x5xf32>)
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF]]
// CHECK: %[[SHAPE:.+]] = tensor.empty() : tensor<3x3xf32>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: ins(%[[P]], %[[SHAPE]] : tensor<1x2x7x7xf32>, tensor<3x3xf32>) outs(%[[ACC]] : tensor<1x2x3x3xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: onnx.
func.func @maxpool_pads_strides(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %y, %i = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, none)
  return %y : tensor<1x2x3x3xf32>
}

// -----

// ceil_mode: 4 elements, kernel 3, stride 2 give 2 outputs; the second
// window runs one element past the input, so the input is padded at the end.
// CHECK-LABEL: func.func @maxpool_ceil
// CHECK: tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor<1x1x4x4xf32> to tensor<1x1x5x5xf32>
func.func @maxpool_ceil(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %y, %i = "onnx.MaxPool"(%x) {ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x2x2xf32>, none)
  return %y : tensor<1x1x2x2xf32>
}

// -----

// uint8 max pool: the lowest value is 0 and the comparison unsigned;
// dilation 2 enters the input map.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 + d3 * 2)>
// CHECK-LABEL: func.func @maxpool_uint8_dilated
// CHECK: %[[LOW:.+]] = arith.constant 0 : i8
// CHECK: linalg.fill ins(%[[LOW]] : i8)
// CHECK: linalg.generic {indexing_maps = [#[[IN]],
// CHECK: arith.maxui
func.func @maxpool_uint8_dilated(%x: tensor<1x1x7xui8>) -> tensor<1x1x3xui8> {
  %y, %i = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 3>, dilations = array<i64: 2>} : (tensor<1x1x7xui8>) -> (tensor<1x1x3xui8>, none)
  return %y : tensor<1x1x3xui8>
}

// -----

// Indices: one generic with two outputs, the max and its flat index into the
// unpadded input (row major: ((n*C + c)*H + h)*W + w). A window element is
// taken when it lies inside the input (padding never wins) and is the first
// one or strictly greater, so ties keep the first.
// CHECK-LABEL: func.func @maxpool_indices_pads
// CHECK: %[[NONE:.+]] = arith.constant -1 : i64
// CHECK: %[[IACC:.+]] = linalg.fill ins(%[[NONE]] : i64)
// CHECK: %[[R:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.+}}, %[[IACC]] : tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32, %[[MAX:.+]]: f32, %[[IDX:.+]]: i64):
// CHECK: %[[H:.+]] = arith.subi %{{.+}}, %c2
// CHECK: %[[W:.+]] = arith.subi %{{.+}}, %c2
// CHECK: arith.addi %{{.+}}, %[[H]] : index
// CHECK: arith.addi %{{.+}}, %[[W]] : index
// CHECK: %[[CAND:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK: %[[GT:.+]] = arith.cmpf ogt, %[[IN]], %[[MAX]] : f32
// CHECK: %[[FIRST:.+]] = arith.cmpi slt, %[[IDX]]
// CHECK: %[[EITHER:.+]] = arith.ori %[[FIRST]], %[[GT]]
// CHECK: %[[TAKE:.+]] = arith.andi %{{.+}}, %[[EITHER]]
// CHECK: %[[V:.+]] = arith.select %[[TAKE]], %[[IN]], %[[MAX]] : f32
// CHECK: %[[I:.+]] = arith.select %[[TAKE]], %[[CAND]], %[[IDX]] : i64
// CHECK: linalg.yield %[[V]], %[[I]]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @maxpool_indices_pads(%x: tensor<1x1x5x5xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>) {
  %y, %i = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 5, 5>, pads = array<i64: 2, 2, 2, 2>} : (tensor<1x1x5x5xf32>) -> (tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>)
  return %y, %i : tensor<1x1x5x5xf32>, tensor<1x1x5x5xi64>
}

// -----

// storage_order = 1: the spatial dims are column major, (n*C + c)*H*W + w*H + h,
// so w enters the index before h. Integers compare signed.
// CHECK-LABEL: func.func @maxpool_indices_column_major
// CHECK: linalg.generic
// CHECK: %[[H:.+]] = arith.subi
// CHECK: %[[W:.+]] = arith.subi
// CHECK: arith.addi %{{.+}}, %[[W]] : index
// CHECK: arith.addi %{{.+}}, %[[H]] : index
// CHECK: arith.cmpi sgt
func.func @maxpool_indices_column_major(%x: tensor<1x1x5x5xi8>) -> (tensor<1x1x2x2xi8>, tensor<1x1x2x2xi64>) {
  %y, %i = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 2, 2>, storage_order = 1 : i64, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xi8>) -> (tensor<1x1x2x2xi8>, tensor<1x1x2x2xi64>)
  return %y, %i : tensor<1x1x2x2xi8>, tensor<1x1x2x2xi64>
}

// -----

// Without padding every window is full: divide by the kernel size.
// CHECK-LABEL: func.func @averagepool_default
// CHECK-NOT: tensor.pad
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<1x3x31x31xf32>)
// CHECK: %[[FOUR:.+]] = arith.constant 4.000000e+00 : f32
// CHECK: arith.divf %{{.+}}, %[[FOUR]]
// CHECK-NOT: linalg.index
func.func @averagepool_default(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x31x31xf32> {
  %0 = "onnx.AveragePool"(%x) {kernel_shape = array<i64: 2, 2>} : (tensor<1x3x32x32xf32>) -> tensor<1x3x31x31xf32>
  return %0 : tensor<1x3x31x31xf32>
}

// -----

// count_include_pad=0 with pads: zero padding, and a divisor counting only
// input elements, computed from the output position.
// CHECK-LABEL: func.func @averagepool_pads_exclude
// CHECK: tensor.pad %{{.+}} low[0, 0, 2, 2] high[0, 0, 2, 2]
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: linalg.index 2 : index
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: linalg.index 3 : index
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @averagepool_pads_exclude(%x: tensor<1x3x28x28xf32>) -> tensor<1x3x30x30xf32> {
  %0 = "onnx.AveragePool"(%x) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 2, 2, 2, 2>} : (tensor<1x3x28x28xf32>) -> tensor<1x3x30x30xf32>
  return %0 : tensor<1x3x30x30xf32>
}

// -----

// count_include_pad=1 without ceil overshoot: pads count, divide by 9.
// CHECK-LABEL: func.func @averagepool_pads_include
// CHECK: tensor.pad %{{.+}} low[0, 0, 2, 2] high[0, 0, 2, 2]
// CHECK: arith.constant 9.000000e+00 : f32
// CHECK-NOT: linalg.index
func.func @averagepool_pads_include(%x: tensor<1x3x28x28xf32>) -> tensor<1x3x30x30xf32> {
  %0 = "onnx.AveragePool"(%x) {count_include_pad = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 2, 2, 2, 2>} : (tensor<1x3x28x28xf32>) -> tensor<1x3x30x30xf32>
  return %0 : tensor<1x3x30x30xf32>
}

// -----

// count_include_pad=1 with ceil_mode: the ceil extension is padded but does
// not count, so the divisor is per position.
// CHECK-LABEL: func.func @averagepool_ceil_include
// CHECK: tensor.pad %{{.+}} low[0, 0, 1] high[0, 0, 2]
// CHECK: linalg.index 2 : index
// CHECK: arith.divf
func.func @averagepool_ceil_include(%x: tensor<1x1x4xf32>) -> tensor<1x1x3xf32> {
  %0 = "onnx.AveragePool"(%x) {ceil_mode = 1 : i64, count_include_pad = 1 : i64, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x1x4xf32>) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

// Global pools: one window over all spatial dims.
// CHECK-LABEL: func.func @global_average
// CHECK: tensor.empty() : tensor<5x6xf32>
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.constant 3.000000e+01 : f32
// CHECK: arith.divf
// CHECK-LABEL: func.func @global_max
// CHECK: arith.maximumf
// CHECK-NOT: onnx.
func.func @global_average(%x: tensor<2x3x5x6xf32>) -> tensor<2x3x1x1xf32> {
  %0 = "onnx.GlobalAveragePool"(%x) : (tensor<2x3x5x6xf32>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}
func.func @global_max(%x: tensor<2x3x5x6xf32>) -> tensor<2x3x1x1xf32> {
  %0 = "onnx.GlobalMaxPool"(%x) : (tensor<2x3x5x6xf32>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// LpPool with p = 2: a zero-padded window sum of squares, then a sqrt.
// CHECK-LABEL: func.func @lppool_p2
// CHECK: %[[P:.+]] = tensor.pad
// CHECK: tensor<1x2x5x5xf32> to tensor<1x2x7x7xf32>
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: ins(%[[P]], %{{.+}} : tensor<1x2x7x7xf32>, tensor<3x3xf32>)
// CHECK: %[[SQ:.+]] = arith.mulf %[[IN:.+]], %[[IN]]
// CHECK: arith.addf %{{.+}}, %[[SQ]]
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<1x2x3x3xf32>)
// CHECK: math.sqrt
// CHECK-NOT: onnx.
func.func @lppool_p2(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = "onnx.LpPool"(%x) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// GlobalLpPool with p = 3: |x|^3 summed over all spatial dims, then ^(1/3).
// CHECK-LABEL: func.func @global_lppool_p3
// CHECK: linalg.generic
// CHECK: %[[ABS:.+]] = math.absf
// CHECK: math.powf %[[ABS]]
// CHECK: linalg.generic
// CHECK: %[[THIRD:.+]] = arith.constant 0.33333
// CHECK: math.powf %{{.+}}, %[[THIRD]]
// CHECK-NOT: onnx.
func.func @global_lppool_p3(%x: tensor<2x3x4xf32>) -> tensor<2x3x1xf32> {
  %0 = "onnx.GlobalLpPool"(%x) {p = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// MaxUnpool scatters X into a zero output at I's flat indices, in input
// order (scf.for over the flattened input); indices outside are skipped.
// CHECK-LABEL: func.func @maxunpool
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x2x2xf32>, %[[I:.+]]: tensor<1x1x2x2xi64>)
// CHECK-DAG: %[[XF:.+]] = tensor.collapse_shape %[[X]]
// CHECK-DAG: %[[IF:.+]] = tensor.collapse_shape %[[I]]
// CHECK: %[[ZERO:.+]] = linalg.fill {{.+}} -> tensor<16xf32>
// CHECK: %[[LOOP:.+]] = scf.for %[[IV:.+]] = {{.+}} iter_args(%[[ACC:.+]] = %[[ZERO]]) -> (tensor<16xf32>)
// CHECK: %[[V:.+]] = tensor.extract %[[XF]][%[[IV]]]
// CHECK: tensor.extract %[[IF]][%[[IV]]]
// CHECK: scf.if
// CHECK: tensor.insert %[[V]] into %[[ACC]]
// CHECK: tensor.expand_shape %[[LOOP]]
// CHECK-NOT: onnx.
func.func @maxunpool(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32> {
  %none = onnx.NoValue
  %0 = "onnx.MaxUnpool"(%x, %i, %none) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, none) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Dynamic dims with ceil_mode: the output size is
// ceil((in - kernel) / stride) + 1 at run time and the input is padded at the
// end by what the last window needs past the input.
// CHECK-LABEL: func.func @maxpool_dynamic_ceil
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?xf32>)
// CHECK: %[[IN:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?xf32>
// CHECK: %[[SPAN:.+]] = arith.subi %[[IN]], %{{.+}} : index
// CHECK: %[[Q:.+]] = arith.ceildivsi %[[SPAN]], %{{.+}} : index
// CHECK: %[[OUT:.+]] = arith.addi %[[Q]], %{{.+}} : index
// CHECK: %[[EXTRA:.+]] = arith.maxsi %{{.+}}, %{{.+}} : index
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 0] high[0, 0, %[[EXTRA]]]
// CHECK: %[[N:.+]] = tensor.dim %[[X]]
// CHECK: %[[C:.+]] = tensor.dim %[[X]]
// CHECK: %[[WIN:.+]] = tensor.empty() : tensor<3xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[N]], %[[C]], %[[OUT]]) : tensor<?x?x?xf32>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?x?x?xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[P]], %[[WIN]] : tensor<?x?x?xf32>, tensor<3xf32>) outs(%[[ACC]] : tensor<?x?x?xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: onnx.
func.func @maxpool_dynamic_ceil(%x: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %0:2 = "onnx.MaxPool"(%x) {kernel_shape = array<i64: 3>, strides = array<i64: 2>, ceil_mode = 1 : i64} : (tensor<?x?x?xf32>) -> (tensor<?x?x?xf32>, none)
  return %0#0 : tensor<?x?x?xf32>
}

// -----

// A dynamic global pool: the window is the input's spatial dims and the
// divisor their product at run time.
// CHECK-LABEL: func.func @global_average_pool_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x?x?xf32>)
// CHECK: %[[H:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x?x?xf32>
// CHECK: %[[W:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x?x?xf32>
// CHECK: %[[WIN:.+]] = tensor.empty(%[[H]], %[[W]]) : tensor<?x?xf32>
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[WIN]] : tensor<?x3x?x?xf32>, tensor<?x?xf32>)
// CHECK: %[[COUNT:.+]] = arith.muli %[[H]], %[[W]] : index
// CHECK: %[[WIDE:.+]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK: %[[DIV:.+]] = arith.sitofp %[[WIDE]] : i64 to f32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<?x3x1x1xf32>)
// CHECK: arith.divf %{{.+}}, %[[DIV]] : f32
// CHECK-NOT: onnx.
func.func @global_average_pool_dynamic(%x: tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32> {
  %0 = "onnx.GlobalAveragePool"(%x) : (tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}

// -----

// MaxUnpool with dynamic dims and output_shape read at run time: the result
// is sized from output_shape, and each index is re-linearized from the
// implied shape ((in - 1) * stride + kernel) into it.
// CHECK-LABEL: func.func @maxunpool_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?xf32>, %[[I:.+]]: tensor<?x?x?xi64>, %[[SHAPE:.+]]: tensor<3xi64>)
// CHECK: %[[IN:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?xf32>
// CHECK: %[[SCALED:.+]] = arith.muli %{{.+}}, %{{.+}} : index
// CHECK: %[[IMPLIED:.+]] = arith.addi %[[SCALED]], %{{.+}} : index
// CHECK: tensor.extract %[[SHAPE]]
// CHECK: tensor.extract %[[SHAPE]]
// CHECK: %[[OUTE:.+]] = tensor.extract %[[SHAPE]]
// CHECK: %[[OUT:.+]] = arith.index_cast %[[OUTE]] : i64 to index
// CHECK: %[[FLATX:.+]] = tensor.reshape %[[X]]
// CHECK: %[[FLATI:.+]] = tensor.reshape %[[I]]
// CHECK: scf.for
// CHECK: tensor.extract %[[FLATX]]
// CHECK: tensor.extract %[[FLATI]]
// CHECK: arith.remsi %{{.+}}, %[[IMPLIED]] : index
// CHECK: arith.cmpi slt, %{{.+}}, %[[OUT]] : index
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: tensor.reshape %{{.+}} : (tensor<?xf32>, tensor<3xindex>) -> tensor<?x?x?xf32>
// CHECK-NOT: onnx.
func.func @maxunpool_dynamic(%x: tensor<?x?x?xf32>, %i: tensor<?x?x?xi64>, %shape: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %0 = "onnx.MaxUnpool"(%x, %i, %shape) {kernel_shape = array<i64: 2>, strides = array<i64: 2>} : (tensor<?x?x?xf32>, tensor<?x?x?xi64>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}
