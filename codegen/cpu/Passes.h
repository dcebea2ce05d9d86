//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//
#ifndef SMELT_CODEGEN_CPU_PASSES_H
#define SMELT_CODEGEN_CPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Pass/Pass.h"

namespace smelt {

#define GEN_PASS_DECL
#include "codegen/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cpu/Passes.h.inc"

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_PASSES_H
