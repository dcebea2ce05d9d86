//===- NonMaxSuppression.cpp - greedy NMS as scalar scf loops -------------===//
//
// ONNX NonMaxSuppression, per batch and class: the boxes scoring above
// score_threshold are visited in descending score order (ties to the lower box
// index); a box is selected unless its IoU with an already selected box of the
// class exceeds iou_threshold; at most max_output_boxes_per_class are kept.
//
// The lowering does what a hand-written NMS does, so that detectors with tens
// of thousands of candidate boxes stay fast:
//  - the corners and area of every box are computed once per batch;
//  - the candidates of a class go into a binary max-heap (O(n) to build), and
//    are popped in order, O(log n) each, stopping once the class is full;
//  - a candidate is compared only with the selected boxes, whose geometry is
//    kept contiguous, and the comparison stops at the first suppressor.
// The output buffer has room for every box of every class and is sliced to
// the selected count, a run-time value.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/ConvertOnnxToLinalg/ScalarLoops.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace smelt {
using namespace scalar_loops;
namespace {

/// Columns of a box's geometry: its corners (min0, min1, max0, max1) and area.
constexpr int64_t kGeometryColumns = 5;

/// The scratch rows of NMS, one per box: the geometry of box i in columns
/// [0, 5) and that of the i-th selected box of the class in [5, 10). One
/// tensor, not two: two empty tensors of one type may be merged by CSE and
/// then share a buffer.
constexpr int64_t kBoxColumn = 0;
constexpr int64_t kSelectedColumn = kGeometryColumns;
constexpr int64_t kScratchColumns = 2 * kGeometryColumns;

/// Builds the loops of one NonMaxSuppression op.
class NmsBuilder {
public:
  NmsBuilder(Value boxes, Value scores, bool centerBox, Value iouThreshold, Value scoreThreshold,
             Value maxOut, Value numBoxes)
      : boxes(boxes), scores(scores), centerBox(centerBox), iouThreshold(iouThreshold),
        scoreThreshold(scoreThreshold), maxOut(maxOut), numBoxes(numBoxes) {}

  /// Fills the box columns of `scratch` with the corners and area of each box of batch `n`.
  Value boxGeometry(OpBuilder &b, Location loc, Value n, Value scratch) const {
    return forLoop(b, loc, indexConstant(b, loc, 0), numBoxes, ValueRange{scratch},
                   [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
                     SmallVector<Value> c = corners(b, l, n, i);
                     c.push_back(area(b, l, c));
                     Value g = s[0];
                     for (int64_t k = 0; k < kGeometryColumns; ++k)
                       g = tensor::InsertOp::create(
                           b, l, c[k], g, ValueRange{i, indexConstant(b, l, kBoxColumn + k)});
                     return {g};
                   })[0];
  }

