// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// ReduceSum over a constant axis with keepdims: a reduction generic into the
// kept dims, then an expand back to the unit dim.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @sum_keepdims
// CHECK-SAME: (%[[X:.+]]: tensor<3x2x2xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<3x2xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<3x2x2xf32>) outs(%[[INIT]] : tensor<3x2xf32>)
// CHECK: arith.addf
// CHECK: %[[R:.+]] = tensor.expand_shape %[[SUM]] {{\[}}[0], [1, 2]] output_shape [3, 1, 2] : tensor<3x2xf32> into tensor<3x1x2xf32>
// CHECK: return %[[R]]
// CHECK-NOT: onnx.
func.func @sum_keepdims(%x: tensor<3x2x2xf32>) -> tensor<3x1x2xf32> {
  %axes = "onnx.Constant"() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 1 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

// -----

// Absent axes reduce everything; without keepdims the result is a scalar.
// CHECK-LABEL: func.func @sum_all
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<f32>)
// CHECK-NOT: onnx.
func.func @sum_all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %none = onnx.NoValue
  %0 = "onnx.ReduceSum"(%x, %none) {keepdims = 0 : i64} : (tensor<2x3xf32>, none) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Empty axes with noop_with_empty_axes = 1 is the identity.
// CHECK-LABEL: func.func @sum_noop
// CHECK-SAME: (%[[X:.+]]: tensor<3x2xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[X]]
func.func @sum_noop(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %axes = "onnx.Constant"() {value = dense<> : tensor<0xi64>} : () -> tensor<0xi64>
  %0 = "onnx.ReduceSum"(%x, %axes) {noop_with_empty_axes = 1 : i64} : (tensor<3x2xf32>, tensor<0xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A run-time axes input is accepted when keepdims makes the result shape name
// the reduced axis.
// CHECK-LABEL: func.func @sum_runtime_axes_keepdims
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT: onnx.
func.func @sum_runtime_axes_keepdims(%x: tensor<3x2x4xf32>, %axes: tensor<1xi64>) -> tensor<3x2x1xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 1 : i64} : (tensor<3x2x4xf32>, tensor<1xi64>) -> tensor<3x2x1xf32>
  return %0 : tensor<3x2x1xf32>
}

// -----

// ReduceMean divides the sum by the number of reduced elements (2 * 2).
// CHECK-LABEL: func.func @mean
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel", "reduction"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: %[[COUNT:.+]] = arith.constant 4.000000e+00 : f32
// CHECK: arith.divf %{{.+}}, %[[COUNT]]
// CHECK: tensor.expand_shape
// CHECK-SAME: into tensor<1x3x1xf32>
// CHECK-NOT: onnx.
func.func @mean(%x: tensor<2x3x2xf32>) -> tensor<1x3x1xf32> {
  %0 = "onnx.ReduceMean"(%x) {axes = array<i64: 0, -1>} : (tensor<2x3x2xf32>) -> tensor<1x3x1xf32>
  return %0 : tensor<1x3x1xf32>
}

// -----

