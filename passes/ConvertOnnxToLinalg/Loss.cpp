//===- Loss.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ------===//
//
// Both losses pick, for every sample position (n, d1..dk), the class column
// named by the target: loss = -input[n, t, d...] * w[t], with w = weight or 1,
// and w = 0 where t == ignore_index. Reduction "none" returns that tensor,
// "sum" its sum, "mean" sum(loss) / sum(w) (the ONNX reference definition;
// without weights it is the mean over the non-ignored positions).
// SoftmaxCrossEntropyLoss first takes log-softmax over the class axis.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

/// Sums all elements of `input` into a 0-d tensor.
Value sumAll(OpBuilder &b, Location loc, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  auto scalarType = RankedTensorType::get({}, type.getElementType());
  Value init = createFilled(b, loc, scalarType, scalarConstant(b, loc, type.getElementType(), 0));
  SmallVector<int64_t> dims;
  for (int64_t i = 0; i < type.getRank(); ++i)
    dims.push_back(i);
  return linalg::ReduceOp::create(
             b, loc, ValueRange{input}, ValueRange{init}, dims,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       Value(arith::AddFOp::create(nb, nloc, args[0], args[1])));
             })
      .getResult(0);
}

/// log_softmax(x) along axis 1: x - max - log(sum(exp(x - max))).
Value logSoftmaxOverClasses(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elem = type.getElementType();
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<int64_t> reducedShape;
  SmallVector<AffineExpr> reducedExprs;
  for (int64_t i = 0; i < rank; ++i)
    if (i != 1) {
      reducedShape.push_back(type.getDimSize(i));
      reducedExprs.push_back(getAffineDimExpr(i, ctx));
    }
  auto reducedType = RankedTensorType::get(reducedShape, elem);
  SmallVector<Value> sizes, reducedSizes;
  for (int64_t i = 0; i < rank; ++i) {
    sizes.push_back(dimSize(b, loc, x, i));
    if (i != 1)
      reducedSizes.push_back(sizes.back());
  }
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap reducedMap = AffineMap::get(rank, 0, reducedExprs, ctx);
  SmallVector<utils::IteratorType> reduction(rank, utils::IteratorType::parallel);
  reduction[1] = utils::IteratorType::reduction;
  SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);

  Value max = linalg::GenericOp::create(
                  b, loc, TypeRange{reducedType}, ValueRange{x},
                  ValueRange{createFilled(b, loc, reducedType, reducedSizes,
                                          lowestValue(b, loc, elem, false))},
                  ArrayRef<AffineMap>{identity, reducedMap}, reduction,
                  [](OpBuilder &nb, Location nloc, ValueRange args) {
                    linalg::YieldOp::create(
                        nb, nloc, Value(arith::MaximumFOp::create(nb, nloc, args[0], args[1])));
                  })
                  .getResult(0);
  Value sum = linalg::GenericOp::create(
                  b, loc, TypeRange{reducedType}, ValueRange{x, max},
                  ValueRange{createFilled(b, loc, reducedType, reducedSizes,
                                          scalarConstant(b, loc, elem, 0))},
                  ArrayRef<AffineMap>{identity, reducedMap, reducedMap}, reduction,
                  [](OpBuilder &nb, Location nloc, ValueRange args) {
                    Value e = math::ExpOp::create(nb, nloc,
                                                  arith::SubFOp::create(nb, nloc, args[0], args[1]));
                    linalg::YieldOp::create(nb, nloc,
                                            Value(arith::AddFOp::create(nb, nloc, args[2], e)));
                  })
                  .getResult(0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{x, max, sum}, ValueRange{createEmpty(b, loc, type, sizes)},
             ArrayRef<AffineMap>{identity, reducedMap, reducedMap, identity}, parallel,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               Value shifted = arith::SubFOp::create(nb, nloc, args[0], args[1]);
               Value logSum = math::LogOp::create(nb, nloc, args[2]);
               linalg::YieldOp::create(nb, nloc,
                                       Value(arith::SubFOp::create(nb, nloc, shifted, logSum)));
             })
      .getResult(0);
}

