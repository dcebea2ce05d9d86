//===- LoweringUtils.cpp - shared helpers of convert-onnx-to-linalg -------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type, ValueRange sizes,
                   Value value) {
  if (type.hasStaticShape())
    return createFilled(b, loc, type, value);
  return linalg::FillOp::create(b, loc, value, createEmpty(b, loc, type, sizes)).getResult(0);
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value toIndex(OpBuilder &b, Location loc, Value value, bool isUnsigned) {
  Type type = value.getType();
  if (type.isIndex())
    return value;
  if (isa<FloatType>(type))
    value = arith::FPToSIOp::create(b, loc, b.getI64Type(), value);
  if (isUnsigned)
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), value);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

Value extractScalar(OpBuilder &b, Location loc, Value tensor) {
  int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
  return tensor::ExtractOp::create(b, loc, tensor,
                                   SmallVector<Value>(rank, indexConstant(b, loc, 0)));
}

Value addScalar(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::AddFOp::create(b, loc, x, y))
                                     : Value(arith::AddIOp::create(b, loc, x, y));
}

Value mulScalar(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::MulFOp::create(b, loc, x, y))
                                     : Value(arith::MulIOp::create(b, loc, x, y));
}

Value buildIndexedGeneric(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange sizes,
                          IndexedBodyFn body) {
  int64_t rank = resultType.getRank();
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  Value init = resultType.hasStaticShape() ? createEmpty(b, loc, resultType)
                                           : createEmpty(b, loc, resultType, sizes);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{}, ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange) {
               SmallVector<Value> indices;
               for (int64_t i = 0; i < rank; ++i)
                 indices.push_back(linalg::IndexOp::create(nb, nloc, i));
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, indices));
             })
      .getResult(0);
}

Value buildIndexedGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                          IndexedBodyFn body) {
  return buildIndexedGeneric(b, loc, resultType, ValueRange{}, body);
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

namespace {

/// How the inputs of an elementwise op broadcast into its result, decided as
/// far as the types allow. A dim is "uncertain" when the input's size there
/// is dynamic and might be 1 while the result's is not (or the other way):
/// only the run time can tell whether that input stretches.
struct BroadcastPlan {
  SmallVector<Value> sizes;                            // One index per result dim.
  SmallVector<SmallVector<bool>> uncertain;            // Per input, per input dim.
  bool anyUncertain = false;
};

BroadcastPlan planBroadcast(OpBuilder &b, Location loc, RankedTensorType resultType,
                            ValueRange inputs) {
  int64_t rank = resultType.getRank();
  BroadcastPlan plan;
  for (Value input : inputs)
    plan.uncertain.emplace_back(cast<RankedTensorType>(input.getType()).getRank(), false);
  for (int64_t i = 0; i < rank; ++i) {
    // Inputs whose aligned dim is dynamic.
    SmallVector<std::pair<unsigned, int64_t>> dynamicDims;
    for (auto [k, input] : llvm::enumerate(inputs)) {
      auto type = cast<RankedTensorType>(input.getType());
      int64_t d = i - (rank - type.getRank());
      if (d >= 0 && type.isDynamicDim(d))
        dynamicDims.push_back({unsigned(k), d});
    }
    if (!resultType.isDynamicDim(i)) {
      plan.sizes.push_back(arith::ConstantIndexOp::create(b, loc, resultType.getDimSize(i)));
      // A dynamic input dim against a static result > 1 may still be 1.
      if (resultType.getDimSize(i) != 1)
        for (auto [k, d] : dynamicDims)
          plan.uncertain[k][d] = plan.anyUncertain = true;
      continue;
    }
    // Dynamic result dim: the input size that is not 1 (sizes are equal or
    // 1), so 0 against 1 is 0; any 0 makes it 0, so that sizes that do not
    // broadcast with an empty input never read it.
    Value size, anyZero;
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    for (auto [k, d] : dynamicDims) {
      Value dim = tensor::DimOp::create(b, loc, inputs[k], d);
      Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim, zero);
      anyZero = anyZero ? Value(arith::OrIOp::create(b, loc, anyZero, isZero)) : isZero;
      if (!size) {
        size = dim;
        continue;
      }
      Value sizeIsOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, size, one);
      size = arith::SelectOp::create(b, loc, sizeIsOne, dim, size);
    }
    if (dynamicDims.size() > 1)
      size = arith::SelectOp::create(b, loc, anyZero, zero, size);
    plan.sizes.push_back(size ? size : one);
    if (dynamicDims.size() > 1)
      for (auto [k, d] : dynamicDims)
        plan.uncertain[k][d] = plan.anyUncertain = true;
  }
  return plan;
}

