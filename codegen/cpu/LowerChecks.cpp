//===- LowerChecks.cpp - run-time checks as a recorded message ------------===//
//
// A failed cf.assert would abort the process; a model must instead return an
// error to its caller. Every cf.assert becomes a branch-free update of one
// thread-local pointer: the message of the first check that failed, which the
// entry points (compiler/emit) clear before and read after the model runs.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/RuntimeChecks.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPULOWERCHECKS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

class LowerChecksPass : public impl::SmeltCpuLowerChecksBase<LowerChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> checks;
    module.walk([&](cf::AssertOp op) { checks.push_back(op); });
    if (checks.empty())
      return;
    MLIRContext *ctx = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    Location loc = module.getLoc();

    // The record: a null pointer until a check fails.
    auto record = LLVM::GlobalOp::create(top, loc, ptrType, /*isConstant=*/false,
                                         LLVM::Linkage::Internal, kCheckFailureGlobal,
                                         Attribute());
    record.setThreadLocal_(true);
    Block *init = new Block();
    record.getInitializerRegion().push_back(init);
    OpBuilder initBuilder = OpBuilder::atBlockBegin(init);
    LLVM::ReturnOp::create(initBuilder, loc, LLVM::ZeroOp::create(initBuilder, loc, ptrType));

    // One constant per distinct message.
    llvm::StringMap<LLVM::GlobalOp> messages;
    for (cf::AssertOp check : checks) {
      std::string text = check.getMsg().str();
      auto [it, inserted] = messages.try_emplace(text);
      if (inserted) {
        auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size() + 1);
        it->second = LLVM::GlobalOp::create(
            top, loc, type, /*isConstant=*/true, LLVM::Linkage::Private,
            "__smelt_check_message_" + std::to_string(messages.size() - 1),
            StringAttr::get(ctx, text + '\0'));
      }

      OpBuilder b(check);
      Location at = check.getLoc();
      Value slot = LLVM::AddressOfOp::create(b, at, record);
      Value message = LLVM::AddressOfOp::create(b, at, it->second);
      Value current = LLVM::LoadOp::create(b, at, ptrType, slot);
      Value none = LLVM::ZeroOp::create(b, at, ptrType);
      Value first = LLVM::ICmpOp::create(b, at, LLVM::ICmpPredicate::eq, current, none);
      Value failed = LLVM::XOrOp::create(
          b, at, check.getArg(), LLVM::ConstantOp::create(b, at, b.getI1Type(), b.getBoolAttr(true)));
      Value take = LLVM::AndOp::create(b, at, failed, first);
      LLVM::StoreOp::create(b, at, LLVM::SelectOp::create(b, at, take, message, current), slot);
      check.erase();
    }
  }
};

} // namespace
} // namespace smelt
