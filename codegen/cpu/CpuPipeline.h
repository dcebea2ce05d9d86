//===- CpuPipeline.h - lower linalg-on-tensors to the LLVM dialect -*- C++ -*-===//
//
// The CPU backend's MLIR half: bufferization (results become out-parameters,
// intermediates are freed), loops, and conversion of every dialect to LLVM
// with the bare-pointer calling convention, so the model function takes one
// plain pointer per input and output.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_CPUPIPELINE_H
#define SMELT_CODEGEN_CPU_CPUPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace smelt {

/// smelt-cpu-pipeline: linalg on tensors -> LLVM dialect.
mlir::LogicalResult buildCpuCodegenPipeline(mlir::OpPassManager &pm);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_CPUPIPELINE_H
