// RUN: smelt-opt %s --split-input-file --smelt-cpu-conv-to-matmul | FileCheck %s

// A 3x3 stride-2 convolution: the im2col copy reads the input through the
// window map (no div/mod), then filters (F x C*KH*KW) times columns
// (C*KH*KW x OH*OW) accumulate into the output viewed as N x F x OH*OW.
// CHECK-DAG:   #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-DAG:   #[[FILTERS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG:   #[[COLS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG:   #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv3x3
// CHECK:       %[[COL:.+]] = linalg.generic {indexing_maps = [#[[WINDOW]], #{{.+}}]
// CHECK-SAME:    ins(%{{.+}} : tensor<1x8x9x9xf32>) outs(%{{.+}} : tensor<1x8x3x3x4x4xf32>)
// CHECK:       %[[COLS2D:.+]] = tensor.collapse_shape %[[COL]] {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x8x3x3x4x4xf32> into tensor<1x72x16xf32>
// CHECK:       %[[W:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<16x8x3x3xf32> into tensor<16x72xf32>
// CHECK:       %[[ACC:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : tensor<1x16x4x4xf32> into tensor<1x16x16xf32>
// CHECK:       %[[PRODUCT:.+]] = linalg.generic {indexing_maps = [#[[FILTERS]], #[[COLS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:    ins(%[[W]], %[[COLS2D]] : tensor<16x72xf32>, tensor<1x72x16xf32>) outs(%[[ACC]] : tensor<1x16x16xf32>)
// CHECK:       tensor.expand_shape %[[PRODUCT]] {{\[}}[0], [1], [2, 3]] output_shape [1, 16, 4, 4]
// CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @conv3x3(%in: tensor<1x8x9x9xf32>, %w: tensor<16x8x3x3xf32>, %out: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
     ins(%in, %w : tensor<1x8x9x9xf32>, tensor<16x8x3x3xf32>) outs(%out : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %r : tensor<1x16x4x4xf32>
}

// -----

// A 1x1 stride-1 convolution needs no copy: the input is the column matrix.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT:   tensor.empty
// CHECK:       tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : tensor<2x8x5x5xf32> into tensor<2x8x25xf32>
// CHECK:       linalg.generic
// CHECK-SAME:    ins(%{{.+}}, %{{.+}} : tensor<16x8xf32>, tensor<2x8x25xf32>) outs(%{{.+}} : tensor<2x16x25xf32>)
func.func @pointwise(%in: tensor<2x8x5x5xf32>, %w: tensor<16x8x1x1xf32>, %out: tensor<2x16x5x5xf32>) -> tensor<2x16x5x5xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in, %w : tensor<2x8x5x5xf32>, tensor<16x8x1x1xf32>) outs(%out : tensor<2x16x5x5xf32>) -> tensor<2x16x5x5xf32>
  return %r : tensor<2x16x5x5xf32>
}

// -----

// Integer convolutions (ConvInteger) and dynamic shapes keep the loop nest.
// CHECK-LABEL: func.func @kept
// CHECK:       linalg.conv_2d_nchw_fchw
// CHECK:       linalg.conv_2d_nchw_fchw
func.func @kept(%in: tensor<1x8x5x5xi32>, %w: tensor<4x8x3x3xi32>, %out: tensor<1x4x3x3xi32>,
                %din: tensor<?x8x5x5xf32>, %dw: tensor<4x8x3x3xf32>, %dout: tensor<?x4x3x3xf32>)
    -> (tensor<1x4x3x3xi32>, tensor<?x4x3x3xf32>) {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in, %w : tensor<1x8x5x5xi32>, tensor<4x8x3x3xi32>) outs(%out : tensor<1x4x3x3xi32>) -> tensor<1x4x3x3xi32>
  %d = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%din, %dw : tensor<?x8x5x5xf32>, tensor<4x8x3x3xf32>) outs(%dout : tensor<?x4x3x3xf32>) -> tensor<?x4x3x3xf32>
  return %r, %d : tensor<1x4x3x3xi32>, tensor<?x4x3x3xf32>
}
