// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// RNN forward: X·W^T + Wb for all steps is hoisted out of the time loop; the
// loop carries H and Y, computes H·R^T + Rb, applies tanh in place on H and
// inserts H into Y at [t, 0].
// CHECK-LABEL: func.func @rnn_forward
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x2x3xf32>, %[[W:[a-z0-9]+]]: tensor<1x5x3xf32>, %[[R:[a-z0-9]+]]: tensor<1x5x5xf32>, %[[B:[a-z0-9]+]]: tensor<1x10xf32>
// CHECK: %[[Y0:.+]] = tensor.empty() : tensor<4x1x2x5xf32>
// CHECK: %[[W0:.+]] = tensor.extract_slice %[[W]][0, 0, 0] [1, 5, 3] [1, 1, 1] : tensor<1x5x3xf32> to tensor<5x3xf32>
// CHECK: %[[WB:.+]] = tensor.extract_slice %[[B]][0, 0] [1, 5]
// CHECK: %[[XW:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[X]], %[[W0]] : tensor<4x2x3xf32>, tensor<5x3xf32>)
// CHECK: %[[RB:.+]] = tensor.extract_slice %[[B]][0, 5] [1, 5]
// CHECK: %[[R0:.+]] = tensor.extract_slice %[[R]][0, 0, 0] [1, 5, 5]
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[H:.+]] = %{{.+}}, %[[YACC:.+]] = %[[Y0]])
// CHECK: %[[XT:.+]] = tensor.extract_slice %[[XW]][%[[T]], 0, 0] [1, 2, 5]
// CHECK: %[[HR:.+]] = linalg.generic {{.*}} ins(%[[H]], %[[R0]] : tensor<2x5xf32>, tensor<5x5xf32>)
// CHECK: %[[CELL:.+]] = linalg.generic {{.*}} outs(%[[H]] : tensor<2x5xf32>)
// CHECK: math.tanh
// CHECK: %[[HN:.+]] = bufferization.materialize_in_destination %[[CELL]] in %[[H]]
// CHECK: %[[YN:.+]] = tensor.insert_slice %[[HN]] into %[[YACC]][%[[T]], 0, 0, 0] [1, 1, 2, 5]
// CHECK: scf.yield %[[HN]], %[[YN]]
// CHECK: %[[YH:.+]] = tensor.insert_slice %[[LOOP]]#0 into %{{.+}}[0, 0, 0] [1, 2, 5]
// CHECK: return %[[LOOP]]#1, %[[YH]]
func.func @rnn_forward(%x: tensor<4x2x3xf32>, %w: tensor<1x5x3xf32>, %r: tensor<1x5x5xf32>, %b: tensor<1x10xf32>) -> (tensor<4x1x2x5xf32>, tensor<1x2x5xf32>) {
  %none = onnx.NoValue
  %y, %yh = "onnx.RNN"(%x, %w, %r, %b, %none, %none) {hidden_size = 5 : i64} : (tensor<4x2x3xf32>, tensor<1x5x3xf32>, tensor<1x5x5xf32>, tensor<1x10xf32>, none, none) -> (tensor<4x1x2x5xf32>, tensor<1x2x5xf32>)
  return %y, %yh : tensor<4x1x2x5xf32>, tensor<1x2x5xf32>
}

// -----

