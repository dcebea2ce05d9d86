// RUN: smelt-opt %s --split-input-file --onnx-fuse-quantized | FileCheck %s

// A QDQ Conv: x and w dequantized (w per filter along axis 0), the int32
// bias dequantized with x_scale * w_scale, the only user a QuantizeLinear:
// one QLinearConv of the quantized tensors with the Conv's attributes. x
// has no zero point: a uint8 zero takes its place.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[XQ:.+]]: tensor<1x2x5x5xui8>, %[[WQ:.+]]: tensor<3x2x3x3xi8>, %[[BQ:.+]]: tensor<3xi32>)
// CHECK-DAG: %[[XS:.+]] = "onnx.Constant"(){{.*}}dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[WS:.+]] = "onnx.Constant"(){{.*}}dense<[2.500000e-01, 1.250000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[WZ:.+]] = "onnx.Constant"(){{.*}}dense<0> : tensor<3xi8>
// CHECK-DAG: %[[YS:.+]] = "onnx.Constant"(){{.*}}dense<2.000000e+00> : tensor<f32>
// CHECK-DAG: %[[YZ:.+]] = "onnx.Constant"(){{.*}}dense<3> : tensor<ui8>
// CHECK-DAG: %[[XZ:.+]] = "onnx.Constant"(){{.*}}dense<0> : tensor<ui8>
// CHECK: %[[Y:.+]] = "onnx.QLinearConv"(%[[XQ]], %[[XS]], %[[XZ]], %[[WQ]], %[[WS]], %[[WZ]], %[[YS]], %[[YZ]], %[[BQ]])
// CHECK-SAME: pads = array<i64: 1, 1, 1, 1>
// CHECK-SAME: -> tensor<1x3x5x5xui8>
// CHECK-NOT: onnx.Conv
// CHECK: return %[[Y]]
func.func @conv(%xq: tensor<1x2x5x5xui8>, %wq: tensor<3x2x3x3xi8>, %bq: tensor<3xi32>) -> tensor<1x3x5x5xui8> {
  %none = onnx.NoValue
  %xs = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %ws = "onnx.Constant"() {value = dense<[0.25, 0.125, 1.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %wz = "onnx.Constant"() {value = dense<0> : tensor<3xi8>} : () -> tensor<3xi8>
  %bs = "onnx.Constant"() {value = dense<[0.125, 0.0625, 0.5]> : tensor<3xf32>} : () -> tensor<3xf32>
  %ys = "onnx.Constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %yz = "onnx.Constant"() {value = dense<3> : tensor<ui8>} : () -> tensor<ui8>
  %x = "onnx.DequantizeLinear"(%xq, %xs, %none) : (tensor<1x2x5x5xui8>, tensor<f32>, none) -> tensor<1x2x5x5xf32>
  %w = "onnx.DequantizeLinear"(%wq, %ws, %wz) {axis = 0 : i64} : (tensor<3x2x3x3xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x2x3x3xf32>
  %b = "onnx.DequantizeLinear"(%bq, %bs, %none) {axis = 0 : i64} : (tensor<3xi32>, tensor<3xf32>, none) -> tensor<3xf32>
  %y = "onnx.Conv"(%x, %w, %b) {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x5x5xf32>
  %yq = "onnx.QuantizeLinear"(%y, %ys, %yz) : (tensor<1x3x5x5xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x3x5x5xui8>
  return %yq : tensor<1x3x5x5xui8>
}

// -----

// A bias whose scale is not x_scale * w_scale, and a Conv whose float
// output is also used elsewhere, stay as they are.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: onnx.QLinearConv
// CHECK: onnx.Conv
// CHECK: onnx.Conv
// CHECK-NOT: onnx.QLinearConv
func.func @not_fused(%xq: tensor<1x2x5x5xui8>, %wq: tensor<3x2x3x3xi8>, %bq: tensor<3xi32>) -> (tensor<1x3x3x3xui8>, tensor<1x3x3x3xui8>, tensor<1x3x3x3xf32>) {
  %none = onnx.NoValue
  %xs = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %ws = "onnx.Constant"() {value = dense<0.25> : tensor<f32>} : () -> tensor<f32>
  %bs = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %ys = "onnx.Constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %x = "onnx.DequantizeLinear"(%xq, %xs, %none) : (tensor<1x2x5x5xui8>, tensor<f32>, none) -> tensor<1x2x5x5xf32>
  %w = "onnx.DequantizeLinear"(%wq, %ws, %none) : (tensor<3x2x3x3xi8>, tensor<f32>, none) -> tensor<3x2x3x3xf32>
  %b = "onnx.DequantizeLinear"(%bq, %bs, %none) : (tensor<3xi32>, tensor<f32>, none) -> tensor<3xf32>
  %y1 = "onnx.Conv"(%x, %w, %b) : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %q1 = "onnx.QuantizeLinear"(%y1, %ys, %none) : (tensor<1x3x3x3xf32>, tensor<f32>, none) -> tensor<1x3x3x3xui8>
  %y2 = "onnx.Conv"(%x, %w, %none) : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, none) -> tensor<1x3x3x3xf32>
  %q2 = "onnx.QuantizeLinear"(%y2, %ys, %none) : (tensor<1x3x3x3xf32>, tensor<f32>, none) -> tensor<1x3x3x3xui8>
  return %q1, %q2, %y2 : tensor<1x3x3x3xui8>, tensor<1x3x3x3xui8>, tensor<1x3x3x3xf32>
}

// -----

// A QDQ MatMul, B per column (axis 1): QLinearMatMul; the missing zero
// points become zeros of each operand's type.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[AQ:.+]]: tensor<4x8xi8>, %[[BQ:.+]]: tensor<8x2xi8>)
// CHECK: %[[Y:.+]] = "onnx.QLinearMatMul"(%[[AQ]], %{{.+}}, %{{.+}}, %[[BQ]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) : (tensor<4x8xi8>, tensor<f32>, tensor<i8>, tensor<8x2xi8>, tensor<2xf32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<4x2xi8>
// CHECK-NOT: onnx.MatMul
// CHECK: return %[[Y]]
func.func @matmul(%aq: tensor<4x8xi8>, %bq: tensor<8x2xi8>) -> tensor<4x2xi8> {
  %none = onnx.NoValue
  %as = "onnx.Constant"() {value = dense<0.5> : tensor<f32>} : () -> tensor<f32>
  %bs = "onnx.Constant"() {value = dense<[0.25, 0.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %ys = "onnx.Constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
  %yz = "onnx.Constant"() {value = dense<0> : tensor<i8>} : () -> tensor<i8>
  %a = "onnx.DequantizeLinear"(%aq, %as, %none) : (tensor<4x8xi8>, tensor<f32>, none) -> tensor<4x8xf32>
  %b = "onnx.DequantizeLinear"(%bq, %bs, %none) {axis = 1 : i64} : (tensor<8x2xi8>, tensor<2xf32>, none) -> tensor<8x2xf32>
  %y = "onnx.MatMul"(%a, %b) : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %yq = "onnx.QuantizeLinear"(%y, %ys, %yz) : (tensor<4x2xf32>, tensor<f32>, tensor<i8>) -> tensor<4x2xi8>
  return %yq : tensor<4x2xi8>
}
