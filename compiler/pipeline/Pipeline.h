//===- Pipeline.h - the order of Smelt's compilation stages -----*- C++ -*-===//
//
// The only place that knows stage order:
//   onnx (imported) -> onnx (optimized) -> linalg on tensors -> LLVM dialect
// Each stage is a build function, also registered as a named pipeline for
// smelt-opt (smelt-onnx-pipeline, smelt-linalg-pipeline, smelt-cpu-pipeline).
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_PIPELINE_PIPELINE_H
#define SMELT_COMPILER_PIPELINE_PIPELINE_H

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/gpu/GpuPipeline.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

namespace smelt {

/// The stages a module passes through, in order.
enum class Stage { Onnx, Linalg, Llvm };

/// smelt-onnx-pipeline: canonicalize, infer shapes, fold constants, CSE.
void buildOnnxPipeline(mlir::OpPassManager &pm);
/// smelt-linalg-pipeline: convert-onnx-to-linalg, then fuse elementwise ops.
void buildLinalgPipeline(mlir::OpPassManager &pm);

/// Runs the stages from `first` to `last` (inclusive) on `module`;
/// `cpu` configures the CPU backend (calling convention, index width); with
/// `gpu`, the last stage is the GPU backend instead. The
/// model's signature is final after the onnx stage. The IR is printed to
/// stderr after each pass whose argument (smelt-cpu-tile-and-vectorize...)
/// is in `printIrAfter`, weights elided: a debugging aid.
mlir::LogicalResult runPipeline(mlir::ModuleOp module, Stage first, Stage last,
                                const CpuPipelineOptions &cpu = {},
                                llvm::ArrayRef<std::string> printIrAfter = {},
                                const GpuPipelineOptions *gpu = nullptr);

void registerSmeltPipelines();

} // namespace smelt

#endif // SMELT_COMPILER_PIPELINE_PIPELINE_H
