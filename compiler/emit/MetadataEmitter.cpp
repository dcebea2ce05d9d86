//===- MetadataEmitter.cpp - a model's metadata in LLVM IR ----------------===//
#include "compiler/emit/MetadataEmitter.h"
#include "compiler/emit/DisplayText.h"

#include "runtime/include/smelt/model_abi.h"
#include "smelt/runtime.h"

#include "llvm/Support/JSON.h"

namespace smelt {

llvm::Constant *emitModelMetadata(llvm::Module &m, const AbiTypes &t, const ModelSignature &sig) {
  const ModelMetadata &meta = sig.metadata;
  const BuildInfo &build = sig.build;
  auto str = [&](llvm::StringRef s) { return privateString(m, s, "smelt.metadata.string"); };
  auto i64 = [&](uint64_t v) { return llvm::ConstantInt::get(t.i64, v); };
  std::vector<llvm::Constant *> entries;
  for (const auto &[key, value] : meta.props)
    entries.push_back(llvm::ConstantStruct::get(
        t.metadataEntry, {str(key), str(value), i64(key.size()), i64(value.size())}));
  std::vector<llvm::Constant *> opsets;
  for (const auto &[domain, version] : meta.opsets)
    opsets.push_back(llvm::ConstantStruct::get(t.opsetImport, {i64(version), str(domain)}));
  llvm::Constant *record = llvm::ConstantStruct::get(
      t.modelMetadata,
      {i64(meta.modelVersion), str(meta.producerName), str(meta.producerVersion),
       str(meta.domain), str(meta.docString), str(meta.graphDocString),
       llvm::ConstantInt::get(t.i32, entries.size()), llvm::ConstantInt::get(t.i32, opsets.size()),
       privateArray(m, t.metadataEntry, entries, "smelt.metadata.entries"),
       privateArray(m, t.opsetImport, opsets, "smelt.metadata.opsets"), str(build.compiler),
       str(build.triple), str(build.cpu), str(build.isa), str(build.options)});
  return new llvm::GlobalVariable(m, t.modelMetadata, true, llvm::GlobalValue::PrivateLinkage,
                                  record, "smelt.metadata");
}

namespace {

llvm::json::Value text(llvm::StringRef s) { return validUtf8(s); }

llvm::json::Array textArray(const std::vector<std::string> &strings) {
  llvm::json::Array array;
  for (const std::string &s : strings)
    array.push_back(text(s));
  return array;
}

llvm::json::Array slotsJson(const std::vector<TensorSignature> &slots) {
  llvm::json::Array array;
  for (const TensorSignature &slot : slots) {
    llvm::json::Object object{{"name", text(slot.name)},
                              {"dtype", smelt_dtype_name(slot.dtype)},
                              {"dims", llvm::json::Array(slot.dims)},
                              {"role", smelt_role_name(slot.role)}};
    if (!slot.dimNames.empty())
      object["dim_names"] = textArray(slot.dimNames);
    if (!slot.docString.empty())
      object["doc_string"] = text(slot.docString);
    array.push_back(std::move(object));
  }
  return array;
}

} // namespace

std::string modelManifest(const ModelSignature &sig, llvm::StringRef prefix,
                          const WorkspacePlan &workspace, const DeviceImage *device) {
  const ModelMetadata &meta = sig.metadata;
  llvm::json::Array props, opsets;
  for (const auto &[key, value] : meta.props)
    props.push_back(llvm::json::Object{{"key", text(key)}, {"value", text(value)}});
  for (const auto &[domain, version] : meta.opsets)
    opsets.push_back(llvm::json::Object{{"domain", text(domain)}, {"version", version}});
  llvm::json::Object manifest{
      {"manifest_version", kManifestVersion},
      {"abi_version", SMELT_ABI_VERSION},
      {"symbol_prefix", prefix},
      {"graph_name", text(sig.graphName)},
      {"onnx_opset", sig.opset},
      {"model",
       llvm::json::Object{{"producer_name", text(meta.producerName)},
                          {"producer_version", text(meta.producerVersion)},
                          {"domain", text(meta.domain)},
                          {"model_version", meta.modelVersion},
                          {"doc_string", text(meta.docString)},
                          {"graph_doc_string", text(meta.graphDocString)},
                          {"opset_import", std::move(opsets)},
                          {"metadata_props", std::move(props)}}},
      {"inputs", slotsJson(sig.inputs)},
      {"outputs", slotsJson(sig.outputs)},
      {"workspace", llvm::json::Object{{"size", workspace.size}, {"align", workspace.align}}},
      {"build", llvm::json::Object{{"compiler", sig.build.compiler},
                                   {"target_triple", sig.build.triple},
                                   {"target_cpu", sig.build.cpu},
                                   {"target_features", sig.build.isa},
                                   {"compile_options", sig.build.options}}}};
  if (device)
    manifest["device"] =
        llvm::json::Object{{"platform", "cuda"},
                           {"arch", device->arch},
                           {"kernels", static_cast<int64_t>(device->kernels.size())},
                           {"image_bytes", static_cast<int64_t>(device->ptx.size())}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(manifest));
  return text;
}

void emitManifest(llvm::Module &m, llvm::StringRef prefix, llvm::StringRef manifest) {
  llvm::Constant *data = llvm::ConstantDataArray::getString(m.getContext(), manifest);
  auto *var = new llvm::GlobalVariable(m, data->getType(), true,
                                       llvm::GlobalValue::ExternalLinkage, data,
                                       (prefix + "_manifest").str());
  var->setSection(SMELT_MODEL_MANIFEST_SECTION);
  var->setAlignment(llvm::Align(1));
}

} // namespace smelt
