//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//
#ifndef SMELT_CODEGEN_CPU_PASSES_H
#define SMELT_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace smelt {

/// Marks an scf.for whose iterations are independent, so that
/// smelt-cpu-outline-parallel-loops may hand them to the runtime's threads.
inline constexpr llvm::StringLiteral kParallelLoopAttr = "smelt.parallel";

#define GEN_PASS_DECL
#include "codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cpu/Passes.h.inc"

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_PASSES_H
