//===- NodeValidator.h - check every node before libonnx sees it -*- C++ -*-===//
//
// libonnx's version converter and shape inference trust their input: a node
// whose arity contradicts its schema (a one-input Selu renamed Mul) crashes
// the converter, and a zero stride ends shape inference with SIGFPE. So each
// node, in every subgraph, is checked against its schema at the model's
// opset (arity, attribute names, kinds and required attributes) and its
// attribute values are checked where ONNX needs them positive, before any
// libonnx routine runs; a hostile model gets an error naming the node. Each
// value must also have one definition (ONNX graphs are in SSA form; a second
// producer of a name would otherwise silently win), the main graph's
// outputs must be produced in it and typed (tensors with a valid element
// type), subgraphs nest at most kMaxSubgraphDepth deep, and the operands whose
// dims libonnx's inference reads unchecked (Gemm, LSTM/GRU/RNN, ConvTranspose:
// one table in NodeValidator.cpp) have the ranks it assumes, where the file
// declares them.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_NODEVALIDATOR_H
#define SMELT_COMPILER_IMPORT_NODEVALIDATOR_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

namespace smelt {

/// Subgraphs (If, Loop and Scan bodies) nested deeper than this are refused:
/// real models nest a few levels, and every pass recurses through them.
constexpr int kMaxSubgraphDepth = 32;

/// Most dims a shape operand (Expand, Reshape, ConstantOfShape, Tile) may
/// declare: libonnx's inference builds a shape of that rank.
constexpr int64_t kMaxDeclaredRank = 64;

/// Checks that every value of `graph` and of its subgraphs is defined once
/// (inputs, initializers, node outputs; graph outputs listed once), that
/// subgraphs nest at most kMaxSubgraphDepth deep, and every node against its
/// schema at `opset` and its attribute values (positive strides, dilations,
/// kernel_shape, blocksize, group, ...; pads not negative). Nodes of other
/// domains are left to the importer, which refuses them by name.
mlir::LogicalResult validateNodes(const ::onnx::GraphProto &graph, int64_t opset, mlir::Location loc);

/// Checks `node` against `schema`: input and output counts, required inputs
/// and outputs present and named, attributes known, of the declared kind, and
/// required ones present. `described` names the node ("node 'x' (Op)").
mlir::LogicalResult verifyNodeAgainstSchema(const ::onnx::NodeProto &node,
                                            const ::onnx::OpSchema &schema,
                                            const std::string &described, mlir::Location loc);

/// The ranks of the graph's values that the file declares (or inference has
/// recorded): graph inputs, initializers and value_info entries with a shape.
llvm::StringMap<int> declaredRanks(const ::onnx::GraphProto &graph);

/// The name of an attribute kind, such as "INTS".
const char *attributeKindName(int kind);

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_NODEVALIDATOR_H