// Reverse LSTM with sequence_lens and peepholes: t runs from 3 down to 0,
// steps at or past an entry's length keep its H and C; Y is absent.
// CHECK-LABEL: func.func @lstm_reverse_seq_lens
// CHECK-SAME: %[[L:[a-z0-9]+]]: tensor<2xi32>, %[[P:[a-z0-9]+]]: tensor<1x6xf32>
// CHECK-DAG: %[[PI:.+]] = tensor.extract_slice %[[P]][0, 0] [1, 2]
// CHECK-DAG: %[[PO:.+]] = tensor.extract_slice %[[P]][0, 2] [1, 2]
// CHECK-DAG: %[[PF:.+]] = tensor.extract_slice %[[P]][0, 4] [1, 2]
// CHECK: %[[LOOP:.+]]:2 = scf.for %[[I:.+]] = {{.*}} iter_args(%[[H:.+]] = %{{.+}}, %[[C:.+]] = %{{.+}}) -> (tensor<2x2xf32>, tensor<2x2xf32>)
// CHECK: %[[T:.+]] = arith.subi %c3, %[[I]] : index
// CHECK: %[[T32:.+]] = arith.index_cast %[[T]] : index to i32
// CHECK: %[[CELL:.+]]:2 = linalg.generic {{.*}} ins({{.*}}%[[PI]], %[[PO]], %[[PF]], %[[L]] : {{.*}}) outs(%[[H]], %[[C]] : tensor<2x2xf32>, tensor<2x2xf32>)
// CHECK: ^bb0({{.*}}%[[LEN:.+]]: i32, %[[HP:.+]]: f32, %[[CP:.+]]: f32):
// CHECK: %[[VALID:.+]] = arith.cmpi slt, %[[T32]], %[[LEN]] : i32
// CHECK: arith.select %[[VALID]], %{{.+}}, %[[HP]] : f32
// CHECK: arith.select %[[VALID]], %{{.+}}, %[[CP]] : f32
// CHECK: bufferization.materialize_in_destination %[[CELL]]#0 in %[[H]]
// CHECK: bufferization.materialize_in_destination %[[CELL]]#1 in %[[C]]
// CHECK-NOT: onnx.LSTM
func.func @lstm_reverse_seq_lens(%x: tensor<4x2x3xf32>, %w: tensor<1x8x3xf32>, %r: tensor<1x8x2xf32>, %l: tensor<2xi32>, %p: tensor<1x6xf32>) -> (tensor<1x2x2xf32>, tensor<1x2x2xf32>) {
  %none = onnx.NoValue
  %y, %yh, %yc = "onnx.LSTM"(%x, %w, %r, %none, %l, %none, %none, %p) {direction = "reverse"} : (tensor<4x2x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32>, none, tensor<2xi32>, none, none, tensor<1x6xf32>) -> (none, tensor<1x2x2xf32>, tensor<1x2x2xf32>)
  return %yh, %yc : tensor<1x2x2xf32>, tensor<1x2x2xf32>
}

// -----

// GRU with linear_before_reset = 0: the h gate multiplies (r ⊙ H) by Rh, a
// second contraction in the step after the reset gate.
// CHECK-LABEL: func.func @gru_reset_before
// CHECK-SAME: %[[R:[a-z0-9]+]]: tensor<1x6x2xf32>
// CHECK-DAG: %[[RZR:.+]] = tensor.extract_slice %[[R]][0, 0, 0] [1, 4, 2]
// CHECK-DAG: %[[RH:.+]] = tensor.extract_slice %[[R]][0, 4, 0] [1, 2, 2]
// CHECK: scf.for {{.*}} iter_args(%[[H:.+]] = %{{.+}})
// CHECK: %[[HR:.+]] = linalg.generic {{.*}} ins(%[[H]], %[[RZR]] : tensor<2x2xf32>, tensor<4x2xf32>)
// CHECK: %[[RESET:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %{{.+}}, %[[H]] :
// CHECK: %[[HH:.+]] = linalg.generic {{.*}} ins(%[[RESET]], %[[RH]] : tensor<2x2xf32>, tensor<2x2xf32>)
// CHECK: linalg.generic {{.*}} ins({{.*}}%[[HH]] : {{.*}}) outs(%[[H]] : tensor<2x2xf32>)
func.func @gru_reset_before(%x: tensor<4x2x3xf32>, %w: tensor<1x6x3xf32>, %r: tensor<1x6x2xf32>) -> tensor<1x2x2xf32> {
  %none = onnx.NoValue
  %y, %yh = "onnx.GRU"(%x, %w, %r, %none, %none, %none) : (tensor<4x2x3xf32>, tensor<1x6x3xf32>, tensor<1x6x2xf32>, none, none, none) -> (none, tensor<1x2x2xf32>)
  return %yh : tensor<1x2x2xf32>
}

