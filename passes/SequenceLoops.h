//===- SequenceLoops.h - sequence ops as Loops over elements ----*- C++ -*-===//
//
// Sequence ops that produce one element per step become onnx Loops whose
// carried sequences grow by SequenceInsert: SequenceMap (its body runs once
// per element) and SplitToSequence (one slice per step); ConcatFromSequence
// becomes a Loop that concatenates one element per step. What is left is
// plain sequence ops, which onnx-to-plain-tensors lowers.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_SEQUENCELOOPS_H
#define SMELT_PASSES_SEQUENCELOOPS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace smelt {

/// Rewrites every SequenceMap, SplitToSequence and ConcatFromSequence in `func`.
void rewriteSequencesAsLoops(mlir::func::FuncOp func);

} // namespace smelt

#endif // SMELT_PASSES_SEQUENCELOOPS_H
