//===- UncompilableBranches.h - If branches these shapes never take -*- C++ -*-===//
//
// Exporters guard shape-specific code with run-time Ifs: Silero VAD v5 picks
// its 16 kHz or 8 kHz network on a sample-rate input, and the 8 kHz one only
// type-checks for 256-sample chunks. Compiled for 512-sample chunks, that
// branch holds values whose rank depends on run time (an inner If whose
// branches yield different ranks), which no code can be generated for. Such a
// branch becomes a run-time failure naming the op, so the rest of the model
// compiles and the branch that can run, runs.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_CONVERTONNXTOLINALG_UNCOMPILABLEBRANCHES_H
#define SMELT_PASSES_CONVERTONNXTOLINALG_UNCOMPILABLEBRANCHES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace smelt {

/// Why the code generator cannot take `op`'s operand or result types (an
/// unranked tensor, or dynamic dims where its lowering needs static ones
/// unless `dynamicOk`), or "" when it can.
std::string typeObstacle(mlir::Operation *op, bool dynamicOk);

/// Replaces every branch of a run-time onnx.If that holds an op with a type
/// obstacle (`dynamicOk` tells which ops take dynamic dims) by a failed
/// run-time check naming the op, which yields zeros (empty where a dim is
/// dynamic), and warns at compile time. The branch replaced is the innermost
/// one whose If has ranked results. Nothing is replaced when both branches
/// of one If would be (no input could run it): ops outside every replaced
/// branch are left for the caller to report.
void failUncompilableBranches(mlir::func::FuncOp func,
                              llvm::function_ref<bool(mlir::Operation *)> dynamicOk);

} // namespace smelt

#endif // SMELT_PASSES_CONVERTONNXTOLINALG_UNCOMPILABLEBRANCHES_H