// -----

// Bidirectional, batch-major (layout 1): X is read through the contraction's
// map, each direction's initial state is a copied slice of initial_h, the
// second loop runs in reverse and both write Y[:, t, dir].
// CHECK-DAG: #[[XMAP:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d3)>
// CHECK-LABEL: func.func @gru_bidirectional_batch_major
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x4x3xf32>, %{{.+}}: tensor<2x6x3xf32>, %{{.+}}: tensor<2x6x2xf32>, %[[H0:[a-z0-9]+]]: tensor<2x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[XMAP]], {{.*}} ins(%[[X]],
// CHECK: %[[H0F:.+]] = tensor.extract_slice %[[H0]][0, 0, 0] [2, 1, 2]
// CHECK: %[[H0FC:.+]] = bufferization.alloc_tensor() copy(%[[H0F]])
// CHECK: %[[FWD:.+]]:2 = scf.for %[[T:.+]] = {{.*}} iter_args(%{{.+}} = %[[H0FC]], %{{.+}} = %{{.+}})
// CHECK-NOT: arith.subi
// CHECK: tensor.insert_slice {{.*}}[0, %[[T]], 0, 0] [2, 1, 1, 2]
// CHECK: %[[H0B:.+]] = tensor.extract_slice %[[H0]][0, 1, 0] [2, 1, 2]
// CHECK: %[[BWD:.+]]:2 = scf.for %[[I:.+]] = {{.*}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %[[FWD]]#1)
// CHECK: %[[TB:.+]] = arith.subi %{{.+}}, %[[I]]
// CHECK: tensor.insert_slice {{.*}}[0, %[[TB]], 1, 0] [2, 1, 1, 2]
// CHECK: return %[[BWD]]#1
func.func @gru_bidirectional_batch_major(%x: tensor<2x4x3xf32>, %w: tensor<2x6x3xf32>, %r: tensor<2x6x2xf32>, %h0: tensor<2x2x2xf32>) -> tensor<2x4x2x2xf32> {
  %none = onnx.NoValue
  %y, %yh = "onnx.GRU"(%x, %w, %r, %none, %none, %h0) {direction = "bidirectional", layout = 1 : i64, linear_before_reset = 1 : i64} : (tensor<2x4x3xf32>, tensor<2x6x3xf32>, tensor<2x6x2xf32>, none, none, tensor<2x2x2xf32>) -> (tensor<2x4x2x2xf32>, none)
  return %y : tensor<2x4x2x2xf32>
}

// -----

// Activations with alpha/beta: HardSigmoid takes alpha and beta, LeakyRelu
// the next alpha; clip bounds the inputs of the activations.
// CHECK-LABEL: func.func @rnn_clip_leaky_relu
// CHECK: linalg.generic
// CHECK: %[[LO:.+]] = arith.maximumf %{{.+}}, %cst{{.*}} : f32
// CHECK: %[[CL:.+]] = arith.minimumf %[[LO]], %cst{{.*}} : f32
// CHECK: %[[NEG:.+]] = arith.cmpf olt, %[[CL]], %cst
// CHECK: %[[SCALED:.+]] = arith.mulf %cst{{.*}}, %[[CL]]
// CHECK: arith.select %[[NEG]], %[[SCALED]], %[[CL]]
func.func @rnn_clip_leaky_relu(%x: tensor<4x2x3xf32>, %w: tensor<1x5x3xf32>, %r: tensor<1x5x5xf32>) -> tensor<1x2x5xf32> {
  %none = onnx.NoValue
  %y, %yh = "onnx.RNN"(%x, %w, %r, %none, %none, %none) {activations = ["LeakyRelu"], activation_alpha = array<f32: 0.2>, clip = 3.0 : f32} : (tensor<4x2x3xf32>, tensor<1x5x3xf32>, tensor<1x5x5xf32>, none, none, none) -> (none, tensor<1x2x5xf32>)
  return %yh : tensor<1x2x5xf32>
}

// -----

func.func @rnn_unknown_activation(%x: tensor<4x2x3xf32>, %w: tensor<1x5x3xf32>, %r: tensor<1x5x5xf32>) -> tensor<1x2x5xf32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (RNN): unsupported activation 'Gelu'}}
  // expected-error @+1 {{failed to legalize}}
  %y, %yh = "onnx.RNN"(%x, %w, %r, %none, %none, %none) {activations = ["Gelu"]} : (tensor<4x2x3xf32>, tensor<1x5x3xf32>, tensor<1x5x5xf32>, none, none, none) -> (none, tensor<1x2x5xf32>)
  return %yh : tensor<1x2x5xf32>
}

