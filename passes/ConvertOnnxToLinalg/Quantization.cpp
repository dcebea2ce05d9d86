//===- Quantization.cpp - quantized ops to linalg -------------------------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul and QLinearConv (opset 17 semantics).
//
// Scales and zero points are scalars, one-element 1-D tensors (per tensor) or
// 1-D tensors along one dim (per axis / row / column / output channel); each
// becomes an extra input of the linalg.generic that uses it, with a map that
// reads element 0 or follows that one loop. Quantizing computes in f32:
// round half to even, add the zero point, saturate (NaN saturates to the
// lowest value), convert. Integer products extend both operands to i32,
// subtract their zero points inside the contraction body and accumulate in
// i32; the QLinear ops then requantize with the f32 multiplier
// `scale_a * scale_b / scale_y`. Convolution inputs are padded with their
// zero point, so padding contributes nothing to the sum.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

/// Reports `message` at `op` (prefixed with its node) and fails.
template <typename T = Value>
FailureOr<T> failAt(Operation *op, const Twine &message) {
  op->emitError() << describeNode(op) << ": " << message;
  return failure();
}

/// Sizes of all dims of `tensor`, as index values.
SmallVector<Value> tensorSizes(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> sizes;
  for (int64_t d = 0, e = cast<RankedTensorType>(tensor.getType()).getRank(); d < e; ++d)
    sizes.push_back(dimSize(b, loc, tensor, d));
  return sizes;
}

/// `n` for messages, or words for a dynamic size.
std::string countText(int64_t n) {
  return ShapedType::isDynamic(n) ? std::string("as many") : std::to_string(n);
}

/// An all-parallel linalg.generic producing `resultType` (identity output
/// map) from `inputs` read through `maps`.
Value buildMapped(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange sizes,
                  ValueRange inputs, ArrayRef<AffineMap> maps, ScalarBodyFn body) {
  SmallVector<AffineMap> allMaps(maps);
  allMaps.push_back(b.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs,
             ValueRange{createEmpty(b, loc, resultType, sizes)}, allMaps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
             })
      .getResult(0);
}

/// saturate(round_half_to_even(real) + zeroPoint) in `dstType`, computed in
/// f32. `zeroPoint` may be null (zero).
Value quantizeScalar(OpBuilder &b, Location loc, Value real, Value zeroPoint, bool zpUnsigned,
                     Type dstType, bool dstUnsigned) {
  Type f32 = b.getF32Type();
  Value q = math::RoundEvenOp::create(b, loc, real);
  if (zeroPoint)
    q = arith::AddFOp::create(b, loc, q, castScalar(b, loc, zeroPoint, f32, zpUnsigned, false));
  unsigned width = dstType.getIntOrFloatBitWidth();
  double lo = dstUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double hi = dstUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  // maxnumf/minnumf: a NaN (0/0 scale) saturates to `lo` instead of poisoning the cast.
  q = arith::MaxNumFOp::create(b, loc, q, scalarConstant(b, loc, f32, lo));
  q = arith::MinNumFOp::create(b, loc, q, scalarConstant(b, loc, f32, hi));
  return castScalar(b, loc, q, dstType, false, dstUnsigned);
}

Value toI32(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  return castScalar(b, loc, v, b.getI32Type(), isUnsigned, false);
}

// --- QuantizeLinear / DequantizeLinear --------------------------------------

/// Adds the scale and (optional) zero point of a per-tensor / per-axis op
/// whose loop space is the shape of `x` to `inputs` and `maps`; emits an
/// error naming `op` on a bad shape.
LogicalResult perAxisParams(Operation *op, OpBuilder &b, Value x, int64_t axisAttr, Value scale,
                            Value zeroPoint, SmallVectorImpl<Value> &inputs,
                            SmallVectorImpl<AffineMap> &maps) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  // The axis only matters (and must be valid) for per-axis parameters.
  std::optional<unsigned> axis;
  int64_t axisSize = 0;
  Value axisValue;
  int64_t a = normalizeAxis(axisAttr, rank);
  if (a >= 0 && a < rank) {
    axis = a;
    axisSize = type.getDimSize(a);
    axisValue = dimSize(b, loc, x, a);
  }
  for (Value param : {scale, zeroPoint}) {
    if (!param)
      continue;
    FailureOr<MappedParam> mapped = mapParam(b, loc, param, rank, axis, axisSize, axisValue);
    if (failed(mapped) && !axis)
      return op->emitError() << describeNode(op) << ": axis " << axisAttr
                             << " is out of range for rank " << rank;
    if (failed(mapped)) {
      auto diag = op->emitError() << describeNode(op) << ": scale and zero point must be "
                                  << "scalars or 1-D tensors of ";
      if (ShapedType::isDynamic(axisSize))
        diag << "the axis dim's";
      else
        diag << axisSize;
      return diag << " elements (the axis dim)";
    }
    inputs.push_back(mapped->value);
    maps.push_back(mapped->map);
  }
  return success();
}

