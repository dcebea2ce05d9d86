// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// If becomes scf.if on the condition's scalar; both branches keep their ops.
// CHECK-LABEL: func.func @if_static
// CHECK-SAME: (%[[COND:.+]]: tensor<i1>, %[[X:.+]]: tensor<3xf32>)
// CHECK: %[[C:.+]] = tensor.extract %[[COND]][] : tensor<i1>
// CHECK: %[[R:.+]] = scf.if %[[C]] -> (tensor<3xf32>)
// CHECK: math.exp
// CHECK: scf.yield
// CHECK: } else {
// CHECK: arith.negf
// CHECK: scf.yield
// CHECK: return %[[R]]
// CHECK-NOT: onnx.
func.func @if_static(%cond: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "onnx.If"(%cond) ({
    %n = "onnx.Neg"(%x) : (tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %n : tensor<3xf32>
  }, {
    %e = "onnx.Exp"(%x) : (tensor<3xf32>) -> tensor<3xf32>
    onnx.Yield %e : tensor<3xf32>
  }) : (tensor<i1>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Loop becomes scf.while over (iteration, condition, carried values, scan
// buffers); a static scan length preallocates the buffer and bounds the loop.
// CHECK-LABEL: func.func @loop_static
// CHECK-SAME: (%[[M:.+]]: tensor<i64>, %[[Y:.+]]: tensor<2xf32>)
// CHECK: %[[TRIP:.+]] = tensor.extract %[[M]][] : tensor<i64>
// CHECK: %[[BUF:.+]] = linalg.fill {{.*}} -> tensor<3x2xf32>
// CHECK: %[[W:.+]]:4 = scf.while (%[[I:.+]] = %{{.+}}, %[[C:.+]] = %{{.+}}, %[[V:.+]] = %[[Y]], %[[S:.+]] = %[[BUF]])
// CHECK: arith.cmpi slt, %[[I]], %[[TRIP]] : i64
// CHECK: arith.cmpi slt, %[[I]], %{{.+}} : i64
// CHECK: scf.condition
// CHECK: } do {
// CHECK: ^bb0(%[[I2:.+]]: i64, %{{.+}}: i1, %[[V2:.+]]: tensor<2xf32>, %[[S2:.+]]: tensor<3x2xf32>):
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[NEXT:.+]] = arith.addi %[[I2]]
// CHECK: %[[ROW:.+]] = arith.index_cast %[[I2]] : i64 to index
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[SUM]] into %[[S2]][%[[ROW]], 0] [1, 2] [1, 1]
// CHECK: %[[KEEP:.+]] = bufferization.materialize_in_destination %[[SUM]] in %[[V2]]
// CHECK: scf.yield %[[NEXT]], %{{.+}}, %[[KEEP]], %[[INS]]
// CHECK: return %[[W]]#2, %[[W]]#3
// CHECK-NOT: onnx.
func.func @loop_static(%m: tensor<i64>, %y: tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>) {
  %none = onnx.NoValue
  %0:2 = "onnx.Loop"(%m, %none, %y) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    %n = "onnx.Add"(%v, %v) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    onnx.Yield %c, %n, %n : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }) : (tensor<i64>, none, tensor<2xf32>) -> (tensor<2xf32>, tensor<3x2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<3x2xf32>
}

// -----

// With a condition the scan length is dynamic: the buffer holds M rows and
// the result keeps the rows the loop wrote.
// CHECK-LABEL: func.func @loop_dynamic
// CHECK: %[[ROWS:.+]] = arith.index_cast %{{.+}} : i64 to index
// CHECK: %[[BUF:.+]] = tensor.empty(%[[ROWS]]) : tensor<?x2xf32>
// CHECK: %[[W:.+]]:4 = scf.while ({{.*}}%{{.+}} = %[[BUF]])
// CHECK: arith.negf
// CHECK: tensor.insert_slice
// CHECK: %[[COUNT:.+]] = arith.index_cast %[[W]]#0 : i64 to index
// CHECK: %[[R:.+]] = tensor.extract_slice %[[W]]#3[0, 0] [%[[COUNT]], 2] [1, 1]
// CHECK: return %[[R]] : tensor<?x2xf32>
func.func @loop_dynamic(%m: tensor<i64>, %cond: tensor<i1>, %y: tensor<2xf32>) -> tensor<?x2xf32> {
  %0:2 = "onnx.Loop"(%m, %cond, %y) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    %n = "onnx.Neg"(%v) : (tensor<2xf32>) -> tensor<2xf32>
    onnx.Yield %c, %n, %n : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }) : (tensor<i64>, tensor<i1>, tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>)
  return %0#1 : tensor<?x2xf32>
}

// -----

