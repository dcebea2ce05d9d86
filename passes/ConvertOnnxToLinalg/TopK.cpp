//===- TopK.cpp - onnx TopK to linalg or scalar loops ---------------------===//
//
// TopK along an axis, in the order of topKBefore (larger first, or smaller;
// ties to the lower index; NaN as ONNX Runtime orders it). Two strategies:
//  - a short static axis (at most kRankedTopKMaxAxis elements): every element
//    is ranked against all others in one linalg.generic, and output slot s
//    gathers the element of rank s. Quadratic, but it vectorizes across rows
//    and needs no sort.
//  - otherwise (long or dynamic axes, such as the thousands of scores a
//    detector keeps per class): per row, a binary heap of the best K seen so
//    far, rooted at the worst of them, so each later element costs one
//    comparison unless it enters; then a heapsort puts the K in order.
//    O(n log K) scalar loops.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/ConvertOnnxToLinalg/ScalarLoops.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
using namespace scalar_loops;
namespace {

/// The longest axis ranked all against all (n^2 comparisons per row).
constexpr int64_t kRankedTopKMaxAxis = 128;

/// Total order of TopK: `a` (at index ia) comes before `b` (at ib) when it is
/// larger (smaller), or equal with the lower index. NaN is the largest value
/// for largest=1 and sorts after all numbers for largest=0.
Value topKBefore(OpBuilder &b, Location loc, Value x, Value y, Value ix, Value iy, bool largest,
                 bool isUnsigned) {
  Value lowerIndex = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ix, iy);
  if (isa<FloatType>(x.getType())) {
    using P = arith::CmpFPredicate;
    Value xNan = arith::CmpFOp::create(b, loc, P::UNO, x, x);
    Value yNan = arith::CmpFOp::create(b, loc, P::UNO, y, y);
    Value strict = arith::CmpFOp::create(b, loc, largest ? P::OGT : P::OLT, x, y);
    Value notYNan = arith::XOrIOp::create(
        b, loc, yNan, arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
    Value notXNan = arith::XOrIOp::create(
        b, loc, xNan, arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1));
    // NaN first when largest, last otherwise.
    Value nanOrder = largest ? Value(arith::AndIOp::create(b, loc, xNan, notYNan))
                             : Value(arith::AndIOp::create(b, loc, notXNan, yNan));
    Value equal = arith::OrIOp::create(
        b, loc, arith::CmpFOp::create(b, loc, P::OEQ, x, y),
        arith::AndIOp::create(b, loc, xNan, yNan));
    return arith::OrIOp::create(
        b, loc, arith::OrIOp::create(b, loc, nanOrder, strict),
        arith::AndIOp::create(b, loc, equal, lowerIndex));
  }
  using P = arith::CmpIPredicate;
  Value strict = arith::CmpIOp::create(
      b, loc, largest ? (isUnsigned ? P::ugt : P::sgt) : (isUnsigned ? P::ult : P::slt), x, y);
  Value equal = arith::CmpIOp::create(b, loc, P::eq, x, y);
  return arith::OrIOp::create(b, loc, strict, arith::AndIOp::create(b, loc, equal, lowerIndex));
}

/// What both strategies need to know about one TopK op.
struct TopKProblem {
  Value x;
  int64_t axis;
  SmallVector<Value> xSizes, outSizes;
  RankedTensorType valuesType, indicesType;
  bool largest, isUnsigned;
};

