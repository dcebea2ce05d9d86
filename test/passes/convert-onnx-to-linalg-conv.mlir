// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Explicit pads become one zero tensor.pad; a 2-D convolution with one group
// is linalg.conv_2d_nchw_fchw with the strides; the bias initializes the
// accumulator.
// CHECK-LABEL: func.func @conv_2d_pads_strides_bias
// CHECK-SAME: (%[[X:.+]]: tensor<1x3x8x8xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[B]] : tensor<4xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
// CHECK-SAME: ins(%[[P]], %[[W]] : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[INIT]] : tensor<1x4x4x4xf32>)
// CHECK-NOT: onnx.
func.func @conv_2d_pads_strides_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = "onnx.Conv"(%x, %w, %b) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// No bias, no pads: a zero-filled accumulator and no tensor.pad. A 1-D
// convolution with one group is a 2-D one of height 1.
// CHECK-LABEL: func.func @conv_1d_no_bias
// CHECK-SAME: (%[[X:.+]]: tensor<2x3x8xf32>, %[[W:.+]]: tensor<5x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK-DAG: %[[ACC2:.+]] = tensor.expand_shape %[[ACC]] {{\[}}[0], [1], [2, 3]] output_shape [2, 5, 1, 6]
// CHECK-DAG: %[[X2:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1], [2, 3]] output_shape [2, 3, 1, 8]
// CHECK-DAG: %[[W2:.+]] = tensor.expand_shape %[[W]] {{\[}}[0], [1], [2, 3]] output_shape [5, 3, 1, 3]
// CHECK: %[[CONV:.+]] = linalg.conv_2d_nchw_fchw
// CHECK-SAME: ins(%[[X2]], %[[W2]] : tensor<2x3x1x8xf32>, tensor<5x3x1x3xf32>) outs(%[[ACC2]] : tensor<2x5x1x6xf32>)
// CHECK: %[[Y:.+]] = tensor.collapse_shape %[[CONV]] {{\[}}[0], [1], [2, 3]] : tensor<2x5x1x6xf32> into tensor<2x5x6xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: onnx.
func.func @conv_1d_no_bias(%x: tensor<2x3x8xf32>, %w: tensor<5x3x3xf32>) -> tensor<2x5x6xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) : (tensor<2x3x8xf32>, tensor<5x3x3xf32>, none) -> tensor<2x5x6xf32>
  return %0 : tensor<2x5x6xf32>
}

// -----

// SAME_UPPER, stride 2 on 5 elements, kernel 4: 3 outputs need 3 pad
// elements, the odd one at the end; SAME_LOWER puts it at the beginning.
// CHECK-LABEL: func.func @conv_same_upper
// CHECK: tensor.pad %{{.+}} low[0, 0, 1] high[0, 0, 2]
// CHECK-LABEL: func.func @conv_same_lower
// CHECK: tensor.pad %{{.+}} low[0, 0, 2] high[0, 0, 1]
func.func @conv_same_upper(%x: tensor<1x1x5xf32>, %w: tensor<1x1x4xf32>) -> tensor<1x1x3xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) {auto_pad = "SAME_UPPER", strides = array<i64: 2>} : (tensor<1x1x5xf32>, tensor<1x1x4xf32>, none) -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}
func.func @conv_same_lower(%x: tensor<1x1x5xf32>, %w: tensor<1x1x4xf32>) -> tensor<1x1x5xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) {auto_pad = "SAME_LOWER"} : (tensor<1x1x5xf32>, tensor<1x1x4xf32>, none) -> tensor<1x1x5xf32>
  return %0 : tensor<1x1x5xf32>
}

// -----

// The dilation (and stride) of a 1-D convolution apply along the width of
// its height-1 2-D form.
// CHECK-LABEL: func.func @conv_dilated
// CHECK-NOT: tensor.pad
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME: outs(%{{.+}} : tensor<1x1x1x2xf32>)
func.func @conv_dilated(%x: tensor<1x1x8xf32>, %w: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) {dilations = array<i64: 2>} : (tensor<1x1x8xf32>, tensor<1x1x4xf32>, none) -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// -----

