//===- GpuPipeline.cpp - linalg on tensors to kernels in PTX --------------===//
#include "codegen/gpu/GpuPipeline.h"
#include "codegen/gpu/DeviceSymbols.h"
#include "codegen/gpu/Passes.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringExtras.h"

#include <cstdlib>
#include <cstring>

using namespace mlir;

namespace smelt {

bool isKnownGpuChip(llvm::StringRef chip) {
  unsigned version = 0;
  // sm_XY[a]: compute capability X.Y; Volta (sm_70) and newer.
  llvm::StringRef digits = chip;
  if (!digits.consume_front("sm_"))
    return false;
  digits.consume_back("a");
  return !digits.getAsInteger(10, version) && version >= 70 && version <= 121;
}

std::string cudaToolkitPath(const GpuPipelineOptions &options) {
  if (!options.cudaPath.empty())
    return options.cudaPath;
  for (const char *variable : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *value = std::getenv(variable); value && *value)
      return value;
  return "/usr/local/cuda";
}

void buildGpuCodegenPipeline(OpPassManager &pm, const GpuPipelineOptions &options) {
  // Buffers as on the CPU: whole functions, results as out-parameters;
  // intermediates of static sizes at planned offsets of the workspace
  // (device memory) once serial ops are loops.
  addWholeFunctionBufferization(pm, /*resultsAsOutParams=*/true);
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());

  // Loops, one kernel per outermost parallel loop.
  pm.addNestedPass<func::FuncOp>(createSmeltGpuSerialOpsAsLoops());
  // After it: the one-element buffers that carry its loops' scalar results
  // are planned too.
  pm.addPass(createSmeltCpuPlanMemory());
  OpPassManager &func = pm.nest<func::FuncOp>();
  // No canonicalization until the loops are launches: it would inline
  // loops of one iteration into host code.
  func.addPass(createConvertLinalgToParallelLoopsPass());
  SmeltGpuLaunchParallelLoopsOptions launch;
  launch.blockSize = options.blockSize;
  func.addPass(createSmeltGpuLaunchParallelLoops(launch));
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createSmeltGpuMergeKernelModules());
  pm.addPass(createSmeltGpuHostAccessAsCopies());
  pm.addPass(createSmeltGpuCheckHostCode());
  pm.addPass(createSmeltGpuDeviceMemory());
  if (options.kernelsOnHost) {
    pm.addPass(createSmeltGpuKernelsOnHost());
    // As the CPU's own kernels: no libm or compiler-rt call per element.
    pm.addNestedPass<func::FuncOp>(createSmeltCpuApproximateMath());
    CpuPipelineOptions host;
    host.barePointers = false;
    addLlvmLowering(pm, host);
    return;
  }

  // Kernels to NVVM, then PTX.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // Vector transfers (NonMaxSuppression reads rows with them) as loads.
  kernels.addPass(createConvertVectorToSCFPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa"; // PTX text
  // Math functions (expf...) are libdevice calls, linked from the toolkit.
  binary.toolkitPath = cudaToolkitPath(options);
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (!options.hostCode)
    return;

  // Host code: device work as calls of the smelt_device_api, the rest as
  // on the CPU.
  pm.addPass(createSmeltGpuDeviceCallsToLlvm());
  CpuPipelineOptions host;
  host.barePointers = true;
  addLlvmLowering(pm, host);
}

FailureOr<std::string> kernelPtx(ModuleOp module) {
  std::string ptx;
  if (auto image = module->getAttrOfType<StringAttr>(kDeviceImageAttr))
    ptx = image.str();
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjects())
      if (auto object = dyn_cast<gpu::ObjectAttr>(attr))
        ptx += object.getObject().getValue().str();
  if (ptx.empty())
    return module.emitError("the kernel module was not compiled to PTX");
  // A math function left external: libdevice was not linked.
  size_t external = ptx.find(".extern .func");
  if (external != std::string::npos) {
    // ".extern .func (.param .b32 func_retval0) __nv_expf(...)"
    llvm::StringRef rest =
        llvm::StringRef(ptx).substr(external + strlen(".extern .func")).ltrim();
    if (rest.consume_front("("))
      rest = rest.drop_until([](char c) { return c == ')'; }).drop_front();
    llvm::StringRef name = rest.ltrim().take_until(
        [](char c) { return c == '(' || llvm::isSpace(c); });
    return module.emitError() << "the kernels call " << name << ", which was not linked"
                              << " (libdevice comes from the CUDA toolkit: CUDA_HOME, "
                                 "default /usr/local/cuda)";
  }
  return ptx;
}

void registerGpuCodegenDialects(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect>();
  // convert-gpu-to-nvvm lowers the other dialects in a kernel through
  // their ConvertToLLVM interfaces.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

} // namespace smelt
