// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// Per-axis QuantizeLinear: scale and zero point follow the axis loop; the
// value is divided, rounded half to even, shifted and saturated to int8.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[AXIS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @quantize_per_axis
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>, %[[S:.+]]: tensor<3xf32>, %[[Z:.+]]: tensor<3xi8>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[AXIS]], #[[AXIS]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[S]], %[[Z]] :
// CHECK: ^bb0(%[[XV:.+]]: f32, %[[SV:.+]]: f32, %[[ZV:.+]]: i8, %{{.+}}: i8):
// CHECK: %[[DIV:.+]] = arith.divf %[[XV]], %[[SV]] : f32
// CHECK: %[[R:.+]] = math.roundeven %[[DIV]] : f32
// CHECK: %[[ZF:.+]] = arith.sitofp %[[ZV]] : i8 to f32
// CHECK: %[[SUM:.+]] = arith.addf %[[R]], %[[ZF]] : f32
// CHECK: %[[LO:.+]] = arith.constant -1.280000e+02 : f32
// CHECK: %[[C1:.+]] = arith.maxnumf %[[SUM]], %[[LO]] : f32
// CHECK: %[[HI:.+]] = arith.constant 1.270000e+02 : f32
// CHECK: %[[C2:.+]] = arith.minnumf %[[C1]], %[[HI]] : f32
// CHECK: %[[Q:.+]] = arith.fptosi %[[C2]] : f32 to i8
// CHECK: linalg.yield %[[Q]] : i8
// CHECK-NOT: onnx.
func.func @quantize_per_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xi8>) -> tensor<2x3xi8> {
  %0 = "onnx.QuantizeLinear"(%x, %s, %z) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

// Without a zero point the result is uint8: saturate to [0, 255], fptoui.
// The axis is irrelevant for per-tensor parameters (here out of range).
// CHECK-LABEL: func.func @quantize_no_zero_point
// CHECK: math.roundeven
// CHECK-NOT: arith.addf
// CHECK: arith.constant 0.000000e+00 : f32
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.fptoui %{{.+}} : f32 to i8
func.func @quantize_no_zero_point(%x: tensor<6xf32>, %s: tensor<f32>) -> tensor<6xui8> {
  %none = onnx.NoValue
  %0 = "onnx.QuantizeLinear"(%x, %s, %none) {axis = 1 : i64} : (tensor<6xf32>, tensor<f32>, none) -> tensor<6xui8>
  return %0 : tensor<6xui8>
}

// -----

// DequantizeLinear of uint8: unsigned conversions, (x - zp) * scale.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @dequantize
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[SCALAR]], #[[ID]]]
// CHECK: ^bb0(%[[XV:.+]]: i8, %[[SV:.+]]: f32, %[[ZV:.+]]: i8, %{{.+}}: f32):
// CHECK: %[[XF:.+]] = arith.uitofp %[[XV]] : i8 to f32
// CHECK: %[[ZF:.+]] = arith.uitofp %[[ZV]] : i8 to f32
// CHECK: %[[D:.+]] = arith.subf %[[XF]], %[[ZF]] : f32
// CHECK: %[[Y:.+]] = arith.mulf %[[D]], %[[SV]] : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @dequantize(%x: tensor<4xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xf32> {
  %0 = "onnx.DequantizeLinear"(%x, %s, %z) : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// DynamicQuantizeLinear: one reduction computes min(0, min x) and
