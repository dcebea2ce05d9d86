//===- Text.cpp - TfIdfVectorizer to linalg -------------------------------===//
//
// TfIdfVectorizer over integer tokens ([C] or [N, C]). The pool is known at
// compile time, so each n-gram length n in [min_gram_length,
// max_gram_length] becomes one linalg.generic over (row, pool n-gram, skip,
// start) that counts the starts where the n tokens spaced skip + 1 apart
// match the pool entry, exactly as ONNX's reference: unigrams are counted
// once (skip 0 only), longer n-grams for every skip in [0, max_skip_count].
// A last generic scatters the counts to their ngram_indexes columns and
// applies the mode (TF: count; IDF: weight if count > 0; TFIDF: weight *
// count; weights default to 1). String tokens (pool_strings) are rejected.
// Rows and length may be dynamic; the output width is static.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

struct TfIdfVectorizerPattern : DynamicShapePattern<onnx::TfIdfVectorizerOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::TfIdfVectorizerOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    auto outType = getRankedType(*getTypeConverter(), op.getY());
    if (!inType || !isa<IntegerType>(inType.getElementType()) || op.getPoolStrings())
      return op.emitError() << describeNode(op) << ": string input is not supported yet";
    if (!outType)
      return rewriter.notifyMatchFailure(op, "needs a ranked result");
    if (inType.getRank() != 1 && inType.getRank() != 2)
      return op.emitError() << describeNode(op) << ": input must be [C] or [N, C]";
    StringRef mode = op.getMode();
    if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
      return op.emitError() << describeNode(op) << ": unknown mode '" << mode << "'";
    ArrayRef<int64_t> counts = op.getNgramCounts(), indexes = op.getNgramIndexes();
    SmallVector<int64_t> pool;
    if (std::optional<ArrayRef<int64_t>> p = op.getPoolInt64s())
      pool.assign(p->begin(), p->end());
    int64_t minN = op.getMinGramLength(), maxN = op.getMaxGramLength();
    int64_t skips = op.getMaxSkipCount() + 1;
    if (minN < 1 || maxN < minN || skips < 1)
      return op.emitError() << describeNode(op) << ": needs 1 <= min_gram_length <= "
                            << "max_gram_length and max_skip_count >= 0";
    int64_t outSize = 0;
    for (int64_t index : indexes)
      outSize = std::max(outSize, index + 1);
    // Rows and length may be dynamic; the output width is static.
    int64_t rows = inType.getRank() == 2 ? inType.getDimSize(0) : 1;
    int64_t length = inType.getShape().back();
    if (outType.getRank() != inType.getRank() || outType.isDynamicDim(outType.getRank() - 1) ||
        outType.getShape().back() != outSize ||
        (inType.getRank() == 2 && !outType.isDynamicDim(0) && !ShapedType::isDynamic(rows) &&
         outType.getDimSize(0) != rows))
      return op.emitError() << describeNode(op) << ": result type " << op.getY().getType()
                            << " does not have " << outSize << " columns per row";
    Value rowsSize = inType.getRank() == 2 ? dimSize(rewriter, loc, adaptor.getX(), 0)
                                           : indexConstant(rewriter, loc, 1);
    Value lengthSize = dimSize(rewriter, loc, adaptor.getX(), inType.getRank() - 1);
    // Bounds used in the count bodies: constants where static.
    Value lengthBound, lastPosBound;
    if (ShapedType::isDynamic(length)) {
      lengthBound = lengthSize;
      lastPosBound = arith::SubIOp::create(rewriter, loc, lengthSize,
                                           indexConstant(rewriter, loc, 1));
    }

    Type i64 = rewriter.getI64Type(), f32 = rewriter.getF32Type();
    auto rowsType = RankedTensorType::get({rows, length}, inType.getElementType());
    Value x = adaptor.getX();
    if (x.getType() != rowsType)
      x = reshapeToSizes(rewriter, loc, x, rowsType, {rowsSize, lengthSize});

    // One count tensor [rows, entries of length n] per counted n; column[o]
    // names the (group, entry) that feeds output column o.
    SmallVector<Value> groupCounts;
    SmallVector<std::pair<int64_t, int64_t>> column(outSize, {-1, -1});
    int64_t entryId = 0;
    for (int64_t g = 0; g < static_cast<int64_t>(counts.size()); ++g) {
      int64_t n = g + 1;
      int64_t begin = counts[g];
      int64_t end = g + 1 < static_cast<int64_t>(counts.size()) ? counts[g + 1]
                                                                : static_cast<int64_t>(pool.size());
      if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()))
        return op.emitError() << describeNode(op) << ": ngram_counts do not index pool_int64s";
      int64_t entries = (end - begin) / n;
      int64_t firstId = entryId;
      entryId += entries;
      if (n < minN || n > maxN || entries == 0)
        continue;
      int64_t groupIndex = groupCounts.size();
      for (int64_t e = 0; e < entries; ++e) {
        if (firstId + e >= static_cast<int64_t>(indexes.size()))
          return op.emitError() << describeNode(op) << ": ngram_indexes has too few entries";
        int64_t o = indexes[firstId + e];
        if (o < 0)
          return op.emitError() << describeNode(op) << ": negative ngram_indexes";
        if (column[o].first >= 0)
          return op.emitError() << describeNode(op)
                                << ": n-grams sharing an output column are not supported yet";
        column[o] = {groupIndex, e};
      }
      auto poolType = RankedTensorType::get({entries, n}, i64);
      Value poolN = arith::ConstantOp::create(
          rewriter, loc,
          DenseIntElementsAttr::get(poolType, ArrayRef<int64_t>(pool).slice(begin, entries * n)));
      int64_t groupSkips = n == 1 ? 1 : skips;
      auto countType = RankedTensorType::get({rows, entries}, i64);
      Value init = createFilled(rewriter, loc, countType, {rowsSize, rowsSize},
                                scalarConstant(rewriter, loc, i64, 0));
      // Iteration space (row, entry, skip, start); the skip extent is carried
      // by a dummy input so the loop bounds are known.
      auto spanType = RankedTensorType::get({groupSkips, length}, rewriter.getI1Type());
      Value span = createEmpty(rewriter, loc, spanType, {lengthSize, lengthSize});
      auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
      SmallVector<AffineMap> maps{AffineMap::get(4, 0, {d(2), d(3)}, ctx),
                                  AffineMap::get(4, 0, {d(0), d(1)}, ctx)};
      SmallVector<utils::IteratorType> iterators{
          utils::IteratorType::parallel, utils::IteratorType::parallel,
          utils::IteratorType::reduction, utils::IteratorType::reduction};
      Value count =
          linalg::GenericOp::create(
              rewriter, loc, TypeRange{countType}, ValueRange{span}, ValueRange{init}, maps,
              iterators,
              [&](OpBuilder &b, Location l, ValueRange args) {
                Value row = linalg::IndexOp::create(b, l, 0);
                Value entry = linalg::IndexOp::create(b, l, 1);
                Value skip = linalg::IndexOp::create(b, l, 2);
                Value start = linalg::IndexOp::create(b, l, 3);
                auto index = [&](int64_t v) {
                  return Value(arith::ConstantIndexOp::create(b, l, v));
                };
                Value dist = arith::AddIOp::create(b, l, skip, index(1));
                // The n-gram fits: start + (n - 1) * dist < length.
                Value lastPos = arith::AddIOp::create(
                    b, l, start, arith::MulIOp::create(b, l, dist, index(n - 1)));
                Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, lastPos,
                                                  lengthBound ? lengthBound : index(length));
                for (int64_t k = 0; k < n; ++k) {
                  Value pos = arith::AddIOp::create(
                      b, l, start, arith::MulIOp::create(b, l, dist, index(k)));
                  pos = arith::MinUIOp::create(b, l, pos,
                                               lastPosBound ? lastPosBound : index(length - 1));
                  Value token = tensor::ExtractOp::create(b, l, x, ValueRange{row, pos});
                  token = castScalar(b, l, token, i64, false, false);
                  Value want = tensor::ExtractOp::create(b, l, poolN, ValueRange{entry, index(k)});
                  hit = arith::AndIOp::create(
                      b, l, hit,
                      arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, token, want));
                }
                Value add = arith::ExtUIOp::create(b, l, i64, hit);
                linalg::YieldOp::create(b, l, Value(arith::AddIOp::create(b, l, args[1], add)));
              })
              .getResult(0);
      groupCounts.push_back(count);
    }

    // Scatter to the output columns and weigh.
    SmallVector<float> weights(outSize, 1.0f);
    if (std::optional<ArrayRef<float>> w = op.getWeights(); w && !w->empty()) {
      for (int64_t o = 0; o < outSize && o < static_cast<int64_t>(w->size()); ++o)
        weights[o] = (*w)[o];
    }
    auto rowsOutType = RankedTensorType::get({rows, outSize}, f32);
    Value weightTensor = arith::ConstantOp::create(
        rewriter, loc,
        DenseFPElementsAttr::get(RankedTensorType::get({outSize}, f32), ArrayRef<float>(weights)));
    SmallVector<Value> entryTables;
    for (int64_t g = 0; g < static_cast<int64_t>(groupCounts.size()); ++g) {
      SmallVector<int64_t> table(outSize, -1);
      for (int64_t o = 0; o < outSize; ++o)
        if (column[o].first == g)
          table[o] = column[o].second;
      entryTables.push_back(arith::ConstantOp::create(
          rewriter, loc,
          DenseIntElementsAttr::get(RankedTensorType::get({outSize}, i64), ArrayRef<int64_t>(table))));
    }
    AffineMap id2 = rewriter.getMultiDimIdentityMap(2);
    AffineMap colOf2 = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<utils::IteratorType> parallel(2, utils::IteratorType::parallel);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{rowsOutType}, ValueRange{weightTensor},
            ValueRange{createEmpty(rewriter, loc, rowsOutType, {rowsSize, rowsSize})},
            ArrayRef<AffineMap>{colOf2, id2}, parallel,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value row = linalg::IndexOp::create(b, l, 0);
              Value col = linalg::IndexOp::create(b, l, 1);
              // The entry feeding this column, per group (-1: none).
              Value count = scalarConstant(b, l, i64, 0);
              for (auto [group, table] : llvm::enumerate(entryTables)) {
                Value entry = tensor::ExtractOp::create(b, l, table, ValueRange{col});
                Value present = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, entry,
                                                      scalarConstant(b, l, i64, 0));
                Value clamped = arith::MaxSIOp::create(b, l, entry, scalarConstant(b, l, i64, 0));
                Value c = tensor::ExtractOp::create(
                    b, l, groupCounts[group],
                    ValueRange{row, arith::IndexCastOp::create(b, l, b.getIndexType(), clamped)});
                count = arith::SelectOp::create(b, l, present, c, count);
              }
              Value tf = arith::SIToFPOp::create(b, l, f32, count);
              Value weight = args[0];
              Value value = tf;
              if (mode == "IDF") {
                Value present = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sgt, count,
                                                      scalarConstant(b, l, i64, 0));
                value = arith::SelectOp::create(b, l, present, weight,
                                                scalarConstant(b, l, f32, 0.0));
              } else if (mode == "TFIDF") {
                value = arith::MulFOp::create(b, l, weight, tf);
              }
              linalg::YieldOp::create(b, l, value);
            })
            .getResult(0);
    Value outWidth = indexConstant(rewriter, loc, outSize);
    if (result.getType() != outType)
      result = reshapeToSizes(rewriter, loc, result, outType,
                              outType.getRank() == 2 ? SmallVector<Value>{rowsSize, outWidth}
                                                     : SmallVector<Value>{outWidth});
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateTextPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<TfIdfVectorizerPattern>(converter, patterns.getContext());
}

} // namespace smelt
