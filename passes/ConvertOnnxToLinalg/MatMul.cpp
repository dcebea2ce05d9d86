//===- MatMul.cpp - MatMul and Gemm to linalg -----------------------------===//
//
// MatMul follows numpy: 1-D operands gain a unit dim that the result drops,
// batch dims broadcast. Plain 2-D products become linalg.matmul, and so do
// static stacks of matrices times one matrix (rows stacked); other batched
// ones a linalg.generic contraction whose indexing maps do the broadcasting. Gemm
// folds transA into the maps, transposes a transposed B up front (a
// compile-time fold for weights) and applies alpha, beta and C in one
// elementwise generic.
//
// Dims may be dynamic. Where two dynamic batch dims could broadcast at run
// time (one of them 1), the run time chooses: the plain contraction when all
// such dims are equal, else one over operands whose batch dims were first
// broadcast explicitly (read at index 0 along their size-1 dims).
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

/// `value` as `type` (tensor.cast where only static information differs).
Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  return value.getType() == type ? value : Value(tensor::CastOp::create(b, loc, type, value));
}

/// acc[batch..., m, n] += a[...] * b[...] over k, with the given operand maps
/// over the iteration space (batch..., m, n, k); `sizes` are the result's.
Value buildContraction(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange sizes,
                       Value lhs, Value rhs, AffineMap lhsMap, AffineMap rhsMap) {
  int64_t loops = resultType.getRank() + 1;
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < resultType.getRank(); ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap outMap = AffineMap::get(loops, 0, outExprs, ctx);
  SmallVector<utils::IteratorType> iterators(loops - 1, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value init = linalg::FillOp::create(b, loc, scalarConstant(b, loc, resultType.getElementType(), 0),
                                      createEmpty(b, loc, resultType, sizes))
                   .getResult(0);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{lhs, rhs}, ValueRange{init},
             ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               Value product = mulScalar(nb, nloc, args[0], args[1]);
               linalg::YieldOp::create(nb, nloc, addScalar(nb, nloc, args[2], product));
             })
      .getResult(0);
}

/// Map of a batched operand into the (batch..., m, n, k) space: its leading
/// dims align with the result's trailing batch dims (static size-1 dims
/// stretch; dynamic ones are taken to match), its last two dims are
/// `rowDim`, `colDim`.
AffineMap batchedOperandMap(MLIRContext *ctx, RankedTensorType operand, RankedTensorType result,
                            unsigned rowDim, unsigned colDim) {
  int64_t batchRank = result.getRank() - 2, operandBatch = operand.getRank() - 2;
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operandBatch; ++i) {
    int64_t resultDim = batchRank - operandBatch + i;
    bool stretched = operand.getDimSize(i) == 1 && result.getDimSize(resultDim) != 1;
    exprs.push_back(stretched ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(resultDim, ctx));
  }
  exprs.push_back(getAffineDimExpr(rowDim, ctx));
  exprs.push_back(getAffineDimExpr(colDim, ctx));
  return AffineMap::get(result.getRank() + 1, 0, exprs, ctx);
}

