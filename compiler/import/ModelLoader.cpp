//===- ModelLoader.cpp - read and prepare an ONNX ModelProto --------------===//
//
// Reads a model from disk (binary protobuf or ONNX text), loads external data
// from files inside the model's folder only, applies --shape overrides,
// upgrades the default-domain opset to the canonical one and runs libonnx's
// shape inference. Every failure is a diagnostic at the model file.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/ModelLoader.h"

#include "compiler/import/Importer.h"
#include "compiler/import/IsolatedLibonnx.h"
#include "compiler/import/NodeOrder.h"
#include "compiler/import/NodeNames.h"
#include "compiler/import/NodeValidator.h"
#include "compiler/import/OpsetUpgrade.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/defs/parser.h>
#include <onnx/shape_inference/implementation.h>

#include <google/protobuf/io/coded_stream.h>

using namespace mlir;

namespace smelt {

namespace {

/// Resolves an external-data location against the model folder, refusing
/// absolute paths and anything that escapes the folder (symlinks included).
FailureOr<std::string> resolveInsideFolder(StringRef folder, StringRef location, Location loc) {
  if (location.empty() || llvm::sys::path::is_absolute(location))
    return emitError(loc) << "external data location '" << location
                          << "' must be a relative path inside the model's folder";
  SmallString<256> realFolder, realFile, joined(folder);
  llvm::sys::path::append(joined, location);
  if (llvm::sys::fs::real_path(folder, realFolder) || llvm::sys::fs::real_path(joined, realFile))
    return emitError(loc) << "external data file '" << location << "' not found next to the model";
  StringRef file = realFile;
  if (!file.starts_with(realFolder) || file.size() <= realFolder.size() ||
      !llvm::sys::path::is_separator(file[realFolder.size()]))
    return emitError(loc) << "external data location '" << location
                          << "' escapes the model's folder";
  return std::string(file);
}

LogicalResult loadExternalData(::onnx::TensorProto &tensor, StringRef folder, Location loc) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" || entry.key() == "length") {
      char *end = nullptr;
      uint64_t v = std::strtoull(entry.value().c_str(), &end, 10);
      if (entry.value().empty() || *end)
        return emitError(loc) << "tensor '" << tensor.name() << "': bad external data "
                              << entry.key() << " '" << entry.value() << "'";
      (entry.key() == "offset" ? offset : length) = v;
      hasLength |= entry.key() == "length";
    }
  }
  if (folder.empty()) // A model read from memory has no folder to read from.
    return emitError(loc) << "tensor '" << tensor.name()
                          << "': external data is not available for a model read from memory";
  FailureOr<std::string> path = resolveInsideFolder(folder, location, loc);
  if (failed(path))
    return failure();
  auto buffer = llvm::MemoryBuffer::getFile(*path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read external data file '" << location
                          << "': " << buffer.getError().message();
  uint64_t size = (*buffer)->getBufferSize();
  if (!hasLength)
    length = offset <= size ? size - offset : 0;
  if (offset > size || length > size - offset)
    return emitError(loc) << "tensor '" << tensor.name() << "': external data range [" << offset
                          << ", " << offset + length << ") lies outside '" << location << "' ("
                          << size << " bytes)";
  tensor.set_raw_data((*buffer)->getBufferStart() + offset, length);
  tensor.clear_external_data();
  tensor.set_data_location(::onnx::TensorProto::DEFAULT);
  return success();
}

LogicalResult loadExternalDataInGraph(::onnx::GraphProto &graph, StringRef folder, Location loc);

LogicalResult loadExternalDataInAttributes(::onnx::NodeProto &node, StringRef folder, Location loc) {
  for (auto &attr : *node.mutable_attribute()) {
    if (attr.has_t() && attr.t().data_location() == ::onnx::TensorProto::EXTERNAL &&
        failed(loadExternalData(*attr.mutable_t(), folder, loc)))
      return failure();
    if (attr.has_g() && failed(loadExternalDataInGraph(*attr.mutable_g(), folder, loc)))
      return failure();
    for (auto &g : *attr.mutable_graphs())
      if (failed(loadExternalDataInGraph(g, folder, loc)))
        return failure();
  }
  return success();
}

