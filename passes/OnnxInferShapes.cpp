//===- OnnxInferShapes.cpp - the onnx-infer-shapes pass -------------------===//
//
// Refines result types with the type and shape inference function each
// operator's libonnx schema carries, so every operator has inference without
// anyone writing it per op. An adapter presents an op to libonnx as an ONNX
// node: operand types as TypeProtos, attributes as AttributeProtos, constant
// operands as TensorProtos (which gives data-dependent shapes such as
// Reshape's). Ops with regions are skipped (their bodies are not inferred
// yet). Results are only ever refined; a contradiction is an error.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "compiler/import/TensorImport.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>

#include <map>
#include <memory>
#include <stdexcept>

namespace smelt {
#define GEN_PASS_DEF_ONNXINFERSHAPES
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

using ::onnx::AttributeProto;

/// Converts one attribute to an AttributeProto of the kind the schema declares.
bool exportAttribute(StringRef name, Attribute value, AttributeProto::AttributeType kind,
                     AttributeProto &proto) {
  proto.set_name(name.str());
  proto.set_type(kind);
  switch (kind) {
  case AttributeProto::INT:
    if (auto i = dyn_cast<IntegerAttr>(value)) {
      proto.set_i(i.getValue().getSExtValue());
      return true;
    }
    return false;
  case AttributeProto::FLOAT:
    if (auto f = dyn_cast<FloatAttr>(value)) {
      proto.set_f(static_cast<float>(f.getValueAsDouble()));
      return true;
    }
    return false;
  case AttributeProto::STRING:
    if (auto s = dyn_cast<StringAttr>(value)) {
      proto.set_s(s.str());
      return true;
    }
    return false;
  case AttributeProto::INTS:
    if (auto ints = dyn_cast<DenseI64ArrayAttr>(value)) {
      for (int64_t v : ints.asArrayRef())
        proto.add_ints(v);
      return true;
    }
    return false;
  case AttributeProto::FLOATS:
    if (auto floats = dyn_cast<DenseF32ArrayAttr>(value)) {
      for (float v : floats.asArrayRef())
        proto.add_floats(v);
      return true;
    }
    return false;
  case AttributeProto::STRINGS:
    if (auto strings = dyn_cast<ArrayAttr>(value)) {
      for (Attribute s : strings)
        proto.add_strings(cast<StringAttr>(s).str());
      return true;
    }
    return false;
  case AttributeProto::TENSOR:
    if (auto t = dyn_cast<ElementsAttr>(value))
      return exportTensor(t, *proto.mutable_t());
    return false;
  case AttributeProto::TYPE_PROTO:
    if (auto t = dyn_cast<TypeAttr>(value))
      return exportType(t.getValue(), *proto.mutable_tp());
    return false;
  default:
    return false;
  }
}

/// Presents an onnx op to a libonnx inference function.
class OpInferenceContext : public ::onnx::InferenceContext {
public:
  OpInferenceContext(Operation *op, const ::onnx::OpSchema &schema) {
    // Trailing absent optional inputs are simply not there in ONNX.
    size_t numInputs = op->getNumOperands();
    while (numInputs > 0 && isa<NoneType>(op->getOperand(numInputs - 1).getType()))
      --numInputs;
    inputTypes_.resize(numInputs);
    inputPresent_.resize(numInputs, false);
    inputData_.resize(numInputs);
    for (size_t i = 0; i < numInputs; ++i) {
      Value operand = op->getOperand(i);
      inputPresent_[i] = exportType(operand.getType(), inputTypes_[i]);
      if (auto constant = operand.getDefiningOp<onnx::ConstantOp>())
        if (ElementsAttr value = constant.getValueAttr();
            value && value.getNumElements() <= kMaxInputDataElements) {
          auto proto = std::make_unique<::onnx::TensorProto>();
          if (exportTensor(value, *proto))
            inputData_[i] = std::move(proto);
        }
    }
    outputTypes_.resize(op->getNumResults());
    for (const NamedAttribute &attr : op->getAttrs()) {
      auto formal = schema.attributes().find(attr.getName().str());
      if (formal == schema.attributes().end())
        continue;
      AttributeProto proto;
      if (exportAttribute(attr.getName(), attr.getValue(), formal->second.type, proto))
        attributes_.emplace(attr.getName().str(), std::move(proto));
    }
  }

