//===- Indexing.cpp - onnx gathers, scatters, OneHot, Compress to linalg --===//
//
// GatherElements, GatherND, ScatterElements, ScatterND, OneHot and Compress.
// Every op is one or a few linalg.generic ops that read data and indices with
// tensor.extract; negative indices wrap by adding the dim size, as ONNX says.
//
// Scatters need no loops outside linalg: the result is `data` updated in
// place by a generic whose parallel dims run over the result and whose
// reduction dims run over the update slots. Each result element folds in
// every update aimed at it, in update order, so duplicates follow the ONNX
// reference exactly (reduction none: last write wins; add/mul/max/min:
// all combine). The cost is |data| x |update slots| (ScatterElements: only
// the slots along the axis), fine for the small scatters models contain.
//
// OneHot's depth is the result type's dim on the axis. Compress with a
// constant condition gathers precomputed positions; with a run-time condition
// the static result type fixes the output length, and positions are computed
// from a running count of the condition (reads are clamped, so a condition
// that contradicts the declared shape cannot read out of bounds, and a
// run-time check makes it an error).
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace smelt {
namespace {

Value cmp(OpBuilder &b, Location loc, arith::CmpIPredicate predicate, Value lhs, Value rhs) {
  return arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
}

/// ONNX index wrap: idx < 0 ? idx + dim : idx.
Value wrapIndex(OpBuilder &b, Location loc, Value index, int64_t dim) {
  Value negative = cmp(b, loc, arith::CmpIPredicate::slt, index, indexConstant(b, loc, 0));
  return arith::SelectOp::create(
      b, loc, negative, arith::AddIOp::create(b, loc, index, indexConstant(b, loc, dim)), index);
}

/// wrapIndex for a run-time dim size.
Value wrapIndex(OpBuilder &b, Location loc, Value index, Value dim) {
  Value negative = cmp(b, loc, arith::CmpIPredicate::slt, index, indexConstant(b, loc, 0));
  return arith::SelectOp::create(b, loc, negative, arith::AddIOp::create(b, loc, index, dim),
                                 index);
}

/// `value` as `type` where only static-ness differs (a no-op when equal).
Value castTo(OpBuilder &b, Location loc, Value value, RankedTensorType type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

/// `indices` with its last dim cast to the static `k` the ranks imply.
Value withLastDim(OpBuilder &b, Location loc, Value indices, int64_t k) {
  auto type = cast<RankedTensorType>(indices.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = k;
  return castTo(b, loc, indices, type.clone(shape));
}

/// Index of `value` clamped into [0, dim - 1], for reads that must stay in bounds.
Value clampIndex(OpBuilder &b, Location loc, Value index, int64_t dim) {
  Value low = arith::MaxSIOp::create(b, loc, index, indexConstant(b, loc, 0));
  return arith::MinSIOp::create(b, loc, low, indexConstant(b, loc, std::max<int64_t>(dim - 1, 0)));
}

SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t from, int64_t to) {
  SmallVector<Value> ivs;
  for (int64_t i = from; i < to; ++i)
    ivs.push_back(linalg::IndexOp::create(b, loc, i));
  return ivs;
}

SmallVector<AffineExpr> dimExprs(MLIRContext *ctx, int64_t from, int64_t to) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = from; i < to; ++i)
    exprs.push_back(getAffineDimExpr(i, ctx));
  return exprs;
}

// --- GatherElements, GatherND ------------------------------------------------

struct GatherElementsPattern : DynamicShapePattern<onnx::GatherElementsOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GatherElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = dyn_cast<RankedTensorType>(data.getType());
    auto indicesType = dyn_cast<RankedTensorType>(indices.getType());
    if (!resultType || !dataType || !indicesType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = dataType.getRank();
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    if (failed(verifyCompatibleShape(indicesType, resultType)) || indicesType.getRank() != rank)
      return op.emitError() << describeNode(op)
                            << ": indices must have the data's rank and the result's shape";
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    Value dim = dimSize(rewriter, op.getLoc(), data, axis);
    assertIndicesInRange(rewriter, op.getLoc(), indices, {dim}, op);
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, indices, [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> position = loopIndices(b, l, 0, rank);
          position[axis] = gatherIndex(b, l, toIndex(b, l, args[0], false), dim);
          return Value(tensor::ExtractOp::create(b, l, data, position));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherNDPattern : DynamicShapePattern<onnx::GatherNDOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GatherNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto dataType = dyn_cast<RankedTensorType>(data.getType());
    auto indicesType = dyn_cast<RankedTensorType>(indices.getType());
    if (!resultType || !dataType || !indicesType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t r = dataType.getRank(), q = indicesType.getRank(), batch = op.getBatchDims();
    if (q < 1 || batch < 0 || batch >= std::min(r, q))
      return op.emitError() << describeNode(op) << ": batch_dims " << batch
                            << " must be below the ranks of data and indices";
    // A run-time indices.shape[-1] follows from the ranks.
    int64_t k = indicesType.getDimSize(q - 1);
    if (indicesType.isDynamicDim(q - 1)) {
      k = q - 1 + r - batch - resultType.getRank();
      if (k >= 1) {
        indices = withLastDim(rewriter, loc, indices, k);
        indicesType = cast<RankedTensorType>(indices.getType());
      }
    }
    if (k < 1 || batch + k > r)
      return op.emitError() << describeNode(op) << ": indices.shape[-1] = " << k
                            << " does not fit data of rank " << r << " after " << batch
                            << " batch dims";
    // Result: indices.shape[:-1] ++ data.shape[batch + k:].
    SmallVector<int64_t> expected(indicesType.getShape().drop_back());
    llvm::append_range(expected, dataType.getShape().drop_front(batch + k));
    if (failed(verifyCompatibleShape(resultType.getShape(), expected)))
      return op.emitError() << describeNode(op) << ": result type " << resultType
                            << " does not match the operands";
    if (resultType.hasStaticShape() && resultType.getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, resultType));
      return success();
    }
    int64_t outRank = resultType.getRank();
    SmallVector<Value> sizes, dims;
    for (int64_t i = 0; i + 1 < q; ++i)
      sizes.push_back(dimSize(rewriter, loc, indices, i));
    for (int64_t i = batch + k; i < r; ++i)
      sizes.push_back(dimSize(rewriter, loc, data, i));
    for (int64_t j = 0; j < k; ++j)
      dims.push_back(dimSize(rewriter, loc, data, batch + j));
    assertIndicesInRange(rewriter, loc, indices, dims, op);
    SmallVector<utils::IteratorType> iterators(outRank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, resultType, sizes)},
        SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(outRank)}, iterators,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> ivs = loopIndices(b, l, 0, outRank);
          SmallVector<Value> indexPosition(ivs.begin(), ivs.begin() + q - 1);
          indexPosition.push_back(Value());
          SmallVector<Value> position(ivs.begin(), ivs.begin() + batch);
          for (int64_t j = 0; j < k; ++j) {
            indexPosition.back() = indexConstant(b, l, j);
            Value index = tensor::ExtractOp::create(b, l, indices, indexPosition);
            position.push_back(gatherIndex(b, l, toIndex(b, l, index, false), dims[j]));
          }
          position.append(ivs.begin() + q - 1, ivs.end());
          linalg::YieldOp::create(b, l, tensor::ExtractOp::create(b, l, data, position).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

// --- ScatterElements, ScatterND ----------------------------------------------

enum class ScatterReduction { None, Add, Mul, Max, Min };

FailureOr<ScatterReduction> parseReduction(Operation *op, StringRef reduction) {
  auto kind = llvm::StringSwitch<std::optional<ScatterReduction>>(reduction)
                  .Case("none", ScatterReduction::None)
                  .Case("add", ScatterReduction::Add)
                  .Case("mul", ScatterReduction::Mul)
                  .Case("max", ScatterReduction::Max)
                  .Case("min", ScatterReduction::Min)
                  .Default(std::nullopt);
  if (!kind)
    return op->emitError() << describeNode(op) << ": reduction '" << reduction
                           << "' is not supported";
  return *kind;
}

/// Folds one update into the current value. Booleans add as `or`, multiply as `and`.
Value combine(OpBuilder &b, Location loc, ScatterReduction kind, bool isUnsigned, Value acc,
              Value update) {
  bool isFloat = isa<FloatType>(acc.getType());
  bool isBool = acc.getType().isInteger(1);
  switch (kind) {
  case ScatterReduction::None:
    return update;
  case ScatterReduction::Add:
    if (isFloat)
      return arith::AddFOp::create(b, loc, acc, update);
    return isBool ? Value(arith::OrIOp::create(b, loc, acc, update))
                  : Value(arith::AddIOp::create(b, loc, acc, update));
  case ScatterReduction::Mul:
    if (isFloat)
      return arith::MulFOp::create(b, loc, acc, update);
    return isBool ? Value(arith::AndIOp::create(b, loc, acc, update))
                  : Value(arith::MulIOp::create(b, loc, acc, update));
  case ScatterReduction::Max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, acc, update);
    return isUnsigned || isBool ? Value(arith::MaxUIOp::create(b, loc, acc, update))
                                : Value(arith::MaxSIOp::create(b, loc, acc, update));
  case ScatterReduction::Min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, acc, update);
    return isUnsigned || isBool ? Value(arith::MinUIOp::create(b, loc, acc, update))
                                : Value(arith::MinSIOp::create(b, loc, acc, update));
  }
  llvm_unreachable("unknown reduction");
}

