//===- NonMaxSuppression.cpp - greedy NMS as scalar scf loops -------------===//
//
// ONNX NonMaxSuppression, per batch and class: the boxes scoring above
// score_threshold are visited in descending score order (ties to the lower box
// index); a box is selected unless its IoU with an already selected box of the
// class exceeds iou_threshold; at most max_output_boxes_per_class are kept.
//
// The lowering does what a hand-written NMS does, so that detectors with tens
// of thousands of candidate boxes stay fast:
//  - the corners and area of every box are computed once per batch, and the
//    boxes are sorted by their lower first coordinate (min0);
//  - the candidates of a class are sorted by score, then visited in order,
//    stopping once the class is full;
//  - both sorts are radix sorts of the floats' ordered bits (ScalarLoops'
//    radixSort), stable, so equal scores keep the lower box index first: a
//    heap sort's mispredicted branch at every step of O(n log n) took 2/5 of
//    SSDLite's NMS;
//  - the selected boxes are kept at their sorted positions, column by column,
//    and a candidate is compared only with the window of positions whose
//    boxes can intersect it along the first axis (two binary searches), a
//    vector of kSelectedLanes of them per step, stopping at the first step
//    with a suppressor. torchvision's batched NMS puts every class in one
//    call with the classes offset apart, so without the window a kept
//    candidate met every box selected so far: 3/4 of SSDLite's time.
// The output buffer has room for every box of every class and is sliced to
// the selected count, a run-time value.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/ConvertOnnxToLinalg/ScalarLoops.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;

namespace smelt {
using namespace scalar_loops;
namespace {

/// Rows of a box's geometry: its corners (min0, min1, max0, max1) and area.
constexpr int64_t kGeometryRows = 5;

/// The float scratch of NMS, one column per box, per batch:
///  - rows [0, 5): the geometry of box i, in column i;
///  - then, per position p in the boxes' order by min0: the geometry of the
///    box there if the class being selected has selected it, else a NaN min0
///    (no comparison with NaN holds, so it suppresses nothing); the min0 of
///    the box there (NaN as +inf, last); and the largest max0 of the boxes up
///    to p (NaN max0s left out), which never decreases.
/// One tensor, not several: two empty tensors of one type may be merged by
/// CSE and then share a buffer.
constexpr int64_t kBoxRow = 0;
constexpr int64_t kSelectedRow = kGeometryRows;
constexpr int64_t kSortedMin0Row = 2 * kGeometryRows;
constexpr int64_t kPrefixMax0Row = kSortedMin0Row + 1;
constexpr int64_t kScratchRows = kPrefixMax0Row + 1;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Selected boxes compared with a candidate per step: one AVX-512 vector of
/// f32 (two on AVX2, which LLVM splits).
constexpr int64_t kSelectedLanes = 16;

/// Builds the loops of one NonMaxSuppression op.
class NmsBuilder {
public:
  NmsBuilder(Value boxes, Value scores, bool centerBox, Value iouThreshold, Value scoreThreshold,
             Value maxOut, Value numBoxes)
      : boxes(boxes), scores(scores), centerBox(centerBox), iouThreshold(iouThreshold),
        scoreThreshold(scoreThreshold), maxOut(maxOut), numBoxes(numBoxes) {}

  /// Fills the box rows of `scratch` with the corners and area of each box of batch `n`.
  Value boxGeometry(OpBuilder &b, Location loc, Value n, Value scratch) const {
    return forLoop(b, loc, indexConstant(b, loc, 0), numBoxes, ValueRange{scratch},
                   [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
                     SmallVector<Value> c = corners(b, l, n, i);
                     c.push_back(area(b, l, c));
                     Value g = s[0];
                     for (int64_t k = 0; k < kGeometryRows; ++k)
                       g = tensor::InsertOp::create(
                           b, l, c[k], g, ValueRange{indexConstant(b, l, kBoxRow + k), i});
                     return {g};
                   })[0];
  }

