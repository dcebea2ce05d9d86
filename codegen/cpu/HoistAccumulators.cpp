//===- HoistAccumulators.cpp - keep kernel accumulators in registers ------===//
#include "codegen/cpu/HoistAccumulators.h"
#include "codegen/cpu/BufferAliasing.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Affine/IR/AffineValueMap.h"
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

/// Whether every memory effect of `root` and the ops nested in it passes
/// `allowed` (the op, the effect, and the buffer it touches); false for an
/// effect on something that is not a buffer, and for ops whose effects are
/// unknown.
bool allEffects(Operation *root,
                llvm::function_ref<bool(Operation *, const MemoryEffects::EffectInstance &, Value)>
                    allowed) {
  WalkResult walk = root->walk([&](Operation *op) {
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
      if (!value || !isa<BaseMemRefType>(value.getType()) || !allowed(op, effect, value))
        return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return !walk.wasInterrupted();
}

/// Whether nothing in `loop` other than `read` and `write` may read or
/// write the elements they access.
bool onlyPairTouches(scf::ForOp loop, vector::TransferReadOp read, vector::TransferWriteOp write) {
  MemoryRoot target = rootOf(read.getBase());
  auto writeAccess = cast<VectorTransferOpInterface>(write.getOperation());
  return llvm::all_of(loop.getBody()->without_terminator(), [&](Operation &bodyOp) {
    return allEffects(&bodyOp, [&](Operation *op, const MemoryEffects::EffectInstance &,
                                   Value value) {
      if (op == read || op == write || !mayOverlap(rootOf(value), target))
        return true;
      // Disjointness of index sets holds for minor-identity accesses only.
      auto access = dyn_cast<VectorTransferOpInterface>(op);
      return access && access.getBase() == read.getBase() &&
             access.getPermutationMap().isMinorIdentity() &&
             writeAccess.getPermutationMap().isMinorIdentity() &&
             vector::isDisjointTransferSet(writeAccess, access,
                                           /*testDynamicValueUsingBounds=*/true);
    });
  });
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

/// Whether two index values are equal: the same value, or affine.apply ops
/// whose difference simplifies to 0 (folded subview offsets list the same
/// terms in different orders).
bool sameIndex(Value x, Value y) {
  if (x == y)
    return true;
  auto applyX = x.getDefiningOp<affine::AffineApplyOp>();
  auto applyY = y.getDefiningOp<affine::AffineApplyOp>();
  if (!applyX || !applyY)
    return false;
  affine::AffineValueMap difference;
  affine::AffineValueMap::difference(
      affine::AffineValueMap(applyX.getAffineMap(), applyX.getOperands()),
      affine::AffineValueMap(applyY.getAffineMap(), applyY.getOperands()), &difference);
  auto zero = dyn_cast<AffineConstantExpr>(difference.getResult(0));
  return zero && zero.getValue() == 0;
}

/// Whether `a` and `b` access the same elements of the same buffer with the
/// same vector type, unmasked and in bounds (a read past the end would
/// yield its padding, not what the write held), along the buffer's
/// innermost dims.
bool sameElements(VectorTransferOpInterface a, VectorTransferOpInterface b) {
  auto inBounds = [](VectorTransferOpInterface op) {
    return llvm::all_of(llvm::seq<unsigned>(0, op.getTransferRank()),
                        [&](unsigned d) { return op.isDimInBounds(d); });
  };
  if (a.getBase() != b.getBase() || a.getVectorType() != b.getVectorType() || a.getMask() ||
      b.getMask() || !a.getPermutationMap().isMinorIdentity() ||
      a.getPermutationMap() != b.getPermutationMap() || !inBounds(a) || !inBounds(b))
    return false;
  for (auto [x, y] : llvm::zip(a.getIndices(), b.getIndices())) {
    if (x == y)
      continue;
    if (!sameIndex(x, y))
      return false;
  }
  return true;
}

/// Whether `op` (and what it contains) may read (`reads`) or write
/// (`writes`) memory that `target` covers.
bool mayAccess(Operation *op, const MemoryRoot &target, bool reads, bool writes) {
  return !allEffects(op, [&](Operation *, const MemoryEffects::EffectInstance &effect,
                             Value value) {
    bool relevant = (reads && isa<MemoryEffects::Read>(effect.getEffect())) ||
                    (writes && (isa<MemoryEffects::Write>(effect.getEffect()) ||
                                isa<MemoryEffects::Free>(effect.getEffect())));
    return !relevant || !mayOverlap(rootOf(value), target);
  });
}

} // namespace

void forwardTileWrites(func::FuncOp func) {
  SmallVector<vector::TransferWriteOp> writes;
  func.walk([&](vector::TransferWriteOp write) {
    if (isa<MemRefType>(write.getBase().getType()))
      writes.push_back(write);
  });
  IRRewriter rewriter(func.getContext());
  for (vector::TransferWriteOp write : writes) {
    MemoryRoot target = rootOf(write.getBase());
    auto access = cast<VectorTransferOpInterface>(write.getOperation());
    // Up to the next op that may write those elements: reads of exactly
    // them take the written value; the write goes if the next one is a
    // write of exactly them and nothing else read them in between.
    bool readBetween = false, overwritten = false;
    for (Operation *op = write->getNextNode(); op;) {
      Operation *next = op->getNextNode();
      if (auto read = dyn_cast<vector::TransferReadOp>(op);
          read && sameElements(access, cast<VectorTransferOpInterface>(op))) {
        rewriter.replaceOp(read, write.getVector());
        op = next;
        continue;
      }
      if (auto later = dyn_cast<vector::TransferWriteOp>(op);
          later && sameElements(access, cast<VectorTransferOpInterface>(op))) {
        overwritten = !readBetween;
        break;
      }
      if (mayAccess(op, target, /*reads=*/false, /*writes=*/true))
        break;
      readBetween |= mayAccess(op, target, /*reads=*/true, /*writes=*/false);
      op = next;
    }
    if (overwritten)
      rewriter.eraseOp(write);
  }
}

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