struct QuantizeLinearPattern : DynamicShapePattern<onnx::QuantizeLinearOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::QuantizeLinearOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    Value zeroPoint = isNone(adaptor.getYZeroPoint()) ? Value() : adaptor.getYZeroPoint();
    SmallVector<Value> inputs{adaptor.getX()};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(resultType.getRank())};
    if (failed(perAxisParams(op, rewriter, adaptor.getX(), op.getAxis(), adaptor.getYScale(),
                             zeroPoint, inputs, maps)))
      return failure();
    bool zpUnsigned = zeroPoint && isUnsignedElement(op.getYZeroPoint());
    bool dstUnsigned = isUnsignedElement(op.getY());
    Type dstType = resultType.getElementType();
    Value result = buildMapped(
        rewriter, loc, resultType, tensorSizes(rewriter, loc, adaptor.getX()), inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = castScalar(b, l, args[0], b.getF32Type(), false, false);
          Value real = arith::DivFOp::create(b, l, x, args[1]);
          return quantizeScalar(b, l, real, args.size() > 2 ? args[2] : Value(), zpUnsigned,
                                dstType, dstUnsigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DequantizeLinearPattern : DynamicShapePattern<onnx::DequantizeLinearOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::DequantizeLinearOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    Value zeroPoint = isNone(adaptor.getXZeroPoint()) ? Value() : adaptor.getXZeroPoint();
    SmallVector<Value> inputs{adaptor.getX()};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(resultType.getRank())};
    if (failed(perAxisParams(op, rewriter, adaptor.getX(), op.getAxis(), adaptor.getXScale(),
                             zeroPoint, inputs, maps)))
      return failure();
    bool xUnsigned = isUnsignedElement(op.getX());
    bool zpUnsigned = zeroPoint && isUnsignedElement(op.getXZeroPoint());
    Value result = buildMapped(
        rewriter, loc, resultType, tensorSizes(rewriter, loc, adaptor.getX()), inputs, maps,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Type f32 = b.getF32Type();
          Value x = castScalar(b, l, args[0], f32, xUnsigned, false);
          if (args.size() > 2)
            x = arith::SubFOp::create(b, l, x, castScalar(b, l, args[2], f32, zpUnsigned, false));
          return Value(arith::MulFOp::create(b, l, x, args[1]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- DynamicQuantizeLinear ---------------------------------------------------

struct DynamicQuantizeLinearPattern : DynamicShapePattern<onnx::DynamicQuantizeLinearOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::DynamicQuantizeLinearOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &converter = *getTypeConverter();
    auto yType = getRankedType(converter, op.getY());
    auto scaleType = getStaticType(converter, op.getYScale());
    auto zpType = getStaticType(converter, op.getYZeroPoint());
    auto xType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!yType || !scaleType || !zpType || !xType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    if (scaleType.getRank() != 0 || zpType.getRank() != 0)
      return op.emitError() << describeNode(op) << ": y_scale and y_zero_point must be scalars";
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    auto scalarF32 = RankedTensorType::get({}, f32);

    // min(0, min(x)) and max(0, max(x)) in one pass: both accumulators start at 0.
    int64_t rank = xType.getRank();
    Value zero = scalarConstant(rewriter, loc, f32, 0);
    Value minInit = createFilled(rewriter, loc, scalarF32, zero);
    Value maxInit = createFilled(rewriter, loc, scalarF32, zero);
    AffineMap scalarMap = AffineMap::get(rank, 0, {}, ctx);
    auto range = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scalarF32, scalarF32}, ValueRange{adaptor.getX()},
        ValueRange{minInit, maxInit},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), scalarMap, scalarMap},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::reduction),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::MinimumFOp::create(b, l, args[1], args[0]),
                                             arith::MaximumFOp::create(b, l, args[2], args[0])});
        });

    // scale = (max - min) / 255, zero_point = saturate(round(0 - min / scale)).
    auto params = linalg::GenericOp::create(
        rewriter, loc, TypeRange{scaleType, zpType}, range.getResults(),
        ValueRange{createEmpty(rewriter, loc, scaleType), createEmpty(rewriter, loc, zpType)},
        SmallVector<AffineMap>(4, AffineMap::get(0, 0, {}, ctx)),
        SmallVector<utils::IteratorType>{}, [&](OpBuilder &b, Location l, ValueRange args) {
          Value span = arith::SubFOp::create(b, l, args[1], args[0]);
          Value scale = arith::DivFOp::create(b, l, span, scalarConstant(b, l, f32, 255));
          Value shifted = arith::NegFOp::create(b, l, arith::DivFOp::create(b, l, args[0], scale));
          Value zp = quantizeScalar(b, l, shifted, Value(), false, zpType.getElementType(), true);
          linalg::YieldOp::create(b, l, ValueRange{scale, zp});
        });
    Value scale = params.getResult(0), zp = params.getResult(1);

    Type dstType = yType.getElementType();
    Value y = buildElementwise(rewriter, loc, yType, ValueRange{adaptor.getX(), scale, zp},
                               [&](OpBuilder &b, Location l, ValueRange args) {
                                 Value real = arith::DivFOp::create(b, l, args[0], args[1]);
                                 return quantizeScalar(b, l, real, args[2], true, dstType, true);
                               });
    rewriter.replaceOp(op, ValueRange{y, scale, zp});
    return success();
  }
};

