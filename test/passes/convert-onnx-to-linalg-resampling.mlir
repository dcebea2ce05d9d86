// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Nearest with constant whole-number scales (asymmetric, floor): one generic
// over the output, no inputs; dims with scale 1 read their own index,
// resized dims divide the output index by the scale in integers and clamp it
// before a single tensor.extract.
// CHECK-LABEL: func.func @resize_nearest_scales
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x2x2xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: outs(%{{.+}} : tensor<1x1x4x6xf32>)
// CHECK: %[[N:.+]] = linalg.index 0
// CHECK: %[[C:.+]] = linalg.index 1
// CHECK: %[[H:.+]] = linalg.index 2
// CHECK: arith.divui %[[H]], %c2
// CHECK: arith.minsi
// CHECK: %[[WI:.+]] = linalg.index 3
// CHECK: arith.divui %[[WI]], %c3
// CHECK: %[[W:.+]] = arith.minsi
// CHECK: %[[V:.+]] = tensor.extract %[[X]][%[[N]], %[[C]], %{{.+}}, %[[W]]]
// CHECK: linalg.yield %[[V]]
// CHECK-NOT: onnx.
func.func @resize_nearest_scales(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x6xf32> {
  %roi = onnx.NoValue
  %scales = "onnx.Constant"() {value = dense<[1.0, 1.0, 2.0, 3.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "onnx.Resize"(%x, %roi, %scales, %roi) {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>, none, tensor<4xf32>, none) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

// A scale that is not a whole number keeps the float source coordinate:
// floor(x / 2.5), clamped.
// CHECK-LABEL: func.func @resize_nearest_fractional_scale
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: math.floor
// CHECK: arith.minsi
// CHECK-NOT: arith.divui
func.func @resize_nearest_fractional_scale(%x: tensor<1x1x1x2xf32>) -> tensor<1x1x1x5xf32> {
  %roi = onnx.NoValue
  %scales = "onnx.Constant"() {value = dense<[1.0, 1.0, 1.0, 2.5]> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "onnx.Resize"(%x, %roi, %scales, %roi) {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<1x1x1x2xf32>, none, tensor<4xf32>, none) -> tensor<1x1x1x5xf32>
  return %0 : tensor<1x1x1x5xf32>
}

// -----

// Linear with scales known only at run time: every dim reads its scale from
// the tensor, and the 2^4 taps are weighted and summed in f64.
// CHECK-LABEL: func.func @resize_linear_runtime_scales
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x2x4xf32>, %[[S:.+]]: tensor<4xf32>)
// CHECK: linalg.generic
// CHECK: tensor.extract %[[S]]
// CHECK: arith.extf {{.+}} : f32 to f64
// CHECK-COUNT-16: tensor.extract %[[X]]
// CHECK: arith.truncf {{.+}} : f64 to f32
// CHECK-NOT: onnx.
func.func @resize_linear_runtime_scales(%x: tensor<1x1x2x4xf32>, %s: tensor<4xf32>) -> tensor<1x1x1x2xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Resize"(%x, %none, %s, %none) {mode = "linear"} : (tensor<1x1x2x4xf32>, none, tensor<4xf32>, none) -> tensor<1x1x1x2xf32>
  return %0 : tensor<1x1x1x2xf32>
}

// -----

// Cubic from sizes: four taps in each resized dim (16 reads); exclude_outside
// renormalizes the weights.
// CHECK-LABEL: func.func @resize_cubic_sizes
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x4x4xf32>
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK-COUNT-16: tensor.extract %[[X]]
// CHECK-NOT: tensor.extract %[[X]]
// CHECK: linalg.yield
// CHECK-NOT: onnx.
func.func @resize_cubic_sizes(%x: tensor<1x1x4x4xf32>, %sizes: tensor<4xi64>) -> tensor<1x1x3x3xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Resize"(%x, %none, %none, %sizes) {mode = "cubic", cubic_coeff_a = -5.000000e-01 : f32, exclude_outside = 1 : i64} : (tensor<1x1x4x4xf32>, none, none, tensor<4xi64>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// tf_crop_and_resize reads the roi and yields extrapolation_value where the
// source coordinate leaves the input.
// CHECK-LABEL: func.func @resize_crop
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x4x4xf32>, %[[ROI:.+]]: tensor<8xf32>)
// CHECK: linalg.generic
// CHECK: tensor.extract %[[ROI]]
// CHECK: arith.ori
// CHECK: %[[EXTRA:.+]] = arith.constant 1.000000e+01 : f32
// CHECK: %[[Y:.+]] = arith.select %{{.+}}, %[[EXTRA]], %{{.+}} : f32
// CHECK: linalg.yield %[[Y]]
// CHECK-NOT: onnx.
func.func @resize_crop(%x: tensor<1x1x4x4xf32>, %roi: tensor<8xf32>) -> tensor<1x1x3x3xf32> {
  %none = onnx.NoValue
  %scales = "onnx.Constant"() {value = dense<[1.0, 1.0, 0.8, 0.8]> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "onnx.Resize"(%x, %roi, %scales, %none) {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 1.000000e+01 : f32} : (tensor<1x1x4x4xf32>, tensor<8xf32>, tensor<4xf32>, none) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// RoiAlign: a generic over (roi, c, ph, pw) whose body loops over the
// sampling grid and reads four corners per sample.
// CHECK-LABEL: func.func @roialign_avg
// CHECK-SAME: (%[[X:.+]]: tensor<1x2x8x8xf32>, %[[R:.+]]: tensor<3x4xf32>, %[[B:.+]]: tensor<3xi64>)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<3x2x2x2xf32>)
// CHECK: tensor.extract %[[B]]
// CHECK: tensor.extract %[[R]]
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-4: tensor.extract %[[X]]
// CHECK: arith.divf
// CHECK-NOT: onnx.
func.func @roialign_avg(%x: tensor<1x2x8x8xf32>, %rois: tensor<3x4xf32>, %bi: tensor<3xi64>) -> tensor<3x2x2x2xf32> {
  %0 = "onnx.RoiAlign"(%x, %rois, %bi) {output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 2 : i64, spatial_scale = 5.000000e-01 : f32} : (tensor<1x2x8x8xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x2x2x2xf32>
  return %0 : tensor<3x2x2x2xf32>
}

// -----

// Dynamic dims with constant scales: a resized dim's output size is
// floor(in * scale) at run time; unit-scale dims keep the input size and
// read their coordinate directly.
// CHECK-LABEL: func.func @resize_dynamic_scales
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?x?xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: %[[C:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: %[[H:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: %[[HF:.+]] = arith.sitofp %{{.+}} : i64 to f64
// CHECK: %[[SCALED:.+]] = arith.mulf %[[HF]], %{{.+}} : f64
// CHECK: %[[FLOOR:.+]] = math.floor %[[SCALED]] : f64
// CHECK: %[[OH:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: cf.assert %[[OK:.+]], "node {{.*}}(Resize): the output sizes must be >= 0 and at most 2^31 elements in all"
// CHECK: %[[N2:.+]] = arith.select %[[OK]], %[[N]], %{{.+}} : index
// CHECK: %[[C2:.+]] = arith.select %[[OK]], %[[C]], %{{.+}} : index
// CHECK: %[[OH2:.+]] = arith.select %[[OK]], %[[OH]], %{{.+}} : index
// CHECK: %[[E:.+]] = tensor.empty(%[[N2]], %[[C2]], %[[OH2]], %{{.+}}) : tensor<?x?x?x?xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[E]] : tensor<?x?x?x?xf32>)
// CHECK: %[[I0:.+]] = linalg.index 0
// CHECK: %[[I1:.+]] = linalg.index 1
// CHECK: tensor.extract %[[X]][%[[I0]], %[[I1]], %{{.+}}, %{{.+}}]
// CHECK-NOT: onnx.
func.func @resize_dynamic_scales(%x: tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %none = onnx.NoValue
  %s = "onnx.Constant"() {value = dense<[1.0, 1.0, 2.0, 3.0]> : tensor<4xf32>} : () -> tensor<4xf32>
  %0 = "onnx.Resize"(%x, %none, %s, %none) {mode = "nearest"} : (tensor<?x?x?x?xf32>, none, tensor<4xf32>, none) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// Sizes read at run time: they size the output once checked (>= 0, at
// most 2^31 elements; 0 when the check fails), and each scale is out / in,
// computed once outside the generic.
// CHECK-LABEL: func.func @resize_dynamic_sizes
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x?x?xf32>, %[[SIZES:.+]]: tensor<4xi64>)
// CHECK: %[[H:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<1x1x?x?xf32>
// CHECK: %[[SH:.+]] = tensor.extract %[[SIZES]][%{{.+}}] : tensor<4xi64>
// CHECK: %[[OH:.+]] = arith.index_cast %[[SH]] : i64 to index
// CHECK: %[[SW:.+]] = tensor.extract %[[SIZES]][%{{.+}}] : tensor<4xi64>
// CHECK: %[[OW:.+]] = arith.index_cast %[[SW]] : i64 to index
// CHECK: cf.assert %[[OK:.+]], "node {{.*}}(Resize): the output sizes
// CHECK: %[[OH2:.+]] = arith.select %[[OK]], %[[OH]], %{{.+}} : index
// CHECK: %[[OW2:.+]] = arith.select %[[OK]], %[[OW]], %{{.+}} : index
// CHECK: %[[SCALE:.+]] = arith.divf
// CHECK: %[[E:.+]] = tensor.empty(%[[OH2]], %[[OW2]]) : tensor<1x1x?x?xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[E]] : tensor<1x1x?x?xf32>)
// CHECK: arith.divf %{{.+}}, %[[SCALE]] : f64
// CHECK: %[[LAST:.+]] = arith.subi %[[H]], %{{.+}} : index
// CHECK: arith.minsi %{{.+}}, %[[LAST]] : index
// CHECK-COUNT-4: tensor.extract %[[X]]
// CHECK-NOT: onnx.
func.func @resize_dynamic_sizes(%x: tensor<1x1x?x?xf32>, %sizes: tensor<4xi64>) -> tensor<1x1x?x?xf32> {
  %none = onnx.NoValue
  %0 = "onnx.Resize"(%x, %none, %none, %sizes) {mode = "linear"} : (tensor<1x1x?x?xf32>, none, none, tensor<4xi64>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// RoiAlign with dynamic dims: the output takes num_rois from rois and C
// from X, and the image size bounding the samples is X's at run time.
// CHECK-LABEL: func.func @roialign_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?x?xf32>, %[[R:.+]]: tensor<?x4xf32>, %[[B:.+]]: tensor<?xi64>)
// CHECK: %[[H:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: %[[W:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: %[[NR:.+]] = tensor.dim %[[R]], %{{.+}} : tensor<?x4xf32>
// CHECK: %[[C:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[NR]], %[[C]]) : tensor<?x?x2x2xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[E]] : tensor<?x?x2x2xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.subi %[[H]], %{{.+}} : index
// CHECK-COUNT-4: tensor.extract %[[X]]
// CHECK-NOT: onnx.
func.func @roialign_dynamic(%x: tensor<?x?x?x?xf32>, %rois: tensor<?x4xf32>, %bi: tensor<?xi64>) -> tensor<?x?x2x2xf32> {
  %0 = "onnx.RoiAlign"(%x, %rois, %bi) {output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 2 : i64} : (tensor<?x?x?x?xf32>, tensor<?x4xf32>, tensor<?xi64>) -> tensor<?x?x2x2xf32>
  return %0 : tensor<?x?x2x2xf32>
}
