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

/// smelt-cpu-pipeline: linalg on tensors -> LLVM dialect. With
/// `barePointers` (all shapes static) results become out-parameters and the
/// model function takes one pointer per input and output; otherwise it takes
/// and returns memref descriptors, whose sizes carry the dynamic dims.
mlir::LogicalResult buildCpuCodegenPipeline(mlir::OpPassManager &pm, bool barePointers = true);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_CPUPIPELINE_H
