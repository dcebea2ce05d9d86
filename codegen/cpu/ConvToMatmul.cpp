//===- ConvToMatmul.cpp - 2-D convolutions as matrix products -------------===//
//
// out[n, f, oh, ow] = sum over c, kh, kw of w[f, c, kh, kw] * in[n, c, oh*s + kh*d, ow*s + kw*d]
// is the product of the filters as an F x K matrix (K = C*KH*KW, a free
// reshape) with the im2col matrix cols[n] (K x OH*OW), accumulated into the
// output viewed as F x OH*OW: a linalg.matmul for a batch of one, else a
// contraction generic over the batch. The im2col matrix is KH*KW strided slices of
// the input; 1x1 stride-1 kernels need no copy at all. The product is a contraction, which
// smelt-cpu-tile-and-vectorize turns into the register-blocked kernel. A
// convolution whose im2col matrix would be large is first split into
// blocks of output rows, each with its own (cache-sized) matrix.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUCONVTOMATMUL
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// cols[n, c, kh, kw, oh, ow] = in[n, c, oh*s0 + kh*d0, ow*s1 + kw*d1],
/// returned collapsed to [N, C*KH*KW, OH*OW] ([C*KH*KW, OH*OW] for a batch
/// of one). It is filled by whichever family of strided slices has fewer
/// members: for each kernel position the OH x OW block of the input it
/// meets (rows code generation vectorizes), or, for kernels larger than the
/// output (audio front ends: a 512-tap kernel at 8 positions), for each
/// output position the window it reads.
Value buildIm2col(OpBuilder &b, Location loc, linalg::Conv2DNchwFchwOp conv, bool unitBatch) {
  Value input = conv.getInputs()[0];
  auto filter = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto output = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  int64_t batch = output.getDimSize(0), channels = filter.getDimSize(1);
  int64_t kernelH = filter.getDimSize(2), kernelW = filter.getDimSize(3);
  int64_t outH = output.getDimSize(2), outW = output.getDimSize(3);
  Type elementType = output.getElementType();
  Value cols = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{batch, channels, kernelH, kernelW, outH, outW}, elementType);
  auto copy = [&](ArrayRef<int64_t> inOffsets, ArrayRef<int64_t> sizes,
                  ArrayRef<int64_t> inStrides, ArrayRef<int64_t> colsOffsets,
                  ArrayRef<int64_t> colsSizes) {
    Value slice = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(sizes, elementType), input, ValueRange{}, ValueRange{},
        ValueRange{}, b.getDenseI64ArrayAttr(inOffsets), b.getDenseI64ArrayAttr(sizes),
        b.getDenseI64ArrayAttr(inStrides));
    cols = tensor::InsertSliceOp::create(
        b, loc, slice, cols, ValueRange{}, ValueRange{}, ValueRange{},
        b.getDenseI64ArrayAttr(colsOffsets), b.getDenseI64ArrayAttr(colsSizes),
        b.getDenseI64ArrayAttr({1, 1, 1, 1, 1, 1}));
  };
  if (kernelH * kernelW <= outH * outW) {
    for (int64_t kh = 0; kh < kernelH; ++kh)
      for (int64_t kw = 0; kw < kernelW; ++kw)
        copy({0, 0, kh * dilations[0], kw * dilations[1]}, {batch, channels, outH, outW},
             {1, 1, strides[0], strides[1]}, {0, 0, kh, kw, 0, 0},
             {batch, channels, 1, 1, outH, outW});
  } else {
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow)
        copy({0, 0, oh * strides[0], ow * strides[1]}, {batch, channels, kernelH, kernelW},
             {1, 1, dilations[0], dilations[1]}, {0, 0, 0, 0, oh, ow},
             {batch, channels, kernelH, kernelW, 1, 1});
  }
  SmallVector<ReassociationIndices> matrix =
      unitBatch ? SmallVector<ReassociationIndices>{{0, 1, 2, 3}, {4, 5}}
                : SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}};
  return tensor::CollapseShapeOp::create(b, loc, cols, matrix);
}

void rewriteAsMatmul(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
                     const ConvStrategy &strategy) {
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  auto output = cast<RankedTensorType>(conv.getOutputs()[0].getType());
  // A batch of one is a plain matrix product (which data tiling packs);
  // larger batches a batched contraction.
  bool unitBatch = output.getDimSize(0) == 1;
  SmallVector<ReassociationIndices> spatial =
      unitBatch ? SmallVector<ReassociationIndices>{{0, 1}, {2, 3}}
                : SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}};
  Value cols = strategy.im2colCopy
                   ? buildIm2col(rewriter, loc, conv, unitBatch)
                   : Value(tensor::CollapseShapeOp::create(rewriter, loc, conv.getInputs()[0],
                                                           spatial));
  Value filters = tensor::CollapseShapeOp::create(
      rewriter, loc, conv.getInputs()[1], SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
  Value acc = tensor::CollapseShapeOp::create(rewriter, loc, conv.getOutputs()[0], spatial);

  if (unitBatch) {
    Value product =
        linalg::MatmulOp::create(rewriter, loc, ValueRange{filters, cols}, ValueRange{acc})
            .getResult(0);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(conv, output, product, spatial);
    return;
  }
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
                      ValueRange{acc}, maps, iterators, yieldMultiplyAccumulate)
                      .getResult(0);
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(conv, output, product, spatial);
}

/// Splits `conv` into blocks of `rows` output rows (an scf.for over the
/// blocks); returns the convolution of one block, which has static shapes
/// because `rows` divides the output height.
FailureOr<linalg::Conv2DNchwFchwOp> tileRows(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv,
                                             int64_t rows) {
  // Loops of conv_2d_nchw_fchw: (n, f, oh, ow, c, kh, kw).
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), {0, 0, rows, 0, 0, 0, 0}));
  rewriter.setInsertionPoint(conv);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(conv.getOperation()), options);
  if (failed(tiled))
    return conv.emitError("cannot split the convolution into row blocks");
  rewriter.replaceOp(conv, tiled->replacements);
  auto block = dyn_cast<linalg::Conv2DNchwFchwOp>(tiled->tiledOps.back());
  if (!block)
    return conv.emitError("row blocks of the convolution are not convolutions");
  return block;
}

class ConvToMatmulPass : public impl::SmeltCpuConvToMatmulBase<ConvToMatmulPass> {
  void runOnOperation() override {
    CpuTarget target = getCpuTarget(getOperation());
    std::vector<std::pair<linalg::Conv2DNchwFchwOp, ConvStrategy>> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      // Direct convolutions stay for smelt-cpu-direct-conv.
      if (std::optional<ConvStrategy> s = chooseConvStrategy(target, conv); s && !s->direct)
        convs.push_back({conv, *s});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[conv, strategy] : convs) {
      linalg::Conv2DNchwFchwOp block = conv;
      if (strategy.rowBlock != 0) {
        FailureOr<linalg::Conv2DNchwFchwOp> tiled = tileRows(rewriter, conv, strategy.rowBlock);
        if (failed(tiled))
          return signalPassFailure();
        block = *tiled;
      }
      rewriteAsMatmul(rewriter, block, strategy);
    }
  }
};

} // namespace
} // namespace smelt
