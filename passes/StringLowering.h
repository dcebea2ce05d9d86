//===- StringLowering.h - string ops on bytes and lengths -------*- C++ -*-===//
//
// onnx-to-plain-tensors represents a string tensor by two plain tensors:
// `bytes` (tensor<?xui8>, the UTF-8 bytes of every string, concatenated in
// row-major order) and `lengths` (int64, the string tensor's shape: the byte
// length of each string). The functions here build the onnx ops that compute
// string operators on that representation.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_STRINGLOWERING_H
#define SMELT_PASSES_STRINGLOWERING_H

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"

namespace smelt {

/// The bytes and lengths of a string tensor.
struct StringParts {
  mlir::Value bytes;
  mlir::Value lengths;
};

/// StringNormalizer: drops the strings equal to a stopword (compared on
/// ASCII-lowered bytes unless case sensitive), changes the ASCII letters of
/// what is left to upper or lower case, and yields one empty string when
/// nothing is left. Output lengths have the type `lengthsType`.
StringParts lowerStringNormalizer(mlir::OpBuilder &b, smelt::onnx::StringNormalizerOp op,
                                  StringParts input, mlir::Type lengthsType);

/// Cast(string -> number): each string parsed as a decimal number in f64
/// (sign, digits, '.', exponent; nan, inf, infinity in any case; NaN for
/// anything else), then cast to `resultType`'s element type.
mlir::Value parseStrings(mlir::OpBuilder &b, mlir::Location loc, StringParts input,
                         mlir::RankedTensorType resultType);

/// The parts of a constant string tensor.
StringParts stringConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::ArrayRef<llvm::StringRef> strings,
                           mlir::RankedTensorType lengthsType);

} // namespace smelt

#endif // SMELT_PASSES_STRINGLOWERING_H