// --- MatMulInteger / QLinearMatMul -------------------------------------------

/// The zero-point-corrected i32 product of a quantized MatMul, over the
/// full (batch..., M, N) shape (1-D operands promoted to matrices).
struct IntegerProduct {
  Value acc;                  ///< i32, shape `fullType`
  RankedTensorType fullType;  ///< (batch..., M, N)
  SmallVector<Value> sizes;   ///< one index value per dim of `fullType`
};

/// Copies `t` (batch..., R, C) to (`batchShape`..., R, C) with sizes
/// `batchSizes`, reading its batch dims of size 1 (known only at run time)
/// at index 0.
Value broadcastBatch(OpBuilder &b, Location loc, Value t, ArrayRef<int64_t> batchShape,
                     ValueRange batchSizes) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank(), own = rank - 2, batchRank = batchShape.size();
  SmallVector<int64_t> shape(batchShape);
  SmallVector<Value> sizes(batchSizes);
  for (int64_t d = own; d < rank; ++d) {
    shape.push_back(type.getDimSize(d));
    sizes.push_back(dimSize(b, loc, t, d));
  }
  SmallVector<Value> single;
  for (int64_t i = 0; i < own; ++i)
    single.push_back(type.isDynamicDim(i)
                         ? Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                                       dimSize(b, loc, t, i),
                                                       indexConstant(b, loc, 1)))
                         : Value());
  return buildIndexedGeneric(
      b, loc, RankedTensorType::get(shape, type.getElementType()), sizes,
      [&](OpBuilder &nb, Location l, ValueRange idx) {
        SmallVector<Value> indices;
        for (int64_t i = 0; i < own; ++i) {
          Value at = idx[batchRank - own + i];
          if (single[i])
            at = arith::SelectOp::create(nb, l, single[i], indexConstant(nb, l, 0), at);
          else if (type.getDimSize(i) == 1)
            at = indexConstant(nb, l, 0);
          indices.push_back(at);
        }
        indices.append({idx[batchRank], idx[batchRank + 1]});
        return Value(tensor::ExtractOp::create(nb, l, t, indices));
      });
}

