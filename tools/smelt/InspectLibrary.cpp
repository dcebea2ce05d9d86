//===- InspectLibrary.cpp - smelt inspect on a compiled library -----------===//
//
// Prints the manifests of a library or object file (Manifest.h): nothing is
// loaded or run, so a library built for another CPU or architecture can be
// inspected as well.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/Commands.h"
#include "tools/smelt/InspectText.h"
#include "tools/smelt/Manifest.h"

#include "compiler/emit/DisplayText.h"

#include "smelt/model_abi.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

namespace smelt {

namespace {

std::string str(const llvm::json::Object &o, llvm::StringRef key) {
  std::optional<llvm::StringRef> value = o.getString(key);
  return value ? value->str() : std::string();
}

int64_t num(const llvm::json::Object &o, llvm::StringRef key) {
  return o.getInteger(key).value_or(0);
}

/// "float32[batch,3]": a dynamic dim shows its name (or '?'), a static dim
/// that has a name shows both ("batch=1").
std::string describeSlot(const llvm::json::Object &slot) {
  std::string text = str(slot, "dtype") + "[";
  const llvm::json::Array *dims = slot.getArray("dims");
  const llvm::json::Array *names = slot.getArray("dim_names");
  for (size_t i = 0; dims && i < dims->size(); ++i) {
    int64_t dim = (*dims)[i].getAsInteger().value_or(-1);
    std::string name;
    if (names && i < names->size())
      name = (*names)[i].getAsString().value_or("").str();
    text += (i ? "," : "") + printable(dimText(dim, name));
  }
  text += "]";
  std::string role = str(slot, "role");
  if (!role.empty() && role != "tensor")
    text += " (" + role + ")";
  return text;
}

void printSlots(const char *title, const llvm::json::Array *slots) {
  std::printf("%s:\n", title);
  for (size_t i = 0; slots && i < slots->size(); ++i) {
    const llvm::json::Object *slot = (*slots)[i].getAsObject();
    if (!slot)
      continue;
    std::printf("  %s: %s\n", printable(str(*slot, "name")).c_str(), describeSlot(*slot).c_str());
  }
}

/// "doc strings:" with one "  NAME: TEXT" line per slot that has one (the
/// slots of a sequence or string value share it: printed once).
void printSlotDocs(const llvm::json::Array *inputs, const llvm::json::Array *outputs) {
  bool any = false;
  for (const llvm::json::Array *slots : {inputs, outputs})
    for (size_t i = 0; slots && i < slots->size(); ++i) {
      const llvm::json::Object *slot = (*slots)[i].getAsObject();
      std::string doc = slot ? str(*slot, "doc_string") : "";
      const llvm::json::Object *previous = i ? (*slots)[i - 1].getAsObject() : nullptr;
      bool sameValue = previous && str(*previous, "name") == str(*slot, "name");
      if (doc.empty() || sameValue)
        continue;
      if (!any)
        std::printf("doc strings:\n");
      any = true;
      std::printf("  %s: %s\n", printable(str(*slot, "name")).c_str(), printable(doc).c_str());
    }
}

void printManifest(const llvm::json::Object &m) {
  const llvm::json::Object empty;
  const llvm::json::Object *model = m.getObject("model");
  const llvm::json::Object *build = m.getObject("build");
  const llvm::json::Object *workspace = m.getObject("workspace");
  model = model ? model : &empty;
  build = build ? build : &empty;
  workspace = workspace ? workspace : &empty;

  std::printf("model: %s (symbol prefix %s, ABI version %lld)\n",
              printable(str(m, "graph_name")).c_str(), str(m, "symbol_prefix").c_str(),
              static_cast<long long>(num(m, "abi_version")));
  std::printf("  compiled by %s for %s, cpu %s\n", printable(str(*build, "compiler")).c_str(),
              printable(str(*build, "target_triple")).c_str(),
              printable(str(*build, "target_cpu")).c_str());
  std::printf("  options: %s\n", printable(str(*build, "compile_options")).c_str());
  std::printf("  needs: %s\n", printable(str(*build, "target_features")).c_str());
  std::printf("  workspace: %lld bytes (align %lld)\n",
              static_cast<long long>(num(*workspace, "size")),
              static_cast<long long>(num(*workspace, "align")));
  if (const llvm::json::Object *device = m.getObject("device"))
    std::printf("  device: %s %s, %lld kernels (%lld bytes of PTX); the workspace is device "
                "memory\n",
                printable(str(*device, "platform")).c_str(),
                printable(str(*device, "arch")).c_str(),
                static_cast<long long>(num(*device, "kernels")),
                static_cast<long long>(num(*device, "image_bytes")));
  std::printf("onnx: producer %s %s, domain %s, model version %lld, compiled at opset %lld\n",
              printable(str(*model, "producer_name")).c_str(),
              printable(str(*model, "producer_version")).c_str(),
              printable(str(*model, "domain")).c_str(),
              static_cast<long long>(num(*model, "model_version")),
              static_cast<long long>(num(m, "onnx_opset")));
  std::printf("opsets:\n");
  if (const llvm::json::Array *opsets = model->getArray("opset_import"))
    for (const llvm::json::Value &v : *opsets)
      if (const llvm::json::Object *opset = v.getAsObject()) {
        std::string domain = str(*opset, "domain");
        std::printf("  %s: %lld\n", domain.empty() ? "ai.onnx" : printable(domain).c_str(),
                    static_cast<long long>(num(*opset, "version")));
      }
  for (auto [title, key] : {std::pair{"description", "doc_string"},
                            std::pair{"graph description", "graph_doc_string"}}) {
    std::string doc = str(*model, key);
    if (!doc.empty())
      std::printf("%s: %s\n", title, printable(doc).c_str());
  }
  printSlots("inputs", m.getArray("inputs"));
  printSlots("outputs", m.getArray("outputs"));
  printSlotDocs(m.getArray("inputs"), m.getArray("outputs"));
  const llvm::json::Array *props = model->getArray("metadata_props");
  std::printf("metadata: %zu entries\n", props ? props->size() : 0);
  for (size_t i = 0; props && i < props->size(); ++i)
    if (const llvm::json::Object *prop = (*props)[i].getAsObject())
      std::printf("  %s: %s\n", printable(str(*prop, "key")).c_str(),
                  printable(str(*prop, "value")).c_str());
}

} // namespace

int inspectLibrary(const std::string &path, bool json) {
  llvm::json::Array manifests;
  std::string error;
  if (!readManifests(path, manifests, error)) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  if (json) {
    llvm::json::Value out = manifests.size() == 1 ? std::move(manifests.front())
                                                  : llvm::json::Value(std::move(manifests));
    llvm::outs() << llvm::formatv("{0:2}", out) << "\n";
    return 0;
  }
  std::printf("file: %s (%zu model%s)\n", path.c_str(), manifests.size(),
              manifests.size() == 1 ? "" : "s");
  for (const llvm::json::Value &manifest : manifests)
    printManifest(*manifest.getAsObject());
  return 0;
}

} // namespace smelt
