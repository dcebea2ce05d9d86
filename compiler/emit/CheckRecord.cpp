//===- CheckRecord.cpp - entry points and failed run-time checks ----------===//
#include "compiler/emit/CheckRecord.h"

#include "codegen/cpu/RuntimeChecks.h"

#include "llvm/IR/Constants.h"

namespace smelt {

void emitClearCheckRecord(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t) {
  if (llvm::GlobalVariable *record = m.getNamedGlobal(kCheckFailureGlobal))
    b.CreateStore(llvm::ConstantPointerNull::get(t.ptr), record);
}

llvm::Value *emitLoadCheckRecord(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t) {
  if (llvm::GlobalVariable *record = m.getNamedGlobal(kCheckFailureGlobal))
    return b.CreateLoad(t.ptr, record);
  return llvm::ConstantPointerNull::get(t.ptr);
}

void emitReportCheckMessage(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Value *call,
                            llvm::Value *message) {
  if (llvm::isa<llvm::ConstantPointerNull>(message))
    return;
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  llvm::LLVMContext &ctx = fn->getContext();
  auto *store = llvm::BasicBlock::Create(ctx, "report_check", fn);
  auto *done = llvm::BasicBlock::Create(ctx, "reported", fn);
  llvm::Value *out = loadCallField(b, t, call, kCheckMessage);
  b.CreateCondBr(b.CreateAnd(b.CreateIsNotNull(message), b.CreateIsNotNull(out)), store, done);
  b.SetInsertPoint(store);
  b.CreateStore(message, out);
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

} // namespace smelt
