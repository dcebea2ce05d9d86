//===- LoweringUtils.cpp - shared helpers of convert-onnx-to-linalg -------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace smelt {

static Type signlessElement(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type); intType && !intType.isSignless())
    return IntegerType::get(type.getContext(), intType.getWidth());
  return type;
}

SignlessTypeConverter::SignlessTypeConverter() {
  addConversion([](Type type) { return type; });
  addConversion([](RankedTensorType type) -> Type {
    return type.clone(signlessElement(type.getElementType()));
  });
  addConversion([](UnrankedTensorType type) -> Type {
    return UnrankedTensorType::get(signlessElement(type.getElementType()));
  });
  auto materialize = [](OpBuilder &b, Type type, ValueRange inputs, Location loc) -> Value {
    return UnrealizedConversionCastOp::create(b, loc, type, inputs).getResult(0);
  };
  addSourceMaterialization(materialize);
  addTargetMaterialization(materialize);
}

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value dimSize(OpBuilder &b, Location loc, Value tensor, int64_t d) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(d))
    return arith::ConstantIndexOp::create(b, loc, type.getDimSize(d));
  return tensor::DimOp::create(b, loc, tensor, d);
}

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type, ValueRange sizes) {
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamicSizes.push_back(sizes[d]);
  return tensor::EmptyOp::create(b, loc, type, dynamicSizes);
}

Value reshapeToSizes(OpBuilder &b, Location loc, Value input, RankedTensorType resultType,
                     ValueRange sizes) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType.hasStaticShape() && resultType.hasStaticShape())
    return reshapeTo(b, loc, input, resultType);
  SmallVector<Value> dims;
  for (int64_t d = 0; d < resultType.getRank(); ++d)
    dims.push_back(resultType.isDynamicDim(d)
                       ? sizes[d]
                       : Value(arith::ConstantIndexOp::create(b, loc, resultType.getDimSize(d))));
  auto shapeType = RankedTensorType::get({resultType.getRank()}, b.getIndexType());
  Value shape = tensor::FromElementsOp::create(b, loc, shapeType, dims);
  return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  return linalg::FillOp::create(b, loc, value, createEmpty(b, loc, type)).getResult(0);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value lowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(), true)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v = isUnsigned ? APInt::getMinValue(width) : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

Value highestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(), false)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt v = isUnsigned ? APInt::getMaxValue(width) : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
}

Value castScalar(OpBuilder &b, Location loc, Value value, Type dstType, bool srcUnsigned,
                 bool dstUnsigned) {
  Type srcType = value.getType();
  if (srcType == dstType)
    return value;
  bool srcFloat = isa<FloatType>(srcType), dstFloat = isa<FloatType>(dstType);
  if (srcFloat && dstFloat) {
    if (srcType.getIntOrFloatBitWidth() < dstType.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, loc, dstType, value);
    if (srcType.getIntOrFloatBitWidth() > dstType.getIntOrFloatBitWidth())
      return arith::TruncFOp::create(b, loc, dstType, value);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), value);
    return arith::TruncFOp::create(b, loc, dstType, wide);
  }
  if (srcFloat) {
    if (dstType.isInteger(1)) {
      Value zero = scalarConstant(b, loc, srcType, 0.0);
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value, zero);
    }
    return dstUnsigned ? Value(arith::FPToUIOp::create(b, loc, dstType, value))
                       : Value(arith::FPToSIOp::create(b, loc, dstType, value));
  }
  if (dstFloat) {
    return srcUnsigned || srcType.isInteger(1)
               ? Value(arith::UIToFPOp::create(b, loc, dstType, value))
               : Value(arith::SIToFPOp::create(b, loc, dstType, value));
  }
  unsigned srcWidth = srcType.getIntOrFloatBitWidth(), dstWidth = dstType.getIntOrFloatBitWidth();
  if (dstWidth == 1) {
    Value zero = scalarConstant(b, loc, srcType, 0.0);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (srcWidth < dstWidth)
    return srcUnsigned || srcWidth == 1 ? Value(arith::ExtUIOp::create(b, loc, dstType, value))
                                        : Value(arith::ExtSIOp::create(b, loc, dstType, value));
  if (srcWidth > dstWidth)
    return arith::TruncIOp::create(b, loc, dstType, value);
  return value; // Same width, other signedness: same bits.
}

