//===- DataMovement.cpp - onnx shape and data-movement ops to tensor/linalg -===//
//
// Ops that move or relabel data without arithmetic: Constant, Reshape,
// Flatten, Squeeze, Unsqueeze, Transpose, Concat, Slice, Gather, Shape,
// ConstantOfShape, Expand and Tile. With static types, shape-like operands
// (Reshape's shape, Squeeze's axes, Expand's shape, Tile's repeats) are not
// read: the result type already says what they mean. Every pattern except
// Constant also lowers dynamic dims: result sizes are then computed at run
// time from the operands' dims and, where ONNX says so, from the shape-like
// operands' values (Slice's starts/ends/axes/steps with ONNX's clamping rules,
// Expand's shape, Tile's repeats, ConstantOfShape's input, Unsqueeze/Squeeze
// axes). Run-time values are trusted to agree with the declared types.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <limits>

using namespace mlir;

namespace smelt {
namespace {

/// Reads element `k` of a 1-D integer tensor as an i64 at run time.
Value extractI64(OpBuilder &b, Location loc, Value tensor, Value k) {
  Value v = tensor::ExtractOp::create(b, loc, tensor, ValueRange{k});
  if (v.getType().getIntOrFloatBitWidth() < 64)
    v = arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
  return v;
}

Value extractI64(OpBuilder &b, Location loc, Value tensor, int64_t k) {
  return extractI64(b, loc, tensor, indexConstant(b, loc, k));
}

Value toIndexValue(OpBuilder &b, Location loc, Value i64) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), i64);
}

Value toI64(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

/// A 1-D tensor of run-time length cast to the `length` its op implies
/// (Unsqueeze's axes, Tile's repeats, ...); static tensors pass unchanged.
Value withLength(OpBuilder &b, Location loc, Value tensor, int64_t length) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(0))
    return tensor;
  return tensor::CastOp::create(b, loc, RankedTensorType::get({length}, type.getElementType()),
                                tensor);
}

/// Offsets/sizes/strides of a slice: static dims of `type` as attributes,
/// dynamic ones from `values`.
SmallVector<OpFoldResult> mixedSizes(OpBuilder &b, RankedTensorType type, ValueRange values) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    sizes.push_back(type.isDynamicDim(d) ? OpFoldResult(values[d])
                                         : OpFoldResult(b.getIndexAttr(type.getDimSize(d))));
  return sizes;
}

// --- Constant ----------------------------------------------------------------

struct ConstantPattern : OpConversionPattern<onnx::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConstantOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getStaticType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not statically shaped");
    Type elementType = resultType.getElementType();
    TypedAttr value;
    if (ElementsAttr attr = op.getValueAttr()) {
      if (isa<DenseStringElementsAttr>(attr) || isa<onnx::StringType>(attr.getElementType()))
        return op.emitError() << describeNode(op) << ": string constants are not supported yet";
      if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
        // ui* -> i*: same bits, signless type.
        if (dense.getElementType() != elementType)
          dense = dense.bitcast(elementType);
        if (dense.getType() != resultType)
          dense = dense.reshape(resultType);
        value = dense;
      } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
        value = DenseResourceElementsAttr::get(resultType, resource.getRawHandle());
      } else {
        return op.emitError() << describeNode(op) << ": constant value " << attr
                              << " is not supported yet";
      }
    } else if (FloatAttr f = op.getValueFloatAttr()) {
      value = DenseElementsAttr::get(resultType, ArrayRef<Attribute>{f});
    } else if (DenseF32ArrayAttr fs = op.getValueFloatsAttr()) {
      value = DenseElementsAttr::get(resultType, fs.asArrayRef());
    } else if (IntegerAttr i = op.getValueIntAttr()) {
      value = DenseElementsAttr::get(resultType, ArrayRef<int64_t>{i.getInt()});
    } else if (DenseI64ArrayAttr is = op.getValueIntsAttr()) {
      value = DenseElementsAttr::get(resultType, is.asArrayRef());
    } else if (op.getValueStringAttr() || op.getValueStringsAttr()) {
      return op.emitError() << describeNode(op) << ": string constants are not supported yet";
    } else {
      return op.emitError() << describeNode(op) << ": sparse constants are not supported yet";
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, resultType, value);
    return success();
  }
};

// --- Reshapes ----------------------------------------------------------------

/// Reshape, Flatten, Squeeze and Unsqueeze. With static shapes only the
/// result type matters; dynamic result dims are computed at run time from the
/// input's dims (and Reshape's shape operand) by `resultSizes`.
template <typename OpTy>
struct ReshapeLikePattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*this->getTypeConverter(), op->getResult(0));
    Value input = adaptor.getOperands().front();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    if (inputType.hasStaticShape() && resultType.hasStaticShape()) {
      if (inputType.getNumElements() != resultType.getNumElements())
        return op.emitError() << describeNode(op) << ": cannot reshape " << inputType << " to "
                              << resultType;
      rewriter.replaceOp(op, reshapeTo(rewriter, op.getLoc(), input, resultType));
      return success();
    }
    FailureOr<SmallVector<Value>> sizes =
        resultSizes(op, adaptor, rewriter, op.getLoc(), input, resultType);
    if (failed(sizes))
      return failure();
    rewriter.replaceOp(op, reshapeToSizes(rewriter, op.getLoc(), input, resultType, *sizes));
    return success();
  }