/// The generic over the result. With `exact`, uncertain dims are taken to
/// match the result (the run time checked it); otherwise each uncertain input
/// is read with tensor.extract at index 0 where its size is 1, clamped to
/// stay in bounds for sizes that do not broadcast.
Value buildElementwiseGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                              ValueRange inputs, const BroadcastPlan &plan, bool exact,
                              ScalarBodyFn body) {
  int64_t rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<Value> mapped;
  SmallVector<unsigned> extracted;
  SmallVector<AffineMap> maps;
  for (auto [k, input] : llvm::enumerate(inputs)) {
    if (!exact && llvm::is_contained(plan.uncertain[k], true)) {
      extracted.push_back(k);
      continue;
    }
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<AffineExpr> exprs;
    int64_t offset = rank - type.getRank();
    for (int64_t i = 0; i < type.getRank(); ++i) {
      bool stretched = type.getDimSize(i) == 1 && resultType.getDimSize(offset + i) != 1;
      exprs.push_back(stretched ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(offset + i, ctx));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
    mapped.push_back(input);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultType, plan.sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, mapped, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        // Reassemble the operands in their original order.
        SmallVector<Value> operands(inputs.size());
        unsigned next = 0;
        for (unsigned k = 0; k < inputs.size(); ++k)
          if (!llvm::is_contained(extracted, k))
            operands[k] = args[next++];
        for (unsigned k : extracted) {
          Value input = inputs[k];
          auto type = cast<RankedTensorType>(input.getType());
          int64_t offset = rank - type.getRank();
          SmallVector<Value> indices;
          Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
          Value one = arith::ConstantIndexOp::create(nb, nloc, 1);
          for (int64_t d = 0; d < type.getRank(); ++d) {
            Value index = linalg::IndexOp::create(nb, nloc, offset + d);
            if (type.getDimSize(d) == 1 && resultType.getDimSize(offset + d) != 1) {
              indices.push_back(zero);
              continue;
            }
            if (!type.isDynamicDim(d)) {
              indices.push_back(index);
              continue;
            }
            Value dim = tensor::DimOp::create(nb, nloc, input, d);
            Value isOne = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq, dim, one);
            Value last = arith::SubIOp::create(nb, nloc, arith::MaxUIOp::create(nb, nloc, dim, one), one);
            Value clamped = arith::MinUIOp::create(nb, nloc, index, last);
            indices.push_back(arith::SelectOp::create(nb, nloc, isOne, zero, clamped));
          }
          operands[k] = tensor::ExtractOp::create(nb, nloc, input, indices);
        }
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, operands));
      });
  return generic.getResult(0);
}

} // namespace

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                       ScalarBodyFn body) {
  BroadcastPlan plan = planBroadcast(b, loc, resultType, inputs);
  if (!plan.anyUncertain)
    return buildElementwiseGeneric(b, loc, resultType, inputs, plan, /*exact=*/true, body);
  // Usually every dynamic dim matches the result: take the fast generic then,
  // and the general one (runtime broadcasting) otherwise.
  int64_t rank = resultType.getRank();
  Value allMatch = arith::ConstantIntOp::create(b, loc, 1, 1);
  Value broadcasts = allMatch;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  for (auto [k, input] : llvm::enumerate(inputs)) {
    auto type = cast<RankedTensorType>(input.getType());
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (plan.uncertain[k][d]) {
        Value dim = tensor::DimOp::create(b, loc, input, d);
        Value equal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim,
                                            plan.sizes[d + rank - type.getRank()]);
        allMatch = arith::AndIOp::create(b, loc, allMatch, equal);
        Value stretches = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, dim, one);
        broadcasts = arith::AndIOp::create(b, loc, broadcasts,
                                           arith::OrIOp::create(b, loc, equal, stretches));
      }
  }
  // Dims that neither match nor are 1 are a caller's error: report it (and
  // read nothing, below).
  cf::AssertOp::create(b, loc, broadcasts,
                       describeLocation(loc) +
                           ": input dims do not broadcast (each must equal the "
                           "result's or be 1)");
  auto ifOp = scf::IfOp::create(
      b, loc, allMatch,
      [&](OpBuilder &tb, Location tloc) {
        scf::YieldOp::create(tb, tloc, buildElementwiseGeneric(tb, tloc, resultType, inputs, plan,
                                                               /*exact=*/true, body));
      },
      [&](OpBuilder &eb, Location eloc) {
        // Dims that do not broadcast (the check above failed) read nothing:
        // an input of 0 elements has no element to clamp to.
        auto general = scf::IfOp::create(
            eb, eloc, broadcasts,
            [&](OpBuilder &gb, Location gloc) {
              scf::YieldOp::create(gb, gloc,
                                   buildElementwiseGeneric(gb, gloc, resultType, inputs, plan,
                                                           /*exact=*/false, body));
            },
            [&](OpBuilder &zb, Location zloc) {
              Value zero = scalarConstant(zb, zloc, resultType.getElementType(), 0.0);
              scf::YieldOp::create(zb, zloc, createFilled(zb, zloc, resultType, plan.sizes, zero));
            });
        scf::YieldOp::create(eb, eloc, general.getResult(0));
      });
  return ifOp.getResult(0);
}

