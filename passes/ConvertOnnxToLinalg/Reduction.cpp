//===- Reduction.cpp - onnx Reduce*, ArgMax/Min, Hardmax to linalg -------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceSumSquare, ReduceLogSum and ReduceLogSumExp become one
// linalg.generic with reduction iterators over the reduced axes, initialised
// with the identity of the combiner (0, lowest, highest, 1). The generic
// produces the kept dims only; keepdims=1 then expands back to the static
// result type. An elementwise map before combining (|x|, x*x) is fused into
// the reduction body; Mean, L2 and LogSum finish with one elementwise generic.
// ReduceLogSumExp is max-shifted: m = max(x), log(sum(exp(x - m))) + m, with
// m replaced by 0 where it is infinite.
//
// ArgMax/ArgMin are one generic with two outputs (value, int64 index); ties
// keep the first index unless select_last_index, NaN wins like numpy. Hardmax
// is an ArgMax followed by a one-hot generic. TopK has its own file.
//
// Axes come from the attribute (opset 13 ReduceMean/Max/Min/Prod) or from the
// optional `axes` input (ReduceSum-13). A non-constant `axes` input is still
// accepted when the static result type names the reduced axes unambiguously
// (with dynamic shapes it must be a constant).
//
// Dims may be dynamic: sizes are read at run time (the Mean divisor too).
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

/// Reshapes `value` to `type` whose dims have `sizes`: a tensor.cast when
/// only static information differs.
Value reshapeResult(OpBuilder &b, Location loc, Value value, RankedTensorType type,
                    ValueRange sizes) {
  auto valueType = cast<RankedTensorType>(value.getType());
  if (valueType.getRank() == type.getRank() && !valueType.hasStaticShape())
    return valueType == type ? value : Value(tensor::CastOp::create(b, loc, type, value));
  return reshapeToSizes(b, loc, value, type, sizes);
}

/// The result shape and sizes of reducing `input` over `reduced`, with unit
/// dims for the reduced ones when `keepdims`.
std::pair<SmallVector<int64_t>, SmallVector<Value>>
reducedShape(OpBuilder &b, Location loc, Value input, ArrayRef<bool> reduced, bool keepdims) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!reduced[i]) {
      shape.push_back(type.getDimSize(i));
      sizes.push_back(dimSize(b, loc, input, i));
    } else if (keepdims) {
      shape.push_back(1);
      sizes.push_back(arith::ConstantIndexOp::create(b, loc, 1));
    }
  }
  return {shape, sizes};
}

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp };

/// Combines the accumulator with one element.
Value combine(OpBuilder &b, Location loc, ReduceKind kind, bool isUnsigned, Value acc, Value x) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
  case ReduceKind::L1:
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
  case ReduceKind::LogSum:
  case ReduceKind::LogSumExp:
    return addScalar(b, loc, acc, x);
  case ReduceKind::Prod:
    return mulScalar(b, loc, acc, x);
  case ReduceKind::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, acc, x);
    return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, acc, x))
                      : Value(arith::MaxSIOp::create(b, loc, acc, x));
  case ReduceKind::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, acc, x);
    return isUnsigned ? Value(arith::MinUIOp::create(b, loc, acc, x))
                      : Value(arith::MinSIOp::create(b, loc, acc, x));
  }
  llvm_unreachable("unknown reduction");
}

Value initialValue(OpBuilder &b, Location loc, ReduceKind kind, Type type, bool isUnsigned) {
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
  case ReduceKind::L1:
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
  case ReduceKind::LogSum:
  case ReduceKind::LogSumExp:
    return scalarConstant(b, loc, type, 0.0);
  case ReduceKind::Prod:
    return scalarConstant(b, loc, type, 1.0);
  case ReduceKind::Max:
    return lowestValue(b, loc, type, isUnsigned);
  case ReduceKind::Min:
    return highestValue(b, loc, type, isUnsigned);
  }
  llvm_unreachable("unknown reduction");
}

