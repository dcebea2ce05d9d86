//===- BufferLiveness.h - when a buffer of a function is in use -*- C++ -*-===//
//
// The memory plans (smelt-cpu-plan-memory) give two buffers the same bytes
// only when their live ranges do not meet. Ops are numbered in program order
// (pre-order, so an op with regions spans the numbers of the ops inside); a
// buffer lives from its alloc to the end of the last op that touches it or
// a view of it, taken in the innermost block that holds both (a buffer used
// inside a loop lives for the whole loop; buffers of the two branches of an
// scf.if never meet).
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_BUFFERLIVENESS_H
#define SMELT_CODEGEN_CPU_BUFFERLIVENESS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

namespace smelt {

/// Pre-order numbers of a function's ops: `first` is an op's own number,
/// `last` the highest number inside its regions (its own if it has none).
/// Meaningful only where every region is one block.
struct ProgramOrder {
  llvm::DenseMap<mlir::Operation *, unsigned> first, last;
  explicit ProgramOrder(mlir::func::FuncOp func);
};

/// An inclusive range of program-order numbers.
struct LiveRange {
  unsigned start = 0;                    ///< number of the alloc
  unsigned end = 0;                      ///< last number of the last op that touches it
  mlir::Operation *firstUser = nullptr;  ///< in the alloc's block: the first op that touches it

  bool meets(const LiveRange &other) const {
    return start <= other.end && other.start <= end;
  }
};

/// Every op that touches `root` directly, through views, or through the
/// result of an scf.if / scf.index_switch that yields it; failure when the
/// buffer escapes the reach of this analysis: returned, carried by a loop,
/// passed to a call, or fed to an op that may make an alias of it.
mlir::FailureOr<llvm::SmallVector<mlir::Operation *>> usersThroughViews(mlir::Value root);

/// The live range of the buffer `alloc` makes, touched by `users`. Fails
/// when a user is outside the function's body.
mlir::FailureOr<LiveRange> liveRange(mlir::Operation *alloc,
                                     llvm::ArrayRef<mlir::Operation *> users,
                                     const ProgramOrder &order);

/// Whether `op` is inside a loop whose iterations may run at the same time:
/// an alloc there needs one buffer per iteration, which one slot is not.
bool insideConcurrentLoop(mlir::Operation *op);

/// The buffer a value views, through any chain of view ops.
mlir::Value viewRoot(mlir::Value value);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_BUFFERLIVENESS_H