// max(0, max x); a scalar generic derives scale and zero point; a third
// quantizes x with them.
// CHECK-LABEL: func.func @dynamic_quantize
// CHECK-SAME: (%[[X:.+]]: tensor<6xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[MIN0:.+]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[MAX0:.+]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: %[[RANGE:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<6xf32>) outs(%[[MIN0]], %[[MAX0]] : tensor<f32>, tensor<f32>)
// CHECK: arith.minimumf
// CHECK: arith.maximumf
// CHECK: %[[P:.+]]:2 = linalg.generic
// CHECK-SAME: ins(%[[RANGE]]#0, %[[RANGE]]#1 : tensor<f32>, tensor<f32>)
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.fptoui
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[P]]#0, %[[P]]#1 : tensor<6xf32>, tensor<f32>, tensor<i8>)
// CHECK: return %[[Y]], %[[P]]#0, %[[P]]#1
func.func @dynamic_quantize(%x: tensor<6xf32>) -> (tensor<6xui8>, tensor<f32>, tensor<ui8>) {
  %y, %s, %z = "onnx.DynamicQuantizeLinear"(%x) : (tensor<6xf32>) -> (tensor<6xui8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %z : tensor<6xui8>, tensor<f32>, tensor<ui8>
}

// -----

// MatMulInteger: batch broadcast, A's zero point per row (loop m), B's per
// tensor; both operands extended to i32 (A signed, B unsigned) and
// corrected inside the contraction.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_integer
// CHECK-SAME: (%[[AV:.+]]: tensor<2x3x4xi8>, %[[BV:.+]]: tensor<4x5xi8>, %[[AZ:.+]]: tensor<3xi8>, %[[BZ:.+]]: tensor<i8>)
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : i32)
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[ROW]], #[[SCALAR]], #[[OUT]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[AV]], %[[BV]], %[[AZ]], %[[BZ]] :
// CHECK-SAME: outs(%[[ACC]] : tensor<2x3x5xi32>)
// CHECK: ^bb0(%[[X:.+]]: i8, %[[Y:.+]]: i8, %[[XZ:.+]]: i8, %[[YZ:.+]]: i8, %[[O:.+]]: i32):
// CHECK-DAG: %[[XI:.+]] = arith.extsi %[[X]] : i8 to i32
// CHECK-DAG: %[[YI:.+]] = arith.extui %[[Y]] : i8 to i32
// CHECK-DAG: %[[XZI:.+]] = arith.extsi %[[XZ]] : i8 to i32
// CHECK-DAG: %[[YZI:.+]] = arith.extui %[[YZ]] : i8 to i32
// CHECK-DAG: %[[XD:.+]] = arith.subi %[[XI]], %[[XZI]] : i32
// CHECK-DAG: %[[YD:.+]] = arith.subi %[[YI]], %[[YZI]] : i32
// CHECK: %[[P:.+]] = arith.muli %[[XD]], %[[YD]] : i32
// CHECK: %[[S:.+]] = arith.addi %[[O]], %[[P]] : i32
// CHECK: linalg.yield %[[S]] : i32
func.func @matmul_integer(%a: tensor<2x3x4xi8>, %b: tensor<4x5xui8>, %az: tensor<3xi8>, %bz: tensor<ui8>) -> tensor<2x3x5xi32> {
  %0 = "onnx.MatMulInteger"(%a, %b, %az, %bz) : (tensor<2x3x4xi8>, tensor<4x5xui8>, tensor<3xi8>, tensor<ui8>) -> tensor<2x3x5xi32>
  return %0 : tensor<2x3x5xi32>
}

// -----

