//===- Normalization.cpp - normalizations, Softmax and Dropout to linalg -===//
//
// BatchNormalization is one elementwise linalg.generic whose per-channel
// operands are indexed by dim 1; in training mode its mean and variance are
// X's own (see below) and the running statistics are updated with momentum. Softmax and LogSoftmax
// (opset 13: one axis) are numerically stable: a max reduction along the
// axis, exp(x - max), a sum reduction, then a division (or, for
// LogSoftmax, x - max - log(sum)).
//
// InstanceNormalization, LayerNormalization and MeanVarianceNormalization
// share one shape: a mean over a set of axes, a two-pass variance (mean of
// (x - mean)^2, never E[x^2] - E[x]^2), then one elementwise generic that
// reads the reduced statistics through maps that drop the reduced dims.
// LayerNormalization computes its statistics in float32 for narrower inputs
// (stash_type=1) and also produces Mean and InvStdDev. LRN sums squares over
// a channel window of a zero-padded copy; LpNormalization divides by the L1
// or L2 norm along one axis. Dropout is inference-only: the identity and an
// all-true mask.
//
// Dims may be dynamic: sizes and element counts are read at run time, and
// LayerNormalization's Scale and B with dynamic dims are broadcast to the
// normalized dims first (they may be 1 there at run time).
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

/// The size of every dim of `tensor` (constants where static).
SmallVector<Value> sizesOf(OpBuilder &b, Location loc, Value tensor) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < cast<RankedTensorType>(tensor.getType()).getRank(); ++d)
    sizes.push_back(dimSize(b, loc, tensor, d));
  return sizes;
}

/// Whether two dims may be equal (dynamic ones may be anything).
bool mayEqual(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

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
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis) {
      shape.push_back(type.getDimSize(i));
      sizes.push_back(dimSize(b, loc, input, i));
    }
  auto reducedType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                              droppedAxisMap(b.getContext(), rank, axis)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{reducedType}, ValueRange{input},
             ValueRange{createFilled(b, loc, reducedType, sizes, init)}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, combine(nb, l, args[1], args[0]));
             })
      .getResult(0);
}

/// Elementwise generic over `type` whose inputs are full tensors
/// (`fullInputs`, the first of which gives the dynamic sizes) followed by
/// tensors reduced along `axis` (`reducedInputs`).
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
             b, loc, TypeRange{type}, inputs,
             ValueRange{createEmpty(b, loc, type, sizesOf(b, loc, fullInputs.front()))}, maps,
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back()));
             })
      .getResult(0);
}

template <typename OpTy, bool IsLog>
struct SoftmaxPattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*this->getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
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

// --- Reductions over a set of axes -------------------------------------------

/// Map of the full iteration space onto a tensor without the `reduced` dims.
AffineMap keptDimsMap(MLIRContext *ctx, ArrayRef<bool> reduced) {
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < reduced.size(); ++i)
    if (!reduced[i])
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(reduced.size(), 0, exprs, ctx);
}

/// Reduces the `reduced` dims of `inputs` (all of the full shape) into one
/// tensor of `elem` without them; `body` gets the input elements followed by
/// the accumulator and returns the new accumulator. Extra inputs of the kept
/// shape (`keptInputs`) are read through the kept map.
Value reduceDims(OpBuilder &b, Location loc, ValueRange inputs, ValueRange keptInputs,
                 ArrayRef<bool> reduced, Type elem, double init, ScalarBodyFn body) {
  auto type = cast<RankedTensorType>(inputs.front().getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape;
  SmallVector<Value> sizes;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    iterators.push_back(reduced[i] ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (!reduced[i]) {
      shape.push_back(type.getDimSize(i));
      sizes.push_back(dimSize(b, loc, inputs.front(), i));
    }
  }
  auto keptType = RankedTensorType::get(shape, elem);
  AffineMap kept = keptDimsMap(b.getContext(), reduced);
  SmallVector<AffineMap> maps(inputs.size(), b.getMultiDimIdentityMap(rank));
  maps.append(keptInputs.size() + 1, kept);
  SmallVector<Value> all(inputs);
  all.append(keptInputs.begin(), keptInputs.end());
  return linalg::GenericOp::create(
             b, loc, TypeRange{keptType}, all,
             ValueRange{createFilled(b, loc, keptType, sizes, scalarConstant(b, loc, elem, init))},
             maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args));
             })
      .getResult(0);
}

