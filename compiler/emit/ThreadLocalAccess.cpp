//===- ThreadLocalAccess.cpp - reach thread-locals through a real call ----===//
#include "compiler/emit/ThreadLocalAccess.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/TargetParser/Triple.h"

namespace smelt {

void routeThreadLocalAccess(llvm::Module &m) {
  llvm::SmallVector<llvm::GlobalVariable *> threadLocals;
  for (llvm::GlobalVariable &g : m.globals())
    if (g.isThreadLocal())
      threadLocals.push_back(&g);
  // Bare metal (a triple without an OS, e.g. thumbv7em-none-eabihf) has no
  // threads and no TLS support: the model's per-thread state is plain data.
  if (llvm::Triple(m.getTargetTriple()).getOS() == llvm::Triple::UnknownOS) {
    for (llvm::GlobalVariable *g : threadLocals)
      g->setThreadLocal(false);
    return;
  }
  for (llvm::GlobalVariable *g : threadLocals) {
    auto *accessor = llvm::Function::Create(
        llvm::FunctionType::get(g->getType(), /*isVarArg=*/false),
        llvm::GlobalValue::InternalLinkage, g->getName() + ".address", m);
    accessor->addFnAttr(llvm::Attribute::NoInline);
    accessor->addFnAttr(llvm::Attribute::NoUnwind);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(m.getContext(), "entry", accessor));
    b.CreateRet(b.CreateThreadLocalAddress(g));

    llvm::SmallVector<llvm::Use *> uses;
    for (llvm::Use &use : g->uses())
      uses.push_back(&use);
    for (llvm::Use *use : uses) {
      auto *user = llvm::dyn_cast<llvm::Instruction>(use->getUser());
      if (!user || user->getFunction() == accessor)
        continue;
      llvm::IRBuilder<> at(user);
      llvm::CallInst *address = at.CreateCall(accessor);
      if (auto *intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(user);
          intrinsic && intrinsic->getIntrinsicID() == llvm::Intrinsic::threadlocal_address) {
        intrinsic->replaceAllUsesWith(address);
        intrinsic->eraseFromParent();
        continue;
      }
      use->set(address);
    }
  }
}

} // namespace smelt
