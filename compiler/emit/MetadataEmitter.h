//===- MetadataEmitter.h - a model's metadata in LLVM IR --------*- C++ -*-===//
//
// Two records of what a model is, both built from one ModelSignature:
//  - smelt_model_metadata (model_abi.h), reached from P_info, which the
//    runtime hands to applications;
//  - the JSON manifest in section SMELT_MODEL_MANIFEST_SECTION (exported as
//    P_manifest), which tools read from the file without loading it, so a
//    library built for another machine can be inspected too. Its schema is
//    in docs/model-manifest.md.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_METADATAEMITTER_H
#define SMELT_COMPILER_EMIT_METADATAEMITTER_H

#include "codegen/cpu/WorkspacePlan.h"
#include "compiler/emit/AbiTypes.h"
#include "compiler/emit/DeviceCode.h"
#include "compiler/emit/Signature.h"

#include "llvm/IR/Module.h"

#include <string>

namespace smelt {

/// Version of the manifest's JSON schema ("manifest_version").
inline constexpr int kManifestVersion = 1;

/// Adds `signature`'s metadata and build facts as a private
/// smelt_model_metadata; returns its address.
llvm::Constant *emitModelMetadata(llvm::Module &module, const AbiTypes &types,
                                  const ModelSignature &signature);

/// The manifest of a model with symbol prefix `prefix`, as JSON text; a
/// model with device code gets a "device" object (platform, architecture,
/// kernel count, PTX bytes).
std::string modelManifest(const ModelSignature &signature, llvm::StringRef prefix,
                          const WorkspacePlan &workspace, const DeviceImage *device = nullptr);

/// Adds `manifest` (NUL-terminated) as P_manifest in the manifest section.
void emitManifest(llvm::Module &module, llvm::StringRef prefix, llvm::StringRef manifest);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_METADATAEMITTER_H
