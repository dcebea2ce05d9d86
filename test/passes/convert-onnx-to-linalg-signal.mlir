// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg --verify-diagnostics | FileCheck %s

// A onesided real DFT: one generic reduces over n (the last loop) into f64
// real and imaginary parts with the angle 2 pi ((k n) mod L) / L, negated
// sine for the forward transform; a second generic packs [.., 2].
// CHECK-LABEL: func.func @dft_real_onesided
// CHECK-DAG: %[[L:.+]] = arith.constant 8 : i64
// CHECK: %[[PARTS:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.+}} : tensor<2x8x1xf32>) outs(%{{.+}}, %{{.+}} : tensor<2x5xf64>, tensor<2x5xf64>)
// CHECK: %[[K:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK: %[[N:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK: %[[KN:.+]] = arith.muli %[[K]], %[[N]]
// CHECK: arith.remui %[[KN]], %[[L]]
// CHECK: %[[COS:.+]] = math.cos
// CHECK: %[[SIN:.+]] = math.sin
// CHECK: arith.negf %[[SIN]]
// CHECK: %[[OUT:.+]] = linalg.generic
// CHECK-SAME: ins(%[[PARTS]]#0, %[[PARTS]]#1 : tensor<2x5xf64>, tensor<2x5xf64>) outs(%{{.+}} : tensor<2x5x2xf32>)
// CHECK: arith.select
// CHECK: arith.truncf
// CHECK: return %[[OUT]]
func.func @dft_real_onesided(%x: tensor<2x8x1xf32>) -> tensor<2x5x2xf32> {
  %none = onnx.NoValue
  %0 = "onnx.DFT"(%x, %none) {axis = 1 : i64, onesided = 1 : i64} : (tensor<2x8x1xf32>, none) -> tensor<2x5x2xf32>
  return %0 : tensor<2x5x2xf32>
}

// -----

// An inverse complex DFT with a run-time dft_length: L is read once (at
// least 1), terms with n >= L are masked, the result is divided by L.
// CHECK-LABEL: func.func @dft_inverse_runtime_length
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x8x2xf32>, %[[LEN:[^:]+]]: tensor<i64>
// CHECK: %[[READ:.+]] = tensor.extract %[[LEN]][]
// CHECK: %[[L:.+]] = arith.maxsi %[[READ]]
// CHECK: %[[PARTS:.+]]:2 = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[X]] : tensor<2x8x2xf32>, tensor<2x8x2xf32>)
// CHECK: %[[VALID:.+]] = arith.cmpi slt, %{{.+}}, %[[L]] : i64
// CHECK-NOT: arith.negf
// CHECK: arith.select %[[VALID]]
// CHECK: linalg.generic {{.*}} ins(%[[PARTS]]#0, %[[PARTS]]#1
// CHECK: %[[LF:.+]] = arith.uitofp %[[L]] : i64 to f64
// CHECK: arith.divf %{{.+}}, %[[LF]]
func.func @dft_inverse_runtime_length(%x: tensor<2x8x2xf32>, %n: tensor<i64>) -> tensor<2x6x2xf32> {
  %0 = "onnx.DFT"(%x, %n) {axis = 1 : i64, inverse = 1 : i64} : (tensor<2x8x2xf32>, tensor<i64>) -> tensor<2x6x2xf32>
  return %0 : tensor<2x6x2xf32>
}

// -----

