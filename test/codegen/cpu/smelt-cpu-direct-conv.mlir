// RUN: smelt-opt %s --split-input-file --smelt-cpu-direct-conv | FileCheck %s

// A 3x3 convolution with unit strides: the input seen as
// [N, C, KH, KW, OH, OW] with the strides of (c, row, column, row, column),
// the output as [N, OH, F, OW], and one contraction generic over
// (n, oh, f, ow, c, kh, kw).
// CHECK-DAG:   #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d4, d5, d6)>
// CHECK-DAG:   #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d5, d6, d1, d3)>
// CHECK-DAG:   #[[O:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv3x3
// CHECK-SAME:    (%[[IN:.+]]: memref<1x8x10x36xf32>, %[[F:.+]]: memref<16x8x3x3xf32>, %[[OUT:.+]]: memref<1x16x8x34xf32>)
// CHECK:       %[[VIEW:.+]] = memref.reinterpret_cast %[[IN]] to offset: [0], sizes: [1, 8, 3, 3, 8, 34], strides: [2880, 360, 36, 1, 36, 1]
// CHECK:       %[[ROWS:.+]] = memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [1, 8, 16, 34], strides: [4352, 34, 272, 1]
// CHECK:       linalg.generic {indexing_maps = [#[[W]], #[[V]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[F]], %[[VIEW]] : memref<16x8x3x3xf32>, memref<1x8x3x3x8x34xf32, strided<[2880, 360, 36, 1, 36, 1]>>)
// CHECK-SAME:    outs(%[[ROWS]] : memref<1x8x16x34xf32, strided<[4352, 34, 272, 1]>>)
// CHECK:         arith.mulf
// CHECK:         arith.addf
// CHECK-NOT:   linalg.conv_2d_nchw_fchw
func.func @conv3x3(%in: memref<1x8x10x36xf32>, %w: memref<16x8x3x3xf32>, %out: memref<1x16x8x34xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in, %w : memref<1x8x10x36xf32>, memref<16x8x3x3xf32>) outs(%out : memref<1x16x8x34xf32>)
  return
}

// -----

// Height stride 2 and width dilation 2 scale the view's oh and kw strides;
// an input at a dynamic offset (a slice) is viewed from that offset.
// CHECK-LABEL: func.func @strided_dilated
// CHECK:       %[[BASE:.+]], %[[OFFSET:.+]], %{{.+}}:4, %{{.+}}:4 = memref.extract_strided_metadata %[[IN:.+]] :
// CHECK:       memref.reinterpret_cast %[[IN]] to offset: [%[[OFFSET]]], sizes: [1, 4, 3, 3, 4, 32], strides: [1440, 360, 36, 2, 72, 1]
func.func @strided_dilated(%in: memref<1x4x10x36xf32, strided<[1440, 360, 36, 1], offset: ?>>, %w: memref<16x4x3x3xf32>, %out: memref<1x16x4x32xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
     ins(%in, %w : memref<1x4x10x36xf32, strided<[1440, 360, 36, 1], offset: ?>>, memref<16x4x3x3xf32>) outs(%out : memref<1x16x4x32xf32>)
  return
}

// -----

// Width stride 2 (each register tile would gather), 1x1 kernels (plain
// matrix products), rows shorter than a vector (2 columns; the default
// target has 128-bit vectors, 4 lanes) and integer types keep the
// convolution.
// CHECK-LABEL: func.func @kept
// CHECK-NOT:   memref.reinterpret_cast
// CHECK-COUNT-4: linalg.conv_2d_nchw_fchw
func.func @kept(%in: memref<1x8x10x69xf32>, %w: memref<16x8x3x3xf32>, %out: memref<1x16x8x34xf32>,
                %in1: memref<1x8x8x34xf32>, %w1: memref<16x8x1x1xf32>,
                %in2: memref<1x8x10x4xf32>, %out2: memref<1x16x8x2xf32>,
                %in3: memref<1x8x10x36xi32>, %w3: memref<16x8x3x3xi32>, %out3: memref<1x16x8x34xi32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
     ins(%in, %w : memref<1x8x10x69xf32>, memref<16x8x3x3xf32>) outs(%out : memref<1x16x8x34xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in1, %w1 : memref<1x8x8x34xf32>, memref<16x8x1x1xf32>) outs(%out : memref<1x16x8x34xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in2, %w : memref<1x8x10x4xf32>, memref<16x8x3x3xf32>) outs(%out2 : memref<1x16x8x2xf32>)
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in3, %w3 : memref<1x8x10x36xi32>, memref<16x8x3x3xi32>) outs(%out3 : memref<1x16x8x34xi32>)
  return
}

// -----