/// acc = sum_k (a - aZp) * (b - bZp) with numpy MatMul broadcasting.
/// `aZp` follows the rows of A, `bZp` the columns of B (either may be null).
/// `aOrig`, `bOrig`, `aZpOrig`, `bZpOrig` are the onnx values, for signedness.
FailureOr<IntegerProduct> buildIntegerMatMul(Operation *op, OpBuilder &b, Value a, Value bm,
                                             Value aZp, Value bZp, Value aOrig, Value bOrig,
                                             Value aZpOrig, Value bZpOrig) {
  Location loc = op->getLoc();
  MLIRContext *ctx = b.getContext();
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(bm.getType());
  if (aType.getRank() == 0 || bType.getRank() == 0) {
    op->emitError() << describeNode(op) << ": operands must have rank >= 1";
    return failure();
  }
  bool aU = isUnsignedElement(aOrig), bU = isUnsignedElement(bOrig);
  bool aZpU = aZp && isUnsignedElement(aZpOrig), bZpU = bZp && isUnsignedElement(bZpOrig);
  // 8-bit operands of the common shapes: the byte product (dot-product kernels).
  if (std::optional<Value> acc = buildByteMatMul(b, loc, {a, aU, aZp, aZpU}, {bm, bU, bZp, bZpU})) {
    auto fullType = cast<RankedTensorType>(acc->getType());
    SmallVector<Value> sizes;
    for (int64_t size : fullType.getShape())
      sizes.push_back(indexConstant(b, loc, size));
    return IntegerProduct{*acc, fullType, sizes};
  }
  Value one = indexConstant(b, loc, 1);
  if (aType.getRank() == 1) {
    Value k = dimSize(b, loc, a, 0);
    aType = RankedTensorType::get({1, aType.getDimSize(0)}, aType.getElementType());
    a = reshapeToSizes(b, loc, a, aType, {one, k});
  }
  if (bType.getRank() == 1) {
    Value k = dimSize(b, loc, bm, 0);
    bType = RankedTensorType::get({bType.getDimSize(0), 1}, bType.getElementType());
    bm = reshapeToSizes(b, loc, bm, bType, {k, one});
  }
  int64_t batchRank = std::max(aType.getRank(), bType.getRank()) - 2;
  SmallVector<int64_t> shape;
  SmallVector<Value> sizes;
  // Set when a dynamic batch dim may be 1 (and stretch) only at run time.
  bool runtimeBroadcast = false;
  for (int64_t i = 0; i < batchRank; ++i) {
    auto dimOf = [&](Value t, RankedTensorType tt) -> std::pair<int64_t, Value> {
      int64_t j = i - (batchRank - (tt.getRank() - 2));
      if (j < 0)
        return {1, one};
      return {tt.getDimSize(j), dimSize(b, loc, t, j)};
    };
    auto [da, va] = dimOf(a, aType);
    auto [db, vb] = dimOf(bm, bType);
    bool aDyn = ShapedType::isDynamic(da), bDyn = ShapedType::isDynamic(db);
    if (!aDyn && !bDyn) {
      if (da != db && da != 1 && db != 1) {
        op->emitError() << describeNode(op) << ": batch dims " << da << " and " << db
                        << " do not broadcast";
        return failure();
      }
      shape.push_back(std::max(da, db));
      sizes.push_back(indexConstant(b, loc, std::max(da, db)));
    } else if (da == 1 || db == 1) {
      shape.push_back(da == 1 ? db : da);
      sizes.push_back(da == 1 ? vb : va);
    } else if (!aDyn || !bDyn) {
      shape.push_back(aDyn ? db : da);
      sizes.push_back(aDyn ? vb : va);
      runtimeBroadcast = true;
    } else {
      shape.push_back(ShapedType::kDynamic);
      Value aSingle = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, va, one);
      sizes.push_back(arith::SelectOp::create(b, loc, aSingle, vb, va));
      runtimeBroadcast = true;
    }
  }
  if (runtimeBroadcast) {
    a = broadcastBatch(b, loc, a, shape, sizes);
    bm = broadcastBatch(b, loc, bm, shape, sizes);
    aType = cast<RankedTensorType>(a.getType());
    bType = cast<RankedTensorType>(bm.getType());
  }
  int64_t rowsM = aType.getDimSize(aType.getRank() - 2);
  int64_t colsN = bType.getDimSize(bType.getRank() - 1);
  int64_t innerA = aType.getDimSize(aType.getRank() - 1);
  int64_t innerB = bType.getDimSize(bType.getRank() - 2);
  if (!ShapedType::isDynamic(innerA) && !ShapedType::isDynamic(innerB) && innerA != innerB) {
    op->emitError() << describeNode(op) << ": inner dims of A and B differ";
    return failure();
  }
  Value rowsValue = dimSize(b, loc, a, aType.getRank() - 2);
  Value colsValue = dimSize(b, loc, bm, bType.getRank() - 1);
  shape.push_back(rowsM);
  shape.push_back(colsN);
  sizes.push_back(rowsValue);
  sizes.push_back(colsValue);
  auto fullType = RankedTensorType::get(shape, b.getI32Type());

  // Loops (batch..., m, n, k).
  unsigned m = batchRank, n = batchRank + 1, k = batchRank + 2, loops = batchRank + 3;
  auto operandMap = [&](RankedTensorType t, unsigned row, unsigned col) {
    int64_t operandBatch = t.getRank() - 2;
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < operandBatch; ++i) {
      int64_t d = batchRank - operandBatch + i;
      bool stretched = t.getDimSize(i) == 1 && shape[d] != 1;
      exprs.push_back(stretched ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(d, ctx));
    }
    exprs.push_back(getAffineDimExpr(row, ctx));
    exprs.push_back(getAffineDimExpr(col, ctx));
    return AffineMap::get(loops, 0, exprs, ctx);
  };
  SmallVector<Value> inputs{a, bm};
  SmallVector<AffineMap> maps{operandMap(aType, m, k), operandMap(bType, k, n)};
  int aZpIndex = -1, bZpIndex = -1;
  if (aZp) {
    FailureOr<MappedParam> mapped = mapParam(b, loc, aZp, loops, m, rowsM, rowsValue);
    if (failed(mapped)) {
      op->emitError() << describeNode(op) << ": the zero point of A must be a scalar or have "
                      << countText(rowsM) << " elements (one per row)";
      return failure();
    }
    aZpIndex = inputs.size();
    inputs.push_back(mapped->value);
    maps.push_back(mapped->map);
  }
  if (bZp) {
    FailureOr<MappedParam> mapped = mapParam(b, loc, bZp, loops, n, colsN, colsValue);
    if (failed(mapped)) {
      op->emitError() << describeNode(op) << ": the zero point of B must be a scalar or have "
                      << countText(colsN) << " elements (one per column)";
      return failure();
    }
    bZpIndex = inputs.size();
    inputs.push_back(mapped->value);
    maps.push_back(mapped->map);
  }
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i < batchRank + 2; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  maps.push_back(AffineMap::get(loops, 0, outExprs, ctx));
  SmallVector<utils::IteratorType> iterators(loops - 1, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);

  Value init = createFilled(b, loc, fullType, sizes, scalarConstant(b, loc, b.getI32Type(), 0));
  Value acc = linalg::GenericOp::create(
                  b, loc, TypeRange{fullType}, inputs, ValueRange{init}, maps, iterators,
                  [&](OpBuilder &nb, Location l, ValueRange args) {
                    Value x = toI32(nb, l, args[0], aU), y = toI32(nb, l, args[1], bU);
                    if (aZpIndex >= 0)
                      x = arith::SubIOp::create(nb, l, x, toI32(nb, l, args[aZpIndex], aZpU));
                    if (bZpIndex >= 0)
                      y = arith::SubIOp::create(nb, l, y, toI32(nb, l, args[bZpIndex], bZpU));
                    Value product = arith::MulIOp::create(nb, l, x, y);
                    linalg::YieldOp::create(nb, l,
                                            Value(arith::AddIOp::create(nb, l, args.back(), product)));
                  })
                  .getResult(0);
  return IntegerProduct{acc, fullType, sizes};
}

