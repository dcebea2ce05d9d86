// RUN: smelt-opt %s --split-input-file --onnx-resolve-sequences | FileCheck %s

// Inserting at known positions and reading back gives the element itself.
// CHECK-LABEL: func.func @insert_at
// CHECK-SAME: (%[[A:.+]]: tensor<2xf32>, %[[B:.+]]: tensor<3xf32>)
// CHECK-NOT: onnx.Sequence
// CHECK: return %[[A]], %{{.+}} : tensor<2xf32>, tensor<i64>
func.func @insert_at(%a: tensor<2xf32>, %b: tensor<3xf32>) -> (tensor<*xf32>, tensor<i64>) {
  %s0 = "onnx.SequenceEmpty"() : () -> !onnx.seq<tensor<*xf32>>
  %none = onnx.NoValue
  %s1 = "onnx.SequenceInsert"(%s0, %a, %none) : (!onnx.seq<tensor<*xf32>>, tensor<2xf32>, none) -> !onnx.seq<tensor<*xf32>>
  %zero = "onnx.Constant"() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
  %s2 = "onnx.SequenceInsert"(%s1, %b, %zero) : (!onnx.seq<tensor<*xf32>>, tensor<3xf32>, tensor<i64>) -> !onnx.seq<tensor<*xf32>>
  %one = "onnx.Constant"() {value = dense<-1> : tensor<i64>} : () -> tensor<i64>
  %x = "onnx.SequenceAt"(%s2, %one) : (!onnx.seq<tensor<*xf32>>, tensor<i64>) -> tensor<*xf32>
  %n = "onnx.SequenceLength"(%s2) : (!onnx.seq<tensor<*xf32>>) -> tensor<i64>
  return %x, %n : tensor<*xf32>, tensor<i64>
}

// -----

// ConcatFromSequence with new_axis stacks: each element gains a unit dim.
// CHECK-LABEL: func.func @stack
// CHECK: %[[UA:.+]] = "onnx.Unsqueeze"(%{{.+}}, %{{.+}}) : (tensor<3xf32>, tensor<1xi64>) -> tensor<1x3xf32>
// CHECK: %[[UB:.+]] = "onnx.Unsqueeze"
// CHECK: "onnx.Concat"(%[[UA]], %[[UB]]) <{axis = 0 : i64}>
func.func @stack(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %s = "onnx.SequenceConstruct"(%a, %b) : (tensor<3xf32>, tensor<3xf32>) -> !onnx.seq<tensor<3xf32>>
  %c = "onnx.ConcatFromSequence"(%s) {axis = 0 : i64, new_axis = 1 : i64} : (!onnx.seq<tensor<3xf32>>) -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// A position only known at run time leaves the sequence alone.
// CHECK-LABEL: func.func @runtime_position
// CHECK: onnx.SequenceAt
func.func @runtime_position(%a: tensor<3xf32>, %i: tensor<i64>) -> tensor<3xf32> {
  %s = "onnx.SequenceConstruct"(%a, %a) : (tensor<3xf32>, tensor<3xf32>) -> !onnx.seq<tensor<3xf32>>
  %x = "onnx.SequenceAt"(%s, %i) : (!onnx.seq<tensor<3xf32>>, tensor<i64>) -> tensor<3xf32>
  return %x : tensor<3xf32>
}