bool isNumeric(Type type) { return isa<FloatType>(type) || isa<IntegerType>(type); }

struct ScatterElementsPattern : DynamicShapePattern<onnx::ScatterElementsOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ScatterElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value data = adaptor.getData(), indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    auto dataType = dyn_cast<RankedTensorType>(data.getType());
    auto indicesType = dyn_cast<RankedTensorType>(indices.getType());
    auto updatesType = dyn_cast<RankedTensorType>(updates.getType());
    if (!resultType || !dataType || !indicesType || !updatesType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    FailureOr<ScatterReduction> kind = parseReduction(op, op.getReduction());
    if (failed(kind))
      return failure();
    if (!isNumeric(resultType.getElementType()))
      return op.emitError() << describeNode(op) << ": element type "
                            << resultType.getElementType() << " is not supported";
    int64_t rank = dataType.getRank();
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    ArrayRef<int64_t> slots = indicesType.getShape();
    if (indicesType.getRank() != rank || failed(verifyCompatibleShape(updatesType, indicesType)) ||
        failed(verifyCompatibleShape(resultType, dataType)))
      return op.emitError() << describeNode(op)
                            << ": indices and updates must share one shape of the data's rank";
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && !ShapedType::isDynamic(slots[d]) && !dataType.isDynamicDim(d) &&
          slots[d] > dataType.getDimSize(d))
        return op.emitError() << describeNode(op) << ": indices exceed data along dim " << d;
    data = castTo(rewriter, loc, data, resultType);
    if ((indicesType.hasStaticShape() && indicesType.getNumElements() == 0) ||
        (dataType.hasStaticShape() && dataType.getNumElements() == 0)) {
      rewriter.replaceOp(op, data);
      return success();
    }

    // Dims 0..rank-1 run over the result, dim `rank` over the slots along the
    // axis; a splat constant of that length gives the reduction its extent
    // (an unread empty tensor when the length is known only at run time).
    MLIRContext *ctx = rewriter.getContext();
    int64_t length = slots[axis];
    Value extent;
    if (ShapedType::isDynamic(length)) {
      extent = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{length},
                                       rewriter.getI1Type(),
                                       ValueRange{dimSize(rewriter, loc, indices, axis)});
    } else {
      auto extentType = RankedTensorType::get({length}, rewriter.getI1Type());
      extent = arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(extentType, false));
    }
    SmallVector<Value> slotSizes;
    for (int64_t d = 0; d < rank; ++d)
      slotSizes.push_back(dimSize(rewriter, loc, indices, d));
    Value dim = dimSize(rewriter, loc, data, axis);
    // Each output element looks for the updates aimed at it, so an index
    // outside writes nothing; it is still the caller's error: report it.
    assertIndicesInRange(rewriter, loc, indices, {dim}, op);
    SmallVector<AffineMap> maps{AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx)),
                                AffineMap::get(rank + 1, 0, dimExprs(ctx, 0, rank), ctx)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    bool isUnsigned = isUnsignedElement(op.getData());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{extent}, ValueRange{data}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> ivs = loopIndices(b, l, 0, rank + 1);
          Value zero = indexConstant(b, l, 0);
          // The slot (p with p[axis] = k) exists only where p fits the updates.
          Value valid;
          SmallVector<Value> slot;
          for (int64_t d = 0; d < rank; ++d) {
            if (d == axis) {
              slot.push_back(ivs[rank]);
              continue;
            }
            if (!ShapedType::isDynamic(slots[d]) && slots[d] == dataType.getDimSize(d)) {
              slot.push_back(ivs[d]);
              continue;
            }
            Value fits = cmp(b, l, arith::CmpIPredicate::slt, ivs[d], slotSizes[d]);
            valid = valid ? Value(arith::AndIOp::create(b, l, valid, fits)) : fits;
            slot.push_back(arith::SelectOp::create(b, l, fits, ivs[d], zero));
          }
          Value index = tensor::ExtractOp::create(b, l, indices, slot);
          index = wrapIndex(b, l, toIndex(b, l, index, false), dim);
          Value hit = cmp(b, l, arith::CmpIPredicate::eq, index, ivs[axis]);
          if (valid)
            hit = arith::AndIOp::create(b, l, hit, valid);
          Value update = tensor::ExtractOp::create(b, l, updates, slot);
          Value acc = args[1];
          Value next = combine(b, l, *kind, isUnsigned, acc, update);
          linalg::YieldOp::create(b, l, arith::SelectOp::create(b, l, hit, next, acc).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ScatterNDPattern : DynamicShapePattern<onnx::ScatterNDOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ScatterNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value data = adaptor.getData(), indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    auto dataType = dyn_cast<RankedTensorType>(data.getType());
    auto indicesType = dyn_cast<RankedTensorType>(indices.getType());
    auto updatesType = dyn_cast<RankedTensorType>(updates.getType());
    if (!resultType || !dataType || !indicesType || !updatesType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    // A run-time indices.shape[-1] follows from the ranks.
    if (indicesType.getRank() >= 1 && indicesType.isDynamicDim(indicesType.getRank() - 1)) {
      int64_t implied = indicesType.getRank() - 1 + dataType.getRank() - updatesType.getRank();
      if (implied >= 1) {
        indices = withLastDim(rewriter, loc, indices, implied);
        indicesType = cast<RankedTensorType>(indices.getType());
      }
    }
    FailureOr<ScatterReduction> kind = parseReduction(op, op.getReduction());
    if (failed(kind))
      return failure();
    if (!isNumeric(resultType.getElementType()))
      return op.emitError() << describeNode(op) << ": element type "
                            << resultType.getElementType() << " is not supported";
    int64_t r = dataType.getRank(), q = indicesType.getRank();
    int64_t k = q >= 1 ? indicesType.getDimSize(q - 1) : -1;
    if (q < 1 || k < 1 || k > r)
      return op.emitError() << describeNode(op) << ": indices.shape[-1] must be at most rank(data)";
    // updates.shape = indices.shape[:-1] ++ data.shape[k:].
    SmallVector<int64_t> expected(indicesType.getShape().drop_back());
    llvm::append_range(expected, dataType.getShape().drop_front(k));
    if (failed(verifyCompatibleShape(updatesType.getShape(), expected)) ||
        failed(verifyCompatibleShape(resultType, dataType)))
      return op.emitError() << describeNode(op) << ": updates of type " << updatesType
                            << " do not match data and indices";
    data = castTo(rewriter, loc, data, resultType);
    if ((updatesType.hasStaticShape() && updatesType.getNumElements() == 0) ||
        (dataType.hasStaticShape() && dataType.getNumElements() == 0)) {
      rewriter.replaceOp(op, data);
      return success();
    }

    // Dims 0..r-1 run over the result, r..r+q-2 over the update slots
    // (indices.shape[:-1]); indices is read through (slot..., 0) so that it
    // gives the slot dims their extents.
    MLIRContext *ctx = rewriter.getContext();
    int64_t numDims = r + q - 1;
    SmallVector<AffineExpr> indexExprs = dimExprs(ctx, r, numDims);
    indexExprs.push_back(getAffineConstantExpr(0, ctx));
    SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, indexExprs, ctx),
                                AffineMap::get(numDims, 0, dimExprs(ctx, 0, r), ctx)};
    SmallVector<utils::IteratorType> iterators(r, utils::IteratorType::parallel);
    iterators.append(q - 1, utils::IteratorType::reduction);
    bool isUnsigned = isUnsignedElement(op.getData());
    SmallVector<Value> dims;
    for (int64_t j = 0; j < k; ++j)
      dims.push_back(dimSize(rewriter, loc, data, j));
    // Pull-based like ScatterElements: an index outside writes nothing, and
    // is reported.
    assertIndicesInRange(rewriter, loc, indices, dims, op);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{indices}, ValueRange{data}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> ivs = loopIndices(b, l, 0, numDims);
          SmallVector<Value> slot(ivs.begin() + r, ivs.end());
          SmallVector<Value> indexPosition(slot);
          indexPosition.push_back(Value());
          Value hit;
          for (int64_t j = 0; j < k; ++j) {
            Value index = args[0];
            if (j > 0) {
              indexPosition.back() = indexConstant(b, l, j);
              index = tensor::ExtractOp::create(b, l, indices, indexPosition);
            }
            index = wrapIndex(b, l, toIndex(b, l, index, false), dims[j]);
            Value same = cmp(b, l, arith::CmpIPredicate::eq, index, ivs[j]);
            hit = hit ? Value(arith::AndIOp::create(b, l, hit, same)) : same;
          }
          SmallVector<Value> updatePosition(slot);
          updatePosition.append(ivs.begin() + k, ivs.begin() + r);
          Value update = tensor::ExtractOp::create(b, l, updates, updatePosition);
          Value acc = args[1];
          Value next = combine(b, l, *kind, isUnsigned, acc, update);
          if (hit)
            next = arith::SelectOp::create(b, l, hit, next, acc);
          linalg::YieldOp::create(b, l, next);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