/// `full` of shape (batch..., M, N) reshaped to the MatMul result type,
/// dropping the M (N) dim of a promoted 1-D A (B); `sizes` are `full`'s.
Value toMatMulResult(OpBuilder &b, Location loc, Value full, ValueRange sizes, Value aOrig,
                     Value bOrig, RankedTensorType resultType) {
  auto fullType = cast<RankedTensorType>(full.getType());
  if (fullType.getRank() == resultType.getRank())
    return fullType == resultType ? full : Value(tensor::CastOp::create(b, loc, resultType, full));
  if (fullType.hasStaticShape() && resultType.hasStaticShape())
    return reshapeTo(b, loc, full, resultType);
  int64_t rank = fullType.getRank();
  SmallVector<Value> resultSizes(sizes.take_front(rank - 2));
  if (cast<RankedTensorType>(aOrig.getType()).getRank() != 1)
    resultSizes.push_back(sizes[rank - 2]);
  if (cast<RankedTensorType>(bOrig.getType()).getRank() != 1)
    resultSizes.push_back(sizes[rank - 1]);
  return reshapeToSizes(b, loc, full, resultType, resultSizes);
}

struct MatMulIntegerPattern : DynamicShapePattern<onnx::MatMulIntegerOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::MatMulIntegerOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    Value aZp = isNone(adaptor.getAZeroPoint()) ? Value() : adaptor.getAZeroPoint();
    Value bZp = isNone(adaptor.getBZeroPoint()) ? Value() : adaptor.getBZeroPoint();
    FailureOr<IntegerProduct> product =
        buildIntegerMatMul(op, rewriter, adaptor.getA(), adaptor.getB(), aZp, bZp, op.getA(),
                           op.getB(), op.getAZeroPoint(), op.getBZeroPoint());
    if (failed(product))
      return failure();
    rewriter.replaceOp(op, toMatMulResult(rewriter, op.getLoc(), product->acc, product->sizes,
                                          op.getA(), op.getB(), resultType));
    return success();
  }
};

