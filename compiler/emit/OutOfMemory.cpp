//===- OutOfMemory.cpp - a failed allocation ends the call, not the process ===//
#include "compiler/emit/OutOfMemory.h"

#include "compiler/emit/RunScratch.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"

namespace smelt {

namespace {

/// The armed jump buffer of the running call on this thread, or null.
constexpr llvm::StringLiteral kJumpGlobal = "__smelt_out_of_memory_jump";

/// Bytes reserved for a jmp_buf: glibc's takes 200 on x86-64, 312 on AArch64.
constexpr uint64_t kJumpBufferBytes = 512;

llvm::GlobalVariable *jumpGlobal(llvm::Module &m) { return m.getNamedGlobal(kJumpGlobal); }

/// Defines `wrapper`, which calls `allocator` with its arguments and jumps
/// to the armed buffer when it returns NULL for a nonzero `size`.
void defineWrapper(llvm::Module &m, const AbiTypes &t, llvm::Function *wrapper,
                   llvm::FunctionCallee allocator, unsigned sizeArg,
                   llvm::GlobalVariable *jump) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", wrapper);
  auto *failed = llvm::BasicBlock::Create(ctx, "failed", wrapper);
  auto *armed = llvm::BasicBlock::Create(ctx, "armed", wrapper);
  auto *done = llvm::BasicBlock::Create(ctx, "done", wrapper);
  llvm::IRBuilder<> b(entry);
  llvm::SmallVector<llvm::Value *> args;
  for (llvm::Argument &arg : wrapper->args())
    args.push_back(&arg);
  llvm::Value *block = b.CreateCall(allocator, args);
  llvm::Value *empty = b.CreateICmpEQ(wrapper->getArg(sizeArg), llvm::ConstantInt::get(t.i64, 0));
  b.CreateCondBr(b.CreateOr(b.CreateIsNotNull(block), empty), done, failed);
  b.SetInsertPoint(failed);
  llvm::Value *buffer = b.CreateLoad(t.ptr, jump);
  b.CreateCondBr(b.CreateIsNull(buffer), done, armed);
  b.SetInsertPoint(armed);
  llvm::FunctionCallee longjmp = m.getOrInsertFunction(
      "longjmp", llvm::FunctionType::get(b.getVoidTy(), {t.ptr, t.i32}, false));
  llvm::cast<llvm::Function>(longjmp.getCallee())->setDoesNotReturn();
  b.CreateCall(longjmp, {buffer, llvm::ConstantInt::get(t.i32, 1)})->setDoesNotReturn();
  b.CreateUnreachable();
  b.SetInsertPoint(done);
  b.CreateRet(block);
}

} // namespace

void routeBufferAllocation(llvm::Module &m, const AbiTypes &t) {
  struct Allocator {
    const char *name, *wrapper;
    unsigned sizeArg; // malloc(size), aligned_alloc(align, size)
    llvm::SmallVector<llvm::CallInst *> calls;
  };
  Allocator allocators[] = {{"malloc", "__smelt_malloc", 0, {}},
                            {"aligned_alloc", "__smelt_aligned_alloc", 1, {}}};
  // The model's own calls, before the scratch allocator adds its own.
  bool any = false;
  for (Allocator &a : allocators) {
    llvm::Function *allocator = m.getFunction(a.name);
    if (!allocator)
      continue;
    for (llvm::User *user : allocator->users())
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(user);
          call && call->getCalledFunction() == allocator)
        a.calls.push_back(call);
    any |= !a.calls.empty();
  }
  if (!any)
    return;
  ScratchAllocators scratch = defineRunScratch(m, t);
  threadLocalPointer(m, t, kJumpGlobal);
  for (Allocator &a : allocators) {
    if (a.calls.empty())
      continue;
    llvm::Function *allocator = a.sizeArg == 0 ? scratch.malloc : scratch.alignedAlloc;
    auto *wrapper = llvm::Function::Create(allocator->getFunctionType(),
                                           llvm::GlobalValue::InternalLinkage, a.wrapper, m);
    for (llvm::CallInst *call : a.calls)
      call->setCalledFunction(wrapper);
    defineWrapper(m, t, wrapper, allocator, a.sizeArg, jumpGlobal(m));
  }
}

bool hasOutOfMemoryJump(llvm::Module &m) { return jumpGlobal(m) != nullptr; }

void emitArmOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t,
                            llvm::BasicBlock *jumpedBack) {
  llvm::GlobalVariable *jump = jumpGlobal(m);
  if (!jump)
    return;
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  llvm::IRBuilder<> top(&fn->getEntryBlock(), fn->getEntryBlock().begin());
  llvm::AllocaInst *buffer =
      top.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), kJumpBufferBytes));
  buffer->setAlignment(llvm::Align(16));
  auto *setjmpType = llvm::FunctionType::get(t.i32, {t.ptr}, false);
  llvm::FunctionCallee setjmp = m.getOrInsertFunction("_setjmp", setjmpType);
  llvm::cast<llvm::Function>(setjmp.getCallee())->addFnAttr(llvm::Attribute::ReturnsTwice);
  llvm::CallInst *first = b.CreateCall(setjmp, {buffer});
  first->addFnAttr(llvm::Attribute::ReturnsTwice);
  auto *run = llvm::BasicBlock::Create(ctx, "armed", fn);
  auto *back = llvm::BasicBlock::Create(ctx, "jumped_back", fn);
  b.CreateCondBr(b.CreateICmpEQ(first, llvm::ConstantInt::get(t.i32, 0)), run, back);
  b.SetInsertPoint(back);
  b.CreateStore(llvm::ConstantPointerNull::get(t.ptr), jump);
  b.CreateBr(jumpedBack);
  b.SetInsertPoint(run);
  b.CreateStore(buffer, jump);
}

void emitDisarmOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t) {
  if (llvm::GlobalVariable *jump = jumpGlobal(m))
    b.CreateStore(llvm::ConstantPointerNull::get(t.ptr), jump);
}

llvm::Value *emitSuspendOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &m,
                                        const AbiTypes &t) {
  llvm::GlobalVariable *jump = jumpGlobal(m);
  if (!jump)
    return nullptr;
  llvm::Value *saved = b.CreateLoad(t.ptr, jump);
  b.CreateStore(llvm::ConstantPointerNull::get(t.ptr), jump);
  return saved;
}

void emitRestoreOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &,
                                llvm::Value *saved) {
  if (llvm::GlobalVariable *jump = jumpGlobal(m); jump && saved)
    b.CreateStore(saved, jump);
}

} // namespace smelt