  /// Sorts the boxes by min0 and fills the position rows of `scratch` (no
  /// box selected, sorted min0s, prefix max0s) and the box -> position map in
  /// slots [numBoxes, 2 numBoxes) of `slots`. Returns (slots, keys, counts,
  /// scratch).
  SmallVector<Value> sweepIndex(OpBuilder &b, Location loc, Value slots, Value keys,
                                Value counts, Value scratch) const {
    Value zero = indexConstant(b, loc, 0);
    auto min0Key = [&](OpBuilder &b, Location l, Value geometries, Value box) {
      Value min0 = geometry(b, l, geometries, kBoxRow, box);
      return nanAs(b, l, min0, scalarConstant(b, l, min0.getType(), kInfinity));
    };
    ValueRange unsorted = forLoop(
        b, loc, zero, numBoxes, ValueRange{slots, keys},
        [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
          Value key = orderedKey(b, l, min0Key(b, l, scratch, i));
          return {tensor::InsertOp::create(b, l, i, s[0], ValueRange{i}),
                  tensor::InsertOp::create(b, l, key, s[1], ValueRange{i})};
        });
    SmallVector<Value> sorted = sortSlots(b, loc, unsorted[0], unsorted[1], counts, numBoxes);
    slots = sorted[0];
    keys = sorted[1];
    counts = sorted[2];
    Type fType = cast<RankedTensorType>(scratch.getType()).getElementType();
    Value lowest = lowestValue(b, loc, fType, /*isUnsigned=*/false);
    ValueRange filled = forLoop(
        b, loc, zero, numBoxes, ValueRange{slots, scratch, lowest},
        [&](OpBuilder &b, Location l, Value p, ValueRange s) -> SmallVector<Value> {
          Value box = tensor::ExtractOp::create(b, l, s[0], ValueRange{p});
          Value slots = tensor::InsertOp::create(b, l, p, s[0], ValueRange{addI(b, l, numBoxes, box)});
          Value max0 = geometry(b, l, s[1], kBoxRow + 2, box);
          Value prefixMax0 = arith::MaximumFOp::create(b, l, s[2], nanAs(b, l, max0, lowest));
          // Every read of the scratch comes before the writes: in place.
          Value min0 = min0Key(b, l, s[1], box);
          Value g = unselect(b, l, s[1], p);
          g = setGeometry(b, l, min0, g, kSortedMin0Row, p);
          g = setGeometry(b, l, prefixMax0, g, kPrefixMax0Row, p);
          return {slots, g, prefixMax0};
        });
    return {filled[0], keys, counts, filled[1]};
  }

