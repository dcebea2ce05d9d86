//===- ResultBuffers.cpp - one allocation per result position -------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPURESULTBUFFERS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// A static identity-layout allocation of the function.
bool isPlainAlloc(Value value) {
  auto alloc = value.getDefiningOp<memref::AllocOp>();
  return alloc && alloc.getType().hasStaticShape() && alloc.getType().getLayout().isIdentity();
}

/// When `result` is a reshape of a plain allocation: a new allocation of
/// the result's shape whose inverse reshape replaces the old allocation
/// everywhere. Returns the new allocation, or nothing.
Value allocateInResultShape(OpBuilder &builder, Value result) {
  Operation *reshape = result.getDefiningOp();
  if (!isa_and_nonnull<memref::CollapseShapeOp, memref::ExpandShapeOp>(reshape) ||
      !isPlainAlloc(reshape->getOperand(0)))
    return {};
  auto type = cast<MemRefType>(result.getType());
  if (!type.getLayout().isIdentity())
    return {};
  auto old = reshape->getOperand(0).getDefiningOp<memref::AllocOp>();
  builder.setInsertionPoint(old);
  auto alloc = memref::AllocOp::create(builder, old.getLoc(), type, old.getAlignmentAttr());
  Value view;
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(reshape))
    view = memref::ExpandShapeOp::create(builder, old.getLoc(), old.getType().getShape(), alloc,
                                         collapse.getReassociationIndices());
  else
    view = memref::CollapseShapeOp::create(builder, old.getLoc(), alloc,
                                           cast<memref::ExpandShapeOp>(reshape)
                                               .getReassociationIndices());
  old.getResult().replaceAllUsesWith(view);
  old.erase();
  return alloc;
}

class ResultBuffersPass : public impl::SmeltCpuResultBuffersBase<ResultBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder builder(ret);
      llvm::SmallPtrSet<Value, 4> returned;
      for (OpOperand &operand : ret->getOpOperands()) {
        auto type = dyn_cast<MemRefType>(operand.get().getType());
        if (!type)
          continue;
        if (!returned.insert(operand.get()).second) {
          // A second position of the same buffer: its own copy (identity
          // layout, the same dynamic sizes).
          builder.setInsertionPoint(ret);
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
          continue;
        }
        if (!operand.get().hasOneUse())
          continue; // The reshape is read too; keep it.
        Operation *reshape = operand.get().getDefiningOp();
        if (Value alloc = allocateInResultShape(builder, operand.get())) {
          operand.set(alloc);
          returned.insert(alloc);
          reshape->erase();
        }
      }
    });
  }
};

} // namespace
} // namespace smelt
