// RUN: smelt-opt %s --verify-diagnostics --onnx-infer-shapes

// A declared dim that contradicts inference (5 vs 4) is an error at the op.
func.func @contradiction(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{result #0 has type 'tensor<?x5xf32>' but shape inference derives 'tensor<2x4xf32>'}}
  %0 = "onnx.MatMul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}
