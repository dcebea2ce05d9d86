//===- MatMul.cpp - MatMul and Gemm to linalg -----------------------------===//
//
// MatMul follows numpy: 1-D operands gain a unit dim that the result drops,
// batch dims broadcast. Plain 2-D products become linalg.matmul, batched ones
// a linalg.generic contraction whose indexing maps do the broadcasting. Gemm
// folds transA/transB into the maps and applies alpha, beta and C in one
// elementwise generic.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

Value addScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::AddFOp::create(b, loc, x, y))
                                     : Value(arith::AddIOp::create(b, loc, x, y));
}

Value mulScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::MulFOp::create(b, loc, x, y))
                                     : Value(arith::MulIOp::create(b, loc, x, y));
}

/// acc[batch..., m, n] += a[...] * b[...] over k, with the given operand maps
/// over the iteration space (batch..., m, n, k).
Value buildContraction(OpBuilder &b, Location loc, RankedTensorType resultType, Value lhs,
                       Value rhs, AffineMap lhsMap, AffineMap rhsMap) {
  int64_t loops = resultType.getRank() + 1;
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < resultType.getRank(); ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap outMap = AffineMap::get(loops, 0, outExprs, ctx);
  SmallVector<utils::IteratorType> iterators(loops - 1, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value init = createFilled(b, loc, resultType, scalarConstant(b, loc, resultType.getElementType(), 0));
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{lhs, rhs}, ValueRange{init},
             ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               Value product = mulScalars(nb, nloc, args[0], args[1]);
               linalg::YieldOp::create(nb, nloc, addScalars(nb, nloc, args[2], product));
             })
      .getResult(0);
}

/// Map of a batched operand into the (batch..., m, n, k) space: its leading
/// dims align with the result's trailing batch dims (size-1 dims stretch),
/// its last two dims are `rowDim`, `colDim`.
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

struct MatMulPattern : OpConversionPattern<onnx::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::MatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto lhsType = cast<RankedTensorType>(adaptor.getA().getType());
    auto rhsType = cast<RankedTensorType>(adaptor.getB().getType());
    if (!resultType || !lhsType.hasStaticShape() || !rhsType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");

    // 1-D operands: promote to matrices, then drop the unit dim again.
    Value lhs = adaptor.getA(), rhs = adaptor.getB();
    if (lhsType.getRank() == 1) {
      lhsType = RankedTensorType::get({1, lhsType.getDimSize(0)}, lhsType.getElementType());
      lhs = reshapeTo(rewriter, loc, lhs, lhsType);
    }
    if (rhsType.getRank() == 1) {
      rhsType = RankedTensorType::get({rhsType.getDimSize(0), 1}, rhsType.getElementType());
      rhs = reshapeTo(rewriter, loc, rhs, rhsType);
    }
    int64_t batchRank = std::max(lhsType.getRank(), rhsType.getRank()) - 2;
    SmallVector<int64_t> shape;
    for (int64_t i = 0; i < batchRank; ++i) {
      auto dimOf = [&](RankedTensorType t) -> int64_t {
        int64_t j = i - (batchRank - (t.getRank() - 2));
        return j < 0 ? 1 : t.getDimSize(j);
      };
      shape.push_back(std::max(dimOf(lhsType), dimOf(rhsType)));
    }
    shape.push_back(lhsType.getDimSize(lhsType.getRank() - 2));
    shape.push_back(rhsType.getDimSize(rhsType.getRank() - 1));
    auto fullType = RankedTensorType::get(shape, resultType.getElementType());

    Value product;
    if (batchRank == 0) {
      Value init = createFilled(rewriter, loc, fullType,
                                scalarConstant(rewriter, loc, fullType.getElementType(), 0));
      product = linalg::MatmulOp::create(rewriter, loc, ValueRange{lhs, rhs}, ValueRange{init})
                    .getResult(0);
    } else {
      MLIRContext *ctx = rewriter.getContext();
      unsigned m = batchRank, n = batchRank + 1, k = batchRank + 2;
      product = buildContraction(rewriter, loc, fullType, lhs, rhs,
                                 batchedOperandMap(ctx, lhsType, fullType, m, k),
                                 batchedOperandMap(ctx, rhsType, fullType, k, n));
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, product, resultType));
    return success();
  }
};

struct GemmPattern : OpConversionPattern<onnx::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GemmOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    MLIRContext *ctx = rewriter.getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    AffineMap lhsMap = AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                                           : ArrayRef<AffineExpr>{m, k}, ctx);
    AffineMap rhsMap = AffineMap::get(3, 0, op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                                           : ArrayRef<AffineExpr>{k, n}, ctx);
    Value product = buildContraction(rewriter, loc, resultType, adaptor.getA(), adaptor.getB(),
                                     lhsMap, rhsMap);

    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    bool hasC = !isa<NoneType>(adaptor.getC().getType()) && beta != 0.0;
    if (alpha == 1.0 && !hasC) {
      rewriter.replaceOp(op, product);
      return success();
    }
    Type elem = resultType.getElementType();
    SmallVector<Value> inputs{product};
    if (hasC)
      inputs.push_back(adaptor.getC());
    Value result = buildElementwise(
        rewriter, loc, resultType, inputs, [&](OpBuilder &b, Location l, ValueRange args) {
          Value acc = args[0];
          if (alpha != 1.0)
            acc = mulScalars(b, l, acc, scalarConstant(b, l, elem, alpha));
          if (args.size() > 1) {
            Value c = args[1];
            if (beta != 1.0)
              c = mulScalars(b, l, c, scalarConstant(b, l, elem, beta));
            acc = addScalars(b, l, acc, c);
          }
          return acc;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateMatMulPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MatMulPattern, GemmPattern>(converter, patterns.getContext());
}

} // namespace smelt
