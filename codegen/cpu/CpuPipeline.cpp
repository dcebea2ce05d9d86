//===- CpuPipeline.cpp - lower linalg-on-tensors to the LLVM dialect ------===//
#include "codegen/cpu/CpuPipeline.h"

#include "mlir/Pass/PassRegistry.h"

namespace smelt {

mlir::LogicalResult buildCpuCodegenPipeline(mlir::OpPassManager &pm, bool barePointers) {
  // Stage order, one step per line: bufferize, plan buffers, loops, LLVM, check.
  // Steps that only apply to one calling convention are marked with a prefix.
  static const char *const kStages[] = {
      "eliminate-empty-tensors",
      "one-shot-bufferize{bufferize-function-boundaries allow-return-allocs-from-loops "
      "function-boundary-type-conversion=identity-layout-map}",
      "bare:buffer-results-to-out-params{hoist-static-allocs modify-public-functions}",
      "canonicalize",
      "buffer-deallocation-pipeline",
      "convert-bufferization-to-memref",
      "func.func(smelt-cpu-lower-copies, convert-linalg-to-loops)",
      "smelt-cpu-flatten-empty-args",
      "expand-strided-metadata",
      "lower-affine",
      "convert-scf-to-cf",
      "convert-math-to-llvm",
      "convert-math-to-libm",
      "convert-arith-to-llvm",
      "convert-index-to-llvm",
      "finalize-memref-to-llvm",
      "bare:smelt-cpu-bare-pointer-entry",
      "convert-func-to-llvm",
      "smelt-cpu-lower-checks",
      "convert-cf-to-llvm",
      "reconcile-unrealized-casts",
      "canonicalize",
      "smelt-cpu-check-llvm",
  };
  for (llvm::StringRef stage : kStages) {
    if (stage.consume_front("bare:") && !barePointers)
      continue;
    if (stage.consume_front("descriptor:") && barePointers)
      continue;
    if (mlir::failed(mlir::parsePassPipeline(stage, pm)))
      return mlir::failure();
  }
  return mlir::success();
}

} // namespace smelt
