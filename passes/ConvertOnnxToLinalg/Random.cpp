//===- Random.cpp - RandomUniform/Normal(Like), Bernoulli, Multinomial ----===//
//
// Random generators as pure functions of (key, element index): every element
// draws 64 bits from SplitMix64 evaluated at its linear index,
//   bits(i) = mix64(key + (i + 1) * 0x9E3779B97F4A7C15),
// computed inside a linalg.generic from linalg.index, so there is no state
// and element order or parallelism never changes a value. Uniforms use the
// top 53 bits (u in [0, 1), f64); normals use Box-Muller on two draws
// (indices 2i and 2i + 1); values are computed in f64 and rounded to the
// result type, then clamped so that uniform results stay in [low, high).
//
// The key is splitmix64(bits of the f64 `seed`) when the node has a seed,
// so nodes with equal seeds draw equal streams (as with numpy's seeding).
// Without a seed the key is derived from a fixed default seed and the
// node's name and operator, so compilation is
// deterministic and differently named nodes draw different streams.
// Either way a compiled model returns the same values on every run: values
// cannot match numpy's generator, so only what ONNX fixes (shape, dtype,
// range, distribution) is checked, together with this determinism.
// Keys and uniforms come from randomStreamKey and randomUniform01
// (LoweringUtils), which training-mode Dropout shares.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <type_traits>

using namespace mlir;

namespace smelt {
namespace {

/// The stream key of a random node (see the file comment): randomStreamKey
/// of the f64 bits of `seed` when the node has one.
uint64_t streamKey(Operation *op, std::optional<APFloat> seed) {
  if (!seed)
    return randomStreamKey(op, std::nullopt);
  APFloat value = *seed;
  bool lost = false;
  value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return randomStreamKey(op, llvm::bit_cast<uint64_t>(value.convertToDouble()));
}

Value i64Constant(OpBuilder &b, Location loc, uint64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(static_cast<int64_t>(v)));
}

/// A standard normal f64 by Box-Muller from draws 2 index and 2 index + 1.
Value standardNormal(OpBuilder &b, Location loc, uint64_t key, Value index) {
  Type f64 = b.getF64Type();
  Value first = arith::MulIOp::create(b, loc, index, i64Constant(b, loc, 2));
  Value second = arith::AddIOp::create(b, loc, first, i64Constant(b, loc, 1));
  // 1 - u is in (0, 1], so the log is finite.
  Value u1 = arith::SubFOp::create(b, loc, scalarConstant(b, loc, f64, 1.0),
                                   randomUniform01(b, loc, key, first));
  Value u2 = randomUniform01(b, loc, key, second);
  Value radius = math::SqrtOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, scalarConstant(b, loc, f64, -2.0), math::LogOp::create(b, loc, u1)));
  Value angle = arith::MulFOp::create(b, loc, u2, scalarConstant(b, loc, f64, 2.0 * M_PI));
  return arith::MulFOp::create(b, loc, radius, math::CosOp::create(b, loc, angle));
}

/// The row-major linear index (i64) of the current element of a generic
/// over `shape`, whose dynamic dims have sizes `sizes` (index values,
/// defined outside the generic).
Value linearIndex(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ValueRange sizes) {
  Value linear;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    Value i = arith::IndexCastOp::create(b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, d));
    Value size = ShapedType::isDynamic(shape[d])
                     ? Value(arith::IndexCastOp::create(b, loc, b.getI64Type(), sizes[d]))
                     : i64Constant(b, loc, shape[d]);
    linear = linear ? Value(arith::AddIOp::create(
                          b, loc, arith::MulIOp::create(b, loc, linear, size), i))
                    : i;
  }
  return linear ? linear : i64Constant(b, loc, 0);
}

/// The sizes of `type`'s dims: static ones as constants, dynamic ones from
/// the same dims of `like` (a tensor of the same rank), at run time.
SmallVector<Value> sizesOf(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    sizes.push_back(type.isDynamicDim(d) ? dimSize(b, loc, like, d)
                                         : indexConstant(b, loc, type.getDimSize(d)));
  return sizes;
}