/// Which axes of a `rank`-D input a reduction with a non-constant axes input
/// reduces, read from the static shapes; failure when they are ambiguous.
FailureOr<SmallVector<bool>> inferReducedAxes(ArrayRef<int64_t> input, ArrayRef<int64_t> result,
                                              bool keepdims) {
  int64_t rank = input.size();
  SmallVector<bool> reduced(rank, false);
  if (keepdims) {
    if (static_cast<int64_t>(result.size()) != rank)
      return failure();
    // Reducing a unit dim or not gives the same values, so mismatching dims
    // are exactly the ones that matter.
    for (int64_t i = 0; i < rank; ++i)
      reduced[i] = input[i] != result[i];
    return reduced;
  }
  // Without keepdims the kept dims must match the result in order; accept
  // only a unique matching (ignoring choices among equal unit dims is not
  // safe in general, so any second matching is an error).
  int64_t matches = 0;
  int64_t keep = result.size();
  if (keep > rank)
    return failure();
  SmallVector<bool> current(rank, true);
  std::function<void(int64_t, int64_t)> search = [&](int64_t i, int64_t j) {
    if (matches > 1)
      return;
    if (j == keep) {
      for (int64_t k = i; k < rank; ++k)
        current[k] = true;
      ++matches;
      reduced = current;
      return;
    }
    if (i == rank)
      return;
    if (input[i] == result[j]) {
      current[i] = false;
      search(i + 1, j + 1);
    }
    current[i] = true;
    if (rank - i - 1 >= keep - j)
      search(i + 1, j);
  };
  search(0, 0);
  if (matches != 1)
    return failure();
  return reduced;
}

/// The elementwise map applied to each element before it is combined;
/// `shift` is the max-shift of LogSumExp (null otherwise).
Value preMap(OpBuilder &b, Location loc, ReduceKind kind, Value x, Value shift) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::L1:
    return isFloat ? Value(math::AbsFOp::create(b, loc, x)) : Value(math::AbsIOp::create(b, loc, x));
  case ReduceKind::L2:
  case ReduceKind::SumSquare:
    return mulScalar(b, loc, x, x);
  case ReduceKind::LogSumExp:
    return math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, shift));
  default:
    return x;
  }
}

/// Applies a float function to an integer scalar through f64 (ONNX computes
/// sqrt/log of integer reductions in floating point and casts back).
Value viaFloat(OpBuilder &b, Location loc, Value x, bool isUnsigned,
               llvm::function_ref<Value(Value)> fn) {
  if (isa<FloatType>(x.getType()))
    return fn(x);
  Value wide = castScalar(b, loc, x, b.getF64Type(), isUnsigned, false);
  return castScalar(b, loc, fn(wide), x.getType(), false, isUnsigned);
}

/// The builder of a reduction generic over `reduced` axes of `input`: maps
/// from the full iteration space onto the kept dims.
AffineMap keptMap(MLIRContext *ctx, ArrayRef<bool> reduced) {
  SmallVector<AffineExpr> exprs;
  for (size_t i = 0; i < reduced.size(); ++i)
    if (!reduced[i])
      exprs.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(reduced.size(), 0, exprs, ctx);
}

