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

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_NODENAMES_H