/// y = saturate(round(acc * sa[rowA] * sb[colB] / sy[rowY]) + zy[rowY]) over
/// `accType`, where each scale/zero point follows loop `dim` of size
/// `dimSize` or is per tensor.
struct RequantParam {
  Value value;
  std::optional<unsigned> dim;
  int64_t dimSize;
  Value dimValue = Value();  ///< run-time size of loop `dim`, for dynamic parameters
};

FailureOr<Value> requantize(Operation *op, OpBuilder &b, Value acc, RequantParam inScale,
                            RequantParam wScale, RequantParam outScale, RequantParam outZp,
                            bool zpUnsigned, RankedTensorType resultType, bool dstUnsigned,
                            ValueRange sizes = {}) {
  Location loc = op->getLoc();
  unsigned rank = resultType.getRank();
  SmallVector<Value> inputs{acc};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  for (const RequantParam &p : {inScale, wScale, outScale, outZp}) {
    FailureOr<MappedParam> mapped = mapParam(b, loc, p.value, rank, p.dim, p.dimSize, p.dimValue);
    if (failed(mapped))
      return failAt(op, "scales and zero points must be scalars or 1-D tensors along the dim "
                        "they quantize");
    inputs.push_back(mapped->value);
    maps.push_back(mapped->map);
  }
  Type dstType = resultType.getElementType();
  return buildMapped(b, loc, resultType, sizes, inputs, maps,
                     [&](OpBuilder &nb, Location l, ValueRange args) {
                       Type f32 = nb.getF32Type();
                       Value scale = arith::MulFOp::create(nb, l, args[1], args[2]);
                       scale = arith::DivFOp::create(nb, l, scale, args[3]);
                       Value real = castScalar(nb, l, args[0], f32, false, false);
                       real = arith::MulFOp::create(nb, l, real, scale);
                       return quantizeScalar(nb, l, real, args[4], zpUnsigned, dstType,
                                             dstUnsigned);
                     });
}