/// `operand` with its batch dims broadcast to `batchSizes` (numpy rules,
/// trailing dims aligned): a dynamic dim that is 1 at run time is read at
/// index 0. The matrix dims are kept.
Value broadcastBatch(OpBuilder &b, Location loc, Value operand, ArrayRef<int64_t> batchShape,
                     ValueRange batchSizes) {
  auto type = cast<RankedTensorType>(operand.getType());
  int64_t batchRank = batchShape.size(), offset = batchRank - (type.getRank() - 2);
  int64_t rank = batchRank + 2;
  SmallVector<int64_t> shape(batchShape);
  SmallVector<Value> sizes(batchSizes);
  for (int64_t d = type.getRank() - 2; d < type.getRank(); ++d) {
    shape.push_back(type.getDimSize(d));
    sizes.push_back(dimSize(b, loc, operand, d));
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{},
             ValueRange{createEmpty(b, loc, resultType, sizes)},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               Value zero = arith::ConstantIndexOp::create(nb, l, 0);
               Value one = arith::ConstantIndexOp::create(nb, l, 1);
               SmallVector<Value> indices;
               for (int64_t d = 0; d < type.getRank(); ++d) {
                 Value index = linalg::IndexOp::create(nb, l, offset + d);
                 if (d >= type.getRank() - 2 || !type.isDynamicDim(d)) {
                   bool stretched = d < type.getRank() - 2 && type.getDimSize(d) == 1;
                   indices.push_back(stretched ? zero : index);
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

/// A 1-D operand as a matrix: [k] becomes [1, k] (`asRow`) or [k, 1].
Value promoteVector(OpBuilder &b, Location loc, Value vector, bool asRow) {
  auto type = cast<RankedTensorType>(vector.getType());
  int64_t k = type.getDimSize(0);
  auto matrixType = RankedTensorType::get(asRow ? ArrayRef<int64_t>{1, k}
                                                : ArrayRef<int64_t>{k, 1},
                                          type.getElementType());
  if (type.hasStaticShape())
    return reshapeTo(b, loc, vector, matrixType);
  OpFoldResult one = b.getIndexAttr(1), size = tensor::getMixedSize(b, loc, vector, 0);
  return tensor::ExpandShapeOp::create(b, loc, matrixType, vector,
                                       SmallVector<ReassociationIndices>{{0, 1}},
                                       asRow ? SmallVector<OpFoldResult>{one, size}
                                             : SmallVector<OpFoldResult>{size, one});
}

struct MatMulPattern : DynamicShapePattern<onnx::MatMulOp> {
  using DynamicShapePattern::DynamicShapePattern;

  /// lhs [b..., m, k] x rhs [k, n] as [b*...*m, k] x [k, n], expanded back.
  static LogicalResult rewriteAsStackedRows(onnx::MatMulOp op, Value lhs, Value rhs,
                                            RankedTensorType resultType,
                                            ConversionPatternRewriter &rewriter) {
    Location loc = op.getLoc();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    int64_t rank = lhsType.getRank();
    SmallVector<ReassociationIndices> rowsAndLast{
        llvm::to_vector(llvm::seq<int64_t>(0, rank - 1)), {rank - 1}};
    Value rows = tensor::CollapseShapeOp::create(rewriter, loc, lhs, rowsAndLast);
    int64_t stacked = cast<RankedTensorType>(rows.getType()).getDimSize(0);
    auto productType = RankedTensorType::get({stacked, resultType.getDimSize(rank - 1)},
                                             resultType.getElementType());
    Value init = linalg::FillOp::create(rewriter, loc,
                                        scalarConstant(rewriter, loc, productType.getElementType(), 0),
                                        createEmpty(rewriter, loc, productType))
                     .getResult(0);
    Value product =
        linalg::MatmulOp::create(rewriter, loc, ValueRange{rows, rhs}, ValueRange{init}).getResult(0);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, resultType, product, rowsAndLast);
    return success();
  }

  LogicalResult matchAndRewrite(onnx::MatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    auto lhsType = dyn_cast<RankedTensorType>(adaptor.getA().getType());
    auto rhsType = dyn_cast<RankedTensorType>(adaptor.getB().getType());
    if (!resultType || !lhsType || !rhsType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    if (lhsType.getRank() == 0 || rhsType.getRank() == 0)
      return op.emitError() << describeNode(op) << ": operands must have rank 1 or more";

    // A static stack of matrices times one matrix (a Linear layer over
    // [batch, sequence, features]): one matrix product over the stacked
    // rows, so it gets the data-tiled kernel and weights packed at compile
    // time, like a 2-D product.
    if (lhsType.getRank() >= 3 && rhsType.getRank() == 2 && lhsType.hasStaticShape() &&
        rhsType.hasStaticShape() && resultType.hasStaticShape())
      return rewriteAsStackedRows(op, adaptor.getA(), adaptor.getB(), resultType, rewriter);

    // 1-D operands: promote to matrices, then drop the unit dim again.
    Value lhs = adaptor.getA(), rhs = adaptor.getB();
    bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
    if (lhsVector) {
      lhs = promoteVector(rewriter, loc, lhs, /*asRow=*/true);
      lhsType = cast<RankedTensorType>(lhs.getType());
    }
    if (rhsVector) {
      rhs = promoteVector(rewriter, loc, rhs, /*asRow=*/false);
      rhsType = cast<RankedTensorType>(rhs.getType());
    }

    // Batch dims broadcast like elementwise operands. A dynamic batch dim
    // against another one that is not 1 may still be 1 at run time: such
    // dims are "uncertain" and the run time picks the plain contraction
    // (all equal) or one over explicitly broadcast operands.
    int64_t batchRank = std::max(lhsType.getRank(), rhsType.getRank()) - 2;
    SmallVector<int64_t> batchShape;
    SmallVector<Value> batchSizes;
    SmallVector<std::pair<unsigned, int64_t>> uncertain; // (operand, dim) per uncertain dim.
    SmallVector<int64_t> uncertainResultDim;
    Value operands[2] = {lhs, rhs};
    bool operandUncertain[2] = {false, false};
    for (int64_t i = 0; i < batchRank; ++i) {
      int64_t size = 1;
      SmallVector<std::pair<unsigned, int64_t>> dynamicDims; // Operand dims aligned with i.
      for (unsigned o = 0; o < 2; ++o) {
        auto type = cast<RankedTensorType>(operands[o].getType());
        int64_t j = i - (batchRank - (type.getRank() - 2));
        if (j < 0)
          continue;
        if (type.isDynamicDim(j))
          dynamicDims.push_back({o, j});
        else if (type.getDimSize(j) != 1)
          size = type.getDimSize(j);
      }
      if (dynamicDims.empty() || size != 1) {
        batchShape.push_back(size);
        batchSizes.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
        if (size == 1)
          continue;
      } else {
        batchShape.push_back(ShapedType::kDynamic);
        Value max;
        for (auto [o, j] : dynamicDims) {
          Value dim = tensor::DimOp::create(rewriter, loc, operands[o], j);
          max = max ? Value(arith::MaxUIOp::create(rewriter, loc, max, dim)) : dim;
        }
        batchSizes.push_back(max);
        if (dynamicDims.size() == 1)
          continue; // The other operand is absent or 1 here: no choice.
      }
      for (auto [o, j] : dynamicDims) {
        uncertain.push_back({o, j});
        uncertainResultDim.push_back(i);
        operandUncertain[o] = true;
      }
    }

    SmallVector<int64_t> shape(batchShape);
    shape.push_back(lhsType.getDimSize(lhsType.getRank() - 2));
    shape.push_back(rhsType.getDimSize(rhsType.getRank() - 1));
    auto fullType = RankedTensorType::get(shape, resultType.getElementType());
    SmallVector<Value> sizes(batchSizes);
    sizes.push_back(dimSize(rewriter, loc, lhs, lhsType.getRank() - 2));
    sizes.push_back(dimSize(rewriter, loc, rhs, rhsType.getRank() - 1));

    MLIRContext *ctx = rewriter.getContext();
    unsigned m = batchRank, n = batchRank + 1, k = batchRank + 2;
    auto contract = [&](OpBuilder &b, Location l, Value a, Value c) -> Value {
      if (batchRank == 0) {
        Value init = linalg::FillOp::create(b, l, scalarConstant(b, l, fullType.getElementType(), 0),
                                            createEmpty(b, l, fullType, sizes))
                         .getResult(0);
        return linalg::MatmulOp::create(b, l, ValueRange{a, c}, ValueRange{init}).getResult(0);
      }
      auto aType = cast<RankedTensorType>(a.getType()), cType = cast<RankedTensorType>(c.getType());
      return buildContraction(b, l, fullType, sizes, a, c,
                              batchedOperandMap(ctx, aType, fullType, m, k),
                              batchedOperandMap(ctx, cType, fullType, k, n));
    };
    Value product;
    if (uncertain.empty()) {
      product = contract(rewriter, loc, lhs, rhs);
    } else {
      Value allMatch = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
      for (auto [entry, i] : llvm::zip(uncertain, uncertainResultDim)) {
        Value dim = tensor::DimOp::create(rewriter, loc, operands[entry.first], entry.second);
        Value equal = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, dim,
                                            batchSizes[i]);
        allMatch = arith::AndIOp::create(rewriter, loc, allMatch, equal);
      }
      product = scf::IfOp::create(
                    rewriter, loc, allMatch,
                    [&](OpBuilder &b, Location l) {
                      scf::YieldOp::create(b, l, contract(b, l, lhs, rhs));
                    },
                    [&](OpBuilder &b, Location l) {
                      Value a = operandUncertain[0] ? broadcastBatch(b, l, lhs, batchShape, batchSizes)
                                             : lhs;
                      Value c = operandUncertain[1] ? broadcastBatch(b, l, rhs, batchShape, batchSizes)
                                             : rhs;
                      scf::YieldOp::create(b, l, contract(b, l, a, c));
                    })
                    .getResult(0);
    }

    // Drop the unit dims of promoted vectors: they join a neighbour's group.
    if (lhsVector || rhsVector) {
      SmallVector<ReassociationIndices> groups;
      SmallVector<int64_t> dropped;
      for (int64_t i = 0; i < fullType.getRank(); ++i) {
        bool unit = (i == m && lhsVector) || (i == n && rhsVector);
        if (unit) {
          if (!groups.empty())
            groups.back().push_back(i);
          else
            dropped.push_back(i);
          continue;
        }
        groups.push_back({i});
        groups.back().insert(groups.back().begin(), dropped.begin(), dropped.end());
        dropped.clear();
      }
      SmallVector<int64_t> collapsedShape;
      for (int64_t i = 0; i < fullType.getRank(); ++i)
        if (!((i == m && lhsVector) || (i == n && rhsVector)))
          collapsedShape.push_back(fullType.getDimSize(i));
      auto collapsedType = RankedTensorType::get(collapsedShape, fullType.getElementType());
      if (fullType.hasStaticShape())
        product = reshapeTo(rewriter, loc, product, collapsedType);
      else
        product = tensor::CollapseShapeOp::create(rewriter, loc, collapsedType, product, groups);
    }
    rewriter.replaceOp(op, castTo(rewriter, loc, product, resultType));
    return success();
  }
};

struct GemmPattern : DynamicShapePattern<onnx::GemmOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GemmOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    auto lhsType = dyn_cast<RankedTensorType>(adaptor.getA().getType());
    auto rhsType = dyn_cast<RankedTensorType>(adaptor.getB().getType());
    if (!resultType || !lhsType || !rhsType)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    if (resultType.getRank() != 2 || lhsType.getRank() != 2 || rhsType.getRank() != 2)
      return op.emitError() << describeNode(op) << ": A, B and Y must be matrices";
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    AffineMap lhsMap = AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                                           : ArrayRef<AffineExpr>{m, k}, ctx);
    // B is read as K x N: a transposed B is transposed once up front (folded
    // away for constant weights), so the product reads rows of B, not
    // columns.
    Value rhs = adaptor.getB();
    if (op.getTransB()) {
      SmallVector<int64_t> shape{rhsType.getDimSize(1), rhsType.getDimSize(0)};
      Value empty = createEmpty(rewriter, loc, RankedTensorType::get(shape, rhsType.getElementType()),
                                {dimSize(rewriter, loc, rhs, 1), dimSize(rewriter, loc, rhs, 0)});
      rhs = linalg::TransposeOp::create(rewriter, loc, rhs, empty, ArrayRef<int64_t>{1, 0})
                .getResult()[0];
    }
    AffineMap rhsMap = AffineMap::get(3, 0, ArrayRef<AffineExpr>{k, n}, ctx);
    // The product's dims come from A and B (Y may know them statically too).
    int64_t rowDim = op.getTransA() ? 1 : 0, colDim = op.getTransB() ? 0 : 1;
    auto pick = [](int64_t a, int64_t b) { return ShapedType::isDynamic(a) ? b : a; };
    auto productType = RankedTensorType::get(
        {pick(lhsType.getDimSize(rowDim), resultType.getDimSize(0)),
         pick(rhsType.getDimSize(colDim), resultType.getDimSize(1))},
        resultType.getElementType());
    SmallVector<Value> sizes{dimSize(rewriter, loc, adaptor.getA(), rowDim),
                             dimSize(rewriter, loc, adaptor.getB(), colDim)};
    Value product = buildContraction(rewriter, loc, productType, sizes, adaptor.getA(), rhs,
                                     lhsMap, rhsMap);

    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    bool hasC = !isa<NoneType>(adaptor.getC().getType()) && beta != 0.0;
    if (alpha == 1.0 && !hasC) {
      rewriter.replaceOp(op, castTo(rewriter, loc, product, resultType));
      return success();
    }
    Type elem = resultType.getElementType();
    SmallVector<Value> inputs{product};
    if (hasC)
      inputs.push_back(adaptor.getC());
    Value result = buildElementwise(
        rewriter, loc, productType, inputs, [&](OpBuilder &b, Location l, ValueRange args) {
          Value acc = args[0];
          if (alpha != 1.0)
            acc = mulScalar(b, l, acc, scalarConstant(b, l, elem, alpha));
          if (args.size() > 1) {
            Value c = args[1];
            if (beta != 1.0)
              c = mulScalar(b, l, c, scalarConstant(b, l, elem, beta));
            acc = addScalar(b, l, acc, c);
          }
          return acc;
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void populateMatMulPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MatMulPattern, GemmPattern>(converter, patterns.getContext());
}

} // namespace smelt
