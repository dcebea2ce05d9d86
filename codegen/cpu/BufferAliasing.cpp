//===- BufferAliasing.cpp - which buffers may share memory ----------------===//
#include "codegen/cpu/BufferAliasing.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace smelt {
namespace {

/// Whether the offsets `cast` reads or writes lie within those of its source:
/// the same start (static and equal, or the source's own offset read back
/// through memref.extract_strided_metadata) and no further end. Direct
/// convolutions view their operands this way.
bool staysInside(memref::ReinterpretCastOp cast) {
  auto source = dyn_cast<MemRefType>(cast.getSource().getType());
  MemRefType type = cast.getType();
  if (!source || !source.hasStaticShape() || !type.hasStaticShape())
    return false;
  SmallVector<int64_t> sourceStrides, strides;
  int64_t sourceOffset, offset;
  if (failed(source.getStridesAndOffset(sourceStrides, sourceOffset)) ||
      failed(type.getStridesAndOffset(strides, offset)))
    return false;
  bool sameStart = !ShapedType::isDynamic(offset) && offset == sourceOffset;
  if (ShapedType::isDynamic(offset) && ShapedType::isDynamic(sourceOffset) &&
      cast.getOffsets().size() == 1) {
    auto metadata = cast.getOffsets()[0].getDefiningOp<memref::ExtractStridedMetadataOp>();
    sameStart = metadata && metadata.getSource() == cast.getSource() &&
                cast.getOffsets()[0] == metadata.getOffset();
  }
  // The offset of the last element of each: the sum of (size - 1) * stride.
  auto last = [](ArrayRef<int64_t> shape, ArrayRef<int64_t> steps) -> std::optional<int64_t> {
    int64_t sum = 0;
    for (auto [size, step] : llvm::zip(shape, steps)) {
      if (ShapedType::isDynamic(step) || step < 0 || size < 1)
        return std::nullopt;
      sum += (size - 1) * step;
    }
    return sum;
  };
  std::optional<int64_t> sourceLast = last(source.getShape(), sourceStrides);
  std::optional<int64_t> viewLast = last(type.getShape(), strides);
  return sameStart && sourceLast && viewLast && *viewLast <= *sourceLast;
}

/// Views between a buffer and the memref.view it comes from that keep the
/// view's first byte where it is, so the view's byte range bounds theirs.
bool keepsStart(Operation *view) {
  if (auto cast = dyn_cast<memref::ReinterpretCastOp>(view))
    return staysInside(cast);
  return isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp>(
      view);
}

} // namespace

MemoryRoot rootOf(Value buffer) {
  MemoryRoot result;
  bool onlyNarrowing = true, sawByteView = false;
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>()) {
    auto byteView = dyn_cast<memref::ViewOp>(view.getOperation());
    if (!byteView) {
      // Past the byte view, anything but a plain cast could move its start.
      onlyNarrowing &= sawByteView ? isa<memref::CastOp, memref::AssumeAlignmentOp>(view)
                                   : keepsStart(view);
    } else if (sawByteView) {
      onlyNarrowing = false; // A view of a view shifts twice.
    } else {
      sawByteView = true;
      std::optional<int64_t> shift = getConstantIntValue(byteView.getByteShift());
      MemRefType type = byteView.getType();
      if (shift && type.hasStaticShape() && type.getElementType().isIntOrFloat()) {
        int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
        result.bytes = {{*shift, *shift + type.getNumElements() * elementBytes}};
      }
    }
    buffer = view.getViewSource();
  }
  if (!onlyNarrowing)
    result.bytes.reset();
  result.root = buffer;
  if (auto arg = dyn_cast<BlockArgument>(buffer)) {
    result.known = isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  } else if (auto global = buffer.getDefiningOp<memref::GetGlobalOp>()) {
    result.global = global.getNameAttr();
    result.known = true;
  } else {
    result.known = isa_and_nonnull<memref::AllocOp, memref::AllocaOp>(buffer.getDefiningOp());
  }
  return result;
}

/// Distinct function arguments (the ABI's inputs, outputs and workspace),
/// allocations and globals never overlap.
bool mayOverlap(const MemoryRoot &a, const MemoryRoot &b) {
  if (!a.known || !b.known)
    return true;
  if (a.global || b.global)
    return a.global == b.global;
  if (a.root != b.root)
    return false;
  if (a.bytes && b.bytes)
    return a.bytes->first < b.bytes->second && b.bytes->first < a.bytes->second;
  return true;
}

} // namespace smelt