private:
  static Value product(OpBuilder &b, Location loc, Value input, int64_t from, int64_t to) {
    Value p = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = from; d < to; ++d)
      p = arith::MulIOp::create(b, loc, p, dimSize(b, loc, input, d));
    return p;
  }

  /// Input dims with the dims at `dropped` removed (Squeeze) or size-1 dims
  /// inserted at `inserted` (Unsqueeze); axes are normalized against `rank`.
  static SmallVector<Value> withAxes(OpBuilder &b, Location loc, Value input, int64_t resultRank,
                                     ArrayRef<int64_t> axes, bool insert) {
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t axesRank = insert ? resultRank : inputType.getRank();
    llvm::SmallDenseSet<int64_t> marked;
    for (int64_t a : axes)
      marked.insert(normalizeAxis(a, axesRank));
    SmallVector<Value> sizes;
    int64_t next = 0;
    for (int64_t d = 0; d < axesRank; ++d) {
      if (insert) {
        sizes.push_back(marked.contains(d) ? Value(arith::ConstantIndexOp::create(b, loc, 1))
                                           : dimSize(b, loc, input, next++));
      } else if (!marked.contains(d)) {
        sizes.push_back(dimSize(b, loc, input, d));
      }
    }
    return sizes;
  }

  /// withAxes for axes known only at run time. Their count is fixed by the
  /// ranks; each result dim picks its input dim (or 1) with selects.
  static SmallVector<Value> runtimeAxes(OpBuilder &b, Location loc, Value input, Value axesTensor,
                                        int64_t resultRank, bool insert) {
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    int64_t axesRank = insert ? resultRank : rank;
    int64_t count = insert ? resultRank - rank : rank - resultRank;
    axesTensor = withLength(b, loc, axesTensor, count);
    SmallVector<Value> axes;
    Value zero64 = arith::ConstantIntOp::create(b, loc, 0, 64);
    for (int64_t k = 0; k < count; ++k) {
      Value a = extractI64(b, loc, axesTensor, k);
      Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, zero64);
      a = arith::SelectOp::create(
          b, loc, negative,
          arith::AddIOp::create(b, loc, a, arith::ConstantIntOp::create(b, loc, axesRank, 64)), a);
      axes.push_back(toIndexValue(b, loc, a));
    }
    // marked[d]: dim d (of the result for Unsqueeze, of the input for Squeeze) is an axis.
    Value falseV = arith::ConstantIntOp::create(b, loc, 0, 1);
    Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
    SmallVector<Value> marked;
    for (int64_t d = 0; d < axesRank; ++d) {
      Value m = falseV;
      for (Value a : axes)
        m = arith::OrIOp::create(
            b, loc, m,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, indexConstant(b, loc, d)));
      marked.push_back(m);
    }
    SmallVector<Value> sizes;
    if (insert) {
      // Result dim d reads input dim d - (axes before d), or is 1.
      Value before = zero;
      for (int64_t d = 0; d < resultRank; ++d) {
        Value source = arith::SubIOp::create(b, loc, indexConstant(b, loc, d), before);
        Value size = one;
        for (int64_t j = 0; j < rank; ++j) {
          Value hit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, source,
                                            indexConstant(b, loc, j));
          size = arith::SelectOp::create(b, loc, hit, dimSize(b, loc, input, j), size);
        }
        sizes.push_back(arith::SelectOp::create(b, loc, marked[d], one, size));
        before = arith::AddIOp::create(
            b, loc, before, arith::SelectOp::create(b, loc, marked[d], one, zero));
      }
      return sizes;
    }
    // Result dim e is the input dim j that is kept with e kept dims before it.
    sizes.assign(resultRank, one);
    Value kept = zero;
    for (int64_t j = 0; j < rank; ++j) {
      Value dim = dimSize(b, loc, input, j);
      for (int64_t e = 0; e < resultRank; ++e) {
        Value hit = arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, kept, indexConstant(b, loc, e)),
            arith::XOrIOp::create(b, loc, marked[j], arith::ConstantIntOp::create(b, loc, 1, 1)));
        sizes[e] = arith::SelectOp::create(b, loc, hit, dim, sizes[e]);
      }
      kept = arith::AddIOp::create(b, loc, kept,
                                   arith::SelectOp::create(b, loc, marked[j], zero, one));
    }
    return sizes;
  }

  FailureOr<SmallVector<Value>> resultSizes(OpTy op, typename OpTy::Adaptor adaptor,
                                            OpBuilder &b, Location loc, Value input,
                                            RankedTensorType resultType) const {
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    if constexpr (std::is_same_v<OpTy, onnx::FlattenOp>) {
      int64_t axis = normalizeAxis(op.getAxis(), rank);
      return SmallVector<Value>{product(b, loc, input, 0, axis), product(b, loc, input, axis, rank)};
    } else if constexpr (std::is_same_v<OpTy, onnx::UnsqueezeOp>) {
      SmallVector<int64_t> axes;
      if (failed(getConstantInts(op.getAxes(), axes)))
        return runtimeAxes(b, loc, input, adaptor.getAxes(), resultType.getRank(), /*insert=*/true);
      return withAxes(b, loc, input, resultType.getRank(), axes, /*insert=*/true);
    } else if constexpr (std::is_same_v<OpTy, onnx::SqueezeOp>) {
      SmallVector<int64_t> axes;
      if (isa<NoneType>(op.getAxes().getType()))
        return op.emitError() << describeNode(op)
                              << ": squeezing dynamic dims needs explicit axes";
      if (failed(getConstantInts(op.getAxes(), axes)))
        return runtimeAxes(b, loc, input, adaptor.getAxes(), resultType.getRank(),
                           /*insert=*/false);
      return withAxes(b, loc, input, resultType.getRank(), axes, /*insert=*/false);
    } else {
      // Reshape: 0 copies the input dim (unless allowzero), -1 is inferred.
      Value shape = adaptor.getShape();
      Value total = product(b, loc, input, 0, rank);
      Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
      Value minusOne = arith::ConstantIntOp::create(b, loc, -1, 64);
      SmallVector<Value> requested;
      Value known = arith::ConstantIntOp::create(b, loc, 1, 64);
      for (int64_t i = 0; i < resultType.getRank(); ++i) {
        Value index = arith::ConstantIndexOp::create(b, loc, i);
        Value s = tensor::ExtractOp::create(b, loc, shape, ValueRange{index});
        if (!op.getAllowzero() && i < rank) {
          Value inDim = arith::IndexCastOp::create(b, loc, b.getI64Type(), dimSize(b, loc, input, i));
          Value isZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s, zero);
          s = arith::SelectOp::create(b, loc, isZero, inDim, s);
        }
        requested.push_back(s);
        Value isInferred = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s, minusOne);
        known = arith::MulIOp::create(
            b, loc, known,
            arith::SelectOp::create(b, loc, isInferred, arith::ConstantIntOp::create(b, loc, 1, 64), s));
      }
      Value totalI64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), total);
      // A zero-sized known part only happens with an empty input; avoid x/0.
      Value one = arith::ConstantIntOp::create(b, loc, 1, 64);
      Value safeKnown = arith::MaxSIOp::create(b, loc, known, one);
      Value inferred = arith::DivSIOp::create(b, loc, totalI64, safeKnown);
      // The shape must hold exactly the input's elements: entries >= -1, at
      // most one -1, and a product (that does not overflow) equal to the
      // input's element count. Anything else would read past the input.
      Value valid = arith::ConstantIntOp::create(b, loc, 1, 1);
      Value inferredCount = arith::ConstantIntOp::create(b, loc, 0, 64);
      Value count = one;
      Value int64Max = arith::ConstantIntOp::create(b, loc, std::numeric_limits<int64_t>::max(), 64);
      SmallVector<Value> sizes;
      for (Value s : requested) {
        Value isInferred = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, s, minusOne);
        inferredCount = arith::AddIOp::create(b, loc, inferredCount,
                                              arith::ExtUIOp::create(b, loc, b.getI64Type(), isInferred));
        valid = arith::AndIOp::create(
            b, loc, valid, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, s, minusOne));
        Value dim = arith::SelectOp::create(b, loc, isInferred, inferred, s);
        Value fits = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::sle, dim,
            arith::DivSIOp::create(b, loc, int64Max, arith::MaxSIOp::create(b, loc, count, one)));
        valid = arith::AndIOp::create(b, loc, valid, fits);
        count = arith::MulIOp::create(b, loc, count, dim);
        sizes.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), dim));
      }
      valid = arith::AndIOp::create(
          b, loc, valid,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, inferredCount, one));
      valid = arith::AndIOp::create(
          b, loc, valid, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count, totalI64));
      return checkDataDependentSizes(b, loc, sizes, op,
                                     "the shape does not hold exactly the input's elements "
                                     "(entries >= -1, at most one -1, product equal to the "
                                     "input's element count)",
                                     valid, /*bounded=*/false);
    }
  }
};

