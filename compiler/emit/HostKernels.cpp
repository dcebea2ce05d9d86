//===- HostKernels.cpp - a GPU model's kernels run on the CPU -------------===//
#include "compiler/emit/HostKernels.h"

#include "codegen/gpu/DeviceSymbols.h"

#include "llvm/IR/IRBuilder.h"

namespace smelt {

namespace {

void emitLauncher(llvm::Module &m, llvm::Function &kernel) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::PointerType *ptr = llvm::PointerType::get(ctx, 0);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr, ptr}, false);
  auto *launcher = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                          kHostKernelPrefix + kernel.getName(), m);
  llvm::Value *grid = launcher->getArg(0), *block = launcher->getArg(1),
              *params = launcher->getArg(2);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", launcher);
  auto *loop = llvm::BasicBlock::Create(ctx, "thread", launcher);
  auto *done = llvm::BasicBlock::Create(ctx, "done", launcher);
  llvm::IRBuilder<> b(entry);

  unsigned own = kernel.arg_size() - kKernelIdArguments;
  std::vector<llvm::Value *> args;
  for (unsigned i = 0; i < own; ++i) {
    llvm::Value *slot = b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, params, i));
    args.push_back(b.CreateLoad(kernel.getArg(i)->getType(), slot));
  }
  auto dims = [&](llvm::Value *array) {
    std::vector<llvm::Value *> d;
    for (unsigned i = 0; i < 3; ++i)
      d.push_back(b.CreateZExt(b.CreateLoad(i32, b.CreateConstGEP1_64(i32, array, i)), i64));
    return d;
  };
  std::vector<llvm::Value *> blockDims = dims(block), gridDims = dims(grid);
  llvm::Value *total = b.getInt64(1);
  for (llvm::Value *d : blockDims)
    total = b.CreateMul(total, d);
  for (llvm::Value *d : gridDims)
    total = b.CreateMul(total, d);
  b.CreateCondBr(b.CreateICmpEQ(total, b.getInt64(0)), done, loop);

  // One linear index over every thread of every block: threads innermost,
  // x fastest, as a GPU numbers them.
  b.SetInsertPoint(loop);
  llvm::PHINode *linear = b.CreatePHI(i64, 2);
  linear->addIncoming(b.getInt64(0), entry);
  llvm::Value *rest = linear;
  std::vector<llvm::Value *> threadIds, blockIds;
  for (llvm::Value *d : blockDims) {
    threadIds.push_back(b.CreateURem(rest, d));
    rest = b.CreateUDiv(rest, d);
  }
  for (llvm::Value *d : gridDims) {
    blockIds.push_back(b.CreateURem(rest, d));
    rest = b.CreateUDiv(rest, d);
  }
  std::vector<llvm::Value *> call = args;
  for (const auto *group : {&blockIds, &threadIds, &blockDims, &gridDims})
    call.insert(call.end(), group->begin(), group->end());
  b.CreateCall(&kernel, call);
  llvm::Value *next = b.CreateAdd(linear, b.getInt64(1));
  linear->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpULT(next, total), loop, done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
}

} // namespace

void emitHostKernelLaunchers(llvm::Module &m) {
  std::vector<llvm::Function *> kernels;
  for (llvm::Function &f : m.functions())
    if (!f.isDeclaration() && f.hasExternalLinkage() && f.arg_size() >= kKernelIdArguments)
      kernels.push_back(&f);
  for (llvm::Function *kernel : kernels) {
    emitLauncher(m, *kernel);
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
}

} // namespace smelt
