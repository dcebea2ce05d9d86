// RUN: smelt-opt %s --split-input-file --verify-diagnostics
// The onnx dialect's verifiers: element types allowed by the schema (ODS),
// one element type per ONNX type parameter and arity bounds (SchemaVerifier),
// required attributes, and the types NoValue and Yield accept.

func.func @relu_on_i1(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error-re @+1 {{'onnx.Relu' op operand #0 must be tensor of {{.*}}, but got 'tensor<4xi1>'}}
  %0 = "onnx.Relu"(%x) : (tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @add_mixed_float_widths(%a: tensor<2xf32>, %b: tensor<2xf64>) -> tensor<2xf32> {
  // expected-error @+1 {{'onnx.Add' op operand #1 has element type 'f64' but type parameter 'T' is bound to 'f32' by operand #0}}
  %0 = "onnx.Add"(%a, %b) : (tensor<2xf32>, tensor<2xf64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @result_type_differs_from_operands(%a: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2xi32> {
  // expected-error @+1 {{'onnx.Add' op result #0 has element type 'i32' but type parameter 'T' is bound to 'f32' by operand #0}}
  %0 = "onnx.Add"(%a, %b) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @concat_mixed_types(%a: tensor<2xf32>, %b: tensor<2xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'onnx.Concat' op operand #1 has element type 'i64' but type parameter 'T' is bound to 'f32' by operand #0}}
  %0 = "onnx.Concat"(%a, %b) <{axis = 0 : i64}> : (tensor<2xf32>, tensor<2xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @too_many_operands(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'onnx.Relu' op requires a single operand}}
  %0 = "onnx.Relu"(%x, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @too_many_clip_operands(%x: tensor<2xf32>, %m: tensor<f32>) -> tensor<2xf32> {
  // expected-error @+1 {{'onnx.Clip' op expected 3 operands, but found 4}}
  %0 = "onnx.Clip"(%x, %m, %m, %m) : (tensor<2xf32>, tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_without_axis(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'onnx.Concat' op requires attribute 'axis'}}
  %0 = "onnx.Concat"(%a) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_without_inputs() -> tensor<2xf32> {
  // expected-error @+1 {{'onnx.Concat' op expects at least 1 inputs, got 0}}
  %0 = "onnx.Concat"() <{axis = 0 : i64}> : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @transpose_perm_wrong_kind(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{invalid properties {perm = 1 : i64} for op onnx.Transpose: Invalid attribute `perm` in property conversion}}
  %0 = "onnx.Transpose"(%x) <{perm = 1 : i64}> : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @novalue_for_required_input(%x: tensor<2xf32>) -> tensor<2xf32> {
  %none = onnx.NoValue
  // expected-error @+1 {{'onnx.Add' op operand #1 must be tensor of}}
  %0 = "onnx.Add"(%x, %none) : (tensor<2xf32>, none) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @yield_outside_region(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'onnx.Yield' op must be the last operation in the parent block}}
  onnx.Yield %x : tensor<2xf32>
  return %x : tensor<2xf32>
}