  const AttributeProto *getAttribute(const std::string &name) const override {
    auto it = attributes_.find(name);
    return it == attributes_.end() ? nullptr : &it->second;
  }
  size_t getNumInputs() const override { return inputTypes_.size(); }
  const ::onnx::TypeProto *getInputType(size_t i) const override {
    return i < inputTypes_.size() && inputPresent_[i] ? &inputTypes_[i] : nullptr;
  }
  const ::onnx::TensorProto *getInputData(size_t i) const override {
    return i < inputData_.size() ? inputData_[i].get() : nullptr;
  }
  size_t getNumOutputs() const override { return outputTypes_.size(); }
  ::onnx::TypeProto *getOutputType(size_t i) override { return &outputTypes_[i]; }
  ::onnx::GraphInferencer *getGraphAttributeInferencer(const std::string &) override {
    throw std::runtime_error("subgraph inference is not available");
  }
  const ::onnx::SparseTensorProto *getInputSparseData(size_t) const override { return nullptr; }
  const ::onnx::TensorShapeProto *getSymbolicInput(size_t) const override { return nullptr; }

private:
  /// Constants larger than this are not handed to inference functions: no
  /// shape computation needs them, and weights would be copied.
  static constexpr int64_t kMaxInputDataElements = 1 << 16;

  std::vector<::onnx::TypeProto> inputTypes_;
  std::vector<bool> inputPresent_;
  std::vector<std::unique_ptr<::onnx::TensorProto>> inputData_;
  std::vector<::onnx::TypeProto> outputTypes_;
  std::map<std::string, AttributeProto> attributes_;
};

/// The more precise of two types of one value, or failure if they disagree.
FailureOr<Type> refine(Type current, Type inferred) {
  auto inferredRanked = dyn_cast<RankedTensorType>(inferred);
  auto currentRanked = dyn_cast<RankedTensorType>(current);
  if (!inferredRanked)
    return current;
  if (!currentRanked)
    // The importer's placeholder for unknown types is unranked: take all.
    return isa<TensorType>(current) ? inferred : current;
  if (currentRanked.getElementType() != inferredRanked.getElementType() ||
      currentRanked.getRank() != inferredRanked.getRank())
    return failure();
  SmallVector<int64_t> dims;
  for (auto [a, b] : llvm::zip(currentRanked.getShape(), inferredRanked.getShape())) {
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return failure();
    dims.push_back(ShapedType::isDynamic(a) ? b : a);
  }
  return Type(currentRanked.clone(dims));
}

bool isFullyStatic(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  return isa<NoneType>(type) || (ranked && ranked.hasStaticShape());
}

/// An If produces what its branches yield: their common type, with dims
/// that differ between the branches dynamic. The walk is post-order, so
/// the branches are already refined.
bool inferIf(onnx::IfOp op) {
  bool changed = false;
  auto thenYield = cast<onnx::YieldOp>(op.getThenBranch().front().getTerminator());
  auto elseYield = cast<onnx::YieldOp>(op.getElseBranch().front().getTerminator());
  for (auto [result, a, b] : llvm::zip(op.getResults(), thenYield.getValues(),
                                       elseYield.getValues())) {
    auto ta = dyn_cast<RankedTensorType>(a.getType());
    auto tb = dyn_cast<RankedTensorType>(b.getType());
    if (!ta || !tb || ta.getRank() != tb.getRank() ||
        ta.getElementType() != tb.getElementType())
      continue;
    SmallVector<int64_t> dims;
    for (auto [da, db] : llvm::zip(ta.getShape(), tb.getShape()))
      dims.push_back(da == db ? da : ShapedType::kDynamic);
    FailureOr<Type> refined = refine(result.getType(), ta.clone(dims));
    if (succeeded(refined) && *refined != result.getType()) {
      result.setType(*refined);
      changed = true;
    }
  }
  return changed;
}


/// Refines the result types of `op` with its schema's inference function.
LogicalResult inferOp(Operation *op, bool &changed) {
  const ::onnx::OpSchema *schema = ::onnx::OpSchemaRegistry::Schema(
      op->getName().stripDialect().str(), onnx::kCanonicalOpset, ::onnx::ONNX_DOMAIN);
  if (!schema || !schema->has_type_and_shape_inference_function())
    return success();
  OpInferenceContext context(op, *schema);
  try {
    schema->GetTypeAndShapeInferenceFunction()(context);
  } catch (const std::exception &) {
    // The function lacked information it needs (or gave up): no refinement.
    // Genuinely invalid models were already reported by libonnx at import.
    return success();
  }
  for (unsigned i = 0; i < op->getNumResults(); ++i) {
    const ::onnx::TypeProto &proto = *context.getOutputType(i);
    Value result = op->getResult(i);
    if (proto.value_case() == ::onnx::TypeProto::VALUE_NOT_SET || isa<NoneType>(result.getType()))
      continue;
    FailureOr<Type> inferred =
        importType(proto, op->getContext(), [&] { return op->emitError(); });
    if (failed(inferred))
      return failure();
    FailureOr<Type> refined = refine(result.getType(), *inferred);
    if (failed(refined))
      return op->emitError() << "result #" << i << " has type " << result.getType()
                             << " but shape inference derives " << *inferred;
    if (*refined != result.getType()) {
      result.setType(*refined);
      changed = true;
    }
  }
  return success();
}

class OnnxInferShapesPass : public impl::OnnxInferShapesBase<OnnxInferShapesPass> {
public:
  void runOnOperation() override {
    if (failed(refineOnnxShapes(getOperation())) ||
        failed(refineControlFlowBodies(getOperation())))
      signalPassFailure();
  }
};

} // namespace