  /// Selects the boxes of class `c` of batch `n`: appends rows (n, c, box) to
  /// `out` from row `count`. `slots` and `scratch` are as sweepIndex left
  /// them, and are so again on return. Returns the new (out, count, slots,
  /// keys, counts, scratch).
  SmallVector<Value> selectClass(OpBuilder &b, Location loc, Value n, Value c, Value out,
                                 Value count, Value slots, Value keys, Value counts,
                                 Value scratch) const {
    // Candidates: the boxes above the threshold, in slots [0, size) in box
    // order, keyed by score, higher first. Each index is written at the next
    // free slot, which only advances when the box qualifies.
    ValueRange candidates = forLoop(
        b, loc, indexConstant(b, loc, 0), numBoxes,
        ValueRange{slots, keys, indexConstant(b, loc, 0)},
        [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
          Value score = tensor::ExtractOp::create(b, l, scores, ValueRange{n, c, i});
          Value keep = cmpF(b, l, arith::CmpFPredicate::OGT, score, scoreThreshold);
          Value key = orderedKey(b, l, score);
          Value allOnes = arith::ConstantOp::create(
              b, l, key.getType(), b.getIntegerAttr(key.getType(), -1));
          Value descending = arith::XOrIOp::create(b, l, key, allOnes);
          Value h = tensor::InsertOp::create(b, l, i, s[0], ValueRange{s[2]});
          Value k = tensor::InsertOp::create(b, l, descending, s[1], ValueRange{s[2]});
          return {h, k, select(b, l, keep, addI(b, l, s[2], indexConstant(b, l, 1)), s[2])};
        });
    Value size = candidates[2];
    SmallVector<Value> sorted = sortSlots(b, loc, candidates[0], candidates[1], counts, size);
    Value order = sorted[0];
    keys = sorted[1];
    counts = sorted[2];

    Value classStart = count;
    ValueRange done = whileLoop(
        b, loc, ValueRange{out, count, indexConstant(b, loc, 0), scratch},
        [&](OpBuilder &b, Location l, ValueRange s) {
          Value left = cmpI(b, l, arith::CmpIPredicate::ult, s[2], size);
          Value room = cmpI(b, l, arith::CmpIPredicate::slt, subI(b, l, s[1], classStart), maxOut);
          return andI(b, l, left, room);
        },
        [&](OpBuilder &b, Location l, ValueRange s) -> SmallVector<Value> {
          Value out = s[0], count = s[1], next = s[2], scratch = s[3];
          Value top = tensor::ExtractOp::create(b, l, order, ValueRange{next});
          next = addI(b, l, next, indexConstant(b, l, 1));

          SmallVector<Value> candidate;
          for (int64_t k = 0; k < kGeometryRows; ++k)
            candidate.push_back(geometry(b, l, scratch, kBoxRow + k, top));
          Value suppressed = isSuppressed(b, l, candidate, scratch);
          ValueRange kept = ifElse(
              b, l, suppressed, TypeRange{out.getType(), count.getType(), scratch.getType()},
              [&](OpBuilder &, Location) -> SmallVector<Value> { return {out, count, scratch}; },
              [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                Value o = out;
                Value row[3] = {n, c, top};
                for (int64_t k = 0; k < 3; ++k)
                  o = tensor::InsertOp::create(b, l, toI64(b, l, row[k]), o,
                                               ValueRange{count, indexConstant(b, l, k)});
                Value at = position(b, l, order, top);
                Value sel = scratch;
                for (int64_t k = 0; k < kGeometryRows; ++k)
                  sel = setGeometry(b, l, candidate[k], sel, kSelectedRow + k, at);
                return {o, addI(b, l, count, indexConstant(b, l, 1)), sel};
              });
          return {kept[0], kept[1], next, kept[2]};
        });
    out = done[0];
    count = done[1];
    slots = order;
    // The next class starts with no box selected.
    scratch = forLoop(b, loc, classStart, count, ValueRange{done[3]},
                      [&](OpBuilder &b, Location l, Value r, ValueRange s) -> SmallVector<Value> {
                        Value box = tensor::ExtractOp::create(
                            b, l, out, ValueRange{r, indexConstant(b, l, 2)});
                        Value at = position(b, l, slots, toIndex(b, l, box, false));
                        return {unselect(b, l, s[0], at)};
                      })[0];
    return {out, count, slots, keys, counts, scratch};
  }

private:
  /// Sorts slots [0, size) of `slots` by their keys (radixSort), with slots
  /// [2 numBoxes, 3 numBoxes) and keys [numBoxes, 2 numBoxes) as the spare
  /// room: the position map in between stays. Returns (slots, keys, counts).
  SmallVector<Value> sortSlots(OpBuilder &b, Location l, Value slots, Value keys, Value counts,
                               Value size) const {
    Value twice = mulI(b, l, numBoxes, indexConstant(b, l, 2));
    return radixSort(b, l, slots, keys, counts, size, twice, numBoxes);
  }

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

  /// iou(p, q) > threshold lane by lane, false for empty boxes or empty
  /// intersections; p and q are geometry rows, vectors of one shape.
  Value suppresses(OpBuilder &b, Location l, ArrayRef<Value> p, ArrayRef<Value> q) const {
    Value fzero = splatLike(b, l, scalarConstant(b, l, getElementTypeOrSelf(p[0]), 0), p[0]);
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
    return andI(b, l, ok,
                cmpF(b, l, arith::CmpFPredicate::OGT, iou, splatLike(b, l, iouThreshold, p[0])));
  }

