//===- CheckLlvm.cpp - fail unless the module is entirely LLVM dialect ----===//
//
// The conversions to LLVM are partial: an op that no pattern could convert
// (a func.func whose signature the type converter refused, say) stays behind
// silently and only fails at translation, with a message that names no
// cause. This pass is the pipeline's last step and fails on such leftovers,
// naming the op and, for a function, the argument type that blocked it.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUCHECKLLVM
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// False for a memref whose layout has a dynamic stride or offset (an
/// identity layout left of a size-0 dim, say).
static bool hasStaticStrides(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return true;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(memref.getStridesAndOffset(strides, offset)))
    return false;
  return !ShapedType::isDynamic(offset) && llvm::none_of(strides, ShapedType::isDynamic);
}

class CheckLlvmPass : public impl::SmeltCpuCheckLlvmBase<CheckLlvmPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool failed = false;
    module.walk([&](Operation *op) {
      if (op == module.getOperation() || isa<LLVM::LLVMDialect>(op->getDialect()))
        return WalkResult::advance();
      InFlightDiagnostic diag = op->emitOpError("was not lowered to the LLVM dialect");
      if (auto func = dyn_cast<FunctionOpInterface>(op))
        for (Type type : func.getArgumentTypes())
          if (!hasStaticStrides(type))
            diag.attachNote() << "argument type " << type
                              << " has dynamic strides, so it cannot be passed as a bare pointer";
      failed = true;
      // The leftover's body holds converted ops; one error per leftover.
      return WalkResult::skip();
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
} // namespace smelt
