//===- NodeOrder.h - put a graph's nodes in dependency order -*- C++ -*-===//
//
// ONNX asks for nodes in topological order, but exporters and hand-edited
// models do not always keep it, and ONNX Runtime sorts them. The importer
// (and libonnx's shape inference and version converter) read the nodes in
// order, so the graph is sorted first: each node after the nodes whose
// outputs it reads, directly or from inside its subgraphs (If and Loop
// bodies read outer values), otherwise in the original order. A real cycle
// is an error naming the nodes on it.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_NODEORDER_H
#define SMELT_COMPILER_IMPORT_NODEORDER_H

#include "mlir/IR/Location.h"

#include <onnx/onnx_pb.h>

namespace smelt {

/// Sorts the nodes of `graph` and of every subgraph in it topologically,
/// keeping the original order where dependencies allow. Fails on a cycle.
mlir::LogicalResult sortNodesTopologically(::onnx::GraphProto &graph, mlir::Location loc);

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_NODEORDER_H
