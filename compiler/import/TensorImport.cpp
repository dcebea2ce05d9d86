//===- TensorImport.cpp - ONNX types and tensors to MLIR ------------------===//
//
// Every size read from a protobuf is checked before it is trusted: a tensor's
// declared dims must multiply without overflow and agree with the bytes or
// values it carries.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/TensorImport.h"

#include "compiler/import/Importer.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/AsmState.h"

#include <cstring>

using namespace mlir;

namespace smelt {

FailureOr<Type> importElementType(int32_t dataType, MLIRContext *ctx, EmitErrorFn emitError) {
  using TP = ::onnx::TensorProto;
  auto signless = [&](unsigned w) { return IntegerType::get(ctx, w); };
  auto unsignedInt = [&](unsigned w) { return IntegerType::get(ctx, w, IntegerType::Unsigned); };
  switch (dataType) {
  case TP::FLOAT: return Type(Float32Type::get(ctx));
  case TP::DOUBLE: return Type(Float64Type::get(ctx));
  case TP::FLOAT16: return Type(Float16Type::get(ctx));
  case TP::BFLOAT16: return Type(BFloat16Type::get(ctx));
  case TP::INT8: return Type(signless(8));
  case TP::INT16: return Type(signless(16));
  case TP::INT32: return Type(signless(32));
  case TP::INT64: return Type(signless(64));
  case TP::UINT8: return Type(unsignedInt(8));
  case TP::UINT16: return Type(unsignedInt(16));
  case TP::UINT32: return Type(unsignedInt(32));
  case TP::UINT64: return Type(unsignedInt(64));
  case TP::BOOL: return Type(signless(1));
  case TP::STRING: return Type(smelt::onnx::StringType::get(ctx));
  case TP::COMPLEX64: return Type(ComplexType::get(Float32Type::get(ctx)));
  case TP::COMPLEX128: return Type(ComplexType::get(Float64Type::get(ctx)));
  default:
    return emitError() << "unsupported ONNX element type " << dataType;
  }
}

int32_t exportElementType(Type type) {
  using TP = ::onnx::TensorProto;
  if (type.isF32()) return TP::FLOAT;
  if (type.isF64()) return TP::DOUBLE;
  if (type.isF16()) return TP::FLOAT16;
  if (type.isBF16()) return TP::BFLOAT16;
  if (isa<smelt::onnx::StringType>(type)) return TP::STRING;
  if (auto complex = dyn_cast<ComplexType>(type))
    return complex.getElementType().isF32() ? TP::COMPLEX64 : TP::COMPLEX128;
  if (auto i = dyn_cast<IntegerType>(type)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1: return TP::BOOL;
    case 8: return u ? TP::UINT8 : TP::INT8;
    case 16: return u ? TP::UINT16 : TP::INT16;
    case 32: return u ? TP::UINT32 : TP::INT32;
    case 64: return u ? TP::UINT64 : TP::INT64;
    }
  }
  return TP::UNDEFINED;
}

bool exportType(Type type, ::onnx::TypeProto &proto) {
  if (auto seq = dyn_cast<smelt::onnx::SeqType>(type))
    return exportType(seq.getElementType(), *proto.mutable_sequence_type()->mutable_elem_type());
  if (auto opt = dyn_cast<smelt::onnx::OptType>(type))
    return exportType(opt.getElementType(), *proto.mutable_optional_type()->mutable_elem_type());
  auto tensor = dyn_cast<TensorType>(type);
  if (!tensor)
    return false;
  int32_t elem = exportElementType(tensor.getElementType());
  if (elem == ::onnx::TensorProto::UNDEFINED)
    return false;
  auto *t = proto.mutable_tensor_type();
  t->set_elem_type(elem);
  if (auto ranked = dyn_cast<RankedTensorType>(tensor)) {
    auto *shape = t->mutable_shape();
    for (int64_t d : ranked.getShape()) {
      auto *dim = shape->add_dim();
      if (!ShapedType::isDynamic(d))
        dim->set_dim_value(d);
    }
  }
  return true;
}

bool exportTensor(ElementsAttr value, ::onnx::TensorProto &proto) {
  auto type = cast<ShapedType>(value.getType());
  int32_t elem = exportElementType(type.getElementType());
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense || elem == ::onnx::TensorProto::UNDEFINED || elem == ::onnx::TensorProto::STRING ||
      isa<ComplexType>(type.getElementType()))
    return false;
  proto.set_data_type(elem);
  for (int64_t d : type.getShape())
    proto.add_dims(d);
  if (type.getElementType().isInteger(1)) {
    std::string bytes;
    for (bool b : dense.getValues<bool>())
      bytes.push_back(b ? 1 : 0);
    proto.set_raw_data(bytes);
    return true;
  }
  unsigned width = type.getElementTypeBitWidth() / 8;
  std::string bytes;
  bytes.reserve(type.getNumElements() * width);
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat())
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      bytes.append(raw.data(), width);
  else
    bytes.assign(raw.data(), raw.size());
  proto.set_raw_data(bytes);
  return true;
}

static FailureOr<SmallVector<int64_t>> checkedDims(llvm::ArrayRef<int64_t> dims,
                                                   EmitErrorFn emitError) {
  int64_t count = 1;
  for (int64_t d : dims) {
    if (d < 0)
      return emitError() << "negative dimension " << d;
    if (d > kMaxTensorElements || (d != 0 && count > kMaxTensorElements / d))
      return emitError() << "declared shape is too large (dimension " << d
                         << "): more than 2^40 elements";
    count *= d;
  }
  return SmallVector<int64_t>(dims.begin(), dims.end());
}

