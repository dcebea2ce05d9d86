//===- Passes.h - Smelt's target-independent passes -------------*- C++ -*-===//
//
// Passes over the onnx dialect and the conversion out of it; see Passes.td for
// each pass's input and output invariants.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_PASSES_H
#define SMELT_PASSES_PASSES_H

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

#include <string>
#include <vector>

namespace smelt {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"


/// Refines the result types of every onnx op in `func` with libonnx's
/// inference functions (what onnx-infer-shapes runs); returns whether any type
/// changed, or failure after reporting a contradiction.
mlir::FailureOr<bool> refineOnnxShapes(mlir::func::FuncOp func);

/// Types the arguments of Loop and Scan bodies from the values the ops feed
/// them (and their results from what the bodies yield), then refines the
/// bodies' ops as refineOnnxShapes does, level by level of nesting.
mlir::LogicalResult refineControlFlowBodies(mlir::func::FuncOp func);

/// The sequence, optional and string operators onnx-to-plain-tensors lowers.
llvm::ArrayRef<const char *> opsLoweredToPlainTensors();

/// ONNX operator names (e.g. "Conv") that the code generator can lower:
/// convert-onnx-to-linalg's patterns and opsLoweredToPlainTensors().
std::vector<std::string> lowerableOnnxOps(mlir::MLIRContext *context);

} // namespace smelt

#endif // SMELT_PASSES_PASSES_H
