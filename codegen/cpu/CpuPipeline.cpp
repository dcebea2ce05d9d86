//===- CpuPipeline.cpp - lower linalg-on-tensors to the LLVM dialect ------===//
#include "codegen/cpu/CpuPipeline.h"

#include "codegen/cpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace smelt {

namespace {

/// Adds a conversion to LLVM whose options carry the index width.
template <typename Options>
void addWithIndexBits(OpPassManager &pm, unsigned bits,
                      std::unique_ptr<Pass> (*create)(Options)) {
  Options options;
  options.indexBitwidth = bits;
  pm.addPass(create(options));
}

} // namespace

void addWholeFunctionBufferization(OpPassManager &pm, bool resultsAsOutParams) {
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (!resultsAsOutParams)
    return;
  // A distinct buffer per result first: upstream's out-parameter rewrite
  // needs it (it crashes on some returned views).
  pm.addNestedPass<func::FuncOp>(createSmeltCpuResultBuffers());
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

void buildCpuCodegenPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  // Convolutions the kernel strategy runs as matrix products.
  pm.addNestedPass<func::FuncOp>(createSmeltCpuConvToMatmul());
  // Matrix products on packed panels; weights packed here, once.
  pm.addNestedPass<func::FuncOp>(createSmeltCpuDataTiling());
  // One init per product, so that none is copied to keep a shared one.
  pm.addNestedPass<func::FuncOp>(createSmeltCpuCloneSharedInits());
  // Padded values computed straight into their padded buffers.
  pm.addNestedPass<func::FuncOp>(createSmeltCpuPadInPlace());
  // Bufferize: whole functions, results as out-parameters for bare pointers.
  addWholeFunctionBufferization(pm, /*resultsAsOutParams=*/options.barePointers);
  if (options.barePointers) {
    // Results are computed straight into the caller's buffers.
    pm.addNestedPass<func::FuncOp>(createSmeltCpuOutputInPlace());
  }
  // Equal views merge, and a copy of a view onto itself (a value computed
  // in place, see smelt-cpu-pad-in-place) folds away.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Intermediates of static sizes at planned offsets of one arena, the
  // caller's workspace.
  pm.addPass(createSmeltCpuPlanMemory());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Kernels: vector code for the ops with a strategy, loops for the rest.
  OpPassManager &kernels = pm.nest<func::FuncOp>();
  kernels.addPass(createSmeltCpuLowerCopies());
  kernels.addPass(createSmeltCpuByteKernels());
  kernels.addPass(createSmeltCpuFillPadBorders());
  kernels.addPass(createSmeltCpuDirectConv());
  kernels.addPass(createSmeltCpuMarkTileFusion());
  kernels.addPass(createSmeltCpuCollapseContiguousLoops());
  kernels.addPass(createSmeltCpuTileAndVectorize());
  kernels.addPass(createSmeltCpuParallelTiles());
  // Weights streamed from memory arrive a block ahead of their kernels.
  kernels.addPass(createSmeltCpuPrefetchWeights());
  // Outer tiles of the kernels go to the runtime's threads.
  pm.addPass(createSmeltCpuOutlineParallelLoops());
  // Many small functions, not one huge one, for LLVM's sake.
  pm.addPass(createSmeltCpuOutlineKernels());
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createSmeltCpuInnermostContiguous());
  func.addPass(createSmeltCpuApproximateMath());
  func.addPass(createConvertLinalgToLoopsPass());
  func.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSmeltCpuFlattenEmptyArgs());
  // Weights as one LLVM constant each, not one per innermost row.
  pm.addPass(createSmeltCpuFlattenGlobals());

  addLlvmLowering(pm, options);
}

void addLlvmLowering(OpPassManager &pm, const CpuPipelineOptions &options) {
  // Everything to the LLVM dialect, with the target's index width.
  unsigned bits = options.indexBits;
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  if (bits == 64) {
    ConvertVectorToLLVMPassOptions vector;
    vector.vectorContractLowering = vector::VectorContractLowering::OuterProduct;
    pm.addPass(createConvertVectorToLLVMPass(vector));
  } else {
    // MLIR's pass converts with 64-bit indices whatever the target.
    pm.addPass(createSmeltCpuVectorToLlvm());
  }
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  addWithIndexBits<ArithToLLVMConversionPassOptions>(pm, bits, createArithToLLVMConversionPass);
  addWithIndexBits<ConvertIndexToLLVMPassOptions>(pm, bits, createConvertIndexToLLVMPass);
  addWithIndexBits<FinalizeMemRefToLLVMConversionPassOptions>(
      pm, bits, createFinalizeMemRefToLLVMConversionPass);
  if (options.barePointers)
    pm.addPass(createSmeltCpuBarePointerEntry());
  addWithIndexBits<ConvertFuncToLLVMPassOptions>(pm, bits, createConvertFuncToLLVMPass);
  pm.addPass(createSmeltCpuLowerChecks());
  addWithIndexBits<ConvertControlFlowToLLVMPassOptions>(pm, bits,
                                                        createConvertControlFlowToLLVMPass);
  addWithIndexBits<UBToLLVMConversionPassOptions>(pm, bits, createUBToLLVMConversionPass);
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSmeltCpuCheckLlvm());
}

} // namespace smelt