FailureOr<Type> importType(const ::onnx::TypeProto &type, MLIRContext *ctx, EmitErrorFn emitError) {
  switch (type.value_case()) {
  case ::onnx::TypeProto::kTensorType: {
    const auto &tensor = type.tensor_type();
    FailureOr<Type> elem = importElementType(tensor.elem_type(), ctx, emitError);
    if (failed(elem))
      return failure();
    if (!tensor.has_shape())
      return Type(UnrankedTensorType::get(*elem));
    // The static dims must be valid and small enough on their own.
    SmallVector<int64_t> dims, staticDims;
    for (const auto &dim : tensor.shape().dim()) {
      dims.push_back(dim.has_dim_value() ? dim.dim_value() : ShapedType::kDynamic);
      if (dim.has_dim_value())
        staticDims.push_back(dim.dim_value());
    }
    if (failed(checkedDims(staticDims, emitError)))
      return failure();
    return Type(RankedTensorType::get(dims, *elem));
  }
  case ::onnx::TypeProto::kSequenceType: {
    FailureOr<Type> elem = importType(type.sequence_type().elem_type(), ctx, emitError);
    if (failed(elem))
      return failure();
    return Type(smelt::onnx::SeqType::get(ctx, *elem));
  }
  case ::onnx::TypeProto::kOptionalType: {
    FailureOr<Type> elem = importType(type.optional_type().elem_type(), ctx, emitError);
    if (failed(elem))
      return failure();
    return Type(smelt::onnx::OptType::get(ctx, *elem));
  }
  default:
    return emitError() << "unsupported ONNX value type (only tensors, sequences and optionals)";
  }
}

namespace {

/// Copies typed repeated fields into a little-endian byte buffer of `width` bytes each.
template <typename Src>
void appendAs(std::vector<char> &bytes, const Src &values, unsigned width) {
  for (auto v : values) {
    uint64_t bits;
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, float>) {
      uint32_t b;
      std::memcpy(&b, &v, 4);
      bits = b;
    } else if constexpr (std::is_same_v<std::decay_t<decltype(v)>, double>) {
      std::memcpy(&bits, &v, 8);
    } else {
      bits = static_cast<uint64_t>(v);
    }
    const char *p = reinterpret_cast<const char *>(&bits);
    bytes.insert(bytes.end(), p, p + width); // Host is little-endian (x86-64, AArch64).
  }
}

} // namespace

bool decodeTensorData(const ::onnx::TensorProto &tensor, unsigned width, int64_t count,
                      std::vector<char> &bytes, std::string &error) {
  using TP = ::onnx::TensorProto;
  bytes.clear();
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    bytes.assign(raw.begin(), raw.end());
  } else {
    switch (tensor.data_type()) {
    case TP::FLOAT: case TP::COMPLEX64: appendAs(bytes, tensor.float_data(), 4); break;
    case TP::DOUBLE: case TP::COMPLEX128: appendAs(bytes, tensor.double_data(), 8); break;
    case TP::INT64: appendAs(bytes, tensor.int64_data(), 8); break;
    case TP::UINT32: case TP::UINT64: appendAs(bytes, tensor.uint64_data(), width); break;
    default: appendAs(bytes, tensor.int32_data(), width); break; // int8..int32, bool, f16, bf16
    }
  }
  if (static_cast<int64_t>(bytes.size()) != count * static_cast<int64_t>(width)) {
    error = "tensor '" + tensor.name() + "' carries " + std::to_string(bytes.size()) +
            " bytes of data, but its shape and type need " + std::to_string(count * width);
    return false;
  }
  return true;
}

FailureOr<ElementsAttr> importTensor(const ::onnx::TensorProto &tensor, MLIRContext *ctx,
                                     EmitErrorFn emitError) {
  using TP = ::onnx::TensorProto;
  FailureOr<Type> elem = importElementType(tensor.data_type(), ctx, emitError);
  if (failed(elem))
    return failure();
  FailureOr<SmallVector<int64_t>> dims =
      checkedDims(llvm::ArrayRef<int64_t>(tensor.dims().data(), tensor.dims_size()), emitError);
  if (failed(dims))
    return failure();
  auto type = RankedTensorType::get(*dims, *elem);
  int64_t count = type.getNumElements();

  if (tensor.data_location() == TP::EXTERNAL && !tensor.has_raw_data())
    return emitError() << "external data of tensor '" << tensor.name() << "' was not loaded";

  if (tensor.data_type() == TP::STRING) {
    if (tensor.string_data_size() != count)
      return emitError() << "tensor '" << tensor.name() << "' has " << tensor.string_data_size()
                         << " strings, expected " << count;
    SmallVector<StringRef> strings;
    for (const std::string &s : tensor.string_data())
      strings.push_back(s);
    return ElementsAttr(DenseStringElementsAttr::get(type, strings));
  }

  unsigned width = 0;
  if (auto intType = dyn_cast<IntegerType>(*elem))
    width = intType.getWidth() == 1 ? 1 : intType.getWidth() / 8;
  else if (auto complex = dyn_cast<ComplexType>(*elem))
    width = 2 * complex.getElementType().getIntOrFloatBitWidth() / 8;
  else
    width = elem->getIntOrFloatBitWidth() / 8;

  std::vector<char> bytes;
  std::string error;
  if (!decodeTensorData(tensor, width, count, bytes, error))
    return emitError() << error;

  if (width == 1 && elem->isInteger(1)) {
    SmallVector<bool> values;
    for (char c : bytes)
      values.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, values));
  }
  if (count <= kInlineTensorElements)
    return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, bytes));

  std::string blobName = tensor.name().empty() ? "tensor" : tensor.name();
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      llvm::ArrayRef<char>(bytes.data(), bytes.size()), alignof(uint64_t));
  return ElementsAttr(DenseResourceElementsAttr::get(type, blobName, std::move(blob)));
}

} // namespace smelt
