//===- CloneSharedInits.cpp - one initial value per product ---------------===//
//
// Products accumulate into their init: a bias broadcast, or a zero fill.
// CSE merges equal inits, and convolutions whose folded biases are equal
// (all zero in a network with fresh batch normalization) then share one.
// Bufferization must keep the shared value intact for its other users, so
// every product but one first copies it into a buffer of its own: a full
// extra trip through memory per product (ResNet-50's 56x56 1x1
// convolutions: 3 MiB each). Cheap producers of such shared inits are
// cloned here, one per product, before bufferization: each product then
// computes its init in place, where smelt-cpu-mark-tile-fusion can make it
// the product's prologue.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUCLONESHAREDINITS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Whether `op` only materializes constants: a fill, or an elementwise
/// generic whose inputs are constants (a bias broadcast), on tensors.
bool isCheapInit(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op->getNumResults() != 1)
    return false;
  if (isa<linalg::FillOp>(op.getOperation()))
    return true;
  return isa<linalg::GenericOp>(op.getOperation()) &&
         op.getNumLoops() == op.getNumParallelLoops() &&
         llvm::all_of(op.getDpsInputs(), [](Value input) {
           return !isa<RankedTensorType>(input.getType()) || matchPattern(input, m_Constant());
         });
}

/// Whether `use` makes its value the init of a destination-style op,
/// directly or through one reshape: an operand the op overwrites.
bool isInitUse(OpOperand &use) {
  Operation *user = use.getOwner();
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user))
    return user->hasOneUse() && isInitUse(*user->getUses().begin());
  auto dps = dyn_cast<DestinationStyleOpInterface>(user);
  return dps && dps.isDpsInit(&use);
}

class CloneSharedInitsPass : public impl::SmeltCpuCloneSharedInitsBase<CloneSharedInitsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> producers;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isCheapInit(op) && !op->getResult(0).hasOneUse())
        producers.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp producer : producers) {
      SmallVector<OpOperand *> inits;
      // Users in the producer's block (those in nested regions share), in
      // program order: the first product keeps the original.
      for (OpOperand &use : producer->getResult(0).getUses())
        if (use.getOwner()->getBlock() == producer->getBlock() && isInitUse(use))
          inits.push_back(&use);
      llvm::sort(inits, [](OpOperand *a, OpOperand *b) {
        return a->getOwner()->isBeforeInBlock(b->getOwner());
      });
      // Every overwriting user but the first gets a clone; readers share.
      bool othersRead = inits.size() < llvm::range_size(producer->getResult(0).getUses());
      for (OpOperand *use : llvm::drop_begin(inits, othersRead ? 0 : 1)) {
        rewriter.setInsertionPoint(use->getOwner());
        Operation *clone = rewriter.clone(*producer);
        rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(clone->getResult(0)); });
      }
    }
  }
};

} // namespace
} // namespace smelt
