// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg

func.func @unsupported(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{node '<unnamed>' (Unique): operator Unique is not supported by the code generator yet}}
  %0:4 = "onnx.Unique"(%x) : (tensor<3xf32>) -> (tensor<3xf32>, none, none, none)
  return %0#0 : tensor<3xf32>
}

// -----

// Ops whose lowering needs static shapes say so; elementwise ops do not.
func.func @dynamic(%x: tensor<?x3xf32>) -> tensor<3x?xf32> {
  %r = "onnx.Relu"(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{dynamic shapes are not supported by the code generator yet}}
  %0 = "onnx.Transpose"(%r) : (tensor<?x3xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// Two dynamic dims could broadcast against each other at run time.
func.func @dynamic_broadcast(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{broadcasting between two dynamic dims is not supported yet}}
  // expected-error @+1 {{failed to legalize operation 'onnx.Add'}}
  %0 = "onnx.Add"(%a, %b) : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
