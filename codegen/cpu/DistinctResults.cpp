//===- DistinctResults.cpp - one buffer per result position ---------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUDISTINCTRESULTS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

class DistinctResultsPass : public impl::SmeltCpuDistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder builder(ret);
      llvm::SmallPtrSet<Value, 4> returned;
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<MemRefType>(operand.get().getType());
        if (!type || returned.insert(operand.get()).second)
          continue;
        // A second position of the same buffer: its own copy (identity
        // layout, the same dynamic sizes).
        SmallVector<Value> sizes;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            sizes.push_back(memref::DimOp::create(builder, ret.getLoc(), operand.get(), d));
        auto copyType = MemRefType::get(type.getShape(), type.getElementType());
        Value copy = memref::AllocOp::create(builder, ret.getLoc(), copyType, sizes);
        memref::CopyOp::create(builder, ret.getLoc(), operand.get(), copy);
        if (copyType != type)
          copy = memref::CastOp::create(builder, ret.getLoc(), type, copy);
        operand.set(copy);
      }
    });
  }
};

} // namespace
} // namespace smelt
