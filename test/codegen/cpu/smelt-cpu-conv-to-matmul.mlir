// RUN: smelt-opt %s --split-input-file --smelt-cpu-conv-to-matmul | FileCheck %s

// A 3x3 stride-2 convolution of a batch of one: the im2col matrix is
// KH*KW = 9 strided slices of the input (one per kernel position), then
// filters (F x C*KH*KW) times columns (C*KH*KW x OH*OW) accumulate into the
// output viewed as F x OH*OW, a plain linalg.matmul.
// CHECK-LABEL: func.func @conv3x3
// CHECK:       tensor.empty() : tensor<1x8x3x3x4x4xf32>
// CHECK:       tensor.extract_slice %{{.+}}[0, 0, 0, 0] [1, 8, 4, 4] [1, 1, 2, 2]
// CHECK:       tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0, 0, 0] [1, 8, 1, 1, 4, 4]
// CHECK-COUNT-7: tensor.insert_slice
// CHECK:       tensor.extract_slice %{{.+}}[0, 0, 2, 2] [1, 8, 4, 4] [1, 1, 2, 2]
// CHECK:       %[[LAST:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 2, 2, 0, 0] [1, 8, 1, 1, 4, 4]
// CHECK:       %[[COLS2D:.+]] = tensor.collapse_shape %[[LAST]] {{\[}}[0, 1, 2, 3], [4, 5]] : tensor<1x8x3x3x4x4xf32> into tensor<72x16xf32>
// CHECK:       %[[W:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<16x8x3x3xf32> into tensor<16x72xf32>
// CHECK:       %[[ACC:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2, 3]] : tensor<1x16x4x4xf32> into tensor<16x16xf32>
// CHECK:       %[[PRODUCT:.+]] = linalg.matmul ins(%[[W]], %[[COLS2D]] : tensor<16x72xf32>, tensor<72x16xf32>) outs(%[[ACC]] : tensor<16x16xf32>)
// CHECK:       tensor.expand_shape %[[PRODUCT]] {{\[}}[0, 1], [2, 3]] output_shape [1, 16, 4, 4]
// CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @conv3x3(%in: tensor<1x8x9x9xf32>, %w: tensor<16x8x3x3xf32>, %out: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
     ins(%in, %w : tensor<1x8x9x9xf32>, tensor<16x8x3x3xf32>) outs(%out : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %r : tensor<1x16x4x4xf32>
}

// -----

// A kernel longer than the output (an STFT front end as a 1-D convolution of
// height 1: 64 taps at stride 16, 3 positions) fills the im2col matrix with
// one input window per output position instead of one slice per tap.
// CHECK-LABEL: func.func @long_kernel
// CHECK:       tensor.empty() : tensor<1x1x1x64x1x3xf32>
// CHECK:       tensor.extract_slice %{{.+}}[0, 0, 0, 0] [1, 1, 1, 64] [1, 1, 1, 1]
// CHECK:       tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0, 0, 0] [1, 1, 1, 64, 1, 1]
// CHECK:       tensor.extract_slice %{{.+}}[0, 0, 0, 16] [1, 1, 1, 64] [1, 1, 1, 1]
// CHECK:       tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0, 0, 1] [1, 1, 1, 64, 1, 1]
// CHECK:       tensor.extract_slice %{{.+}}[0, 0, 0, 32] [1, 1, 1, 64] [1, 1, 1, 1]
// CHECK:       %[[LAST:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0, 0, 2] [1, 1, 1, 64, 1, 1]
// CHECK-NOT:   tensor.insert_slice
// CHECK:       %[[COLS:.+]] = tensor.collapse_shape %[[LAST]] {{\[}}[0, 1, 2, 3], [4, 5]] : tensor<1x1x1x64x1x3xf32> into tensor<64x3xf32>
// CHECK:       linalg.matmul ins(%{{.+}}, %[[COLS]] : tensor<32x64xf32>, tensor<64x3xf32>)
func.func @long_kernel(%x: tensor<1x1x1x96xf32>, %w: tensor<32x1x1x64xf32>) -> tensor<1x32x1x3xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x32x1x3xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x32x1x3xf32>) -> tensor<1x32x1x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 16]> : tensor<2xi64>}
         ins(%x, %w : tensor<1x1x1x96xf32>, tensor<32x1x1x64xf32>) outs(%acc : tensor<1x32x1x3xf32>) -> tensor<1x32x1x3xf32>
  return %0 : tensor<1x32x1x3xf32>
}

