//===- AbiEmitter.h - the model ABI's symbols in LLVM IR --------*- C++ -*-===//
//
// Wraps the lowered model function (one bare pointer per input, then per
// output) in the entry points of runtime/include/smelt/model_abi.h and adds
// the signature as constant data:
//   P_run(inputs..., outputs..., workspace) -> i32  typed entry (static shapes only)
//   P_entry(const smelt_call *) -> i32      generic entry
//   P_info                                  smelt_model_info, metadata included
//   smelt_model_info                        alias of P_info (shared libraries only)
//   P_manifest                              JSON manifest (MetadataEmitter.h)
// Only these symbols are exported, the entry points with protected
// visibility so that calls inside the model never leave it; everything else
// becomes internal.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_ABIEMITTER_H
#define SMELT_COMPILER_EMIT_ABIEMITTER_H

#include "codegen/cpu/WorkspacePlan.h"
#include "compiler/emit/DeviceCode.h"
#include "compiler/emit/Signature.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

namespace smelt {

/// Adds the ABI symbols with prefix `prefix` around function `modelFn`. With
/// `barePointers` the function takes one pointer per input and output
/// (static shapes) and a typed P_run is exported too; otherwise it takes and
/// returns memref descriptors (dynamic shapes) and only P_entry is exported.
/// `sharedLibrary` adds the well-known SMELT_MODEL_INFO_SYMBOL alias. A
/// `workspace` of nonzero size means the function takes the arena as one
/// more pointer after the outputs; P_info then records its size and
/// alignment, and P_entry refuses a smaller or misaligned one with
/// SMELT_ENTRY_SMALL_WORKSPACE. P_run always takes the workspace pointer
/// last (NULL is fine when the model needs none). A model with device code
/// (`device`, static shapes only) gets P_info.device and no P_run: its entry
/// point needs the smelt_device_api of a smelt_call.
llvm::Error emitModelAbi(llvm::Module &module, llvm::StringRef modelFn,
                         const ModelSignature &signature, llvm::StringRef prefix,
                         bool barePointers, bool sharedLibrary, const WorkspacePlan &workspace,
                         const DeviceImage *device = nullptr);

/// Adds `P_isa`, the instruction set the code needs as a string (see
/// requiredIsa in CpuTarget.h: "x86_64 avx avx2 fma ..."). A shared library also exports it as
/// SMELT_MODEL_ISA_SYMBOL, which smelt_model_open checks against the CPU it
/// runs on before any model code runs.
void emitRequiredIsa(llvm::Module &module, llvm::StringRef prefix, llvm::StringRef isa,
                     bool sharedLibrary);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_ABIEMITTER_H
