//===- ConvToMatmul.cpp - 2-D convolutions as matrix products -------------===//
//
// out[n, f, oh, ow] = sum over c, kh, kw of w[f, c, kh, kw] * in[n, c, oh*s + kh*d, ow*s + kw*d]
// is the product of the filters as an F x K matrix (K = C*KH*KW, a free
// reshape) with the im2col matrix cols[n] (K x OH*OW), accumulated into the
// output viewed as F x OH*OW. The im2col copy is a plain affine generic
// whose innermost loop runs along a row of the input; 1x1 stride-1 kernels
// need no copy at all. The product is a contraction, which
// smelt-cpu-tile-and-vectorize turns into the register-blocked kernel.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUCONVTOMATMUL
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// cols[n, c, kh, kw, oh, ow] = in[n, c, oh*s0 + kh*d0, ow*s1 + kw*d1],
/// returned collapsed to [N, C*KH*KW, OH*OW].
Value buildIm2col(OpBuilder &b, Location loc, linalg::Conv2DNchwFchwOp conv) {
  Value input = conv.getInputs()[0];
  auto filter = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto output = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  MLIRContext *ctx = b.getContext();
  AffineExpr n, c, kh, kw, oh, ow;
  bindDims(ctx, n, c, kh, kw, oh, ow);
  AffineMap inMap = AffineMap::get(
      6, 0, {n, c, oh * strides[0] + kh * dilations[0], ow * strides[1] + kw * dilations[1]}, ctx);
  SmallVector<int64_t> colShape{output.getDimSize(0), filter.getDimSize(1), filter.getDimSize(2),
                                filter.getDimSize(3), output.getDimSize(2), output.getDimSize(3)};
  Type elementType = output.getElementType();
  Value empty = tensor::EmptyOp::create(b, loc, colShape, elementType);
  Value cols = linalg::GenericOp::create(
                   b, loc, TypeRange{empty.getType()}, ValueRange{input}, ValueRange{empty},
                   ArrayRef<AffineMap>{inMap, b.getMultiDimIdentityMap(6)},
                   SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
                   [](OpBuilder &nb, Location l, ValueRange args) {
                     linalg::YieldOp::create(nb, l, args[0]);
                   })
                   .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, cols,
                                         SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
}

void rewriteAsMatmul(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
                     const ConvStrategy &strategy) {
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  auto output = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  SmallVector<ReassociationIndices> spatial{{0}, {1}, {2, 3}};
  Value cols = strategy.im2colCopy
                   ? buildIm2col(rewriter, loc, conv)
                   : Value(tensor::CollapseShapeOp::create(rewriter, loc, conv.getInputs()[0],
                                                           spatial));
  Value filters = tensor::CollapseShapeOp::create(
      rewriter, loc, conv.getInputs()[1], SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  Value acc = tensor::CollapseShapeOp::create(rewriter, loc, conv.getOutputs()[0], spatial);

  // (n, f, p, k): filters[f, k] * cols[n, k, p] accumulated into acc[n, f, p].
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr n, f, p, k;
  bindDims(ctx, n, f, p, k);
  SmallVector<AffineMap> maps{AffineMap::get(4, 0, {f, k}, ctx), AffineMap::get(4, 0, {n, k, p}, ctx),
                              AffineMap::get(4, 0, {n, f, p}, ctx)};
  SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  Value product = linalg::GenericOp::create(
                      rewriter, loc, TypeRange{acc.getType()}, ValueRange{filters, cols},
                      ValueRange{acc}, maps, iterators,
                      [](OpBuilder &nb, Location l, ValueRange args) {
                        Value mul = arith::MulFOp::create(nb, l, args[0], args[1]);
                        linalg::YieldOp::create(nb, l,
                                                Value(arith::AddFOp::create(nb, l, args[2], mul)));
                      })
                      .getResult(0);
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(conv, output, product, spatial);
}

class ConvToMatmulPass : public impl::SmeltCpuConvToMatmulBase<ConvToMatmulPass> {
  void runOnOperation() override {
    CpuTarget target = getCpuTarget(getOperation());
    std::vector<std::pair<linalg::Conv2DNchwFchwOp, ConvStrategy>> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (std::optional<ConvStrategy> s = chooseConvStrategy(target, conv))
        convs.push_back({conv, *s});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[conv, strategy] : convs)
      rewriteAsMatmul(rewriter, conv, strategy);
  }
};

} // namespace
} // namespace smelt
