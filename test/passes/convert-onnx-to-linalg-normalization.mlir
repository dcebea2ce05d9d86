// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// Inference BatchNormalization: one elementwise generic, the per-channel
// operands indexed by dim 1.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @batchnorm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4x5xf32>, %[[S:[^:]+]]: tensor<3xf32>, %[[B:[^:]+]]: tensor<3xf32>, %[[M:[^:]+]]: tensor<3xf32>, %[[V:[^:]+]]: tensor<3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[CH]], #[[CH]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[S]], %[[B]], %[[M]], %[[V]] :
// CHECK: arith.addf
// CHECK: math.sqrt
// CHECK: arith.subf
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK-NOT: onnx.
func.func @batchnorm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %y, %rm, %rv = "onnx.BatchNormalization"(%x, %s, %b, %m, %v) {epsilon = 1.0e-2 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, none, none)
  return %y : tensor<2x3x4x5xf32>
}

// -----

// Training BatchNormalization: X's own mean and (two-pass, biased) variance
// over every dim but the channel normalize it, and the running statistics
// become input * momentum + batch * (1 - momentum).
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[CH3:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @batchnorm_training
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf32>, %[[S:[^:]+]]: tensor<3xf32>, %[[B:[^:]+]]: tensor<3xf32>, %[[M:[^:]+]]: tensor<3xf32>, %[[V:[^:]+]]: tensor<3xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} iterator_types = ["reduction", "parallel", "reduction"]} ins(%[[X]] :
// CHECK: %[[MEAN:.+]] = linalg.generic {{.+}} ins(%[[SUM]] :
// CHECK: %[[COUNT:.+]] = arith.constant 8.000000e+00 : f32
// CHECK: arith.divf %{{.+}}, %[[COUNT]]
// CHECK: %[[SQ:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[MEAN]] :
// CHECK: %[[VAR:.+]] = linalg.generic {{.+}} ins(%[[SQ]] :
// CHECK: %[[RM:.+]] = linalg.generic {{.+}} ins(%[[MEAN]], %[[M]] :
// CHECK: ^bb0(%[[BATCH:[^:]+]]: f32, %[[PREV:[^:]+]]: f32, %{{.+}}: f32):
// CHECK: %[[MOMENTUM:.+]] = arith.constant 7.500000e-01 : f32
// CHECK: %[[K:.+]] = arith.mulf %[[PREV]], %[[MOMENTUM]]
// CHECK: %[[REST:.+]] = arith.constant 2.500000e-01 : f32
// CHECK: %[[N:.+]] = arith.mulf %[[BATCH]], %[[REST]]
// CHECK: arith.addf %[[K]], %[[N]]
// CHECK: %[[RV:.+]] = linalg.generic {{.+}} ins(%[[VAR]], %[[V]] :
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[ID3]], #[[CH3]], #[[CH3]], #[[CH3]], #[[CH3]], #[[ID3]]]
// CHECK-SAME: ins(%[[X]], %[[S]], %[[B]], %[[MEAN]], %[[VAR]] :
// CHECK: return %[[Y]], %[[RM]], %[[RV]]
func.func @batchnorm_training(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %rm, %rv = "onnx.BatchNormalization"(%x, %s, %b, %m, %v) {epsilon = 1.0e-2 : f32, momentum = 0.75 : f32, training_mode = 1 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %rm, %rv : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Softmax along the last axis (default): max-reduce, exp(x - max), sum, divide.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @softmax_default_axis
// CHECK-SAME: (%[[X:.+]]: tensor<3x4x5xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<3x4x5xf32>) outs(%{{.+}} : tensor<3x4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[EXP:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[MAX]] :
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[RED]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[EXP]] :
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[EXP]], %[[SUM]] :
// CHECK: arith.divf
// CHECK-NOT: onnx.
func.func @softmax_default_axis(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = "onnx.Softmax"(%x) : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// Softmax along axis 0 reduces the leading dim only.
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func.func @softmax_axis_0
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[RED]]], iterator_types = ["reduction", "parallel", "parallel"]}
func.func @softmax_axis_0(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = "onnx.Softmax"(%x) {axis = 0 : i64} : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// LogSoftmax: x - max - log(sum(exp(x - max))).
// CHECK-LABEL: func.func @logsoftmax_negative_axis
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[SUM]] :
// CHECK: math.log
// CHECK-NOT: arith.divf
func.func @logsoftmax_negative_axis(%x: tensor<3x4x5xf32>) -> tensor<3x4x5xf32> {
  %0 = "onnx.LogSoftmax"(%x) {axis = -2 : i64} : (tensor<3x4x5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// -----

// InstanceNormalization: mean and two-pass variance over the spatial dims
// per (n, c), then one generic reading them through the kept map and
// scale/B through the channel map.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[CH:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @instancenorm
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4x5xf32>, %[[S:[^:]+]]: tensor<3xf32>, %[[B:[^:]+]]: tensor<3xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] :
// CHECK: %[[COUNT:.+]] = arith.constant 2.000000e+01 : f32
// CHECK: arith.divf %{{.+}}, %[[COUNT]]
// CHECK: %[[SQ:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[MEAN]] :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: %[[VAR:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SQ]] :
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]], #[[CH]], #[[CH]], #[[ID]]]
// CHECK-SAME: ins(%[[X]], %[[MEAN]], %[[VAR]], %[[S]], %[[B]] :
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK-NOT: onnx.
func.func @instancenorm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0 = "onnx.InstanceNormalization"(%x, %s, %b) {epsilon = 1.0e-2 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// LayerNormalization of f16 with stash_type=1: statistics in f32, the
// normalized value truncated to f16 before Scale and B (broadcast over the
// trailing dim); Mean and InvStdDev come back with the normalized dim as 1.
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[LAST:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @layernorm_stash
// CHECK-SAME: (%[[X:[^:]+]]: tensor<2x3x4xf16>, %[[S:[^:]+]]: tensor<4xf16>, %[[B:[^:]+]]: tensor<4xf16>)
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK: %[[SQ:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[MEAN]] :
// CHECK: %[[VAR:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SQ]] :
// CHECK: %[[INV:.+]] = linalg.generic
// CHECK-SAME: ins(%[[VAR]] :
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[KEPT]], #[[KEPT]], #[[LAST]], #[[LAST]], #{{.+}}]
// CHECK-SAME: ins(%[[X]], %[[MEAN]], %[[INV]], %[[S]], %[[B]] :
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: arith.mulf %{{.+}} : f16
// CHECK: arith.addf %{{.+}} : f16
// CHECK: %[[M:.+]] = tensor.expand_shape %[[MEAN]] {{\[}}[0], [1, 2]] output_shape [2, 3, 1]
// CHECK: %[[R:.+]] = tensor.expand_shape %[[INV]] {{\[}}[0], [1, 2]] output_shape [2, 3, 1]
// CHECK: return %[[Y]], %[[M]], %[[R]]
// CHECK-NOT: onnx.
func.func @layernorm_stash(%x: tensor<2x3x4xf16>, %s: tensor<4xf16>, %b: tensor<4xf16>) -> (tensor<2x3x4xf16>, tensor<2x3x1xf32>, tensor<2x3x1xf32>) {
  %y, %m, %r = "onnx.LayerNormalization"(%x, %s, %b) : (tensor<2x3x4xf16>, tensor<4xf16>, tensor<4xf16>) -> (tensor<2x3x4xf16>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  return %y, %m, %r : tensor<2x3x4xf16>, tensor<2x3x1xf32>, tensor<2x3x1xf32>
}

// -----

// LayerNormalization from axis 1 without B: both trailing dims are reduced.
// CHECK-LABEL: func.func @layernorm_axis1_no_bias
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction", "reduction"]
// CHECK-NOT: arith.extf
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: arith.mulf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: linalg.yield
// CHECK-NOT: onnx.
func.func @layernorm_axis1_no_bias(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %none = onnx.NoValue
  %y, %m, %r = "onnx.LayerNormalization"(%x, %s, %none) {axis = 1 : i64, epsilon = 1.0e-3 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>, none) -> (tensor<2x3x4xf32>, none, none)
  return %y : tensor<2x3x4xf32>
}

// -----

func.func @layernorm_bad_scale(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (LayerNormalization): Scale and B must broadcast to the normalized dims}}
  // expected-error @+1 {{failed to legalize}}
  %y, %m, %r = "onnx.LayerNormalization"(%x, %s, %none) : (tensor<2x3x4xf32>, tensor<3xf32>, none) -> (tensor<2x3x4xf32>, none, none)
  return %y : tensor<2x3x4xf32>
}

// -----

// MeanVarianceNormalization with the default axes [0, 2, 3]:
// (x - mean) / (sqrt(var) + 1e-9).
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @mvn
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[KEPT]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[KEPT]], #[[KEPT]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK-DAG: %[[EPS:.+]] = arith.constant 9.99999971E-10 : f32
// CHECK-DAG: %[[STD:.+]] = math.sqrt
// CHECK: %[[DEN:.+]] = arith.addf %[[STD]], %[[EPS]]
// CHECK: arith.divf %{{.+}}, %[[DEN]]
// CHECK-NOT: onnx.
func.func @mvn(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = "onnx.MeanVarianceNormalization"(%x) : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// LpNormalization p=2: sum of squares along the axis, x / sqrt(sum).
// CHECK-DAG: #[[RED:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @lp_l2
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[RED]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[SUM]] :
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK-NOT: onnx.
func.func @lp_l2(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = "onnx.LpNormalization"(%x) {axis = 0 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// LpNormalization p=1 divides by the sum of |x|.
// CHECK-LABEL: func.func @lp_l1
// CHECK: math.absf
// CHECK-NOT: math.sqrt
// CHECK: arith.divf
func.func @lp_l1(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = "onnx.LpNormalization"(%x) {p = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @lp_p3(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{node '<unnamed>' (LpNormalization): p must be 1 or 2, got 3}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.LpNormalization"(%x) {p = 3 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// LRN size 4: channel c sums squares of channels [c - 1, c + 2] of a copy
// padded with zeros (1 before, 2 after); the window is a reduction dim d4.
// CHECK-DAG: #[[WIN:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 + d4, d2, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @lrn
// CHECK-SAME: (%[[X:.+]]: tensor<1x5x2x2xf32>)
// CHECK: %[[P:.+]] = tensor.pad %[[X]] low[0, 1, 0, 0] high[0, 2, 0, 0]
// CHECK: tensor<1x5x2x2xf32> to tensor<1x8x2x2xf32>
// CHECK: %[[SQ:.+]] = linalg.generic {indexing_maps = [#[[WIN]], #{{.+}}, #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[P]], %{{.+}} : tensor<1x8x2x2xf32>, tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[SQ]] :
// CHECK: %[[ALPHA:.+]] = arith.constant 2.500000e-01 : f32
// CHECK: arith.mulf %{{.+}}, %[[ALPHA]]
// CHECK: math.powf
// CHECK: arith.divf
// CHECK-NOT: onnx.
func.func @lrn(%x: tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32> {
  %0 = "onnx.LRN"(%x) {size = 4 : i64, alpha = 1.0 : f32} : (tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32>
  return %0 : tensor<1x5x2x2xf32>
}

// -----

// Inference Dropout is the identity; the mask is all true.
// CHECK-LABEL: func.func @dropout_mask
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK: %[[TRUE:.+]] = arith.constant true
// CHECK: %[[MASK:.+]] = linalg.fill ins(%[[TRUE]] : i1) outs(%{{.+}} : tensor<2x3xi1>)
// CHECK: return %[[X]], %[[MASK]]
// CHECK-NOT: onnx.
func.func @dropout_mask(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  %r = "onnx.Constant"() {value = dense<0.3> : tensor<f32>} : () -> tensor<f32>
  %f = "onnx.Constant"() {value = dense<false> : tensor<i1>} : () -> tensor<i1>
  %y, %m = "onnx.Dropout"(%x, %r, %f) : (tensor<2x3xf32>, tensor<f32>, tensor<i1>) -> (tensor<2x3xf32>, tensor<2x3xi1>)
  return %y, %m : tensor<2x3xf32>, tensor<2x3xi1>
}

// -----

// Without a mask output nothing is computed.
// CHECK-LABEL: func.func @dropout
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>)
// CHECK-NOT: linalg
// CHECK: return %[[X]]
func.func @dropout(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %none = onnx.NoValue
  %y, %m = "onnx.Dropout"(%x, %none, %none) : (tensor<2x3xf32>, none, none) -> (tensor<2x3xf32>, none)
  return %y : tensor<2x3xf32>
}

// -----

// Softmax with dynamic dims: the reductions and elementwise steps size their
// inits from the input at run time.
// CHECK-LABEL: func.func @softmax_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xf32>)
// CHECK: %[[D0:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?xf32>
// CHECK: tensor.empty(%[[D0]]) : tensor<?xf32>
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: arith.divf
// CHECK: return %[[R]] : tensor<?x?xf32>
func.func @softmax_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = "onnx.Softmax"(%x) {axis = 1 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// LayerNormalization with dynamic dims: the mean divides by the run-time
// element count; a Scale with dynamic dims is broadcast to the normalized
// dims first (it may be 1 there at run time).
// CHECK-LABEL: func.func @layer_norm_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xf32>, %[[S:.+]]: tensor<?xf32>)
// CHECK: %[[SB:.+]] = linalg.generic
// CHECK: arith.select
// CHECK: tensor.extract %[[S]]
// CHECK: %[[I64:.+]] = arith.index_castui %{{.+}} : index to i64
// CHECK: %[[COUNT:.+]] = arith.uitofp %[[I64]] : i64 to f32
// CHECK: arith.divf %{{.+}}, %[[COUNT]] : f32
// CHECK: linalg.generic {{.+}} ins(%[[X]], %{{.+}}, %{{.+}}, %[[SB]] :
// CHECK-NOT: onnx.LayerNormalization
func.func @layer_norm_dynamic(%x: tensor<?x?xf32>, %s: tensor<?xf32>) -> tensor<?x?xf32> {
  %none = onnx.NoValue
  %y, %m, %v = "onnx.LayerNormalization"(%x, %s, %none) {axis = -1 : i64} : (tensor<?x?xf32>, tensor<?xf32>, none) -> (tensor<?x?xf32>, none, none)
  return %y : tensor<?x?xf32>
}

// -----

// Training mode known only at run time: one generic draws u per element and
// selects between the dropped and the identity value; the mask is u >= ratio.
// CHECK-LABEL: func.func @dropout_runtime_training
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>, %[[R:.+]]: tensor<f32>, %[[T:.+]]: tensor<i1>)
// CHECK: %[[TRAIN:.+]] = tensor.extract %[[T]][] : tensor<i1>
// CHECK: %[[G:.+]]:2 = linalg.generic {{.*}} ins(%[[X]] : tensor<2x3xf32>)
// CHECK: %[[U:.+]] = arith.mulf {{.*}} : f64
// CHECK: %[[KEEP:.+]] = arith.cmpf oge, %[[U]]
// CHECK: arith.divf
// CHECK: arith.select %[[TRAIN]]
// CHECK: return %[[G]]#0, %[[G]]#1 : tensor<2x3xf32>, tensor<2x3xi1>
func.func @dropout_runtime_training(%x: tensor<2x3xf32>, %r: tensor<f32>, %t: tensor<i1>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  %y, %m = "onnx.Dropout"(%x, %r, %t) {seed = 0 : i64} : (tensor<2x3xf32>, tensor<f32>, tensor<i1>) -> (tensor<2x3xf32>, tensor<2x3xi1>)
  return %y, %m : tensor<2x3xf32>, tensor<2x3xi1>
}

// -----

// Training Dropout with dynamic dims: the results are sized from data at run
// time and the stream counter's row length is the run-time dim.
// CHECK-LABEL: func.func @dropout_training_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x3xf32>, %[[R:.+]]: tensor<f32>)
// CHECK: %[[D0:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x3xf32>
// CHECK: tensor.empty(%[[D0]]) : tensor<?x3xf32>
// CHECK: tensor.empty(%[[D0]]) : tensor<?x3xi1>
// CHECK: %[[G:.+]]:2 = linalg.generic {{.*}} ins(%[[X]] : tensor<?x3xf32>)
// CHECK: arith.cmpf oge
// CHECK: return %[[G]]#0, %[[G]]#1 : tensor<?x3xf32>, tensor<?x3xi1>
func.func @dropout_training_dynamic(%x: tensor<?x3xf32>, %r: tensor<f32>) -> (tensor<?x3xf32>, tensor<?x3xi1>) {
  %t = "onnx.Constant"() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
  %y, %m = "onnx.Dropout"(%x, %r, %t) {seed = 0 : i64} : (tensor<?x3xf32>, tensor<f32>, tensor<i1>) -> (tensor<?x3xf32>, tensor<?x3xi1>)
  return %y, %m : tensor<?x3xf32>, tensor<?x3xi1>
}
