//===- DeviceBuffers.cpp - which buffers of host code live on the GPU -----===//
#include "codegen/gpu/DeviceBuffers.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace smelt {

Value bufferRoot(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>())
    buffer = view.getViewSource();
  return buffer;
}

DenseSet<Value> deviceBuffers(func::FuncOp func) {
  DenseSet<Value> device;
  for (BlockArgument arg : func.getArguments())
    if (isa<BaseMemRefType>(arg.getType()))
      device.insert(arg);
  func.walk([&](gpu::LaunchFuncOp launch) {
    for (Value operand : launch.getKernelOperands())
      if (isa<BaseMemRefType>(operand.getType()))
        device.insert(bufferRoot(operand));
  });
  return device;
}

bool isDeviceMemory(Value buffer, const DenseSet<Value> &device) {
  Value root = bufferRoot(buffer);
  return device.contains(root) ||
         !(root.getDefiningOp<memref::AllocOp>() || root.getDefiningOp<memref::AllocaOp>());
}

} // namespace smelt