/// What libonnx leaves unknown when a shape operand is only known at run
/// time: the result's rank still follows from the shape operand's length
/// (or, for Tile and Slice, the input's rank).
bool inferRankFromShapeOperand(Operation *op, bool &changed) {
  if (op->getNumResults() != 1)
    return false;
  Value result = op->getResult(0);
  auto unranked = dyn_cast<UnrankedTensorType>(result.getType());
  if (!unranked)
    return false;
  auto shapeLength = [&](Value shape) -> int64_t {
    auto type = dyn_cast<RankedTensorType>(shape.getType());
    return type && type.getRank() == 1 && !type.isDynamicDim(0) ? type.getDimSize(0) : -1;
  };
  auto rankOf = [](Value v) -> int64_t {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type ? type.getRank() : -1;
  };
  int64_t rank = -1;
  if (auto reshape = dyn_cast<onnx::ReshapeOp>(op))
    rank = shapeLength(reshape.getShape());
  else if (auto fill = dyn_cast<onnx::ConstantOfShapeOp>(op))
    rank = shapeLength(fill.getInput());
  else if (auto expand = dyn_cast<onnx::ExpandOp>(op))
    rank = shapeLength(expand.getShape()) < 0 || rankOf(expand.getInput()) < 0
               ? -1
               : std::max(shapeLength(expand.getShape()), rankOf(expand.getInput()));
  else if (auto tile = dyn_cast<onnx::TileOp>(op))
    rank = rankOf(tile.getInput());
  else if (auto slice = dyn_cast<onnx::SliceOp>(op))
    rank = rankOf(slice.getData());
  if (rank < 0)
    return false;
  result.setType(RankedTensorType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                                       unranked.getElementType()));
  changed = true;
  return true;
}

FailureOr<bool> refineOnnxShapes(func::FuncOp func) {
  bool changed = false;
  WalkResult result = func.walk([&](Operation *op) {
    if (auto ifOp = dyn_cast<onnx::IfOp>(op)) {
      changed |= inferIf(ifOp);
      return WalkResult::advance();
    }
    if (!isa<onnx::OnnxDialect>(op->getDialect()) || op->getNumRegions() != 0 ||
        llvm::all_of(op->getResultTypes(), isFullyStatic))
      return WalkResult::advance();
    if (failed(inferOp(op, changed)))
      return WalkResult::interrupt();
    inferRankFromShapeOperand(op, changed);
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  // The function returns what its body now produces.
  auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                 ret.getOperandTypes()));
  return changed;
}

} // namespace smelt
