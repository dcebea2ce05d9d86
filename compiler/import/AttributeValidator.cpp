//===- AttributeValidator.cpp - reject attribute values libonnx trips on --===//
#include "compiler/import/AttributeValidator.h"
#include "compiler/import/NodeNames.h"

#include "mlir/IR/Diagnostics.h"

#include <string>

using namespace mlir;

namespace smelt {

namespace {

/// Attributes whose every value must be > 0 wherever they appear.
bool mustBePositive(const std::string &name) {
  return name == "strides" || name == "dilations" || name == "kernel_shape" ||
         name == "blocksize" || name == "group" || name == "size" ||
         name == "hidden_size" || name == "output_height" || name == "output_width";
}

LogicalResult validateNode(const ::onnx::NodeProto &node, int index, Location loc) {
  for (const ::onnx::AttributeProto &attr : node.attribute()) {
    auto fail = [&](int64_t value, const char *rule) {
      return emitError(loc) << describeOnnxNode(node, index) << ": attribute '" << attr.name()
                            << "' must be " << rule << ", got " << value;
    };
    if (mustBePositive(attr.name())) {
      if (attr.type() == ::onnx::AttributeProto::INT && attr.i() <= 0)
        return fail(attr.i(), "positive");
      for (int64_t v : attr.ints())
        if (v <= 0)
          return fail(v, "positive");
    }
    if (attr.name() == "pads")
      for (int64_t v : attr.ints())
        // Negative pads are valid for Pad (its pads are an input), not here.
        if (v < 0 && node.op_type() != "Pad")
          return fail(v, "non-negative");
    if (attr.has_g() && failed(validateAttributeValues(attr.g(), loc)))
      return failure();
    for (const auto &g : attr.graphs())
      if (failed(validateAttributeValues(g, loc)))
        return failure();
  }
  return success();
}

} // namespace

LogicalResult validateAttributeValues(const ::onnx::GraphProto &graph, Location loc) {
  for (int i = 0; i < graph.node_size(); ++i)
    if (failed(validateNode(graph.node(i), i, loc)))
      return failure();
  return success();
}

} // namespace smelt
