//===- ParallelFor.cpp - the model's side of smelt_call.parallel_for -----===//
#include "compiler/emit/ParallelFor.h"

#include "codegen/cpu/ParallelForSymbol.h"
#include "compiler/emit/OutOfMemory.h"

#include "llvm/IR/Constants.h"

namespace smelt {

namespace {

constexpr llvm::StringLiteral kParallelFnGlobal = "__smelt_parallel_fn";
constexpr llvm::StringLiteral kParallelCtxGlobal = "__smelt_parallel_ctx";

bool usesParallelFor(llvm::Module &m) { return m.getFunction(kParallelForFn) != nullptr; }

} // namespace

void defineParallelFor(llvm::Module &m, const AbiTypes &t) {
  llvm::Function *fn = m.getFunction(kParallelForFn);
  if (!fn || !fn->isDeclaration())
    return;
  llvm::LLVMContext &ctx = m.getContext();
  fn->setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::Value *count = fn->getArg(0), *body = fn->getArg(1), *bodyCtx = fn->getArg(2);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *pool = llvm::BasicBlock::Create(ctx, "pool", fn);
  auto *serial = llvm::BasicBlock::Create(ctx, "serial", fn);
  llvm::IRBuilder<> b(entry);
  llvm::Value *parallelFor = b.CreateLoad(t.ptr, threadLocalPointer(m, t, kParallelFnGlobal));
  b.CreateCondBr(b.CreateIsNull(parallelFor), serial, pool);

  // void body(void *ctx, int64_t begin, int64_t end)
  auto *bodyType = llvm::FunctionType::get(b.getVoidTy(), {t.ptr, t.i64, t.i64}, false);
  // void parallel_for(void *pool, int64_t begin, int64_t end, body, void *ctx)
  auto *forType =
      llvm::FunctionType::get(b.getVoidTy(), {t.ptr, t.i64, t.i64, t.ptr, t.ptr}, false);
  llvm::Value *zero = llvm::ConstantInt::get(t.i64, 0);
  b.SetInsertPoint(pool);
  llvm::Value *poolCtx = b.CreateLoad(t.ptr, threadLocalPointer(m, t, kParallelCtxGlobal));
  // No jump out of the pool's hands: its threads would be left mid-loop.
  llvm::Value *jump = emitSuspendOutOfMemoryJump(b, m, t);
  b.CreateCall(forType, parallelFor, {poolCtx, zero, count, body, bodyCtx});
  emitRestoreOutOfMemoryJump(b, m, t, jump);
  b.CreateRetVoid();
  b.SetInsertPoint(serial);
  b.CreateCall(bodyType, body, {bodyCtx, zero, count});
  b.CreateRetVoid();
}

void emitSetParallelFor(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t,
                        llvm::Value *call) {
  if (!usesParallelFor(m))
    return;
  b.CreateStore(loadCallField(b, t, call, kParallelFor),
                threadLocalPointer(m, t, kParallelFnGlobal));
  b.CreateStore(loadCallField(b, t, call, kParallelCtx),
                threadLocalPointer(m, t, kParallelCtxGlobal));
}

void emitClearParallelFor(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t) {
  if (!usesParallelFor(m))
    return;
  b.CreateStore(llvm::ConstantPointerNull::get(t.ptr), threadLocalPointer(m, t, kParallelFnGlobal));
}

} // namespace smelt