// --- Transpose ---------------------------------------------------------------

struct TransposePattern : DynamicShapePattern<onnx::TransposeOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getTransposed());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = inputType.getRank();
    SmallVector<int64_t> perm;
    if (std::optional<ArrayRef<int64_t>> attr = op.getPerm())
      perm.assign(attr->begin(), attr->end());
    else
      for (int64_t i = rank - 1; i >= 0; --i)
        perm.push_back(i);
    if (static_cast<int64_t>(perm.size()) != rank || !isPermutationVector(perm))
      return op.emitError() << describeNode(op) << ": perm is not a permutation of rank " << rank;
    // linalg.transpose wants the input's and result's dims to agree exactly;
    // refinement may have made a dim static on one side only. Both sides
    // take the dims that are static on either.
    Location loc = op.getLoc();
    SmallVector<int64_t> inDims(inputType.getShape()), outDims(resultType.getShape());
    for (int64_t i = 0; i < rank; ++i) {
      int64_t &in = inDims[perm[i]], &out = outDims[i];
      if (ShapedType::isDynamic(in))
        in = out;
      else if (ShapedType::isDynamic(out))
        out = in;
      else if (in != out)
        return op.emitError() << describeNode(op) << ": result type " << resultType
                              << " is not input type " << inputType << " permuted";
    }
    Value input = adaptor.getData();
    auto joinedIn = inputType.clone(inDims);
    if (joinedIn != inputType)
      input = tensor::CastOp::create(rewriter, loc, joinedIn, input);
    SmallVector<Value> sizes;
    for (int64_t p : perm)
      sizes.push_back(dimSize(rewriter, loc, input, p));
    Value init = createEmpty(rewriter, loc, resultType.clone(outDims), sizes);
    Value result = linalg::TransposeOp::create(rewriter, loc, input, init, perm).getResult()[0];
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- Concat ------------------------------------------------------------------

