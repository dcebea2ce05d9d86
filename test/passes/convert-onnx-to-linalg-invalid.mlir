// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg

func.func @unsupported() -> !onnx.seq<tensor<*xf32>> {
  // expected-error @+1 {{node '<unnamed>' (SequenceEmpty): operator SequenceEmpty is not supported by the code generator yet}}
  %0 = "onnx.SequenceEmpty"() : () -> !onnx.seq<tensor<*xf32>>
  return %0 : !onnx.seq<tensor<*xf32>>
}

// -----

// Ops whose lowering needs static shapes say so; elementwise ops do not.
func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<?x2xi32> {
  %r = "onnx.Relu"(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{dynamic shapes are not supported by the code generator yet}}
  %0 = "onnx.Multinomial"(%r) {sample_size = 2 : i64} : (tensor<?x3xf32>) -> tensor<?x2xi32>
  return %0 : tensor<?x2xi32>
}