// A constant dft_length shorter than the signal truncates it: the reduction
// runs over a slice of the input.
// CHECK-LABEL: func.func @dft_truncated
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %{{.+}}[0, 0, 0] [3, 4, 1] [1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[SLICE]] : tensor<3x4x1xf32>)
func.func @dft_truncated(%x: tensor<3x6x1xf32>) -> tensor<3x4x2xf32> {
  %n = "onnx.Constant"() {value = dense<4> : tensor<i64>} : () -> tensor<i64>
  %0 = "onnx.DFT"(%x, %n) {axis = -2 : i64} : (tensor<3x6x1xf32>, tensor<i64>) -> tensor<3x4x2xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

// STFT with a window: frame_step is read at run time, samples are read with
// tensor.extract at frame * step + n (zero past the signal's end), times the
// window, which sizes the reduction over n.
// CHECK-LABEL: func.func @stft_window
// CHECK-SAME: %[[SIG:[^:]+]]: tensor<1x64x1xf32>, %[[STEP:[^:]+]]: tensor<i64>, %[[WIN:[^:]+]]: tensor<16xf32>
// CHECK: %[[S:.+]] = tensor.extract %[[STEP]][]
// CHECK: %[[PARTS:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[WIN]] : tensor<16xf32>)
// CHECK-SAME: tensor<1x7x9xf64>, tensor<1x7x9xf64>
// CHECK: %[[FS:.+]] = arith.muli %{{.+}}, %[[S]] : i64
// CHECK: %[[T:.+]] = arith.addi %[[FS]], %{{.+}} : i64
// CHECK: %[[IN:.+]] = arith.cmpi slt, %[[T]], %{{.+}} : i64
// CHECK: %[[SAFE:.+]] = arith.select %[[IN]], %[[T]]
// CHECK: %[[TI:.+]] = arith.index_cast %[[SAFE]]
// CHECK: tensor.extract %[[SIG]][%{{.+}}, %[[TI]], %{{.+}}]
// CHECK: linalg.generic {{.*}} ins(%[[PARTS]]#0, %[[PARTS]]#1
func.func @stft_window(%s: tensor<1x64x1xf32>, %step: tensor<i64>, %w: tensor<16xf32>) -> tensor<1x7x9x2xf32> {
  %none = onnx.NoValue
  %0 = "onnx.STFT"(%s, %step, %w, %none) : (tensor<1x64x1xf32>, tensor<i64>, tensor<16xf32>, none) -> tensor<1x7x9x2xf32>
  return %0 : tensor<1x7x9x2xf32>
}

// -----

// STFT with a run-time frame_length and no window: the reduction runs over a
// vector of L ones, L read at run time (at least 1), so no sample is masked
// but those past the signal's end.
// CHECK-LABEL: func.func @stft_runtime_length
// CHECK: %[[L:.+]] = arith.maxsi
// CHECK: %[[N:.+]] = arith.index_cast %[[L]] : i64 to index
// CHECK: %[[E:.+]] = tensor.empty(%[[N]]) : tensor<?xf64>
// CHECK: %[[ONES:.+]] = linalg.fill ins(%{{.+}} : f64) outs(%[[E]] : tensor<?xf64>)
// CHECK: linalg.generic {{.*}} ins(%[[ONES]] : tensor<?xf64>)
// CHECK-NOT: arith.andi
// CHECK: return
func.func @stft_runtime_length(%s: tensor<2x64x2xf32>, %step: tensor<i64>, %len: tensor<i64>) -> tensor<2x7x9x2xf32> {
  %none = onnx.NoValue
  %0 = "onnx.STFT"(%s, %step, %none, %len) : (tensor<2x64x2xf32>, tensor<i64>, none, tensor<i64>) -> tensor<2x7x9x2xf32>
  return %0 : tensor<2x7x9x2xf32>
}

// -----

// Windows are a0 - a1 cos(2 pi n / N) (+ a2 cos(4 pi n / N)) in f64, with
// N = size (periodic) or size - 1 (symmetric), cast to output_datatype.
// CHECK-LABEL: func.func @hann_periodic
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<10xf32>)
// CHECK: %[[N:.+]] = arith.uitofp %{{.+}} : i64 to f64
// CHECK: %[[X:.+]] = arith.mulf %[[N]], %cst{{.*}} : f64
// CHECK: %[[C:.+]] = math.cos %[[X]]
// CHECK: %[[T:.+]] = arith.mulf %cst{{.*}}, %[[C]]
// CHECK: arith.subf %cst{{.*}}, %[[T]]
// CHECK: arith.truncf
func.func @hann_periodic(%n: tensor<i32>) -> tensor<10xf32> {
  %0 = "onnx.HannWindow"(%n) : (tensor<i32>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// Blackman adds 0.08 cos(4 pi n / N); N = 9 for a symmetric window of 10.
// CHECK-LABEL: func.func @blackman_symmetric_f64
// CHECK: arith.constant 0.69813170079773179 : f64
// CHECK: math.cos
// CHECK: math.cos
// CHECK: %[[A2:.+]] = arith.constant 8.000000e-02 : f64
// CHECK: %[[T:.+]] = arith.mulf %[[A2]]
// CHECK: arith.addf %{{.+}}, %[[T]]
// CHECK-NOT: arith.truncf
// CHECK: linalg.yield
func.func @blackman_symmetric_f64(%n: tensor<i64>) -> tensor<10xf64> {
  %0 = "onnx.BlackmanWindow"(%n) {periodic = 0 : i64, output_datatype = 11 : i64} : (tensor<i64>) -> tensor<10xf64>
  return %0 : tensor<10xf64>
}

// -----

// Integer output types truncate, as numpy's astype.
// CHECK-LABEL: func.func @hamming_int
// CHECK: arith.constant 0.54347826086956519 : f64
// CHECK: arith.fptosi %{{.+}} : f64 to i32
func.func @hamming_int(%n: tensor<i32>) -> tensor<8xi32> {
  %0 = "onnx.HammingWindow"(%n) {output_datatype = 6 : i64} : (tensor<i32>) -> tensor<8xi32>
  return %0 : tensor<8xi32>
}

// -----

// MelWeightMatrix: the mel edges are computed once in the edges' type; each
// element computes its three bin numbers floor((L + 1) hz / rate) in f64.
// CHECK-LABEL: func.func @mel
// CHECK-SAME: %[[BINS:[^:]+]]: tensor<i32>, %[[LEN:[^:]+]]: tensor<i32>, %[[RATE:[^:]+]]: tensor<i32>, %[[LO:[^:]+]]: tensor<f32>, %[[HI:[^:]+]]: tensor<f32>
// CHECK-NOT: tensor.extract %[[BINS]]
// CHECK-DAG: tensor.extract %[[LEN]][]
// CHECK-DAG: tensor.extract %[[RATE]][]
// CHECK: %[[LOW:.+]] = tensor.extract %[[LO]][]
// CHECK: arith.divf %[[LOW]], %{{.+}} : f32
// CHECK: math.log10 %{{.+}} : f32
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<9x8xf32>)
// CHECK: math.powf %{{.+}}, %{{.+}} : f64
// CHECK: math.floor
// CHECK: arith.fptosi %{{.+}} : f64 to i64
func.func @mel(%b: tensor<i32>, %l: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<9x8xf32> {
  %0 = "onnx.MelWeightMatrix"(%b, %l, %r, %lo, %hi) : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
  return %0 : tensor<9x8xf32>
}

// -----

func.func @dft_axis_on_complex_dim(%x: tensor<2x8x1xf32>) -> tensor<2x8x2xf32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (DFT): axis -1 must name a signal dim, not the trailing complex dim}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.DFT"(%x, %none) {axis = -1 : i64} : (tensor<2x8x1xf32>, none) -> tensor<2x8x2xf32>
  return %0 : tensor<2x8x2xf32>
}

