//===- Layout.cpp - onnx Pad, Split, DepthToSpace and friends to linalg ---===//
//
// Ops that rearrange or synthesise tensors from positions: Pad, Split,
// DepthToSpace, SpaceToDepth, Trilu, Range, EyeLike and CumSum. With static
// result types shape-like operands are only read where the result type does
// not already say what they mean:
//  - Pad reads only the begin pads (the result type fixes begin + end); they
//    and constant_value may be run-time values. Negative pads crop. Reflect
//    mirrors periodically, so pads wider than the dim behave like numpy.
//  - Split reads nothing: each result's type gives its slice.
//  - Trilu's k, Range's start/delta and CumSum's axis may be run-time values.
// DepthToSpace/SpaceToDepth are expand_shape + linalg.transpose +
// collapse_shape. CumSum is one linalg.generic with a reduction dim running
// along the axis (quadratic in the axis length, no loops outside linalg).
// Every pattern also lowers dynamic dims: sizes then come from the operands'
// dims and values at run time (Pad's end pads, Split's split or equal parts,
// Range's ceil((limit - start) / delta)); DepthToSpace/SpaceToDepth become
// one generic that reads each element from its source position.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;

namespace smelt {
namespace {

/// Element `flat` (row-major) of a statically shaped tensor, read at run time.
Value extractAt(OpBuilder &b, Location loc, Value tensor, int64_t flat) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> position;
  if (type.getRank() > 0) {
    SmallVector<int64_t> strides = computeStrides(type.getShape());
    for (int64_t i : delinearize(flat, strides))
      position.push_back(indexConstant(b, loc, i));
  }
  return tensor::ExtractOp::create(b, loc, tensor, position);
}

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate predicate, Value lhs, Value rhs) {
  return arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
}

/// A 1-D tensor of run-time length cast to the `length` its op implies.
Value withLength(OpBuilder &b, Location loc, Value tensor, int64_t length) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getRank() != 1 || !type.isDynamicDim(0))
    return tensor;
  return tensor::CastOp::create(b, loc, RankedTensorType::get({length}, type.getElementType()),
                                tensor);
}

bool isNumeric(Type type) { return isa<FloatType>(type) || isa<IntegerType>(type); }

// --- Pad ---------------------------------------------------------------------