/// Ranks all elements of the axis against each other, then gathers.
SmallVector<Value> rankedTopK(OpBuilder &rewriter, Location loc, const TopKProblem &p) {
  Value x = p.x;
  int64_t axis = p.axis;
  bool largest = p.largest, isUnsigned = p.isUnsigned;
  auto inputType = cast<RankedTensorType>(x.getType());
  int64_t rank = inputType.getRank();
  RankedTensorType valuesType = p.valuesType, indicesType = p.indicesType;
  ArrayRef<Value> xSizes = p.xSizes, outSizes = p.outSizes;
  MLIRContext *ctx = rewriter.getContext();
  Type i64 = rewriter.getI64Type();
    // Iteration space: the dims of X plus one more, `other` (dim `rank`),
    // that runs along the axis.
    SmallVector<AffineExpr> full, alongOther;
    for (int64_t i = 0; i < rank; ++i) {
      full.push_back(getAffineDimExpr(i, ctx));
      alongOther.push_back(getAffineDimExpr(i == axis ? rank : i, ctx));
    }
    AffineMap self = AffineMap::get(rank + 1, 0, full, ctx);
    AffineMap other = AffineMap::get(rank + 1, 0, alongOther, ctx);
    SmallVector<utils::IteratorType> iterators(rank + 1, utils::IteratorType::parallel);
    iterators[rank] = utils::IteratorType::reduction;

    // rank[.., j, ..] = number of elements along the axis that come before j.
    auto rankType = RankedTensorType::get(inputType.getShape(), i64);
    Value ranks =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{rankType}, ValueRange{x, x},
            ValueRange{createFilled(rewriter, loc, rankType, xSizes,
                                    scalarConstant(rewriter, loc, i64, 0))},
            SmallVector<AffineMap>{self, other, self}, iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value j = linalg::IndexOp::create(b, l, axis);
              Value i = linalg::IndexOp::create(b, l, rank);
              Value before = topKBefore(b, l, args[1], args[0], i, j, largest, isUnsigned);
              Value one = arith::ExtUIOp::create(b, l, i64, before);
              linalg::YieldOp::create(b, l, Value(arith::AddIOp::create(b, l, args[2], one)));
            })
            .getResult(0);

    // Output slot k takes the element whose rank is k.
    Type elem = valuesType.getElementType();
    Value initValues =
        createFilled(rewriter, loc, valuesType, outSizes, scalarConstant(rewriter, loc, elem, 0));
    Value initIndices =
        createFilled(rewriter, loc, indicesType, outSizes, scalarConstant(rewriter, loc, i64, 0));
    auto gather = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valuesType, indicesType}, ValueRange{x, ranks},
        ValueRange{initValues, initIndices}, SmallVector<AffineMap>{other, other, self, self},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value slot = arith::IndexCastOp::create(b, l, i64, linalg::IndexOp::create(b, l, axis));
          Value j = arith::IndexCastOp::create(b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, args[1], slot);
          linalg::YieldOp::create(b, l,
                                  ValueRange{arith::SelectOp::create(b, l, hit, args[0], args[2]),
                                             arith::SelectOp::create(b, l, hit, j, args[3])});
        });
  return gather.getResults();
}

/// Per row: keeps the best K in a heap rooted at the worst, then heapsorts.
SmallVector<Value> heapTopK(OpBuilder &rewriter, Location loc, const TopKProblem &p) {
  Type i64 = rewriter.getI64Type();
  int64_t rank = p.valuesType.getRank();
  Value n = p.xSizes[p.axis], k = p.outSizes[p.axis];
  // K beyond the axis is rejected when static; at run time the extra slots
  // keep their zeros.
  Value kept = arith::MinUIOp::create(rewriter, loc, k, n);
  Value values = createFilled(rewriter, loc, p.valuesType, p.outSizes,
                              scalarConstant(rewriter, loc, p.valuesType.getElementType(), 0));
  Value indices =
      createFilled(rewriter, loc, p.indicesType, p.outSizes, scalarConstant(rewriter, loc, i64, 0));
  Value heap = tensor::EmptyOp::create(rewriter, loc, ArrayRef<OpFoldResult>{getAsOpFoldResult(k)},
                                       rewriter.getIndexType());
  SmallVector<Value> rowSizes;
  Value rows = indexConstant(rewriter, loc, 1);
  for (int64_t d = 0; d < rank; ++d) {
    if (d == p.axis)
      continue;
    rowSizes.push_back(p.xSizes[d]);
    rows = mulI(rewriter, loc, rows, rowSizes.back());
  }
  ValueRange result = forLoop(
      rewriter, loc, indexConstant(rewriter, loc, 0), rows, ValueRange{values, indices, heap},
      [&](OpBuilder &b, Location l, Value row, ValueRange s) -> SmallVector<Value> {
        SmallVector<Value> rowCoords = delinearize(b, l, row, rowSizes);
        auto coords = [&](Value along) {
          SmallVector<Value> c(rowCoords);
          c.insert(c.begin() + p.axis, along);
          return c;
        };
        auto element = [&](OpBuilder &b, Location l, Value at) -> Value {
          return tensor::ExtractOp::create(b, l, p.x, coords(at));
        };
        auto before = [&](OpBuilder &b, Location l, Value i, Value j) {
          return topKBefore(b, l, element(b, l, i), element(b, l, j), i, j, p.largest,
                            p.isUnsigned);
        };
        // The root is the worst kept element: i nearer the root when j comes before it.
        auto worse = [&](OpBuilder &b, Location l, Value i, Value j) { return before(b, l, j, i); };

        Value heap = forLoop(b, l, indexConstant(b, l, 0), kept, ValueRange{s[2]},
                             [&](OpBuilder &b, Location l, Value j,
                                 ValueRange h) -> SmallVector<Value> {
                               return {tensor::InsertOp::create(b, l, j, h[0], ValueRange{j})};
                             })[0];
        heap = heapify(b, l, heap, kept, worse);
        heap = forLoop(
            b, l, kept, n, ValueRange{heap},
            [&](OpBuilder &b, Location l, Value j, ValueRange h) -> SmallVector<Value> {
              Value root =
                  tensor::ExtractOp::create(b, l, h[0], ValueRange{indexConstant(b, l, 0)});
              return ifElse(
                  b, l, before(b, l, j, root), TypeRange{h[0].getType()},
                  [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                    Value replaced =
                        tensor::InsertOp::create(b, l, j, h[0], ValueRange{indexConstant(b, l, 0)});
                    return {heapSiftDown(b, l, replaced, kept, indexConstant(b, l, 0), worse)};
                  },
                  [&](OpBuilder &, Location) -> SmallVector<Value> { return {h[0]}; });
            })[0];
        // Heapsort: the worst of the first `last + 1` moves to slot `last`.
        heap = forLoop(
            b, l, indexConstant(b, l, 0), kept, ValueRange{heap},
            [&](OpBuilder &b, Location l, Value t, ValueRange h) -> SmallVector<Value> {
              Value last = subI(b, l, subI(b, l, kept, indexConstant(b, l, 1)), t);
              Value root =
                  tensor::ExtractOp::create(b, l, h[0], ValueRange{indexConstant(b, l, 0)});
              Value tail = tensor::ExtractOp::create(b, l, h[0], ValueRange{last});
              Value swapped =
                  tensor::InsertOp::create(b, l, tail, h[0], ValueRange{indexConstant(b, l, 0)});
              swapped = tensor::InsertOp::create(b, l, root, swapped, ValueRange{last});
              return {heapSiftDown(b, l, swapped, last, indexConstant(b, l, 0), worse)};
            })[0];
        ValueRange written = forLoop(
            b, l, indexConstant(b, l, 0), kept, ValueRange{s[0], s[1]},
            [&](OpBuilder &b, Location l, Value slot, ValueRange o) -> SmallVector<Value> {
              Value at = tensor::ExtractOp::create(b, l, heap, ValueRange{slot});
              Value v = tensor::InsertOp::create(b, l, element(b, l, at), o[0], coords(slot));
              Value i = tensor::InsertOp::create(b, l, toI64(b, l, at), o[1], coords(slot));
              return {v, i};
            });
        return {written[0], written[1], heap};
      });
  return {result[0], result[1]};
}