struct ConcatPattern : DynamicShapePattern<onnx::ConcatOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getConcatResult());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not ranked");
    int64_t rank = resultType.getRank();
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    bool allStatic = resultType.hasStaticShape();
    for (Value input : adaptor.getInputs()) {
      auto type = dyn_cast<RankedTensorType>(input.getType());
      if (!type || type.getRank() != rank)
        return op.emitError() << describeNode(op) << ": inputs need the result's rank";
      allStatic &= type.hasStaticShape();
    }
    if (!allStatic)
      return rewriteDynamic(op, adaptor.getInputs(), resultType, axis, rewriter);
    Value result = createEmpty(rewriter, loc, resultType);
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      for (int64_t d : type.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      offsets[axis] = rewriter.getIndexAttr(offset);
      offset += type.getDimSize(axis);
      if (type.getNumElements() == 0)
        continue;
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result, offsets, sizes, strides);
    }
    if (offset != resultType.getDimSize(axis))
      return op.emitError() << describeNode(op) << ": inputs do not add up to the result type";
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Run-time sizes: the axis is the sum of the inputs' sizes along it, the
  /// other dims are the first input's; each input lands at a running offset.
  static LogicalResult rewriteDynamic(onnx::ConcatOp op, ValueRange inputs,
                                      RankedTensorType resultType, int64_t axis,
                                      ConversionPatternRewriter &rewriter) {
    Location loc = op.getLoc();
    int64_t rank = resultType.getRank();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis) {
        // Prefer an input whose dim is static.
        Value source = inputs.front();
        for (Value input : inputs)
          if (!cast<RankedTensorType>(input.getType()).isDynamicDim(d))
            source = input;
        sizes.push_back(dimSize(rewriter, loc, source, d));
        continue;
      }
      Value total = indexConstant(rewriter, loc, 0);
      for (Value input : inputs)
        total = arith::AddIOp::create(rewriter, loc, total, dimSize(rewriter, loc, input, axis));
      sizes.push_back(total);
    }
    // The inputs must agree on every dim but the axis (a run-time check);
    // when they do not, each input is cut to nothing before it is
    // inserted, so that a larger one never writes past the result.
    Value agree = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
    for (Value input : inputs)
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis)
          agree = arith::AndIOp::create(
              rewriter, loc, agree,
              arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                    dimSize(rewriter, loc, input, d), sizes[d]));
    cf::AssertOp::create(rewriter, loc, agree,
                         describeNode(op) + ": the inputs' dims differ outside the axis");
    Value zero = indexConstant(rewriter, loc, 0);
    Value result = createEmpty(rewriter, loc, resultType, sizes);
    Value offset = zero;
    for (Value input : inputs) {
      auto type = cast<RankedTensorType>(input.getType());
      if (type.hasStaticShape() && type.getNumElements() == 0)
        continue;
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      SmallVector<OpFoldResult> inputSizes;
      for (int64_t d = 0; d < rank; ++d)
        inputSizes.push_back(Value(arith::SelectOp::create(
            rewriter, loc, agree, dimSize(rewriter, loc, input, d), zero)));
      Value part = tensor::ExtractSliceOp::create(rewriter, loc, input, offsets, inputSizes, strides);
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(rewriter, loc, part, result, offsets, inputSizes,
                                             strides);
      offset = arith::AddIOp::create(rewriter, loc, offset, dimSize(rewriter, loc, input, axis));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- Slice -------------------------------------------------------------------

/// ONNX's clamping of a start index for a dim of size `dim`.
int64_t clampStart(int64_t start, int64_t step, int64_t dim) {
  if (start < 0)
    start += dim;
  int64_t upper = step > 0 ? dim : dim - 1;
  return std::min(std::max<int64_t>(start, 0), upper);
}

int64_t clampEnd(int64_t end, int64_t step, int64_t dim) {
  if (end < 0)
    end += dim;
  int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? dim : dim - 1;
  return std::min(std::max(end, lower), upper);
}

struct SlicePattern : DynamicShapePattern<onnx::SliceOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value data = adaptor.getData();
    auto dataType = dyn_cast<RankedTensorType>(data.getType());
    auto startsType = dyn_cast<RankedTensorType>(op.getStarts().getType());
    if (!resultType || !dataType || !startsType || startsType.getRank() != 1)
      return rewriter.notifyMatchFailure(op, "needs ranked types and 1-D starts");
    // A run-time count of starts is at most the rank (axes are distinct).
    int64_t rank = dataType.getRank();
    bool staticCount = !startsType.isDynamicDim(0);
    int64_t count = staticCount ? startsType.getDimSize(0) : rank;
    if (resultType.getRank() != rank)
      return op.emitError() << describeNode(op) << ": result rank differs from the data rank";
    bool hasAxes = !isa<NoneType>(op.getAxes().getType());
    bool hasSteps = !isa<NoneType>(op.getSteps().getType());

    SmallVector<int64_t> starts, ends, axes, steps;
    bool constStarts = succeeded(getConstantInts(op.getStarts(), starts));
    bool constEnds = succeeded(getConstantInts(op.getEnds(), ends));
    bool constAxes = !hasAxes || succeeded(getConstantInts(op.getAxes(), axes));
    bool constSteps = !hasSteps || succeeded(getConstantInts(op.getSteps(), steps));
    if (!hasAxes)
      for (int64_t k = 0; k < count; ++k)
        axes.push_back(k);
    if (!hasSteps)
      steps.assign(count, 1);
    if (!staticCount) {
      constStarts = constEnds = false;
      constAxes = !hasAxes;
      constSteps = !hasSteps;
    }
    if (constAxes) {
      SmallVector<bool> seen(rank, false);
      for (int64_t &axis : axes) {
        if (axis < -rank || axis >= rank)
          return op.emitError() << describeNode(op) << ": axis " << axis
                                << " is out of range for rank " << rank;
        axis = normalizeAxis(axis, rank);
        if (seen[axis])
          return op.emitError() << describeNode(op) << ": axis " << axis << " is repeated";
        seen[axis] = true;
      }
    }
    if (constSteps && llvm::is_contained(steps, 0))
      return op.emitError() << describeNode(op) << ": steps must not be 0";

    // Fully constant: compute the slice now and check it against the result.
    bool staticShapes = dataType.hasStaticShape() && resultType.hasStaticShape();
    if (staticShapes && constStarts && constEnds && constAxes && constSteps) {
      if (static_cast<int64_t>(ends.size()) != count || static_cast<int64_t>(axes.size()) != count ||
          static_cast<int64_t>(steps.size()) != count)
        return op.emitError() << describeNode(op) << ": starts, ends, axes and steps differ in length";
      SmallVector<int64_t> offset(rank, 0), stride(rank, 1), size(dataType.getShape());
      for (int64_t k = 0; k < count; ++k) {
        int64_t dim = dataType.getDimSize(axes[k]);
        int64_t start = clampStart(starts[k], steps[k], dim);
        int64_t end = clampEnd(ends[k], steps[k], dim);
        int64_t step = steps[k];
        int64_t length = step > 0 ? (end - start + step - 1) / step : (start - end - step - 1) / -step;
        offset[axes[k]] = start;
        stride[axes[k]] = step;
        size[axes[k]] = std::max<int64_t>(length, 0);
      }
      if (ArrayRef<int64_t>(size) != resultType.getShape())
        return op.emitError() << describeNode(op) << ": slice of shape [" << size
                              << "] does not match the result type " << resultType;
      if (llvm::all_of(stride, [](int64_t s) { return s > 0; })) {
        auto attrs = [&](ArrayRef<int64_t> v) {
          return llvm::map_to_vector(v, [&](int64_t x) -> OpFoldResult {
            return rewriter.getIndexAttr(x);
          });
        };
        rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, resultType, data, attrs(offset),
                                                            attrs(size), attrs(stride));
        return success();
      }
      SmallVector<Value> startValues, stepValues;
      for (int64_t d = 0; d < rank; ++d) {
        startValues.push_back(indexConstant(rewriter, loc, offset[d]));
        stepValues.push_back(indexConstant(rewriter, loc, stride[d]));
      }
      rewriter.replaceOp(op, buildStrided(rewriter, loc, data, resultType, startValues, stepValues));
      return success();
    }

    // Run-time parameters or dims: each dim's clamped start, step and length
    // are computed as i64 scalars with ONNX's rules. With a run-time count,
    // entry k takes part only when k < count.
    Value startsT = adaptor.getStarts(), endsT = adaptor.getEnds();
    Value axesT = hasAxes ? adaptor.getAxes() : Value();
    Value stepsT = hasSteps ? adaptor.getSteps() : Value();
    auto c64 = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(v));
    };
    auto select = [&](Value c, Value t, Value f) -> Value {
      return arith::SelectOp::create(rewriter, loc, c, t, f);
    };
    auto icmp = [&](arith::CmpIPredicate p, Value l, Value r) -> Value {
      return arith::CmpIOp::create(rewriter, loc, p, l, r);
    };
    using P = arith::CmpIPredicate;
    SmallVector<Value> dims, startValues, stepValues, sizeValues;
    for (int64_t d = 0; d < rank; ++d) {
      dims.push_back(toI64(rewriter, loc, dimSize(rewriter, loc, data, d)));
      startValues.push_back(c64(0));
      stepValues.push_back(c64(1));
      sizeValues.push_back(dims.back());
    }
    Value zero = c64(0), one = c64(1);
    Value countValue;
    if (!staticCount)
      countValue = toI64(rewriter, loc, dimSize(rewriter, loc, startsT, 0));
    for (int64_t k = 0; k < count; ++k) {
      Value valid, position = indexConstant(rewriter, loc, k);
      if (!staticCount) {
        valid = icmp(P::slt, c64(k), countValue);
        // Stay in bounds for entries past the count.
        Value last = arith::MaxSIOp::create(rewriter, loc, arith::SubIOp::create(rewriter, loc, countValue, one), zero);
        position = toIndexValue(rewriter, loc, arith::MinSIOp::create(rewriter, loc, c64(k), last));
      }
      Value start = constStarts ? c64(starts[k]) : extractI64(rewriter, loc, startsT, position);
      Value end = constEnds ? c64(ends[k]) : extractI64(rewriter, loc, endsT, position);
      Value step = constSteps ? c64(steps[k]) : extractI64(rewriter, loc, stepsT, position);
      Value axis;
      if (!constAxes) {
        if (hasAxes) {
          axis = extractI64(rewriter, loc, axesT, position);
          axis = select(icmp(P::slt, axis, zero), arith::AddIOp::create(rewriter, loc, axis, c64(rank)), axis);
        } else {
          axis = c64(k);
        }
      }
      if (!constSteps) {
        // ONNX rejects a zero step: the run fails, and the step taken is 1
        // so that nothing below divides by zero.
        Value nonZero = icmp(P::ne, step, zero);
        if (valid)
          nonZero = arith::OrIOp::create(
              rewriter, loc, nonZero,
              arith::XOrIOp::create(rewriter, loc, valid,
                                    arith::ConstantIntOp::create(rewriter, loc, 1, 1)));
        cf::AssertOp::create(rewriter, loc, nonZero, describeNode(op) + ": a step is 0");
        step = select(icmp(P::eq, step, zero), one, step);
      }
      Value forward = icmp(P::sgt, step, zero);
      for (int64_t d = 0; d < rank; ++d) {
        if (constAxes && axes[k] != d)
          continue;
        Value dim = dims[d];
        Value upper = select(forward, dim, arith::SubIOp::create(rewriter, loc, dim, one));
        Value lower = select(forward, zero, c64(-1));
        auto clamp = [&](Value v, Value low) -> Value {
          Value shifted = select(icmp(P::slt, v, zero), arith::AddIOp::create(rewriter, loc, v, dim), v);
          return arith::MinSIOp::create(rewriter, loc,
                                        arith::MaxSIOp::create(rewriter, loc, shifted, low), upper);
        };
        Value s = clamp(start, zero), e = clamp(end, lower);
        // length = max(ceil((e - s) / step), 0) for either sign of step.
        Value distance = arith::SubIOp::create(rewriter, loc, e, s);
        Value length = arith::CeilDivSIOp::create(rewriter, loc, distance, step);
        length = arith::MaxSIOp::create(rewriter, loc, length, zero);
        Value selected;
        if (!constAxes)
          selected = icmp(P::eq, axis, c64(d));
        if (valid)
          selected = selected ? Value(arith::AndIOp::create(rewriter, loc, selected, valid)) : valid;
        if (!selected) {
          startValues[d] = s;
          stepValues[d] = step;
          sizeValues[d] = length;
          continue;
        }
        startValues[d] = select(selected, s, startValues[d]);
        stepValues[d] = select(selected, step, stepValues[d]);
        sizeValues[d] = select(selected, length, sizeValues[d]);
      }
    }
    for (int64_t d = 0; d < rank; ++d) {
      startValues[d] = toIndexValue(rewriter, loc, startValues[d]);
      stepValues[d] = toIndexValue(rewriter, loc, stepValues[d]);
      sizeValues[d] = toIndexValue(rewriter, loc, sizeValues[d]);
    }
    bool positiveSteps = !hasSteps || (constSteps && llvm::all_of(steps, [](int64_t s) { return s > 0; }));
    if (positiveSteps) {
      SmallVector<OpFoldResult> offsets(startValues.begin(), startValues.end());
      SmallVector<OpFoldResult> strides(stepValues.begin(), stepValues.end());
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, resultType, data, offsets, mixedSizes(rewriter, resultType, sizeValues), strides);
      return success();
    }
    rewriter.replaceOp(op, buildStrided(rewriter, loc, data, resultType, startValues, stepValues,
                                        sizeValues));
    return success();
  }

  /// result[i...] = data[start + i * step ...], any step sign.
  static Value buildStrided(OpBuilder &b, Location loc, Value data, RankedTensorType resultType,
                            ArrayRef<Value> starts, ArrayRef<Value> steps,
                            ValueRange sizes = {}) {
    return buildIndexedGeneric(b, loc, resultType, sizes, [&](OpBuilder &nb, Location nloc, ValueRange ivs) {
      SmallVector<Value> indices;
      for (auto [iv, start, step] : llvm::zip(ivs, starts, steps))
        indices.push_back(arith::AddIOp::create(nb, nloc, start,
                                                arith::MulIOp::create(nb, nloc, iv, step)));
      return Value(tensor::ExtractOp::create(nb, nloc, data, indices));
    });
  }
};

