//===- OutOfMemory.h - a failed allocation ends the call, not the process -*- C++ -*-===//
//
// A model with dynamic dims takes the buffers whose sizes it learns at run
// time from an allocator (RunScratch.h: the workspace's spare bytes, else
// malloc); the code that fills them has no way to stop halfway. So
// the entry point arms a jump (setjmp) before it runs the model, and every
// allocation of the model's code goes through a wrapper that jumps back
// there when malloc returns NULL: the entry point then returns
// SMELT_ENTRY_OUT_OF_MEMORY. Buffers the run took before are not returned
// (the code that would free them never runs): a process that goes on after
// running out of memory keeps that much less. Inside a parallel loop the
// jump is disarmed (the pool's threads would be left mid-loop), and a pool
// thread never has it armed; there a failed allocation is not caught.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_OUTOFMEMORY_H
#define SMELT_COMPILER_EMIT_OUTOFMEMORY_H

#include "compiler/emit/AbiTypes.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

namespace smelt {

/// Routes the module's calls of malloc and aligned_alloc through wrappers
/// that take the buffer from the scratch allocator (RunScratch.h, which
/// this defines, routing free too) and jump to the armed entry point on
/// failure. No-op when it calls neither.
void routeBufferAllocation(llvm::Module &module, const AbiTypes &t);

/// Whether routeBufferAllocation found allocations to route.
bool hasOutOfMemoryJump(llvm::Module &module);

/// In an entry point, before the model runs: arms the jump and branches to
/// `jumpedBack` (with the jump disarmed) when an allocation failed, else
/// continues in the builder's block. The caller emits jumpedBack's code.
void emitArmOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t,
                            llvm::BasicBlock *jumpedBack);

/// Disarms the jump (after the model ran, and on the way out).
void emitDisarmOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t);

/// Around a hand-over to the thread pool: disarms the jump and returns what
/// was armed (nullptr when the module has no jump), which
/// emitRestoreOutOfMemoryJump puts back.
llvm::Value *emitSuspendOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &module,
                                        const AbiTypes &t);
void emitRestoreOutOfMemoryJump(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t,
                                llvm::Value *saved);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_OUTOFMEMORY_H