/// A parallel generic producing `type` from inputs read through `maps`; the
/// first input has the full shape and gives the dynamic sizes.
Value mapped(OpBuilder &b, Location loc, RankedTensorType type, ValueRange inputs,
             ArrayRef<AffineMap> inputMaps, ScalarBodyFn body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, inputs,
             ValueRange{createEmpty(b, loc, type, sizesOf(b, loc, inputs.front()))}, maps,
             SmallVector<utils::IteratorType>(type.getRank(), utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back()));
             })
      .getResult(0);
}

/// Mean and (biased) variance of `x` over the `reduced` dims, both of the kept
/// shape and of element type `compute` (x is converted element by element).
std::pair<Value, Value> meanAndVariance(OpBuilder &b, Location loc, Value x,
                                        ArrayRef<bool> reduced, Type compute) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t count = 1;
  Value dynamicCount; // Product of the dynamic reduced sizes (index).
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!reduced[i])
      continue;
    if (!type.isDynamicDim(i)) {
      count *= type.getDimSize(i);
      continue;
    }
    Value dim = tensor::DimOp::create(b, loc, x, i);
    dynamicCount = dynamicCount ? Value(arith::MulIOp::create(b, loc, dynamicCount, dim)) : dim;
  }
  Value runtimeCount;
  if (dynamicCount) {
    Value total =
        arith::MulIOp::create(b, loc, dynamicCount, arith::ConstantIndexOp::create(b, loc, count));
    runtimeCount = castScalar(b, loc, arith::IndexCastUIOp::create(b, loc, b.getI64Type(), total),
                              compute, /*srcUnsigned=*/true, false);
  }
  auto widen = [&](OpBuilder &nb, Location l, Value v) {
    return castScalar(nb, l, v, compute, false, false);
  };
  Value sum = reduceDims(b, loc, ValueRange{x}, ValueRange{}, reduced, compute, 0.0,
                         [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                           return arith::AddFOp::create(nb, l, args[1], widen(nb, l, args[0]));
                         });
  auto keptType = cast<RankedTensorType>(sum.getType());
  auto divideByCount = [&](Value total) {
    return buildElementwise(b, loc, keptType, ValueRange{total},
                            [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                              return arith::DivFOp::create(
                                  nb, l, args[0],
                                  runtimeCount ? runtimeCount
                                               : scalarConstant(nb, l, compute,
                                                                static_cast<double>(count)));
                            });
  };
  Value mean = divideByCount(sum);
  Value squares = reduceDims(b, loc, ValueRange{x}, ValueRange{mean}, reduced, compute, 0.0,
                             [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                               Value d = arith::SubFOp::create(nb, l, widen(nb, l, args[0]),
                                                               args[1]);
                               Value d2 = arith::MulFOp::create(nb, l, d, d);
                               return arith::AddFOp::create(nb, l, args[2], d2);
                             });
  return {mean, divideByCount(squares)};
}

// --- BatchNormalization ------------------------------------------------------