/// Lowers one reduction given which axes it reduces.
Value buildReduction(OpBuilder &b, Location loc, ReduceKind kind, Value input, bool isUnsigned,
                     ArrayRef<bool> reduced, bool keepdims, RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  Type elementType = inputType.getElementType();
  MLIRContext *ctx = b.getContext();

  SmallVector<int64_t> keptShape;
  SmallVector<Value> keptSizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  int64_t count = 1;
  Value dynamicCount; // Product of the dynamic reduced sizes (index).
  for (int64_t i = 0; i < rank; ++i) {
    if (reduced[i]) {
      iterators.push_back(utils::IteratorType::reduction);
      if (inputType.isDynamicDim(i)) {
        Value dim = tensor::DimOp::create(b, loc, input, i);
        dynamicCount =
            dynamicCount ? Value(arith::MulIOp::create(b, loc, dynamicCount, dim)) : dim;
      } else {
        count *= inputType.getDimSize(i);
      }
    } else {
      iterators.push_back(utils::IteratorType::parallel);
      keptShape.push_back(inputType.getDimSize(i));
      keptSizes.push_back(dimSize(b, loc, input, i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  auto keptType = RankedTensorType::get(keptShape, elementType);
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap kept = AffineMap::get(rank, 0, outExprs, ctx);

  auto reduce = [&](ReduceKind k, Value shift) {
    SmallVector<Value> inputs{input};
    SmallVector<AffineMap> maps{identity};
    if (shift) {
      inputs.push_back(shift);
      maps.push_back(kept);
    }
    maps.push_back(kept);
    Value init = createFilled(b, loc, keptType, keptSizes,
                              initialValue(b, loc, k, elementType, isUnsigned));
    return linalg::GenericOp::create(
               b, loc, TypeRange{keptType}, inputs, ValueRange{init}, maps, iterators,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value x = preMap(nb, nloc, k, args[0], shift ? args[1] : Value());
                 linalg::YieldOp::create(nb, nloc,
                                         combine(nb, nloc, k, isUnsigned, args.back(), x));
               })
        .getResult(0);
  };

  Value shift;
  if (kind == ReduceKind::LogSumExp) {
    // An infinite max would turn x - max into NaN; shifting by 0 there is
    // exact (the sum is 0 or +inf anyway).
    Value max = reduce(ReduceKind::Max, Value());
    shift = buildElementwise(
        b, loc, keptType, ValueRange{max}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value inf = highestValue(nb, nloc, elementType, false);
          Value isInf = arith::CmpFOp::create(nb, nloc, arith::CmpFPredicate::OEQ,
                                              math::AbsFOp::create(nb, nloc, args[0]), inf);
          return Value(arith::SelectOp::create(
              nb, nloc, isInf, scalarConstant(nb, nloc, elementType, 0.0), args[0]));
        });
  }
  Value result = reduce(kind, shift);

  switch (kind) {
  case ReduceKind::Mean: {
    // The element count as a scalar of the element type, when known only at
    // run time.
    Value runtimeDivisor;
    if (dynamicCount) {
      Value total = arith::MulIOp::create(b, loc, dynamicCount,
                                          arith::ConstantIndexOp::create(b, loc, count));
      Value wide = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), total);
      runtimeDivisor = castScalar(b, loc, wide, elementType, /*srcUnsigned=*/true, isUnsigned);
    }
    result = buildElementwise(
        b, loc, keptType, ValueRange{result}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value divisor = runtimeDivisor ? runtimeDivisor
                                         : scalarConstant(nb, nloc, elementType,
                                                          static_cast<double>(count));
          if (isa<FloatType>(elementType))
            return Value(arith::DivFOp::create(nb, nloc, args[0], divisor));
          return isUnsigned ? Value(arith::DivUIOp::create(nb, nloc, args[0], divisor))
                            : Value(arith::DivSIOp::create(nb, nloc, args[0], divisor));
        });
    break;
  }
  case ReduceKind::L2:
  case ReduceKind::LogSum:
    result = buildElementwise(
        b, loc, keptType, ValueRange{result}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          return viaFloat(nb, nloc, args[0], isUnsigned, [&](Value v) -> Value {
            if (kind == ReduceKind::L2)
              return math::SqrtOp::create(nb, nloc, v);
            return math::LogOp::create(nb, nloc, v);
          });
        });
    break;
  case ReduceKind::LogSumExp:
    result = buildElementwise(b, loc, keptType, ValueRange{result, shift},
                              [&](OpBuilder &nb, Location nloc, ValueRange args) -> Value {
                                Value log = math::LogOp::create(nb, nloc, args[0]);
                                return arith::AddFOp::create(nb, nloc, log, args[1]);
                              });
    break;
  default:
    break;
  }
  auto [shape, sizes] = reducedShape(b, loc, input, reduced, keepdims);
  (void)shape;
  return reshapeResult(b, loc, result, resultType, sizes);
}