// --- Gather ------------------------------------------------------------------

struct GatherPattern : DynamicShapePattern<onnx::GatherOp> {
  using DynamicShapePattern::DynamicShapePattern;

  LogicalResult matchAndRewrite(onnx::GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = dyn_cast<RankedTensorType>(data.getType());
    auto indicesType = dyn_cast<RankedTensorType>(indices.getType());
    if (!resultType || !dataType || !indicesType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = dataType.getRank(), q = indicesType.getRank();
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    int64_t outRank = resultType.getRank();
    if (outRank != rank + q - 1)
      return op.emitError() << describeNode(op) << ": result rank does not match rank(data) + "
                                                   "rank(indices) - 1";
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t j = 0; j < q; ++j)
      indexExprs.push_back(getAffineDimExpr(axis + j, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(outRank, 0, indexExprs, ctx),
                                rewriter.getMultiDimIdentityMap(outRank)};
    SmallVector<utils::IteratorType> iterators(outRank, utils::IteratorType::parallel);
    Value dim = dimSize(rewriter, loc, data, axis);
    // Result: data.shape[:axis] ++ indices.shape ++ data.shape[axis + 1:].
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < axis; ++i)
      sizes.push_back(dimSize(rewriter, loc, data, i));
    for (int64_t j = 0; j < q; ++j)
      sizes.push_back(dimSize(rewriter, loc, indices, j));
    for (int64_t i = axis + 1; i < rank; ++i)
      sizes.push_back(dimSize(rewriter, loc, data, i));
    assertIndicesInRange(rewriter, loc, indices, {dim}, op);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{indices},
        ValueRange{createEmpty(rewriter, loc, resultType, sizes)}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value index = gatherIndex(
              b, l, arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]), dim);
          SmallVector<Value> position;
          for (int64_t i = 0; i < axis; ++i)
            position.push_back(linalg::IndexOp::create(b, l, i));
          position.push_back(index);
          for (int64_t i = axis + 1; i < rank; ++i)
            position.push_back(linalg::IndexOp::create(b, l, i + q - 1));
          linalg::YieldOp::create(b, l, tensor::ExtractOp::create(b, l, data, position).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

// --- Shape, ConstantOfShape ----------------------------------------------------

/// Shape and Size: constants for static inputs, tensor.dim at run time otherwise.
struct ShapePattern : DynamicShapePattern<onnx::ShapeOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ShapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getStaticType(*getTypeConverter(), op.getShape());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs a ranked input");
    int64_t rank = inputType.getRank();
    auto clampBound = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
    int64_t start = clampBound(op.getStart());
    int64_t end = clampBound(op.getEnd().value_or(rank));
    if (resultType.getRank() != 1 || resultType.getDimSize(0) != std::max<int64_t>(end - start, 0))
      return op.emitError() << describeNode(op) << ": result type " << resultType
                            << " does not match " << end - start << " dims";
    Location loc = op.getLoc();
    if (inputType.hasStaticShape()) {
      SmallVector<int64_t> dims(inputType.getShape().begin() + start,
                                inputType.getShape().begin() + std::max(start, end));
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          op, resultType, DenseIntElementsAttr::get(resultType, ArrayRef<int64_t>(dims)));
      return success();
    }
    SmallVector<Value> dims;
    for (int64_t i = start; i < end; ++i)
      dims.push_back(arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                                dimSize(rewriter, loc, adaptor.getData(), i)));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, resultType, dims);
    return success();
  }
};