LogicalResult loadExternalDataInGraph(::onnx::GraphProto &graph, StringRef folder, Location loc) {
  for (auto &init : *graph.mutable_initializer())
    if (init.data_location() == ::onnx::TensorProto::EXTERNAL &&
        failed(loadExternalData(init, folder, loc)))
      return failure();
  for (auto &node : *graph.mutable_node())
    if (failed(loadExternalDataInAttributes(node, folder, loc)))
      return failure();
  return success();
}

int64_t defaultDomainOpset(const ::onnx::ModelProto &model) {
  for (const auto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return 0;
}

} // namespace

bool parseOnnxText(const char *text, ::onnx::ModelProto &model, std::string &error) {
  // libonnx's parser recurses once per brace: bound the nesting before it
  // runs so that a hostile file cannot exhaust the stack. Braces inside
  // string literals do not count.
  int depth = 0, deepest = 0;
  bool inString = false;
  for (const char *c = text; *c; ++c) {
    if (*c == '"' && (c == text || c[-1] != '\\'))
      inString = !inString;
    else if (!inString && *c == '{')
      deepest = std::max(deepest, ++depth);
    else if (!inString && *c == '}')
      --depth;
  }
  if (deepest > 2 * kMaxSubgraphDepth + 8) {
    error = "braces are nested " + std::to_string(deepest) + " deep (subgraphs nest at most " +
            std::to_string(kMaxSubgraphDepth) + " deep)";
    return false;
  }
  try {
    auto status = ::onnx::OnnxParser::Parse(model, text);
    if (status.IsOK())
      return true;
    error = status.ErrorMessage();
  } catch (const std::exception &e) {
    error = std::string("malformed text (") + e.what() + ")";
  }
  return false;
}

bool parseBinaryModel(StringRef bytes, ::onnx::ModelProto &model) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX))
    return false;
  google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t *>(bytes.data()),
                                                static_cast<int>(bytes.size()));
  stream.SetTotalBytesLimit(INT32_MAX);
  // Room for subgraphs nested past kMaxSubgraphDepth (three messages per
  // level), so that validateNodes reports the depth instead of the parser
  // failing as if the file were corrupt.
  stream.SetRecursionLimit(4 * kMaxSubgraphDepth + 16);
  return model.ParseFromCodedStream(&stream) && stream.ConsumedEntireMessage();
}

LogicalResult parseModelBytes(StringRef bytes, bool isText, StringRef dataFolder,
                              ::onnx::ModelProto &model, Location loc) {
  if (isText) {
    std::string error, copy = bytes.str(); // Null-terminated for the parser.
    if (!parseOnnxText(copy.c_str(), model, error))
      return emitError(loc) << "cannot parse ONNX text: " << error;
  } else {
    if (bytes.size() > static_cast<size_t>(INT32_MAX))
      return emitError(loc) << "not a valid ONNX model: larger than 2 GiB (use external data)";
    if (!parseBinaryModel(bytes, model))
      return emitError(loc) << "not a valid ONNX model: the protobuf is truncated or corrupted";
  }
  if (!model.has_graph())
    return emitError(loc) << "not a valid ONNX model: it has no graph";
  return loadExternalDataInGraph(*model.mutable_graph(), dataFolder, loc);
}

LogicalResult loadModelProto(StringRef path, ::onnx::ModelProto &model, MLIRContext *context) {
  Location loc = FileLineColLoc::get(context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read model: " << buffer.getError().message();
  StringRef folder = llvm::sys::path::parent_path(path);
  return parseModelBytes((*buffer)->getBuffer(), path.ends_with(".onnxtxt") || path.ends_with(".txt"),
                         folder.empty() ? StringRef(".") : folder, model, loc);
}

bool parseShapeSpec(const std::string &spec, ImportOptions &options, std::string &error) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    error = "--shape expects NAME=d0,d1,... but got '" + spec + "'";
    return false;
  }
  std::vector<int64_t> dims;
  SmallVector<StringRef> items;
  StringRef(spec).substr(eq + 1).split(items, ',');
  for (StringRef item : items) {
    int64_t d;
    if (item.trim().getAsInteger(10, d)) {
      error = "--shape: '" + item.str() + "' is not a dimension in '" + spec + "'";
      return false;
    }
    dims.push_back(d);
  }
  options.inputShapes[spec.substr(0, eq)] = dims;
  return true;
}

