// RUN: smelt-opt %s --smelt-channels-last --canonicalize | FileCheck %s

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#bias = affine_map<(n, c, h, w) -> (c)>
#gate = affine_map<(n, c, h, w) -> (n, c, 0, 0)>
#window = affine_map<(n, c, h, w, kh, kw) -> (n, c, h + kh, w + kw)>
#taps = affine_map<(n, c, h, w, kh, kw) -> (kh, kw)>
#pooled = affine_map<(n, c, h, w, kh, kw) -> (n, c, h, w)>

// CHECK-DAG:   #[[$NHWC_BIAS:.+]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG:   #[[$ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG:   #[[$GATE:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, 0, 0)>
// CHECK-DAG:   #[[$NHWC_WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 + d4, d2 + d5, d3)>

// Two convolutions with a bias init, a Relu and a padding between them:
// the input enters NHWC once, the result leaves NCHW once, and everything
// between runs channels last: the bias broadcast and the Relu with their
// loops in NHWC order, the pad padding H and W.
// CHECK-LABEL: func.func @conv_relu_conv
// CHECK:       %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[$NHWC_BIAS]], #[[$ID]]]{{.*}} ins(%arg2 : tensor<16xf32>) outs(%{{.+}} : tensor<1x6x6x16xf32>)
// CHECK:       %[[IN:.+]] = linalg.transpose ins(%arg0 : tensor<1x8x6x6xf32>) outs(%{{.+}} : tensor<1x6x6x8xf32>) permutation = [0, 2, 3, 1]
// CHECK:       %[[C1:.+]] = linalg.conv_2d_nhwc_hwcf {{.+}} ins(%[[IN]], %{{.+}} : tensor<1x6x6x8xf32>, tensor<1x1x8x16xf32>) outs(%[[INIT]] : tensor<1x6x6x16xf32>)
// CHECK:       %[[RELU:.+]] = linalg.generic {{.+}} ins(%[[C1]] : tensor<1x6x6x16xf32>) outs(%{{.+}} : tensor<1x6x6x16xf32>)
// CHECK:         arith.maximumf
// CHECK:       %[[PAD:.+]] = tensor.pad %[[RELU]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:       %[[C2:.+]] = linalg.conv_2d_nhwc_hwcf {{.+}} ins(%[[PAD]], %{{.+}} : tensor<1x8x8x16xf32>, tensor<3x3x16x4xf32>) outs(%{{.+}} : tensor<1x6x6x4xf32>)
// CHECK:       %[[OUT:.+]] = linalg.transpose ins(%[[C2]] : tensor<1x6x6x4xf32>) outs(%{{.+}} : tensor<1x4x6x6xf32>) permutation = [0, 3, 1, 2]
// CHECK:       return %[[OUT]]
func.func @conv_relu_conv(%x: tensor<1x8x6x6xf32>, %w1: tensor<16x8x1x1xf32>, %b1: tensor<16xf32>,
                          %w2: tensor<4x16x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e16 = tensor.empty() : tensor<1x16x6x6xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b1 : tensor<16xf32>) outs(%e16 : tensor<1x16x6x6xf32>) {
  ^bb0(%b: f32, %out: f32):
    linalg.yield %b : f32
  } -> tensor<1x16x6x6xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w1 : tensor<1x8x6x6xf32>, tensor<16x8x1x1xf32>) outs(%init : tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1 : tensor<1x16x6x6xf32>) outs(%e16 : tensor<1x16x6x6xf32>) {
  ^bb0(%a: f32, %out: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x16x6x6xf32>
  %padded = tensor.pad %relu low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x16x6x6xf32> to tensor<1x16x8x8xf32>
  %e4 = tensor.empty() : tensor<1x4x6x6xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w2 : tensor<1x16x8x8xf32>, tensor<4x16x3x3xf32>) outs(%fill : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %c2 : tensor<1x4x6x6xf32>
}

// A residual Add of two convolutions and a squeeze-and-excitation gate:
// both convolution results are read directly in NHWC, the gate (an
// NCHW [1, C, 1, 1] argument) through a map that puts C last.
// CHECK-LABEL: func.func @residual_and_gate
// CHECK:       %[[A:.+]] = linalg.conv_2d_nhwc_hwcf
// CHECK:       %[[B:.+]] = linalg.conv_2d_nhwc_hwcf
// CHECK:       linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$GATE]], #[[$ID]]]{{.*}} ins(%[[A]], %[[B]], %arg2 : tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x8x1x1xf32>)
// CHECK:       linalg.transpose {{.+}} permutation = [0, 3, 1, 2]
// CHECK-NOT:   linalg.transpose
func.func @residual_and_gate(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>,
                             %g: tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) outs(%fill : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%a, %w : tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) outs(%fill : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #gate, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%a, %b, %g : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) outs(%e : tensor<1x8x4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %s: f32, %out: f32):
    %t = arith.addf %p, %q : f32
    %u = arith.mulf %t, %s : f32
    linalg.yield %u : f32
  } -> tensor<1x8x4x4xf32>
  return %sum : tensor<1x8x4x4xf32>
}

