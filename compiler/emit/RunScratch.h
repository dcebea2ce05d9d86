//===- RunScratch.h - a run's own buffers in its workspace's spare bytes -*- C++ -*-===//
//
// A model with dynamic dims still allocates the buffers whose sizes depend
// on data it computes (what NonZero or NonMaxSuppression keep: SSDLite's
// detection tail takes some 800 a run) and the buffers of the outputs it
// returns. Taking each from malloc anew costs page faults every run where
// they are large (glibc maps and unmaps big blocks), so while a call runs,
// the allocations of its thread go to a stack in the workspace's bytes past
// the planned part and the run-time block (RunTimeArena.h). Each block is a
// 16-byte header and a payload aligned to 64 bytes (or more if asked) on
// top of the stack; a freed block is marked, and marked blocks are popped
// off the top, so that buffers freed in any order are reclaimed as those
// above them go. A block that does not fit comes from aligned_alloc, with
// the same header, and counts as live bytes. The call reports the most the
// stack and those live bytes reached as workspace it needed past the rest,
// so a caller that keeps its workspace (the runtime) makes it that large and
// later runs on the same data allocate nothing. Pool threads have no stack:
// the buffers of a parallel loop's body, allocated and freed on one thread,
// come from malloc there as before.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_RUNSCRATCH_H
#define SMELT_COMPILER_EMIT_RUNSCRATCH_H

#include "compiler/emit/AbiTypes.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

namespace smelt {

/// Defines the module's scratch allocator: `__smelt_scratch_malloc(size)`,
/// `__smelt_scratch_aligned_alloc(align, size)` and `__smelt_scratch_free(p)`,
/// which use the running call's stack on its thread and malloc,
/// aligned_alloc and free elsewhere; and routes the module's calls of free
/// to `__smelt_scratch_free`. Returns the allocation functions, for the
/// out-of-memory wrappers to call.
struct ScratchAllocators {
  llvm::Function *malloc, *alignedAlloc;
};
ScratchAllocators defineRunScratch(llvm::Module &module, const AbiTypes &t);

/// Whether defineRunScratch defined the allocator.
bool hasRunScratch(llvm::Module &module);

/// The function that frees what the model's code allocated:
/// `__smelt_scratch_free`, or free when the module has no scratch allocator.
llvm::FunctionCallee scratchFreeFunction(llvm::Module &module, const AbiTypes &t);

/// In an entry point, before the model runs: gives this thread's stack the
/// bytes of `workspace` (null when none) from `*used` (the planned bytes and
/// the run-time block, read when the first buffer is placed) to
/// `workspaceSize`. Returns the stack's state, or null when the module has
/// no scratch allocator.
llvm::Value *emitBeginRunScratch(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t,
                                 llvm::Value *workspace, llvm::Value *workspaceSize,
                                 llvm::Value *used);

/// Ends the stack's use on this thread (after the model's buffers are
/// freed, and on the way out after a failure), giving the thread back the
/// state of the call it was nested in, if any. Returns the most bytes the
/// stack and the live blocks past it took at once (0 when `state` is null).
llvm::Value *emitEndRunScratch(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t,
                               llvm::Value *state);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_RUNSCRATCH_H