// -----

func.func @stft_rank(%s: tensor<64x1xf32>, %step: tensor<i64>) -> tensor<7x9x2xf32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (STFT): signal must be [batch, length, 1] or [batch, length, 2]}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.STFT"(%s, %step, %none, %none) : (tensor<64x1xf32>, tensor<i64>, none, none) -> tensor<7x9x2xf32>
  return %0 : tensor<7x9x2xf32>
}

// -----

// A size known only at run time: the window's length and 2 pi / (N - 1) are
// computed from the size operand; a window of <= 1 sample is [1].
// CHECK-LABEL: func.func @hann_dynamic_size
// CHECK-SAME: (%[[N:.+]]: tensor<i32>)
// CHECK: %[[S:.+]] = tensor.extract %[[N]][]
// CHECK: %[[LEN:.+]] = arith.maxsi
// CHECK: %[[DEN:.+]] = arith.subi %[[LEN]]
// CHECK: %[[SMALL:.+]] = arith.cmpi sle, %[[DEN]]
// CHECK: %[[FACTOR:.+]] = arith.divf
// CHECK: %[[E:.+]] = tensor.empty(%[[LEN]]) : tensor<?xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[E]] : tensor<?xf32>)
// CHECK: arith.mulf %{{.+}}, %[[FACTOR]]
// CHECK: arith.select %[[SMALL]]
func.func @hann_dynamic_size(%n: tensor<i32>) -> tensor<?xf32> {
  %0 = "onnx.HannWindow"(%n) {periodic = 0 : i64} : (tensor<i32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// DFT and STFT with dynamic dims: the output's dims come from the input's and
// from ONNX's formulas at run time (bins L/2 + 1 when onesided; frames
// (signal - L) / step + 1).
// CHECK-LABEL: func.func @stft_dynamic
// CHECK-SAME: %[[SIG:[^:]+]]: tensor<?x?x?xf32>, %[[STEP:[^:]+]]: tensor<i64>, %[[WIN:[^:]+]]: tensor<?xf32>
// CHECK: %[[WL:.+]] = tensor.dim %[[WIN]], %{{.+}} : tensor<?xf32>
// CHECK: %[[L:.+]] = arith.index_cast %[[WL]] : index to i64
// CHECK: %[[SL:.+]] = tensor.dim %[[SIG]], %{{.+}} : tensor<?x?x?xf32>
// CHECK: %[[SIGLEN:.+]] = arith.index_cast %[[SL]] : index to i64
// CHECK: %[[REST:.+]] = arith.subi %[[SIGLEN]], %[[L]] : i64
// CHECK: arith.divsi %[[REST]],
// CHECK: arith.divui %[[L]],
// CHECK: tensor.empty(%{{.+}}, %{{.+}}, %{{.+}}) : tensor<?x?x?xf64>
// CHECK: linalg.generic {{.*}} ins(%[[WIN]] : tensor<?xf32>)
func.func @stft_dynamic(%s: tensor<?x?x?xf32>, %step: tensor<i64>, %w: tensor<?xf32>) -> tensor<?x?x?x2xf32> {
  %none = onnx.NoValue
  %0 = "onnx.STFT"(%s, %step, %w, %none) : (tensor<?x?x?xf32>, tensor<i64>, tensor<?xf32>, none) -> tensor<?x?x?x2xf32>
  return %0 : tensor<?x?x?x2xf32>
}
