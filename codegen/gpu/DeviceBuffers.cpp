//===- DeviceBuffers.cpp - which buffers of host code live on the GPU -----===//
#include "codegen/gpu/DeviceBuffers.h"

#include "codegen/cpu/BufferLiveness.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace smelt {

DenseSet<Value> deviceBuffers(func::FuncOp func) {
  DenseSet<Value> device;
  for (BlockArgument arg : func.getArguments())
    if (isa<BaseMemRefType>(arg.getType()))
      device.insert(arg);
  func.walk([&](gpu::LaunchFuncOp launch) {
    for (Value operand : launch.getKernelOperands())
      if (isa<BaseMemRefType>(operand.getType()))
        device.insert(viewRoot(operand));
  });
  return device;
}

bool isDeviceMemory(Value buffer, const DenseSet<Value> &device) {
  Value root = viewRoot(buffer);
  return device.contains(root) ||
         !(root.getDefiningOp<memref::AllocOp>() || root.getDefiningOp<memref::AllocaOp>());
}

std::optional<Value> elementAccessBuffer(Operation *op) {
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return load.getMemRef();
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return store.getMemRef();
  if (auto atomic = dyn_cast<memref::AtomicRMWOp>(op))
    return atomic.getMemref();
  if (auto atomic = dyn_cast<memref::GenericAtomicRMWOp>(op))
    return atomic.getMemref();
  return std::nullopt;
}

} // namespace smelt
