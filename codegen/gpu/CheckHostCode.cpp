//===- CheckHostCode.cpp - no element computation left on the host -------===//
#include "codegen/gpu/DeviceBuffers.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

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

/// Whether `op` in host code would touch device memory: element access to
/// a device buffer (or one whose root is not an allocation of this
/// function), or anything that computes over buffers.
bool touchesDeviceElements(Operation *op, const DenseSet<Value> &device) {
  if (isa<memref::CopyOp, scf::ParallelOp>(op) ||
      isa<linalg::LinalgDialect, vector::VectorDialect>(op->getDialect()))
    return true;
  std::optional<Value> buffer = elementAccessBuffer(op);
  return buffer && isDeviceMemory(*buffer, device);
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
