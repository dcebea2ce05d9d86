//===- KernelsOnHost.cpp - the kernels as host functions, for testing -----===//
#include "codegen/gpu/DeviceSymbols.h"
#include "codegen/gpu/Passes.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPUKERNELSONHOST
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Extra arguments of a kernel on the host, after its own: the block and
/// thread it runs as, and the block and grid sizes, three dims each.
enum IdArgument { kBlockId = 0, kThreadId = 3, kBlockDim = 6, kGridDim = 9 };

class KernelsOnHostPass : public impl::SmeltGpuKernelsOnHostBase<KernelsOnHostPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto modules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    if (modules.size() != 1) {
      module.emitError("expected the kernels in one gpu.module, found ") << modules.size();
      return signalPassFailure();
    }
    gpu::GPUModuleOp kernels = modules.front();
    // Only the kernels stay: host functions and their globals go.
    for (Operation &op : llvm::make_early_inc_range(module.getBody()->getOperations()))
      if (&op != kernels.getOperation())
        op.erase();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    for (Operation &op : llvm::make_early_inc_range(kernels.getBody()->getOperations())) {
      if (auto func = dyn_cast<gpu::GPUFuncOp>(op)) {
        if (failed(moveToHost(func, b)))
          return signalPassFailure();
        continue;
      }
      if (isa<memref::GlobalOp>(op)) {
        op.moveBefore(module.getBody(), module.getBody()->end());
        continue;
      }
      op.emitError("unexpected op in the kernel module");
      return signalPassFailure();
    }
    kernels.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }

  LogicalResult moveToHost(gpu::GPUFuncOp kernel, OpBuilder &b) {
    if (!kernel.getWorkgroupAttributions().empty() || !kernel.getPrivateAttributions().empty())
      return kernel.emitError("a kernel with shared or private memory has no host form");
    if (kernel->walk([](gpu::BarrierOp) { return WalkResult::interrupt(); }).wasInterrupted())
      return kernel.emitError("a kernel with barriers has no host form (threads run in turn)");
    Location loc = kernel.getLoc();
    SmallVector<Type> types(kernel.getArgumentTypes());
    types.append(kKernelIdArguments, b.getIndexType());
    auto func = func::FuncOp::create(b, loc, kernel.getName(), b.getFunctionType(types, {}));
    if (!kernel.isKernel())
      func.setPrivate();
    func.getBody().takeBody(kernel.getBody());
    Block &entry = func.getBody().front();
    unsigned first = entry.getNumArguments();
    for (unsigned i = 0; i < kKernelIdArguments; ++i)
      entry.addArgument(b.getIndexType(), loc);
    auto id = [&](IdArgument kind, gpu::Dimension dim) {
      return entry.getArgument(first + kind + static_cast<unsigned>(dim));
    };
    func.walk([&](Operation *op) {
      Value replacement;
      if (auto op2 = dyn_cast<gpu::BlockIdOp>(op))
        replacement = id(kBlockId, op2.getDimension());
      else if (auto op2 = dyn_cast<gpu::ThreadIdOp>(op))
        replacement = id(kThreadId, op2.getDimension());
      else if (auto op2 = dyn_cast<gpu::BlockDimOp>(op))
        replacement = id(kBlockDim, op2.getDimension());
      else if (auto op2 = dyn_cast<gpu::GridDimOp>(op))
        replacement = id(kGridDim, op2.getDimension());
      if (replacement) {
        op->getResult(0).replaceAllUsesWith(replacement);
        op->erase();
        return;
      }
      if (auto ret = dyn_cast<gpu::ReturnOp>(op)) {
        OpBuilder at(ret);
        func::ReturnOp::create(at, ret.getLoc(), ret.getOperands());
        ret.erase();
      }
    });
    kernel.erase();
    return success();
  }
};

} // namespace
} // namespace smelt
