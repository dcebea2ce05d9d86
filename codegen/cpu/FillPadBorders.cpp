//===- FillPadBorders.cpp - a pad fills its border, not the whole buffer --===//
//
// tensor.pad bufferizes to a fill of the whole padded buffer followed by a
// copy of the source into its interior (or, after smelt-cpu-pad-in-place,
// by the source's producer writing the interior): every interior element
// is written twice, and the fill alone costs as much as the copy (a memset
// of the whole buffer; ~5% of MobileNet and EfficientNet). Only the border
// needs the padding value: the fill becomes fills of the slabs around the
// interior, one pair per dim.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/BufferAliasing.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUFILLPADBORDERS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The value `op` fills its whole output with: a linalg.fill's, or a
/// linalg.map without inputs yielding a value from outside its body.
Value filledValue(Operation *op) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.hasPureBufferSemantics() ? fill.value() : Value();
  auto map = dyn_cast<linalg::MapOp>(op);
  if (!map || !map.hasPureBufferSemantics() || !map.getInputs().empty())
    return {};
  Value yielded = cast<linalg::YieldOp>(map.getMapper().front().getTerminator()).getValues()[0];
  return yielded.getParentRegion() == &map.getMapper() ? Value() : yielded;
}

/// Whether `op` writes every element of its one output without reading
/// it: a copy, or an all-parallel linalg op whose output map is a
/// permutation and whose body ignores the output's old value.
bool overwritesOutput(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1)
    return false;
  if (isa<linalg::CopyOp>(op.getOperation()))
    return true;
  OpOperand *init = op.getDpsInitOperand(0);
  return op.getNumLoops() == op.getNumParallelLoops() &&
         op.getMatchingIndexingMap(init).isPermutation() && !op.payloadUsesValueFromOperand(init);
}

/// The first op after `fill` that touches the filled buffer, if it
/// overwrites a unit-stride static window of it (a pad's copy of the
/// source, or the source's producer) without reading the buffer: that
/// window.
memref::SubViewOp interiorWrite(Operation *fill, Value buffer) {
  for (Operation *next = fill->getNextNode(); next; next = next->getNextNode()) {
    if (isa<ViewLikeOpInterface>(next))
      continue;
    // Ops with regions of their own (loops) may touch anything; a linalg
    // op's body only sees its operands.
    auto overlaps = [&](Value operand) {
      return isa<MemRefType>(operand.getType()) && mayOverlap(operand, buffer);
    };
    bool touches = llvm::any_of(next->getOperands(), overlaps) ||
                   (next->getNumRegions() != 0 && !isa<linalg::LinalgOp>(next));
    if (!touches)
      continue;
    auto writer = dyn_cast<linalg::LinalgOp>(next);
    if (!writer || !overwritesOutput(writer) || llvm::any_of(writer.getDpsInputs(), overlaps))
      return {};
    auto window = writer.getDpsInits()[0].getDefiningOp<memref::SubViewOp>();
    if (!window || window.getSource() != buffer || !window.hasUnitStride() ||
        llvm::any_of(window.getStaticOffsets(), ShapedType::isDynamic) ||
        llvm::any_of(window.getStaticSizes(), ShapedType::isDynamic))
      return {};
    return window;
  }
  return {};
}

/// Fills `buffer` outside the box [lo, lo + size) with `value`: for each dim
/// d, the slabs before and after the box along d, spanning the box along
/// the dims before d and everything along the dims after it.
void fillAround(RewriterBase &rewriter, Location loc, Value value, Value buffer,
                ArrayRef<int64_t> lo, ArrayRef<int64_t> size) {
  ArrayRef<int64_t> shape = cast<MemRefType>(buffer.getType()).getShape();
  int64_t rank = shape.size();
  for (int64_t d = 0; d < rank; ++d) {
    for (auto [start, extent] : {std::pair(int64_t(0), lo[d]),
                                 std::pair(lo[d] + size[d], shape[d] - lo[d] - size[d])}) {
      if (extent == 0)
        continue;
      SmallVector<int64_t> offsets, sizes, strides(rank, 1);
      for (int64_t e = 0; e < rank; ++e) {
        offsets.push_back(e < d ? lo[e] : e == d ? start : 0);
        sizes.push_back(e < d ? size[e] : e == d ? extent : shape[e]);
      }
      Value slab = memref::SubViewOp::create(rewriter, loc, buffer, offsets, sizes, strides);
      linalg::FillOp::create(rewriter, loc, value, slab);
    }
  }
}

class FillPadBordersPass : public impl::SmeltCpuFillPadBordersBase<FillPadBordersPass> {
  void runOnOperation() override {
    SmallVector<std::pair<Operation *, memref::SubViewOp>> work;
    getOperation().walk([&](Operation *op) {
      Value value = filledValue(op);
      if (!value)
        return;
      Value buffer = cast<DestinationStyleOpInterface>(op).getDpsInits()[0];
      auto type = dyn_cast<MemRefType>(buffer.getType());
      if (!type || !type.hasStaticShape())
        return;
      if (memref::SubViewOp window = interiorWrite(op, buffer))
        work.push_back({op, window});
    });
    IRRewriter rewriter(&getContext());
    for (auto [fill, window] : work) {
      rewriter.setInsertionPoint(fill);
      Value buffer = window.getSource();
      fillAround(rewriter, fill->getLoc(), filledValue(fill), buffer, window.getStaticOffsets(),
                 window.getStaticSizes());
      rewriter.eraseOp(fill);
    }
  }
};

} // namespace
} // namespace smelt