/// ReduceSum whose axes are known only at run time. The generated code reads
/// the axes tensor into one flag per dim, then sums each flagged dim in turn
/// (keeping it as a unit dim) under an scf.if; without keepdims a reshape to
/// the unflagged dims follows. An empty axes tensor reduces every dim, or none
/// with noop_with_empty_axes. Axes out of range flag no dim (there is no
/// run-time error path yet).
Value buildSumOverRuntimeAxes(OpBuilder &b, Location loc, Value input, Value axes,
                              bool isUnsigned, bool noop, bool keepdims,
                              RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  auto dynamicType = RankedTensorType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                                           inputType.getElementType());
  Type i64 = b.getI64Type();
  Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
  Value axisCount = tensor::DimOp::create(b, loc, axes, 0);
  Value reduceAll = noop ? Value(arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0))
                         : Value(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                                       axisCount, zero));
  auto scan = scf::ForOp::create(
      b, loc, zero, axisCount, one, SmallVector<Value>(rank, reduceAll),
      [&](OpBuilder &nb, Location l, Value i, ValueRange named) {
        Value axis = tensor::ExtractOp::create(nb, l, axes, ValueRange{i});
        Value negative = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, axis,
                                               arith::ConstantIntOp::create(nb, l, i64, 0));
        Value normalized = arith::SelectOp::create(
            nb, l, negative,
            arith::AddIOp::create(nb, l, axis, arith::ConstantIntOp::create(nb, l, i64, rank)),
            axis);
        SmallVector<Value> next;
        for (int64_t d = 0; d < rank; ++d) {
          Value names = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, normalized,
                                              arith::ConstantIntOp::create(nb, l, i64, d));
          next.push_back(arith::OrIOp::create(nb, l, named[d], names));
        }
        scf::YieldOp::create(nb, l, next);
      });
  ValueRange flags = scan.getResults();

  auto castTo = [&](Type type, Value value) {
    return value.getType() == type ? value : Value(tensor::CastOp::create(b, loc, type, value));
  };
  Value x = castTo(dynamicType, input);
  for (int64_t d = 0; d < rank; ++d) {
    SmallVector<bool> only(rank, false);
    only[d] = true;
    auto step = scf::IfOp::create(
        b, loc, flags[d],
        [&](OpBuilder &nb, Location l) {
          Value sum = buildReduction(nb, l, ReduceKind::Sum, x, isUnsigned, only,
                                     /*keepdims=*/true, dynamicType);
          scf::YieldOp::create(nb, l, sum);
        },
        [&](OpBuilder &nb, Location l) { scf::YieldOp::create(nb, l, x); });
    x = step.getResult(0);
  }
  if (keepdims)
    return castTo(resultType, x);

  // The kept dims, in order, as the shape of a reshape; more kept dims than
  // the result's rank (duplicate axes) are not written out of bounds.
  int64_t keptRank = resultType.getRank();
  Value shape = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{keptRank}, b.getIndexType());
  Value position = zero;
  Value keptRankValue = indexConstant(b, loc, keptRank);
  for (int64_t d = 0; d < rank; ++d) {
    Value kept = arith::XOrIOp::create(b, loc, flags[d],
                                       arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
    Value inBounds =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, position, keptRankValue);
    auto write = scf::IfOp::create(
        b, loc, arith::AndIOp::create(b, loc, kept, inBounds),
        [&](OpBuilder &nb, Location l) {
          Value size = tensor::DimOp::create(nb, l, x, d);
          Value written = tensor::InsertOp::create(nb, l, size, shape, ValueRange{position});
          scf::YieldOp::create(
              nb, l, ValueRange{written, arith::AddIOp::create(nb, l, position, one)});
        },
        [&](OpBuilder &nb, Location l) { scf::YieldOp::create(nb, l, ValueRange{shape, position}); });
    shape = write.getResult(0);
    position = write.getResult(1);
  }
  auto reshapedType = RankedTensorType::get(SmallVector<int64_t>(keptRank, ShapedType::kDynamic),
                                            inputType.getElementType());
  return castTo(resultType, tensor::ReshapeOp::create(b, loc, reshapedType, x, shape));
}

