//===- Signature.cpp - a compiled model's inputs and outputs --------------===//
#include "compiler/emit/Signature.h"

#include "compiler/import/MetadataAttrs.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"

#include "smelt/runtime.h"

using namespace mlir;

namespace smelt {

int64_t TensorSignature::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

static int32_t dtypeOf(Type elem) {
  if (elem.isF32()) return SMELT_DTYPE_FLOAT32;
  if (elem.isF64()) return SMELT_DTYPE_FLOAT64;
  if (elem.isF16()) return SMELT_DTYPE_FLOAT16;
  if (elem.isBF16()) return SMELT_DTYPE_BFLOAT16;
  if (auto i = dyn_cast<IntegerType>(elem)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1: return SMELT_DTYPE_BOOL;
    case 8: return u ? SMELT_DTYPE_UINT8 : SMELT_DTYPE_INT8;
    case 16: return u ? SMELT_DTYPE_UINT16 : SMELT_DTYPE_INT16;
    case 32: return u ? SMELT_DTYPE_UINT32 : SMELT_DTYPE_INT32;
    case 64: return u ? SMELT_DTYPE_UINT64 : SMELT_DTYPE_INT64;
    }
  }
  return SMELT_DTYPE_UNDEFINED;
}

bool ModelSignature::hasDynamicDims() const {
  auto dynamic = [](const TensorSignature &t) {
    return llvm::any_of(t.dims, [](int64_t d) { return d < 0; });
  };
  return llvm::any_of(inputs, dynamic) || llvm::any_of(outputs, dynamic);
}

/// The smelt_slot_role spelled `text` (as smelt_role_name spells it), or -1.
static int32_t roleNamed(StringRef text) {
  for (int32_t role : {SMELT_ROLE_TENSOR, SMELT_ROLE_SEQUENCE_DATA, SMELT_ROLE_SEQUENCE_SHAPES,
                       SMELT_ROLE_OPTIONAL_PRESENT, SMELT_ROLE_STRING_BYTES,
                       SMELT_ROLE_STRING_LENGTHS})
    if (text == smelt_role_name(role))
      return role;
  return -1;
}

static FailureOr<TensorSignature> tensorSignature(Type type, DictionaryAttr attrs, Location loc,
                                                  StringRef kind, unsigned index) {
  TensorSignature sig;
  if (auto name = attrs ? attrs.getAs<StringAttr>("onnx.name") : StringAttr())
    sig.name = name.str();
  else
    sig.name = kind.str() + std::to_string(index);
  if (Attribute roleAttr = attrs ? attrs.get(kAbiRoleAttr) : Attribute()) {
    auto text = dyn_cast<StringAttr>(roleAttr);
    int32_t role = text ? roleNamed(text.getValue()) : -1;
    if (role < 0)
      return emitError(loc) << kind << " #" << index << " ('" << sig.name << "') has "
                            << kAbiRoleAttr << " " << roleAttr
                            << "; expected one of \"sequence_data\", \"sequence_shapes\", "
                               "\"optional_present\", \"string_bytes\", \"string_lengths\" "
                               "(or none for a tensor)";
    sig.role = role;
  }
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked)
    return emitError(loc) << kind << " '" << sig.name << "' has type " << type
                          << ", which a compiled model cannot take or return (ranked tensors only)";
  sig.dtype = dtypeOf(ranked.getElementType());
  if (sig.dtype == SMELT_DTYPE_UNDEFINED)
    return emitError(loc) << kind << " '" << sig.name << "' has element type "
                          << ranked.getElementType() << ", which the model ABI cannot carry yet";
  for (int64_t d : ranked.getShape())
    sig.dims.push_back(ShapedType::isDynamic(d) ? SMELT_DYNAMIC_DIM : d);
  if (auto doc = attrs ? attrs.getAs<StringAttr>(kOnnxDocStringAttr) : StringAttr())
    sig.docString = doc.str();
  // Names describe the declared tensor, not the parts of a sequence or string.
  auto names = attrs ? attrs.getAs<ArrayAttr>(kOnnxDimParamsAttr) : ArrayAttr();
  if (names && sig.role == SMELT_ROLE_TENSOR && names.size() == sig.dims.size())
    for (Attribute name : names)
      sig.dimNames.push_back(isa<StringAttr>(name) ? cast<StringAttr>(name).str() : "");
  return sig;
}

/// Reads onnx.metadata (absent: all empty).
static ModelMetadata captureMetadata(ModuleOp module) {
  ModelMetadata m;
  auto dict = module->getAttrOfType<DictionaryAttr>(kOnnxMetadataAttr);
  if (!dict)
    return m;
  auto text = [&](StringRef name) {
    auto value = dict.getAs<StringAttr>(name);
    return value ? value.str() : std::string();
  };
  m.producerName = text("producer_name");
  m.producerVersion = text("producer_version");
  m.domain = text("domain");
  m.docString = text("doc_string");
  m.graphDocString = text("graph_doc_string");
  if (auto version = dict.getAs<IntegerAttr>("model_version"))
    m.modelVersion = version.getInt();
  auto pairs = [&](StringRef name) {
    SmallVector<ArrayAttr> result;
    if (auto list = dict.getAs<ArrayAttr>(name))
      for (Attribute item : list)
        if (auto pair = dyn_cast<ArrayAttr>(item); pair && pair.size() == 2)
          result.push_back(pair);
    return result;
  };
  for (ArrayAttr pair : pairs("metadata_props"))
    if (auto key = dyn_cast<StringAttr>(pair[0]))
      if (auto value = dyn_cast<StringAttr>(pair[1]))
        m.props.emplace_back(key.str(), value.str());
  for (ArrayAttr pair : pairs("opset_import"))
    if (auto domain = dyn_cast<StringAttr>(pair[0]))
      if (auto version = dyn_cast<IntegerAttr>(pair[1]))
        m.opsets.emplace_back(domain.str(), version.getInt());
  return m;
}

FailureOr<ModelSignature> captureSignature(ModuleOp module) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return emitError(module.getLoc()) << "the module has no func.func @main";
  ModelSignature sig;
  if (auto name = module->getAttrOfType<StringAttr>("onnx.graph_name"))
    sig.graphName = name.str();
  if (auto opset = module->getAttrOfType<IntegerAttr>("onnx.opset"))
    sig.opset = opset.getInt();
  sig.metadata = captureMetadata(module);
  FunctionType type = func.getFunctionType();
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto t = tensorSignature(type.getInput(i), func.getArgAttrDict(i), func.getLoc(), "input", i);
    if (failed(t))
      return failure();
    sig.inputs.push_back(*t);
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto t =
        tensorSignature(type.getResult(i), func.getResultAttrDict(i), func.getLoc(), "output", i);
    if (failed(t))
      return failure();
    sig.outputs.push_back(*t);
  }
  return sig;
}

} // namespace smelt