struct BatchNormalizationPattern : DynamicShapePattern<onnx::BatchNormalizationOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::BatchNormalizationOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    bool training = op.getTrainingMode() != 0;
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
      if (!type || type.getRank() != 1 || !mayEqual(type.getDimSize(0), channels))
        return op.emitError() << describeNode(op)
                              << ": scale, B, input_mean and input_var must have shape ["
                              << channels << "]";
    }

    // In training mode X is normalized by its own statistics over every dim
    // but the channel, and the running statistics move towards them by
    // 1 - momentum. (Outside training, a model that names the running outputs
    // gets input_mean and input_var back.)
    SmallVector<Value> results{Value()};
    if (training) {
      SmallVector<bool> reduced(rank, true);
      reduced[1] = false;
      std::tie(params[2], params[3]) =
          meanAndVariance(rewriter, loc, adaptor.getX(), reduced, elem);
    }
    double momentum = op.getMomentum().convertToDouble();
    for (auto [batch, running, output] :
         {std::tuple(params[2], adaptor.getInputMean(), op.getRunningMean()),
          std::tuple(params[3], adaptor.getInputVar(), op.getRunningVar())}) {
      if (isa<NoneType>(output.getType())) {
        results.push_back(onnx::NoValueOp::create(rewriter, loc));
        continue;
      }
      auto outType = getRankedType(*getTypeConverter(), output);
      if (!outType || outType.getRank() != 1 || !isa<FloatType>(outType.getElementType()))
        return op.emitError() << describeNode(op)
                              << ": running_mean and running_var must be 1-D float tensors";
      Type outElem = outType.getElementType();
      AffineMap vector = rewriter.getMultiDimIdentityMap(1);
      results.push_back(mapped(rewriter, loc, outType, ValueRange{batch, running}, {vector, vector},
                               [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                 Value previous = castScalar(b, l, args[1], outElem, false, false);
                                 if (!training)
                                   return previous;
                                 Value current = castScalar(b, l, args[0], outElem, false, false);
                                 Value kept = arith::MulFOp::create(
                                     b, l, previous, scalarConstant(b, l, outElem, momentum));
                                 Value moved = arith::MulFOp::create(
                                     b, l, current, scalarConstant(b, l, outElem, 1.0 - momentum));
                                 return arith::AddFOp::create(b, l, kept, moved);
                               }));
    }

    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap channel = AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<Value> inputs{adaptor.getX()};
    inputs.append(params);
    double epsilon = op.getEpsilon().convertToDouble();
    Value y = mapped(
        rewriter, loc, resultType, inputs, {identity, channel, channel, channel, channel},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          // scale and B may have another float type than mean and var.
          auto cast = [&](Value v) { return castScalar(b, l, v, elem, false, false); };
          Value x = args[0], scale = cast(args[1]), bias = cast(args[2]), mean = cast(args[3]),
                var = cast(args[4]);
          Value stddev = math::SqrtOp::create(
              b, l, arith::AddFOp::create(b, l, var, scalarConstant(b, l, elem, epsilon)));
          Value centered = arith::SubFOp::create(b, l, x, mean);
          Value normalized = arith::DivFOp::create(b, l, centered, stddev);
          Value scaled = arith::MulFOp::create(b, l, normalized, scale);
          return arith::AddFOp::create(b, l, scaled, bias);
        });
    results[0] = y;
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Map of `rank`-D iteration onto an operand broadcast (numpy rules) to it.
AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand, ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  int64_t offset = rank - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    bool stretched = operand.getDimSize(i) == 1 && shape[offset + i] != 1;
    exprs.push_back(stretched ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(offset + i, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// Whether `operand` may broadcast unidirectionally to `shape` (dynamic dims
/// may be anything).
bool broadcastsTo(RankedTensorType operand, ArrayRef<int64_t> shape) {
  int64_t offset = static_cast<int64_t>(shape.size()) - operand.getRank();
  if (offset < 0)
    return false;
  for (int64_t i = 0; i < operand.getRank(); ++i)
    if (operand.getDimSize(i) != 1 && !mayEqual(operand.getDimSize(i), shape[offset + i]))
      return false;
  return true;
}

/// `operand` broadcast unidirectionally (trailing dims aligned) to `type`
/// whose dims have `sizes`: a dynamic dim that is 1 at run time is read at
/// index 0.
Value broadcastTo(OpBuilder &b, Location loc, Value operand, RankedTensorType type,
                  ValueRange sizes) {
  auto operandType = cast<RankedTensorType>(operand.getType());
  int64_t rank = type.getRank(), offset = rank - operandType.getRank();
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{}, ValueRange{createEmpty(b, loc, type, sizes)},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               Value zero = arith::ConstantIndexOp::create(nb, l, 0);
               Value one = arith::ConstantIndexOp::create(nb, l, 1);
               SmallVector<Value> indices;
               for (int64_t d = 0; d < operandType.getRank(); ++d) {
                 Value index = linalg::IndexOp::create(nb, l, offset + d);
                 if (!operandType.isDynamicDim(d)) {
                   indices.push_back(operandType.getDimSize(d) == 1 ? zero : index);
                   continue;
                 }
                 Value dim = tensor::DimOp::create(nb, l, operand, d);
                 Value isOne = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, dim, one);
                 indices.push_back(arith::SelectOp::create(nb, l, isOne, zero, index));
               }
               linalg::YieldOp::create(nb, l,
                                       Value(tensor::ExtractOp::create(nb, l, operand, indices)));
             })
      .getResult(0);
}