  /// Selects the boxes of class `c` of batch `n`: appends rows (n, c, box) to
  /// `out` from row `count`. Returns the new (out, count, heap, scratch).
  SmallVector<Value> selectClass(OpBuilder &b, Location loc, Value n, Value c, Value out,
                                 Value count, Value heap, Value scratch) const {
    // Candidates: the boxes above the threshold. Each index is written at the
    // next free slot, which only advances when the box qualifies.
    ValueRange candidates = forLoop(
        b, loc, indexConstant(b, loc, 0), numBoxes, ValueRange{heap, indexConstant(b, loc, 0)},
        [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
          Value score = tensor::ExtractOp::create(b, l, scores, ValueRange{n, c, i});
          Value keep = cmpF(b, l, arith::CmpFPredicate::OGT, score, scoreThreshold);
          Value h = tensor::InsertOp::create(b, l, i, s[0], ValueRange{s[1]});
          return {h, select(b, l, keep, addI(b, l, s[1], indexConstant(b, l, 1)), s[1])};
        });
    Value size = candidates[1];
    auto nearerRoot = [&](OpBuilder &b, Location l, Value i, Value j) {
      return comesBefore(b, l, n, c, i, j);
    };
    heap = heapify(b, loc, candidates[0], size, nearerRoot);

    Value classStart = count;
    ValueRange done = whileLoop(
        b, loc, ValueRange{out, count, heap, size, scratch},
        [&](OpBuilder &b, Location l, ValueRange s) {
          Value left = cmpI(b, l, arith::CmpIPredicate::ugt, s[3], indexConstant(b, l, 0));
          Value room = cmpI(b, l, arith::CmpIPredicate::slt, subI(b, l, s[1], classStart), maxOut);
          return andI(b, l, left, room);
        },
        [&](OpBuilder &b, Location l, ValueRange s) -> SmallVector<Value> {
          Value out = s[0], count = s[1], heap = s[2], size = s[3], scratch = s[4];
          // Pop the best candidate: the last leaf moves to the root and sinks.
          Value top = tensor::ExtractOp::create(b, l, heap, ValueRange{indexConstant(b, l, 0)});
          size = subI(b, l, size, indexConstant(b, l, 1));
          Value last = tensor::ExtractOp::create(b, l, heap, ValueRange{size});
          heap = tensor::InsertOp::create(b, l, last, heap, ValueRange{indexConstant(b, l, 0)});
          heap = heapSiftDown(b, l, heap, size, indexConstant(b, l, 0), nearerRoot);

          SmallVector<Value> candidate;
          for (int64_t k = 0; k < kGeometryColumns; ++k)
            candidate.push_back(
                tensor::ExtractOp::create(b, l, scratch,
                                          ValueRange{top, indexConstant(b, l, kBoxColumn + k)}));
          Value numSelected = subI(b, l, count, classStart);
          Value suppressed = isSuppressed(b, l, candidate, scratch, numSelected);
          ValueRange kept = ifElse(
              b, l, suppressed, TypeRange{out.getType(), count.getType(), scratch.getType()},
              [&](OpBuilder &, Location) -> SmallVector<Value> { return {out, count, scratch}; },
              [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                Value o = out;
                Value row[3] = {n, c, top};
                for (int64_t k = 0; k < 3; ++k)
                  o = tensor::InsertOp::create(b, l, toI64(b, l, row[k]), o,
                                               ValueRange{count, indexConstant(b, l, k)});
                Value sel = scratch;
                for (int64_t k = 0; k < kGeometryColumns; ++k)
                  sel = tensor::InsertOp::create(
                      b, l, candidate[k], sel,
                      ValueRange{numSelected, indexConstant(b, l, kSelectedColumn + k)});
                return {o, addI(b, l, count, indexConstant(b, l, 1)), sel};
              });
          return {kept[0], kept[1], heap, size, kept[2]};
        });
    return {done[0], done[1], done[2], done[4]};
  }

private:
  /// (min0, min1, max0, max1) of box `i` of batch `n`.
  SmallVector<Value> corners(OpBuilder &b, Location l, Value n, Value i) const {
    SmallVector<Value> c;
    for (int64_t k = 0; k < 4; ++k)
      c.push_back(tensor::ExtractOp::create(b, l, boxes, ValueRange{n, i, indexConstant(b, l, k)}));
    if (centerBox) {
      Value half = scalarConstant(b, l, c[0].getType(), 0.5);
      Value h0 = arith::MulFOp::create(b, l, c[2], half);
      Value h1 = arith::MulFOp::create(b, l, c[3], half);
      return {arith::SubFOp::create(b, l, c[0], h0), arith::SubFOp::create(b, l, c[1], h1),
              arith::AddFOp::create(b, l, c[0], h0), arith::AddFOp::create(b, l, c[1], h1)};
    }
    return {arith::MinimumFOp::create(b, l, c[0], c[2]),
            arith::MinimumFOp::create(b, l, c[1], c[3]),
            arith::MaximumFOp::create(b, l, c[0], c[2]),
            arith::MaximumFOp::create(b, l, c[1], c[3])};
  }

