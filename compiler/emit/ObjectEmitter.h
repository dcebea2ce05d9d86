//===- ObjectEmitter.h - LLVM dialect to native code ------------*- C++ -*-===//
//
// Translates the lowered module to LLVM IR, adds the model ABI, optimizes
// with LLVM's pass builder at the requested level and emits an object file
// or assembly through a TargetMachine for the requested triple and CPU.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_OBJECTEMITTER_H
#define SMELT_COMPILER_EMIT_OBJECTEMITTER_H

#include "compiler/emit/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>
#include <string>

namespace smelt {

struct TargetOptions {
  std::string triple;   ///< empty: the host
  std::string cpu;      ///< empty or "native": the host CPU
  std::string features; ///< extra subtarget features ("+avx2,...")
  unsigned optLevel = 2;
  bool pic = true;      ///< position-independent (needed for shared libraries)
};

/// LLVM dialect module -> optimized LLVM IR module carrying the model ABI
/// symbols with `prefix` (and, for a shared library, the well-known info
/// alias). Errors are reported as diagnostics on `module`.
std::unique_ptr<llvm::Module> translateToLlvmIr(mlir::ModuleOp module, llvm::LLVMContext &context,
                                                const ModelSignature &signature,
                                                llvm::StringRef prefix,
                                                const TargetOptions &target, bool sharedLibrary);

/// LLVM dialect module of a GPU model's kernels as host functions
/// (smelt-gpu-kernels-on-host) -> optimized LLVM IR exporting a launcher per
/// kernel (HostKernels.h).
std::unique_ptr<llvm::Module> translateHostKernels(mlir::ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   const TargetOptions &target);

enum class CodeKind { Object, Assembly };

/// Emits native code for `module` into `bytes`.
mlir::LogicalResult emitNativeCode(llvm::Module &module, const TargetOptions &target,
                                   CodeKind kind, std::string &bytes, std::string &error);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_OBJECTEMITTER_H