  /// `scalar` in every lane of a vector of `like`'s type.
  static Value splatLike(OpBuilder &b, Location l, Value scalar, Value like) {
    return vector::BroadcastOp::create(b, l, cast<VectorType>(like.getType()), scalar);
  }

  /// Whether a box selected so far suppresses `candidate`. Only the window
  /// of positions holding boxes with min0 < candidate max0 and, up to there,
  /// some max0 > candidate min0 can intersect it (an empty intersection
  /// suppresses nothing); it is read kSelectedLanes positions per step, the
  /// last step masked (masked-off lanes read NaN, which suppresses nothing),
  /// and the scan stops after the first step with a suppressor.
  Value isSuppressed(OpBuilder &b, Location loc, ArrayRef<Value> candidate, Value scratch) const {
    Value begin = partitionPoint(b, loc, numBoxes, [&](OpBuilder &b, Location l, Value p) {
      return cmpF(b, l, arith::CmpFPredicate::OGT, geometry(b, l, scratch, kPrefixMax0Row, p),
                  candidate[0]);
    });
    Value end = partitionPoint(b, loc, numBoxes, [&](OpBuilder &b, Location l, Value p) {
      return notI1(b, l,
                   cmpF(b, l, arith::CmpFPredicate::OLT,
                        geometry(b, l, scratch, kSortedMin0Row, p), candidate[2]));
    });
    Type fType = candidate[0].getType();
    auto lanesType = VectorType::get({kSelectedLanes}, fType);
    auto maskType = VectorType::get({kSelectedLanes}, b.getI1Type());
    AffineMap alongPositions = AffineMap::getMinorIdentityMap(2, 1, b.getContext());
    Value falseV = arith::ConstantIntOp::create(b, loc, 0, 1);
    return whileLoop(
        b, loc, ValueRange{begin, falseV},
        [&](OpBuilder &b, Location l, ValueRange s) {
          return andI(b, l, cmpI(b, l, arith::CmpIPredicate::ult, s[0], end), notI1(b, l, s[1]));
        },
        [&](OpBuilder &b, Location l, ValueRange s) -> SmallVector<Value> {
          Value first = s[0];
          Value live =
              vector::CreateMaskOp::create(b, l, maskType, ValueRange{subI(b, l, end, first)});
          Value nan = scalarConstant(b, l, fType, kNaN);
          SmallVector<Value> selected, candidateLanes;
          auto readRow = [&](OpBuilder &b, Location l, int64_t k) {
            selected.push_back(vector::TransferReadOp::create(
                b, l, lanesType, scratch,
                ValueRange{indexConstant(b, l, kSelectedRow + k), first}, alongPositions, nan,
                live, b.getBoolArrayAttr({false})));
            candidateLanes.push_back(splatLike(b, l, candidate[k], selected.back()));
          };
          for (int64_t k = 0; k < 4; ++k)
            readRow(b, l, k);
          // Most pairs in the window still do not overlap: four comparisons
          // rule out a whole step before the IoU's division. A pair they rule
          // out has an empty intersection, so the result is the same.
          auto above = [&](Value x, Value y) {
            return cmpF(b, l, arith::CmpFPredicate::OGT, x, y);
          };
          Value overlap = andI(
              b, l,
              andI(b, l, above(candidateLanes[2], selected[0]),
                   above(selected[2], candidateLanes[0])),
              andI(b, l, above(candidateLanes[3], selected[1]),
                   above(selected[3], candidateLanes[1])));
          Value anyOverlap = vector::ReductionOp::create(b, l, vector::CombiningKind::OR, overlap);
          Value suppressed = ifElse(
              b, l, anyOverlap, TypeRange{b.getI1Type()},
              [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                readRow(b, l, kGeometryRows - 1);
                Value lanes = suppresses(b, l, candidateLanes, selected);
                return {vector::ReductionOp::create(b, l, vector::CombiningKind::OR, lanes)};
              },
              [&](OpBuilder &b, Location l) -> SmallVector<Value> {
                return {arith::ConstantIntOp::create(b, l, 0, 1)};
              })[0];
          return {addI(b, l, first, indexConstant(b, l, kSelectedLanes)), suppressed};
        })[1];
  }