/// The per-position loss and weight tensors, both of shape (N, d1..dk).
std::pair<Value, Value> pickTargets(OpBuilder &b, Location loc, Value logProb, Value target,
                                    Value weight, std::optional<int64_t> ignoreIndex) {
  auto probType = cast<RankedTensorType>(logProb.getType());
  auto targetType = cast<RankedTensorType>(target.getType());
  Type elem = probType.getElementType();
  auto outType = RankedTensorType::get(targetType.getShape(), elem);
  int64_t rank = targetType.getRank();
  SmallVector<Value> targetSizes;
  for (int64_t i = 0; i < rank; ++i)
    targetSizes.push_back(dimSize(b, loc, target, i));
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{outType, outType}, ValueRange{target},
      ValueRange{createEmpty(b, loc, outType, targetSizes), createEmpty(b, loc, outType, targetSizes)},
      ArrayRef<AffineMap>{identity, identity, identity}, parallel,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value t = args[0];
        Value zeroT = scalarConstant(nb, nloc, t.getType(), 0);
        Value ignored = scalarConstant(nb, nloc, nb.getI1Type(), 0);
        if (ignoreIndex)
          ignored = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq, t,
                                          scalarConstant(nb, nloc, t.getType(), *ignoreIndex));
        // An ignored target may be out of range: read class 0 instead.
        Value safe = arith::SelectOp::create(nb, nloc, ignored, zeroT, t);
        Value cls = arith::IndexCastOp::create(nb, nloc, nb.getIndexType(), safe);
        SmallVector<Value> indices;
        for (int64_t i = 0; i < rank; ++i) {
          indices.push_back(linalg::IndexOp::create(nb, nloc, i));
          if (i == 0)
            indices.push_back(cls);
        }
        Value value = tensor::ExtractOp::create(nb, nloc, logProb, indices);
        Value w = weight ? Value(tensor::ExtractOp::create(nb, nloc, weight, ValueRange{cls}))
                         : scalarConstant(nb, nloc, elem, 1.0);
        w = arith::SelectOp::create(nb, nloc, ignored, scalarConstant(nb, nloc, elem, 0.0), w);
        Value loss = arith::NegFOp::create(nb, nloc, arith::MulFOp::create(nb, nloc, value, w));
        linalg::YieldOp::create(nb, nloc, ValueRange{loss, w});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

FailureOr<Value> reduceLoss(OpBuilder &b, Location loc, Operation *op, StringRef reduction,
                            Value loss, Value weight) {
  if (reduction == "none")
    return loss;
  Value sum = sumAll(b, loc, loss);
  if (reduction == "sum")
    return sum;
  if (reduction != "mean")
    return op->emitError() << describeNode(op) << ": unknown reduction '" << reduction << "'";
  Value weightSum = sumAll(b, loc, weight);
  auto scalarType = cast<RankedTensorType>(sum.getType());
  return buildElementwise(b, loc, scalarType, ValueRange{sum, weightSum},
                          [](OpBuilder &nb, Location nloc, ValueRange args) {
                            return Value(arith::DivFOp::create(nb, nloc, args[0], args[1]));
                          });
}

Value weightOrNull(Value weight) { return isa<NoneType>(weight.getType()) ? Value() : weight; }

struct NllLossPattern : DynamicShapePattern<onnx::NegativeLogLikelihoodLossOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::NegativeLogLikelihoodLossOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [loss, weight] = pickTargets(rewriter, loc, adaptor.getInput(), adaptor.getTarget(),
                                      weightOrNull(adaptor.getWeight()), op.getIgnoreIndex());
    FailureOr<Value> result = reduceLoss(rewriter, loc, op, op.getReduction(), loss, weight);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

struct SoftmaxCrossEntropyPattern : DynamicShapePattern<onnx::SoftmaxCrossEntropyLossOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::SoftmaxCrossEntropyLossOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logProb = logSoftmaxOverClasses(rewriter, loc, adaptor.getScores());
    auto [loss, weight] = pickTargets(rewriter, loc, logProb, adaptor.getLabels(),
                                      weightOrNull(adaptor.getWeights()), op.getIgnoreIndex());
    FailureOr<Value> result = reduceLoss(rewriter, loc, op, op.getReduction(), loss, weight);
    if (failed(result))
      return failure();
    Value logProbResult = isa<NoneType>(op.getLogProb().getType())
                              ? Value(onnx::NoValueOp::create(rewriter, loc))
                              : logProb;
    rewriter.replaceOp(op, {*result, logProbResult});
    return success();
  }
};

} // namespace

void populateLossPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<NllLossPattern, SoftmaxCrossEntropyPattern>(converter, patterns.getContext());
}

} // namespace smelt