// -----

func.func @lstm_activation_count(%x: tensor<4x2x3xf32>, %w: tensor<1x8x3xf32>, %r: tensor<1x8x2xf32>) -> tensor<1x2x2xf32> {
  %none = onnx.NoValue
  // expected-error @+2 {{node '<unnamed>' (LSTM): expected 3 activations, got 2}}
  // expected-error @+1 {{failed to legalize}}
  %y, %yh, %yc = "onnx.LSTM"(%x, %w, %r, %none, %none, %none, %none, %none) {activations = ["Sigmoid", "Tanh"]} : (tensor<4x2x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32>, none, none, none, none, none) -> (none, tensor<1x2x2xf32>, none)
  return %yh : tensor<1x2x2xf32>
}

// -----

// Reverse LSTM with dynamic sequence length and batch: the loop runs to the
// run-time length, t = len - 1 - i, and the states, Y and the per-step slices
// are sized by the run-time batch.
// CHECK-LABEL: func.func @lstm_dynamic
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x?x3xf32>
// CHECK-DAG: %[[SEQ:.+]] = tensor.dim %[[X]], %c0 : tensor<?x?x3xf32>
// CHECK-DAG: %[[BATCH:.+]] = tensor.dim %[[X]], %c1 : tensor<?x?x3xf32>
// CHECK: %[[Y0:.+]] = tensor.empty(%[[SEQ]], %[[BATCH]]) : tensor<?x1x?x2xf32>
// CHECK: %[[XW:.+]] = linalg.generic {{.*}} ins(%[[X]], %{{.+}} : tensor<?x?x3xf32>, tensor<8x3xf32>)
// CHECK: %[[LAST:.+]] = arith.subi %[[SEQ]], %{{.+}} : index
// CHECK: %[[LOOP:.+]]:3 = scf.for %[[I:.+]] = %{{.+}} to %[[SEQ]] step %{{.+}} {{.*}} -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x1x?x2xf32>)
// CHECK: %[[T:.+]] = arith.subi %[[LAST]], %[[I]] : index
// CHECK: tensor.extract_slice %[[XW]][%[[T]], 0, 0] [1, %[[BATCH]], 2] [1, 1, 1] : tensor<?x?x8xf32> to tensor<?x2xf32>
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[%[[T]], 0, 0, 0] [1, 1, %[[BATCH]], 2]
// CHECK: return %[[LOOP]]#2, %{{.+}}, %{{.+}} : tensor<?x1x?x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>
func.func @lstm_dynamic(%x: tensor<?x?x3xf32>, %w: tensor<1x8x3xf32>, %r: tensor<1x8x2xf32>) -> (tensor<?x1x?x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>) {
  %none = onnx.NoValue
  %y, %yh, %yc = "onnx.LSTM"(%x, %w, %r, %none, %none, %none, %none, %none) {direction = "reverse", hidden_size = 2 : i64} : (tensor<?x?x3xf32>, tensor<1x8x3xf32>, tensor<1x8x2xf32>, none, none, none, none, none) -> (tensor<?x1x?x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>)
  return %y, %yh, %yc : tensor<?x1x?x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>
}
