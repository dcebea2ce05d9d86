//===- LaunchParallelLoops.cpp - parallel loops as 1-D GPU launches ------===//
//
// The first GPU mapping: one thread per iteration of an outermost parallel
// loop, whatever its rank, over a 1-D grid (gridDim.x reaches 2^31 - 1
// blocks; y and z only 65535). Reduction dims stay sequential inside the
// thread. Tiling for shared memory and tensor cores comes on top of this.
//
//===----------------------------------------------------------------------===//
#include "codegen/gpu/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPULAUNCHPARALLELLOOPS
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

class LaunchParallelLoopsPass
    : public impl::SmeltGpuLaunchParallelLoopsBase<LaunchParallelLoopsPass> {
  using SmeltGpuLaunchParallelLoopsBase::SmeltGpuLaunchParallelLoopsBase;

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() && !loop->getParentOfType<gpu::LaunchOp>())
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost)
      if (failed(launch(loop)))
        return signalPassFailure();
  }

  LogicalResult launch(scf::ParallelOp loop) {
    if (!loop.getInitVals().empty())
      return loop.emitError("a parallel loop with reductions has no GPU mapping yet");
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    auto index = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v).getResult(); };
    Value zero = index(0), one = index(1);

    // Iterations per dim (none when the upper bound is not above the lower).
    SmallVector<Value> counts;
    Value total = one;
    for (auto [lower, upper, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      Value above = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, upper, lower);
      Value span = arith::SelectOp::create(b, loc, above,
                                           arith::SubIOp::create(b, loc, upper, lower), zero);
      counts.push_back(arith::CeilDivUIOp::create(b, loc, span, step));
      total = arith::MulIOp::create(b, loc, total, counts.back());
    }
    Value threads = index(blockSize);
    Value blocks = arith::CeilDivUIOp::create(b, loc, total, threads);
    // CUDA refuses a grid of no blocks.
    Value any = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, total, zero);
    auto ifAny = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
    b.setInsertionPointToStart(ifAny.thenBlock());
    auto launch = gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);

    Block &body = launch.getBody().front();
    OpBuilder in = OpBuilder::atBlockBegin(&body);
    Value linear = arith::AddIOp::create(
        in, loc, arith::MulIOp::create(in, loc, launch.getBlockIds().x, launch.getBlockSize().x),
        launch.getThreadIds().x);
    Value inRange = arith::CmpIOp::create(in, loc, arith::CmpIPredicate::ult, linear, total);
    auto ifInRange = scf::IfOp::create(in, loc, inRange, /*withElseRegion=*/false);
    gpu::TerminatorOp::create(in, loc);

    // Innermost dim fastest: neighbouring threads, neighbouring elements.
    OpBuilder thread = OpBuilder::atBlockBegin(ifInRange.thenBlock());
    IRMapping mapping;
    Value rest = linear;
    for (int64_t dim = loop.getNumLoops() - 1; dim >= 0; --dim) {
      Value position = dim ? arith::RemUIOp::create(thread, loc, rest, counts[dim]) : rest;
      if (dim)
        rest = arith::DivUIOp::create(thread, loc, rest, counts[dim]);
      Value iv = arith::AddIOp::create(
          thread, loc, loop.getLowerBound()[dim],
          arith::MulIOp::create(thread, loc, position, loop.getStep()[dim]));
      mapping.map(loop.getInductionVars()[dim], iv);
    }
    for (Operation &op : loop.getBody()->without_terminator())
      thread.clone(op, mapping);
    loop.erase();
    return success();
  }
};

} // namespace
} // namespace smelt
