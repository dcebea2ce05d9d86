//===- Compile.h - compile one ONNX model to an output file -----*- C++ -*-===//
//
// The whole path behind `smelt compile`: import, the stage pipeline, the
// model ABI and the chosen output. Diagnostics go through the MLIR context's
// handler; an output file appears only when everything succeeded.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_PIPELINE_COMPILE_H
#define SMELT_COMPILER_PIPELINE_COMPILE_H

#include "compiler/emit/ObjectEmitter.h"
#include "compiler/import/Importer.h"

#include "mlir/IR/MLIRContext.h"

#include <string>
#include <vector>

namespace smelt {

/// What `smelt compile` writes.
enum class EmitKind {
  Onnx,   ///< onnx dialect after import and onnx-level passes (.mlir)
  Linalg, ///< linalg on tensors (.mlir)
  Mlir,   ///< LLVM dialect (.mlir)
  Llvm,   ///< optimized LLVM IR with the model ABI (.ll)
  Asm,    ///< target assembly (.s)
  Obj,    ///< object file plus a C header next to it (.o + .h)
  Shared, ///< shared library (.so)
  Ptx,    ///< --device cuda: the kernels' PTX (.ptx)
  /// --device cuda: the kernels compiled for the host CPU instead, as a
  /// shared library for a test driver that runs GPU models without a GPU
  HostKernels,
};

/// Where the model's computation runs.
enum class Device { Cpu, Cuda };

struct CompileOptions {
  std::string input;
  std::string output;
  EmitKind emit = EmitKind::Shared;
  std::string symbolPrefix; ///< empty: from the output's name ("libmnist.so", "mnist.o" -> mnist)
  ImportOptions import;
  TargetOptions target;
  Device device = Device::Cpu;
  std::string gpuChip = "sm_80"; ///< --device cuda: the architecture of the PTX
  bool report = false; ///< print the memory plan to stderr after compiling
  std::vector<std::string> printIrAfter; ///< passes after which to print the IR (stderr)
};

/// Parses an --emit value; false when unknown.
bool parseEmitKind(llvm::StringRef text, EmitKind &kind);

/// Runs the compiler; returns failure after reporting a diagnostic.
mlir::LogicalResult compileModel(const CompileOptions &options, mlir::MLIRContext &context);

} // namespace smelt

#endif // SMELT_COMPILER_PIPELINE_COMPILE_H
