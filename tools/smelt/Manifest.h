//===- Manifest.h - a compiled model's manifest, read from its file -*- C++ -*-===//
//
// Every library and object smelt emits carries a JSON manifest of each model
// in it (section SMELT_MODEL_MANIFEST_SECTION; docs/model-manifest.md).
// These read it from the file alone, so a library built for another CPU or
// architecture can be described, and run elsewhere (`smelt run --exec`).
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_MANIFEST_H
#define SMELT_TOOLS_SMELT_MANIFEST_H

#include "smelt/model_abi.h"

#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace smelt {

/// Whether `path` is an ELF file (a compiled library or object).
bool isObjectFile(const std::string &path);

/// The manifests in the ELF file at `path`, one JSON object per model.
/// False with `error` set when the file cannot be read, holds none or holds
/// a malformed one.
bool readManifests(const std::string &path, llvm::json::Array &manifests, std::string &error);

/// A model's slots as smelt_tensor_info arrays, built from its manifest
/// (names, dtypes, dims, roles; no metadata), with the storage they point to.
struct ManifestSignature {
  std::vector<smelt_tensor_info> inputs, outputs;
  std::vector<std::string> names;          ///< storage for the slots' names
  std::vector<std::vector<int64_t>> dims;  ///< storage for the slots' dims
};

/// The signature of the one model in the library at `path`. False with
/// `error` set when there is not exactly one, or its manifest is malformed.
bool readManifestSignature(const std::string &path, ManifestSignature &signature,
                           std::string &error);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_MANIFEST_H