LogicalResult prepareModel(::onnx::ModelProto &model, const ImportOptions &options, Location loc) {
  ::onnx::GraphProto &graph = *model.mutable_graph();

  if (options.symbolicInputDims) {
    llvm::StringSet<> initialized;
    for (const auto &init : graph.initializer())
      initialized.insert(init.name());
    for (auto &input : *graph.mutable_input()) {
      if (initialized.contains(input.name()) || !input.type().has_tensor_type() ||
          !input.type().tensor_type().has_shape())
        continue;
      auto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
      for (int d = 0; d < shape->dim_size(); ++d)
        shape->mutable_dim(d)->set_dim_param(input.name() + "_d" + std::to_string(d));
    }
    // Shapes the exporter recorded for outputs and intermediates came from the
    // old static inputs: forget them, inference derives them anew.
    for (auto &output : *graph.mutable_output())
      if (output.type().has_tensor_type() && output.type().tensor_type().has_shape())
        for (auto &dim : *output.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim())
          dim.clear_dim_value();
    graph.clear_value_info();
  }

  // --shape overrides: the named input must exist and keep its rank.
  for (const auto &[name, dims] : options.inputShapes) {
    ::onnx::ValueInfoProto *input = nullptr;
    for (auto &in : *graph.mutable_input())
      if (in.name() == name)
        input = &in;
    if (!input)
      return emitError(loc) << "--shape names '" << name << "', which is not a graph input";
    if (!input->type().has_tensor_type())
      return emitError(loc) << "--shape: input '" << name << "' is not a tensor";
    auto *shape = input->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != 0 && shape->dim_size() != static_cast<int>(dims.size()))
      return emitError(loc) << "--shape: input '" << name << "' has rank " << shape->dim_size()
                            << " but " << dims.size() << " dims were given";
    int64_t count = 1;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] < 0 || dims[i] > kMaxTensorElements ||
          (dims[i] != 0 && count > kMaxTensorElements / dims[i]))
        return emitError(loc) << "--shape: dim " << i << " of input '" << name << "' ("
                              << dims[i] << ") is out of range";
      count *= dims[i];
      if (shape->dim_size() > static_cast<int>(i) && shape->dim(i).has_dim_value() &&
          shape->dim(i).dim_value() != dims[i])
        return emitError(loc) << "--shape: dim " << i << " of input '" << name
                              << "' is fixed to " << shape->dim(i).dim_value()
                              << " by the model, not " << dims[i];
    }
    shape->clear_dim();
    for (int64_t d : dims)
      shape->add_dim()->set_dim_value(d);
  }

  int64_t opset = defaultDomainOpset(model);
  if (opset == 0)
    return emitError(loc) << "the model imports no default-domain (ai.onnx) opset";
  if (opset > smelt::onnx::kCanonicalOpset)
    return emitError(loc) << "the model uses opset " << opset << "; Smelt supports up to opset "
                          << smelt::onnx::kCanonicalOpset;

  // Before libonnx runs anything on the graph (see NodeValidator.h and
  // NodeOrder.h). Unnamed nodes are named first, by their place in the file,
  // so that every message names a node the same way whatever moves it later.
  nameUnnamedNodes(graph);
  if (failed(validateNodes(graph, opset, loc)) || failed(sortNodesTopologically(graph, loc)))
    return failure();
  if (opset == smelt::onnx::kCanonicalOpset && !options.inferShapes)
    return success();
  // libonnx's converter and inference, in a child process (IsolatedLibonnx.h).
  return runIsolated(
      model,
      [&](::onnx::ModelProto &m) -> std::string {
        if (opset < smelt::onnx::kCanonicalOpset) {
          // When the upgrade fails we keep the original opset: the importer
          // then accepts only nodes whose schema is the same at both opsets,
          // and names the others.
          upgradeToCanonicalOpset(m, opset);
        }
        if (!options.inferShapes)
          return "";
        try {
          ::onnx::ShapeInferenceOptions inference(/*check_type=*/false, /*error_mode=*/0,
                                                  /*enable_data_propagation=*/true);
          ::onnx::shape_inference::InferShapes(m, ::onnx::OpSchemaRegistry::Instance(), inference);
        } catch (const std::exception &e) {
          return std::string("shape inference failed: ") + e.what();
        }
        return "";
      },
      "libonnx's opset conversion and shape inference", loc);
}

} // namespace smelt
