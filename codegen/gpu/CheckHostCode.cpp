//===- CheckHostCode.cpp - no element computation left on the host -------===//
#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPUCHECKHOSTCODE
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The ONNX node an op was lowered from: the first name in its location.
std::string nodeOf(Operation *op) {
  std::string node;
  op->getLoc()->walk([&](Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc)) {
      node = name.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return node;
}

/// The allocation (or argument) a buffer views, through view ops.
Value rootOf(Value buffer) {
  while (auto view = buffer.getDefiningOp<ViewLikeOpInterface>())
    buffer = view.getViewSource();
  return buffer;
}

/// The buffers whose elements live on the device: every buffer a kernel
/// touches and the function's arguments (the model's inputs and outputs).
/// The rest, such as the small shape operands of memref.reshape, are the
/// host's.
DenseSet<Value> deviceBuffers(func::FuncOp func) {
  DenseSet<Value> device;
  for (BlockArgument arg : func.getArguments())
    if (isa<BaseMemRefType>(arg.getType()))
      device.insert(arg);
  func.walk([&](gpu::LaunchFuncOp launch) {
    for (Value operand : launch.getKernelOperands())
      if (isa<BaseMemRefType>(operand.getType()))
        device.insert(rootOf(operand));
  });
  return device;
}

/// The buffer whose elements `op` reads or writes on the host, if any.
std::optional<Value> hostAccess(Operation *op) {
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

/// Whether `op` in host code would touch device memory: element access to
/// a device buffer (or one whose root is not an allocation of this
/// function), or anything that computes over buffers.
bool touchesDeviceElements(Operation *op, const DenseSet<Value> &device) {
  if (isa<memref::CopyOp, scf::ParallelOp>(op) ||
      isa<linalg::LinalgDialect, vector::VectorDialect>(op->getDialect()))
    return true;
  std::optional<Value> buffer = hostAccess(op);
  if (!buffer)
    return false;
  Value root = rootOf(*buffer);
  return device.contains(root) || !root.getDefiningOp<memref::AllocOp>();
}

class CheckHostCodePass : public impl::SmeltGpuCheckHostCodeBase<CheckHostCodePass> {
  void runOnOperation() override {
    bool refused = false;
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      DenseSet<Value> device = deviceBuffers(func);
      func.walk([&](Operation *op) {
        if (!touchesDeviceElements(op, device))
          return WalkResult::advance();
        std::string node = nodeOf(op);
        op->emitError() << "the GPU path does not run this on the device yet ('"
                        << op->getName() << "'"
                        << (node.empty() ? std::string() : " of node '" + node + "'")
                        << " stays in host code)";
        refused = true;
        return WalkResult::interrupt();
      });
      if (refused)
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace smelt
