//===- ParallelTiles.cpp - loop nests split into tiles for the threads ----===//
//
// Ops without a vector kernel become plain loop nests. Those big enough to
// be worth it are tiled once, along a parallel dim that every output
// indexes (KernelStrategy's chooseParallelTiles), and the tile loop is
// marked `smelt.parallel`: smelt-cpu-outline-parallel-loops then hands its
// iterations to the runtime's threads. Each tile computes exactly what the
// loop nest computed for those elements, in the same order, so results do
// not depend on the thread count.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUPARALLELTILES
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Inside a loop that already runs on the threads (a contraction's tiles).
bool insideParallelLoop(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent; parent = parent->getParentOp())
    if (parent->hasAttr(kParallelLoopAttr))
      return true;
  return false;
}

class ParallelTilesPass : public impl::SmeltCpuParallelTilesBase<ParallelTilesPass> {
  void runOnOperation() override {
    std::vector<std::pair<linalg::LinalgOp, TileLevel>> work;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (insideParallelLoop(op))
        return;
      if (std::optional<TileLevel> tiles = chooseParallelTiles(op))
        work.push_back({op, *tiles});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[op, tiles] : work) {
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), tiles.sizes));
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("cannot tile for the threads");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
      if (!tiled->loops.empty())
        tiled->loops.front()->setAttr(kParallelLoopAttr, rewriter.getUnitAttr());
    }
  }
};

} // namespace
} // namespace smelt
