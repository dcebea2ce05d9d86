//===- ReductionAccumulators.h - row reductions in vector lanes -*- C++ -*-===//
//
// A row reduction vectorized a chunk at a time reduces each chunk to one
// number and adds it to the running total: a horizontal reduction per
// chunk, all on one dependency chain. Keeping a whole chunk of partial
// results instead (lane j sums elements j, j + chunk, ...) makes the loop
// plain vector arithmetic; the lanes are reduced once, after the loop. For
// sums this reassociates the additions, as every vectorized runtime does
// (ONNX Runtime's MLAS included); max and min are unchanged.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_REDUCTIONACCUMULATORS_H
#define SMELT_CODEGEN_CPU_REDUCTIONACCUMULATORS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace smelt {

/// In every scf.for, for each iter_arg (a scalar: f32, vector<1xf32>...;
/// or i32 for sums and products, exact in any order) that only feeds the
/// accumulator of one vector reduction of a 1-D chunk (add, mul, max, min)
/// whose result is yielded back, carries a chunk-wide vector of partial
/// results instead and reduces it into the scalar after the loop.
void accumulateReductionsInVectors(mlir::func::FuncOp func);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_REDUCTIONACCUMULATORS_H