struct PadPattern : DynamicShapePattern<onnx::PadOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value data = adaptor.getData();
    auto dataType = dyn_cast<RankedTensorType>(data.getType());
    if (!resultType || !dataType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    Value padsValue = withLength(rewriter, loc, adaptor.getPads(), 2 * dataType.getRank());
    auto padsType = dyn_cast<RankedTensorType>(padsValue.getType());
    if (!padsType || !padsType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs 1-D pads");
    bool isStatic = dataType.hasStaticShape() && resultType.hasStaticShape();
    Type elementType = resultType.getElementType();
    if (!isNumeric(elementType))
      return op.emitError() << describeNode(op) << ": element type " << elementType
                            << " is not supported";
    StringRef mode = op.getMode();
    if (mode != "constant" && mode != "reflect" && mode != "edge")
      return op.emitError() << describeNode(op) << ": mode '" << mode << "' is not supported";
    int64_t rank = dataType.getRank();
    if (resultType.getRank() != rank || padsType.getRank() != 1 ||
        padsType.getDimSize(0) != 2 * rank)
      return op.emitError() << describeNode(op) << ": pads must hold 2 * rank(data) = "
                            << 2 * rank << " values";

    // The result type fixes begin + end of every dim; only begins are needed.
    SmallVector<int64_t> pads;
    bool constPads = succeeded(getConstantInts(op.getPads(), pads));
    SmallVector<Value> begins, dims, sizes;
    for (int64_t d = 0; d < rank; ++d) {
      dims.push_back(dimSize(rewriter, loc, data, d));
      if (constPads) {
        if (isStatic &&
            dataType.getDimSize(d) + pads[d] + pads[d + rank] != resultType.getDimSize(d))
          return op.emitError() << describeNode(op) << ": pads [" << pads
                                << "] do not turn " << dataType << " into " << resultType;
        begins.push_back(indexConstant(rewriter, loc, pads[d]));
        sizes.push_back(arith::AddIOp::create(rewriter, loc, dims[d],
                                              indexConstant(rewriter, loc, pads[d] + pads[d + rank])));
      } else {
        begins.push_back(toIndex(rewriter, loc, extractAt(rewriter, loc, padsValue, d),
                                 /*isUnsigned=*/false));
        if (isStatic)
          continue;
        Value end = toIndex(rewriter, loc, extractAt(rewriter, loc, padsValue, d + rank),
                            /*isUnsigned=*/false);
        sizes.push_back(arith::AddIOp::create(
            rewriter, loc, arith::AddIOp::create(rewriter, loc, dims[d], begins[d]), end));
      }
    }
    if (!resultType.hasStaticShape())
      sizes = checkDataDependentSizes(rewriter, loc, sizes, op,
                                      "the padded dims must be >= 0 and at most 2^31 elements "
                                      "in all");
    bool emptyData = dataType.hasStaticShape() && dataType.getNumElements() == 0;
    if (mode != "constant" && emptyData && resultType.getNumElements() != 0)
      return op.emitError() << describeNode(op) << ": " << mode
                            << " padding of an empty tensor is undefined";

    Value fill;
    if (mode == "constant") {
      Value cv = adaptor.getConstantValue();
      auto cvType = dyn_cast<RankedTensorType>(cv.getType());
      if (cvType && cvType.hasStaticShape() && cvType.getNumElements() > 0)
        fill = extractAt(rewriter, loc, cv, 0);
      else if (cvType && !cvType.hasStaticShape())
        fill = tensor::ExtractOp::create(
            rewriter, loc, cv,
            SmallVector<Value>(cvType.getRank(), indexConstant(rewriter, loc, 0)));
      else
        fill = scalarConstant(rewriter, loc, elementType, 0.0);
      if (emptyData) {
        rewriter.replaceOp(op, createFilled(rewriter, loc, resultType, sizes, fill));
        return success();
      }
    }

    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, sizes, [&](OpBuilder &b, Location l, ValueRange ivs) {
          Value zero = indexConstant(b, l, 0);
          Value inBounds;
          SmallVector<Value> position;
          for (int64_t d = 0; d < rank; ++d) {
            int64_t dim = dataType.getDimSize(d);
            // Unpadded dims read straight through.
            if (constPads && pads[d] == 0 && pads[d + rank] == 0) {
              position.push_back(ivs[d]);
              continue;
            }
            Value src = arith::SubIOp::create(b, l, ivs[d], begins[d]);
            Value dimValue = dims[d];
            Value one = indexConstant(b, l, 1);
            if (mode == "constant") {
              Value inside = arith::AndIOp::create(
                  b, l, cmp(b, l, arith::CmpIPredicate::sge, src, zero),
                  cmp(b, l, arith::CmpIPredicate::slt, src, dimValue));
              inBounds = inBounds ? Value(arith::AndIOp::create(b, l, inBounds, inside)) : inside;
              position.push_back(arith::SelectOp::create(b, l, inside, src, zero));
            } else if (mode == "edge") {
              Value low = arith::MaxSIOp::create(b, l, src, zero);
              position.push_back(
                  arith::MinSIOp::create(b, l, low, arith::SubIOp::create(b, l, dimValue, one)));
            } else if (dim == 1) {
              position.push_back(zero);
            } else {
              // Reflect without repeating the edge, periodic beyond one mirror.
              // A run-time dim of 1 gets period 1, which reads index 0.
              Value period;
              if (!ShapedType::isDynamic(dim)) {
                period = indexConstant(b, l, 2 * (dim - 1));
              } else {
                Value twice =
                    arith::ShLIOp::create(b, l, arith::SubIOp::create(b, l, dimValue, one), one);
                period = arith::MaxSIOp::create(b, l, twice, one);
              }
              Value m = arith::RemSIOp::create(b, l, src, period);
              Value negative = cmp(b, l, arith::CmpIPredicate::slt, m, zero);
              m = arith::SelectOp::create(b, l, negative, arith::AddIOp::create(b, l, m, period), m);
              Value mirrored = cmp(b, l, arith::CmpIPredicate::sge, m, dimValue);
              position.push_back(arith::SelectOp::create(
                  b, l, mirrored, arith::SubIOp::create(b, l, period, m), m));
            }
          }
          Value value = tensor::ExtractOp::create(b, l, data, position);
          if (inBounds)
            value = arith::SelectOp::create(b, l, inBounds, value, fill);
          return value;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- Split -------------------------------------------------------------------

struct SplitPattern : DynamicShapePattern<onnx::SplitOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::SplitOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    if (!inputType)
      return rewriter.notifyMatchFailure(op, "needs a ranked input");
    int64_t rank = inputType.getRank();
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    SmallVector<int64_t> split;
    bool constSplit = succeeded(getConstantInts(op.getSplit(), split));
    if (constSplit && split.size() != op->getNumResults())
      return op.emitError() << describeNode(op) << ": split has " << split.size()
                            << " entries for " << op->getNumResults() << " outputs";
    SmallVector<RankedTensorType> types;
    bool isStatic = inputType.hasStaticShape();
    for (Value result : op->getResults()) {
      auto type = getRankedType(*getTypeConverter(), result);
      if (!type || type.getRank() != rank)
        return rewriter.notifyMatchFailure(op, "outputs need ranked types of the input's rank");
      types.push_back(type);
      isStatic &= type.hasStaticShape();
    }
    if (!isStatic)
      return rewriteDynamic(op, adaptor, types, axis, rewriter);

    SmallVector<Value> results;
    int64_t offset = 0;
    for (auto [i, type] : llvm::enumerate(types)) {
      if (constSplit && split[i] != type.getDimSize(axis))
        return op.emitError() << describeNode(op) << ": output " << i << " of type " << type
                              << " does not match split " << split[i];
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
      for (int64_t d : type.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      offsets[axis] = rewriter.getIndexAttr(offset);
      offset += type.getDimSize(axis);
      // An empty slice at the end of a dim has an out-of-bounds offset.
      if (type.getNumElements() == 0) {
        results.push_back(createEmpty(rewriter, loc, type));
        continue;
      }
      results.push_back(
          tensor::ExtractSliceOp::create(rewriter, loc, type, input, offsets, sizes, strides));
    }
    if (offset != inputType.getDimSize(axis))
      return op.emitError() << describeNode(op) << ": outputs do not add up to the input "
                            << inputType << " along axis " << axis;
    rewriter.replaceOp(op, results);
    return success();
  }

  /// Run-time sizes along the axis: the split operand's entries, or equal
  /// parts of ceil(dim / outputs) with a shorter last part.
  static LogicalResult rewriteDynamic(onnx::SplitOp op, OpAdaptor adaptor,
                                      ArrayRef<RankedTensorType> types, int64_t axis,
                                      ConversionPatternRewriter &rewriter) {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    int64_t rank = types.front().getRank(), outputs = types.size();
    Value dim = dimSize(rewriter, loc, input, axis);
    bool hasSplit = !isa<NoneType>(adaptor.getSplit().getType());
    Value split = hasSplit ? withLength(rewriter, loc, adaptor.getSplit(), outputs) : Value();
    Value part;
    if (!hasSplit)
      part = arith::CeilDivUIOp::create(rewriter, loc, dim, indexConstant(rewriter, loc, outputs));
    SmallVector<Value> results;
    Value offset = indexConstant(rewriter, loc, 0);
    for (auto [i, type] : llvm::enumerate(types)) {
      Value size;
      if (hasSplit) {
        size = toIndex(rewriter, loc, extractAt(rewriter, loc, split, i), /*isUnsigned=*/false);
      } else {
        // min(part, dim - offset), never negative.
        Value rest = arith::SubIOp::create(rewriter, loc, dim,
                                           arith::MinUIOp::create(rewriter, loc, offset, dim));
        size = arith::MinUIOp::create(rewriter, loc, part, rest);
      }
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < rank; ++d)
        sizes.push_back(d == axis ? size : dimSize(rewriter, loc, input, d));
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      SmallVector<OpFoldResult> mixed;
      for (int64_t d = 0; d < rank; ++d)
        mixed.push_back(type.isDynamicDim(d) ? OpFoldResult(sizes[d])
                                             : OpFoldResult(rewriter.getIndexAttr(type.getDimSize(d))));
      offsets[axis] = offset;
      results.push_back(
          tensor::ExtractSliceOp::create(rewriter, loc, type, input, offsets, mixed, strides));
      offset = arith::AddIOp::create(rewriter, loc, offset, size);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

// --- DepthToSpace, SpaceToDepth ------------------------------------------------

/// expand_shape to `expanded`, transpose by `perm`, collapse_shape to `resultType`.
Value expandTransposeCollapse(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> expanded,
                              ArrayRef<ReassociationIndices> expandMap, ArrayRef<int64_t> perm,
                              RankedTensorType resultType,
                              ArrayRef<ReassociationIndices> collapseMap) {
  Type elementType = resultType.getElementType();
  auto expandedType = RankedTensorType::get(expanded, elementType);
  Value value = tensor::ExpandShapeOp::create(b, loc, expandedType, input, expandMap);
  SmallVector<int64_t> transposed;
  for (int64_t p : perm)
    transposed.push_back(expanded[p]);
  Value init = createEmpty(b, loc, RankedTensorType::get(transposed, elementType));
  value = linalg::TransposeOp::create(b, loc, value, init, perm).getResult()[0];
  return tensor::CollapseShapeOp::create(b, loc, resultType, value, collapseMap);
}

/// DepthToSpace (`toSpace`) or SpaceToDepth with run-time dims, as one
/// generic that reads each result element from its source position. The
/// channel index is (block, c) for DCR and (c, block) for CRD, where block
/// = by * bs + bx.
Value blockGather(OpBuilder &b, Location loc, Value input, RankedTensorType resultType, int64_t bs,
                  bool toSpace, bool dcr) {
  Value bsValue = indexConstant(b, loc, bs), blocks = indexConstant(b, loc, bs * bs);
  SmallVector<Value> in;
  for (int64_t d = 0; d < 4; ++d)
    in.push_back(dimSize(b, loc, input, d));
  // Channels of the depth side, without the block.
  Value channels = toSpace ? Value(arith::DivUIOp::create(b, loc, in[1], blocks)) : in[1];
  SmallVector<Value> sizes;
  if (toSpace)
    sizes = {in[0], channels, arith::MulIOp::create(b, loc, in[2], bsValue),
             arith::MulIOp::create(b, loc, in[3], bsValue)};
  else
    sizes = {in[0], arith::MulIOp::create(b, loc, in[1], blocks),
             arith::DivUIOp::create(b, loc, in[2], bsValue),
             arith::DivUIOp::create(b, loc, in[3], bsValue)};
  return buildIndexedGeneric(b, loc, resultType, sizes, [&](OpBuilder &nb, Location l, ValueRange ivs) {
    auto mul = [&](Value x, Value y) { return Value(arith::MulIOp::create(nb, l, x, y)); };
    auto add = [&](Value x, Value y) { return Value(arith::AddIOp::create(nb, l, x, y)); };
    auto div = [&](Value x, Value y) { return Value(arith::DivUIOp::create(nb, l, x, y)); };
    auto rem = [&](Value x, Value y) { return Value(arith::RemUIOp::create(nb, l, x, y)); };
    if (toSpace) {
      Value by = rem(ivs[2], bsValue), bx = rem(ivs[3], bsValue);
      Value block = add(mul(by, bsValue), bx);
      Value channel = dcr ? add(mul(block, channels), ivs[1]) : add(mul(ivs[1], blocks), block);
      return Value(tensor::ExtractOp::create(
          nb, l, input, ValueRange{ivs[0], channel, div(ivs[2], bsValue), div(ivs[3], bsValue)}));
    }
    // SpaceToDepth: result channel = block * channels + c.
    Value c = rem(ivs[1], channels), block = div(ivs[1], channels);
    Value by = div(block, bsValue), bx = rem(block, bsValue);
    return Value(tensor::ExtractOp::create(
        nb, l, input,
        ValueRange{ivs[0], c, add(mul(ivs[2], bsValue), by), add(mul(ivs[3], bsValue), bx)}));
  });
}

struct DepthToSpacePattern : DynamicShapePattern<onnx::DepthToSpaceOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::DepthToSpaceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t bs = op.getBlocksize();
    StringRef mode = op.getMode();
    if (mode != "DCR" && mode != "CRD")
      return op.emitError() << describeNode(op) << ": mode '" << mode << "' is not supported";
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape()) {
      if (inputType.getRank() != 4 || resultType.getRank() != 4 || bs <= 0)
        return op.emitError() << describeNode(op) << ": needs a 4-D input and blocksize > 0";
      // out[n, c, y, x] = in[n, channel, y / bs, x / bs] with the block
      // (y % bs, x % bs) placed before (DCR) or after (CRD) the channel c.
      rewriter.replaceOp(op, blockGather(rewriter, op.getLoc(), adaptor.getInput(), resultType,
                                         bs, /*toSpace=*/true, mode == "DCR"));
      return success();
    }
    if (inputType.getRank() != 4 || bs <= 0 || inputType.getDimSize(1) % (bs * bs) != 0)
      return op.emitError() << describeNode(op) << ": needs a 4-D input whose channels divide by "
                            << "blocksize^2";
    int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1) / (bs * bs);
    int64_t h = inputType.getDimSize(2), w = inputType.getDimSize(3);
    if (resultType.getShape() != ArrayRef<int64_t>{n, c, h * bs, w * bs})
      return op.emitError() << describeNode(op) << ": result type " << resultType
                            << " does not match the input";
    // DCR: channels are (bh, bw, c); CRD: (c, bh, bw). Both end as (n, c, h, bh, w, bw).
    bool dcr = mode == "DCR";
    SmallVector<int64_t> expanded =
        dcr ? SmallVector<int64_t>{n, bs, bs, c, h, w} : SmallVector<int64_t>{n, c, bs, bs, h, w};
    SmallVector<int64_t> perm =
        dcr ? SmallVector<int64_t>{0, 3, 4, 1, 5, 2} : SmallVector<int64_t>{0, 1, 4, 2, 5, 3};
    Value result = expandTransposeCollapse(rewriter, op.getLoc(), adaptor.getInput(), expanded,
                                           {{0}, {1, 2, 3}, {4}, {5}}, perm, resultType,
                                           {{0}, {1}, {2, 3}, {4, 5}});
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SpaceToDepthPattern : DynamicShapePattern<onnx::SpaceToDepthOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::SpaceToDepthOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!resultType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t bs = op.getBlocksize();
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape()) {
      if (inputType.getRank() != 4 || resultType.getRank() != 4 || bs <= 0)
        return op.emitError() << describeNode(op) << ": needs a 4-D input and blocksize > 0";
      rewriter.replaceOp(op, blockGather(rewriter, op.getLoc(), adaptor.getInput(), resultType,
                                         bs, /*toSpace=*/false, /*dcr=*/true));
      return success();
    }
    if (inputType.getRank() != 4 || bs <= 0 || inputType.getDimSize(2) % bs != 0 ||
        inputType.getDimSize(3) % bs != 0)
      return op.emitError() << describeNode(op) << ": needs a 4-D input whose height and width "
                            << "divide by blocksize";
    int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1);
    int64_t h = inputType.getDimSize(2) / bs, w = inputType.getDimSize(3) / bs;
    if (resultType.getShape() != ArrayRef<int64_t>{n, c * bs * bs, h, w})
      return op.emitError() << describeNode(op) << ": result type " << resultType
                            << " does not match the input";
    // (n, c, h, bh, w, bw) -> (n, bh, bw, c, h, w).
    Value result = expandTransposeCollapse(
        rewriter, op.getLoc(), adaptor.getInput(), {n, c, h, bs, w, bs},
        {{0}, {1}, {2, 3}, {4, 5}}, {0, 3, 5, 1, 2, 4}, resultType, {{0}, {1, 2, 3}, {4}, {5}});
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- Trilu, EyeLike ------------------------------------------------------------