RankedTensorType getStaticType(const TypeConverter &converter, Value value) {
  auto type = getRankedType(converter, value);
  return type && type.hasStaticShape() ? type : nullptr;
}

RankedTensorType getRankedType(const TypeConverter &converter, Value value) {
  return dyn_cast_or_null<RankedTensorType>(converter.convertType(value.getType()));
}

RankedTensorType dataDependentType(const TypeConverter &converter, Value result, int64_t rank,
                                   Type elem) {
  if (auto ranked = getRankedType(converter, result))
    return ranked;
  return RankedTensorType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic), elem);
}

Value castToResultType(OpBuilder &b, Location loc, Value value, Type resultType) {
  auto ranked = dyn_cast<RankedTensorType>(resultType);
  if (!ranked || ranked == value.getType())
    return value;
  return tensor::CastOp::create(b, loc, ranked, value);
}

bool canHoldShape(RankedTensorType type, ArrayRef<int64_t> shape) {
  if (type.getRank() != static_cast<int64_t>(shape.size()))
    return false;
  for (auto [a, b] : llvm::zip(type.getShape(), shape))
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return false;
  return true;
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

void assertIndicesInRange(OpBuilder &b, Location loc, Value indices, ArrayRef<Value> bounds,
                          Operation *op) {
  auto type = cast<RankedTensorType>(indices.getType());
  Type elem = type.getElementType();
  int64_t rank = type.getRank(), components = bounds.size();
  assert((components == 1 || (rank >= 1 && type.getDimSize(rank - 1) == components)) &&
         "several bounds need a static last dim of as many components");
  SmallVector<Value> highs, lows;
  for (Value n : bounds) {
    highs.push_back(arith::IndexCastOp::create(b, loc, elem, n));
    lows.push_back(arith::SubIOp::create(b, loc, arith::ConstantIntOp::create(b, loc, elem, 0),
                                         highs.back()));
  }
  auto inside = [&](OpBuilder &ib, Location l, Value index, int64_t j) -> Value {
    return arith::AndIOp::create(
        ib, l, arith::CmpIOp::create(ib, l, arith::CmpIPredicate::sge, index, lows[j]),
        arith::CmpIOp::create(ib, l, arith::CmpIPredicate::slt, index, highs[j]));
  };
  Value allInside;
  if (rank == 0) {
    allInside = inside(b, loc, tensor::ExtractOp::create(b, loc, indices, ValueRange{}), 0);
  } else {
    // Rows of `components` indices: [n] for one bound, [n, k] for several.
    Value rows = indices;
    auto dims = [](int64_t from, int64_t to) -> ReassociationIndices {
      return llvm::to_vector(llvm::seq<int64_t>(from, to));
    };
    if (components == 1 && rank > 1)
      rows = tensor::CollapseShapeOp::create(b, loc, indices,
                                             SmallVector<ReassociationIndices>{dims(0, rank)});
    else if (components > 1 && rank > 2)
      rows = tensor::CollapseShapeOp::create(
          b, loc, indices, SmallVector<ReassociationIndices>{dims(0, rank - 1), {rank - 1}});
    else if (components > 1 && rank == 1)
      rows = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get({1, components}, elem),
                                           indices, SmallVector<ReassociationIndices>{{0, 1}});
    Value count = tensor::DimOp::create(b, loc, rows, 0);
    auto loop = scf::ForOp::create(
        b, loc, arith::ConstantIndexOp::create(b, loc, 0), count,
        arith::ConstantIndexOp::create(b, loc, 1),
        ValueRange{arith::ConstantIntOp::create(b, loc, 1, 1)},
        [&](OpBuilder &fb, Location l, Value i, ValueRange acc) {
          Value all = acc[0];
          for (int64_t j = 0; j < components; ++j) {
            SmallVector<Value> at{i};
            if (components > 1)
              at.push_back(arith::ConstantIndexOp::create(fb, l, j));
            Value index = tensor::ExtractOp::create(fb, l, rows, at);
            all = arith::AndIOp::create(fb, l, all, inside(fb, l, index, j));
          }
          scf::YieldOp::create(fb, l, ValueRange{all});
        });
    allInside = loop.getResult(0);
  }
  cf::AssertOp::create(b, loc, allInside,
                       describeNode(op) + ": an index is out of range (each must be in "
                                          "[-n, n) for an axis of n elements)");
}