struct SizePattern : DynamicShapePattern<onnx::SizeOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::SizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getStaticType(*getTypeConverter(), op.getSize());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs a ranked input");
    Location loc = op.getLoc();
    Value count = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      count = arith::MulIOp::create(rewriter, loc, count, dimSize(rewriter, loc, adaptor.getData(), d));
    Value size = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), count);
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, resultType, ValueRange{size});
    return success();
  }
};

struct ConstantOfShapePattern : DynamicShapePattern<onnx::ConstantOfShapeOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ConstantOfShapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not ranked");
    Type elementType = resultType.getElementType();
    Value scalar;
    if (ElementsAttr attr = op.getValueAttr()) {
      auto dense = dyn_cast<DenseElementsAttr>(attr);
      if (!dense || dense.getNumElements() != 1 || isa<DenseStringElementsAttr>(dense))
        return op.emitError() << describeNode(op) << ": value must be a one-element numeric tensor";
      Attribute element = *dense.getValues<Attribute>().begin();
      if (auto f = dyn_cast<FloatAttr>(element))
        scalar = arith::ConstantOp::create(rewriter, loc, FloatAttr::get(elementType, f.getValue()));
      else if (auto i = dyn_cast<IntegerAttr>(element))
        scalar = arith::ConstantOp::create(rewriter, loc, IntegerAttr::get(elementType, i.getValue()));
      else
        return op.emitError() << describeNode(op) << ": value " << element << " is not supported";
    } else {
      scalar = scalarConstant(rewriter, loc, elementType, 0.0);
    }
    if (resultType.hasStaticShape()) {
      rewriter.replaceOp(op, createFilled(rewriter, loc, resultType, scalar));
      return success();
    }
    // The shape operand has one entry per result dim.
    Value shape = withLength(rewriter, loc, adaptor.getInput(), resultType.getRank());
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      sizes.push_back(toIndexValue(rewriter, loc, extractI64(rewriter, loc, shape, d)));
    sizes = checkDataDependentSizes(rewriter, loc, sizes, op,
                                    "the shape's entries must be >= 0 and their product at most "
                                    "2^31");
    Value init = createEmpty(rewriter, loc, resultType, sizes);
    rewriter.replaceOp(op, linalg::FillOp::create(rewriter, loc, scalar, init).getResult(0));
    return success();
  }
};