FailureOr<SmallVector<Value>> elementwiseResultSizes(OpBuilder &b, Location loc,
                                                    RankedTensorType resultType,
                                                    ValueRange inputs) {
  int64_t rank = resultType.getRank();
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < rank; ++i) {
    if (!resultType.isDynamicDim(i))
      continue;
    // The one input whose aligned dim is dynamic gives the size; two dynamic
    // candidates could broadcast against each other at run time.
    Value source;
    int64_t sourceDim = 0;
    for (Value input : inputs) {
      auto type = cast<RankedTensorType>(input.getType());
      int64_t d = i - (rank - type.getRank());
      if (d < 0 || !type.isDynamicDim(d))
        continue;
      if (source && source != input)
        return failure();
      source = input;
      sourceDim = d;
    }
    if (!source)
      return failure();
    sizes.push_back(tensor::DimOp::create(b, loc, source, sourceDim));
  }
  return sizes;
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                       ScalarBodyFn body) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<AffineExpr> exprs;
    int64_t offset = rank - type.getRank();
    for (int64_t i = 0; i < type.getRank(); ++i) {
      bool stretched = type.getDimSize(i) == 1 && resultType.getDimSize(offset + i) != 1;
      exprs.push_back(stretched ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(offset + i, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  Value init;
  if (resultType.hasStaticShape()) {
    init = createEmpty(b, loc, resultType);
  } else {
    FailureOr<SmallVector<Value>> sizes = elementwiseResultSizes(b, loc, resultType, inputs);
    assert(succeeded(sizes) && "callers check elementwiseResultSizes first");
    init = tensor::EmptyOp::create(b, loc, resultType, *sizes);
  }
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

RankedTensorType getStaticType(const TypeConverter &converter, Value value) {
  auto type = getRankedType(converter, value);
  return type && type.hasStaticShape() ? type : nullptr;
}

RankedTensorType getRankedType(const TypeConverter &converter, Value value) {
  return dyn_cast_or_null<RankedTensorType>(converter.convertType(value.getType()));
}

bool isUnsignedElement(Value value) {
  auto shaped = dyn_cast<ShapedType>(value.getType());
  return shaped && shaped.getElementType().isUnsignedInteger();
}

int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

std::string describeNode(Operation *op) {
  std::string node = "<unnamed>";
  if (auto nameLoc = dyn_cast<NameLoc>(op->getLoc()))
    node = nameLoc.getName().str();
  return "node '" + node + "' (" + op->getName().stripDialect().str() + ")";
}

LogicalResult getConstantInts(Value value, SmallVectorImpl<int64_t> &values) {
  auto constant = value.getDefiningOp<onnx::ConstantOp>();
  if (!constant || !constant.getValueAttr())
    return failure();
  auto elements = dyn_cast<DenseIntElementsAttr>(*constant.getValue());
  if (!elements)
    return failure();
  for (const APInt &v : elements.getValues<APInt>())
    values.push_back(v.getSExtValue());
  return success();
}

FailureOr<double> getConstantScalar(Value value) {
  auto constant = value.getDefiningOp<onnx::ConstantOp>();
  if (!constant || !constant.getValueAttr())
    return failure();
  auto elements = dyn_cast<DenseElementsAttr>(*constant.getValue());
  if (!elements || elements.getNumElements() != 1)
    return failure();
  if (auto f = dyn_cast<FloatType>(elements.getElementType()))
    return (*elements.getValues<APFloat>().begin()).convertToDouble();
  return static_cast<double>((*elements.getValues<APInt>().begin()).getSExtValue());
}

Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  if (inputType == resultType)
    return input;
  // A collapse or expand where one exists: they bufferize to views, no copy.
  if (inputType.getRank() > resultType.getRank()) {
    if (auto reassociation = getReassociationIndicesForReshape(inputType, resultType))
      return tensor::CollapseShapeOp::create(b, loc, resultType, input, *reassociation);
  } else if (inputType.getRank() < resultType.getRank()) {
    if (auto reassociation = getReassociationIndicesForReshape(resultType, inputType))
      return tensor::ExpandShapeOp::create(b, loc, resultType, input, *reassociation);
  }
  auto shapeType = RankedTensorType::get({resultType.getRank()}, b.getIndexType());
  SmallVector<int64_t> dims(resultType.getShape());
  auto shape = arith::ConstantOp::create(
      b, loc, DenseIntElementsAttr::get(shapeType, dims));
  return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
}

} // namespace smelt