struct TriluPattern : DynamicShapePattern<onnx::TriluOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::TriluOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not ranked");
    int64_t rank = resultType.getRank();
    if (rank < 2)
      return op.emitError() << describeNode(op) << ": input must have rank >= 2";
    if (!isNumeric(resultType.getElementType()))
      return op.emitError() << describeNode(op) << ": element type "
                            << resultType.getElementType() << " is not supported";
    Value k;
    SmallVector<int64_t> constK;
    if (isa<NoneType>(adaptor.getK().getType()))
      k = indexConstant(rewriter, loc, 0);
    else if (succeeded(getConstantInts(op.getK(), constK)) && constK.size() == 1)
      k = indexConstant(rewriter, loc, constK[0]);
    else
      k = toIndex(rewriter, loc, extractScalar(rewriter, loc, adaptor.getK()), false);
    bool upper = op.getUpper() != 0;
    Value zero = scalarConstant(rewriter, loc, resultType.getElementType(), 0.0);
    Value result = buildElementwise(
        rewriter, loc, resultType, adaptor.getInput(),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value i = linalg::IndexOp::create(b, l, rank - 2);
          Value j = linalg::IndexOp::create(b, l, rank - 1);
          Value diagonal = arith::AddIOp::create(b, l, i, k);
          // Upper keeps j - i >= k, lower keeps j - i <= k.
          Value keep = cmp(b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, j,
                           diagonal);
          return Value(arith::SelectOp::create(b, l, keep, args[0], zero));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct EyeLikePattern : DynamicShapePattern<onnx::EyeLikeOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::EyeLikeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    // dtype is already the result's element type; only k matters here.
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not ranked");
    if (resultType.getRank() != 2 ||
        cast<RankedTensorType>(adaptor.getInput().getType()).getRank() != 2)
      return op.emitError() << describeNode(op) << ": input must be 2-D";
    int64_t k = op.getK();
    SmallVector<Value> sizes{dimSize(rewriter, op.getLoc(), adaptor.getInput(), 0),
                             dimSize(rewriter, op.getLoc(), adaptor.getInput(), 1)};
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), resultType, sizes, [&](OpBuilder &b, Location l, ValueRange ivs) {
          Value diagonal = arith::AddIOp::create(b, l, ivs[0], indexConstant(b, l, k));
          Value on = cmp(b, l, arith::CmpIPredicate::eq, ivs[1], diagonal);
          return castScalar(b, l, on, resultType.getElementType(), /*srcUnsigned=*/true,
                            /*dstUnsigned=*/false);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- Range -------------------------------------------------------------------

struct RangePattern : DynamicShapePattern<onnx::RangeOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::RangeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType || resultType.getRank() != 1)
      return op.emitError() << describeNode(op) << ": result must be 1-D";
    // A static length is the result type's and limit is not read; otherwise
    // it is max(ceil((limit - start) / delta), 0), computed in the element type.
    Value start = extractScalar(rewriter, loc, adaptor.getStart());
    Value delta = extractScalar(rewriter, loc, adaptor.getDelta());
    Type elementType = resultType.getElementType();
    bool isFloat = isa<FloatType>(elementType);
    SmallVector<Value> sizes;
    if (resultType.isDynamicDim(0)) {
      Value limit = extractScalar(rewriter, loc, adaptor.getLimit());
      Value length, valid;
      if (isFloat) {
        // A zero or NaN delta gives a NaN or infinite quotient: refused
        // (the comparison is false for NaN) before it is converted.
        Value q = math::CeilOp::create(
            rewriter, loc,
            arith::DivFOp::create(rewriter, loc,
                                  arith::SubFOp::create(rewriter, loc, limit, start), delta));
        valid = arith::CmpFOp::create(
            rewriter, loc, arith::CmpFPredicate::OLE, q,
            scalarConstant(rewriter, loc, q.getType(), double(kMaxDataDependentElements)));
        q = arith::SelectOp::create(rewriter, loc, valid, q,
                                    scalarConstant(rewriter, loc, q.getType(), 0.0));
        length = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(), q);
      } else {
        auto wide = [&](Value v) -> Value {
          if (v.getType().getIntOrFloatBitWidth() >= 64)
            return v;
          return arith::ExtSIOp::create(rewriter, loc, rewriter.getI64Type(), v);
        };
        // A zero delta is refused, and so is INT64_MIN / -1: either division
        // would trap.
        Value zero = arith::ConstantIntOp::create(rewriter, loc, 0, 64);
        Value span = arith::SubIOp::create(rewriter, loc, wide(limit), wide(start));
        Value overflows = arith::AndIOp::create(
            rewriter, loc,
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, span,
                                  arith::ConstantIntOp::create(
                                      rewriter, loc, std::numeric_limits<int64_t>::min(), 64)),
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, wide(delta),
                                  arith::ConstantIntOp::create(rewriter, loc, -1, 64)));
        valid = arith::AndIOp::create(
            rewriter, loc,
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ne, wide(delta), zero),
            arith::XOrIOp::create(rewriter, loc, overflows,
                                  arith::ConstantIntOp::create(rewriter, loc, 1, 1)));
        Value safeDelta = arith::SelectOp::create(
            rewriter, loc, valid, wide(delta), arith::ConstantIntOp::create(rewriter, loc, 1, 64));
        length = arith::CeilDivSIOp::create(rewriter, loc, span, safeDelta);
      }
      length = arith::MaxSIOp::create(
          rewriter, loc, length, arith::ConstantIntOp::create(rewriter, loc, 0, 64));
      sizes.push_back(arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), length));
      sizes = checkDataDependentSizes(rewriter, loc, sizes, op,
                                      "delta must not be 0 and the result at most 2^31 elements",
                                      valid);
    }
    Value result = buildIndexedGeneric(
        rewriter, loc, resultType, sizes, [&](OpBuilder &b, Location l, ValueRange ivs) {
          Value i = arith::IndexCastOp::create(b, l, b.getI64Type(), ivs[0]);
          i = castScalar(b, l, i, elementType, false, false);
          if (isFloat)
            return Value(arith::AddFOp::create(b, l, start, arith::MulFOp::create(b, l, i, delta)));
          return Value(arith::AddIOp::create(b, l, start, arith::MulIOp::create(b, l, i, delta)));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- CumSum ------------------------------------------------------------------

struct CumSumPattern : DynamicShapePattern<onnx::CumSumOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::CumSumOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    Value x = adaptor.getX();
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    if (!resultType || !xType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = xType.getRank();
    if (rank == 0)
      return op.emitError() << describeNode(op) << ": input must have rank >= 1";
    Type elementType = resultType.getElementType();

    // A constant axis picks the reduced dim statically; a run-time axis is
    // compared with every dim, and the reduction runs over the largest one.
    SmallVector<int64_t> axisValues;
    std::optional<int64_t> axis;
    Value axisValue;
    if (succeeded(getConstantInts(op.getAxis(), axisValues)) && axisValues.size() == 1) {
      if (axisValues[0] < -rank || axisValues[0] >= rank)
        return op.emitError() << describeNode(op) << ": axis " << axisValues[0]
                              << " is out of range for rank " << rank;
      axis = normalizeAxis(axisValues[0], rank);
    } else {
      axisValue = toIndex(rewriter, loc, extractScalar(rewriter, loc, adaptor.getAxis()), false);
      Value negative = cmp(rewriter, loc, arith::CmpIPredicate::slt, axisValue,
                           indexConstant(rewriter, loc, 0));
      axisValue = arith::SelectOp::create(
          rewriter, loc, negative,
          arith::AddIOp::create(rewriter, loc, axisValue, indexConstant(rewriter, loc, rank)),
          axisValue);
    }
    SmallVector<Value> dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(dimSize(rewriter, loc, x, d));
    bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
    arith::CmpIPredicate predicate =
        reverse ? (exclusive ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::sge)
                : (exclusive ? arith::CmpIPredicate::slt : arith::CmpIPredicate::sle);

    // Iteration space: the result's dims, then k along the axis (reduction).
    // A constant axis reads x[.., k, ..] through an indexing map; a run-time
    // axis reads it with tensor.extract and needs an operand that gives the
    // k loop its extent: a splat constant of that length.
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> outExprs, inExprs;
    for (int64_t d = 0; d < rank; ++d) {
      outExprs.push_back(getAffineDimExpr(d, ctx));
      inExprs.push_back(getAffineDimExpr(axis && d == *axis ? rank : d, ctx));
    }
    Value input = x;
    if (!axis && xType.hasStaticShape()) {
      int64_t length = *llvm::max_element(xType.getShape());
      auto extentType = RankedTensorType::get({length}, rewriter.getI1Type());
      input = arith::ConstantOp::create(rewriter, loc,
                                        DenseElementsAttr::get(extentType, false));
      inExprs.assign({getAffineDimExpr(rank, ctx)});
    } else if (!axis) {
      // Its values are never read: only its run-time length, the largest dim.
      Value length = dims.front();
      for (Value dim : dims)
        length = arith::MaxUIOp::create(rewriter, loc, length, dim);
      input = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{ShapedType::kDynamic},
                                      rewriter.getI1Type(), ValueRange{length});
      inExprs.assign({getAffineDimExpr(rank, ctx)});
    }
    SmallVector<AffineMap> maps{AffineMap::get(rank + 1, 0, inExprs, ctx),
                                AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value init = createFilled(rewriter, loc, resultType, dims,
                              scalarConstant(rewriter, loc, elementType, 0.0));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{input}, ValueRange{init}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value k = linalg::IndexOp::create(b, l, rank);
          Value element = args[0], include;
          if (axis) {
            include = cmp(b, l, predicate, k, linalg::IndexOp::create(b, l, *axis));
          } else {
            SmallVector<Value> position;
            Value current = indexConstant(b, l, 0), inRange;
            for (int64_t d = 0; d < rank; ++d) {
              Value iv = linalg::IndexOp::create(b, l, d);
              Value selected =
                  cmp(b, l, arith::CmpIPredicate::eq, axisValue, indexConstant(b, l, d));
              Value dim = dims[d];
              Value last = arith::SubIOp::create(
                  b, l, arith::MaxUIOp::create(b, l, dim, indexConstant(b, l, 1)),
                  indexConstant(b, l, 1));
              Value clamped = arith::MinSIOp::create(b, l, k, last);
              position.push_back(arith::SelectOp::create(b, l, selected, clamped, iv));
              current = arith::SelectOp::create(b, l, selected, iv, current);
              Value fits = cmp(b, l, arith::CmpIPredicate::slt, k, dim);
              inRange = inRange ? Value(arith::SelectOp::create(b, l, selected, fits, inRange))
                                : fits;
            }
            include = arith::AndIOp::create(b, l, inRange, cmp(b, l, predicate, k, current));
            element = tensor::ExtractOp::create(b, l, x, position);
          }
          Value acc = args[1];
          Value sum = addScalar(b, l, acc, element);
          linalg::YieldOp::create(b, l, arith::SelectOp::create(b, l, include, sum, acc).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateLayoutPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<PadPattern, SplitPattern, DepthToSpacePattern, SpaceToDepthPattern, TriluPattern,
               EyeLikePattern, RangePattern, CumSumPattern>(converter, patterns.getContext());
}

} // namespace smelt
