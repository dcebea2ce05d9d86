//===- MergeKernelModules.cpp - every kernel in one gpu.module ------------===//
#include "codegen/gpu/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPUMERGEKERNELMODULES
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

constexpr llvm::StringLiteral kMergedModule = "kernels";

class MergeKernelModulesPass
    : public impl::SmeltGpuMergeKernelModulesBase<MergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> outlined = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
    // A model that runs no kernel (its outputs are shapes or empty) still
    // gets its (empty) module: the host always loads one.
    OpBuilder b = outlined.empty() ? OpBuilder::atBlockEnd(module.getBody())
                                   : OpBuilder(outlined.front());
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(), b.getUnitAttr());
    auto merged = gpu::GPUModuleOp::create(b, module.getLoc(), kMergedModule);
    SymbolTable mergedSymbols(merged);
    // Old (module, kernel) pair -> new kernel name.
    DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp old : outlined) {
      for (Operation &op : llvm::make_early_inc_range(old.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(op);
        if (!symbol) {
          op.emitError("unexpected op in an outlined kernel module");
          return signalPassFailure();
        }
        StringAttr oldName = symbol.getNameAttr();
        op.remove();
        // A kernel is named after its module (which outlining made unique);
        // anything else it calls keeps its name unless that is taken.
        if (isa<gpu::GPUFuncOp>(op) && cast<gpu::GPUFuncOp>(op).isKernel())
          symbol.setName(old.getSymNameAttr());
        mergedSymbols.insert(&op); // renames on a clash
        renamed[{old.getSymNameAttr(), oldName}] = symbol.getNameAttr();
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernel();
      auto it = renamed.find({kernel.getRootReference(), kernel.getLeafReference()});
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(merged.getSymNameAttr(),
                                              {FlatSymbolRefAttr::get(it->second)}));
    });
    for (gpu::GPUModuleOp old : outlined)
      old.erase();
  }
};

} // namespace
} // namespace smelt
