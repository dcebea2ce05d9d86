//===- HostAccessAsCopies.cpp - single device elements copied to the host -===//
#include "codegen/gpu/DeviceBuffers.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Interfaces/LoopLikeInterface.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPUHOSTACCESSASCOPIES
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// A host buffer of one element with `buffer`'s rank, and the view of the
/// element of `buffer` at `indices` with the same shape.
std::pair<Value, Value> elementPair(OpBuilder &b, Location loc, Value buffer,
                                    ValueRange indices) {
  auto type = cast<MemRefType>(buffer.getType());
  int64_t rank = type.getRank();
  auto hostType = MemRefType::get(SmallVector<int64_t>(rank, 1), type.getElementType());
  Value host = memref::AllocaOp::create(b, loc, hostType);
  if (rank == 0)
    return {host, buffer};
  SmallVector<OpFoldResult> offsets(indices.begin(), indices.end());
  SmallVector<OpFoldResult> ones(rank, b.getIndexAttr(1));
  Value element = memref::SubViewOp::create(b, loc, buffer, offsets, ones, ones);
  return {host, element};
}

class HostAccessAsCopiesPass
    : public impl::SmeltGpuHostAccessAsCopiesBase<HostAccessAsCopiesPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      DenseSet<Value> device = deviceBuffers(func);
      SmallVector<Operation *> accesses;
      func.walk([&](Operation *op) {
        if (!isa<memref::LoadOp, memref::StoreOp>(op) ||
            op->getParentOfType<LoopLikeOpInterface>())
          return;
        if (isDeviceMemory(*elementAccessBuffer(op), device))
          accesses.push_back(op);
      });
      for (Operation *op : accesses)
        rewrite(op);
      // memref.reshape reads its shape operand on the host.
      func.walk([&](memref::ReshapeOp reshape) {
        if (isDeviceMemory(reshape.getShape(), device))
          copyShapeToHost(reshape);
      });
    }
  }

  void copyShapeToHost(memref::ReshapeOp reshape) {
    auto type = cast<MemRefType>(reshape.getShape().getType());
    // The host buffer at the top of the function: a reshape in a host loop
    // must not grow the stack on every iteration.
    OpBuilder top = OpBuilder::atBlockBegin(
        &reshape->getParentOfType<func::FuncOp>().getBody().front());
    Value host = memref::AllocaOp::create(
        top, reshape.getLoc(), MemRefType::get(type.getShape(), type.getElementType()));
    OpBuilder b(reshape);
    gpu::MemcpyOp::create(b, reshape.getLoc(), Type(), ValueRange{}, host, reshape.getShape());
    reshape.getShapeMutable().assign(host);
  }

  void rewrite(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto zeros = [&](Value host) {
      int64_t rank = cast<MemRefType>(host.getType()).getRank();
      return SmallVector<Value>(rank, arith::ConstantIndexOp::create(b, loc, 0));
    };
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      auto [host, element] = elementPair(b, loc, load.getMemRef(), load.getIndices());
      gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, host, element);
      load.replaceAllUsesWith(memref::LoadOp::create(b, loc, host, zeros(host)).getResult());
      load.erase();
      return;
    }
    auto store = cast<memref::StoreOp>(op);
    auto [host, element] = elementPair(b, loc, store.getMemRef(), store.getIndices());
    memref::StoreOp::create(b, loc, store.getValueToStore(), host, zeros(host));
    gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, element, host);
    store.erase();
  }
};

} // namespace
} // namespace smelt
