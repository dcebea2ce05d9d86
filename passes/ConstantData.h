//===- ConstantData.h - the bytes of constant tensors -----------*- C++ -*-===//
//
// Folds that rearrange constants (transposes of weights, packing of weights
// into kernel layouts) read the row-major bytes of a dense or resource
// attribute and build a new one from bytes; these helpers are shared by
// them so that small constants stay inline and large ones become resource
// blobs the same way everywhere.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_CONSTANTDATA_H
#define SMELT_PASSES_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace smelt {

/// Constants up to this many elements stay inline; larger ones become
/// resource blobs, like the importer's weights.
constexpr int64_t kInlineConstantElements = 1024;

/// The bytes of a byte-sized element type (i1 is bit-packed in dense
/// attributes and has none), or nothing.
std::optional<size_t> constantElementBytes(mlir::Type elementType);

/// The row-major bytes of every element of a non-splat dense or resource
/// attribute whose elements are `constantElementBytes` wide, or nothing.
std::optional<llvm::ArrayRef<char>> constantBytes(mlir::Attribute value);

/// The value of the arith.constant behind `value`, looking through tensor
/// reshapes (which keep the elements' row-major order), or null.
mlir::Attribute constantBehindReshapes(mlir::Value value);

/// An attribute of `type` holding `bytes`: inline when small, else a
/// resource blob named `name`.
mlir::TypedAttr constantFromBytes(mlir::ShapedType type, llvm::ArrayRef<char> bytes,
                                  llvm::StringRef name);

} // namespace smelt

#endif // SMELT_PASSES_CONSTANTDATA_H