Value withinDataDependentLimit(OpBuilder &b, Location loc, ArrayRef<Value> factors) {
  // In i64 whatever the width of `index`: on a 32-bit target the limit and
  // the saturated product would not fit.
  Type i64 = b.getI64Type();
  Value ok = arith::ConstantIntOp::create(b, loc, 1, 1);
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
  // The product saturates at limit + 1, so it cannot wrap around.
  Value beyond = arith::ConstantIntOp::create(b, loc, kMaxDataDependentElements + 1, 64);
  Value product = arith::ConstantIntOp::create(b, loc, 1, 64);
  for (Value factor : factors) {
    Value wide = arith::IndexCastOp::create(b, loc, i64, factor);
    ok = arith::AndIOp::create(
        b, loc, ok, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, wide, zero));
    Value clamped =
        arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, wide, zero), beyond);
    product = arith::MinSIOp::create(b, loc, arith::MulIOp::create(b, loc, product, clamped),
                                     beyond);
  }
  Value limit = arith::ConstantIntOp::create(b, loc, kMaxDataDependentElements, 64);
  return arith::AndIOp::create(
      b, loc, ok, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, product, limit));
}

SmallVector<Value> checkDataDependentSizes(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                                           Operation *op, StringRef what, Value valid,
                                           bool bounded) {
  Value ok = valid ? valid : arith::ConstantIntOp::create(b, loc, 1, 1);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  if (bounded) {
    ok = arith::AndIOp::create(b, loc, ok, withinDataDependentLimit(b, loc, sizes));
  } else {
    for (Value size : sizes)
      ok = arith::AndIOp::create(
          b, loc, ok, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, size, zero));
  }
  cf::AssertOp::create(b, loc, ok, describeNode(op) + ": " + what.str());
  SmallVector<Value> checked;
  for (Value size : sizes)
    checked.push_back(arith::SelectOp::create(b, loc, ok, size, zero));
  return checked;
}

Value trapFreeDivisor(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  Type type = y.getType();
  Value zero = scalarConstant(b, loc, type, 0), one = scalarConstant(b, loc, type, 1);
  Value traps = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
  if (!isUnsigned) {
    Value overflows = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x,
                              lowestValue(b, loc, type, /*isUnsigned=*/false)),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, scalarConstant(b, loc, type, -1)));
    traps = arith::OrIOp::create(b, loc, traps, overflows);
  }
  return arith::SelectOp::create(b, loc, traps, one, y);
}

Value gatherIndex(OpBuilder &b, Location loc, Value index, Value n) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  index = arith::SelectOp::create(b, loc, negative, arith::AddIOp::create(b, loc, index, n), index);
  Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, index, n);
  return arith::SelectOp::create(b, loc, inside, index, zero);
}