/// Shared driver: resolves axes (attribute, constant input or shapes), applies
/// keepdims / noop_with_empty_axes and emits the reduction.
template <typename OpTy, ReduceKind Kind>
struct ReducePattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;

  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*this->getTypeConverter(), op.getReduced());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = inputType.getRank();
    bool keepdims = op.getKeepdims() != 0;

    std::optional<SmallVector<int64_t>> axes; // nullopt: unknown at compile time.
    bool noop = false;
    if constexpr (std::is_same_v<OpTy, onnx::ReduceSumOp>) {
      noop = op.getNoopWithEmptyAxes() != 0;
      Value axesInput = op.getAxes();
      if (isa<NoneType>(axesInput.getType())) {
        axes.emplace();
      } else {
        SmallVector<int64_t> values;
        if (succeeded(getConstantInts(axesInput, values)))
          axes = std::move(values);
      }
    } else {
      axes.emplace();
      if (std::optional<ArrayRef<int64_t>> attr = op.getAxes())
        axes->assign(attr->begin(), attr->end());
    }

    SmallVector<bool> reduced(rank, false);
    if (axes) {
      if (axes->empty() && noop) {
        if (!canHoldShape(resultType, inputType.getShape()))
          return op.emitError() << describeNode(op) << ": result type "
                                << op.getReduced().getType() << " does not match the input";
        rewriter.replaceOp(op, reshapeResult(rewriter, op.getLoc(), adaptor.getData(), resultType,
                                             {}));
        return success();
      }
      if (axes->empty())
        reduced.assign(rank, true);
      for (int64_t axis : *axes) {
        if (axis < -rank || axis >= rank)
          return op.emitError() << describeNode(op) << ": axis " << axis
                                << " is out of range for rank " << rank;
        reduced[normalizeAxis(axis, rank)] = true;
      }
    } else {
      // Static shapes may tell which axes a run-time `axes` input names;
      // otherwise the generated code reads them.
      FailureOr<SmallVector<bool>> inferred = failure();
      if (inputType.hasStaticShape() && resultType.hasStaticShape())
        inferred = inferReducedAxes(inputType.getShape(), resultType.getShape(), keepdims);
      if (succeeded(inferred)) {
        reduced = std::move(*inferred);
      } else if constexpr (std::is_same_v<OpTy, onnx::ReduceSumOp>) {
        if (resultType.getRank() > rank)
          return op.emitError() << describeNode(op) << ": result type "
                                << op.getReduced().getType() << " has a higher rank than the input";
        rewriter.replaceOp(op, buildSumOverRuntimeAxes(rewriter, op.getLoc(), adaptor.getData(),
                                                       adaptor.getAxes(),
                                                       isUnsignedElement(op.getData()), noop,
                                                       keepdims, resultType));
        return success();
      }
    }

    // The expected kept shape must agree with the result type.
    if (inputType.hasStaticShape() && resultType.hasStaticShape()) {
      int64_t expectedElements = 1;
      for (int64_t i = 0; i < rank; ++i)
        if (!reduced[i])
          expectedElements *= inputType.getDimSize(i);
      if (expectedElements != resultType.getNumElements())
        return op.emitError() << describeNode(op) << ": result type "
                              << op.getReduced().getType() << " does not match the reduced axes";
    } else {
      SmallVector<int64_t> expected;
      for (int64_t i = 0; i < rank; ++i)
        if (!reduced[i] || keepdims)
          expected.push_back(reduced[i] ? 1 : inputType.getDimSize(i));
      if (!canHoldShape(resultType, expected))
        return op.emitError() << describeNode(op) << ": result type "
                              << op.getReduced().getType() << " does not match the reduced axes";
    }

    if (Kind == ReduceKind::LogSumExp && !isa<FloatType>(inputType.getElementType()))
      return op.emitError() << describeNode(op) << ": only float element types are supported";

    Value result = buildReduction(rewriter, op.getLoc(), Kind, adaptor.getData(),
                                  isUnsignedElement(op.getData()), reduced, keepdims, resultType);
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- ArgMax, ArgMin and Hardmax ----------------------------------------------

/// True when `x` at a later index should replace the best value `acc` so far:
/// strictly better (or, with `orEqual`, better or equal), NaN counting as the
/// best value of all (numpy's argmax/argmin pick the first NaN).
Value replaces(OpBuilder &b, Location loc, Value x, Value acc, bool isMax, bool orEqual,
               bool isUnsigned) {
  if (isa<FloatType>(x.getType())) {
    using P = arith::CmpFPredicate;
    P pred = isMax ? (orEqual ? P::OGE : P::OGT) : (orEqual ? P::OLE : P::OLT);
    Value better = arith::CmpFOp::create(b, loc, pred, x, acc);
    Value xNan = arith::CmpFOp::create(b, loc, P::UNO, x, x);
    Value accNan = arith::CmpFOp::create(b, loc, P::UNO, acc, acc);
    // A NaN is kept against everything but a later NaN with select_last_index.
    Value takeNan = orEqual ? xNan
                            : Value(arith::AndIOp::create(
                                  b, loc, xNan,
                                  arith::XOrIOp::create(
                                      b, loc, accNan,
                                      arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1))));
    Value notAccNan = arith::XOrIOp::create(
        b, loc, accNan, arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
    return arith::OrIOp::create(b, loc, takeNan,
                                arith::AndIOp::create(b, loc, better, notAccNan));
  }
  using P = arith::CmpIPredicate;
  P pred = isMax ? (orEqual ? (isUnsigned ? P::uge : P::sge) : (isUnsigned ? P::ugt : P::sgt))
                 : (orEqual ? (isUnsigned ? P::ule : P::sle) : (isUnsigned ? P::ult : P::slt));
  return arith::CmpIOp::create(b, loc, pred, x, acc);
}