/// A parallel generic over `type` (dims of sizes `sizes`) whose element is
/// body(linear index, elements of `inputs`, which share `type`'s shape).
Value buildIndexed(OpBuilder &b, Location loc, RankedTensorType type, ValueRange sizes,
                   ValueRange inputs,
                   llvm::function_ref<Value(OpBuilder &, Location, Value, ValueRange)> body) {
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size() + 1, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, inputs, ValueRange{createEmpty(b, loc, type, sizes)}, maps,
             parallel,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value index = linearIndex(nb, nloc, type.getShape(), sizes);
               linalg::YieldOp::create(nb, nloc, body(nb, nloc, index, args.drop_back()));
             })
      .getResult(0);
}

/// The output sizes of a random op: from the input of the *Like ops (whose
/// result has the input's shape), else the static result type.
template <typename OpTy>
FailureOr<SmallVector<Value>> outputSizes(OpBuilder &b, Location loc, OpTy op,
                                          RankedTensorType outType, ValueRange operands) {
  if constexpr (std::is_same_v<OpTy, onnx::RandomUniformLikeOp> ||
                std::is_same_v<OpTy, onnx::RandomNormalLikeOp>) {
    auto inType = dyn_cast<RankedTensorType>(operands[0].getType());
    if (!inType || inType.getRank() != outType.getRank())
      return failure();
    return sizesOf(b, loc, outType, operands[0]);
  } else {
    if (!outType.hasStaticShape())
      return failure();
    return sizesOf(b, loc, outType, Value());
  }
}

/// Rounds an f64 uniform in [low, high) to `type`, keeping it below high.
Value roundUniform(OpBuilder &b, Location loc, Value v, FloatType type, double low, double high) {
  Value rounded = castScalar(b, loc, v, type, false, false);
  APFloat below(high);
  bool lost = false;
  below.convert(type.getFloatSemantics(), APFloat::rmTowardNegative, &lost);
  if (!lost)
    below.next(/*nextDown=*/true);
  APFloat lowValue(low);
  lowValue.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  Value clamped = arith::MinimumFOp::create(
      b, loc, rounded, arith::ConstantOp::create(b, loc, b.getFloatAttr(type, below)));
  // low == high: numpy returns low.
  return arith::MaximumFOp::create(b, loc, clamped,
                                   arith::ConstantOp::create(b, loc, b.getFloatAttr(type, lowValue)));
}

double toDouble(APFloat v) {
  bool lost = false;
  v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return v.convertToDouble();
}