std::string describeLocation(Location loc) {
  auto nameLoc = dyn_cast<NameLoc>(loc);
  if (!nameLoc)
    return "an operator";
  std::string text = "node '" + nameLoc.getName().str() + "'";
  // The importer nests the op type's NameLoc inside the node's.
  if (auto opType = dyn_cast<NameLoc>(nameLoc.getChildLoc()))
    text += " (" + opType.getName().str() + ")";
  return text;
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

FailureOr<MappedParam> mapParam(OpBuilder &b, Location loc, Value param, unsigned loops,
                                std::optional<unsigned> dim, int64_t dimSize, Value dimValue) {
  MLIRContext *ctx = b.getContext();
  auto type = dyn_cast<RankedTensorType>(param.getType());
  if (!type)
    return failure();
  if (type.getRank() == 0)
    return MappedParam{param, AffineMap::get(loops, 0, {}, ctx)};
  if (type.getRank() != 1)
    return failure();
  AffineMap first = AffineMap::get(loops, 0, {getAffineConstantExpr(0, ctx)}, ctx);
  if (type.getDimSize(0) == 1)
    return MappedParam{param, first};
  if (!dim) {
    if (!type.isDynamicDim(0))
      return failure();
    return MappedParam{param, first};
  }
  AffineMap follow = AffineMap::get(loops, 0, {getAffineDimExpr(*dim, ctx)}, ctx);
  if (!type.isDynamicDim(0)) {
    if (type.getDimSize(0) == dimSize || ShapedType::isDynamic(dimSize))
      return MappedParam{param, follow};
    return failure();
  }
  if (!dimValue)
    return failure();
  auto expandedType = RankedTensorType::get({dimSize}, type.getElementType());
  Value count = tensor::DimOp::create(b, loc, param, 0);
  Value single = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count,
                                       indexConstant(b, loc, 1));
  Value expanded = buildIndexedGeneric(
      b, loc, expandedType, ValueRange{dimValue},
      [&](OpBuilder &nb, Location l, ValueRange indices) {
        Value i = arith::SelectOp::create(nb, l, single, indexConstant(nb, l, 0), indices[0]);
        return Value(tensor::ExtractOp::create(nb, l, param, ValueRange{i}));
      });
  return MappedParam{expanded, follow};
}

static uint64_t splitMix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t randomStreamKey(Operation *op, std::optional<uint64_t> seed) {
  constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ULL;
  if (seed)
    return splitMix64(*seed + kGamma);
  // FNV-1a of "node 'name' (Op)": stable across runs and hosts.
  uint64_t hash = 0xCBF29CE484222325ULL;
  for (char c : describeNode(op)) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  return splitMix64(0x736D656C74524E47ULL ^ hash); // "smeltRNG"
}

Value randomUniform01(OpBuilder &b, Location loc, uint64_t key, Value index) {
  auto constant = [&](uint64_t v) {
    return Value(arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(static_cast<int64_t>(v))));
  };
  auto xorShift = [&](Value z, unsigned s) {
    return Value(arith::XOrIOp::create(b, loc, z, arith::ShRUIOp::create(b, loc, z, constant(s))));
  };
  Value counter = arith::AddIOp::create(b, loc, index, constant(1));
  Value z = arith::AddIOp::create(
      b, loc, constant(key), arith::MulIOp::create(b, loc, counter, constant(0x9E3779B97F4A7C15ULL)));
  z = arith::MulIOp::create(b, loc, xorShift(z, 30), constant(0xBF58476D1CE4E5B9ULL));
  z = arith::MulIOp::create(b, loc, xorShift(z, 27), constant(0x94D049BB133111EBULL));
  Value top = arith::ShRUIOp::create(b, loc, xorShift(z, 31), constant(11));
  Value u = arith::UIToFPOp::create(b, loc, b.getF64Type(), top);
  return arith::MulFOp::create(b, loc, u, scalarConstant(b, loc, b.getF64Type(), 0x1p-53));
}

/// `type` without dim `axis`.
RankedTensorType dropDim(RankedTensorType type, int64_t axis) {
  SmallVector<int64_t> dims(type.getShape());
  dims.erase(dims.begin() + axis);
  return type.clone(dims);
}

/// `type` with a dim of size `size` inserted at `axis`.
RankedTensorType insertDim(RankedTensorType type, int64_t axis, int64_t size) {
  SmallVector<int64_t> dims(type.getShape());
  dims.insert(dims.begin() + axis, size);
  return type.clone(dims);
}


} // namespace smelt
