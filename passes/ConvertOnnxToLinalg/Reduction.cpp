//===- Reduction.cpp - onnx Reduce* ops to linalg.generic ---------------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin and ReduceProd become one
// linalg.generic with reduction iterators over the reduced axes, initialised
// with the identity of the combiner (0, lowest, highest, 1). The generic
// produces the kept dims only; keepdims=1 then expands back to the static
// result type. Mean divides by the reduced element count afterwards.
//
// Axes come from the attribute (opset 13 ReduceMean/Max/Min/Prod) or from the
// optional `axes` input (ReduceSum-13). A non-constant `axes` input is still
// accepted when the static result type names the reduced axes unambiguously.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

/// Combines the accumulator with one element.
Value combine(OpBuilder &b, Location loc, ReduceKind kind, bool isUnsigned, Value acc, Value x) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
    return isFloat ? Value(arith::AddFOp::create(b, loc, acc, x))
                   : Value(arith::AddIOp::create(b, loc, acc, x));
  case ReduceKind::Prod:
    return isFloat ? Value(arith::MulFOp::create(b, loc, acc, x))
                   : Value(arith::MulIOp::create(b, loc, acc, x));
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

/// Lowers one reduction given which axes it reduces.
Value buildReduction(OpBuilder &b, Location loc, ReduceKind kind, Value input, bool isUnsigned,
                     ArrayRef<bool> reduced, RankedTensorType resultType) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  Type elementType = inputType.getElementType();
  MLIRContext *ctx = b.getContext();

  SmallVector<int64_t> keptShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i) {
    if (reduced[i]) {
      iterators.push_back(utils::IteratorType::reduction);
      count *= inputType.getDimSize(i);
    } else {
      iterators.push_back(utils::IteratorType::parallel);
      keptShape.push_back(inputType.getDimSize(i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  auto keptType = RankedTensorType::get(keptShape, elementType);
  Value init = createFilled(b, loc, keptType, initialValue(b, loc, kind, elementType, isUnsigned));
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank),
                              AffineMap::get(rank, 0, outExprs, ctx)};
  Value result = linalg::GenericOp::create(
                     b, loc, TypeRange{keptType}, ValueRange{input}, ValueRange{init}, maps,
                     iterators,
                     [&](OpBuilder &nb, Location nloc, ValueRange args) {
                       linalg::YieldOp::create(
                           nb, nloc, combine(nb, nloc, kind, isUnsigned, args[1], args[0]));
                     })
                     .getResult(0);

  if (kind == ReduceKind::Mean) {
    result = buildElementwise(
        b, loc, keptType, ValueRange{result}, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value divisor = scalarConstant(nb, nloc, elementType, static_cast<double>(count));
          if (isa<FloatType>(elementType))
            return Value(arith::DivFOp::create(nb, nloc, args[0], divisor));
          return isUnsigned ? Value(arith::DivUIOp::create(nb, nloc, args[0], divisor))
                            : Value(arith::DivSIOp::create(nb, nloc, args[0], divisor));
        });
  }
  return reshapeTo(b, loc, result, resultType);
}

/// Shared driver: resolves axes (attribute, constant input or shapes), applies
/// keepdims / noop_with_empty_axes and emits the reduction.
template <typename OpTy, ReduceKind Kind>
struct ReducePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getStaticType(*this->getTypeConverter(), op.getReduced());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!resultType || !inputType || !inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
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
        rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), adaptor.getData(), resultType));
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
      FailureOr<SmallVector<bool>> inferred =
          inferReducedAxes(inputType.getShape(), resultType.getShape(), keepdims);
      if (failed(inferred))
        return op.emitError() << describeNode(op)
                              << ": axes must be a constant (onnx.Constant) when the result "
                                 "shape does not determine them";
      reduced = std::move(*inferred);
    }

    // The expected kept shape must agree with the static result type.
    int64_t expectedElements = 1;
    for (int64_t i = 0; i < rank; ++i)
      if (!reduced[i])
        expectedElements *= inputType.getDimSize(i);
    if (expectedElements != resultType.getNumElements())
      return op.emitError() << describeNode(op) << ": result type " << op.getReduced().getType()
                            << " does not match the reduced axes";

    Value result = buildReduction(rewriter, op.getLoc(), Kind, adaptor.getData(),
                                  isUnsignedElement(op.getData()), reduced, resultType);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateReductionPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReducePattern<onnx::ReduceSumOp, ReduceKind::Sum>,
               ReducePattern<onnx::ReduceMeanOp, ReduceKind::Mean>,
               ReducePattern<onnx::ReduceMaxOp, ReduceKind::Max>,
               ReducePattern<onnx::ReduceMinOp, ReduceKind::Min>,
               ReducePattern<onnx::ReduceProdOp, ReduceKind::Prod>>(converter,
                                                                    patterns.getContext());
}

} // namespace smelt