// --- InstanceNormalization ---------------------------------------------------

struct InstanceNormalizationPattern : DynamicShapePattern<onnx::InstanceNormalizationOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::InstanceNormalizationOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = resultType.getRank();
    if (rank < 2)
      return op.emitError() << describeNode(op) << ": input must have a batch and a channel dim";
    int64_t channels = resultType.getDimSize(1);
    for (Value param : {adaptor.getScale(), adaptor.getB()}) {
      auto type = dyn_cast<RankedTensorType>(param.getType());
      if (!type || type.getRank() != 1 || !mayEqual(type.getDimSize(0), channels))
        return op.emitError() << describeNode(op) << ": scale and B must have shape ["
                              << channels << "]";
    }
    Type elem = resultType.getElementType();
    SmallVector<bool> reduced(rank, true);
    reduced[0] = reduced[1] = false;
    auto [mean, var] = meanAndVariance(rewriter, loc, adaptor.getInput(), reduced, elem);
    MLIRContext *ctx = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap kept = keptDimsMap(ctx, reduced);
    AffineMap channel = AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = mapped(
        rewriter, loc, resultType,
        ValueRange{adaptor.getInput(), mean, var, adaptor.getScale(), adaptor.getB()},
        {identity, kept, kept, channel, channel},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value stddev = math::SqrtOp::create(
              b, l, arith::AddFOp::create(b, l, args[2], scalarConstant(b, l, elem, epsilon)));
          Value normalized =
              arith::DivFOp::create(b, l, arith::SubFOp::create(b, l, args[0], args[1]), stddev);
          return arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, normalized, args[3]),
                                       args[4]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- LayerNormalization ------------------------------------------------------

