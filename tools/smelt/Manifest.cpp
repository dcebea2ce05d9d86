//===- Manifest.cpp - a compiled model's manifest, read from its file -----===//
#include "tools/smelt/Manifest.h"

#include "smelt/runtime.h"

#include "llvm/Object/ObjectFile.h"

#include <cstdio>
#include <deque>

namespace smelt {

bool isObjectFile(const std::string &path) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return false;
  char magic[4] = {};
  size_t got = std::fread(magic, 1, sizeof magic, file);
  std::fclose(file);
  return got == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

bool readManifests(const std::string &path, llvm::json::Array &manifests, std::string &error) {
  llvm::Expected<llvm::object::OwningBinary<llvm::object::ObjectFile>> file =
      llvm::object::ObjectFile::createObjectFile(path);
  if (!file) {
    error = "cannot read '" + path + "': " + llvm::toString(file.takeError());
    return false;
  }
  for (const llvm::object::SectionRef &section : file->getBinary()->sections()) {
    llvm::Expected<llvm::StringRef> name = section.getName();
    if (!name || *name != SMELT_MODEL_MANIFEST_SECTION) {
      llvm::consumeError(name.takeError());
      continue;
    }
    llvm::Expected<llvm::StringRef> contents = section.getContents();
    if (!contents) {
      error = "'" + path + "': cannot read section " SMELT_MODEL_MANIFEST_SECTION ": " +
              llvm::toString(contents.takeError());
      return false;
    }
    // One NUL-terminated document per model linked into the file.
    llvm::SmallVector<llvm::StringRef> documents;
    contents->split(documents, '\0', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef document : documents) {
      llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(document);
      if (!parsed || !parsed->getAsObject()) {
        error = "'" + path + "': malformed manifest: " +
                (parsed ? std::string("not a JSON object") : llvm::toString(parsed.takeError()));
        return false;
      }
      manifests.push_back(std::move(*parsed));
    }
  }
  if (manifests.empty()) {
    error = "'" + path + "' holds no smelt model: it has no " SMELT_MODEL_MANIFEST_SECTION
            " section (a library or object from smelt before ABI version 3 has none; "
            "recompile it)";
    return false;
  }
  return true;
}

namespace {

/// The smelt_dtype whose smelt_dtype_name is `name`, or 0.
int32_t dtypeNamed(llvm::StringRef name) {
  for (int32_t dtype = 1; dtype <= SMELT_DTYPE_BFLOAT16; ++dtype)
    if (smelt_dtype_size(dtype) && name == smelt_dtype_name(dtype))
      return dtype;
  return 0;
}

/// The smelt_slot_role whose smelt_role_name is `name`, or -1.
int32_t roleNamed(llvm::StringRef name) {
  for (int32_t role = SMELT_ROLE_TENSOR; role <= SMELT_ROLE_STRING_LENGTHS; ++role)
    if (name == smelt_role_name(role))
      return role;
  return -1;
}

bool readSlots(const llvm::json::Array *slots, const char *kind,
               std::vector<smelt_tensor_info> &infos, std::deque<std::string> &names,
               std::deque<std::vector<int64_t>> &dims, std::string &error) {
  if (!slots) {
    error = std::string("the manifest lists no ") + kind + "s";
    return false;
  }
  for (const llvm::json::Value &value : *slots) {
    const llvm::json::Object *slot = value.getAsObject();
    const llvm::json::Array *slotDims = slot ? slot->getArray("dims") : nullptr;
    int32_t dtype = slot ? dtypeNamed(slot->getString("dtype").value_or("")) : 0;
    int32_t role = slot ? roleNamed(slot->getString("role").value_or("tensor")) : -1;
    if (!slot || !slotDims || !dtype || role < 0 || slotDims->size() > 16) {
      error = std::string("the manifest describes an ") + kind + " slot it cannot have";
      return false;
    }
    names.push_back(slot->getString("name").value_or("").str());
    dims.emplace_back();
    for (const llvm::json::Value &d : *slotDims)
      dims.back().push_back(d.getAsInteger().value_or(SMELT_DYNAMIC_DIM));
    infos.push_back({names.back().c_str(), dtype, static_cast<int32_t>(dims.back().size()),
                     dims.back().data(), role, 0, nullptr, ""});
  }
  return true;
}

} // namespace

bool readManifestSignature(const std::string &path, ManifestSignature &signature,
                           std::string &error) {
  llvm::json::Array manifests;
  if (!readManifests(path, manifests, error))
    return false;
  if (manifests.size() != 1) {
    error = "'" + path + "' holds " + std::to_string(manifests.size()) + " models, not one";
    return false;
  }
  const llvm::json::Object &manifest = *manifests.front().getAsObject();
  // Deques keep the strings and dims where the infos point while they grow.
  std::deque<std::string> names;
  std::deque<std::vector<int64_t>> dims;
  ManifestSignature result;
  if (!readSlots(manifest.getArray("inputs"), "input", result.inputs, names, dims, error) ||
      !readSlots(manifest.getArray("outputs"), "output", result.outputs, names, dims, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  // Move the storage in, then point the infos at its final place.
  result.names.assign(names.begin(), names.end());
  result.dims.assign(dims.begin(), dims.end());
  size_t k = 0;
  for (auto *infos : {&result.inputs, &result.outputs})
    for (smelt_tensor_info &info : *infos) {
      info.name = result.names[k].c_str();
      info.dims = result.dims[k].data();
      ++k;
    }
  signature = std::move(result);
  return true;
}

} // namespace smelt
