//===- CpuPipeline.h - lower linalg-on-tensors to the LLVM dialect -*- C++ -*-===//
//
// The CPU backend's MLIR half: bufferization (results become out-parameters,
// intermediates are freed), vector kernels for the ops the kernel strategy
// covers, loops for the rest, and conversion of every dialect to LLVM with
// the bare-pointer calling convention, so the model function takes one plain
// pointer per input and output.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_CPUPIPELINE_H
#define SMELT_CODEGEN_CPU_CPUPIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace smelt {

struct CpuPipelineOptions {
  /// All shapes static: results become out-parameters and the model function
  /// takes one pointer per input and output. Otherwise it takes and returns
  /// memref descriptors, whose sizes carry the dynamic dims.
  bool barePointers = true;
  /// Width of `index` in the generated code (the target's pointer width).
  unsigned indexBits = 64;
};

/// smelt-cpu-pipeline: linalg on tensors -> LLVM dialect. Target-dependent
/// choices (tile sizes, vector widths) come from the module's
/// `smelt.cpu_target` attribute (CpuTarget.h).
void buildCpuCodegenPipeline(mlir::OpPassManager &pm, const CpuPipelineOptions &options = {});

/// Bufferization shared by the CPU and GPU backends: empty tensors
/// eliminated, whole functions bufferized with identity layouts at their
/// boundaries and, with `resultsAsOutParams`, results turned into
/// out-parameters the caller provides.
void addWholeFunctionBufferization(mlir::OpPassManager &pm, bool resultsAsOutParams);

/// Host code to the LLVM dialect, shared by the CPU and GPU backends: loops,
/// vectors, math, arithmetic, memrefs and functions (the model function
/// with bare pointers when `options.barePointers`), then the run-time
/// checks, and a check that nothing else is left.
void addLlvmLowering(mlir::OpPassManager &pm, const CpuPipelineOptions &options);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_CPUPIPELINE_H
