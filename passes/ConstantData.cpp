//===- ConstantData.cpp - the bytes of constant tensors -------------------===//
#include "passes/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace smelt {

std::optional<size_t> constantElementBytes(Type elementType) {
  if (!elementType.isIntOrFloat() || elementType.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  return elementType.getIntOrFloatBitWidth() / 8;
}

std::optional<ArrayRef<char>> constantBytes(Attribute value) {
  auto elements = dyn_cast_if_present<ElementsAttr>(value);
  if (!elements)
    return std::nullopt;
  auto type = cast<ShapedType>(elements.getType());
  std::optional<size_t> width = constantElementBytes(type.getElementType());
  if (!width || !type.hasStaticShape())
    return std::nullopt;
  ArrayRef<char> raw;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    raw = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    raw = blob->getData();
  } else {
    return std::nullopt;
  }
  if (raw.size() != static_cast<size_t>(type.getNumElements()) * *width)
    return std::nullopt;
  return raw;
}

Attribute constantBehindReshapes(Value value) {
  while (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  return constant ? constant.getValue() : Attribute();
}

TypedAttr constantFromBytes(ShapedType type, ArrayRef<char> bytes, StringRef name) {
  if (type.getNumElements() <= kInlineConstantElements)
    return DenseElementsAttr::getFromRawBuffer(type, bytes);
  return DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(uint64_t)));
}

} // namespace smelt
