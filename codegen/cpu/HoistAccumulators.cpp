//===- HoistAccumulators.cpp - keep kernel accumulators in registers ------===//
#include "codegen/cpu/HoistAccumulators.h"

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
  bool known = false; ///< a function argument or an allocation
  std::optional<std::pair<int64_t, int64_t>> bytes;
};

MemoryRoot rootOf(Value buffer) {
  MemoryRoot result;
  bool sawByteView = false;
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>()) {
    if (auto byteView = dyn_cast<memref::ViewOp>(view.getOperation())) {
      // A view of a view shifts twice: only a single level is understood.
      std::optional<int64_t> shift = getConstantIntValue(byteView.getByteShift());
      MemRefType type = byteView.getType();
      if (!sawByteView && shift && type.hasStaticShape()) {
        int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
        result.bytes = {{*shift, *shift + type.getNumElements() * elementBytes}};
      } else {
        result.bytes.reset();
      }
      sawByteView = true;
    }
    buffer = view.getViewSource();
  }
  result.root = buffer;
  if (auto arg = dyn_cast<BlockArgument>(buffer))
    result.known = isa<FunctionOpInterface>(arg.getOwner()->getParentOp());
  else
    result.known = isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(buffer.getDefiningOp());
  return result;
}

/// Whether two buffers may share memory. Distinct function arguments (the
/// ABI's inputs, outputs and workspace) and distinct allocations never do.
bool mayOverlap(const MemoryRoot &a, const MemoryRoot &b) {
  if (!a.known || !b.known)
    return true;
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
    if (op == read || op == write || op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    auto effecting = dyn_cast<MemoryEffectOpInterface>(op);
    if (!effecting)
      return WalkResult::interrupt();
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
      auto access = dyn_cast<VectorTransferOpInterface>(op);
      if (access && access.getBase() == read.getBase() &&
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
