//===- OutputInPlace.cpp - the last elementwise op writes over its input --===//
//
// A model whose last op is elementwise (a bias added to the unpacked
// product of a language model's head) computes that op's input into an
// intermediate buffer and then reads it once to write the caller's output:
// a buffer and a pass over memory more than needed (GPT-2's logits: 4 MiB
// of an 8 MiB workspace). Here the input's allocation becomes a reshape of
// the output buffer, so its producer writes the caller's memory, and the
// elementwise op runs in place over it. Each element is read and written
// by the same iteration at the same address (same shape, identity maps,
// row-major both), so in place is safe; nothing else touches the output.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUOUTPUTINPLACE
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// A static row-major memref type.
bool isPlainStatic(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// Whether `op` writes each element of its one init once, from operands
/// alone (parallel loops, the init unread) and at the same index (identity
/// map); its inputs may be broadcast.
bool writesElementwise(linalg::GenericOp op) {
  return op.hasPureBufferSemantics() && op.getNumDpsInits() == 1 &&
         op.getNumLoops() == op.getNumParallelLoops() &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() &&
         !op.payloadUsesValueFromOperand(op.getDpsInitOperand(0));
}

/// The allocation `v` reshapes (through expand and collapse ops), or null.
memref::AllocOp reshapedAllocation(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(def))
      return alloc;
    if (!isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
      return nullptr;
    v = def->getOperand(0);
  }
  return nullptr;
}

/// Whether every use of `v`, through views, is in `block` before `last`
/// or is `last` itself.
bool usedOnlyUpTo(Value v, Block *block, Operation *last) {
  for (Operation *user : v.getUsers()) {
    if (user == last)
      continue;
    if (user->getBlock() != block || !user->isBeforeInBlock(last))
      return false;
    if (isa<ViewLikeOpInterface>(user))
      for (Value view : user->getResults())
        if (!usedOnlyUpTo(view, block, last))
          return false;
  }
  return true;
}

/// `output` as a memref of `type` (as many elements, both row-major):
/// collapsed to one dim, then expanded.
Value reshapeTo(OpBuilder &b, Location loc, Value output, MemRefType type) {
  auto outputType = cast<MemRefType>(output.getType());
  if (outputType == type)
    return output;
  Value flat = output;
  if (outputType.getRank() != 1) {
    ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, outputType.getRank()));
    flat = memref::CollapseShapeOp::create(b, loc, output, ArrayRef<ReassociationIndices>{all});
  }
  if (type.getRank() == 1)
    return flat;
  ReassociationIndices all = llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
  return memref::ExpandShapeOp::create(b, loc, type.getShape(), flat,
                                       ArrayRef<ReassociationIndices>{all});
}

class OutputInPlacePass : public impl::SmeltCpuOutputInPlaceBase<OutputInPlacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &body = func.getBody().front();
    SmallVector<std::pair<linalg::GenericOp, memref::AllocOp>> rewrites;
    for (auto op : body.getOps<linalg::GenericOp>()) {
      if (!writesElementwise(op))
        continue;
      Value output = op.getDpsInitOperand(0)->get();
      auto arg = dyn_cast<BlockArgument>(output);
      if (!arg || arg.getOwner() != &body || !output.hasOneUse() ||
          !isPlainStatic(output.getType()))
        continue;
      auto outputType = cast<MemRefType>(output.getType());
      for (OpOperand *input : op.getDpsInputOperands()) {
        memref::AllocOp alloc = reshapedAllocation(input->get());
        if (!alloc || alloc->getBlock() != &body || input->get().getType() != outputType ||
            !op.getMatchingIndexingMap(input).isIdentity() ||
            !isPlainStatic(alloc.getType()) ||
            alloc.getType().getElementType() != outputType.getElementType() ||
            alloc.getType().getNumElements() != outputType.getNumElements() ||
            !usedOnlyUpTo(alloc.getResult(), &body, op))
          continue;
        rewrites.push_back({op, alloc});
        break;
      }
    }
    for (auto [op, alloc] : rewrites) {
      Value output = op.getDpsInitOperand(0)->get();
      OpBuilder b(alloc);
      Value view = reshapeTo(b, alloc.getLoc(), output, alloc.getType());
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }
  }
};

} // namespace
} // namespace smelt