  static Value area(OpBuilder &b, Location l, ArrayRef<Value> c) {
    return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, c[2], c[0]),
                                 arith::SubFOp::create(b, l, c[3], c[1]));
  }

  /// iou(p, q) > threshold, false for empty boxes or empty intersections;
  /// p and q are geometry rows.
  Value suppresses(OpBuilder &b, Location l, ArrayRef<Value> p, ArrayRef<Value> q) const {
    Value fzero = scalarConstant(b, l, p[0].getType(), 0);
    Value lo0 = arith::MaximumFOp::create(b, l, p[0], q[0]);
    Value lo1 = arith::MaximumFOp::create(b, l, p[1], q[1]);
    Value hi0 = arith::MinimumFOp::create(b, l, p[2], q[2]);
    Value hi1 = arith::MinimumFOp::create(b, l, p[3], q[3]);
    Value w = arith::MaximumFOp::create(b, l, arith::SubFOp::create(b, l, hi0, lo0), fzero);
    Value h = arith::MaximumFOp::create(b, l, arith::SubFOp::create(b, l, hi1, lo1), fzero);
    Value inter = arith::MulFOp::create(b, l, w, h);
    Value areaP = p[4], areaQ = q[4];
    Value uni = arith::SubFOp::create(b, l, arith::AddFOp::create(b, l, areaP, areaQ), inter);
    Value iou = arith::DivFOp::create(b, l, inter, uni);
    Value ok = cmpF(b, l, arith::CmpFPredicate::OGT, areaP, fzero);
    ok = andI(b, l, ok, cmpF(b, l, arith::CmpFPredicate::OGT, areaQ, fzero));
    ok = andI(b, l, ok, cmpF(b, l, arith::CmpFPredicate::OGT, inter, fzero));
    return andI(b, l, ok, cmpF(b, l, arith::CmpFPredicate::OGT, iou, iouThreshold));
  }

  /// Whether one of the first `numSelected` selected boxes in `scratch`
  /// suppresses `candidate`; stops at the first that does.
  Value isSuppressed(OpBuilder &b, Location loc, ArrayRef<Value> candidate, Value scratch,
                     Value numSelected) const {
    Value falseV = arith::ConstantIntOp::create(b, loc, 0, 1);
    return whileLoop(
        b, loc, ValueRange{indexConstant(b, loc, 0), falseV},
        [&](OpBuilder &b, Location l, ValueRange s) {
          return andI(b, l, cmpI(b, l, arith::CmpIPredicate::ult, s[0], numSelected),
                      notI1(b, l, s[1]));
        },
        [&](OpBuilder &b, Location l, ValueRange s) -> SmallVector<Value> {
          SmallVector<Value> q;
          for (int64_t k = 0; k < kGeometryColumns; ++k)
            q.push_back(tensor::ExtractOp::create(
                b, l, scratch, ValueRange{s[0], indexConstant(b, l, kSelectedColumn + k)}));
          // Most pairs do not overlap (torchvision offsets each class's boxes
          // apart): four comparisons reject them before the IoU's division.
          auto above = [&](Value x, Value y) {
            return cmpF(b, l, arith::CmpFPredicate::OGT, x, y);
          };
          Value overlap =
              andI(b, l, andI(b, l, above(candidate[2], q[0]), above(q[2], candidate[0])),
                   andI(b, l, above(candidate[3], q[1]), above(q[3], candidate[1])));
          Value suppressed = ifElse(
              b, l, overlap, TypeRange{b.getI1Type()},
              [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                return {suppresses(b, l, candidate, q)};
              },
              [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                return {arith::ConstantIntOp::create(b, l, 0, 1)};
              })[0];
          return {addI(b, l, s[0], indexConstant(b, l, 1)), suppressed};
        })[1];
  }

  /// Whether box i comes before box j: a higher score, or the same score and a
  /// lower index.
  Value comesBefore(OpBuilder &b, Location l, Value n, Value c, Value i, Value j) const {
    Value si = tensor::ExtractOp::create(b, l, scores, ValueRange{n, c, i});
    Value sj = tensor::ExtractOp::create(b, l, scores, ValueRange{n, c, j});
    Value higher = cmpF(b, l, arith::CmpFPredicate::OGT, si, sj);
    Value tie = andI(b, l, cmpF(b, l, arith::CmpFPredicate::OEQ, si, sj),
                     cmpI(b, l, arith::CmpIPredicate::ult, i, j));
    return arith::OrIOp::create(b, l, higher, tie);
  }

  Value boxes, scores;
  bool centerBox;
  Value iouThreshold, scoreThreshold, maxOut, numBoxes;
};

