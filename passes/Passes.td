//===- Passes.td - Smelt's target-independent passes ----------------------===//
#ifndef SMELT_PASSES_TD
#define SMELT_PASSES_TD

include "mlir/Pass/PassBase.td"

def OnnxFoldConstants : Pass<"onnx-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluate onnx ops whose operands are all constants";
  let description = [{
    Input: onnx ops, some fed only by onnx.Constant. Output: every supported op
    with constant operands (the shape arithmetic exporters emit: Shape, Gather,
    Concat, Unsqueeze, Squeeze, Slice, Cast, Reshape, elementwise integer and
    float arithmetic, ConstantOfShape, Range) replaced by one onnx.Constant;
    Shape of a statically shaped tensor becomes a constant too. Large tensors
    (more than `max-elements`) are left alone so weights are never duplicated.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", "1 << 16",
           "Largest result, in elements, the pass materializes">
  ];
  let dependentDialects = ["::smelt::onnx::OnnxDialect"];
}

def OnnxInferShapes : Pass<"onnx-infer-shapes", "mlir::func::FuncOp"> {
  let summary = "Refine result types of onnx ops with libonnx's inference functions";
  let description = [{
    Input: onnx ops whose result types may be unranked or partly dynamic.
    Output: each result type refined with what the op's libonnx schema
    inference function derives from its operand types, attributes and
    constant operands (shape data propagation included); the function's
    return types follow its returned values. A result type is never made
    less precise, and a contradiction is reported at the op.
  }];
  let dependentDialects = ["::smelt::onnx::OnnxDialect"];
}

def ConvertOnnxToLinalg : Pass<"convert-onnx-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower onnx ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Input: onnx ops with statically shaped tensor types. Output: no onnx ops;
    named linalg ops where one fits (matmul, batch_matmul, transpose, fill,
    reduce), linalg.generic otherwise, tensor ops for data movement. An op
    without a lowering fails the pass with an error naming the op and its node.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::bufferization::BufferizationDialect"
  ];
}

#endif // SMELT_PASSES_TD
