//===- GraphImporter.cpp - ONNX graph to onnx dialect ---------------------===//
//
// Builds func.func @main from the main graph: graph inputs become arguments
// (named by an `onnx.name` attribute), initializers become onnx.Constant,
// each node becomes the onnx op of its type with operands laid out by the
// op's schema (a missing optional input is onnx.NoValue), attributes are
// converted by kind and checked against the schema, and graph attributes
// become regions ending in onnx.Yield. Locations carry the node name and type.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/Importer.h"

#include "compiler/import/ModelLoader.h"
#include "compiler/import/ModelMetadata.h"
#include "compiler/import/NodeNames.h"
#include "compiler/import/NodeValidator.h"
#include "compiler/import/TensorImport.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>

using namespace mlir;

namespace smelt {

namespace {

using ::onnx::AttributeProto;
using ::onnx::OpSchema;

class GraphImporter {
public:
  GraphImporter(MLIRContext *context, StringRef fileName, int64_t modelOpset)
      : ctx_(context), builder_(context), fileName_(fileName), modelOpset_(modelOpset) {}

  OwningOpRef<ModuleOp> importModel(const ::onnx::ModelProto &model);

private:
  using Scope = llvm::StringMap<Value>;

  Location nodeLocation(const ::onnx::NodeProto &node, int index) {
    return NameLoc::get(StringAttr::get(ctx_, onnxNodeName(node, index)),
                        NameLoc::get(StringAttr::get(ctx_, node.op_type()),
                                     FileLineColLoc::get(ctx_, fileName_, 0, 0)));
  }

  /// "node 'name' (OpType)" for diagnostics; same name as the location.
  std::string describe(const ::onnx::NodeProto &node) const {
    return describeOnnxNode(node, currentNode_);
  }

  Value lookup(StringRef name) {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto found = (*it)->find(name);
      if (found != (*it)->end())
        return found->second;
    }
    return nullptr;
  }

  FailureOr<Type> valueType(const std::string &name, Location loc) {
    auto it = valueInfo_.find(name);
    if (it == valueInfo_.end() || !it->second->has_type())
      return Type(); // Unknown: the caller decides.
    return importType(it->second->type(), ctx_, [&] {
      return emitError(loc) << "value '" << name << "': ";
    });
  }

  LogicalResult importInitializers(const ::onnx::GraphProto &graph, Scope &scope);
  LogicalResult importNodes(const ::onnx::GraphProto &graph, Scope &scope);
  LogicalResult importNode(const ::onnx::NodeProto &node, int index, Scope &scope);
  FailureOr<Attribute> importAttribute(const AttributeProto &attr, Location loc,
                                       const ::onnx::NodeProto &node);
  LogicalResult importSubgraph(const ::onnx::GraphProto &graph, Region &region, Location loc);
  LogicalResult importConstantNode(const ::onnx::NodeProto &node, Location loc, Scope &scope);
  void collectValueInfo(const ::onnx::GraphProto &graph);