struct QLinearMatMulPattern : DynamicShapePattern<onnx::QLinearMatMulOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::QLinearMatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    FailureOr<IntegerProduct> product = buildIntegerMatMul(
        op, rewriter, adaptor.getA(), adaptor.getB(), adaptor.getAZeroPoint(),
        adaptor.getBZeroPoint(), op.getA(), op.getB(), op.getAZeroPoint(), op.getBZeroPoint());
    if (failed(product))
      return failure();
    RankedTensorType fullType = product->fullType;
    unsigned rank = fullType.getRank();
    int64_t rows = fullType.getDimSize(rank - 2), cols = fullType.getDimSize(rank - 1);
    auto outType = RankedTensorType::get(fullType.getShape(), resultType.getElementType());
    Value rowsValue = product->sizes[rank - 2], colsValue = product->sizes[rank - 1];
    FailureOr<Value> y = requantize(
        op, rewriter, product->acc, {adaptor.getAScale(), rank - 2, rows, rowsValue},
        {adaptor.getBScale(), rank - 1, cols, colsValue},
        {adaptor.getYScale(), rank - 2, rows, rowsValue},
        {adaptor.getYZeroPoint(), rank - 2, rows, rowsValue},
        isUnsignedElement(op.getYZeroPoint()), outType, isUnsignedElement(op.getY()),
        product->sizes);
    if (failed(y))
      return failure();
    rewriter.replaceOp(op, toMatMulResult(rewriter, loc, *y, product->sizes, op.getA(),
                                          op.getB(), resultType));
    return success();
  }
};

// --- ConvInteger / QLinearConv -----------------------------------------------

// Both are the float Conv's convolution (ConvPool.cpp's buildConvolution,
// dynamic dims included) on int32 operands with their zero points subtracted
// first: x's zero point is also its padding value, so the centered input pads
// with 0.

/// x - x_zero_point in int32; the zero point is per tensor.
FailureOr<Value> centeredInput(OpBuilder &b, Operation *op, Value x, Value zp, bool xUnsigned,
                               bool zpUnsigned) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(x.getType());
  auto i32Type = type.clone(b.getI32Type());
  if (!zp)
    return buildElementwise(b, loc, i32Type, ValueRange{x},
                            [&](OpBuilder &nb, Location l, ValueRange a) {
                              return toI32(nb, l, a[0], xUnsigned);
                            });
  auto zpType = dyn_cast<RankedTensorType>(zp.getType());
  if (!zpType || zpType.getRank() > 1 || (zpType.getRank() == 1 && zpType.getDimSize(0) != 1))
    return failAt(op, "x_zero_point must be a scalar");
  Value scalar = zpType.getRank() == 0
                     ? zp
                     : tensor::CollapseShapeOp::create(b, loc, zp, ArrayRef<ReassociationIndices>{});
  return buildElementwise(b, loc, i32Type, ValueRange{x, scalar},
                          [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                            // Sequenced: argument order is up to the C++ compiler.
                            Value value = toI32(nb, l, a[0], xUnsigned);
                            Value zero = toI32(nb, l, a[1], zpUnsigned);
                            return arith::SubIOp::create(nb, l, value, zero);
                          });
}

/// w - w_zero_point[m] in int32; the zero point is per tensor or per output
/// channel m (dim 0 of w).
FailureOr<Value> centeredWeight(OpBuilder &b, Operation *op, Value w, Value zp, bool wUnsigned,
                                bool zpUnsigned) {
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(w.getType());
  unsigned rank = type.getRank();
  auto i32Type = type.clone(b.getI32Type());
  SmallVector<Value> inputs{w};
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  if (zp) {
    FailureOr<MappedParam> mapped =
        mapParam(b, loc, zp, rank, 0u, type.getDimSize(0), dimSize(b, loc, w, 0));
    if (failed(mapped))
      return failAt(op, "w_zero_point must be a scalar or have " +
                            countText(type.getDimSize(0)) + " elements (one per output channel)");
    inputs.push_back(mapped->value);
    maps.push_back(mapped->map);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  return linalg::GenericOp::create(
             b, loc, TypeRange{i32Type}, inputs,
             ValueRange{createEmpty(b, loc, i32Type, tensorSizes(b, loc, w))}, maps,
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value v = toI32(nb, l, a[0], wUnsigned);
               if (a.size() > 2)
                 v = arith::SubIOp::create(nb, l, v, toI32(nb, l, a[1], zpUnsigned));
               linalg::YieldOp::create(nb, l, v);
             })
      .getResult(0);
}

/// acc [N, F, ...] plus the int32 bias [F] of each filter.
Value addPerFilter(OpBuilder &b, Location loc, Value acc, Value bias) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(acc.getType());
  unsigned rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap perFilter = AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{acc, bias},
             ValueRange{createEmpty(b, loc, type)}, ArrayRef<AffineMap>{identity, perFilter, identity},
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, Value(arith::AddIOp::create(nb, l, args[0], args[1])));
             })
      .getResult(0);
}