struct LayerNormalizationPattern : DynamicShapePattern<onnx::LayerNormalizationOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::LayerNormalizationOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = resultType.getRank();
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Type elem = resultType.getElementType();
    // stash_type=1 computes the statistics in float32; wider inputs keep
    // their own precision.
    Type compute = elem;
    if (op.getStashType() == 1 && elem.getIntOrFloatBitWidth() < 32)
      compute = rewriter.getF32Type();

    ArrayRef<int64_t> shape = resultType.getShape();
    SmallVector<Value> params{adaptor.getScale()};
    if (!isa<NoneType>(adaptor.getB().getType()))
      params.push_back(adaptor.getB());
    for (Value param : params) {
      auto type = dyn_cast<RankedTensorType>(param.getType());
      if (!type || !broadcastsTo(type, shape.drop_front(axis)))
        return op.emitError() << describeNode(op)
                              << ": Scale and B must broadcast to the normalized dims";
    }
    // Parameters with dynamic dims may still be 1 there at run time: they
    // are broadcast to the normalized dims first.
    for (Value &param : params) {
      auto type = cast<RankedTensorType>(param.getType());
      if (type.hasStaticShape())
        continue;
      auto normalizedType = RankedTensorType::get(shape.drop_front(axis), type.getElementType());
      SmallVector<Value> sizes = sizesOf(rewriter, loc, adaptor.getX());
      param = broadcastTo(rewriter, loc, param, normalizedType,
                          ArrayRef<Value>(sizes).drop_front(axis));
    }

    SmallVector<bool> reduced(rank, false);
    for (int64_t i = axis; i < rank; ++i)
      reduced[i] = true;
    auto [mean, var] = meanAndVariance(rewriter, loc, adaptor.getX(), reduced, compute);
    auto keptType = cast<RankedTensorType>(mean.getType());
    double epsilon = op.getEpsilon().convertToDouble();
    Value invStdDev = buildElementwise(
        rewriter, loc, keptType, ValueRange{var},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value stddev = math::SqrtOp::create(
              b, l, arith::AddFOp::create(b, l, args[0], scalarConstant(b, l, compute, epsilon)));
          return arith::DivFOp::create(b, l, scalarConstant(b, l, compute, 1.0), stddev);
        });

    MLIRContext *ctx = rewriter.getContext();
    AffineMap kept = keptDimsMap(ctx, reduced);
    SmallVector<Value> inputs{adaptor.getX(), mean, invStdDev};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank), kept, kept};
    for (Value param : params) {
      inputs.push_back(param);
      maps.push_back(broadcastMap(ctx, cast<RankedTensorType>(param.getType()), shape));
    }
    bool hasBias = params.size() == 2;
    Value y = mapped(rewriter, loc, resultType, inputs, maps,
                     [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                       Value x = castScalar(b, l, args[0], compute, false, false);
                       Value normalized = arith::MulFOp::create(
                           b, l, arith::SubFOp::create(b, l, x, args[1]), args[2]);
                       normalized = castScalar(b, l, normalized, elem, false, false);
                       Value scaled = arith::MulFOp::create(b, l, normalized, args[3]);
                       return hasBias ? Value(arith::AddFOp::create(b, l, scaled, args[4]))
                                      : scaled;
                     });

    // Mean and InvStdDev keep the normalized dims as ones.
    SmallVector<Value> results{y};
    for (auto [statistic, value] : {std::pair{mean, op.getMean()}, {invStdDev, op.getInvStdDev()}}) {
      if (isa<NoneType>(value.getType())) {
        results.push_back(onnx::NoValueOp::create(rewriter, loc));
        continue;
      }
      auto type = getRankedType(*getTypeConverter(), value);
      SmallVector<int64_t> expected(shape.take_front(axis));
      expected.append(rank - axis, 1);
      bool matches = type && type.getRank() == rank;
      for (int64_t i = 0; matches && i < rank; ++i)
        matches = mayEqual(type.getDimSize(i), expected[i]);
      if (!matches)
        return op.emitError() << describeNode(op) << ": Mean and InvStdDev must have shape "
                              << "of X with the normalized dims as 1";
      Value converted = statistic;
      if (type.getElementType() != compute)
        converted = buildElementwise(
            rewriter, loc, keptType.clone(type.getElementType()), ValueRange{statistic},
            [&](OpBuilder &b, Location l, ValueRange args) -> Value {
              return castScalar(b, l, args[0], type.getElementType(), false, false);
            });
      if (type.hasStaticShape() && keptType.hasStaticShape()) {
        results.push_back(reshapeTo(rewriter, loc, converted, type));
        continue;
      }
      SmallVector<Value> sizes(
          ArrayRef<Value>(sizesOf(rewriter, loc, adaptor.getX())).take_front(axis));
      sizes.append(rank - axis, arith::ConstantIndexOp::create(rewriter, loc, 1));
      results.push_back(reshapeToSizes(rewriter, loc, converted, type, sizes));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

// --- MeanVarianceNormalization -----------------------------------------------

struct MeanVarianceNormalizationPattern
    : DynamicShapePattern<onnx::MeanVarianceNormalizationOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::MeanVarianceNormalizationOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = resultType.getRank();
    SmallVector<bool> reduced(rank, false);
    for (int64_t axis : op.getAxes()) {
      if (axis < -rank || axis >= rank)
        return op.emitError() << describeNode(op) << ": axis " << axis
                              << " is out of range for rank " << rank;
      reduced[normalizeAxis(axis, rank)] = true;
    }
    Type elem = resultType.getElementType();
    auto [mean, var] = meanAndVariance(rewriter, loc, adaptor.getX(), reduced, elem);
    AffineMap kept = keptDimsMap(rewriter.getContext(), reduced);
    // ONNX's function body: (X - mean) / (sqrt(variance) + 1e-9).
    Value result = mapped(rewriter, loc, resultType, ValueRange{adaptor.getX(), mean, var},
                          {rewriter.getMultiDimIdentityMap(rank), kept, kept},
                          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                            Value stddev = arith::AddFOp::create(
                                b, l, math::SqrtOp::create(b, l, args[2]),
                                scalarConstant(b, l, elem, 1e-9));
                            return arith::DivFOp::create(
                                b, l, arith::SubFOp::create(b, l, args[0], args[1]), stddev);
                          });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- LpNormalization ---------------------------------------------------------

