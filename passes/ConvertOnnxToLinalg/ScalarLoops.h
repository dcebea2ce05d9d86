//===- ScalarLoops.h - builders of scalar scf loops on tensors -*- C++ -*-===//
//
// Data-dependent operators (NonZero, NonMaxSuppression, Unique, Det, ...) are
// sequential algorithms, written as scf loops that carry tensors and read or
// write one element at a time. These builders keep those lowerings short:
// comparisons and selects in one call, loops whose bodies are lambdas
// returning the values to yield. Index constants and casts to index are
// LoweringUtils' indexConstant and toIndex.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_CONVERTONNXTOLINALG_SCALARLOOPS_H
#define SMELT_PASSES_CONVERTONNXTOLINALG_SCALARLOOPS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace smelt::scalar_loops {

using BodyFn = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::Value, mlir::ValueRange)>;
using BranchFn =
    llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::OpBuilder &, mlir::Location)>;
/// The condition of a while loop, from the values it carries.
using ConditionFn =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;
/// The next values of a while loop, from the values it carries.
using StepFn = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

mlir::Value toI64(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);
mlir::Value cmpI(mlir::OpBuilder &b, mlir::Location loc, mlir::arith::CmpIPredicate p,
                 mlir::Value x, mlir::Value y);
mlir::Value cmpF(mlir::OpBuilder &b, mlir::Location loc, mlir::arith::CmpFPredicate p,
                 mlir::Value x, mlir::Value y);
mlir::Value select(mlir::OpBuilder &b, mlir::Location loc, mlir::Value c, mlir::Value x,
                   mlir::Value y);
mlir::Value addI(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value subI(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value mulI(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value andI(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value notI1(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

/// scf.for from lb to ub (index values) with step 1.
mlir::ValueRange forLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lb, mlir::Value ub,
                         mlir::ValueRange inits, BodyFn body);

/// scf.while carrying `inits`: runs `step` while `cond` holds; the results are
/// the carried values when `cond` first fails.
mlir::ValueRange whileLoop(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inits,
                           ConditionFn cond, StepFn step);

/// scf.if yielding values of `types` from both branches.
mlir::ValueRange ifElse(mlir::OpBuilder &b, mlir::Location loc, mlir::Value cond,
                        mlir::TypeRange types, BranchFn thenFn, BranchFn elseFn);

/// Whether heap entry `a` belongs nearer the root than entry `b` (a strict
/// order on the values the heap holds).
using HeapOrderFn =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value, mlir::Value)>;

/// A binary heap in the first `size` slots of a 1-D tensor `heap` (of at
/// least one slot): sinks the entry at `start` until neither child belongs
/// nearer the root. Returns the new heap.
mlir::Value heapSiftDown(mlir::OpBuilder &b, mlir::Location loc, mlir::Value heap,
                         mlir::Value size, mlir::Value start, HeapOrderFn nearerRoot);

/// Makes the first `size` slots of `heap` a binary heap (sifting down from
/// the last parent). Returns the new heap.
mlir::Value heapify(mlir::OpBuilder &b, mlir::Location loc, mlir::Value heap, mlir::Value size,
                    HeapOrderFn nearerRoot);

/// The sort key of float `x`: an integer of x's width whose unsigned order is
/// x's numeric order, -0 and +0 alike (for radixSort). A NaN gets a key past
/// the infinities of its sign: replace NaNs first where that matters.
mlir::Value orderedKey(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

/// Sorts slots [0, size) of the 1-D tensor `values` stably by the unsigned
/// integer keys in slots [0, size) of the 1-D tensor `keys` (of 8 to 64 bits),
/// ascending: an LSD radix sort, a byte per pass, O(size) per pass where a
/// comparison sort takes O(size log size) with a mispredicted branch per
/// step. Slots [valuesSpare, valuesSpare + size) and [keysSpare, keysSpare +
/// size) hold the entries between passes, and must not overlap [0, size).
/// `counts` (of at least radixPasses(key type) * kRadixBuckets indices, any
/// contents) is scratch; the caller makes it once, outside its loops, since
/// an allocation inside a loop keeps the loop off a GPU. Returns (values,
/// keys, counts), sorted in slots [0, size).
constexpr int64_t kRadixBuckets = 256;
int64_t radixPasses(mlir::Type keyType);
llvm::SmallVector<mlir::Value> radixSort(mlir::OpBuilder &b, mlir::Location loc,
                                         mlir::Value values, mlir::Value keys,
                                         mlir::Value counts, mlir::Value size,
                                         mlir::Value valuesSpare, mlir::Value keysSpare);
/// Whether position `p` (an index) is in the upper part of a partition.
using PartitionFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::Value)>;
/// The first p in [0, n) where `upper` holds, or n; `upper` must be false and
/// then true along [0, n) (binary search, like std::partition_point).
mlir::Value partitionPoint(mlir::OpBuilder &b, mlir::Location loc, mlir::Value n,
                           PartitionFn upper);
/// Row-major coordinates of `linear` in a shape of `sizes`.
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &b, mlir::Location loc,
                                           mlir::Value linear, llvm::ArrayRef<mlir::Value> sizes);

/// The first element of a scalar-like (0-d or one-element) tensor.
mlir::Value readScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

} // namespace smelt::scalar_loops

#endif // SMELT_PASSES_CONVERTONNXTOLINALG_SCALARLOOPS_H
