//===- ModelMetadata.cpp - the ONNX model's metadata as attributes --------===//
#include "compiler/import/ModelMetadata.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace smelt {

::onnx::ModelProto metadataOf(const ::onnx::ModelProto &model) {
  ::onnx::ModelProto copy;
  copy.set_producer_name(model.producer_name());
  copy.set_producer_version(model.producer_version());
  copy.set_domain(model.domain());
  copy.set_model_version(model.model_version());
  copy.set_doc_string(model.doc_string());
  *copy.mutable_metadata_props() = model.metadata_props();
  *copy.mutable_opset_import() = model.opset_import();
  ::onnx::GraphProto &graph = *copy.mutable_graph();
  graph.set_name(model.graph().name());
  graph.set_doc_string(model.graph().doc_string());
  *graph.mutable_input() = model.graph().input();
  *graph.mutable_output() = model.graph().output();
  return copy;
}

namespace {

DictionaryAttr modelAttr(Builder &b, const ::onnx::ModelProto &model) {
  SmallVector<NamedAttribute> fields;
  auto addString = [&](StringRef name, const std::string &value) {
    if (!value.empty())
      fields.push_back(b.getNamedAttr(name, b.getStringAttr(value)));
  };
  addString("producer_name", model.producer_name());
  addString("producer_version", model.producer_version());
  addString("domain", model.domain());
  addString("doc_string", model.doc_string());
  addString("graph_doc_string", model.graph().doc_string());
  if (model.model_version() != 0)
    fields.push_back(b.getNamedAttr("model_version", b.getI64IntegerAttr(model.model_version())));
  SmallVector<Attribute> props;
  for (const auto &prop : model.metadata_props())
    props.push_back(b.getArrayAttr({b.getStringAttr(prop.key()), b.getStringAttr(prop.value())}));
  if (!props.empty())
    fields.push_back(b.getNamedAttr("metadata_props", b.getArrayAttr(props)));
  SmallVector<Attribute> opsets;
  for (const auto &opset : model.opset_import())
    opsets.push_back(
        b.getArrayAttr({b.getStringAttr(opset.domain()), b.getI64IntegerAttr(opset.version())}));
  if (!opsets.empty())
    fields.push_back(b.getNamedAttr("opset_import", b.getArrayAttr(opsets)));
  return fields.empty() ? DictionaryAttr() : b.getDictionaryAttr(fields);
}

/// Dim names (when the value names any) and doc string (when it has one).
SmallVector<NamedAttribute> valueAttrs(Builder &b, const ::onnx::ValueInfoProto &value) {
  SmallVector<NamedAttribute> attrs;
  const auto &type = value.type();
  if (type.has_tensor_type() && type.tensor_type().has_shape()) {
    SmallVector<Attribute> names;
    bool any = false;
    for (const auto &dim : type.tensor_type().shape().dim()) {
      names.push_back(b.getStringAttr(dim.dim_param()));
      any |= !dim.dim_param().empty();
    }
    if (any)
      attrs.push_back(b.getNamedAttr(kOnnxDimParamsAttr, b.getArrayAttr(names)));
  }
  if (!value.doc_string().empty())
    attrs.push_back(b.getNamedAttr(kOnnxDocStringAttr, b.getStringAttr(value.doc_string())));
  return attrs;
}

} // namespace

void recordModelMetadata(ModuleOp module, const ::onnx::ModelProto &declared) {
  Builder b(module.getContext());
  if (DictionaryAttr attr = modelAttr(b, declared))
    module->setAttr(kOnnxMetadataAttr, attr);
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return;
  llvm::StringMap<const ::onnx::ValueInfoProto *> inputs, outputs;
  for (const auto &in : declared.graph().input())
    inputs.try_emplace(in.name(), &in);
  for (const auto &out : declared.graph().output())
    outputs.try_emplace(out.name(), &out);
  auto valueNamed = [](const llvm::StringMap<const ::onnx::ValueInfoProto *> &values,
                       DictionaryAttr attrs) -> const ::onnx::ValueInfoProto * {
    auto name = attrs ? attrs.getAs<StringAttr>("onnx.name") : StringAttr();
    return name ? values.lookup(name.getValue()) : nullptr;
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (const auto *value = valueNamed(inputs, func.getArgAttrDict(i)))
      for (NamedAttribute attr : valueAttrs(b, *value))
        func.setArgAttr(i, attr.getName(), attr.getValue());
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (const auto *value = valueNamed(outputs, func.getResultAttrDict(i)))
      for (NamedAttribute attr : valueAttrs(b, *value))
        func.setResultAttr(i, attr.getName(), attr.getValue());
}

} // namespace smelt