// group=2 with 6 filters: filter m reads input channel (m floordiv 3) * 2 + c.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, (d1 floordiv 3) * 2 + d4, d2 + d5, d3 + d6)>
// CHECK-LABEL: func.func @conv_grouped_asymmetric_pads
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 0] high[0, 0, 0, 2]
// CHECK: linalg.generic {indexing_maps = [#[[IN]],
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<1x4x6x7xf32>, tensor<6x2x3x3xf32>)
func.func @conv_grouped_asymmetric_pads(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x5xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) {group = 2 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 0, 0, 2>} : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>, none) -> tensor<1x6x4x5xf32>
  return %0 : tensor<1x6x4x5xf32>
}

// -----

// 3-D convolution falls out of the same lowering.
// CHECK-LABEL: func.func @conv_3d
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]
func.func @conv_3d(%x: tensor<1x2x4x4x4xf32>, %w: tensor<3x2x2x2x2xf32>) -> tensor<1x3x3x3x3xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) : (tensor<1x2x4x4x4xf32>, tensor<3x2x2x2x2xf32>, none) -> tensor<1x3x3x3x3xf32>
  return %0 : tensor<1x3x3x3x3xf32>
}

// -----

// ConvTranspose is a stride-1 Conv over the input spread out by the strides
// into a zero tensor of size out + (k-1)*d, at offset (k-1)*d - pad_begin;
// the kernel is flipped and regrouped into the Conv layout (M x C/group x k).
// CHECK-DAG: #[[FLIP:.+]] = affine_map<(d0, d1, d2, d3) -> ((d0 floordiv 3) * 2 + d1, d0 mod 3, -d2 + 2, -d3 + 2)>
// CHECK-DAG: #[[TIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, (d1 floordiv 3) * 2 + d4, d2 + d5, d3 + d6)>
// CHECK-LABEL: func.func @convtranspose_group_strides_pads
// CHECK-SAME: (%[[X:.+]]: tensor<1x4x3x3xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>, %[[B:.+]]: tensor<6xf32>)
// CHECK: %[[ZEROS:.+]] = linalg.fill
// CHECK-SAME: -> tensor<1x4x9x9xf32>
// CHECK: %[[SPREAD:.+]] = tensor.insert_slice %[[X]] into %[[ZEROS]][0, 0, 1, 1] [1, 4, 3, 3] [1, 1, 2, 2]
// CHECK: %[[CONVW:.+]] = linalg.generic {indexing_maps = [#[[FLIP]], #{{.+}}]
// CHECK-SAME: ins(%[[W]] : tensor<4x3x3x3xf32>)
// CHECK: %[[INIT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[B]] : tensor<6xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[TIN]],
// CHECK-SAME: ins(%[[SPREAD]], %[[CONVW]] : tensor<1x4x9x9xf32>, tensor<6x2x3x3xf32>) outs(%[[INIT]] : tensor<1x6x7x7xf32>)
// CHECK-NOT: onnx.
func.func @convtranspose_group_strides_pads(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x7x7xf32> {
  %0 = "onnx.ConvTranspose"(%x, %w, %b) {group = 2 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, output_padding = array<i64: 1, 1>} : (tensor<1x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x7x7xf32>
  return %0 : tensor<1x6x7x7xf32>
}

// -----

// Begin pads larger than the kernel border crop the input before spreading;
// no bias gives a zero accumulator.
// CHECK-LABEL: func.func @convtranspose_1d_crop
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x5xf32>,
// CHECK: %[[ZEROS:.+]] = linalg.fill {{.+}} -> tensor<1x1x3xf32>
// CHECK: %[[CROP:.+]] = tensor.extract_slice %[[X]][0, 0, 2] [1, 1, 2] [1, 1, 1]
// CHECK: tensor.insert_slice %[[CROP]] into %[[ZEROS]][0, 0, 0] [1, 1, 2] [1, 1, 2]
// CHECK-NOT: onnx.
func.func @convtranspose_1d_crop(%x: tensor<1x1x5xf32>, %w: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> {
  %none = onnx.NoValue
  %0 = "onnx.ConvTranspose"(%x, %w, %none) {strides = array<i64: 2>, pads = array<i64: 5, 3>} : (tensor<1x1x5xf32>, tensor<1x1x2xf32>, none) -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// -----

// Dynamic batch and spatial dims: the output size is
// floor((in + pads - extent) / stride) + 1 at run time, the batch comes from
// X and the filters from W.
// CHECK-LABEL: func.func @conv_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x3x?x?xf32>, %[[W:.+]]: tensor<4x3x3x3xf32>)
// CHECK: %[[H:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x?x?xf32>
// CHECK: %[[HQ:.+]] = arith.floordivsi %{{.+}}, %{{.+}} : index
// CHECK: %[[OH:.+]] = arith.addi %[[HQ]], %{{.+}} : index
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor<?x3x?x?xf32> to tensor<?x3x?x?xf32>
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3x?x?xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[N]], %[[OH]], %{{.+}}) : tensor<?x4x?x?xf32>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?x4x?x?xf32>)
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: ins(%[[P]], %[[W]] : tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) outs(%[[ACC]] : tensor<?x4x?x?xf32>)
// CHECK-NOT: onnx.
func.func @conv_dynamic(%x: tensor<?x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>, none) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// SAME_UPPER on a dynamic size: total = max(0, (ceil(in / s) - 1) * s +
// extent - in), split floor(total / 2) at the beginning, the rest at the end.
// CHECK-LABEL: func.func @conv_dynamic_same_upper
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x?xf32>
// CHECK: %[[IN:.+]] = tensor.dim %[[X]]
// CHECK: arith.ceildivsi %[[IN]]
// CHECK: %[[TOTAL:.+]] = arith.maxsi
// CHECK: %[[LOW:.+]] = arith.floordivsi %[[TOTAL]]
// CHECK: %[[HIGH:.+]] = arith.subi %[[TOTAL]], %[[LOW]]
// CHECK: tensor.pad %[[X]] low[0, 0, %[[LOW]]] high[0, 0, %[[HIGH]]]
// CHECK: tensor<1x1x?xf32> to tensor<1x1x?xf32>
func.func @conv_dynamic_same_upper(%x: tensor<1x1x?xf32>, %w: tensor<1x1x4xf32>) -> tensor<1x1x?xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) {auto_pad = "SAME_UPPER", strides = array<i64: 2>} : (tensor<1x1x?xf32>, tensor<1x1x4xf32>, none) -> tensor<1x1x?xf32>
  return %0 : tensor<1x1x?xf32>
}

