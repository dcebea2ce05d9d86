//===- NodeValidator.cpp - check every node before libonnx sees it --------===//
#include "compiler/import/NodeValidator.h"
#include "compiler/import/NodeNames.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <optional>

using namespace mlir;
using ::onnx::AttributeProto;
using ::onnx::OpSchema;

namespace smelt {

namespace {

/// Attributes whose every value must be > 0 wherever they appear.
bool mustBePositive(const std::string &name) {
  return name == "strides" || name == "dilations" || name == "kernel_shape" ||
         name == "blocksize" || name == "group" || name == "size" ||
         name == "hidden_size" || name == "output_height" || name == "output_width";
}

LogicalResult validateAttributeValues(const ::onnx::NodeProto &node, const std::string &described,
                                      Location loc) {
  for (const AttributeProto &attr : node.attribute()) {
    auto fail = [&](int64_t value, const char *rule) {
      return emitError(loc) << described << ": attribute '" << attr.name() << "' must be " << rule
                            << ", got " << value;
    };
    if (mustBePositive(attr.name())) {
      if (attr.type() == AttributeProto::INT && attr.i() <= 0)
        return fail(attr.i(), "positive");
      for (int64_t v : attr.ints())
        if (v <= 0)
          return fail(v, "positive");
    }
    // libonnx's Scan inference sizes vectors by it before checking it.
    if (attr.name() == "num_scan_inputs" && attr.type() == AttributeProto::INT &&
        (attr.i() < 1 || attr.i() > node.input_size()))
      return emitError(loc) << described << ": attribute 'num_scan_inputs' must be in [1, "
                            << node.input_size() << "], got " << attr.i();
    // GatherND's inference starts a loop over the data's dims at it.
    if (attr.name() == "batch_dims" && attr.type() == AttributeProto::INT && attr.i() < 0)
      return fail(attr.i(), "non-negative");
    if (attr.name() == "pads")
      for (int64_t v : attr.ints())
        // Negative pads are valid for Pad (its pads are an input), not here.
        if (v < 0 && node.op_type() != "Pad")
          return fail(v, "non-negative");
  }
  return success();
}

/// Checks one list of formal parameters (inputs or outputs) against the
/// names the node gives: at most `max` of them, and every Single formal
/// present and named.
LogicalResult verifyArity(const std::vector<OpSchema::FormalParameter> &formals, int max, int min,
                          const google::protobuf::RepeatedPtrField<std::string> &names,
                          const char *what, const std::string &described, Location loc) {
  if (names.size() > max)
    return emitError(loc) << described << ": has " << names.size() << " " << what
                          << "s, the operator takes at most " << max;
  if (names.size() < min && (formals.empty() || formals.back().GetOption() == OpSchema::Variadic))
    return emitError(loc) << described << ": has " << names.size() << " " << what
                          << "s, the operator needs at least " << min;
  for (size_t i = 0; i < formals.size(); ++i) {
    if (formals[i].GetOption() != OpSchema::Single)
      continue;
    if (i >= static_cast<size_t>(names.size()))
      return emitError(loc) << described << ": missing required " << what << " '"
                            << formals[i].GetName() << "'";
    if (names.Get(i).empty())
      return emitError(loc) << described << ": required " << what << " '" << formals[i].GetName()
                            << "' is empty";
  }
  return success();
}

/// Runs `check` on each graph input and output (and value_info entry, with
/// `withValueInfo`), named "graph input", "graph output" or "value_info",
/// until one fails.
LogicalResult forEachDeclaredValue(
    const ::onnx::GraphProto &graph, bool withValueInfo,
    llvm::function_ref<LogicalResult(const ::onnx::ValueInfoProto &, const char *)> check) {
  for (const auto &input : graph.input())
    if (failed(check(input, "graph input")))
      return failure();
  for (const auto &output : graph.output())
    if (failed(check(output, "graph output")))
      return failure();
  for (const auto &info : graph.value_info())
    if (withValueInfo && failed(check(info, "value_info")))
      return failure();
  return success();
}

/// Every value of `graph` has one definition (ONNX graphs are in SSA form):
/// graph inputs, initializers and node outputs are distinct names (gathered
/// in `definedBy`), and no graph output is listed twice. The main graph's
/// outputs are produced in it, and its inputs and outputs have types (a
/// body's may leave them to inference).
LogicalResult validateValueNames(const ::onnx::GraphProto &graph, bool isMain,
                                 llvm::StringMap<std::string> &definedBy, Location loc) {
  // definedBy: value name -> what defines it.
  auto define = [&](const std::string &name, std::string definer) -> LogicalResult {
    if (name.empty())
      return success();
    auto [it, inserted] = definedBy.try_emplace(name, definer);
    if (inserted)
      return success();
    return emitError(loc) << "tensor '" << name << "' is defined twice: as " << it->second
                          << " and as " << definer;
  };
  llvm::StringSet<> inputs;
  for (const auto &input : graph.input())
    if (!inputs.insert(input.name()).second)
      return emitError(loc) << "graph input '" << input.name() << "' is declared twice";
  for (const auto &init : graph.initializer())
    // An initializer may also be declared as a graph input (its default value).
    if (!inputs.contains(init.name()) && failed(define(init.name(), "an initializer")))
      return failure();
  for (const auto &input : graph.input())
    if (failed(define(input.name(), "a graph input")))
      return failure();
  for (int i = 0; i < graph.node_size(); ++i)
    for (const std::string &name : graph.node(i).output())
      if (failed(define(name, "an output of " + describeOnnxNode(graph.node(i), i))))
        return failure();
  llvm::StringSet<> outputs;
  for (const auto &output : graph.output())
    if (!outputs.insert(output.name()).second)
      return emitError(loc) << "graph output '" << output.name() << "' is listed twice";
  // A body's outputs may come from outside it, and inference types its
  // values. libonnx's graph import (behind the version converter) looks up
  // each main-graph output among the graph's values and reads the type of
  // each main-graph input and output, checking neither.
  if (!isMain)
    return success();
  for (const auto &output : graph.output())
    if (!definedBy.contains(output.name()))
      return emitError(loc) << "graph output '" << output.name() << "' is never produced";
  return forEachDeclaredValue(
      graph, /*withValueInfo=*/false,
      [&](const ::onnx::ValueInfoProto &info, const char *what) -> LogicalResult {
        if (!info.has_type() || info.type().value_case() == ::onnx::TypeProto::VALUE_NOT_SET)
          return emitError(loc) << what << " '" << info.name() << "' has no type";
        // libonnx's inference takes element type 0 (or an unknown number)
        // for a declared one; say which tensor lacks it before anything runs.
        if (info.type().has_tensor_type()) {
          int elemType = info.type().tensor_type().elem_type();
          if (elemType == ::onnx::TensorProto::UNDEFINED ||
              !::onnx::TensorProto::DataType_IsValid(elemType))
            return emitError(loc) << what << " '" << info.name()
                                  << "' has no valid element type (got " << elemType << ")";
        }
        return success();
      });
}

/// The first negative dim of `shape`, with its place.
std::optional<std::pair<int, int64_t>> negativeDim(const ::onnx::TensorShapeProto &shape) {
  for (int d = 0; d < shape.dim_size(); ++d)
    if (shape.dim(d).has_dim_value() && shape.dim(d).dim_value() < 0)
      return std::make_pair(d, shape.dim(d).dim_value());
  return std::nullopt;
}

/// The first negative dim that `type` (or a sequence's, optional's or
/// map's element type inside it) declares, with its place.
std::optional<std::pair<int, int64_t>> negativeDim(const ::onnx::TypeProto &type) {
  switch (type.value_case()) {
  case ::onnx::TypeProto::kTensorType:
    return negativeDim(type.tensor_type().shape());
  case ::onnx::TypeProto::kSparseTensorType:
    return negativeDim(type.sparse_tensor_type().shape());
  case ::onnx::TypeProto::kSequenceType:
    return negativeDim(type.sequence_type().elem_type());
  case ::onnx::TypeProto::kOptionalType:
    return negativeDim(type.optional_type().elem_type());
  case ::onnx::TypeProto::kMapType:
    return negativeDim(type.map_type().value_type());
  default:
    return std::nullopt;
  }
}

/// libonnx's inference takes declared dims as they are: a negative one
/// became a negative index into another shape (GatherND's indices, found by
/// the import fuzzer). Graph inputs, outputs and value_info are checked.
LogicalResult validateDeclaredDims(const ::onnx::GraphProto &graph, Location loc) {
  return forEachDeclaredValue(
      graph, /*withValueInfo=*/true,
      [&](const ::onnx::ValueInfoProto &info, const char *what) -> LogicalResult {
        std::optional<std::pair<int, int64_t>> bad = negativeDim(info.type());
        if (!bad)
          return success();
        return emitError(loc) << what << " '" << info.name() << "' declares dim " << bad->first
                              << " as " << bad->second << " (dims must be >= 0)";
      });
}

} // namespace

llvm::StringMap<int> declaredRanks(const ::onnx::GraphProto &graph) {
  llvm::StringMap<int> ranks;
  auto note = [&](const ::onnx::ValueInfoProto &info) {
    if (info.type().has_tensor_type() && info.type().tensor_type().has_shape())
      ranks[info.name()] = info.type().tensor_type().shape().dim_size();
  };
  for (const auto &input : graph.input())
    note(input);
  for (const auto &info : graph.value_info())
    note(info);
  for (const auto &init : graph.initializer())
    ranks[init.name()] = init.dims_size();
  return ranks;
}

namespace {

/// What an operand's rank must be for libonnx's inference, which reads its
/// dims without checking it first.
struct RankRule {
  const char *op;
  int input;
  enum Kind { Exactly, AtLeast, SameAsInput0 } kind;
  int rank; // For Exactly and AtLeast.
  const char *why;
};

/// Each rule applies where the file declares the operand's rank; the others
/// are left to inference, which then has no dims to read.
constexpr RankRule kRankRules[] = {
    // Gemm's inference (before opset 11 unchecked) reads two dims of A and B.
    {"Gemm", 0, RankRule::Exactly, 2, "A is a matrix"},
    {"Gemm", 1, RankRule::Exactly, 2, "B is a matrix"},
    // The recurrent ops' inference reads dims of X, W, R, B, initial_h,
    // initial_c and P.
    {"LSTM", 0, RankRule::Exactly, 3, "X is [seq_length, batch, input_size]"},
    {"LSTM", 1, RankRule::Exactly, 3, "W is [directions, gates * hidden, input_size]"},
    {"LSTM", 2, RankRule::Exactly, 3, "R is [directions, gates * hidden, hidden]"},
    {"LSTM", 3, RankRule::Exactly, 2, "B is [directions, 2 * gates * hidden]"},
    {"LSTM", 4, RankRule::Exactly, 1, "sequence_lens is [batch]"},
    {"LSTM", 5, RankRule::Exactly, 3, "initial_h is [directions, batch, hidden]"},
    {"LSTM", 6, RankRule::Exactly, 3, "initial_c is [directions, batch, hidden]"},
    {"LSTM", 7, RankRule::Exactly, 2, "P is [directions, 3 * hidden]"},
    {"GRU", 0, RankRule::Exactly, 3, "X is [seq_length, batch, input_size]"},
    {"GRU", 1, RankRule::Exactly, 3, "W is [directions, gates * hidden, input_size]"},
    {"GRU", 2, RankRule::Exactly, 3, "R is [directions, gates * hidden, hidden]"},
    {"GRU", 3, RankRule::Exactly, 2, "B is [directions, 2 * gates * hidden]"},
    {"GRU", 4, RankRule::Exactly, 1, "sequence_lens is [batch]"},
    {"GRU", 5, RankRule::Exactly, 3, "initial_h is [directions, batch, hidden]"},
    {"RNN", 0, RankRule::Exactly, 3, "X is [seq_length, batch, input_size]"},
    {"RNN", 1, RankRule::Exactly, 3, "W is [directions, hidden, input_size]"},
    {"RNN", 2, RankRule::Exactly, 3, "R is [directions, hidden, hidden]"},
    {"RNN", 3, RankRule::Exactly, 2, "B is [directions, 2 * hidden]"},
    {"RNN", 4, RankRule::Exactly, 1, "sequence_lens is [batch]"},
    {"RNN", 5, RankRule::Exactly, 3, "initial_h is [directions, batch, hidden]"},
    // ConvTranspose's inference reads one filter dim per spatial dim of X.
    {"ConvTranspose", 0, RankRule::AtLeast, 3, "X is [batch, channels, spatial dims...]"},
    {"ConvTranspose", 1, RankRule::SameAsInput0, 0, "the filter has X's rank"},
};

/// An `axis` attribute counts from input 0's rank r: [-r, r] (r itself only
/// where an op appends, such as Flatten); OneHot's counts from its result's
/// rank r + 1. libonnx's inference of several ops (LayerNormalization, found
/// by the import fuzzer) reads dims at an axis it normalizes but never
/// checks. Applies where input 0's rank is declared.
LogicalResult validateAxisRange(const ::onnx::NodeProto &node, const std::string &described,
                                const llvm::StringMap<int> &ranks, Location loc) {
  if (node.input_size() == 0 || (!node.domain().empty() && node.domain() != "ai.onnx"))
    return success();
  auto rank = ranks.find(node.input(0));
  if (rank == ranks.end())
    return success();
  int64_t r = rank->second, low = node.op_type() == "OneHot" ? -r - 1 : -r;
  for (const AttributeProto &attr : node.attribute()) {
    if (attr.name() != "axis" || attr.type() != AttributeProto::INT)
      continue;
    if (attr.i() < low || attr.i() > r)
      return emitError(loc) << described << ": attribute 'axis' (" << attr.i()
                            << ") is out of range for input 0 ('" << node.input(0)
                            << "') of rank " << r;
  }
  return success();
}

LogicalResult validateOperandRanks(const ::onnx::NodeProto &node, const std::string &described,
                                   const llvm::StringMap<int> &ranks, Location loc) {
  auto rankOf = [&](int input) -> std::optional<int> {
    if (input >= node.input_size() || node.input(input).empty())
      return std::nullopt;
    auto it = ranks.find(node.input(input));
    return it == ranks.end() ? std::nullopt : std::optional<int>(it->second);
  };
  for (const RankRule &rule : kRankRules) {
    if (node.op_type() != rule.op)
      continue;
    std::optional<int> rank = rankOf(rule.input);
    if (!rank)
      continue;
    std::optional<int> wanted = rule.kind == RankRule::SameAsInput0 ? rankOf(0)
                                                                    : std::optional<int>(rule.rank);
    bool holds = !wanted || (rule.kind == RankRule::AtLeast ? *rank >= *wanted : *rank == *wanted);
    if (holds)
      continue;
    return emitError(loc) << described << ": input " << rule.input << " ('"
                          << node.input(rule.input) << "') must have rank "
                          << (rule.kind == RankRule::AtLeast ? "at least " : "") << *wanted
                          << " (" << rule.why << "), got " << *rank;
  }
  return success();
}

/// The length the file declares for each 1-D value (a graph input's static
/// dim 0, an initializer's), gathered once per graph.
llvm::StringMap<int64_t> declaredLengths(const ::onnx::GraphProto &graph) {
  llvm::StringMap<int64_t> lengths;
  for (const auto &input : graph.input())
    if (input.type().has_tensor_type() && input.type().tensor_type().shape().dim_size() == 1 &&
        input.type().tensor_type().shape().dim(0).has_dim_value())
      lengths[input.name()] = input.type().tensor_type().shape().dim(0).dim_value();
  for (const auto &init : graph.initializer()) // an initializer wins over its input
    if (init.dims_size() == 1)
      lengths[init.name()] = init.dims(0);
  return lengths;
}

/// libonnx's inference makes one result dim per entry of a shape operand
/// (Expand, Reshape, ConstantOfShape) or of Tile's repeats: a declared length
/// beyond any real rank would have it build a shape of that rank.
LogicalResult validateShapeOperandLength(const llvm::StringMap<int64_t> &lengths,
                                         const ::onnx::NodeProto &node,
                                         const std::string &described, Location loc) {
  int operand = node.op_type() == "ConstantOfShape" ? 0
                : node.op_type() == "Expand" || node.op_type() == "Reshape" ||
                        node.op_type() == "Tile"
                    ? 1
                    : -1;
  if (operand < 0 || operand >= node.input_size())
    return success();
  auto declared = lengths.find(node.input(operand));
  if (declared == lengths.end() || declared->second <= kMaxDeclaredRank)
    return success();
  int64_t length = declared->second;
  return emitError(loc) << described << ": its shape operand '" << node.input(operand)
                        << "' has " << length << " entries (a tensor has at most "
                        << kMaxDeclaredRank << " dims)";
}

/// The values a graph's nodes may read: its own, then those of the graphs
/// around it, innermost first.
using Scopes = llvm::SmallVector<const llvm::StringMap<std::string> *, 4>;

/// Every input a node names is defined in its graph or one around it
/// (libonnx's inference takes the type of any other name as present).
LogicalResult validateInputsDefined(const ::onnx::NodeProto &node, const std::string &described,
                                    const Scopes &scopes, Location loc) {
  for (const std::string &name : node.input()) {
    if (name.empty() ||
        llvm::any_of(scopes, [&](const auto *scope) { return scope->contains(name); }))
      continue;
    return emitError(loc) << described << ": input '" << name
                          << "' is not defined (no graph input, initializer or node output "
                             "has that name)";
  }
  return success();
}

LogicalResult validateGraph(const ::onnx::GraphProto &graph, int64_t opset, int depth,
                            Scopes scopes, Location loc) {
  llvm::StringMap<std::string> definedBy;
  if (failed(validateValueNames(graph, /*isMain=*/depth == 0, definedBy, loc)) ||
      failed(validateDeclaredDims(graph, loc)))
    return failure();
  scopes.insert(scopes.begin(), &definedBy);
  llvm::StringMap<int> ranks = declaredRanks(graph);
  llvm::StringMap<int64_t> lengths = declaredLengths(graph);
  for (int i = 0; i < graph.node_size(); ++i) {
    const ::onnx::NodeProto &node = graph.node(i);
    std::string described = describeOnnxNode(node, i);
    if (node.domain().empty() || node.domain() == "ai.onnx") {
      const OpSchema *schema = ::onnx::OpSchemaRegistry::Schema(node.op_type(), opset);
      if (!schema)
        return emitError(loc) << described << ": unknown ONNX operator '" << node.op_type()
                              << "' at opset " << opset;
      if (failed(verifyNodeAgainstSchema(node, *schema, described, loc)))
        return failure();
    }
    if (failed(validateInputsDefined(node, described, scopes, loc)) ||
        failed(validateAttributeValues(node, described, loc)) ||
        failed(validateOperandRanks(node, described, ranks, loc)) ||
        failed(validateAxisRange(node, described, ranks, loc)) ||
        failed(validateShapeOperandLength(lengths, node, described, loc)))
      return failure();
    for (const AttributeProto &attr : node.attribute()) {
      if ((attr.has_g() || attr.graphs_size()) && depth == kMaxSubgraphDepth)
        return emitError(loc) << described << ": subgraphs are nested more than "
                              << kMaxSubgraphDepth << " deep";
      if (attr.has_g() && failed(validateGraph(attr.g(), opset, depth + 1, scopes, loc)))
        return failure();
      for (const auto &g : attr.graphs())
        if (failed(validateGraph(g, opset, depth + 1, scopes, loc)))
          return failure();
    }
  }
  return success();
}

} // namespace

const char *attributeKindName(int kind) {
  if (!AttributeProto::AttributeType_IsValid(kind))
    return "an unknown kind";
  return AttributeProto::AttributeType_Name(static_cast<AttributeProto::AttributeType>(kind)).c_str();
}

LogicalResult verifyNodeAgainstSchema(const ::onnx::NodeProto &node, const OpSchema &schema,
                                      const std::string &described, Location loc) {
  // Trailing empty names are absent optional inputs and outputs.
  if (failed(verifyArity(schema.inputs(), schema.max_input(), schema.min_input(), node.input(),
                         "input", described, loc)) ||
      failed(verifyArity(schema.outputs(), schema.max_output(), schema.min_output(), node.output(),
                         "output", described, loc)))
    return failure();
  for (const AttributeProto &attr : node.attribute()) {
    auto it = schema.attributes().find(attr.name());
    if (it == schema.attributes().end())
      return emitError(loc) << described << ": unknown attribute '" << attr.name() << "'";
    if (!attr.ref_attr_name().empty())
      return emitError(loc) << described << ": attribute references are only valid in functions";
    if (attr.type() != it->second.type)
      return emitError(loc) << described << ": attribute '" << attr.name() << "' must be "
                            << attributeKindName(it->second.type) << " but is "
                            << attributeKindName(attr.type());
  }
  for (const auto &[name, formal] : schema.attributes()) {
    if (!formal.required)
      continue;
    bool given = false;
    for (const AttributeProto &attr : node.attribute())
      given |= attr.name() == name;
    if (!given)
      return emitError(loc) << described << ": missing required attribute '" << name << "'";
  }
  return success();
}

LogicalResult validateNodes(const ::onnx::GraphProto &graph, int64_t opset, Location loc) {
  return validateGraph(graph, opset, /*depth=*/0, /*scopes=*/{}, loc);
}

} // namespace smelt
