//===- DeviceMemory.cpp - buffers kernels touch are device memory ---------===//
#include "codegen/cpu/BufferLiveness.h"
#include "codegen/gpu/DeviceBuffers.h"
#include "codegen/gpu/DeviceSymbols.h"
#include "codegen/gpu/Passes.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPUDEVICEMEMORY
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The buffer a memref.dealloc releases: the deallocation pipeline frees
/// the base buffer of a view, taken with memref.extract_strided_metadata.
Value releasedRoot(memref::DeallocOp dealloc) {
  Value buffer = viewRoot(dealloc.getMemref());
  if (auto metadata = buffer.getDefiningOp<memref::ExtractStridedMetadataOp>())
    return viewRoot(metadata.getSource());
  return buffer;
}

class DeviceMemoryPass : public impl::SmeltGpuDeviceMemoryBase<DeviceMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SetVector<Attribute> constants;
    for (auto func : module.getOps<func::FuncOp>()) {
      DenseSet<Value> device = deviceBuffers(func);
      SmallVector<memref::AllocOp> allocs;
      func.walk([&](memref::AllocOp alloc) {
        if (device.contains(alloc.getResult()))
          allocs.push_back(alloc);
      });
      DenseSet<Value> moved;
      for (memref::AllocOp alloc : allocs) {
        OpBuilder b(alloc);
        auto onDevice = gpu::AllocOp::create(b, alloc.getLoc(), alloc.getType(), Type(),
                                             ValueRange{}, alloc.getDynamicSizes(),
                                             alloc.getSymbolOperands());
        alloc.replaceAllUsesWith(onDevice.getMemref());
        alloc.erase();
        moved.insert(onDevice.getMemref());
      }
      SmallVector<memref::DeallocOp> deallocs;
      func.walk([&](memref::DeallocOp dealloc) {
        if (moved.contains(releasedRoot(dealloc)))
          deallocs.push_back(dealloc);
      });
      for (memref::DeallocOp dealloc : deallocs) {
        OpBuilder b(dealloc);
        gpu::DeallocOp::create(b, dealloc.getLoc(), Type(), ValueRange{}, dealloc.getMemref());
        dealloc.erase();
      }
      // Weights go to the device once; host code that reads one copies it.
      WalkResult result = func.walk([&](memref::GetGlobalOp get) {
        auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
            get, get.getNameAttr());
        if (!global || !global.getConstant() || !global.getInitialValue()) {
          get.emitError("the GPU path keeps only constant globals on the device");
          return WalkResult::interrupt();
        }
        constants.insert(get.getNameAttr());
        return WalkResult::advance();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
    module->setAttr(kDeviceConstantsAttr, ArrayAttr::get(module.getContext(),
                                                         constants.getArrayRef()));
  }
};

} // namespace
} // namespace smelt
