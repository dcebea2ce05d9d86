//===- BarePointerEntry.cpp - bare pointers for the model function --------===//
#include "codegen/cpu/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUBAREPOINTERENTRY
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

class BarePointerEntryPass : public impl::SmeltCpuBarePointerEntryBase<BarePointerEntryPass> {
  void runOnOperation() override {
    UnitAttr unit = UnitAttr::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic())
        func->setAttr("llvm.bareptr", unit);
  }
};

} // namespace
} // namespace smelt