// --- OneHot ------------------------------------------------------------------

struct OneHotPattern : DynamicShapePattern<onnx::OneHotOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::OneHotOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    Value indices = adaptor.getIndices(), values = adaptor.getValues();
    auto indicesType = dyn_cast<RankedTensorType>(indices.getType());
    auto valuesType = dyn_cast<RankedTensorType>(values.getType());
    if (!resultType || !indicesType || !valuesType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    if (!isNumeric(resultType.getElementType()))
      return op.emitError() << describeNode(op) << ": element type "
                            << resultType.getElementType() << " is not supported";
    int64_t rank = resultType.getRank();
    if (rank != indicesType.getRank() + 1)
      return op.emitError() << describeNode(op) << ": result rank must be rank(indices) + 1";
    if (op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (valuesType.getRank() != 1 || (!valuesType.isDynamicDim(0) && valuesType.getDimSize(0) != 2))
      return op.emitError() << describeNode(op) << ": values must be [off_value, on_value]";
    int64_t depth = resultType.getDimSize(axis);
    // A run-time depth: its (first) value, truncated toward zero.
    Value depthValue;
    if (ShapedType::isDynamic(depth)) {
      Value depthTensor = adaptor.getDepth();
      int64_t depthRank = cast<RankedTensorType>(depthTensor.getType()).getRank();
      Value scalar = tensor::ExtractOp::create(
          rewriter, loc, depthTensor,
          SmallVector<Value>(depthRank, indexConstant(rewriter, loc, 0)));
      depthValue = toIndex(rewriter, loc, scalar, isUnsignedElement(op.getDepth()));
    } else {
      depthValue = indexConstant(rewriter, loc, depth);
    }
    if (FailureOr<double> constDepth = getConstantScalar(op.getDepth());
        succeeded(constDepth) && !ShapedType::isDynamic(depth) &&
        static_cast<int64_t>(*constDepth) != depth)
      return op.emitError() << describeNode(op) << ": depth " << static_cast<int64_t>(*constDepth)
                            << " does not match the result type " << resultType;
    Value off = tensor::ExtractOp::create(rewriter, loc, values,
                                          ValueRange{indexConstant(rewriter, loc, 0)});
    Value on = tensor::ExtractOp::create(rewriter, loc, values,
                                         ValueRange{indexConstant(rewriter, loc, 1)});
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> indexExprs = dimExprs(ctx, 0, rank);
    indexExprs.erase(indexExprs.begin() + axis);
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, indexExprs, ctx),
                                rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    bool unsignedIndices = isUnsignedElement(op.getIndices());
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < indicesType.getRank(); ++d)
      sizes.push_back(dimSize(rewriter, loc, indices, d));
    sizes.insert(sizes.begin() + axis, depthValue);
    if (ShapedType::isDynamic(depth)) {
      sizes = checkDataDependentSizes(rewriter, loc, sizes, op,
                                      "depth must be >= 0 and the result at most 2^31 elements");
      depthValue = sizes[axis];
    }
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{indices},
        ValueRange{createEmpty(rewriter, loc, resultType, sizes)}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value index = toIndex(b, l, args[0], unsignedIndices);
          index = ShapedType::isDynamic(depth) ? wrapIndex(b, l, index, depthValue)
                                               : wrapIndex(b, l, index, depth);
          Value hit = cmp(b, l, arith::CmpIPredicate::eq, index, linalg::IndexOp::create(b, l, axis));
          linalg::YieldOp::create(b, l, arith::SelectOp::create(b, l, hit, on, off).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

// --- Compress ----------------------------------------------------------------

struct CompressPattern : DynamicShapePattern<onnx::CompressOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::CompressOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getOutput());
    Value input = adaptor.getInput(), condition = adaptor.getCondition();
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    auto conditionType = dyn_cast<RankedTensorType>(condition.getType());
    if (!inputType || !conditionType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    if (!resultType || !inputType.hasStaticShape() || !conditionType.hasStaticShape())
      return rewriteDynamic(op, input, condition, rewriter);
    if (conditionType.getRank() != 1)
      return op.emitError() << describeNode(op) << ": condition must be 1-D";

    // Without an axis the input is flattened first.
    int64_t axis = 0;
    if (std::optional<int64_t> attr = op.getAxis()) {
      int64_t rank = inputType.getRank();
      if (*attr < -rank || *attr >= rank)
        return op.emitError() << describeNode(op) << ": axis " << *attr
                              << " is out of range for rank " << rank;
      axis = normalizeAxis(*attr, rank);
    } else {
      inputType = RankedTensorType::get({inputType.getNumElements()}, inputType.getElementType());
      input = reshapeTo(rewriter, loc, input, inputType);
    }
    int64_t rank = inputType.getRank();
    int64_t dim = inputType.getDimSize(axis);
    int64_t length = std::min(conditionType.getDimSize(0), dim);
    int64_t count = resultType.getRank() == rank ? resultType.getDimSize(axis) : -1;
    SmallVector<int64_t> expected(inputType.getShape());
    expected[axis] = count;
    if (resultType.getShape() != ArrayRef<int64_t>(expected) || count > length)
      return op.emitError() << describeNode(op) << ": result type " << resultType
                            << " does not fit a compress of " << inputType << " along axis "
                            << axis;
    if (resultType.getNumElements() == 0) {
      rewriter.replaceOp(op, createEmpty(rewriter, loc, resultType));
      return success();
    }

    // positions[j] = index along the axis of the j-th true condition entry.
    auto positionsType = RankedTensorType::get({count}, rewriter.getI64Type());
    Value positions;
    SmallVector<int64_t> flags;
    if (succeeded(getConstantInts(op.getCondition(), flags))) {
      SmallVector<int64_t> selected;
      for (int64_t i = 0; i < length; ++i)
        if (flags[i] != 0)
          selected.push_back(i);
      if (static_cast<int64_t>(selected.size()) != count)
        return op.emitError() << describeNode(op) << ": condition selects " << selected.size()
                              << " entries but the result type has " << count;
      // Consecutive selections are one slice.
      if (selected.back() - selected.front() + 1 == count) {
        SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
        for (int64_t d : resultType.getShape())
          sizes.push_back(rewriter.getIndexAttr(d));
        offsets[axis] = rewriter.getIndexAttr(selected.front());
        rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, resultType, input, offsets, sizes,
                                                            strides);
        return success();
      }
      positions = arith::ConstantOp::create(
          rewriter, loc, DenseIntElementsAttr::get(positionsType, ArrayRef<int64_t>(selected)));
    } else {
      positions = buildRuntimePositions(rewriter, loc, condition, length, positionsType);
      // The declared output length must be what the condition selects: the
      // gather stays in bounds either way, the check makes a mismatch an error.
      Value selected = countTrue(rewriter, loc, sliceCondition(rewriter, loc, condition, length));
      cf::AssertOp::create(rewriter, loc,
                           cmp(rewriter, loc, arith::CmpIPredicate::eq, selected,
                               indexConstant(rewriter, loc, count)),
                           describeNode(op) + ": the condition selects another number of "
                                              "entries than the output's declared size " +
                               std::to_string(count));
    }

    MLIRContext *ctx = rewriter.getContext();
    int64_t outRank = resultType.getRank();
    SmallVector<AffineMap> maps{AffineMap::get(outRank, 0, getAffineDimExpr(axis, ctx)),
                                rewriter.getMultiDimIdentityMap(outRank)};
    SmallVector<utils::IteratorType> iterators(outRank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{positions},
        ValueRange{createEmpty(rewriter, loc, resultType)}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> position = loopIndices(b, l, 0, outRank);
          position[axis] = clampIndex(b, l, toIndex(b, l, args[0], false), dim);
          linalg::YieldOp::create(b, l, tensor::ExtractOp::create(b, l, input, position).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

  /// Compress with dynamic dims or a data-dependent result length: the
  /// count of true conditions (within the axis) is computed at run time and
  /// sizes the result along the axis.
  LogicalResult rewriteDynamic(onnx::CompressOp op, Value input, Value condition,
                               ConversionPatternRewriter &rewriter) const {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    auto inputType = cast<RankedTensorType>(input.getType());
    auto conditionType = cast<RankedTensorType>(condition.getType());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    if (conditionType.getRank() != 1)
      return op.emitError() << describeNode(op) << ": condition must be 1-D";
    int64_t axis = 0;
    if (std::optional<int64_t> attr = op.getAxis()) {
      int64_t rank = inputType.getRank();
      if (*attr < -rank || *attr >= rank)
        return op.emitError() << describeNode(op) << ": axis " << *attr
                              << " is out of range for rank " << rank;
      axis = normalizeAxis(*attr, rank);
    } else {
      Value total = indexConstant(rewriter, loc, 1);
      for (int64_t d = 0; d < inputType.getRank(); ++d)
        total = arith::MulIOp::create(rewriter, loc, total, dimSize(rewriter, loc, input, d));
      int64_t elements =
          inputType.hasStaticShape() ? inputType.getNumElements() : ShapedType::kDynamic;
      inputType = RankedTensorType::get({elements}, inputType.getElementType());
      input = reshapeToSizes(rewriter, loc, input, inputType, ValueRange{total});
    }
    int64_t rank = inputType.getRank();
    if (resultType.getRank() != rank)
      return op.emitError() << describeNode(op) << ": result type " << resultType
                            << " does not fit a compress of " << inputType << " along axis "
                            << axis;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && !resultType.isDynamicDim(d) && !inputType.isDynamicDim(d) &&
          resultType.getDimSize(d) != inputType.getDimSize(d))
        return op.emitError() << describeNode(op) << ": result type " << resultType
                              << " does not fit a compress of " << inputType << " along axis "
                              << axis;

    // length = min(#conditions, dim); count = #true in condition[0..length).
    Value length = arith::MinSIOp::create(rewriter, loc, dimSize(rewriter, loc, condition, 0),
                                          dimSize(rewriter, loc, input, axis));
    auto slicedType = RankedTensorType::get({ShapedType::kDynamic}, rewriter.getI1Type());
    condition = tensor::ExtractSliceOp::create(
        rewriter, loc, slicedType, condition, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{length}, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)});
    MLIRContext *ctx = rewriter.getContext();
    Value count = countTrue(rewriter, loc, condition);
    auto positionsType = RankedTensorType::get({ShapedType::kDynamic}, rewriter.getI64Type());
    Value positions =
        buildRuntimePositions(rewriter, loc, condition, length, positionsType, count);

    // out[..., j, ...] = input[..., positions[j], ...], over the run-time sizes.
    SmallVector<int64_t> shape(inputType.getShape());
    shape[axis] = ShapedType::kDynamic;
    auto outType = RankedTensorType::get(shape, inputType.getElementType());
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(d == axis ? count : dimSize(rewriter, loc, input, d));
    SmallVector<AffineMap> maps{AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx)),
                                rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, ValueRange{positions},
            ValueRange{createEmpty(rewriter, loc, outType, sizes)}, maps, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              // positions[j] < length <= the axis size, by construction.
              SmallVector<Value> position = loopIndices(b, l, 0, rank);
              position[axis] = toIndex(b, l, args[0], false);
              linalg::YieldOp::create(b, l,
                                      tensor::ExtractOp::create(b, l, input, position).getResult());
            })
            .getResult(0);
    if (outType != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The first `length` entries of a static 1-D condition.
  static Value sliceCondition(OpBuilder &b, Location loc, Value condition, int64_t length) {
    if (cast<RankedTensorType>(condition.getType()).getDimSize(0) == length)
      return condition;
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({length}, b.getI1Type()), condition,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0)}, ArrayRef<OpFoldResult>{b.getIndexAttr(length)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  }

  /// How many entries of the 1-D i1 `condition` are true, as an index.
  static Value countTrue(OpBuilder &b, Location loc, Value condition) {
    Type i64 = b.getI64Type();
    auto scalarType = RankedTensorType::get({}, i64);
    Value countTensor =
        linalg::GenericOp::create(
            b, loc, TypeRange{scalarType}, ValueRange{condition},
            ValueRange{createFilled(b, loc, scalarType, scalarConstant(b, loc, i64, 0.0))},
            SmallVector<AffineMap>{b.getMultiDimIdentityMap(1),
                                   AffineMap::get(1, 0, {}, b.getContext())},
            SmallVector<utils::IteratorType>{utils::IteratorType::reduction},
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value add = arith::ExtUIOp::create(nb, l, i64, args[0]);
              linalg::YieldOp::create(nb, l, arith::AddIOp::create(nb, l, args[1], add).getResult());
            })
            .getResult(0);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                      tensor::ExtractOp::create(b, loc, countTensor, ValueRange{}));
  }

  static Value buildRuntimePositions(OpBuilder &b, Location loc, Value condition, int64_t length,
                                     RankedTensorType positionsType) {
    return buildRuntimePositions(b, loc, sliceCondition(b, loc, condition, length),
                                 indexConstant(b, loc, length), positionsType,
                                 indexConstant(b, loc, positionsType.getDimSize(0)));
  }

  /// Two generics: running[i] = #true in condition[0..i]; then
  /// positions[j] = #{i : running[i] <= j}, the index of the (j+1)-th true.
  /// `condition` has `length` entries; positions has `count` entries.
  static Value buildRuntimePositions(OpBuilder &b, Location loc, Value condition, Value length,
                                     RankedTensorType positionsType, Value count) {
    MLIRContext *ctx = b.getContext();
    Type i64 = b.getI64Type();
    AffineMap d0 = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
    AffineMap d1 = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
    SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                               utils::IteratorType::reduction};
    Value zero = scalarConstant(b, loc, i64, 0.0);
    auto runningType = RankedTensorType::get(
        {cast<RankedTensorType>(condition.getType()).getDimSize(0)}, i64);
    Value running =
        linalg::GenericOp::create(
            b, loc, TypeRange{runningType}, ValueRange{condition},
            ValueRange{createFilled(b, loc, runningType, ValueRange{length}, zero)},
            SmallVector<AffineMap>{d1, d0},
            iterators,
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value upto = cmp(nb, l, arith::CmpIPredicate::sle, linalg::IndexOp::create(nb, l, 1),
                               linalg::IndexOp::create(nb, l, 0));
              Value counted = arith::AndIOp::create(nb, l, upto, args[0]);
              Value add = arith::ExtUIOp::create(nb, l, i64, counted);
              linalg::YieldOp::create(nb, l, arith::AddIOp::create(nb, l, args[1], add).getResult());
            })
            .getResult(0);
    return linalg::GenericOp::create(
               b, loc, TypeRange{positionsType}, ValueRange{running},
               ValueRange{createFilled(b, loc, positionsType, ValueRange{count}, zero)},
               SmallVector<AffineMap>{d1, d0}, iterators,
               [&](OpBuilder &nb, Location l, ValueRange args) {
                 Value j = arith::IndexCastOp::create(nb, l, i64, linalg::IndexOp::create(nb, l, 0));
                 Value before = cmp(nb, l, arith::CmpIPredicate::sle, args[0], j);
                 Value add = arith::ExtUIOp::create(nb, l, i64, before);
                 linalg::YieldOp::create(nb, l,
                                         arith::AddIOp::create(nb, l, args[1], add).getResult());
               })
        .getResult(0);
  }
};

} // namespace

void populateIndexingPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<GatherElementsPattern, GatherNDPattern, ScatterElementsPattern, ScatterNDPattern,
               OneHotPattern, CompressPattern>(converter, patterns.getContext());
}

} // namespace smelt
