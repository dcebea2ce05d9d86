//===- OpsetUpgrade.cpp - upgrade a model to the canonical opset ----------===//
//
// Runs libonnx's version converter, after adapting the nodes its adapters get
// wrong, and works around the adapters that refuse symbolic dims.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/OpsetUpgrade.h"
#include "compiler/import/NodeValidator.h"

#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/StringMap.h"

#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

namespace smelt {

namespace {

/// libonnx's shape inference in its lenient mode: errors leave the model as
/// it was. The converter's adapters read ranks and dims from value_info.
void inferLeniently(::onnx::ModelProto &model) {
  try {
    ::onnx::ModelProto shaped = model;
    ::onnx::shape_inference::InferShapes(shaped, ::onnx::OpSchemaRegistry::Instance(),
                                         ::onnx::ShapeInferenceOptions(false, 0, true));
    model = std::move(shaped);
  } catch (const std::exception &) {
  }
}

/// Before opset 7, PRelu's 1-D slope applied per channel (dim 1); from opset
/// 7 it broadcasts numpy-style from the right, and libonnx's converter does
/// not adapt it. Reshape such constant slopes to [C, 1, ..., 1].
void adaptLegacyPRelu(::onnx::GraphProto &graph) {
  llvm::StringMap<int> ranks = declaredRanks(graph);
  for (const auto &node : graph.node()) {
    if (node.op_type() != "PRelu" || node.input_size() != 2)
      continue;
    auto rank = ranks.find(node.input(0));
    if (rank == ranks.end() || rank->second <= 2)
      continue;
    for (auto &init : *graph.mutable_initializer()) {
      if (init.name() != node.input(1) || init.dims_size() != 1)
        continue;
      for (int i = 2; i < rank->second; ++i)
        init.add_dims(1);
      // Old models also list initializers as graph inputs, with their type.
      for (auto &input : *graph.mutable_input())
        if (input.name() == init.name() && input.type().has_tensor_type())
          for (int i = 2; i < rank->second; ++i)
            input.mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(1);
    }
  }
}

bool hasSymbolicInputDims(const ::onnx::GraphProto &graph) {
  for (const auto &input : graph.input())
    if (input.type().has_tensor_type())
      for (const auto &dim : input.type().tensor_type().shape().dim())
        if (!dim.has_dim_value())
          return true;
  return false;
}

void clearValueInfo(::onnx::GraphProto &graph) {
  graph.clear_value_info();
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute()) {
      if (attr.has_g())
        clearValueInfo(*attr.mutable_g());
      for (auto &g : *attr.mutable_graphs())
        clearValueInfo(g);
    }
}

/// The graph's inputs are the caller's contract, which no opset upgrade
/// changes; yet libonnx's converter drops the types of sequence and optional
/// inputs and outputs (its IR knows only tensors), and its opset-8 Scan
/// adapter strips the batch dim off the declared inputs. Put the original
/// input types back, and the output types it dropped, by name.
void restoreBoundaryTypes(const ::onnx::GraphProto &original, ::onnx::GraphProto &converted) {
  llvm::StringMap<const ::onnx::TypeProto *> inputs, outputs;
  for (const auto &vi : original.input())
    inputs[vi.name()] = &vi.type();
  for (const auto &vi : original.output())
    outputs[vi.name()] = &vi.type();
  for (auto &vi : *converted.mutable_input())
    if (auto it = inputs.find(vi.name()); it != inputs.end())
      *vi.mutable_type() = *it->second;
  for (auto &vi : *converted.mutable_output())
    if (vi.type().value_case() == ::onnx::TypeProto::VALUE_NOT_SET)
      if (auto it = outputs.find(vi.name()); it != outputs.end())
        *vi.mutable_type() = *it->second;
}

/// libonnx's Gemm adapter (opset 6 to 7) indexes the dims of A and B as if
/// both had rank 2, unchecked (garbage dims, then a huge allocation): the
/// converter gets only models where inference shows that they do.
bool gemmOperandsHaveRank2(const ::onnx::GraphProto &graph) {
  llvm::StringMap<int> ranks = declaredRanks(graph);
  for (const auto &node : graph.node())
    for (int i = 0; node.op_type() == "Gemm" && i < 2 && i < node.input_size(); ++i) {
      auto rank = ranks.find(node.input(i));
      if (rank == ranks.end() || rank->second != 2)
        return false;
    }
  return true;
}

/// Converts to the canonical opset, after inferring the shapes the adapters
/// read. False when the converter fails; the model then keeps its opset.
bool convertToCanonicalOpset(::onnx::ModelProto &model, int64_t opset) {
  inferLeniently(model);
  if (opset < 7 && !gemmOperandsHaveRank2(model.graph()))
    return false;
  try {
    ::onnx::ModelProto converted =
        ::onnx::version_conversion::ConvertVersion(model, smelt::onnx::kCanonicalOpset);
    restoreBoundaryTypes(model.graph(), *converted.mutable_graph());
    model = std::move(converted);
    return true;
  } catch (const std::exception &) {
    return false;
  }
}

/// libonnx's broadcast adapters (opset 6 to 7) assert that every dim of their
/// operands is a number, although their rewrite depends only on ranks. Convert
/// a copy whose symbolic input dims are 1 (which broadcasts against anything),
/// then put the real input and output types back and drop the value_info that
/// was derived from the stand-ins: inference derives it anew. No adapter that
/// could bake a stand-in into the graph runs (see adaptLegacySoftmax).
bool convertWithStandInDims(::onnx::ModelProto &model, int64_t opset) {
  ::onnx::ModelProto standIn = model;
  // Only declared shapes: mutable_shape() on an input without one would
  // declare it a scalar, and inference would read dims it does not have.
  for (auto &input : *standIn.mutable_graph()->mutable_input())
    if (input.type().has_tensor_type() && input.type().tensor_type().has_shape())
      for (auto &dim : *input.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim())
        if (!dim.has_dim_value())
          dim.set_dim_value(1);
  clearValueInfo(*standIn.mutable_graph());
  if (!convertToCanonicalOpset(standIn, opset))
    return false;
  ::onnx::GraphProto &converted = *standIn.mutable_graph();
  *converted.mutable_input() = model.graph().input();
  *converted.mutable_output() = model.graph().output();
  clearValueInfo(converted);
  model = std::move(standIn);
  return true;
}

::onnx::NodeProto makeNode(const std::string &opType, const std::string &name,
                           std::initializer_list<std::string> inputs, const std::string &output) {
  ::onnx::NodeProto node;
  node.set_op_type(opType);
  node.set_name(name);
  for (const std::string &input : inputs)
    node.add_input(input);
  node.add_output(output);
  return node;
}

/// Before opset 13, Softmax, LogSoftmax and Hardmax coerced their input to 2-D
/// at `axis`. libonnx's adapter rewrites that into Flatten, the op and a
/// Reshape back to the input's dims, baked in as a constant: a symbolic dim
/// becomes -1 there, which is wrong or invalid. Rewrite such nodes here, with
/// the Reshape taking the input's run-time Shape; the op then works on the
/// last axis of a 2-D value, which the adapter leaves alone. Reshape takes its
/// shape as an input from opset 5, Flatten takes a negative axis from 11.
void adaptLegacySoftmax(::onnx::GraphProto &graph, int64_t opset) {
  if (opset < 5 || opset >= 13)
    return;
  llvm::StringMap<int> ranks = declaredRanks(graph);
  google::protobuf::RepeatedPtrField<::onnx::NodeProto> nodes;
  for (auto &node : *graph.mutable_node()) {
    bool coercing = (node.op_type() == "Softmax" || node.op_type() == "LogSoftmax" ||
                     node.op_type() == "Hardmax") &&
                    node.domain().empty() && node.input_size() == 1 && node.output_size() == 1;
    int64_t axis = 1;
    for (const auto &attr : node.attribute())
      if (attr.name() == "axis")
        axis = attr.i();
    auto rank = coercing ? ranks.find(node.input(0)) : ranks.end();
    bool rankKnown = rank != ranks.end();
    if (rankKnown && axis < 0)
      axis += rank->second;
    if (!coercing || (rankKnown && axis == rank->second - 1) ||
        (axis < 0 && !rankKnown && opset < 11)) {
      *nodes.Add() = std::move(node);
      continue;
    }
    const std::string input = node.input(0), output = node.output(0);
    ::onnx::NodeProto flatten =
        makeNode("Flatten", node.name() + "_flatten", {input}, output + "_smelt_2d_in");
    auto *flattenAxis = flatten.add_attribute();
    flattenAxis->set_name("axis");
    flattenAxis->set_type(::onnx::AttributeProto::INT);
    flattenAxis->set_i(axis);
    *nodes.Add() = std::move(flatten);
    // axis -1, the last of two: libonnx's 12-to-13 adapter takes a last axis
    // as is even when inference cannot tell it the rank (a Flatten of a
    // value of unknown rank), but asserts on any other.
    ::onnx::NodeProto op = node;
    op.set_input(0, output + "_smelt_2d_in");
    op.set_output(0, output + "_smelt_2d_out");
    op.clear_attribute();
    for (const auto &attr : node.attribute())
      if (attr.name() != "axis")
        *op.add_attribute() = attr;
    auto *lastAxis = op.add_attribute();
    lastAxis->set_name("axis");
    lastAxis->set_type(::onnx::AttributeProto::INT);
    lastAxis->set_i(-1);
    *nodes.Add() = std::move(op);
    *nodes.Add() = makeNode("Shape", node.name() + "_shape", {input}, output + "_smelt_shape");
    *nodes.Add() = makeNode("Reshape", node.name() + "_reshape",
                            {output + "_smelt_2d_out", output + "_smelt_shape"}, output);
  }
  *graph.mutable_node() = std::move(nodes);
}

/// Opset-8 Scan works on a leading batch dim; libonnx's 8-to-9 adapter only
/// drops that dim from the declared sizes, which leaves the graph inconsistent.
/// With a batch of 1 (the only size whose dims are known here), squeeze the
/// batch dim off every state and scan input and unsqueeze it back onto every
/// output: then the node computes the same as an opset-9 Scan. Other batch
/// sizes are left to the converter. Returns whether a Scan was adapted.
bool adaptBatchedScan(::onnx::GraphProto &graph, int64_t opset) {
  if (opset != 8)
    return false;
  bool adapted = false;
  llvm::StringMap<const ::onnx::TensorShapeProto *> shapes;
  for (const auto *list : {&graph.input(), &graph.value_info()})
    for (const auto &vi : *list)
      if (vi.type().has_tensor_type() && vi.type().tensor_type().has_shape())
        shapes[vi.name()] = &vi.type().tensor_type().shape();
  auto batchOfOne = [&](const std::string &name) {
    auto it = shapes.find(name);
    return it != shapes.end() && it->second->dim_size() > 0 &&
           it->second->dim(0).has_dim_value() && it->second->dim(0).dim_value() == 1;
  };
  auto axesZero = [](::onnx::NodeProto &node) {
    auto *axes = node.add_attribute();
    axes->set_name("axes");
    axes->set_type(::onnx::AttributeProto::INTS);
    axes->add_ints(0);
  };
  google::protobuf::RepeatedPtrField<::onnx::NodeProto> nodes;
  for (auto &node : *graph.mutable_node()) {
    bool batched = node.op_type() == "Scan" && node.domain().empty() && node.input_size() > 1 &&
                   node.input(0).empty();
    for (int i = 1; batched && i < node.input_size(); ++i)
      batched = batchOfOne(node.input(i));
    if (!batched) {
      *nodes.Add() = std::move(node);
      continue;
    }
    adapted = true;
    ::onnx::NodeProto scan = node;
    for (int i = 1; i < scan.input_size(); ++i) {
      ::onnx::NodeProto squeeze = makeNode("Squeeze", node.name() + "_unbatch" + std::to_string(i),
                                           {scan.input(i)}, scan.input(i) + "_smelt_unbatched");
      axesZero(squeeze);
      scan.set_input(i, squeeze.output(0));
      *nodes.Add() = std::move(squeeze);
    }
    for (int i = 0; i < scan.output_size(); ++i)
      scan.set_output(i, node.output(i) + "_smelt_unbatched");
    *nodes.Add() = scan;
    for (int i = 0; i < node.output_size(); ++i) {
      ::onnx::NodeProto unsqueeze = makeNode("Unsqueeze", node.name() + "_batch" + std::to_string(i),
                                             {scan.output(i)}, node.output(i));
      axesZero(unsqueeze);
      *nodes.Add() = std::move(unsqueeze);
    }
  }
  *graph.mutable_node() = std::move(nodes);
  return adapted;
}

/// Drops the value_info the converter's Scan adapter derived for the
/// unbatched values (it strips one more dim off them); inference redoes it.
void dropUnbatchedValueInfo(::onnx::GraphProto &graph) {
  auto *infos = graph.mutable_value_info();
  for (int i = infos->size() - 1; i >= 0; --i)
    if (llvm::StringRef(infos->Get(i).name()).ends_with("_smelt_unbatched"))
      infos->DeleteSubrange(i, 1);
}

} // namespace

bool upgradeToCanonicalOpset(::onnx::ModelProto &model, int64_t opset) {
  // The adaptations below read ranks; from opset 13 on none applies, and the
  // conversion infers shapes itself.
  if (opset < 13)
    inferLeniently(model);
  if (opset < 7)
    adaptLegacyPRelu(*model.mutable_graph());
  adaptLegacySoftmax(*model.mutable_graph(), opset);
  bool unbatched = adaptBatchedScan(*model.mutable_graph(), opset);
  if (convertToCanonicalOpset(model, opset)) {
    if (unbatched)
      dropUnbatchedValueInfo(*model.mutable_graph());
    return true;
  }
  return hasSymbolicInputDims(model.graph()) && convertWithStandInDims(model, opset);
}

} // namespace smelt