// A depthwise convolution with a unit width stride: the input view and a
// generic over (n, c, oh, ow, kh, kw) into the output as it is. With a
// width stride of 2 it becomes the equivalent generic loop nest.
// CHECK-DAG:   #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d5)>
// CHECK-DAG:   #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5, d2, d3)>
// CHECK-DAG:   #[[O:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @depthwise
// CHECK-SAME:    (%[[IN:.+]]: memref<1x8x10x36xf32>, %[[F:.+]]: memref<8x3x3xf32>, %[[OUT:.+]]: memref<1x8x8x34xf32>
// CHECK:       %[[VIEW:.+]] = memref.reinterpret_cast %[[IN]] to offset: [0], sizes: [1, 8, 3, 3, 8, 34], strides: [2880, 360, 36, 1, 36, 1]
// CHECK:       linalg.generic {indexing_maps = [#[[W]], #[[V]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[F]], %[[VIEW]] : memref<8x3x3xf32>, memref<1x8x3x3x8x34xf32, strided<[2880, 360, 36, 1, 36, 1]>>) outs(%[[OUT]] : memref<1x8x8x34xf32>)
// CHECK:       linalg.generic
// CHECK-SAME:    ins(%{{.+}}, %[[F]] : memref<1x8x10x36xf32>, memref<8x3x3xf32>)
// CHECK-NOT:   linalg.depthwise_conv_2d_nchw_chw
func.func @depthwise(%in: memref<1x8x10x36xf32>, %w: memref<8x3x3xf32>, %out: memref<1x8x8x34xf32>, %out2: memref<1x8x8x17xf32>) {
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
     ins(%in, %w : memref<1x8x10x36xf32>, memref<8x3x3xf32>) outs(%out : memref<1x8x8x34xf32>)
  linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
     ins(%in, %w : memref<1x8x10x36xf32>, memref<8x3x3xf32>) outs(%out2 : memref<1x8x8x17xf32>)
  return
}

// -----

// Channels last, stride 2: the input seen as [N, KH, KW, OH, OW, C] (taps
// before outputs, see nhwcWindowView), the view first so that the
// contraction's M is the run of outputs along OW and its N the filters,
// contiguous in the HWCF filters and in the output. Loops (n, oh, ow, f,
// kh, kw, c).
// CHECK-DAG:   #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d5, d1, d2, d6)>
// CHECK-DAG:   #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG:   #[[O:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @nhwc_strided
// CHECK-SAME:    (%[[IN:.+]]: memref<1x9x9x8xf32>, %[[F:.+]]: memref<3x3x8x32xf32>, %[[OUT:.+]]: memref<1x4x4x32xf32>)
// CHECK:       %[[VIEW:.+]] = memref.reinterpret_cast %[[IN]] to offset: [0], sizes: [1, 3, 3, 4, 4, 8], strides: [648, 72, 8, 144, 16, 1]
// CHECK:       linalg.generic {indexing_maps = [#[[V]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[VIEW]], %[[F]] : memref<1x3x3x4x4x8xf32, strided<[648, 72, 8, 144, 16, 1]>>, memref<3x3x8x32xf32>) outs(%[[OUT]] : memref<1x4x4x32xf32>)
// CHECK-NOT:   linalg.conv_2d_nhwc_hwcf
func.func @nhwc_strided(%in: memref<1x9x9x8xf32>, %w: memref<3x3x8x32xf32>, %out: memref<1x4x4x32xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<1x9x9x8xf32>, memref<3x3x8x32xf32>) outs(%out : memref<1x4x4x32xf32>)
  return
}

// -----

// A channels-last 1x1 stride-1 convolution runs direct too: the view is
// the input itself with unit taps, out[n, oh, ow, f] += v[n, 0, 0, oh, ow,
// c] * w[0, 0, c, f], the activations and the output in their own layout.
// CHECK-LABEL: func.func @nhwc_pointwise
// CHECK-SAME:    (%[[IN:.+]]: memref<1x4x4x8xf32>
// CHECK:       %[[VIEW:.+]] = memref.reinterpret_cast %[[IN]] to offset: [0], sizes: [1, 1, 1, 4, 4, 8], strides: [128, 32, 8, 32, 8, 1]
// CHECK:       linalg.generic {{.+}} ins(%[[VIEW]], %{{.+}} : memref<1x1x1x4x4x8xf32, strided<[128, 32, 8, 32, 8, 1]>>, memref<1x1x8x32xf32>)
// CHECK-NOT:   linalg.conv_2d_nhwc_hwcf
func.func @nhwc_pointwise(%in: memref<1x4x4x8xf32>, %w: memref<1x1x8x32xf32>, %out: memref<1x4x4x32xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%in, %w : memref<1x4x4x8xf32>, memref<1x1x8x32xf32>) outs(%out : memref<1x4x4x32xf32>)
  return
}

// -----