struct TopKPattern : DynamicShapePattern<onnx::TopKOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::TopKOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto valuesType = getRankedType(*getTypeConverter(), op.getValues());
    auto indicesType = getRankedType(*getTypeConverter(), op.getIndices());
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!valuesType || !indicesType || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    int64_t rank = inputType.getRank();
    if (rank == 0 || op.getAxis() < -rank || op.getAxis() >= rank)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " is out of range for rank " << rank;
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    int64_t n = inputType.getDimSize(axis);
    if (valuesType.getRank() != rank)
      return op.emitError() << describeNode(op) << ": Values must have the rank of X";
    int64_t k = valuesType.getDimSize(axis);
    SmallVector<int64_t> kValues;
    if (succeeded(getConstantInts(op.getK(), kValues)) &&
        (kValues.size() != 1 || (!ShapedType::isDynamic(k) && kValues[0] != k)))
      return op.emitError() << describeNode(op) << ": K does not match the result type";
    if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(n) && k > n)
      return op.emitError() << describeNode(op) << ": K = " << k << " exceeds the axis size "
                            << n;
    SmallVector<int64_t> shape(inputType.getShape());
    shape[axis] = k;
    if (!canHoldShape(valuesType, shape) || !canHoldShape(indicesType, shape))
      return op.emitError() << describeNode(op) << ": Values type does not match X";
    // Output sizes: X's, with K (the static result dim, else K's value)
    // along the axis.
    SmallVector<Value> outSizes, xSizes;
    for (int64_t i = 0; i < rank; ++i)
      xSizes.push_back(dimSize(rewriter, loc, adaptor.getX(), i));
    outSizes = xSizes;
    if (ShapedType::isDynamic(k)) {
      Value kValue = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getK(),
          SmallVector<Value>(cast<RankedTensorType>(adaptor.getK().getType()).getRank(),
                             arith::ConstantIndexOp::create(rewriter, loc, 0)));
      Value kIndex = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), kValue);
      // A K outside [0, n] is the caller's error: report it, and size the
      // outputs with K clamped so that nothing past the axis is read.
      Value fits = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ule, kIndex,
                                         xSizes[axis]);
      cf::AssertOp::create(rewriter, loc, fits,
                           describeNode(op) + ": K must be in [0, n] for an axis of n elements");
      outSizes[axis] = arith::SelectOp::create(rewriter, loc, fits, kIndex, xSizes[axis]);
    } else {
      outSizes[axis] = arith::ConstantIndexOp::create(rewriter, loc, k);
    }
    TopKProblem problem{adaptor.getX(),
                        axis,
                        xSizes,
                        outSizes,
                        valuesType,
                        indicesType,
                        op.getLargest() != 0,
                        isUnsignedElement(op.getX())};
    bool ranked = !ShapedType::isDynamic(n) && n <= kRankedTopKMaxAxis;
    rewriter.replaceOp(op, ranked ? rankedTopK(rewriter, loc, problem)
                                  : heapTopK(rewriter, loc, problem));
    return success();
  }
};

} // namespace

void populateTopKPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<TopKPattern>(converter, patterns.getContext());
}

} // namespace smelt
