//===- OutlineKernels.cpp - one function per kernel of a large model ------===//
//
// LLVM's function passes (dominator tree updates, scalar evolution, register
// allocation) cost more than linearly in a function's size, and a model is
// one function: SSDLite's thousands of loop nests made LLVM take over a
// minute. Each top-level operation with regions of a large function moves
// into its own private, noinline function, called where it was; the calls
// cost nanoseconds next to the kernels they run.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUOUTLINEKERNELS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Operations nested in `op`, itself included.
int64_t countOps(Operation *op) {
  int64_t count = 0;
  op->walk([&](Operation *) { ++count; });
  return count;
}

/// Moves `op` into a new private function and calls it in its place.
void outline(Operation *op, func::FuncOp parent, SymbolTable &symbols) {
  // Operands and values from outside the regions become arguments, except
  // constants, which the new function defines itself.
  SetVector<Value> used(op->getOperands().begin(), op->getOperands().end());
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, used);
  SmallVector<Value> arguments;
  SmallVector<Operation *> constants;
  for (Value v : used) {
    Operation *def = v.getDefiningOp();
    if (def && matchPattern(def, m_Constant()))
      constants.push_back(def);
    else
      arguments.push_back(v);
  }

  Location loc = op->getLoc();
  OpBuilder moduleBuilder(op->getContext());
  moduleBuilder.setInsertionPointAfter(parent);
  auto type = moduleBuilder.getFunctionType(ValueRange(arguments).getTypes(),
                                            op->getResultTypes());
  auto kernel =
      func::FuncOp::create(moduleBuilder, loc, (parent.getName() + "_kernel").str(), type);
  kernel.setPrivate();
  kernel->setAttr("passthrough",
                  moduleBuilder.getArrayAttr({moduleBuilder.getStringAttr("noinline")}));
  symbols.insert(kernel); // Renames it to be unique.

  Block *entry = kernel.addEntryBlock();
  OpBuilder inner = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  for (auto [value, argument] : llvm::zip(arguments, entry->getArguments()))
    mapping.map(value, argument);
  for (Operation *constant : constants)
    inner.clone(*constant, mapping);
  Operation *moved = inner.clone(*op, mapping);
  func::ReturnOp::create(inner, loc, moved->getResults());

  OpBuilder b(op);
  auto call = func::CallOp::create(b, loc, kernel, arguments);
  op->replaceAllUsesWith(call.getResults());
  op->erase();
}

class OutlineKernelsPass : public impl::SmeltCpuOutlineKernelsBase<OutlineKernelsPass> {
public:
  using SmeltCpuOutlineKernelsBase::SmeltCpuOutlineKernelsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> large;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() && countOps(func) > minFunctionOps)
        large.push_back(func);
    for (func::FuncOp func : large) {
      SmallVector<Operation *> kernels;
      for (Operation &op : func.getBody().getOps())
        if (op.getNumRegions() > 0)
          kernels.push_back(&op);
      for (Operation *op : kernels)
        outline(op, func, symbols);
    }
  }
};

} // namespace
} // namespace smelt
