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
#include "mlir/IR/BuiltinTypes.h"

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

/// The helpers above bound to one builder and location, for code that
/// builds many onnx ops in a row.
class OnnxOpBuilder {
public:
  OnnxOpBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  mlir::Value op(llvm::StringRef name, mlir::ValueRange operands, mlir::Type result,
                 llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return createOnnxValue(b, loc, name, operands, result, attrs);
  }
  mlir::NamedAttribute attr(llvm::StringRef name, int64_t value) {
    return b.getNamedAttr(name, b.getI64IntegerAttr(value));
  }
  /// int64 constants: a scalar (one value) or a 1-D tensor.
  mlir::Value i64s(llvm::ArrayRef<int64_t> values, bool scalar = false) {
    return createConstantI64(b, loc, values, scalar);
  }
  mlir::RankedTensorType i64Tensor(llvm::ArrayRef<int64_t> shape) {
    return mlir::RankedTensorType::get(shape, b.getI64Type());
  }
  /// `value` as `type` (same rank, other static dims) through a tensor.cast;
  /// unchanged when the types agree or either is unranked.
  mlir::Value castTo(mlir::Value value, mlir::Type type);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace smelt

#endif // SMELT_PASSES_ONNXBUILDER_H
