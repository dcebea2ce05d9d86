//===- InspectCommand.cpp - smelt inspect: what a model holds -------------===//
//
// Prints a model's graph inputs and outputs, opset imports, a histogram of
// operator types, and which operators Smelt cannot compile yet.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/Commands.h"

#include "compiler/import/Importer.h"
#include "compiler/pipeline/Registration.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

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
                           : d.dim_param().empty() ? std::string("?") : d.dim_param());
  }
  return s + "]";
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

int inspectCommand(const std::string &path) {
  mlir::DialectRegistry registry;
  registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  ::onnx::ModelProto model;
  if (mlir::failed(loadModelProto(path, model, &context)))
    return 1;
  const auto &graph = model.graph();
  std::printf("model: %s\n", path.c_str());
  std::printf("  ir_version: %lld, producer: %s %s, graph: %s\n",
              static_cast<long long>(model.ir_version()), model.producer_name().c_str(),
              model.producer_version().c_str(), graph.name().c_str());
  std::printf("opsets:\n");
  for (const auto &opset : model.opset_import())
    std::printf("  %s: %lld\n", opset.domain().empty() ? "ai.onnx" : opset.domain().c_str(),
                static_cast<long long>(opset.version()));

  std::set<std::string> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  std::printf("inputs:\n");
  for (const auto &in : graph.input())
    if (!initializers.count(in.name()))
      std::printf("  %s: %s\n", in.name().c_str(), describeType(in.type()).c_str());
  std::printf("outputs:\n");
  for (const auto &out : graph.output())
    std::printf("  %s: %s\n", out.name().c_str(), describeType(out.type()).c_str());
  std::printf("initializers: %d\n", graph.initializer_size());

  std::map<std::string, int> histogram;
  countOps(graph, histogram);
  std::vector<std::string> lowerable = lowerableOnnxOps(&context);
  std::set<std::string> supported(lowerable.begin(), lowerable.end());
  supported.insert("Constant");
  std::printf("operators:\n");
  std::vector<std::string> unsupported;
  for (const auto &[op, count] : histogram) {
    std::printf("  %-28s %d\n", op.c_str(), count);
    if (!supported.count(op))
      unsupported.push_back(op);
  }
  std::printf("unsupported operators: %s\n", unsupported.empty() ? "none" : "");
  for (const std::string &op : unsupported)
    std::printf("  %s\n", op.c_str());
  return 0;
}

} // namespace smelt
