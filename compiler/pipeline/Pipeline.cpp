//===- Pipeline.cpp - the order of Smelt's compilation stages -------------===//
#include "compiler/pipeline/Pipeline.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/gpu/GpuPipeline.h"
#include "compiler/pipeline/Registration.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace smelt {

void buildOnnxPipeline(OpPassManager &pm) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCanonicalizerPass());
  // Folding iterates with shape refinement until nothing changes.
  func.addPass(createOnnxInferShapes());
  func.addPass(createOnnxFoldConstants());
  // Sequences with constant positions become plain tensors; their elements'
  // users then get new types, so fold (and refine) once more.
  func.addPass(createOnnxResolveSequences());
  func.addPass(createOnnxFoldConstants());
  // The sequences and optionals left depend on run time: they become tensors.
  func.addPass(createOnnxToPlainTensors());
  func.addPass(createOnnxFoldConstants());
  // QDQ groups of int8 models run as integer operators.
  func.addPass(createOnnxFuseQuantized());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
}

void buildLinalgPipeline(OpPassManager &pm) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createConvertOnnxToLinalg());
  func.addPass(createCanonicalizerPass());
  func.addPass(createSmeltChannelsLast());
  func.addPass(createSmeltFuseElementwise());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
}

LogicalResult runPipeline(ModuleOp module, Stage first, Stage last,
                          const CpuPipelineOptions &cpu, ArrayRef<std::string> printIrAfter,
                          const GpuPipelineOptions *gpu) {
  registerAllPasses();
  PassManager pm(module->getContext());
  if (!printIrAfter.empty()) {
    OpPrintingFlags flags;
    flags.elideLargeElementsAttrs().elideLargeResourceString();
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
        /*shouldPrintAfterPass=*/
        [printIrAfter](Pass *pass, Operation *) {
          return llvm::is_contained(printIrAfter, pass->getArgument().str());
        },
        /*printModuleScope=*/false, /*printAfterOnlyOnChange=*/false,
        /*printAfterOnlyOnFailure=*/false, llvm::errs(), flags);
  }
  auto runs = [&](Stage stage) { return first <= stage && stage <= last; };
  if (runs(Stage::Onnx))
    buildOnnxPipeline(pm);
  if (runs(Stage::Linalg))
    buildLinalgPipeline(pm);
  if (runs(Stage::Llvm) && gpu)
    buildGpuCodegenPipeline(pm, *gpu);
  else if (runs(Stage::Llvm))
    buildCpuCodegenPipeline(pm, cpu);
  return pm.run(module);
}

void registerSmeltPipelines() {
  PassPipelineRegistration<>("smelt-onnx-pipeline", "Optimize the onnx dialect",
                             buildOnnxPipeline);
  PassPipelineRegistration<>("smelt-linalg-pipeline", "Lower onnx to linalg on tensors",
                             buildLinalgPipeline);
  PassPipelineRegistration<>("smelt-cpu-pipeline", "Lower linalg on tensors to the LLVM dialect",
                             [](OpPassManager &pm) { buildCpuCodegenPipeline(pm); });
  PassPipelineRegistration<>("smelt-gpu-pipeline",
                             "Lower linalg on tensors to kernel launches and PTX (sm_80)",
                             [](OpPassManager &pm) { buildGpuCodegenPipeline(pm); });
}

} // namespace smelt
