//===- ParallelFor.h - the model's side of smelt_call.parallel_for -*- C++ -*-===//
//
// smelt-cpu-outline-parallel-loops leaves calls to a declared
// __smelt_parallel_for(i64 count, ptr body, ptr ctx). This defines it: when
// the running entry point received a parallel_for callback (stored in two
// thread-local globals for the length of the call) it hands body over
// [0, count) to it; otherwise, and on the pool's own threads, it calls
// body(ctx, 0, count) itself.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_PARALLELFOR_H
#define SMELT_COMPILER_EMIT_PARALLELFOR_H

#include "compiler/emit/AbiTypes.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

namespace smelt {

/// Defines __smelt_parallel_for if the module declares it.
void defineParallelFor(llvm::Module &module, const AbiTypes &t);

/// In an entry point: makes the call's parallel_for and parallel_ctx the
/// ones __smelt_parallel_for uses on this thread. No-op for modules without
/// parallel loops.
void emitSetParallelFor(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t,
                        llvm::Value *call);
/// Forgets them again, before the entry point returns.
void emitClearParallelFor(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_PARALLELFOR_H
