//===- InspectCommand.cpp - smelt inspect: what a model holds -------------===//
//
// On an ONNX model: its metadata, graph inputs and outputs (with dim names
// and doc strings), opset imports, a histogram of operator types, and which
// operators Smelt cannot compile yet. On a compiled library or object file:
// what its manifest says (InspectLibrary.cpp). --json prints the same as
// JSON, for tools.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/Commands.h"

#include "compiler/emit/DisplayText.h"
#include "compiler/import/Importer.h"
#include "compiler/pipeline/Registration.h"
#include "passes/Passes.h"
#include "smelt/runtime.h"
#include "tools/smelt/InspectText.h"
#include "tools/smelt/Manifest.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <onnx/onnx_pb.h>

#include <cstdio>
#include <map>
#include <set>

namespace smelt {

namespace {

std::string describeType(const ::onnx::TypeProto &type) {
  if (!type.has_tensor_type())
    return "non-tensor";
  const auto &t = type.tensor_type();
  std::string s = ::onnx::TensorProto::DataType_Name(
      static_cast<::onnx::TensorProto::DataType>(t.elem_type()));
  if (!t.has_shape())
    return s + "[unranked]";
  s += "[";
  for (int i = 0; i < t.shape().dim_size(); ++i) {
    const auto &d = t.shape().dim(i);
    s += (i ? "," : "") + (d.has_dim_value() ? std::to_string(d.dim_value())
                           : d.dim_param().empty() ? std::string("?") : printable(d.dim_param()));
  }
  return s + "]";
}

/// "doc strings:" with one "  NAME: TEXT" line per input or output that has one.
void printValueDocs(const std::vector<const ::onnx::ValueInfoProto *> &inputs,
                    const std::vector<const ::onnx::ValueInfoProto *> &outputs) {
  bool any = false;
  for (const auto *values : {&inputs, &outputs})
    for (const auto *value : *values)
      if (!value->doc_string().empty()) {
        if (!any)
          std::printf("doc strings:\n");
        any = true;
        std::printf("  %s: %s\n", printable(value->name()).c_str(),
                    printable(value->doc_string()).c_str());
      }
}

llvm::json::Value jsonText(const std::string &s) { return validUtf8(s); }

/// The model-level metadata, keyed as in a compiled library's manifest.
llvm::json::Object modelJson(const ::onnx::ModelProto &model) {
  llvm::json::Array opsets, props;
  for (const auto &opset : model.opset_import())
    opsets.push_back(
        llvm::json::Object{{"domain", jsonText(opset.domain())}, {"version", opset.version()}});
  for (const auto &prop : model.metadata_props())
    props.push_back(
        llvm::json::Object{{"key", jsonText(prop.key())}, {"value", jsonText(prop.value())}});
  return llvm::json::Object{{"producer_name", jsonText(model.producer_name())},
                            {"producer_version", jsonText(model.producer_version())},
                            {"domain", jsonText(model.domain())},
                            {"model_version", model.model_version()},
                            {"doc_string", jsonText(model.doc_string())},
                            {"graph_doc_string", jsonText(model.graph().doc_string())},
                            {"opset_import", std::move(opsets)},
                            {"metadata_props", std::move(props)}};
}

/// Graph inputs or outputs: name, dtype, dims (-1 where unknown, null when
/// unranked), dim names, doc string; "dtype": "non-tensor" for the rest.
llvm::json::Array valuesJson(const std::vector<const ::onnx::ValueInfoProto *> &values) {
  llvm::json::Array array;
  for (const auto *value : values) {
    llvm::json::Object object{{"name", jsonText(value->name())},
                              {"doc_string", jsonText(value->doc_string())}};
    if (!value->type().has_tensor_type()) {
      object["dtype"] = "non-tensor";
      array.push_back(std::move(object));
      continue;
    }
    const auto &tensor = value->type().tensor_type();
    object["dtype"] = smelt_dtype_name(tensor.elem_type());
    if (tensor.has_shape()) {
      llvm::json::Array dims, names;
      for (const auto &d : tensor.shape().dim()) {
        dims.push_back(d.has_dim_value() ? d.dim_value() : int64_t(-1));
        names.push_back(jsonText(d.dim_param()));
      }
      object["dims"] = std::move(dims);
      object["dim_names"] = std::move(names);
    } else {
      object["dims"] = nullptr;
    }
    array.push_back(std::move(object));
  }
  return array;
}

void countOps(const ::onnx::GraphProto &graph, std::map<std::string, int> &histogram) {
  for (const auto &node : graph.node()) {
    std::string key = node.domain().empty() || node.domain() == "ai.onnx"
                          ? node.op_type()
                          : node.domain() + "::" + node.op_type();
    ++histogram[key];
    for (const auto &attr : node.attribute()) {
      if (attr.has_g())
        countOps(attr.g(), histogram);
      for (const auto &g : attr.graphs())
        countOps(g, histogram);
    }
  }
}

} // namespace

int inspectCommand(const std::string &path, bool json) {
  if (isObjectFile(path))
    return inspectLibrary(path, json);
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  ::onnx::ModelProto model;
  if (mlir::failed(loadModelProto(path, model, &context)))
    return 1;
  const auto &graph = model.graph();
  std::set<std::string> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  std::vector<const ::onnx::ValueInfoProto *> inputs, outputs;
  for (const auto &in : graph.input())
    if (!initializers.count(in.name()))
      inputs.push_back(&in);
  for (const auto &out : graph.output())
    outputs.push_back(&out);
  std::map<std::string, int> histogram;
  countOps(graph, histogram);
  std::vector<std::string> lowerable = lowerableOnnxOps(&context);
  std::set<std::string> supported(lowerable.begin(), lowerable.end());
  supported.insert("Constant");
  std::vector<std::string> unsupported;
  for (const auto &entry : histogram)
    if (!supported.count(entry.first))
      unsupported.push_back(entry.first);

  if (json) {
    llvm::json::Object ops;
    llvm::json::Array unsupportedOps;
    for (const auto &[op, count] : histogram)
      ops[validUtf8(op)] = count;
    for (const std::string &op : unsupported)
      unsupportedOps.push_back(jsonText(op));
    llvm::json::Object description{{"file", jsonText(path)},
                                   {"ir_version", model.ir_version()},
                                   {"graph_name", jsonText(graph.name())},
                                   {"model", modelJson(model)},
                                   {"inputs", valuesJson(inputs)},
                                   {"outputs", valuesJson(outputs)},
                                   {"initializers", graph.initializer_size()},
                                   {"operators", std::move(ops)},
                                   {"unsupported_operators", std::move(unsupportedOps)}};
    llvm::outs() << llvm::formatv("{0:2}", llvm::json::Value(std::move(description))) << "\n";
    return 0;
  }

  std::printf("model: %s\n", path.c_str());
  std::printf("  ir_version: %lld, producer: %s %s, graph: %s\n",
              static_cast<long long>(model.ir_version()), printable(model.producer_name()).c_str(),
              printable(model.producer_version()).c_str(), printable(graph.name()).c_str());
  std::printf("  domain: %s, model version: %lld\n", printable(model.domain()).c_str(),
              static_cast<long long>(model.model_version()));
  if (!model.doc_string().empty())
    std::printf("description: %s\n", printable(model.doc_string()).c_str());
  if (!graph.doc_string().empty())
    std::printf("graph description: %s\n", printable(graph.doc_string()).c_str());
  std::printf("opsets:\n");
  for (const auto &opset : model.opset_import())
    std::printf("  %s: %lld\n",
                opset.domain().empty() ? "ai.onnx" : printable(opset.domain()).c_str(),
                static_cast<long long>(opset.version()));
  // One line per value ("  NAME: TYPE[d0,d1]"): scripts read these sections.
  std::printf("inputs:\n");
  for (const auto *in : inputs)
    std::printf("  %s: %s\n", printable(in->name()).c_str(), describeType(in->type()).c_str());
  std::printf("outputs:\n");
  for (const auto *out : outputs)
    std::printf("  %s: %s\n", printable(out->name()).c_str(), describeType(out->type()).c_str());
  printValueDocs(inputs, outputs);
  std::printf("metadata: %d entries\n", model.metadata_props_size());
  for (const auto &prop : model.metadata_props())
    std::printf("  %s: %s\n", printable(prop.key()).c_str(), printable(prop.value()).c_str());
  std::printf("initializers: %d\n", graph.initializer_size());
  std::printf("operators:\n");
  for (const auto &[op, count] : histogram)
    std::printf("  %-28s %d\n", printable(op).c_str(), count);
  std::printf("unsupported operators: %s\n", unsupported.empty() ? "none" : "");
  for (const std::string &op : unsupported)
    std::printf("  %s\n", printable(op).c_str());
  return 0;
}

} // namespace smelt
