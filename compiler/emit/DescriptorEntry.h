//===- DescriptorEntry.h - entry point for models with dynamic shapes -*- C++ -*-===//
#ifndef SMELT_COMPILER_EMIT_DESCRIPTORENTRY_H
#define SMELT_COMPILER_EMIT_DESCRIPTORENTRY_H

#include "codegen/cpu/WorkspacePlan.h"
#include "compiler/emit/AbiTypes.h"
#include "compiler/emit/Signature.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

namespace smelt {

/// Emits P_entry(const smelt_call *) around a model function that takes one
/// memref descriptor per input (allocated, aligned, offset, sizes, strides)
/// and returns one descriptor per output, as MLIR's default calling
/// convention lowers `main` when shapes are dynamic. The entry point builds
/// the input descriptors from the call's pointers and dims (checking static
/// dims), copies each result into the caller's buffer (static dims) or into
/// one obtained from alloc_output (dynamic dims), reports the dims, and frees
/// the model's result buffers. When `plan` has a size, the model function
/// takes the arena as one more descriptor: the call's workspace when it is
/// big enough and aligned, else one the entry allocates for the run.
llvm::Expected<llvm::Function *> emitDescriptorEntry(llvm::Module &module, const AbiTypes &t,
                                                     llvm::Function *model,
                                                     const ModelSignature &signature,
                                                     const WorkspacePlan &plan,
                                                     const std::string &name);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_DESCRIPTORENTRY_H
