//===- HoistAccumulators.cpp - keep kernel accumulators in registers ------===//
#include "codegen/cpu/HoistAccumulators.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace smelt {
namespace {

/// Where a buffer's memory comes from: the function argument or allocation
/// at the root of its views and, for a view of a byte buffer at a constant
/// offset (the memory plan's workspace), the bytes of the root it covers.
struct MemoryRoot {
  Value root;
  mlir::Attribute global; ///< for a memref.get_global: its symbol
  bool known = false;     ///< a function argument, an allocation or a global
  std::optional<std::pair<int64_t, int64_t>> bytes;
};

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

/// Whether two buffers may share memory. Distinct function arguments (the
/// ABI's inputs, outputs and workspace), allocations and globals never do.
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

/// Whether nothing in `loop` other than `read` and `write` may read or
/// write the elements they access.
bool onlyPairTouches(scf::ForOp loop, vector::TransferReadOp read, vector::TransferWriteOp write) {
  MemoryRoot target = rootOf(read.getBase());
  auto writeAccess = cast<VectorTransferOpInterface>(write.getOperation());
  WalkResult walk = loop.getBody()->walk([&](Operation *op) {
    if (op == read || op == write)
      return WalkResult::advance();
    // Ops like linalg's report their own effects and also have nested ones
    // (which the walk visits): the interface comes first.
    auto effecting = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effecting)
      return op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ? WalkResult::advance()
                                                                 : WalkResult::interrupt();
    SmallVector<MemoryEffects::EffectInstance> effects;
    effecting.getEffects(effects);
    for (MemoryEffects::EffectInstance &effect : effects) {
      if (isa<MemoryEffects::Allocate>(effect.getEffect()))
        continue; // A fresh buffer.
      Value value = effect.getValue();
      if (!value || !isa<BaseMemRefType>(value.getType()))
        return WalkResult::interrupt();
      if (!mayOverlap(rootOf(value), target))
        continue;
      // Disjointness of index sets holds for minor-identity accesses only.
      auto access = dyn_cast<VectorTransferOpInterface>(op);
      if (access && access.getBase() == read.getBase() &&
          access.getPermutationMap().isMinorIdentity() &&
          writeAccess.getPermutationMap().isMinorIdentity() &&
          vector::isDisjointTransferSet(writeAccess, access, /*testDynamicValueUsingBounds=*/true))
        continue;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return !walk.wasInterrupted();
}

/// The first transfer_write after `read` in its block on the same buffer,
/// if it writes back exactly the elements `read` reads.
vector::TransferWriteOp matchingWrite(vector::TransferReadOp read) {
  for (Operation *op = read->getNextNode(); op; op = op->getNextNode()) {
    auto write = dyn_cast<vector::TransferWriteOp>(op);
    if (!write || write.getBase() != read.getBase())
      continue;
    if (write.getIndices() != read.getIndices() || write.getVectorType() != read.getVectorType() ||
        write.getPermutationMap() != read.getPermutationMap() || write.getMask() || read.getMask())
      return {};
    return write;
  }
  return {};
}

/// Hoists one pair out of `loop`; returns the loop that replaces it, or
/// nothing when no pair qualifies.
std::optional<scf::ForOp> hoistOnePair(RewriterBase &rewriter, scf::ForOp loop) {
  // Iterations split between threads carry nothing from one to the next;
  // a loop that may not run must not start reading and writing.
  std::optional<APInt> trips = loop.getStaticTripCount();
  if (loop->hasAttr(kParallelLoopAttr) || (trips && trips->isZero()))
    return std::nullopt;
  for (Operation &op : loop.getBody()->without_terminator()) {
    auto read = dyn_cast<vector::TransferReadOp>(&op);
    if (!read || !llvm::all_of(read->getOperands(),
                               [&](Value v) { return loop.isDefinedOutsideOfLoop(v); }))
      continue;
    vector::TransferWriteOp write = matchingWrite(read);
    if (!write || !onlyPairTouches(loop, read, write))
      continue;
    loop.moveOutOfLoop(read);
    write->moveAfter(loop);
    NewYieldValuesFn yieldWritten = [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
      return SmallVector<Value>{write.getVector()};
    };
    FailureOr<LoopLikeOpInterface> replaced = loop.replaceWithAdditionalYields(
        rewriter, read.getResult(), /*replaceInitOperandUsesInLoop=*/true, yieldWritten);
    if (failed(replaced))
      return std::nullopt;
    write.getValueToStoreMutable().assign(replaced->getOperation()->getResults().back());
    return cast<scf::ForOp>(replaced->getOperation());
  }
  return std::nullopt;
}

} // namespace

void hoistAccumulators(func::FuncOp func) {
  // Innermost loops first: a pair hoisted out of an inner loop may then
  // leave its parent too.
  SmallVector<scf::ForOp> loops;
  func.walk([&](scf::ForOp loop) { loops.push_back(loop); });
  IRRewriter rewriter(func.getContext());
  for (scf::ForOp loop : loops)
    while (std::optional<scf::ForOp> replaced = hoistOnePair(rewriter, loop))
      loop = *replaced;
}

} // namespace smelt
