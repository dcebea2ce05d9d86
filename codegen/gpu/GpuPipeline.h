//===- GpuPipeline.h - linalg on tensors to kernels in PTX ------*- C++ -*-===//
//
// The NVIDIA GPU backend, beside codegen/cpu and after the same onnx and
// linalg stages: buffers, then every linalg op as a parallel loop run as a
// kernel (one thread per output element so far), the kernels outlined into
// one gpu.module, lowered to NVVM and compiled to PTX by LLVM's NVPTX
// backend (upstream gpu-module-to-binary). Host functions keep only buffer
// management, sizes and launches.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_GPU_GPUPIPELINE_H
#define SMELT_CODEGEN_GPU_GPUPIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace smelt {

struct GpuPipelineOptions {
  std::string chip = "sm_80"; ///< the GPU architecture PTX is written for
  unsigned optLevel = 3;      ///< NVPTX backend optimization level
  int64_t blockSize = 256;    ///< threads per block of the element kernels
  /// The CUDA toolkit whose libdevice (math functions in bitcode) is linked
  /// into the kernels; empty: $CUDA_HOME, $CUDA_PATH, else /usr/local/cuda.
  std::string cudaPath;
  /// Also lower the host functions to the LLVM dialect, their device work
  /// as calls of the smelt_device_api (static shapes only); otherwise they
  /// stay gpu and memref ops beside the kernels' binary.
  bool hostCode = false;
  /// Instead of PTX, only the kernels as host functions in the LLVM
  /// dialect (smelt-gpu-kernels-on-host), for tests without a GPU.
  bool kernelsOnHost = false;
};

/// The CUDA toolkit folder the pipeline takes libdevice from.
std::string cudaToolkitPath(const GpuPipelineOptions &options);

/// Whether `chip` names an NVIDIA architecture the backend knows ("sm_80").
bool isKnownGpuChip(llvm::StringRef chip);

/// smelt-gpu-pipeline: linalg on tensors -> host functions that launch
/// kernels, and one gpu.binary @kernels holding their PTX; with
/// `options.hostCode`, host functions in the LLVM dialect and the PTX in
/// module attributes (DeviceSymbols.h).
void buildGpuCodegenPipeline(mlir::OpPassManager &pm, const GpuPipelineOptions &options = {});

/// The PTX text of the module's kernels, after the pipeline; an error when
/// it calls a math function that was not linked.
mlir::FailureOr<std::string> kernelPtx(mlir::ModuleOp module);

/// Registers the dialects and interfaces the pipeline needs (the NVVM
/// target, the GPU and NVVM translations to LLVM IR).
void registerGpuCodegenDialects(mlir::DialectRegistry &registry);

} // namespace smelt

#endif // SMELT_CODEGEN_GPU_GPUPIPELINE_H