  MLIRContext *ctx_;
  OpBuilder builder_;
  std::string fileName_;
  int64_t modelOpset_;
  std::vector<Scope *> scopes_;
  int currentNode_ = 0; // Index of the node being imported, for unnamed nodes.
  llvm::StringMap<const ::onnx::ValueInfoProto *> valueInfo_;
};

void GraphImporter::collectValueInfo(const ::onnx::GraphProto &graph) {
  for (const auto &vi : graph.value_info())
    valueInfo_[vi.name()] = &vi;
  for (const auto &vi : graph.output())
    valueInfo_[vi.name()] = &vi;
  for (const auto &vi : graph.input())
    valueInfo_[vi.name()] = &vi;
}

LogicalResult GraphImporter::importInitializers(const ::onnx::GraphProto &graph, Scope &scope) {
  for (const auto &init : graph.initializer()) {
    Location loc = NameLoc::get(StringAttr::get(ctx_, init.name()),
                                FileLineColLoc::get(ctx_, fileName_, 0, 0));
    FailureOr<ElementsAttr> value = importTensor(init, ctx_, [&] {
      return emitError(loc) << "initializer '" << init.name() << "': ";
    });
    if (failed(value))
      return failure();
    auto op = onnx::ConstantOp::create(builder_, loc, TypeRange{value->getType()}, ValueRange{},
                                       {builder_.getNamedAttr("value", *value)});
    scope[init.name()] = op.getResult();
  }
  return success();
}

LogicalResult GraphImporter::importNodes(const ::onnx::GraphProto &graph, Scope &scope) {
  for (int i = 0; i < graph.node_size(); ++i)
    if (failed(importNode(graph.node(i), i, scope)))
      return failure();
  return success();
}

FailureOr<Attribute> GraphImporter::importAttribute(const AttributeProto &attr, Location loc,
                                                    const ::onnx::NodeProto &node) {
  auto fail = [&]() {
    return emitError(loc) << describe(node) << ", attribute '" << attr.name() << "': ";
  };
  switch (attr.type()) {
  case AttributeProto::INT:
    return Attribute(builder_.getI64IntegerAttr(attr.i()));
  case AttributeProto::FLOAT:
    return Attribute(builder_.getF32FloatAttr(attr.f()));
  case AttributeProto::STRING:
    return Attribute(builder_.getStringAttr(attr.s()));
  case AttributeProto::INTS:
    return Attribute(builder_.getDenseI64ArrayAttr(
        llvm::ArrayRef<int64_t>(attr.ints().data(), attr.ints_size())));
  case AttributeProto::FLOATS:
    return Attribute(builder_.getDenseF32ArrayAttr(
        llvm::ArrayRef<float>(attr.floats().data(), attr.floats_size())));
  case AttributeProto::STRINGS: {
    SmallVector<Attribute> strings;
    for (const std::string &s : attr.strings())
      strings.push_back(builder_.getStringAttr(s));
    return Attribute(builder_.getArrayAttr(strings));
  }
  case AttributeProto::TENSOR: {
    FailureOr<ElementsAttr> t = importTensor(attr.t(), ctx_, fail);
    if (failed(t))
      return failure();
    return Attribute(*t);
  }
  case AttributeProto::TENSORS: {
    SmallVector<Attribute> tensors;
    for (const auto &t : attr.tensors()) {
      FailureOr<ElementsAttr> v = importTensor(t, ctx_, fail);
      if (failed(v))
        return failure();
      tensors.push_back(*v);
    }
    return Attribute(builder_.getArrayAttr(tensors));
  }
  case AttributeProto::TYPE_PROTO: {
    FailureOr<Type> t = importType(attr.tp(), ctx_, fail);
    if (failed(t))
      return failure();
    return Attribute(TypeAttr::get(*t));
  }
  default:
    return fail() << "unsupported attribute kind " << attributeKindName(attr.type());
  }
}

LogicalResult GraphImporter::importSubgraph(const ::onnx::GraphProto &graph, Region &region,
                                            Location loc) {
  collectValueInfo(graph);
  Block *block = new Block();
  region.push_back(block);
  OpBuilder::InsertionGuard guard(builder_);
  builder_.setInsertionPointToStart(block);

  Scope scope;
  scopes_.push_back(&scope);
  auto popScope = llvm::make_scope_exit([&] { scopes_.pop_back(); });
  for (const auto &input : graph.input()) {
    FailureOr<Type> type = importType(input.type(), ctx_, [&] {
      return emitError(loc) << "subgraph input '" << input.name() << "': ";
    });
    if (failed(type))
      return failure();
    scope[input.name()] = block->addArgument(*type, loc);
  }
  if (failed(importInitializers(graph, scope)) || failed(importNodes(graph, scope)))
    return failure();
  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value v = lookup(output.name());
    if (!v)
      return emitError(loc) << "subgraph output '" << output.name() << "' is never produced";
    results.push_back(v);
  }
  onnx::YieldOp::create(builder_, loc, results);
  return success();
}

/// Rewrites the scalar and list forms of Constant into the canonical `value`.
LogicalResult GraphImporter::importConstantNode(const ::onnx::NodeProto &node, Location loc,
                                                Scope &scope) {
  if (node.attribute_size() != 1 || node.output_size() != 1)
    return emitError(loc) << describe(node) << ": Constant needs exactly one value attribute";
  const AttributeProto &attr = node.attribute(0);
  ElementsAttr value;
  auto i64 = builder_.getI64Type();
  auto f32 = builder_.getF32Type();
  if (attr.name() == "value" || attr.name() == "sparse_value") {
    if (attr.name() == "sparse_value")
      return emitError(loc) << describe(node) << ": sparse constants are not supported yet";
    FailureOr<Attribute> a = importAttribute(attr, loc, node);
    if (failed(a))
      return failure();
    value = cast<ElementsAttr>(*a);
  } else if (attr.name() == "value_float") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, f32), attr.f());
  } else if (attr.name() == "value_int") {
    value = DenseElementsAttr::get(RankedTensorType::get({}, i64), attr.i());
  } else if (attr.name() == "value_floats") {
    value = DenseElementsAttr::get(
        RankedTensorType::get({attr.floats_size()}, f32),
        llvm::ArrayRef<float>(attr.floats().data(), attr.floats_size()));
  } else if (attr.name() == "value_ints") {
    value = DenseElementsAttr::get(
        RankedTensorType::get({attr.ints_size()}, i64),
        llvm::ArrayRef<int64_t>(attr.ints().data(), attr.ints_size()));
  } else if (attr.name() == "value_string" || attr.name() == "value_strings") {
    SmallVector<StringRef> strings;
    if (attr.name() == "value_string")
      strings.push_back(attr.s());
    for (const std::string &s : attr.strings())
      strings.push_back(s);
    auto shape = attr.name() == "value_string" ? SmallVector<int64_t>{}
                                                : SmallVector<int64_t>{attr.strings_size()};
    value = DenseStringElementsAttr::get(
        RankedTensorType::get(shape, onnx::StringType::get(ctx_)), strings);
  } else {
    return emitError(loc) << describe(node) << ": unknown Constant attribute '" << attr.name()
                          << "'";
  }
  auto op = onnx::ConstantOp::create(builder_, loc, TypeRange{value.getType()}, ValueRange{},
                                     {builder_.getNamedAttr("value", value)});
  if (!node.output(0).empty())
    scope[node.output(0)] = op.getResult();
  return success();
}

