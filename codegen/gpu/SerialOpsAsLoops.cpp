//===- SerialOpsAsLoops.cpp - ops without parallel dims, on the device ----===//
#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPUSERIALOPSASLOOPS
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

class SerialOpsAsLoopsPass : public impl::SmeltGpuSerialOpsAsLoopsBase<SerialOpsAsLoopsPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    }
    SmallVector<linalg::LinalgOp> serial;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.getNumParallelLoops() == 0 && !op->getParentOfType<scf::ParallelOp>())
        serial.push_back(op);
    });
    for (linalg::LinalgOp op : serial)
      moveIntoOneIteration(op);

    SmallVector<Operation *> scalarLoops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<scf::ParallelOp>(op))
        return WalkResult::skip();
      if (!isa<scf::ForOp, scf::WhileOp>(op))
        return WalkResult::advance();
      if (isScalarLoop(op))
        scalarLoops.push_back(op);
      return WalkResult::skip(); // nested loops go with the outer one
    });
    for (Operation *loop : scalarLoops)
      moveIntoOneIteration(loop);
  }

  /// A loop of scalar code over buffer elements: no op in it that becomes
  /// a kernel of its own or allocates, and only scalar results.
  static bool isScalarLoop(Operation *loop) {
    bool scalar = llvm::all_of(loop->getResultTypes(),
                               [](Type t) { return t.isIntOrIndexOrFloat(); });
    loop->walk([&](Operation *op) {
      if (isa<linalg::LinalgOp, scf::ParallelOp, memref::AllocOp, memref::DeallocOp,
              memref::CopyOp>(op) ||
          isa<func::CallOp>(op))
        scalar = false;
    });
    return scalar;
  }

  /// Moves `op` into an scf.parallel of one iteration; its scalar results
  /// pass through one-element buffers.
  static void moveIntoOneIteration(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    SmallVector<Value> slots;
    for (Type type : op->getResultTypes())
      slots.push_back(memref::AllocOp::create(b, loc, MemRefType::get({}, type)));
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{one},
                                        ValueRange{one});
    SmallVector<Value> loaded;
    for (Value slot : slots)
      loaded.push_back(memref::LoadOp::create(b, loc, slot));
    for (auto [result, value] : llvm::zip(op->getResults(), loaded))
      result.replaceAllUsesWith(value);
    op->moveBefore(loop.getBody()->getTerminator());
    OpBuilder in(loop.getBody()->getTerminator());
    for (auto [result, slot] : llvm::zip(op->getResults(), slots))
      memref::StoreOp::create(in, loc, result, slot);
  }
};

} // namespace
} // namespace smelt