// A depthwise convolution feeding a pooling window (a generic whose input
// map adds reduction loops to H and W): the pooling loops run in NHWC
// order, reading the convolution's result directly.
// CHECK-LABEL: func.func @depthwise_then_pool
// CHECK:       %[[DW:.+]] = linalg.depthwise_conv_2d_nhwc_hwc {{.+}} ins(%{{.+}}, %{{.+}} : tensor<1x6x6x8xf32>, tensor<3x3x8xf32>)
// CHECK:       linalg.generic {indexing_maps = [#[[$NHWC_WINDOW]], #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[DW]], %{{.+}} : tensor<1x4x4x8xf32>, tensor<3x3xf32>) outs(%{{.+}} : tensor<1x2x2x8xf32>)
func.func @depthwise_then_pool(%x: tensor<1x8x6x6xf32>, %w: tensor<8x3x3xf32>) -> tensor<1x8x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %dw = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x6x6xf32>, tensor<8x3x3xf32>) outs(%fill : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %taps = tensor.empty() : tensor<3x3xf32>
  %ep = tensor.empty() : tensor<1x8x2x2xf32>
  %fp = linalg.fill ins(%zero : f32) outs(%ep : tensor<1x8x2x2xf32>) -> tensor<1x8x2x2xf32>
  %pool = linalg.generic {indexing_maps = [#window, #taps, #pooled], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%dw, %taps : tensor<1x8x4x4xf32>, tensor<3x3xf32>) outs(%fp : tensor<1x8x2x2xf32>) {
  ^bb0(%a: f32, %t: f32, %out: f32):
    %m = arith.maximumf %out, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x8x2x2xf32>
  return %pool : tensor<1x8x2x2xf32>
}

// A generic that reads its own loop indices (an edge pad written as a
// gather) is rebuilt in NHWC order with each linalg.index following its
// loop: H and W, loops 2 and 3 in NCHW, are loops 1 and 2 in NHWC.
// CHECK-LABEL: func.func @indices_follow_loops
// CHECK:       linalg.generic
// CHECK-DAG:     linalg.index 1 : index
// CHECK-DAG:     linalg.index 2 : index
// CHECK:       linalg.conv_2d_nhwc_hwcf
func.func @indices_follow_loops(%x: tensor<1x1x2x8xf32>, %w: tensor<2x1x1x3xf32>) -> tensor<1x2x2x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c7 = arith.constant 7 : index
  %e = tensor.empty() : tensor<1x1x2x10xf32>
  %padded = linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%e : tensor<1x1x2x10xf32>) {
  ^bb0(%out: f32):
    %h = linalg.index 2 : index
    %i = linalg.index 3 : index
    %j = arith.minui %i, %c7 : index
    %v = tensor.extract %x[%c0, %c0, %h, %j] : tensor<1x1x2x8xf32>
    linalg.yield %v : f32
  } -> tensor<1x1x2x10xf32>
  %eo = tensor.empty() : tensor<1x2x2x8xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%eo : tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%padded, %w : tensor<1x1x2x10xf32>, tensor<2x1x1x3xf32>) outs(%fill : tensor<1x2x2x8xf32>) -> tensor<1x2x2x8xf32>
  return %y : tensor<1x2x2x8xf32>
}

// Transposes that are not between the two layouts (a Gemm's weights),
// convolutions with dynamic shapes and 1-D convolutions (a unit height)
// are left alone.
// CHECK-LABEL: func.func @others_untouched
// CHECK:       linalg.transpose {{.+}} permutation = [1, 0]
// CHECK:       linalg.conv_2d_nchw_fchw
// CHECK:       linalg.conv_2d_nchw_fchw
// CHECK-NOT:   linalg.transpose
func.func @others_untouched(%w: tensor<4x8xf32>, %x: tensor<?x2x5x5xf32>, %f: tensor<3x2x3x3xf32>,
                            %init: tensor<?x3x3x3xf32>, %a: tensor<1x2x1x9xf32>, %fa: tensor<3x2x1x3xf32>,
                            %inita: tensor<1x3x1x7xf32>)
    -> (tensor<8x4xf32>, tensor<?x3x3x3xf32>, tensor<1x3x1x7xf32>) {
  %e = tensor.empty() : tensor<8x4xf32>
  %t = linalg.transpose ins(%w : tensor<4x8xf32>) outs(%e : tensor<8x4xf32>) permutation = [1, 0]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : tensor<?x2x5x5xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<?x3x3x3xf32>) -> tensor<?x3x3x3xf32>
  %ya = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%a, %fa : tensor<1x2x1x9xf32>, tensor<3x2x1x3xf32>) outs(%inita : tensor<1x3x1x7xf32>) -> tensor<1x3x1x7xf32>
  return %t, %y, %ya : tensor<8x4xf32>, tensor<?x3x3x3xf32>, tensor<1x3x1x7xf32>
}

// A model's own NHWC -> NCHW transpose with a dynamic batch stays where it
// is (the patterns build static shapes only).
// CHECK-LABEL: func.func @dynamic_layout_transpose
// CHECK:       %[[T:.+]] = linalg.transpose ins(%arg0 : tensor<?x4x4x8xf32>)
// CHECK:       linalg.generic {{.+}} ins(%[[T]] : tensor<?x8x4x4xf32>)
func.func @dynamic_layout_transpose(%x: tensor<?x4x4x8xf32>, %init: tensor<?x8x4x4xf32>) -> tensor<?x8x4x4xf32> {
  %t = linalg.transpose ins(%x : tensor<?x4x4x8xf32>) outs(%init : tensor<?x8x4x4xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : tensor<?x8x4x4xf32>) outs(%init : tensor<?x8x4x4xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<?x8x4x4xf32>
  return %r : tensor<?x8x4x4xf32>
}