// Channels-last depthwise, any stride: loops (n, oh, ow, c, kh, kw), the
// channels innermost in every operand (the window kernel's vectors).
// CHECK-DAG:   #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d5, d1, d2, d3)>
// CHECK-DAG:   #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
// CHECK-DAG:   #[[O:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @nhwc_depthwise
// CHECK-SAME:    (%[[IN:.+]]: memref<1x10x10x16xf32>, %[[F:.+]]: memref<3x3x16xf32>, %[[OUT:.+]]: memref<1x4x4x16xf32>)
// CHECK:       %[[VIEW:.+]] = memref.reinterpret_cast %[[IN]] to offset: [0], sizes: [1, 3, 3, 4, 4, 16], strides: [1600, 160, 16, 320, 32, 1]
// CHECK:       linalg.generic {indexing_maps = [#[[V]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME:    ins(%[[VIEW]], %[[F]] : memref<1x3x3x4x4x16xf32, strided<[1600, 160, 16, 320, 32, 1]>>, memref<3x3x16xf32>) outs(%[[OUT]] : memref<1x4x4x16xf32>)
func.func @nhwc_depthwise(%in: memref<1x10x10x16xf32>, %w: memref<3x3x16xf32>, %out: memref<1x4x4x16xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%in, %w : memref<1x10x10x16xf32>, memref<3x3x16xf32>) outs(%out : memref<1x4x4x16xf32>)
  return
}

// -----

// Channels-last pooling windows: the input read at (n, oh*2 + kh,
// ow*2 + kw, c) is read through the view [N, KH, OH, KW, OW, C] instead
// (each window position split into its tap and its output, the tap
// first), so every map is a projected permutation and the pooling can run
// along the channels. A global pool (one output position) too.
// CHECK-DAG:   #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d1, d5, d2, d3)>
// CHECK-LABEL: func.func @pooling_windows
// CHECK-SAME:    (%[[X:.+]]: memref<1x113x113x64xf32>, %{{.+}}: memref<3x3xf32>, %{{.+}}: memref<1x56x56x64xf32>, %[[G:.+]]: memref<1x7x7x64xf32>
// CHECK:       %[[VIEW:.+]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [1, 3, 56, 3, 56, 64], strides: [817216, 7232, 14464, 64, 128, 1]
// CHECK:       linalg.generic {indexing_maps = [#[[IN]], {{.+}}} ins(%[[VIEW]], {{.+}}
// CHECK:         arith.maximumf
// CHECK:       %[[GVIEW:.+]] = memref.reinterpret_cast %[[G]] to offset: [0], sizes: [1, 7, 1, 7, 1, 64], strides: [3136, 448, 448, 64, 64, 1]
// CHECK:       linalg.generic {indexing_maps = [#[[IN]], {{.+}}} ins(%[[GVIEW]], {{.+}}
// CHECK:         arith.addf
#max_in = affine_map<(n, h, w, c, kh, kw) -> (n, h * 2 + kh, w * 2 + kw, c)>
#avg_in = affine_map<(n, h, w, c, kh, kw) -> (n, h + kh, w + kw, c)>
#win_taps = affine_map<(n, h, w, c, kh, kw) -> (kh, kw)>
#win_out = affine_map<(n, h, w, c, kh, kw) -> (n, h, w, c)>
func.func @pooling_windows(%x: memref<1x113x113x64xf32>, %t3: memref<3x3xf32>, %y: memref<1x56x56x64xf32>,
                           %g: memref<1x7x7x64xf32>, %t7: memref<7x7xf32>, %s: memref<1x1x1x64xf32>) {
  linalg.generic {indexing_maps = [#max_in, #win_taps, #win_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %t3 : memref<1x113x113x64xf32>, memref<3x3xf32>) outs(%y : memref<1x56x56x64xf32>) {
  ^bb0(%a: f32, %t: f32, %o: f32):
    %m = arith.maximumf %o, %a : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#avg_in, #win_taps, #win_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%g, %t7 : memref<1x7x7x64xf32>, memref<7x7xf32>) outs(%s : memref<1x1x1x64xf32>) {
  ^bb0(%a: f32, %t: f32, %o: f32):
    %m = arith.addf %o, %a : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A convolution smelt-cpu-data-tiling gave packed filters: the window's
// innermost index is the channel loop, a reduction, which is contiguous in
// the input, so the input is read through the window view as for pooling,
// with the taps first.
// CHECK-DAG:   #[[WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d5, d1, d6, d2, d7)>
// CHECK-DAG:   #[[PANEL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
// CHECK-LABEL: func.func @packed_filter_window
// CHECK-SAME:    (%[[X:.+]]: memref<1x16x16x128xf32>
// CHECK:       %[[VIEW:.+]] = memref.reinterpret_cast %[[X]] to offset: [0], sizes: [1, 3, 7, 3, 7, 128], strides: [32768, 2048, 4096, 128, 256, 1]
// CHECK:       linalg.generic {indexing_maps = [#[[WIN]], #[[PANEL]], {{.+}}} ins(%[[VIEW]], %{{.+}} : {{.+}}, memref<2x3x3x128x32xf32>)
#pf_in = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1 * 2 + d5, d2 * 2 + d6, d7)>
#pf_w = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
#pf_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
func.func @packed_filter_window(%x: memref<1x16x16x128xf32>, %w: memref<2x3x3x128x32xf32>, %y: memref<1x7x7x2x32xf32>) {
  linalg.generic {indexing_maps = [#pf_in, #pf_w, #pf_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x16x16x128xf32>, memref<2x3x3x128x32xf32>) outs(%y : memref<1x7x7x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}