  Value geometry(OpBuilder &b, Location l, Value scratch, int64_t row, Value column) const {
    return tensor::ExtractOp::create(b, l, scratch, ValueRange{indexConstant(b, l, row), column});
  }

  Value setGeometry(OpBuilder &b, Location l, Value v, Value scratch, int64_t row,
                    Value column) const {
    return tensor::InsertOp::create(b, l, v, scratch,
                                    ValueRange{indexConstant(b, l, row), column});
  }

  /// Marks sorted position `p` as holding no selected box (a NaN min0).
  Value unselect(OpBuilder &b, Location l, Value scratch, Value p) const {
    Type fType = cast<RankedTensorType>(scratch.getType()).getElementType();
    return setGeometry(b, l, scalarConstant(b, l, fType, kNaN), scratch, kSelectedRow, p);
  }

  /// The sorted position of `box`, from the map in `slots`.
  Value position(OpBuilder &b, Location l, Value slots, Value box) const {
    return tensor::ExtractOp::create(b, l, slots, ValueRange{addI(b, l, numBoxes, box)});
  }

  /// `x`, or `replacement` where x is NaN.
  static Value nanAs(OpBuilder &b, Location l, Value x, Value replacement) {
    return select(b, l, cmpF(b, l, arith::CmpFPredicate::UNO, x, x), replacement, x);
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
        rewriter, loc, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(kScratchRows), boxesSize},
        fType);
    // Index slots: the boxes' sort order, then the class's candidates in
    // score order, in [0, n); the position of each box in that order in [n,
    // 2n); the sorts' spare room in [2n, 3n). Their sort keys, integers of
    // the boxes' float width, in [0, n), and spare room in [n, 2n).
    auto slotsOf = [&](int64_t boxesTimes, Type type) {
      int64_t staticSize = ShapedType::isDynamic(boxesType.getDimSize(1))
                               ? ShapedType::kDynamic
                               : boxesTimes * boxesType.getDimSize(1);
      Value size = mulI(rewriter, loc, numBoxes, indexConstant(rewriter, loc, boxesTimes));
      return tensor::EmptyOp::create(rewriter, loc, ArrayRef<OpFoldResult>{sizeOf(size, staticSize)},
                                     type);
    };
    Value slots = slotsOf(3, rewriter.getIndexType());
    Type keyType = rewriter.getIntegerType(fType.getIntOrFloatBitWidth());
    Value keys = slotsOf(2, keyType);
    // The radix sorts' byte counts, made here: inside the loops, an
    // allocation would keep NMS off a GPU.
    Value counts = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{radixPasses(keyType) * kRadixBuckets},
        rewriter.getIndexType());

    NmsBuilder nms(boxes, scores, op.getCenterPointBox() == 1, iouThreshold, scoreThreshold,
                   maxOut, numBoxes);
    Value zero = indexConstant(rewriter, loc, 0);
    ValueRange result = forLoop(
        rewriter, loc, zero, numBatches, ValueRange{out, zero, slots, keys, counts, scratch},
        [&](OpBuilder &b, Location l, Value n, ValueRange s) -> SmallVector<Value> {
          Value scratch = nms.boxGeometry(b, l, n, s[5]);
          SmallVector<Value> index = nms.sweepIndex(b, l, s[2], s[3], s[4], scratch);
          ValueRange r = forLoop(
              b, l, indexConstant(b, l, 0), numClasses,
              ValueRange{s[0], s[1], index[0], index[1], index[2], index[3]},
              [&](OpBuilder &b, Location l, Value c, ValueRange t) -> SmallVector<Value> {
                return nms.selectClass(b, l, n, c, t[0], t[1], t[2], t[3], t[4], t[5]);
              });
          return {r[0], r[1], r[2], r[3], r[4], r[5]};
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