// --- Expand, Tile --------------------------------------------------------------

struct ExpandPattern : DynamicShapePattern<onnx::ExpandOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ExpandOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value input = adaptor.getInput();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    auto shapeType = dyn_cast<RankedTensorType>(adaptor.getShape().getType());
    if (!resultType || !inputType || !shapeType || shapeType.getRank() != 1)
      return rewriter.notifyMatchFailure(op, "needs ranked types and a 1-D shape");
    if (inputType.getRank() > resultType.getRank())
      return op.emitError() << describeNode(op) << ": input rank exceeds the result rank";
    int64_t rank = resultType.getRank(), offset = rank - inputType.getRank();
    if (inputType.hasStaticShape() && resultType.hasStaticShape()) {
      for (int64_t i = 0; i < inputType.getRank(); ++i) {
        int64_t from = inputType.getDimSize(i), to = resultType.getDimSize(offset + i);
        if (from != to && from != 1)
          return op.emitError() << describeNode(op) << ": cannot broadcast " << inputType
                                << " to " << resultType;
      }
      Value result = buildElementwise(rewriter, op.getLoc(), resultType, input,
                                      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
      rewriter.replaceOp(op, result);
      return success();
    }
    // Result dim i (aligned to the right with both the shape and the input)
    // is the shape's entry, or the input's dim where that entry is 1 or absent.
    Location loc = op.getLoc();
    Value shape = adaptor.getShape();
    Value length = toI64(rewriter, loc, dimSize(rewriter, loc, shape, 0));
    Value zero = arith::ConstantIntOp::create(rewriter, loc, 0, 64);
    Value one = arith::ConstantIntOp::create(rewriter, loc, 1, 64);
    SmallVector<Value> sizes;
    Value broadcasts = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
    for (int64_t i = 0; i < rank; ++i) {
      // Entry j = i - (rank - length) of the shape, if j >= 0.
      Value j = arith::AddIOp::create(
          rewriter, loc, arith::ConstantIntOp::create(rewriter, loc, i - rank, 64), length);
      Value present = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge, j, zero);
      Value last = arith::MaxSIOp::create(rewriter, loc, arith::SubIOp::create(rewriter, loc, length, one), zero);
      Value position = arith::MinSIOp::create(rewriter, loc, arith::MaxSIOp::create(rewriter, loc, j, zero), last);
      Value entry = extractI64(rewriter, loc, shape, toIndexValue(rewriter, loc, position));
      entry = arith::SelectOp::create(rewriter, loc, present, entry, one);
      Value inDim = i >= offset ? toI64(rewriter, loc, dimSize(rewriter, loc, input, i - offset)) : one;
      Value isOne = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, entry, one);
      // The input dim must be the entry, or 1 (it stretches), unless the entry is 1.
      Value fits = arith::OrIOp::create(
          rewriter, loc, isOne,
          arith::OrIOp::create(
              rewriter, loc, arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, inDim, entry),
              arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, inDim, one)));
      broadcasts = arith::AndIOp::create(rewriter, loc, broadcasts, fits);
      sizes.push_back(toIndexValue(rewriter, loc, arith::SelectOp::create(rewriter, loc, isOne, inDim, entry)));
    }
    sizes = checkDataDependentSizes(rewriter, loc, sizes, op,
                                    "the shape does not broadcast with the input (each entry "
                                    "must equal the input's dim, or one of them be 1), is "
                                    "negative, or asks for more than 2^31 elements",
                                    broadcasts);
    SmallVector<Value> inputDims;
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      inputDims.push_back(dimSize(rewriter, loc, input, d));
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, sizes, [&](OpBuilder &b, Location l, ValueRange ivs) {
          // Dims of size 1 stretch: read them at 0.
          Value zeroIndex = indexConstant(b, l, 0), oneIndex = indexConstant(b, l, 1);
          SmallVector<Value> position;
          for (int64_t d = 0; d < inputType.getRank(); ++d) {
            Value iv = ivs[offset + d];
            if (!inputType.isDynamicDim(d)) {
              position.push_back(inputType.getDimSize(d) == 1 ? zeroIndex : iv);
              continue;
            }
            Value isOne = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, inputDims[d], oneIndex);
            position.push_back(arith::SelectOp::create(b, l, isOne, zeroIndex, iv));
          }
          return Value(tensor::ExtractOp::create(b, l, input, position));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TilePattern : DynamicShapePattern<onnx::TileOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::TileOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value input = adaptor.getInput();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    if (inputType.getRank() != resultType.getRank())
      return op.emitError() << describeNode(op) << ": result rank differs from the input rank";
    Location loc = op.getLoc();
    int64_t rank = inputType.getRank();
    bool isStatic = inputType.hasStaticShape() && resultType.hasStaticShape();
    if (isStatic) {
      for (int64_t i = 0; i < rank; ++i) {
        int64_t from = inputType.getDimSize(i), to = resultType.getDimSize(i);
        if ((from == 0 && to != 0) || (from != 0 && to % from != 0))
          return op.emitError() << describeNode(op) << ": " << resultType
                                << " is not a tiling of " << inputType;
      }
    }
    // Result dim i is input dim i times repeats[i], read at run time.
    SmallVector<Value> dims, repeatCounts, sizes;
    Value repeats = isStatic ? Value() : withLength(rewriter, loc, adaptor.getRepeats(), rank);
    for (int64_t i = 0; i < rank; ++i) {
      dims.push_back(dimSize(rewriter, loc, input, i));
      if (isStatic)
        continue;
      repeatCounts.push_back(toIndexValue(rewriter, loc, extractI64(rewriter, loc, repeats, i)));
      sizes.push_back(arith::MulIOp::create(rewriter, loc, dims.back(), repeatCounts.back()));
    }
    if (!isStatic) {
      // Bounding the dims and repeats together bounds every dim * repeat, so
      // the products above cannot have wrapped when the check passes.
      Value fits = withinDataDependentLimit(rewriter, loc, llvm::to_vector(llvm::concat<Value>(
                                                               dims, repeatCounts)));
      sizes = checkDataDependentSizes(rewriter, loc, sizes, op,
                                      "repeats must be >= 0 and the result at most 2^31 elements",
                                      fits);
    }
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, sizes, [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> position;
          for (auto [i, iv] : llvm::enumerate(ivs)) {
            if (isStatic && inputType.getDimSize(i) == resultType.getDimSize(i)) {
              position.push_back(iv);
              continue;
            }
            position.push_back(arith::RemUIOp::create(b, l, iv, dims[i]));
          }
          return Value(tensor::ExtractOp::create(b, l, input, position));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConstantPattern, ReshapeLikePattern<onnx::ReshapeOp>,
               ReshapeLikePattern<onnx::FlattenOp>, ReshapeLikePattern<onnx::SqueezeOp>,
               ReshapeLikePattern<onnx::UnsqueezeOp>, TransposePattern, ConcatPattern,
               SlicePattern, GatherPattern, ShapePattern, SizePattern, ConstantOfShapePattern, ExpandPattern,
               TilePattern>(converter, patterns.getContext());
}

} // namespace smelt