/// RandomUniform and RandomUniformLike: low + u * (high - low).
template <typename OpTy>
struct RandomUniformPattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = getRankedType(*this->getTypeConverter(), op.getOutput());
    if (!outType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    FailureOr<SmallVector<Value>> sizes =
        outputSizes(rewriter, loc, op, outType, adaptor.getOperands());
    if (failed(sizes))
      return op.emitError() << describeNode(op) << ": cannot size the result " << outType;
    auto elem = cast<FloatType>(outType.getElementType());
    double low = toDouble(op.getLow()), high = toDouble(op.getHigh());
    if (low > high)
      return op.emitError() << describeNode(op) << ": low " << low << " exceeds high " << high;
    uint64_t key = streamKey(op, op.getSeed());
    Value result = buildIndexed(
        rewriter, loc, outType, *sizes, ValueRange{},
        [&](OpBuilder &b, Location l, Value index, ValueRange) {
          Type f64 = b.getF64Type();
          Value u = randomUniform01(b, l, key, index);
          Value v = arith::AddFOp::create(
              b, l, scalarConstant(b, l, f64, low),
              arith::MulFOp::create(b, l, u, scalarConstant(b, l, f64, high - low)));
          return roundUniform(b, l, v, elem, low, high);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// RandomNormal and RandomNormalLike: mean + scale * N(0, 1).
template <typename OpTy>
struct RandomNormalPattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = getRankedType(*this->getTypeConverter(), op.getOutput());
    if (!outType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    FailureOr<SmallVector<Value>> sizes =
        outputSizes(rewriter, loc, op, outType, adaptor.getOperands());
    if (failed(sizes))
      return op.emitError() << describeNode(op) << ": cannot size the result " << outType;
    double mean = toDouble(op.getMean()), scale = toDouble(op.getScale());
    uint64_t key = streamKey(op, op.getSeed());
    Value result = buildIndexed(
        rewriter, loc, outType, *sizes, ValueRange{},
        [&](OpBuilder &b, Location l, Value index, ValueRange) {
          Type f64 = b.getF64Type();
          Value v = arith::AddFOp::create(
              b, l, scalarConstant(b, l, f64, mean),
              arith::MulFOp::create(b, l, standardNormal(b, l, key, index),
                                    scalarConstant(b, l, f64, scale)));
          return castScalar(b, l, v, outType.getElementType(), false, false);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Bernoulli: 1 where u < p, else 0, in the result type.
struct BernoulliPattern : DynamicShapePattern<onnx::BernoulliOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::BernoulliOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = getRankedType(*getTypeConverter(), op.getOutput());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!outType || !inType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    if (failed(verifyCompatibleShape(inType.getShape(), outType.getShape())))
      return op.emitError() << describeNode(op) << ": result type " << outType
                            << " does not match the input " << inType;
    // Dynamic dims take their sizes from the input; the generic reads the
    // input with the result's (possibly more static) type.
    Value input = adaptor.getInput();
    auto castType = RankedTensorType::get(outType.getShape(), inType.getElementType());
    if (castType != inType)
      input = tensor::CastOp::create(rewriter, loc, castType, input);
    SmallVector<Value> sizes = sizesOf(rewriter, loc, outType, input);
    uint64_t key = streamKey(op, op.getSeed());
    Type elem = outType.getElementType();
    Value result = buildIndexed(
        rewriter, loc, outType, sizes, ValueRange{input},
        [&](OpBuilder &b, Location l, Value index, ValueRange args) {
          Value p = castScalar(b, l, args[0], b.getF64Type(), false, false);
          Value hit = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                            randomUniform01(b, l, key, index), p);
          return Value(arith::SelectOp::create(b, l, hit, scalarConstant(b, l, elem, 1.0),
                                               scalarConstant(b, l, elem, 0.0)));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Multinomial: per row b and sample s, the class c where the running sum of
/// softmax(input[b]) first exceeds u(b, s); that is the number of classes
/// whose running sum stays <= u * total.
struct MultinomialPattern : OpConversionPattern<onnx::MultinomialOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::MultinomialOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = getStaticType(*getTypeConverter(), op.getOutput());
    auto inType = getStaticType(*getTypeConverter(), op.getInput());
    if (!outType || !inType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (inType.getRank() != 2 || outType.getRank() != 2 ||
        outType.getDimSize(0) != inType.getDimSize(0) ||
        outType.getDimSize(1) != op.getSampleSize())
      return op.emitError() << describeNode(op)
                            << ": input must be [batch, classes] and output [batch, sample_size]";
    int64_t batch = inType.getDimSize(0), classes = inType.getDimSize(1);
    int64_t samples = outType.getDimSize(1);
    Type f64 = rewriter.getF64Type(), i64 = rewriter.getI64Type();
    MLIRContext *ctx = rewriter.getContext();
    uint64_t key = streamKey(op, op.getSeed());
    Value input = adaptor.getInput();

    // Row max and sum of exp(x - max), in f64.
    auto rowType = RankedTensorType::get({batch}, f64);
    AffineMap rowOf2 = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    AffineMap id2 = rewriter.getMultiDimIdentityMap(2);
    SmallVector<utils::IteratorType> rowReduce = {utils::IteratorType::parallel,
                                                  utils::IteratorType::reduction};
    Value max = linalg::GenericOp::create(
                    rewriter, loc, TypeRange{rowType}, ValueRange{input},
                    ValueRange{createFilled(rewriter, loc, rowType,
                                            lowestValue(rewriter, loc, f64, false))},
                    ArrayRef<AffineMap>{id2, rowOf2}, rowReduce,
                    [&](OpBuilder &b, Location l, ValueRange args) {
                      Value x = castScalar(b, l, args[0], f64, false, false);
                      linalg::YieldOp::create(b, l,
                                              Value(arith::MaximumFOp::create(b, l, x, args[1])));
                    })
                    .getResult(0);
    auto weight = [&](OpBuilder &b, Location l, Value x, Value rowMax) {
      Value xd = castScalar(b, l, x, f64, false, false);
      return Value(math::ExpOp::create(b, l, arith::SubFOp::create(b, l, xd, rowMax)));
    };
    Value total = linalg::GenericOp::create(
                      rewriter, loc, TypeRange{rowType}, ValueRange{input, max},
                      ValueRange{createFilled(rewriter, loc, rowType,
                                              scalarConstant(rewriter, loc, f64, 0.0))},
                      ArrayRef<AffineMap>{id2, rowOf2, rowOf2}, rowReduce,
                      [&](OpBuilder &b, Location l, ValueRange args) {
                        linalg::YieldOp::create(
                            b, l,
                            Value(arith::AddFOp::create(b, l, args[2],
                                                        weight(b, l, args[0], args[1]))));
                      })
                      .getResult(0);

    // Over (b, s, c): running sum and the count of classes it stays <= u * total.
    auto sampleType = RankedTensorType::get({batch, samples}, f64);
    auto countType = RankedTensorType::get({batch, samples}, i64);
    AffineMap xMap = AffineMap::get(3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(2, ctx)}, ctx);
    AffineMap rowOf3 = AffineMap::get(3, 0, {getAffineDimExpr(0, ctx)}, ctx);
    AffineMap outMap =
        AffineMap::get(3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel,
                                                  utils::IteratorType::parallel,
                                                  utils::IteratorType::reduction};
    auto pick = linalg::GenericOp::create(
        rewriter, loc, TypeRange{sampleType, countType}, ValueRange{input, max, total},
        ValueRange{createFilled(rewriter, loc, sampleType, scalarConstant(rewriter, loc, f64, 0.0)),
                   createFilled(rewriter, loc, countType, scalarConstant(rewriter, loc, i64, 0))},
        ArrayRef<AffineMap>{xMap, rowOf3, rowOf3, outMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto index = [&](int64_t d) {
            return Value(arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                    linalg::IndexOp::create(b, l, d)));
          };
          Value sampleIndex = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, index(0), i64Constant(b, l, samples)), index(1));
          Value threshold = arith::MulFOp::create(b, l, randomUniform01(b, l, key, sampleIndex), args[2]);
          Value running = arith::AddFOp::create(b, l, args[3], weight(b, l, args[0], args[1]));
          Value below = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, running, threshold);
          Value count = arith::AddIOp::create(b, l, args[4],
                                              arith::ExtUIOp::create(b, l, b.getI64Type(), below));
          linalg::YieldOp::create(b, l, ValueRange{running, count});
        });
    // Rounding can leave u * total at the full sum: clamp to the last class.
    Value result = buildElementwise(
        rewriter, loc, outType, ValueRange{pick.getResult(1)},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value c = arith::MinSIOp::create(b, l, args[0], i64Constant(b, l, classes - 1));
          return castScalar(b, l, c, outType.getElementType(), false, false);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateRandomPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<RandomUniformPattern<onnx::RandomUniformOp>,
               RandomUniformPattern<onnx::RandomUniformLikeOp>,
               RandomNormalPattern<onnx::RandomNormalOp>,
               RandomNormalPattern<onnx::RandomNormalLikeOp>, BernoulliPattern,
               MultinomialPattern>(converter, patterns.getContext());
}

} // namespace smelt