/// Index (i64) along `axis` of the max (or min) of `input`, of the kept dims.
Value buildArgReduce(OpBuilder &b, Location loc, Value input, int64_t axis, bool isMax,
                     bool selectLast, bool isUnsigned) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  Type elem = type.getElementType();
  SmallVector<bool> reduced(rank, false);
  reduced[axis] = true;
  auto [keptShape, keptSizes] = reducedShape(b, loc, input, reduced, /*keepdims=*/false);
  auto valueType = RankedTensorType::get(keptShape, elem);
  auto indexType = RankedTensorType::get(keptShape, b.getI64Type());
  Value initValue = createFilled(b, loc, valueType, keptSizes,
                                 isMax ? lowestValue(b, loc, elem, isUnsigned)
                                       : highestValue(b, loc, elem, isUnsigned));
  Value initIndex = createFilled(b, loc, indexType, keptSizes,
                                 scalarConstant(b, loc, b.getI64Type(), 0));
  AffineMap kept = keptMap(b.getContext(), reduced);
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valueType, indexType}, ValueRange{input}, ValueRange{initValue, initIndex},
      SmallVector<AffineMap>{b.getMultiDimIdentityMap(rank), kept, kept}, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value index = arith::IndexCastOp::create(nb, l, nb.getI64Type(),
                                                 linalg::IndexOp::create(nb, l, axis));
        Value take = replaces(nb, l, args[0], args[1], isMax, selectLast, isUnsigned);
        linalg::YieldOp::create(
            nb, l,
            ValueRange{arith::SelectOp::create(nb, l, take, args[0], args[1]),
                       arith::SelectOp::create(nb, l, take, index, args[2])});
      });
  return generic.getResult(1);
}

template <typename OpTy, bool IsMax>
struct ArgReducePattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*this->getTypeConverter(), op.getReduced());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = inputType.getRank();
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value index = buildArgReduce(rewriter, op.getLoc(), adaptor.getData(), axis, IsMax,
                                 op.getSelectLastIndex() != 0, isUnsignedElement(op.getData()));
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    auto [shape, sizes] = reducedShape(rewriter, op.getLoc(), adaptor.getData(), reduced,
                                       op.getKeepdims() != 0);
    if (!canHoldShape(resultType, shape))
      return op.emitError() << describeNode(op) << ": result type " << op.getReduced().getType()
                            << " does not match the reduced axis";
    rewriter.replaceOp(op, reshapeResult(rewriter, op.getLoc(), index, resultType, sizes));
    return success();
  }
};

struct HardmaxPattern : DynamicShapePattern<onnx::HardmaxOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::HardmaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = resultType.getRank();
    if (rank == 0 || op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value index = buildArgReduce(rewriter, loc, adaptor.getInput(), axis, /*isMax=*/true,
                                 /*selectLast=*/false, false);
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < rank; ++i)
      sizes.push_back(dimSize(rewriter, loc, adaptor.getInput(), i));
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Type elem = resultType.getElementType();
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, ValueRange{index},
            ValueRange{createEmpty(rewriter, loc, resultType, sizes)},
            SmallVector<AffineMap>{keptMap(rewriter.getContext(), reduced),
                                   rewriter.getMultiDimIdentityMap(rank)},
            SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value here = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                      linalg::IndexOp::create(b, l, axis));
              Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, here, args[0]);
              linalg::YieldOp::create(
                  b, l,
                  Value(arith::SelectOp::create(b, l, hit, scalarConstant(b, l, elem, 1.0),
                                                scalarConstant(b, l, elem, 0.0))));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- TopK --------------------------------------------------------------------

} // namespace

void populateReductionPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReducePattern<onnx::ReduceSumOp, ReduceKind::Sum>,
               ReducePattern<onnx::ReduceMeanOp, ReduceKind::Mean>,
               ReducePattern<onnx::ReduceMaxOp, ReduceKind::Max>,
               ReducePattern<onnx::ReduceMinOp, ReduceKind::Min>,
               ReducePattern<onnx::ReduceProdOp, ReduceKind::Prod>,
               ReducePattern<onnx::ReduceL1Op, ReduceKind::L1>,
               ReducePattern<onnx::ReduceL2Op, ReduceKind::L2>,
               ReducePattern<onnx::ReduceSumSquareOp, ReduceKind::SumSquare>,
               ReducePattern<onnx::ReduceLogSumOp, ReduceKind::LogSum>,
               ReducePattern<onnx::ReduceLogSumExpOp, ReduceKind::LogSumExp>,
               ArgReducePattern<onnx::ArgMaxOp, true>, ArgReducePattern<onnx::ArgMinOp, false>,
               HardmaxPattern>(converter, patterns.getContext());
}

} // namespace smelt