// -----

// A dynamic W: the kernel sizes are W's dims at run time and ConvTranspose
// flips the kernel by reading W with tensor.extract at K - 1 - k; the input
// is spread at run-time offsets.
// CHECK-LABEL: func.func @conv_transpose_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?xf32>, %[[W:.+]]: tensor<?x?x?xf32>)
// CHECK: %[[K:.+]] = tensor.dim %[[W]], %{{.+}} : tensor<?x?x?xf32>
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[X]]
// CHECK: %[[SPREAD:.+]] = tensor.insert_slice %[[SLICE]] into
// CHECK-SAME: [1, 1, 2]
// CHECK: %[[FLIP:.+]] = linalg.generic
// CHECK: %[[KLAST:.+]] = arith.subi %[[K]], %{{.+}} : index
// CHECK: %[[KI:.+]] = arith.subi %[[KLAST]], %{{.+}} : index
// CHECK: tensor.extract %[[W]][%{{.+}}, %{{.+}}, %[[KI]]]
// CHECK-DAG: %[[SPREAD2:.+]] = tensor.expand_shape %[[SPREAD]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.+}}, %{{.+}}, 1, %{{.+}}] : tensor<?x?x?xf32> into tensor<?x?x1x?xf32>
// CHECK-DAG: %[[FLIP2:.+]] = tensor.expand_shape %[[FLIP]] {{\[}}[0], [1], [2, 3]]
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: ins(%[[SPREAD2]], %[[FLIP2]] : tensor<?x?x1x?xf32>, tensor<?x?x1x?xf32>)
// CHECK-NOT: onnx.
func.func @conv_transpose_dynamic(%x: tensor<?x?x?xf32>, %w: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %none = onnx.NoValue
  %0 = "onnx.ConvTranspose"(%x, %w, %none) {strides = array<i64: 2>} : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, none) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// kernel == strides (an upsampling layer): one product of W as (F*K) x C
