//===- OnnxBuilder.h - create onnx ops from passes --------------*- C++ -*-===//
//
// Small helpers for passes that rewrite onnx ops into other onnx ops: ops by
// name (the generated builders of variadic ops are awkward to call) and
// int64 constants.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_ONNXBUILDER_H
#define SMELT_PASSES_ONNXBUILDER_H

#include "mlir/IR/Builders.h"

namespace smelt {

/// Creates "onnx.<name>" with the given operands, result types, attributes
/// and number of (empty) regions.
mlir::Operation *createOnnx(mlir::OpBuilder &b, mlir::Location loc, llvm::StringRef name,
                            mlir::ValueRange operands, mlir::TypeRange results,
                            llvm::ArrayRef<mlir::NamedAttribute> attrs = {},
                            unsigned regions = 0);

/// The single result of createOnnx.
mlir::Value createOnnxValue(mlir::OpBuilder &b, mlir::Location loc, llvm::StringRef name,
                            mlir::ValueRange operands, mlir::Type result,
                            llvm::ArrayRef<mlir::NamedAttribute> attrs = {});

/// An onnx.Constant of int64 `values`: a scalar (one value) or a 1-D tensor.
mlir::Value createConstantI64(mlir::OpBuilder &b, mlir::Location loc,
                              llvm::ArrayRef<int64_t> values, bool scalar);

} // namespace smelt

#endif // SMELT_PASSES_ONNXBUILDER_H
