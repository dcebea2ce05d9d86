//===- Passes.td - Smelt's target-independent passes ----------------------===//
#ifndef SMELT_PASSES_TD
#define SMELT_PASSES_TD

include "mlir/Pass/PassBase.td"

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