// QLinearMatMul of two uint8 matrices: the byte product (ByteMatMul.cpp).
// B is flipped to signed bytes (xor 0x80, its zero point minus 128); the
// zero points then enter through A's row sums and B's column sums, and the
// requantizing generic uses the multiplier a_scale * b_scale / y_scale.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[MK:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[KN:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[MN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @qlinear_matmul
// CHECK-SAME: (%[[A:[^:]+]]: tensor<3x4xi8>, %[[SA:[^:]+]]: tensor<f32>, %[[ZA:[^:]+]]: tensor<i8>, %[[B:[^:]+]]: tensor<4x2xi8>, %[[SB:[^:]+]]: tensor<f32>, %[[ZB:[^:]+]]: tensor<i8>, %[[SY:[^:]+]]: tensor<f32>, %[[ZY:[^:]+]]: tensor<i8>)
// CHECK: %[[SB8:.+]] = linalg.generic {{.*}} ins(%[[B]] :
// CHECK: arith.xori %{{.+}}, %{{.+}} : i8
// CHECK: %[[RAW:.+]] = linalg.generic {indexing_maps = [#[[MK]], #[[KN]], #[[MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A]], %[[SB8]] :
// CHECK: %[[X:.+]] = arith.extui %{{.+}} : i8 to i32
// CHECK: %[[W:.+]] = arith.extsi %{{.+}} : i8 to i32
// CHECK: %[[P:.+]] = arith.muli %[[X]], %[[W]] : i32
// CHECK: arith.addi %{{.+}}, %[[P]] : i32
// CHECK: %[[ROWS:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[A]] :
// CHECK: arith.extui
// CHECK: %[[COLS:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[SB8]] :
// CHECK: arith.extsi
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[COL]], {{.+}}]
// CHECK-SAME: ins(%[[RAW]], %[[ROWS]], %[[COLS]], %[[ZA]], %[[ZB]] :
// CHECK: ^bb0(%[[V0:.+]]: i32, %[[VR:.+]]: i32, %[[VC:.+]]: i32, %[[VZA:.+]]: i8, %[[VZB:.+]]: i8,
// CHECK: %[[ZA32:.+]] = arith.extui %[[VZA]] : i8 to i32
// CHECK: %[[ZB32:.+]] = arith.extui %[[VZB]] : i8 to i32
// CHECK: %[[ZBS:.+]] = arith.addi %[[ZB32]], %{{.+}} : i32
// CHECK: %[[T1:.+]] = arith.muli %[[ZBS]], %[[VR]] : i32
// CHECK: %[[S1:.+]] = arith.subi %[[V0]], %[[T1]] : i32
// CHECK: %[[T2:.+]] = arith.muli %[[ZA32]], %[[VC]] : i32
// CHECK: %[[S2:.+]] = arith.subi %[[S1]], %[[T2]] : i32
// CHECK: %[[ZZ:.+]] = arith.muli %[[ZA32]], %[[ZBS]] : i32
// CHECK: %[[KZZ:.+]] = arith.muli %{{.+}}, %[[ZZ]] : i32
// CHECK: arith.addi %[[S2]], %[[KZZ]] : i32
// CHECK: } -> tensor<3x2xi32>
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%[[ACC]], %[[SA]], %[[SB]], %[[SY]], %[[ZY]] :
// CHECK: ^bb0(%[[V:.+]]: i32, %[[VSA:.+]]: f32, %[[VSB:.+]]: f32, %[[VSY:.+]]: f32, %{{.+}}: i8, %{{.+}}: i8):
// CHECK: %[[M1:.+]] = arith.mulf %[[VSA]], %[[VSB]] : f32
// CHECK: %[[M:.+]] = arith.divf %[[M1]], %[[VSY]] : f32
// CHECK: %[[VF:.+]] = arith.sitofp %[[V]] : i32 to f32
// CHECK: %[[R:.+]] = arith.mulf %[[VF]], %[[M]] : f32
// CHECK: math.roundeven %[[R]]
// CHECK: arith.fptoui %{{.+}} : f32 to i8
// CHECK: return %[[Y]]
func.func @qlinear_matmul(%a: tensor<3x4xui8>, %sa: tensor<f32>, %za: tensor<ui8>, %b: tensor<4x2xui8>, %sb: tensor<f32>, %zb: tensor<ui8>, %sy: tensor<f32>, %zy: tensor<ui8>) -> tensor<3x2xui8> {
  %0 = "onnx.QLinearMatMul"(%a, %sa, %za, %b, %sb, %zb, %sy, %zy) : (tensor<3x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x2xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<3x2xui8>
  return %0 : tensor<3x2xui8>
}

// -----

// MatMulInteger of stacked uint8 rows by int8 weights: one 2-D byte product
// over the 6 rows; the weights' column sums are taken at compile time
// (1+3+127+0 and -2-4-128+5), and with B centered (no zero point) A's row
// sums are not needed.
// CHECK-LABEL: func.func @matmul_integer_weights
// CHECK-SAME: (%[[A:[^:]+]]: tensor<2x3x4xi8>, %[[ZA:[^:]+]]: tensor<i8>)
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[1, -2], [3, -4], [127, -128], [0, 5]]> : tensor<4x2xi8>
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x3x4xi8> into tensor<6x4xi8>
// CHECK: %[[RAW:.+]] = linalg.generic {{.*}} ins(%[[ROWS]], %[[W]] :
// CHECK: } -> tensor<6x2xi32>
// CHECK-NOT: iterator_types = ["parallel", "reduction"]
// CHECK: %[[COLS:.+]] = arith.constant dense<[131, -129]> : tensor<2xi32>
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} ins(%[[RAW]], %[[COLS]], %[[ZA]] :
// CHECK: ^bb0(%[[V:.+]]: i32, %[[VC:.+]]: i32, %[[VZA:.+]]: i8,
// CHECK: %[[Z:.+]] = arith.extui %[[VZA]] : i8 to i32
// CHECK: %[[T:.+]] = arith.muli %[[Z]], %[[VC]] : i32
// CHECK: %[[D:.+]] = arith.subi %[[V]], %[[T]] : i32
// CHECK: linalg.yield %[[D]] : i32
// CHECK: tensor.expand_shape %[[ACC]] {{\[}}[0, 1], [2]] output_shape [2, 3, 2]
func.func @matmul_integer_weights(%a: tensor<2x3x4xui8>, %za: tensor<ui8>) -> tensor<2x3x2xi32> {
  %b = "onnx.Constant"() {value = dense<[[1, -2], [3, -4], [127, -128], [0, 5]]> : tensor<4x2xi8>} : () -> tensor<4x2xi8>
  %none = onnx.NoValue
  %0 = "onnx.MatMulInteger"(%a, %b, %za, %none) : (tensor<2x3x4xui8>, tensor<4x2xi8>, tensor<ui8>, none) -> tensor<2x3x2xi32>
  return %0 : tensor<2x3x2xi32>
}

// -----

// ConvInteger of 8-bit operands (ByteMatMul.cpp): x is padded with its zero
// point, its im2col matrix [C*KH*KW, N*OH*OW] (loops (c, kh, kw, n, oh, ow))
// is the product's B and the filters [F, C*KH*KW] its A. Both are uint8 and
// run-time values: B is flipped to signed bytes and x's zero point moves by
// -128; the result [F, OH*OW] is the output of the one image.
// CHECK-DAG: #[[IM2COL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d1 + d4, d2 + d5)>
// CHECK-LABEL: func.func @conv_integer_padded
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x3x3xi8>, %[[W:.+]]: tensor<1x1x2x2xi8>, %[[XZ:.+]]: tensor<i8>)
// CHECK: %[[Z:.+]] = tensor.extract %[[XZ]][]
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[Z]] : i8
// CHECK: %[[COLS:.+]] = linalg.generic {indexing_maps = [#[[IM2COL]], {{.+}}]{{.*}} ins(%[[P]] : tensor<1x1x5x5xi8>) outs(%{{.+}} : tensor<1x2x2x1x4x4xi8>)
// CHECK: %[[B:.+]] = tensor.collapse_shape %[[COLS]] {{\[}}[0, 1, 2], [3, 4, 5]] : tensor<1x2x2x1x4x4xi8> into tensor<4x16xi8>
// CHECK: %[[A:.+]] = tensor.collapse_shape %[[W]] {{\[}}[0], [1, 2, 3]] : tensor<1x1x2x2xi8> into tensor<1x4xi8>
// CHECK: %[[SB:.+]] = linalg.generic {{.*}} ins(%[[B]] : tensor<4x16xi8>)
// CHECK: arith.xori
// CHECK: %[[RAW:.+]] = linalg.generic {{.*}} ins(%[[A]], %[[SB]] : tensor<1x4xi8>, tensor<4x16xi8>) outs(%{{.+}} : tensor<1x16xi32>)
// CHECK: %[[ROWS:.+]] = linalg.generic {{.*}} ins(%[[A]] : tensor<1x4xi8>)
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} ins(%[[RAW]], %[[ROWS]], %[[XZ]] :
// CHECK: %[[ZX:.+]] = arith.extui %{{.+}} : i8 to i32
// CHECK: %[[ZXS:.+]] = arith.addi %[[ZX]], %{{.+}} : i32
// CHECK: arith.muli %[[ZXS]], %{{.+}} : i32
// CHECK: tensor.expand_shape %[[ACC]] {{\[}}[0], [1, 2, 3]] output_shape [1, 1, 4, 4] : tensor<1x16xi32> into tensor<1x1x4x4xi32>
// CHECK-NOT: onnx.
func.func @conv_integer_padded(%x: tensor<1x1x3x3xui8>, %w: tensor<1x1x2x2xui8>, %xz: tensor<ui8>) -> tensor<1x1x4x4xi32> {
  %none = onnx.NoValue
  %0 = "onnx.ConvInteger"(%x, %w, %xz, %none) {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xui8>, tensor<1x1x2x2xui8>, tensor<ui8>, none) -> tensor<1x1x4x4xi32>
  return %0 : tensor<1x1x4x4xi32>
}

// -----

// QLinearConv with int8 x and w, w's zero point per output channel: the
// filters are A, so that zero point follows A's rows; with a stride of 2
// the im2col map scales the output positions. The bias is added per filter
// (d1) and w's scale is per output channel (d1) in the requantization.
// CHECK-DAG: #[[IM2COL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d0, d4 * 2 + d1, d5 * 2 + d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CHAN4:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[SCALAR4:.+]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-LABEL: func.func @qlinear_conv_per_channel
// CHECK-SAME: %[[X:[^:]+]]: tensor<1x2x5x5xi8>, %[[SX:[^:]+]]: tensor<f32>, %[[ZX:[^:]+]]: tensor<i8>, %[[W:[^:]+]]: tensor<4x2x3x3xi8>, %[[SW:[^:]+]]: tensor<4xf32>, %[[ZW:[^:]+]]: tensor<4xi8>, %[[SY:[^:]+]]: tensor<f32>, %[[ZY:[^:]+]]: tensor<i8>, %[[BIAS:[^:]+]]: tensor<4xi32>
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {indexing_maps = [#[[IM2COL]], {{.+}}]{{.*}} ins(%[[X]] : tensor<1x2x5x5xi8>) outs(%{{.+}} : tensor<2x3x3x1x2x2xi8>)
// CHECK: %[[RAW:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<4x4xi32>)
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [{{.+}}, #[[ROW]], {{.+}}, #[[ROW]], {{.+}}, {{.+}}]{{.*}} ins(%[[RAW]], %{{.+}}, %{{.+}}, %[[ZW]], %[[ZX]] :
// CHECK: %[[E:.+]] = tensor.expand_shape %[[ACC]] {{\[}}[0, 1], [2, 3]] output_shape [1, 4, 2, 2]
// CHECK: %[[BIASED:.+]] = linalg.generic {indexing_maps = [#[[ID4]], #[[CHAN4]], #[[ID4]]]{{.*}} ins(%[[E]], %[[BIAS]] :
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[SCALAR4]], #[[CHAN4]], #[[SCALAR4]], #[[SCALAR4]], #[[ID4]]]
// CHECK-SAME: ins(%[[BIASED]], %[[SX]], %[[SW]], %[[SY]], %[[ZY]] :
// CHECK: arith.fptosi %{{.+}} : f32 to i8
func.func @qlinear_conv_per_channel(%x: tensor<1x2x5x5xi8>, %sx: tensor<f32>, %zx: tensor<i8>, %w: tensor<4x2x3x3xi8>, %sw: tensor<4xf32>, %zw: tensor<4xi8>, %sy: tensor<f32>, %zy: tensor<i8>, %bias: tensor<4xi32>) -> tensor<1x4x2x2xi8> {
  %0 = "onnx.QLinearConv"(%x, %sx, %zx, %w, %sw, %zw, %sy, %zy, %bias) {strides = array<i64: 2, 2>} : (tensor<1x2x5x5xi8>, tensor<f32>, tensor<i8>, tensor<4x2x3x3xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<i8>, tensor<4xi32>) -> tensor<1x4x2x2xi8>
  return %0 : tensor<1x4x2x2xi8>
}

// -----

// A grouped ConvInteger keeps the general lowering: the convolution on int32
// operands with the zero points subtracted first; x's zero point is its
// padding value, so the centered input pads with 0.
// CHECK-LABEL: func.func @conv_integer_grouped
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x3x3xi8>, %[[W:.+]]: tensor<2x1x2x2xi8>, %[[XZ:.+]]: tensor<i8>)
// CHECK: %[[CX:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[XZ]] : tensor<1x2x3x3xi8>, tensor<i8>)
// CHECK: %[[XI:.+]] = arith.extui %{{.+}} : i8 to i32
// CHECK: %[[ZPI:.+]] = arith.extui %{{.+}} : i8 to i32
// CHECK: arith.subi %[[XI]], %[[ZPI]] : i32
// CHECK: %[[CW:.+]] = linalg.generic {{.+}} ins(%[[W]] : tensor<2x1x2x2xi8>) outs(%{{.+}} : tensor<2x1x2x2xi32>)
// CHECK: %[[P:.+]] = tensor.pad %[[CX]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %{{.+}} : i32
// CHECK: linalg.depthwise_conv_2d_nchw_chw
// CHECK-NOT: onnx.
func.func @conv_integer_grouped(%x: tensor<1x2x3x3xui8>, %w: tensor<2x1x2x2xui8>, %xz: tensor<ui8>) -> tensor<1x2x4x4xi32> {
  %none = onnx.NoValue
  %0 = "onnx.ConvInteger"(%x, %w, %xz, %none) {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x3xui8>, tensor<2x1x2x2xui8>, tensor<ui8>, none) -> tensor<1x2x4x4xi32>
  return %0 : tensor<1x2x4x4xi32>
}

// -----

func.func @quantize_bad_scale(%x: tensor<2x3xf32>, %s: tensor<2xf32>) -> tensor<2x3xui8> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (QuantizeLinear): scale and zero point must be scalars or 1-D tensors of 3 elements (the axis dim)}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.QuantizeLinear"(%x, %s, %none) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xf32>, none) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @quantize_bad_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xui8> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (QuantizeLinear): axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.QuantizeLinear"(%x, %s, %none) {axis = 2 : i64} : (tensor<2x3xf32>, tensor<3xf32>, none) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

func.func @matmul_integer_bad_zero_point(%a: tensor<3x4xui8>, %b: tensor<4x5xui8>, %az: tensor<4xui8>) -> tensor<3x5xi32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (MatMulInteger): the zero point of A must be a scalar or have 3 elements (one per row)}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.MatMulInteger"(%a, %b, %az, %none) : (tensor<3x4xui8>, tensor<4x5xui8>, tensor<4xui8>, none) -> tensor<3x5xi32>
  return %0 : tensor<3x5xi32>
}