// ReduceMax on floats starts at -inf and uses maximumf.
// CHECK-LABEL: func.func @max_float
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK-NOT: onnx.
func.func @max_float(%x: tensor<4x5xf32>) -> tensor<4xf32> {
  %0 = "onnx.ReduceMax"(%x) {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<4x5xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Unsigned max keeps its signedness: init 0 and maxui on signless i8.
// CHECK-LABEL: func.func @max_unsigned
// CHECK-SAME: tensor<4x5xi8>
// CHECK: arith.constant 0 : i8
// CHECK: arith.maxui
// CHECK-NOT: onnx.
func.func @max_unsigned(%x: tensor<4x5xui8>) -> tensor<5xui8> {
  %0 = "onnx.ReduceMax"(%x) {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<4x5xui8>) -> tensor<5xui8>
  return %0 : tensor<5xui8>
}

// -----

// Signed integer min starts at the largest value.
// CHECK-LABEL: func.func @min_int
// CHECK: arith.constant 2147483647 : i32
// CHECK: arith.minsi
// CHECK-NOT: onnx.
func.func @min_int(%x: tensor<4x5xi32>) -> tensor<4x1xi32> {
  %0 = "onnx.ReduceMin"(%x) {axes = array<i64: 1>} : (tensor<4x5xi32>) -> tensor<4x1xi32>
  return %0 : tensor<4x1xi32>
}

// -----

// ReduceProd with default axes multiplies everything, starting at 1.
// CHECK-LABEL: func.func @prod_all
// CHECK: arith.constant 1.000000e+00 : f32
// CHECK: arith.mulf
// CHECK: tensor.expand_shape
// CHECK-SAME: into tensor<1x1xf32>
// CHECK-NOT: onnx.
func.func @prod_all(%x: tensor<2x3xf32>) -> tensor<1x1xf32> {
  %0 = "onnx.ReduceProd"(%x) : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// ReduceL1 sums |x| inside the reduction body.
// CHECK-LABEL: func.func @l1
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]] : tensor<3x4xf32>)
// CHECK: %[[A:.+]] = math.absf
// CHECK: arith.addf %{{.+}}, %[[A]]
// CHECK: tensor.expand_shape
// CHECK-NOT: onnx.
func.func @l1(%x: tensor<3x4xf32>) -> tensor<3x1xf32> {
  %0 = "onnx.ReduceL1"(%x) {axes = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

// ReduceL2: a sum of squares, then sqrt.
// CHECK-LABEL: func.func @l2
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK: %[[SQ:.+]] = arith.mulf %[[IN:.+]], %[[IN]]
// CHECK: arith.addf %{{.+}}, %[[SQ]]
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<4xf32>)
// CHECK: math.sqrt
// CHECK-NOT: onnx.
func.func @l2(%x: tensor<3x4xf32>) -> tensor<4xf32> {
  %0 = "onnx.ReduceL2"(%x) {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer ReduceL2 takes the sqrt in f64 and converts back.
// CHECK-LABEL: func.func @l2_int
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: arith.sitofp %{{.+}} : i32 to f64
// CHECK: math.sqrt %{{.+}} : f64
// CHECK: arith.fptosi %{{.+}} : f64 to i32
func.func @l2_int(%x: tensor<3x4xi32>) -> tensor<1x1xi32> {
  %0 = "onnx.ReduceL2"(%x) : (tensor<3x4xi32>) -> tensor<1x1xi32>
  return %0 : tensor<1x1xi32>
}

// -----

// ReduceSumSquare on integers: x * x summed, no post-processing.
// CHECK-LABEL: func.func @sum_square_int
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @sum_square_int(%x: tensor<3x4xi64>) -> tensor<3xi64> {
  %0 = "onnx.ReduceSumSquare"(%x) {axes = array<i64: -1>, keepdims = 0 : i64} : (tensor<3x4xi64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// ReduceLogSum: log of the sum.
// CHECK-LABEL: func.func @log_sum
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: math.log
// CHECK-NOT: onnx.
func.func @log_sum(%x: tensor<3x4x5xf32>) -> tensor<1x4x1xf32> {
  %0 = "onnx.ReduceLogSum"(%x) {axes = array<i64: 0, 2>} : (tensor<3x4x5xf32>) -> tensor<1x4x1xf32>
  return %0 : tensor<1x4x1xf32>
}

// -----

// ReduceLogSumExp is max-shifted: m = max(x) (0 where infinite),
// log(sum(exp(x - m))) + m.
// CHECK-LABEL: func.func @log_sum_exp
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic
// CHECK-SAME: ins(%[[X]] : tensor<3x4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[SHIFT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[MAX]] : tensor<3xf32>)
// CHECK: math.absf
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[SHIFT]] : tensor<3x4xf32>, tensor<3xf32>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]], %[[SHIFT]] :
// CHECK: math.log
// CHECK: arith.addf
// CHECK-NOT: onnx.
func.func @log_sum_exp(%x: tensor<3x4xf32>) -> tensor<3x1xf32> {
  %0 = "onnx.ReduceLogSumExp"(%x) {axes = array<i64: 1>} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  return %0 : tensor<3x1xf32>
}

// -----

func.func @log_sum_exp_int(%x: tensor<3x4xi32>) -> tensor<3x1xi32> {
  // expected-error @+2 {{node '<unnamed>' (ReduceLogSumExp): only float element types are supported}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.ReduceLogSumExp"(%x) {axes = array<i64: 1>} : (tensor<3x4xi32>) -> tensor<3x1xi32>
  return %0 : tensor<3x1xi32>
}

// -----

// ArgMax: one reduction generic with a value and an i64 index output; the
// first maximum wins (strict ogt), NaN beats everything.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @argmax
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[NEG:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[V0:.+]] = linalg.fill ins(%[[NEG]] : f32) outs(%{{.+}} : tensor<4xf32>)
// CHECK: %[[I0:.+]] = linalg.fill ins(%{{.+}} : i64) outs(%{{.+}} : tensor<4xi64>)
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[KEPT]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<3x4xf32>) outs(%[[V0]], %[[I0]] : tensor<4xf32>, tensor<4xi64>)
// CHECK: linalg.index 0
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: linalg.yield
// CHECK: %[[OUT:.+]] = tensor.expand_shape %[[R]]#1
// CHECK-SAME: into tensor<1x4xi64>
// CHECK: return %[[OUT]]
func.func @argmax(%x: tensor<3x4xf32>) -> tensor<1x4xi64> {
  %0 = "onnx.ArgMax"(%x) : (tensor<3x4xf32>) -> tensor<1x4xi64>
  return %0 : tensor<1x4xi64>
}

// -----

// select_last_index lets equal values replace the best so far.
// CHECK-LABEL: func.func @argmax_last
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf oge
// CHECK-NOT: tensor.expand_shape
func.func @argmax_last(%x: tensor<3x4xf32>) -> tensor<3xi64> {
  %0 = "onnx.ArgMax"(%x) {axis = -1 : i64, keepdims = 0 : i64, select_last_index = 1 : i64} : (tensor<3x4xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Unsigned ArgMin starts at the largest unsigned value and compares with ult.
// CHECK-LABEL: func.func @argmin_unsigned
// CHECK: arith.constant -1 : i8
// CHECK: linalg.generic
// CHECK: arith.cmpi ult
// CHECK-NOT: onnx.
func.func @argmin_unsigned(%x: tensor<3x4xui8>) -> tensor<3xi64> {
  %0 = "onnx.ArgMin"(%x) {axis = 1 : i64, keepdims = 0 : i64} : (tensor<3x4xui8>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @argmax_bad_axis(%x: tensor<3x4xf32>) -> tensor<3x4xi64> {
  // expected-error @+2 {{node '<unnamed>' (ArgMax): axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.ArgMax"(%x) {axis = 2 : i64} : (tensor<3x4xf32>) -> tensor<3x4xi64>
  return %0 : tensor<3x4xi64>
}

// -----

// Hardmax: an argmax along the axis, then 1 where the index matches.
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @hardmax
// CHECK: %[[ARG:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {indexing_maps = [#[[KEPT]], #{{.+}}], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[ARG]]#1 : tensor<3xi64>)
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK-NOT: onnx.
func.func @hardmax(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = "onnx.Hardmax"(%x) : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// TopK ranks each element against all others along the axis (an extra
// reduction dim d2), then gathers rank k into output slot k.
// CHECK-DAG: #[[SELF:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OTHER:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @topk
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>)
// CHECK: %[[RANK:.+]] = linalg.generic {indexing_maps = [#[[SELF]], #[[OTHER]], #[[SELF]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[X]] : tensor<3x4xf32>, tensor<3x4xf32>) outs(%{{.+}} : tensor<3x4xi64>)
// CHECK: arith.cmpf ogt
// CHECK: arith.extui
// CHECK: arith.addi
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[OTHER]], #[[OTHER]], #[[SELF]], #[[SELF]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[RANK]] : tensor<3x4xf32>, tensor<3x4xi64>) outs(%{{.+}}, %{{.+}} : tensor<3x2xf32>, tensor<3x2xi64>)
// CHECK: arith.cmpi eq
// CHECK: return %[[R]]#0, %[[R]]#1
// CHECK-NOT: onnx.
func.func @topk(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %k = "onnx.Constant"() {value = dense<[2]> : tensor<1xi64>} : () -> tensor<1xi64>
  %v, %i = "onnx.TopK"(%x, %k) {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// The smallest K along axis 0 of integers; K comes from the result type.
// CHECK-LABEL: func.func @topk_smallest_runtime_k
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpi slt
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<1x4xi32>, tensor<1x4xi64>)
// CHECK-NOT: onnx.
func.func @topk_smallest_runtime_k(%x: tensor<3x4xi32>, %k: tensor<1xi64>) -> (tensor<1x4xi32>, tensor<1x4xi64>) {
  %v, %i = "onnx.TopK"(%x, %k) {axis = 0 : i64, largest = 0 : i64} : (tensor<3x4xi32>, tensor<1xi64>) -> (tensor<1x4xi32>, tensor<1x4xi64>)
  return %v, %i : tensor<1x4xi32>, tensor<1x4xi64>
}

// -----

// A long axis (500 > 128) takes the heap: per row, the first K indices fill a
// heap rooted at the worst (heapified by sifting down), each later element
// enters only when it beats the root, a heapsort orders the K, and both
// outputs are written slot by slot.
// CHECK-LABEL: func.func @topk_heap
// CHECK-SAME: (%[[X:.+]]: tensor<2x500xf32>)
// CHECK-DAG: %[[HEAP:.+]] = tensor.empty() : tensor<30xindex>
// CHECK: %[[ROWS:.+]]:3 = scf.for {{.+}} iter_args({{.+}}, %{{.+}} = %[[HEAP]]) -> (tensor<2x30xf32>, tensor<2x30xi64>, tensor<30xindex>)
// CHECK: tensor.insert
// CHECK: scf.while
// CHECK: tensor.extract %[[X]]
// CHECK: arith.cmpf ogt
// CHECK: %[[SCAN:.+]] = scf.for %{{.+}} = %{{.+}} to %c500
// CHECK: scf.if
// CHECK: scf.while
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[SCAN]])
// CHECK: scf.while
// CHECK: tensor.insert {{.+}} : tensor<2x30xf32>
// CHECK: arith.index_cast {{.+}} : index to i64
// CHECK: tensor.insert {{.+}} : tensor<2x30xi64>
// CHECK: return %[[ROWS]]#0, %[[ROWS]]#1
func.func @topk_heap(%x: tensor<2x500xf32>) -> (tensor<2x30xf32>, tensor<2x30xi64>) {
  %k = "onnx.Constant"() {value = dense<30> : tensor<1xi64>} : () -> tensor<1xi64>
  %v, %i = "onnx.TopK"(%x, %k) {axis = 1 : i64} : (tensor<2x500xf32>, tensor<1xi64>) -> (tensor<2x30xf32>, tensor<2x30xi64>)
  return %v, %i : tensor<2x30xf32>, tensor<2x30xi64>
}

// -----

func.func @topk_k_mismatch(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %k = "onnx.Constant"() {value = dense<[3]> : tensor<1xi64>} : () -> tensor<1xi64>
  // expected-error @+2 {{node '<unnamed>' (TopK): K does not match the result type}}
  // expected-error @+1 {{failed to legalize}}
  %v, %i = "onnx.TopK"(%x, %k) {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// ReduceMean with dynamic dims: the kept dims size the init at run time, the
// divisor is the run-time element count, and keepdims reshapes to the
// result with run-time sizes.
// CHECK-LABEL: func.func @mean_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xf32>)
// CHECK: %[[D0:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?xf32>
// CHECK: tensor.empty(%[[D0]]) : tensor<?xf32>
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: arith.index_castui
// CHECK: %[[COUNT:.+]] = arith.uitofp
// CHECK: arith.divf %{{.+}}, %[[COUNT]]
// CHECK: %[[R:.+]] = tensor.reshape
// CHECK-SAME: -> tensor<?x1xf32>
// CHECK: return %[[R]]
func.func @mean_dynamic(%x: tensor<?x?xf32>) -> tensor<?x1xf32> {
  %0 = "onnx.ReduceMean"(%x) {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<?x?xf32>) -> tensor<?x1xf32>
  return %0 : tensor<?x1xf32>
}

// -----

// ArgMax with dynamic dims: value and index inits take the kept sizes.
// CHECK-LABEL: func.func @argmax_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xf32>)
// CHECK: %[[D1:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?xf32>
// CHECK: tensor.empty(%[[D1]]) : tensor<?xf32>
// CHECK: tensor.empty(%[[D1]]) : tensor<?xi64>
// CHECK: %[[G:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK: return %[[G]]#1 : tensor<?xi64>
func.func @argmax_dynamic(%x: tensor<?x?xf32>) -> tensor<?xi64> {
  %0 = "onnx.ArgMax"(%x) {axis = 0 : i64, keepdims = 0 : i64} : (tensor<?x?xf32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// TopK with a dynamic K dim: the output size along the axis is K's value,
// checked at run time to be in [0, n] (and clamped to n, so that nothing
// past the axis is read when the check fails). A dynamic axis takes the
// heap, which keeps min(K, axis size) per row.
// CHECK-LABEL: func.func @topk_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xf32>, %[[K:.+]]: tensor<1xi64>)
// CHECK: %[[KV:.+]] = tensor.extract %[[K]]
// CHECK: %[[KI:.+]] = arith.index_cast %[[KV]] : i64 to index
// CHECK: %[[FITS:.+]] = arith.cmpi ule, %[[KI]], %[[N:.+]] : index
// CHECK: cf.assert %[[FITS]], "node {{.*}}(TopK): K must be in [0, n] for an axis of n elements"
// CHECK: %[[KS:.+]] = arith.select %[[FITS]], %[[KI]], %[[N]] : index
// CHECK: arith.minui %[[KS]], %{{.+}} : index
// CHECK: tensor.empty(%{{.+}}, %[[KS]]) : tensor<?x?xf32>
// CHECK: tensor.empty(%{{.+}}, %[[KS]]) : tensor<?x?xi64>
// CHECK: tensor.empty(%[[KS]]) : tensor<?xindex>
// CHECK: %[[G:.+]]:3 = scf.for
// CHECK: return %[[G]]#0, %[[G]]#1
func.func @topk_dynamic(%x: tensor<?x?xf32>, %k: tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>) {
  %v, %i = "onnx.TopK"(%x, %k) {axis = 1 : i64} : (tensor<?x?xf32>, tensor<1xi64>) -> (tensor<?x?xf32>, tensor<?x?xi64>)
  return %v, %i : tensor<?x?xf32>, tensor<?x?xi64>
}

// -----

// A run-time axes input with dynamic shapes: the generated code scans the axes
// tensor for each dim (an empty tensor reduces every dim), then sums each
// named dim under an scf.if.
// CHECK-LABEL: func.func @sum_runtime_axes_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xf32>, %[[AXES:.+]]: tensor<?xi64>)
// CHECK: %[[N:.+]] = tensor.dim %[[AXES]], %{{.+}} : tensor<?xi64>
// CHECK: %[[ALL:.+]] = arith.cmpi eq, %[[N]], %{{.+}} : index
// CHECK: %[[F:.+]]:2 = scf.for %{{.+}} = %{{.+}} to %[[N]] step %{{.+}} iter_args(%[[A0:.+]] = %[[ALL]], %[[A1:.+]] = %[[ALL]]) -> (i1, i1)
// CHECK: tensor.extract %[[AXES]]
// CHECK: arith.ori %[[A0]]
// CHECK: arith.ori %[[A1]]
// CHECK: %[[S0:.+]] = scf.if %[[F]]#0 -> (tensor<?x?xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "parallel"]
// CHECK: } else {
// CHECK: scf.yield %[[X]]
// CHECK: %[[S1:.+]] = scf.if %[[F]]#1 -> (tensor<?x?xf32>)
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: return %[[S1]]
func.func @sum_runtime_axes_dynamic(%x: tensor<?x?xf32>, %axes: tensor<?xi64>) -> tensor<?x?xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 1 : i64} : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Without keepdims, the unit dims left by the run-time sums are dropped by a
// reshape to the dims no axis named; with noop_with_empty_axes an empty axes
// tensor names no dim (the scan starts from false).
// CHECK-LABEL: func.func @sum_runtime_axes_drop
// CHECK: %[[FALSE:.+]] = arith.constant false
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[FALSE]], %{{.+}} = %[[FALSE]], %{{.+}} = %[[FALSE]]) -> (i1, i1, i1)
// CHECK: %[[SHAPE0:.+]] = tensor.empty() : tensor<2xindex>
// CHECK: scf.if %{{.+}} -> (tensor<2xindex>, index)
// CHECK: tensor.insert %{{.+}} into %[[SHAPE0]][%{{.+}}] : tensor<2xindex>
// CHECK: %[[R:.+]] = tensor.reshape %{{.+}}(%{{.+}}) : (tensor<?x?x?xf32>, tensor<2xindex>) -> tensor<?x?xf32>
// CHECK: %[[C:.+]] = tensor.cast %[[R]] : tensor<?x?xf32> to tensor<3x2xf32>
// CHECK: return %[[C]]
func.func @sum_runtime_axes_drop(%x: tensor<3x2x2xf32>, %axes: tensor<1xi64>) -> tensor<3x2xf32> {
  %0 = "onnx.ReduceSum"(%x, %axes) {keepdims = 0 : i64, noop_with_empty_axes = 1 : i64} : (tensor<3x2x2xf32>, tensor<1xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
