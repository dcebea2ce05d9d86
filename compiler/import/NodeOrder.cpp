//===- NodeOrder.cpp - put a graph's nodes in dependency order ------------===//
#include "compiler/import/NodeOrder.h"
#include "compiler/import/NodeNames.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <queue>
#include <vector>

using namespace mlir;

namespace smelt {
namespace {

/// Calls `read` with every input name the nodes of `node`'s subgraphs use,
/// recursively: the outer values a node reads from inside its bodies
/// (names produced inside are passed too, and match no outer producer).
void forEachSubgraphRead(const ::onnx::NodeProto &node,
                         const std::function<void(const std::string &)> &read) {
  auto visitGraph = [&](const ::onnx::GraphProto &graph) {
    for (const ::onnx::NodeProto &inner : graph.node()) {
      for (const std::string &name : inner.input())
        read(name);
      forEachSubgraphRead(inner, read);
    }
  };
  for (const ::onnx::AttributeProto &attr : node.attribute()) {
    if (attr.has_g())
      visitGraph(attr.g());
    for (const ::onnx::GraphProto &graph : attr.graphs())
      visitGraph(graph);
  }
}

/// Sorts the nodes of `graph` itself (Kahn's algorithm, the lowest original
/// index first among the ready nodes).
LogicalResult sortGraph(::onnx::GraphProto &graph, Location loc) {
  int count = graph.node_size();
  llvm::StringMap<int> producer;
  for (int i = 0; i < count; ++i)
    for (const std::string &name : graph.node(i).output())
      if (!name.empty())
        producer.try_emplace(name, i);

  std::vector<llvm::SmallVector<int>> users(count), inputsOf(count);
  std::vector<int> waiting(count, 0);
  bool sorted = true;
  for (int i = 0; i < count; ++i) {
    llvm::SmallVector<int> deps;
    auto read = [&](const std::string &name) {
      auto it = producer.find(name);
      if (it != producer.end())
        deps.push_back(it->second);
    };
    for (const std::string &name : graph.node(i).input())
      read(name);
    forEachSubgraphRead(graph.node(i), read);
    llvm::sort(deps);
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    for (int d : deps) {
      users[d].push_back(i);
      ++waiting[i];
      sorted &= d < i;
    }
    inputsOf[i] = std::move(deps);
  }
  if (sorted)
    return success();

  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < count; ++i)
    if (waiting[i] == 0)
      ready.push(i);
  std::vector<int> order;
  order.reserve(count);
  while (!ready.empty()) {
    int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int user : users[i])
      if (--waiting[user] == 0)
        ready.push(user);
  }
  if (static_cast<int>(order.size()) < count) {
    // The nodes left are on a cycle or downstream of one. Peel the
    // downstream ones (no node left reads them; Kahn's algorithm backwards)
    // to name the cycle.
    std::vector<bool> left(count, false);
    std::vector<int> readers(count, 0);
    for (int i = 0; i < count; ++i)
      left[i] = waiting[i] > 0;
    for (int i = 0; i < count; ++i)
      if (left[i])
        for (int d : inputsOf[i])
          readers[d] += left[d];
    std::vector<int> unread;
    for (int i = 0; i < count; ++i)
      if (left[i] && readers[i] == 0)
        unread.push_back(i);
    while (!unread.empty()) {
      int i = unread.back();
      unread.pop_back();
      left[i] = false;
      for (int d : inputsOf[i])
        if (left[d] && --readers[d] == 0)
          unread.push_back(d);
    }
    InFlightDiagnostic error = emitError(loc) << "the graph has a cycle: ";
    int listed = 0, onCycle = llvm::count(left, true);
    for (int i = 0; i < count && listed < 8; ++i)
      if (left[i])
        error << (listed++ ? ", " : "") << describeOnnxNode(graph.node(i), i);
    if (onCycle > listed)
      error << " and " << (onCycle - listed) << " more";
    error << " each read another's output";
    return error;
  }
  google::protobuf::RepeatedPtrField<::onnx::NodeProto> nodes;
  nodes.Reserve(count);
  for (int i : order)
    nodes.Add()->Swap(graph.mutable_node(i));
  graph.mutable_node()->Swap(&nodes);
  return success();
}

} // namespace

LogicalResult sortNodesTopologically(::onnx::GraphProto &graph, Location loc) {
  if (failed(sortGraph(graph, loc)))
    return failure();
  for (::onnx::NodeProto &node : *graph.mutable_node())
    for (::onnx::AttributeProto &attr : *node.mutable_attribute()) {
      if (attr.has_g() && failed(sortNodesTopologically(*attr.mutable_g(), loc)))
        return failure();
      for (::onnx::GraphProto &body : *attr.mutable_graphs())
        if (failed(sortNodesTopologically(body, loc)))
          return failure();
    }
  return success();
}

} // namespace smelt
