//===- Normalization.cpp - BatchNormalization and Softmax to linalg -------===//
//
// BatchNormalization in inference form is one elementwise linalg.generic
// whose per-channel operands are indexed by dim 1. Softmax and LogSoftmax
// (opset 13: one axis) are numerically stable: a max reduction along the
// axis, exp(x - max), a sum reduction, then a division (or, for
// LogSoftmax, x - max - log(sum)).
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

// --- BatchNormalization ------------------------------------------------------

struct BatchNormalizationPattern : OpConversionPattern<onnx::BatchNormalizationOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::BatchNormalizationOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (op.getTrainingMode() != 0)
      return op.emitError() << describeNode(op)
                            << ": training_mode=1 is not supported (inference only)";
    if (!op.getRunningMean().use_empty() || !op.getRunningVar().use_empty())
      return op.emitError() << describeNode(op)
                            << ": the running_mean and running_var outputs are not supported";
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return op.emitError() << describeNode(op) << ": only float element types are supported";
    int64_t rank = resultType.getRank();
    if (rank < 2)
      return op.emitError() << describeNode(op) << ": X must have a batch and a channel dim";
    int64_t channels = resultType.getDimSize(1);
    SmallVector<Value> params{adaptor.getScale(), adaptor.getB(), adaptor.getInputMean(),
                              adaptor.getInputVar()};
    for (Value param : params) {
      auto type = dyn_cast<RankedTensorType>(param.getType());
      if (!type || type.getRank() != 1 || type.getDimSize(0) != channels)
        return op.emitError() << describeNode(op)
                              << ": scale, B, input_mean and input_var must have shape ["
                              << channels << "]";
    }

    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<Value> inputs{adaptor.getX()};
    inputs.append(params);
    SmallVector<AffineMap> maps{identity, channel, channel, channel, channel, identity};
    double epsilon = op.getEpsilon().convertToDouble();
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, inputs,
            ValueRange{createEmpty(rewriter, loc, resultType)}, maps,
            SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange args) {
              // scale and B may have another float type than mean and var.
              auto cast = [&](Value v) { return castScalar(b, l, v, elem, false, false); };
              Value x = args[0], scale = cast(args[1]), bias = cast(args[2]),
                    mean = cast(args[3]), var = cast(args[4]);
              Value stddev = math::SqrtOp::create(
                  b, l, arith::AddFOp::create(b, l, var, scalarConstant(b, l, elem, epsilon)));
              Value centered = arith::SubFOp::create(b, l, x, mean);
              Value normalized = arith::DivFOp::create(b, l, centered, stddev);
              Value scaled = arith::MulFOp::create(b, l, normalized, scale);
              linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, scaled, bias)));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- Softmax and LogSoftmax --------------------------------------------------

/// Map of the full iteration space onto a tensor without dim `axis`.
AffineMap droppedAxisMap(MLIRContext *ctx, int64_t rank, int64_t axis) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Reduces `input` along `axis` with `combine`, starting from `init`.
Value reduceAxis(OpBuilder &b, Location loc, Value input, int64_t axis, Value init,
                 llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      shape.push_back(type.getDimSize(i));
  auto reducedType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                              droppedAxisMap(b.getContext(), rank, axis)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{reducedType}, ValueRange{input},
             ValueRange{createFilled(b, loc, reducedType, init)}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, combine(nb, l, args[1], args[0]));
             })
      .getResult(0);
}

/// Elementwise generic over `type` whose inputs are full tensors
/// (`fullInputs`) followed by tensors reduced along `axis` (`reducedInputs`).
Value elementwiseWithReduced(OpBuilder &b, Location loc, RankedTensorType type, int64_t axis,
                             ValueRange fullInputs, ValueRange reducedInputs, ScalarBodyFn body) {
  int64_t rank = type.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  SmallVector<AffineMap> maps(fullInputs.size(), identity);
  maps.append(reducedInputs.size(), droppedAxisMap(b.getContext(), rank, axis));
  maps.push_back(identity);
  SmallVector<Value> inputs(fullInputs);
  inputs.append(reducedInputs.begin(), reducedInputs.end());
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, inputs, ValueRange{createEmpty(b, loc, type)}, maps,
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back()));
             })
      .getResult(0);
}

template <typename OpTy, bool IsLog>
struct SoftmaxPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*this->getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return op.emitError() << describeNode(op) << ": only float element types are supported";
    int64_t rank = resultType.getRank();
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (rank == 0 || axis < 0 || axis >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;

    Value x = adaptor.getInput();
    Value max = reduceAxis(rewriter, loc, x, axis, lowestValue(rewriter, loc, elem, false),
                           [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                             return arith::MaximumFOp::create(b, l, acc, v);
                           });
    Value exp = elementwiseWithReduced(
        rewriter, loc, resultType, axis, ValueRange{x}, ValueRange{max},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
          return math::ExpOp::create(b, l, shifted);
        });
    Value sum = reduceAxis(rewriter, loc, exp, axis, scalarConstant(rewriter, loc, elem, 0),
                           [](OpBuilder &b, Location l, Value acc, Value v) -> Value {
                             return arith::AddFOp::create(b, l, acc, v);
                           });
    Value result;
    if constexpr (IsLog) {
      result = elementwiseWithReduced(
          rewriter, loc, resultType, axis, ValueRange{x}, ValueRange{max, sum},
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value shifted = arith::SubFOp::create(b, l, args[0], args[1]);
            return arith::SubFOp::create(b, l, shifted, math::LogOp::create(b, l, args[2]));
          });
    } else {
      result = elementwiseWithReduced(rewriter, loc, resultType, axis, ValueRange{exp},
                                      ValueRange{sum},
                                      [](OpBuilder &b, Location l, ValueRange args) -> Value {
                                        return arith::DivFOp::create(b, l, args[0], args[1]);
                                      });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<BatchNormalizationPattern, SoftmaxPattern<onnx::SoftmaxOp, false>,
               SoftmaxPattern<onnx::LogSoftmaxOp, true>>(converter, patterns.getContext());
}

} // namespace smelt
