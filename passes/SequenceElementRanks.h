//===- SequenceElementRanks.h - element ranks of sequences ------*- C++ -*-===//
//
// A sequence lowered to tensors needs the rank of its elements, which ONNX
// types often leave open (SequenceEmpty, graph inputs declared without a
// shape). This analysis joins the sequence and optional values that must hold
// elements of one rank (an insert's input and output, a loop's carried value
// in and out, an If's branches and results, ...) and takes the rank from the
// tensors that go in or come out. Declared element types count only where no
// op says otherwise: some exporters declare them wrongly.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_SEQUENCEELEMENTRANKS_H
#define SMELT_PASSES_SEQUENCEELEMENTRANKS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>

namespace smelt {

class SequenceElementRanks {
public:
  /// Analyzes every op of `func`; fails, with a diagnostic, when two ops
  /// imply different ranks for one sequence.
  mlir::LogicalResult analyze(mlir::func::FuncOp func);

  /// The element rank of a sequence value, the rank of an optional's tensor
  /// or of its sequence's elements; nullopt when nothing tells.
  std::optional<int64_t> rankOf(mlir::Value value);

private:
  mlir::Value find(mlir::Value value);
  void unite(mlir::Value a, mlir::Value b);
  void noteOp(mlir::Operation *op);

  llvm::DenseMap<mlir::Value, mlir::Value> parent_;
  struct Evidence {
    mlir::Value value;
    int64_t rank;
    mlir::Operation *op;
  };
  llvm::SmallVector<Evidence> evidence_;
  llvm::DenseMap<mlir::Value, int64_t> ranks_; ///< by class root, after analyze
};

/// Whether `type` is an onnx sequence or optional type.
bool isSequenceOrOptional(mlir::Type type);

/// The tensor type a sequence or optional (or an optional sequence) holds;
/// null when it holds no tensors.
mlir::TensorType innermostTensorType(mlir::Type type);

/// The rank declared by a sequence or optional type, if ranked.
std::optional<int64_t> declaredElementRank(mlir::Type type);

} // namespace smelt

#endif // SMELT_PASSES_SEQUENCEELEMENTRANKS_H
