// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg

func.func @unsupported(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{node '<unnamed>' (Hardmax): operator Hardmax is not supported by the code generator yet}}
  %0 = "onnx.Hardmax"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{dynamic shapes are not supported by the code generator yet}}
  %0 = "onnx.Relu"(%x) : (tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
