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

void buildCpuCodegenPipeline(OpPassManager &pm, const CpuPipelineOptions &options) {
  // Convolutions the kernel strategy runs as matrix products.
  pm.addNestedPass<func::FuncOp>(createSmeltCpuConvToMatmul());
  // Bufferize: whole functions, results as out-parameters for bare pointers.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (options.barePointers) {
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // Kernels: vector code for the ops with a strategy, loops for the rest.
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createSmeltCpuTileAndVectorize());
  func.addPass(createSmeltCpuInnermostContiguous());
  func.addPass(createSmeltCpuLowerCopies());
  func.addPass(createConvertLinalgToLoopsPass());
  func.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSmeltCpuFlattenEmptyArgs());

  // Everything to the LLVM dialect.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  ConvertVectorToLLVMPassOptions vector;
  vector.vectorContractLowering = vector::VectorContractLowering::OuterProduct;
  pm.addPass(createConvertVectorToLLVMPass(vector));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  ArithToLLVMConversionPassOptions arith;
  arith.indexBitwidth = options.indexBits;
  pm.addPass(createArithToLLVMConversionPass(arith));
  ConvertIndexToLLVMPassOptions index;
  index.indexBitwidth = options.indexBits;
  pm.addPass(createConvertIndexToLLVMPass(index));
  FinalizeMemRefToLLVMConversionPassOptions memrefs;
  memrefs.indexBitwidth = options.indexBits;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefs));
  if (options.barePointers)
    pm.addPass(createSmeltCpuBarePointerEntry());
  ConvertFuncToLLVMPassOptions funcs;
  funcs.indexBitwidth = options.indexBits;
  pm.addPass(createConvertFuncToLLVMPass(funcs));
  pm.addPass(createSmeltCpuLowerChecks());
  ConvertControlFlowToLLVMPassOptions cf;
  cf.indexBitwidth = options.indexBits;
  pm.addPass(createConvertControlFlowToLLVMPass(cf));
  UBToLLVMConversionPassOptions ub;
  ub.indexBitwidth = options.indexBits;
  pm.addPass(createUBToLLVMConversionPass(ub));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSmeltCpuCheckLlvm());
}

} // namespace smelt