// Scan becomes scf.for over the scan axis; a reversed input is read from the
// end, the output is written along its own axis.
// CHECK-LABEL: func.func @scan_reverse
// CHECK-SAME: (%[[INIT:.+]]: tensor<2xf32>, %[[X:.+]]: tensor<2x3xf32>)
// CHECK: %[[OUT:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[F:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[S:.+]] = %[[INIT]], %[[O:.+]] = %[[OUT]])
// CHECK: %[[REV:.+]] = arith.subi %{{.+}}, %[[T]] : index
// CHECK: %[[E:.+]] = tensor.extract_slice %[[X]][0, %[[REV]]] [2, 1] [1, 1] : tensor<2x3xf32> to tensor<2xf32>
// CHECK: %[[A:.+]] = linalg.generic {{.*}} ins(%[[S]], %[[E]]
// CHECK: %[[INS:.+]] = tensor.insert_slice %[[A]] into %[[O]][0, %[[T]]] [2, 1] [1, 1]
// CHECK: %[[KEEP:.+]] = bufferization.materialize_in_destination %[[A]] in %[[S]]
// CHECK: scf.yield %[[KEEP]], %[[INS]]
// CHECK: return %[[F]]#0, %[[F]]#1
func.func @scan_reverse(%init: tensor<2xf32>, %x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2x3xf32>) {
  %0:2 = "onnx.Scan"(%init, %x) <{num_scan_inputs = 1 : i64, scan_input_axes = array<i64: 1>, scan_input_directions = array<i64: 1>, scan_output_axes = array<i64: 1>}> ({
  ^bb0(%s: tensor<2xf32>, %e: tensor<2xf32>):
    %a = "onnx.Add"(%s, %e) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    onnx.Yield %a, %a : tensor<2xf32>, tensor<2xf32>
  }) : (tensor<2xf32>, tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2x3xf32>
}

// -----

// Body types the importer left unknown come from the Loop's inputs.
// CHECK-LABEL: func.func @loop_untyped_body
// CHECK: scf.while
// CHECK: arith.addf
// CHECK-NOT: onnx.
func.func @loop_untyped_body(%m: tensor<i64>, %y: tensor<f32>, %d: tensor<f32>) -> tensor<4xf32> {
  %none = onnx.NoValue
  %0:2 = "onnx.Loop"(%m, %none, %y) ({
  ^bb0(%i: tensor<*xi64>, %c: tensor<*xi1>, %v: tensor<*xf32>):
    %n = "onnx.Add"(%v, %d) : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
    onnx.Yield %c, %n, %v : tensor<*xi1>, tensor<*xf32>, tensor<*xf32>
  }) : (tensor<i64>, none, tensor<f32>) -> (tensor<*xf32>, tensor<4xf32>)
  return %0#1 : tensor<4xf32>
}

// -----

// Scan with a dynamic scan length: the loop runs to the input's run-time
// length, a reversed input is read at len - 1 - t, and the output buffer
// (rows of the body's static shape) is sized by the length, then cast to the
// result type.
// CHECK-LABEL: func.func @scan_dynamic_length
// CHECK-SAME: (%[[INIT:.+]]: tensor<2xf32>, %[[X:.+]]: tensor<?x2xf32>)
// CHECK: %[[LEN:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x2xf32>
// CHECK: %[[OUT:.+]] = tensor.empty(%[[LEN]]) : tensor<?x2xf32>
// CHECK: %[[F:.+]]:2 = scf.for %[[T:.+]] = %{{.+}} to %[[LEN]] step %{{.+}} iter_args(%[[S:.+]] = %[[INIT]], %[[O:.+]] = %[[OUT]])
// CHECK: %[[LAST:.+]] = arith.subi %[[LEN]], %{{.+}} : index
// CHECK: %[[REV:.+]] = arith.subi %[[LAST]], %[[T]] : index
// CHECK: tensor.extract_slice %[[X]][%[[REV]], 0] [1, 2] [1, 1] : tensor<?x2xf32> to tensor<2xf32>
// CHECK: tensor.insert_slice %{{.+}} into %[[O]][%[[T]], 0] [1, 2] [1, 1]
// CHECK: %[[C:.+]] = tensor.cast %[[F]]#1 : tensor<?x2xf32> to tensor<?x?xf32>
// CHECK: return %[[F]]#0, %[[C]]
func.func @scan_dynamic_length(%init: tensor<2xf32>, %x: tensor<?x2xf32>) -> (tensor<2xf32>, tensor<?x?xf32>) {
  %0:2 = "onnx.Scan"(%init, %x) <{num_scan_inputs = 1 : i64, scan_input_directions = array<i64: 1>}> ({
  ^bb0(%s: tensor<2xf32>, %e: tensor<2xf32>):
    %a = "onnx.Add"(%s, %e) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    onnx.Yield %a, %a : tensor<2xf32>, tensor<2xf32>
  }) : (tensor<2xf32>, tensor<?x2xf32>) -> (tensor<2xf32>, tensor<?x?xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<?x?xf32>
}
