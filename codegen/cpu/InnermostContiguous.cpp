//===- InnermostContiguous.cpp - loop order for LLVM's vectorizer ---------===//
//
// Ops without a vector kernel become plain loop nests in their iterator
// order, and LLVM's loop vectorizer only looks at the innermost loop. For a
// convolution with groups or a pooling window that loop is a 3-step kernel
// loop; moving the output's fastest dim innermost instead gives a long loop
// of contiguous stores that LLVM vectorizes.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUINNERMOSTCONTIGUOUS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The loop to move innermost: the parallel loop of the first output's last
/// index, where every output indexes by it only there (contiguous stores)
/// and every input uses it only in its last index (contiguous or strided
/// loads, or none). Nothing when that loop already is innermost.
std::optional<unsigned> contiguousLoop(linalg::GenericOp op) {
  unsigned loops = op.getNumLoops();
  if (loops < 2 || op.getNumDpsInits() == 0)
    return std::nullopt;
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0)
    return std::nullopt;
  auto last = dyn_cast<AffineDimExpr>(outMap.getResults().back());
  if (!last || last.getPosition() == loops - 1 ||
      op.getIteratorTypesArray()[last.getPosition()] != utils::IteratorType::parallel)
    return std::nullopt;
  unsigned d = last.getPosition();
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    ArrayRef<AffineExpr> results = map.getResults();
    for (size_t r = 0; r + 1 < results.size(); ++r)
      if (results[r].isFunctionOfDim(d))
        return std::nullopt;
    if (op.isDpsInit(&operand) &&
        (results.empty() || results.back() != getAffineDimExpr(d, op.getContext())))
      return std::nullopt;
  }
  return d;
}

class InnermostContiguousPass
    : public impl::SmeltCpuInnermostContiguousBase<InnermostContiguousPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, unsigned>> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<unsigned> d = contiguousLoop(op))
        work.push_back({op, *d});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, d] : work) {
      // interchangeVector[i] is the old loop that becomes loop i.
      SmallVector<unsigned> order;
      for (unsigned i = 0, e = op.getNumLoops(); i < e; ++i)
        if (i != d)
          order.push_back(i);
      order.push_back(d);
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace smelt