// with x as C x (H*W), interleaved into the output with the bias; no
// zero-spread input.
// CHECK-DAG:   #[[T:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d5, d2, d4)>
// CHECK-DAG:   #[[B:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1)>
// CHECK-LABEL: func.func @convtranspose_upsampling
// CHECK-SAME:    (%[[X:.+]]: tensor<1x4x3x5xf32>, %[[W:.+]]: tensor<4x6x2x2xf32>, %[[BIAS:.+]]: tensor<6xf32>)
// CHECK-NOT:   tensor.insert_slice
// CHECK:       %[[WT:.+]] = linalg.generic {{.+}} ins(%[[W]] : tensor<4x6x2x2xf32>) outs(%{{.+}} : tensor<6x2x2x4xf32>)
// CHECK:       %[[A:.+]] = tensor.collapse_shape %[[WT]] {{\[}}[0, 1, 2], [3]] : tensor<6x2x2x4xf32> into tensor<24x4xf32>
// CHECK:       %[[COLS:.+]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2, 3]] : tensor<1x4x3x5xf32> into tensor<4x15xf32>
// CHECK:       %[[PRODUCT:.+]] = linalg.matmul ins(%[[A]], %[[COLS]] : tensor<24x4xf32>, tensor<4x15xf32>)
// CHECK:       %[[TILES:.+]] = tensor.expand_shape %[[PRODUCT]] {{\[}}[0, 1, 2, 3], [4, 5]] output_shape [1, 6, 2, 2, 3, 5]
// CHECK:       %[[Y:.+]] = linalg.generic {indexing_maps = [#[[T]], #[[B]], #{{.+}}]
// CHECK-SAME:    ins(%[[TILES]], %[[BIAS]] : tensor<1x6x2x2x3x5xf32>, tensor<6xf32>) outs(%{{.+}} : tensor<1x6x3x2x5x2xf32>)
// CHECK:         arith.addf
// CHECK:       tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<1x6x3x2x5x2xf32> into tensor<1x6x6x10xf32>
func.func @convtranspose_upsampling(%x: tensor<1x4x3x5xf32>, %w: tensor<4x6x2x2xf32>, %b: tensor<6xf32>) -> tensor<1x6x6x10xf32> {
  %0 = "onnx.ConvTranspose"(%x, %w, %b) {strides = array<i64: 2, 2>} : (tensor<1x4x3x5xf32>, tensor<4x6x2x2xf32>, tensor<6xf32>) -> tensor<1x6x6x10xf32>
  return %0 : tensor<1x6x6x10xf32>
}

// -----

// Depthwise (group == channels, one filter each): the named op, with the
// filters as C x KH x KW.
// CHECK-LABEL: func.func @conv_depthwise
// CHECK-SAME:    (%[[X:.+]]: tensor<1x8x10x10xf32>, %[[W:.+]]: tensor<8x1x3x3xf32>)
// CHECK:       %[[F:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0, 1], [2], [3]] : tensor<8x1x3x3xf32> into tensor<8x3x3xf32>
// CHECK:       linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
// CHECK-SAME:    ins(%{{.+}}, %[[F]] : tensor<1x8x12x12xf32>, tensor<8x3x3xf32>) outs(%{{.+}} : tensor<1x8x10x5xf32>)
func.func @conv_depthwise(%x: tensor<1x8x10x10xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x10x5xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Conv"(%x, %w, %none) {group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 2>} : (tensor<1x8x10x10xf32>, tensor<8x1x3x3xf32>, none) -> tensor<1x8x10x5xf32>
  return %0 : tensor<1x8x10x5xf32>
}