struct NonMaxSuppressionPattern : DynamicShapePattern<onnx::NonMaxSuppressionOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::NonMaxSuppressionOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    auto boxesType = dyn_cast<RankedTensorType>(boxes.getType());
    auto scoresType = dyn_cast<RankedTensorType>(scores.getType());
    if (!boxesType || !scoresType || boxesType.getRank() != 3 || scoresType.getRank() != 3)
      return op.emitError() << describeNode(op) << ": boxes and scores must be 3-d tensors";
    Value numBatches = dimSize(rewriter, loc, boxes, 0);
    Value numBoxes = dimSize(rewriter, loc, boxes, 1);
    Value numClasses = dimSize(rewriter, loc, scores, 1);
    Type fType = boxesType.getElementType();
    Type i64 = rewriter.getI64Type();

    // Optional scalar inputs: absent max_output means 0 boxes, absent
    // score_threshold means no filtering.
    Value maxOut = isa<NoneType>(adaptor.getMaxOutputBoxesPerClass().getType())
                       ? scalarConstant(rewriter, loc, i64, 0)
                       : readScalar(rewriter, loc, adaptor.getMaxOutputBoxesPerClass());
    maxOut = toIndex(rewriter, loc, maxOut, /*isUnsigned=*/false);
    Value iouThreshold = isa<NoneType>(adaptor.getIouThreshold().getType())
                             ? scalarConstant(rewriter, loc, fType, 0)
                             : readScalar(rewriter, loc, adaptor.getIouThreshold());
    Value scoreThreshold = isa<NoneType>(adaptor.getScoreThreshold().getType())
                               ? lowestValue(rewriter, loc, fType, false)
                               : readScalar(rewriter, loc, adaptor.getScoreThreshold());

    // Room for every box of every class; sliced to the selected count at the
    // end. Static sizes where known: constant-size buffers keep deallocation simple.
    auto sizeOf = [&](Value v, int64_t staticSize) -> OpFoldResult {
      if (ShapedType::isDynamic(staticSize))
        return getAsOpFoldResult(v);
      return rewriter.getIndexAttr(staticSize);
    };
    int64_t staticCapacity =
        boxesType.hasStaticShape() && scoresType.hasStaticShape()
            ? boxesType.getDimSize(0) * boxesType.getDimSize(1) * scoresType.getDimSize(1)
            : ShapedType::kDynamic;
    Value capacity = mulI(rewriter, loc, mulI(rewriter, loc, numBatches, numClasses), numBoxes);
    Value out = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{sizeOf(capacity, staticCapacity),
                                              rewriter.getIndexAttr(3)},
        i64);
    OpFoldResult boxesSize = sizeOf(numBoxes, boxesType.getDimSize(1));
    Value scratch = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{boxesSize, rewriter.getIndexAttr(kScratchColumns)},
        fType);
    Value heap = tensor::EmptyOp::create(rewriter, loc, ArrayRef<OpFoldResult>{boxesSize},
                                         rewriter.getIndexType());

    NmsBuilder nms(boxes, scores, op.getCenterPointBox() == 1, iouThreshold, scoreThreshold,
                   maxOut, numBoxes);
    Value zero = indexConstant(rewriter, loc, 0);
    ValueRange result = forLoop(
        rewriter, loc, zero, numBatches, ValueRange{out, zero, heap, scratch},
        [&](OpBuilder &b, Location l, Value n, ValueRange s) -> SmallVector<Value> {
          Value scratch = nms.boxGeometry(b, l, n, s[3]);
          ValueRange r = forLoop(
              b, l, indexConstant(b, l, 0), numClasses, ValueRange{s[0], s[1], s[2], scratch},
              [&](OpBuilder &b, Location l, Value c, ValueRange t) -> SmallVector<Value> {
                return nms.selectClass(b, l, n, c, t[0], t[1], t[2], t[3]);
              });
          return {r[0], r[1], r[2], r[3]};
        });
    SmallVector<OpFoldResult> offsets{rewriter.getIndexAttr(0), rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes{result[1], rewriter.getIndexAttr(3)};
    SmallVector<OpFoldResult> strides{rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)};
    Value selectedRows =
        tensor::ExtractSliceOp::create(rewriter, loc, result[0], offsets, sizes, strides);
    Type resultType = dataDependentType(*getTypeConverter(), op.getResult(), 2, i64);
    rewriter.replaceOp(op, castToResultType(rewriter, loc, selectedRows, resultType));
    return success();
  }
};

} // namespace

void populateNonMaxSuppressionPatterns(const TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns.add<NonMaxSuppressionPattern>(converter, patterns.getContext());
}

} // namespace smelt