LogicalResult GraphImporter::importNode(const ::onnx::NodeProto &node, int index, Scope &scope) {
  currentNode_ = index;
  Location loc = nodeLocation(node, index);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return emitError(loc) << describe(node) << ": operator domain '" << node.domain()
                          << "' is not supported (only the standard ai.onnx domain)";

  const OpSchema *schema = ::onnx::OpSchemaRegistry::Schema(node.op_type(), onnx::kCanonicalOpset);
  std::optional<RegisteredOperationName> opName =
      RegisteredOperationName::lookup("onnx." + node.op_type(), ctx_);
  if (!schema || !opName)
    return emitError(loc) << describe(node) << ": unknown ONNX operator '" << node.op_type()
                          << "' at opset " << onnx::kCanonicalOpset;
  if (modelOpset_ < onnx::kCanonicalOpset) {
    // The version converter did not run: accept the node only if its
    // semantics did not change between the model's opset and ours.
    const OpSchema *old = ::onnx::OpSchemaRegistry::Schema(node.op_type(), modelOpset_);
    if (!old || old->since_version() != schema->since_version())
      return emitError(loc) << describe(node) << ": cannot upgrade from opset " << modelOpset_
                            << " to " << onnx::kCanonicalOpset
                            << " (libonnx's version converter failed on this model)";
  }
  // Checked at the model's opset before libonnx ran; again at ours, which
  // the upgrade may have changed the node to.
  if (failed(verifyNodeAgainstSchema(node, *schema, describe(node), loc)))
    return failure();
  if (node.op_type() == "Constant")
    return importConstantNode(node, loc, scope);

  // Operands follow the schema: one per formal input, the variadic one last.
  SmallVector<Value> operands;
  const auto &formals = schema->inputs();
  Value noValue;
  auto getNoValue = [&]() {
    if (!noValue)
      noValue = onnx::NoValueOp::create(builder_, loc);
    return noValue;
  };
  for (size_t i = 0; i < formals.size(); ++i) {
    bool variadic = formals[i].GetOption() == OpSchema::Variadic;
    size_t end = variadic ? node.input_size() : std::min<size_t>(i + 1, node.input_size());
    if (i >= static_cast<size_t>(node.input_size())) {
      if (!variadic)
        operands.push_back(getNoValue());
      continue;
    }
    for (size_t j = i; j < end; ++j) {
      const std::string &name = node.input(j);
      if (name.empty()) {
        operands.push_back(getNoValue());
        continue;
      }
      Value v = lookup(name);
      if (!v)
        return emitError(loc) << describe(node) << " references undefined tensor '" << name
                              << "'";
      operands.push_back(v);
    }
  }

  // Results: one per formal output; absent optional outputs have type none.
  SmallVector<Type> resultTypes;
  SmallVector<std::string> resultNames;
  const auto &outputs = schema->outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    bool variadic = outputs[i].GetOption() == OpSchema::Variadic;
    size_t end = variadic ? node.output_size() : i + 1;
    for (size_t j = i; j < end; ++j) {
      std::string name = j < static_cast<size_t>(node.output_size()) ? node.output(j) : "";
      if (name.empty()) {
        resultTypes.push_back(builder_.getNoneType());
        resultNames.push_back("");
        continue;
      }
      FailureOr<Type> type = valueType(name, loc);
      if (failed(type))
        return failure();
      // Unknown to shape inference: an unranked tensor the shape-inference pass refines.
      resultTypes.push_back(*type ? *type : Type(UnrankedTensorType::get(builder_.getF32Type())));
      resultNames.push_back(name);
    }
  }

  // Attributes: converted by kind.
  OperationState state(loc, *opName);
  state.addOperands(operands);
  state.addTypes(resultTypes);
  std::vector<std::pair<std::string, const ::onnx::GraphProto *>> graphs;
  for (const AttributeProto &attr : node.attribute()) {
    if (attr.type() == AttributeProto::GRAPH) {
      graphs.push_back({attr.name(), &attr.g()});
      continue;
    }
    FailureOr<Attribute> value = importAttribute(attr, loc, node);
    if (failed(value))
      return failure();
    state.addAttribute(attr.name(), *value);
  }
  // Regions are declared in attribute-name order, like the generated record.
  for (const auto &[name, formal] : schema->attributes()) {
    if (formal.type != AttributeProto::GRAPH)
      continue;
    Region *region = state.addRegion();
    for (const auto &[graphName, graph] : graphs)
      if (graphName == name && failed(importSubgraph(*graph, *region, loc)))
        return failure();
  }

  Operation *op = builder_.create(state);
  for (size_t i = 0; i < resultNames.size(); ++i)
    if (!resultNames[i].empty())
      scope[resultNames[i]] = op->getResult(i);
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::importModel(const ::onnx::ModelProto &model) {
  const ::onnx::GraphProto &graph = model.graph();
  Location fileLoc = FileLineColLoc::get(ctx_, fileName_, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  collectValueInfo(graph);

  // Inputs that have an initializer are constants, as ONNX runtimes treat them.
  llvm::StringSet<> initialized;
  for (const auto &init : graph.initializer())
    initialized.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<const ::onnx::ValueInfoProto *> args;
  for (const auto &input : graph.input()) {
    if (initialized.contains(input.name()))
      continue;
    FailureOr<Type> type = importType(input.type(), ctx_, [&] {
      return emitError(fileLoc) << "graph input '" << input.name() << "': ";
    });
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    args.push_back(&input);
  }

  builder_.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder_, fileLoc, "main", builder_.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder_.setInsertionPointToStart(entry);

  Scope scope;
  scopes_.push_back(&scope);
  for (size_t i = 0; i < args.size(); ++i) {
    scope[args[i]->name()] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", builder_.getStringAttr(args[i]->name()));
  }
  if (failed(importInitializers(graph, scope)) || failed(importNodes(graph, scope)))
    return nullptr;

  SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    Value v = lookup(output.name());
    if (!v) {
      emitError(fileLoc) << "graph output '" << output.name() << "' is never produced";
      return nullptr;
    }
    results.push_back(v);
  }
  func::ReturnOp::create(builder_, fileLoc, results);
  func.setType(builder_.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (int i = 0; i < graph.output_size(); ++i)
    func.setResultAttr(i, "onnx.name", builder_.getStringAttr(graph.output(i).name()));
  if (!graph.name().empty())
    module->getOperation()->setAttr("onnx.graph_name", builder_.getStringAttr(graph.name()));
  module->getOperation()->setAttr("onnx.opset", builder_.getI64IntegerAttr(onnx::kCanonicalOpset));

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

int64_t defaultOpset(const ::onnx::ModelProto &model) {
  for (const auto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return 0;
}

OwningOpRef<ModuleOp> importPrepared(::onnx::ModelProto &model, StringRef name,
                                     const ImportOptions &options, MLIRContext *context) {
  context->loadDialect<onnx::OnnxDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(context, name, 0, 0);
  // As the model declares it: the opset upgrade and --shape rewrite the graph.
  ::onnx::ModelProto declared = metadataOf(model);
  if (failed(prepareModel(model, options, loc)))
    return nullptr;
  GraphImporter importer(context, name, defaultOpset(model));
  OwningOpRef<ModuleOp> module = importer.importModel(model);
  if (module)
    recordModelMetadata(*module, declared);
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importOnnxFile(StringRef path, const ImportOptions &options,
                                     MLIRContext *context) {
  ::onnx::ModelProto model;
  if (failed(loadModelProto(path, model, context)))
    return nullptr;
  return importPrepared(model, path, options, context);
}

OwningOpRef<ModuleOp> importOnnxText(StringRef text, StringRef bufferName,
                                     const ImportOptions &options, MLIRContext *context) {
  ::onnx::ModelProto model;
  if (failed(parseModelBytes(text, /*isText=*/true, /*dataFolder=*/"", model,
                             FileLineColLoc::get(context, bufferName, 0, 0))))
    return nullptr;
  return importPrepared(model, bufferName, options, context);
}

OwningOpRef<ModuleOp> importOnnxBuffer(StringRef bytes, StringRef bufferName, StringRef dataFolder,
                                       const ImportOptions &options, MLIRContext *context) {
  ::onnx::ModelProto model;
  if (failed(parseModelBytes(bytes, /*isText=*/false, dataFolder, model,
                             FileLineColLoc::get(context, bufferName, 0, 0))))
    return nullptr;
  return importPrepared(model, bufferName, options, context);
}

} // namespace smelt
