//===- NodeNames.h - how the importer names ONNX nodes ----------*- C++ -*-===//
//
// One name per node for locations and diagnostics, whichever step of the
// import reports it: the node's own name, or "<OpType>_<index>" for an
// unnamed node (the index in its graph), as the run-time checks later
// name the same node.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_NODENAMES_H
#define SMELT_COMPILER_IMPORT_NODENAMES_H

#include <onnx/onnx_pb.h>

#include <string>

namespace smelt {

/// The node's name, or "<OpType>_<index>" for an unnamed node.
inline std::string onnxNodeName(const ::onnx::NodeProto &node, int index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
}

/// "node 'name' (OpType)" for diagnostics.
inline std::string describeOnnxNode(const ::onnx::NodeProto &node, int index) {
  return "node '" + onnxNodeName(node, index) + "' (" + node.op_type() + ")";
}

/// Names every unnamed node of `graph` and of its subgraphs by
/// onnxNodeName, so that the name survives reordering and opset upgrades.
inline void nameUnnamedNodes(::onnx::GraphProto &graph) {
  for (int i = 0; i < graph.node_size(); ++i) {
    ::onnx::NodeProto &node = *graph.mutable_node(i);
    if (node.name().empty())
      node.set_name(onnxNodeName(node, i));
    for (auto &attr : *node.mutable_attribute()) {
      if (attr.has_g())
        nameUnnamedNodes(*attr.mutable_g());
      for (auto &g : *attr.mutable_graphs())
        nameUnnamedNodes(g);
    }
  }
}

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_NODENAMES_H