// -----

// An im2col matrix over 16 MiB (64 x 9 x 512 x 256 floats = 288 MiB) is
// built per block of output rows: 16 MiB / (64*9*256*4 bytes a row) = 28
// rows at most, and 16 is the largest that divides the 512 rows. (A width
// stride of 2: with 1 the convolution would be direct.)
// CHECK-LABEL: func.func @row_blocks
// CHECK:       scf.for %{{.+}} = %c0 to %c512 step %c16
// CHECK:         tensor.empty() : tensor<1x64x3x3x16x256xf32>
// CHECK:         linalg.matmul
// CHECK-SAME:      ins(%{{.+}}, %{{.+}} : tensor<8x576xf32>, tensor<576x4096xf32>)
func.func @row_blocks(%in: tensor<1x64x514x513xf32>, %w: tensor<8x64x3x3xf32>, %out: tensor<1x8x512x256xf32>) -> tensor<1x8x512x256xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
     ins(%in, %w : tensor<1x64x514x513xf32>, tensor<8x64x3x3xf32>) outs(%out : tensor<1x8x512x256xf32>) -> tensor<1x8x512x256xf32>
  return %r : tensor<1x8x512x256xf32>
}

// -----

// A unit width stride and rows of at least a vector (16 lanes at most on
// any target): the convolution stays for smelt-cpu-direct-conv.
// CHECK-LABEL: func.func @direct
// CHECK-NOT:   tensor.empty
// CHECK-NOT:   linalg.matmul
// CHECK:       linalg.conv_2d_nchw_fchw
func.func @direct(%in: tensor<1x8x10x34xf32>, %w: tensor<16x8x3x3xf32>, %out: tensor<1x16x8x32xf32>) -> tensor<1x16x8x32xf32> {
  %r = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in, %w : tensor<1x8x10x34xf32>, tensor<16x8x3x3xf32>) outs(%out : tensor<1x16x8x32xf32>) -> tensor<1x16x8x32xf32>
  return %r : tensor<1x16x8x32xf32>
}

// -----

// A 1x1 stride-1 convolution needs no copy: the input is the column matrix.
// A batch of two is a contraction over the batch.
// CHECK-DAG:   #[[FILTERS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG:   #[[COLS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG:   #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT:   tensor.empty
// CHECK:       tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : tensor<2x8x5x5xf32> into tensor<2x8x25xf32>
// CHECK:       linalg.generic {indexing_maps = [#[[FILTERS]], #[[COLS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
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

// -----

// Channels-last convolutions, 1x1 stride-1 ones included, run direct
// (smelt-cpu-direct-conv): not here.
// CHECK-LABEL: func.func @nhwc_pointwise
// CHECK:       linalg.conv_2d_nhwc_hwcf
// CHECK-NOT:   linalg.matmul
func.func @nhwc_pointwise(%in: tensor<2x4x4x8xf32>, %w: tensor<1x1x8x32xf32>, %init: tensor<2x4x4x32xf32>) -> tensor<2x4x4x32xf32> {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %w : tensor<2x4x4x8xf32>, tensor<1x1x8x32xf32>) outs(%init : tensor<2x4x4x32xf32>) -> tensor<2x4x4x32xf32>
  return %y : tensor<2x4x4x32xf32>
}

// -----

// CHECK-LABEL: func.func @nhwc_strided
// CHECK:       linalg.conv_2d_nhwc_hwcf
// CHECK-NOT:   linalg.matmul
func.func @nhwc_strided(%in: tensor<1x8x8x8xf32>, %w: tensor<1x1x8x32xf32>, %init: tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32> {
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : tensor<1x8x8x8xf32>, tensor<1x1x8x32xf32>) outs(%init : tensor<1x4x4x32xf32>) -> tensor<1x4x4x32xf32>
  return %y : tensor<1x4x4x32xf32>
}
