//===- RunTimeArena.h - buffers of run-time size in one allocation -*- C++ -*-===//
//
// A model with dynamic dims learns most of its buffer sizes from its input
// dims. Where a buffer's size can be computed from the function's arguments
// alone, smelt-cpu-plan-memory leaves its placement to code at the
// function's entry: that code computes every such size and places the
// buffers in one block (first fit among the buffers whose live ranges meet,
// in program order); each alloc becomes a view of it. The block sits in the
// caller's workspace, past the bytes planned at compile time, when the
// workspace is large enough; otherwise the run allocates it, once. Either
// way the function reports the workspace the run needed, so that a caller
// who keeps one (the runtime) makes it that large and later runs of the same
// dims allocate nothing. Buffers whose sizes depend on data the model
// computes (NonZero, a Tile's repeats) stay separate allocations.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_RUNTIMEARENA_H
#define SMELT_CODEGEN_CPU_RUNTIMEARENA_H

#include "codegen/cpu/BufferLiveness.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace smelt {

/// An allocation of run-time size and its live range.
struct RunTimeBuffer {
  mlir::memref::AllocOp alloc;
  LiveRange range;
};

/// Whether every size of `alloc` can be computed at the entry of `func`:
/// from the dims of its buffer arguments and its scalar arguments, through
/// scalar ops that are pure (no memory access, safe to run early: no
/// division that may trap).
bool sizesKnownAtEntry(mlir::memref::AllocOp alloc, mlir::func::FuncOp func);

/// Where the block may go: the workspace argument (a memref<?xi8> of the
/// caller's size), the bytes of it planned at compile time (a multiple of
/// the workspace alignment; the block goes past them), and a memref<1xi64>
/// argument that receives the planned bytes plus the block's.
struct RunTimeBlockPlace {
  mlir::Value workspace;
  uint64_t plannedBytes;
  mlir::Value needed;
};

/// Computes the buffers' sizes and places them at the entry of `func` (a
/// function of one block per region), puts the block in the workspace or
/// allocates it there, and replaces each alloc with a view of it. A size
/// whose byte count overflows (or passes 2^48) makes the allocation fail,
/// which the entry point reports as out of memory. Needs 64-bit indices.
void placeInRunTimeArena(mlir::func::FuncOp func, llvm::ArrayRef<RunTimeBuffer> buffers,
                         const mlir::DataLayout &layout, const RunTimeBlockPlace &place);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_RUNTIMEARENA_H