/// The int32 accumulator of a quantized convolution (plus the int32 bias).
template <typename OpTy>
FailureOr<Value> integerConvolution(OpBuilder &b, OpTy op, Value x, Value w, Value xZp,
                                    Value wZp, Value bias, RankedTensorType accType) {
  if (!isa<RankedTensorType>(x.getType()) || !isa<RankedTensorType>(w.getType()))
    return failAt(op, "x and w must be ranked");
  ConvolutionAttrs attrs{op.getKernelShape(), op.getStrides(), op.getDilations(), op.getPads(),
                         op.getAutoPad(), op.getGroup()};
  // 8-bit operands of the common shapes: the byte product (dot-product kernels).
  bool xU = isUnsignedElement(op.getX()), wU = isUnsignedElement(op.getW());
  bool xZpU = xZp && isUnsignedElement(op.getXZeroPoint());
  bool wZpU = wZp && isUnsignedElement(op.getWZeroPoint());
  auto biasType = bias ? dyn_cast<RankedTensorType>(bias.getType()) : RankedTensorType();
  bool biasFits = !bias || (biasType && biasType.getRank() == 1 && accType.getRank() > 1 &&
                            biasType.getDimSize(0) == accType.getDimSize(1));
  std::optional<FailureOr<Value>> acc;
  if (biasFits)
    acc = buildByteConv(b, op, {x, xU, xZp, xZpU}, {w, wU, wZp, wZpU}, accType, attrs);
  if (acc) {
    if (failed(*acc) || !bias)
      return *acc;
    return addPerFilter(b, op->getLoc(), **acc, bias);
  }
  FailureOr<Value> centeredX = centeredInput(b, op, x, xZp, xU, xZpU);
  FailureOr<Value> centeredW = centeredWeight(b, op, w, wZp, wU, wZpU);
  if (failed(centeredX) || failed(centeredW))
    return failure();
  return buildConvolution(b, op, *centeredX, *centeredW, bias, accType, attrs,
                          /*padValue=*/Value());
}

struct ConvIntegerPattern : DynamicShapePattern<onnx::ConvIntegerOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ConvIntegerOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    FailureOr<Value> acc = integerConvolution(
        rewriter, op, adaptor.getX(), adaptor.getW(),
        isNone(adaptor.getXZeroPoint()) ? Value() : adaptor.getXZeroPoint(),
        isNone(adaptor.getWZeroPoint()) ? Value() : adaptor.getWZeroPoint(), Value(), resultType);
    if (failed(acc))
      return failure();
    rewriter.replaceOp(op, *acc);
    return success();
  }
};

struct QLinearConvPattern : DynamicShapePattern<onnx::QLinearConvOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::QLinearConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    auto accType = resultType.clone(rewriter.getI32Type());
    FailureOr<Value> acc = integerConvolution(
        rewriter, op, adaptor.getX(), adaptor.getW(), adaptor.getXZeroPoint(),
        adaptor.getWZeroPoint(), isNone(adaptor.getB()) ? Value() : adaptor.getB(), accType);
    if (failed(acc))
      return failure();
    SmallVector<Value> sizes = tensorSizes(rewriter, op.getLoc(), *acc);
    int64_t filters = resultType.getDimSize(1);
    FailureOr<Value> y = requantize(
        op, rewriter, *acc, {adaptor.getXScale(), std::nullopt, 0},
        {adaptor.getWScale(), 1u, filters, sizes[1]}, {adaptor.getYScale(), std::nullopt, 0},
        {adaptor.getYZeroPoint(), std::nullopt, 0}, isUnsignedElement(op.getYZeroPoint()),
        resultType, isUnsignedElement(op.getY()), sizes);
    if (failed(y))
      return failure();
    rewriter.replaceOp(op, *y);
    return success();
  }
};

} // namespace

void populateQuantizationPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<QuantizeLinearPattern, DequantizeLinearPattern, DynamicQuantizeLinearPattern,
               MatMulIntegerPattern, QLinearMatMulPattern, ConvIntegerPattern,
               QLinearConvPattern>(converter, patterns.getContext());
}

} // namespace smelt