struct LpNormalizationPattern : DynamicShapePattern<onnx::LpNormalizationOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::LpNormalizationOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = resultType.getRank();
    if (rank == 0 || op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t p = op.getP();
    if (p != 1 && p != 2)
      return op.emitError() << describeNode(op) << ": p must be 1 or 2, got " << p;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Type elem = resultType.getElementType();
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Value norm = reduceDims(rewriter, loc, ValueRange{adaptor.getInput()}, ValueRange{}, reduced,
                            elem, 0.0, [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                              Value term = p == 1 ? Value(math::AbsFOp::create(b, l, args[0]))
                                                  : Value(arith::MulFOp::create(b, l, args[0],
                                                                                args[0]));
                              return arith::AddFOp::create(b, l, args[1], term);
                            });
    Value result = elementwiseWithReduced(
        rewriter, loc, resultType, axis, ValueRange{adaptor.getInput()}, ValueRange{norm},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value n = p == 1 ? args[1] : Value(math::SqrtOp::create(b, l, args[1]));
          return arith::DivFOp::create(b, l, args[0], n);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- LRN ---------------------------------------------------------------------

struct LRNPattern : DynamicShapePattern<onnx::LRNOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::LRNOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = resultType.getRank();
    if (rank < 2)
      return op.emitError() << describeNode(op) << ": X must have a batch and a channel dim";
    int64_t size = op.getSize();
    if (size < 1)
      return op.emitError() << describeNode(op) << ": size must be positive, got " << size;
    Type elem = resultType.getElementType();
    MLIRContext *ctx = rewriter.getContext();

    // Channel c sums squares over [c - floor((size-1)/2), c + ceil((size-1)/2)]
    // of a copy padded with zeros along dim 1.
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    SmallVector<OpFoldResult> low(rank, rewriter.getIndexAttr(0)),
        high(rank, rewriter.getIndexAttr(0));
    low[1] = rewriter.getIndexAttr(before);
    high[1] = rewriter.getIndexAttr(after);
    auto inputType = cast<RankedTensorType>(adaptor.getX().getType());
    SmallVector<int64_t> paddedShape(inputType.getShape());
    if (!ShapedType::isDynamic(paddedShape[1]))
      paddedShape[1] += size - 1;
    Value padded = tensor::PadOp::create(rewriter, loc, resultType.clone(paddedShape),
                                         adaptor.getX(), low, high,
                                         scalarConstant(rewriter, loc, elem, 0.0));
    SmallVector<AffineExpr> window;
    for (int64_t i = 0; i < rank; ++i)
      window.push_back(i == 1 ? getAffineDimExpr(1, ctx) + getAffineDimExpr(rank, ctx)
                              : getAffineDimExpr(i, ctx));
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<utils::IteratorType> iterators(rank + 1, utils::IteratorType::parallel);
    iterators[rank] = utils::IteratorType::reduction;
    // The window dim's extent comes from a size-`size` operand.
    auto windowType = RankedTensorType::get({size}, elem);
    Value windowShape = createEmpty(rewriter, loc, windowType);
    SmallVector<Value> sizes = sizesOf(rewriter, loc, adaptor.getX());
    Value squareSum =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, ValueRange{padded, windowShape},
            ValueRange{createFilled(rewriter, loc, resultType, sizes,
                                    scalarConstant(rewriter, loc, elem, 0.0))},
            SmallVector<AffineMap>{AffineMap::get(rank + 1, 0, window, ctx),
                                   AffineMap::get(rank + 1, 0, {getAffineDimExpr(rank, ctx)}, ctx),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value sq = arith::MulFOp::create(b, l, args[0], args[0]);
              linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, args[2], sq)));
            })
            .getResult(0);
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble(),
           bias = op.getBias().convertToDouble();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value result = mapped(
        rewriter, loc, resultType, ValueRange{adaptor.getX(), squareSum}, {identity, identity},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value scaled = arith::MulFOp::create(b, l, args[1],
                                               scalarConstant(b, l, elem, alpha / size));
          Value base = arith::AddFOp::create(b, l, scaled, scalarConstant(b, l, elem, bias));
          Value denom = math::PowFOp::create(b, l, base, scalarConstant(b, l, elem, beta));
          return arith::DivFOp::create(b, l, args[0], denom);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- Dropout -----------------------------------------------------------------

/// Inference (training_mode absent or constant false, or a constant ratio
/// of 0) is the identity with an all-true mask. Otherwise each element draws
/// u from a counter-based stream keyed by `seed` (randomStreamKey): it is kept
/// where u >= ratio, output = keep ? x / (1 - ratio) : 0, mask = keep; a
/// training_mode known only at run time selects between both per element.
struct DropoutPattern : DynamicShapePattern<onnx::DropoutOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::DropoutOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    bool hasMask = !isa<NoneType>(op.getMask().getType());
    RankedTensorType maskType;
    if (hasMask) {
      maskType = getRankedType(*getTypeConverter(), op.getMask());
      if (!maskType)
        return rewriter.notifyMatchFailure(op, "needs ranked types");
    }
    Value training = op.getTrainingMode();
    bool inference = isa<NoneType>(training.getType());
    if (!inference) {
      FailureOr<double> mode = getConstantScalar(training);
      inference = succeeded(mode) && *mode == 0.0;
    }
    if (!inference && !isa<NoneType>(op.getRatio().getType())) {
      // Training with ratio 0 drops nothing, so it equals inference exactly.
      FailureOr<double> ratio = getConstantScalar(op.getRatio());
      inference = succeeded(ratio) && *ratio == 0.0;
    }
    if (inference) {
      Value data = adaptor.getData();
      auto dataType = cast<RankedTensorType>(data.getType());
      if (dataType.getRank() != resultType.getRank() ||
          (hasMask && maskType.getRank() != resultType.getRank()))
        return op.emitError() << describeNode(op) << ": output and mask must have the rank of data";
      if (dataType.hasStaticShape() && resultType.hasStaticShape())
        data = reshapeTo(rewriter, loc, data, resultType);
      else if (dataType != resultType)
        data = tensor::CastOp::create(rewriter, loc, resultType, data);
      SmallVector<Value> results{data};
      results.push_back(hasMask ? createFilled(rewriter, loc, maskType,
                                               sizesOf(rewriter, loc, adaptor.getData()),
                                               arith::ConstantIntOp::create(
                                                   rewriter, loc, rewriter.getI1Type(), 1))
                                : Value(onnx::NoValueOp::create(rewriter, loc)));
      rewriter.replaceOp(op, results);
      return success();
    }
    auto elem = dyn_cast<FloatType>(resultType.getElementType());
    auto dataType = cast<RankedTensorType>(adaptor.getData().getType());
    auto sameShape = [&](RankedTensorType type) {
      if (type.getRank() != dataType.getRank())
        return false;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (!mayEqual(type.getDimSize(d), dataType.getDimSize(d)))
          return false;
      return true;
    };
    if (!elem || !sameShape(resultType) || (hasMask && !sameShape(maskType)))
      return op.emitError() << describeNode(op)
                            << ": training mode needs float data, output and mask of one shape";
    auto scalarOf = [&](Value tensor) {
      auto type = cast<RankedTensorType>(tensor.getType());
      SmallVector<Value> zeros(type.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
      return Value(tensor::ExtractOp::create(rewriter, loc, tensor, zeros));
    };
    Type f64 = rewriter.getF64Type(), i1 = rewriter.getI1Type();
    Value ratio = isa<NoneType>(adaptor.getRatio().getType())
                      ? scalarConstant(rewriter, loc, f64, 0.5)
                      : castScalar(rewriter, loc, scalarOf(adaptor.getRatio()), f64, false, false);
    Value train = isa<NoneType>(adaptor.getTrainingMode().getType())
                      ? Value(arith::ConstantIntOp::create(rewriter, loc, i1, 1))
                      : scalarOf(adaptor.getTrainingMode());
    Value keepScale = castScalar(
        rewriter, loc,
        arith::SubFOp::create(rewriter, loc, scalarConstant(rewriter, loc, f64, 1.0), ratio), elem,
        false, false);
    std::optional<uint64_t> seed;
    if (std::optional<int64_t> s = op.getSeed())
      seed = static_cast<uint64_t>(*s);
    uint64_t key = randomStreamKey(op, seed);

    int64_t rank = resultType.getRank();
    // Dims are those of data; the stream counter needs them as i64 (constants
    // where static, so static shapes give the same IR as before).
    SmallVector<Value> sizes = sizesOf(rewriter, loc, adaptor.getData());
    SmallVector<Value> linearSizes;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = ShapedType::isDynamic(resultType.getDimSize(d)) ? dataType.getDimSize(d)
                                                                      : resultType.getDimSize(d);
      linearSizes.push_back(
          ShapedType::isDynamic(size)
              ? Value(arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), sizes[d]))
              : Value());
    }
    SmallVector<Type> types{resultType};
    SmallVector<Value> inits{createEmpty(rewriter, loc, resultType, sizes)};
    if (hasMask) {
      types.push_back(maskType);
      inits.push_back(createEmpty(rewriter, loc, maskType, sizes));
    }
    SmallVector<AffineMap> maps(1 + inits.size(), rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, types, ValueRange{adaptor.getData()}, inits, maps, parallel,
        [&](OpBuilder &b, Location l, ValueRange args) {
          // Row-major linear index: the element's counter in the stream.
          Value linear = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
          for (int64_t d = 0; d < rank; ++d) {
            Value i = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                 linalg::IndexOp::create(b, l, d));
            int64_t staticSize = ShapedType::isDynamic(resultType.getDimSize(d))
                                     ? dataType.getDimSize(d)
                                     : resultType.getDimSize(d);
            Value size = linearSizes[d] ? linearSizes[d]
                                        : Value(arith::ConstantOp::create(
                                              b, l, b.getI64IntegerAttr(staticSize)));
            linear = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, linear, size), i);
          }
          Value u = randomUniform01(b, l, key, linear);
          Value keep = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u, ratio);
          keep = arith::OrIOp::create(
              b, l, keep, arith::XOrIOp::create(b, l, train, arith::ConstantIntOp::create(b, l, i1, 1)));
          Value scaled = arith::DivFOp::create(b, l, args[0], keepScale);
          Value dropped = arith::SelectOp::create(b, l, keep, scaled, scalarConstant(b, l, elem, 0.0));
          SmallVector<Value> yields{arith::SelectOp::create(b, l, train, dropped, args[0])};
          if (hasMask)
            yields.push_back(keep);
          linalg::YieldOp::create(b, l, yields);
        });
    SmallVector<Value> results{generic.getResult(0)};
    results.push_back(hasMask ? generic.getResult(1) : Value(onnx::NoValueOp::create(rewriter, loc)));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<BatchNormalizationPattern, SoftmaxPattern<onnx::SoftmaxOp, false>,
               SoftmaxPattern<onnx::LogSoftmaxOp, true>, InstanceNormalizationPattern,
               LayerNormalizationPattern, MeanVarianceNormalizationPattern,
               LpNormalizationPattern, LRNPattern, DropoutPattern>(converter,
                                                                   patterns.getContext());
}

} // namespace smelt