// -----

func.func @conv_integer_per_channel_x_zero_point(%x: tensor<1x2x3x3xui8>, %w: tensor<1x2x2x2xui8>, %xz: tensor<2xui8>) -> tensor<1x1x2x2xi32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (ConvInteger): x_zero_point must be a scalar}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.ConvInteger"(%x, %w, %xz, %none) : (tensor<1x2x3x3xui8>, tensor<1x2x2x2xui8>, tensor<2xui8>, none) -> tensor<1x1x2x2xi32>
  return %0 : tensor<1x1x2x2xi32>
}

// -----

// Dynamic dims: a 1-D scale / zero point of unknown length is per tensor
// (one element) or per axis, decided at run time by expanding it to the
// axis dim; the result takes its sizes from x.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[AXIS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @dequantize_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xi8>, %[[S:.+]]: tensor<?xf32>, %[[Z:.+]]: tensor<?xi8>)
// CHECK: %[[AX:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?xi8>
// CHECK: %[[NS:.+]] = tensor.dim %[[S]]
// CHECK: %[[ONE:.+]] = arith.cmpi eq, %[[NS]]
// CHECK: tensor.empty(%[[AX]]) : tensor<?xf32>
// CHECK: %[[I:.+]] = linalg.index 0
// CHECK: %[[J:.+]] = arith.select %[[ONE]], %{{.+}}, %[[I]] : index
// CHECK: tensor.extract %[[S]][%[[J]]]
// CHECK: %[[EZ:.+]] = linalg.generic
// CHECK: tensor.extract %[[Z]]
// CHECK: %[[D0:.+]] = tensor.dim %[[X]]
// CHECK: %[[D1:.+]] = tensor.dim %[[X]]
// CHECK: %[[E:.+]] = tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[AXIS]], #[[AXIS]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %{{.+}}, %[[EZ]] :
// CHECK-SAME: outs(%[[E]] : tensor<?x?xf32>)
func.func @dequantize_dynamic(%x: tensor<?x?xi8>, %s: tensor<?xf32>, %z: tensor<?xi8>) -> tensor<?x?xf32> {
  %0 = "onnx.DequantizeLinear"(%x, %s, %z) {axis = 1 : i64} : (tensor<?x?xi8>, tensor<?xf32>, tensor<?xi8>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A dynamic batch dim of A with none in B: the batch loop follows A, B is
// read without it; M and N come from A and B at run time.
// CHECK-LABEL: func.func @matmulinteger_dynamic
// CHECK-SAME: (%[[A:.+]]: tensor<?x?x?xi8>, %[[B:.+]]: tensor<?x?xi8>)
// CHECK: %[[NB:.+]] = tensor.dim %[[A]]
// CHECK: %[[M:.+]] = tensor.dim %[[A]]
// CHECK: %[[N:.+]] = tensor.dim %[[B]]
// CHECK: %[[E:.+]] = tensor.empty(%[[NB]], %[[M]], %[[N]]) : tensor<?x?x?xi32>
// CHECK: %[[F:.+]] = linalg.fill ins(%{{.+}} : i32) outs(%[[E]]
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[A]], %[[B]] :
// CHECK-SAME: outs(%[[F]] : tensor<?x?x?xi32>)
func.func @matmulinteger_dynamic(%a: tensor<?x?x?xi8>, %b: tensor<?x?xi8>) -> tensor<?x?x?xi32> {
  %none = onnx.NoValue
  %0 = "onnx.MatMulInteger"(%a, %b, %none, %none) : (tensor<?x?x?xi8>, tensor<?x?xi8>, none, none) -> tensor<?x?x?xi32>
  return %0 : tensor<?x?x?xi32>
}

// -----

// Two dynamic batch dims may each be 1 at run time: the batch size is the
// other one's where one is 1, and both operands are first copied to it,
// reading index 0 along a batch dim of size 1.
// CHECK-LABEL: func.func @matmulinteger_runtime_broadcast
// CHECK-SAME: (%[[A:.+]]: tensor<?x2x3xi8>, %[[B:.+]]: tensor<?x3x4xi8>)
// CHECK: %[[DA:.+]] = tensor.dim %[[A]]
// CHECK: %[[DB:.+]] = tensor.dim %[[B]]
// CHECK: %[[AONE:.+]] = arith.cmpi eq, %[[DA]]
// CHECK: %[[NB:.+]] = arith.select %[[AONE]], %[[DB]], %[[DA]] : index
// CHECK: tensor.empty(%[[NB]]) : tensor<?x2x3xi8>
// CHECK: %[[BA:.+]] = linalg.generic
// CHECK: tensor.extract %[[A]]
// CHECK: tensor.empty(%[[NB]]) : tensor<?x3x4xi8>
// CHECK: %[[BB:.+]] = linalg.generic
// CHECK: tensor.extract %[[B]]
// CHECK: tensor.empty(%[[NB]]) : tensor<?x2x4xi32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[BA]], %[[BB]] :
func.func @matmulinteger_runtime_broadcast(%a: tensor<?x2x3xi8>, %b: tensor<?x3x4xi8>) -> tensor<?x2x4xi32> {
  %none = onnx.NoValue
  %0 = "onnx.MatMulInteger"(%a, %b, %none, %none) : (tensor<?x2x3xi8>, tensor<?x3x4xi8>, none, none) -> tensor<?x2x4xi32>
  return %0 : tensor<?x2x4xi32>
}

// -----

// ConvInteger with dynamic dims: the output spatial sizes come from the
// input's at run time, as for the float Conv.
// CHECK-LABEL: func.func @conv_integer_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?x?xi8>, %[[W:.+]]: tensor<?x?x?x?xi8>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xi8>
// CHECK: tensor.empty(%{{.+}}) : tensor<?x?x?x?xi32>
// CHECK: linalg.conv_2d_nchw_fchw
// CHECK-SAME: outs(%{{.+}} : tensor<?x?x?x?xi32>)
// CHECK-NOT: onnx.
func.func @conv_integer_dynamic(%x: tensor<?x?x?x?xui8>, %w: tensor<?x?x?x?xui8>) -> tensor<?x?x?x?xi32> {
  %none = onnx.NoValue
  %0 = "onnx.ConvInteger"(%x, %w, %none, %none) : (tensor<?x?x?x?xui8>, tensor<?x?x?x?xui8>, none, none) -> tensor<?x?x?x?xi32>
  return %0 : tensor<?x?x?x?xi32>
}
