//===- DirectConv.cpp - convolutions as contractions over an input view ---===//
//
// out[n, f, oh, ow] = sum over c, kh, kw of w[f, c, kh, kw] * in[n, c, oh*s0 + kh*d0, ow*s1 + kw*d1]
//
// reads, for fixed (c, kh, kw), a row of the input at a fixed offset. The
// six-dim view
//
//   v[n, c, kh, kw, oh, ow] = in[n, c, oh*s0 + kh*d0, ow*s1 + kw*d1]
//
// is a strided memref whose dims overlap in memory (kh and oh both step
// along the input's rows), so the convolution is a contraction with plain
// projected maps: filters (F x C*KH*KW) times the view (C*KH*KW x OH x OW),
// the im2col matrix without the copy. smelt-cpu-tile-and-vectorize then
// gives it the register-blocked kernel: a tile of filters times a run of
// consecutive outputs of one row, accumulated in registers over c, kh and
// kw. KernelStrategy picks which convolutions go this way (a unit width
// stride, so that the run reads consecutive inputs).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUDIRECTCONV
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// `buffer` seen with `sizes` and `strides` (in elements) from its own
/// start; nothing when its strides are not static. `strides` is given in
/// terms of the buffer's strides.
Value stridedView(OpBuilder &b, Location loc, Value buffer, ArrayRef<int64_t> sizes,
                  llvm::function_ref<SmallVector<int64_t>(ArrayRef<int64_t>)> strides) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> bufferStrides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(bufferStrides, offset)) ||
      llvm::any_of(bufferStrides, ShapedType::isDynamic))
    return {};
  SmallVector<int64_t> viewStrides = strides(bufferStrides);
  OpFoldResult start =
      ShapedType::isDynamic(offset)
          ? OpFoldResult(memref::ExtractStridedMetadataOp::create(b, loc, buffer).getOffset())
          : OpFoldResult(b.getIndexAttr(offset));
  auto viewType =
      MemRefType::get(sizes, type.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), offset, viewStrides),
                      type.getMemorySpace());
  return memref::ReinterpretCastOp::create(b, loc, viewType, buffer, start,
                                           getAsIndexOpFoldResult(b.getContext(), sizes),
                                           getAsIndexOpFoldResult(b.getContext(), viewStrides));
}

/// The window view of `conv`'s input, with `channels` input channels read
/// per output and `kernel` its KH x KW: v[n, c, kh, kw, oh, ow] (see the
/// file comment) of an NCHW input, v[n, kh, kw, oh, ow, c] = in[n, oh*s0 +
/// kh*d0, ow*s1 + kw*d1, c] of a channels-last one. The taps come before
/// the outputs: with unit strides kh and oh (kw and ow) have equal strides,
/// and upstream infers which unit dims a rank-reducing subview of a tile
/// dropped from the strides, taking the first candidates; a kernel step
/// drops the taps, which must therefore come first.
template <typename ConvOp>
Value windowView(OpBuilder &b, ConvOp conv, int64_t channels, ArrayRef<int64_t> kernel,
                 bool channelsLast) {
  ArrayRef<int64_t> outShape = cast<MemRefType>(conv.getOutputs()[0].getType()).getShape();
  SmallVector<int64_t> strides(conv.getStrides().template getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().template getValues<int64_t>());
  // Positions of the input's (and output's) H, W and C dims.
  unsigned h = channelsLast ? 1 : 2, w = h + 1, c = channelsLast ? 3 : 1;
  SmallVector<int64_t> taps{kernel[0], kernel[1], outShape[h], outShape[w]};
  auto tapStrides = [&](ArrayRef<int64_t> s) {
    return SmallVector<int64_t>{s[h] * dilations[0], s[w] * dilations[1], s[h] * strides[0],
                                s[w] * strides[1]};
  };
  SmallVector<int64_t> sizes{outShape[0]};
  if (!channelsLast)
    sizes.push_back(channels);
  sizes.append(taps);
  if (channelsLast)
    sizes.push_back(channels);
  return stridedView(b, conv.getLoc(), conv.getInputs()[0], sizes, [&](ArrayRef<int64_t> s) {
    SmallVector<int64_t> viewStrides{s[0]};
    if (!channelsLast)
      viewStrides.push_back(s[c]);
    viewStrides.append(tapStrides(s));
    if (channelsLast)
      viewStrides.push_back(s[c]);
    return viewStrides;
  });
}

/// Replaces `conv` by out += lhs * rhs, a generic with `maps` over loops
/// with `reductions` reduction dims last.
void replaceByMultiplyAccumulate(RewriterBase &rewriter, Operation *conv, Value lhs, Value rhs,
                                 Value output, ArrayRef<AffineMap> maps, unsigned reductions) {
  unsigned loops = maps.front().getNumDims();
  SmallVector<utils::IteratorType> iterators(loops - reductions, utils::IteratorType::parallel);
  iterators.append(reductions, utils::IteratorType::reduction);
  rewriter.replaceOpWithNewOp<linalg::GenericOp>(
      conv, TypeRange{}, ValueRange{lhs, rhs}, ValueRange{output}, maps, iterators,
      yieldMultiplyAccumulate);
}

/// `conv` as the contraction of its filters with the input view.
LogicalResult rewriteDirect(RewriterBase &rewriter, linalg::Conv2DNchwFchwOp conv) {
  rewriter.setInsertionPoint(conv);
  Value filter = conv.getInputs()[1], output = conv.getOutputs()[0];
  ArrayRef<int64_t> filterShape = cast<MemRefType>(filter.getType()).getShape();
  ArrayRef<int64_t> outShape = cast<MemRefType>(output.getType()).getShape();
  Value window = windowView(rewriter, conv, filterShape[1], filterShape.drop_front(2), false);
  // The output as [N, OH, F, OW], so that the accumulator tile's vectors
  // are its own innermost dims, one output row per filter.
  Value rows = stridedView(rewriter, conv.getLoc(), output,
                           {outShape[0], outShape[2], outShape[1], outShape[3]},
                           [](ArrayRef<int64_t> s) {
                             return SmallVector<int64_t>{s[0], s[2], s[1], s[3]};
                           });
  if (!window || !rows)
    return failure();
  MLIRContext *ctx = rewriter.getContext();
  // Loops (n, oh, f, ow, c, kh, kw): the register tile (f x ow) is the
  // innermost parallel pair.
  AffineExpr n, oh, f, ow, c, kh, kw;
  bindDims(ctx, n, oh, f, ow, c, kh, kw);
  replaceByMultiplyAccumulate(rewriter, conv, filter, window, rows,
                              {AffineMap::get(7, 0, {f, c, kh, kw}, ctx),
                               AffineMap::get(7, 0, {n, c, kh, kw, oh, ow}, ctx),
                               AffineMap::get(7, 0, {n, oh, f, ow}, ctx)},
                              /*reductions=*/3);
  return success();
}

/// The depthwise `conv` as a generic over the input view: loops (n, c, oh,
/// ow, kh, kw), out[n, c, oh, ow] += w[c, kh, kw] * v[n, c, kh, kw, oh, ow].
/// Each output row is then a sum of KH*KW input rows scaled by one weight,
/// which smelt-cpu-tile-and-vectorize keeps in registers (a block of rows
/// of one channel) across kh and kw.
LogicalResult rewriteDepthwiseDirect(RewriterBase &rewriter, linalg::DepthwiseConv2DNchwChwOp conv) {
  rewriter.setInsertionPoint(conv);
  Value filter = conv.getInputs()[1], output = conv.getOutputs()[0];
  ArrayRef<int64_t> filterShape = cast<MemRefType>(filter.getType()).getShape();
  Value window = windowView(rewriter, conv, filterShape[0], filterShape.drop_front(1), false);
  if (!window)
    return failure();
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr n, c, oh, ow, kh, kw;
  bindDims(ctx, n, c, oh, ow, kh, kw);
  replaceByMultiplyAccumulate(rewriter, conv, filter, window, output,
                              {AffineMap::get(6, 0, {c, kh, kw}, ctx),
                               AffineMap::get(6, 0, {n, c, kh, kw, oh, ow}, ctx),
                               AffineMap::get(6, 0, {n, c, oh, ow}, ctx)},
                              /*reductions=*/2);
  return success();
}

/// The window view of a channels-last convolution's input, made before it:
/// both filter layouts (HWCF and depthwise HWC) have their kernel first and
/// their channels at index 2.
template <typename ConvOp>
Value channelsLastWindow(RewriterBase &rewriter, ConvOp conv) {
  rewriter.setInsertionPoint(conv);
  ArrayRef<int64_t> filterShape = cast<MemRefType>(conv.getInputs()[1].getType()).getShape();
  return windowView(rewriter, conv, filterShape[2], filterShape.take_front(2),
                    /*channelsLast=*/true);
}

/// The channels-last `conv` as the contraction of the input view with the
/// filters: loops (n, oh, ow, f, kh, kw, c), out[n, oh, ow, f] +=
/// v[n, kh, kw, oh, ow, c] * w[kh, kw, c, f]. The view comes first, so that
/// the contraction's M is the run of outputs along ow (broadcast one by
/// one) and its N the filters, contiguous in w and in the output.
LogicalResult rewriteNhwcDirect(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv) {
  Value filter = conv.getInputs()[1];
  Value window = channelsLastWindow(rewriter, conv);
  if (!window)
    return failure();
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr n, oh, ow, f, kh, kw, c;
  bindDims(ctx, n, oh, ow, f, kh, kw, c);
  replaceByMultiplyAccumulate(rewriter, conv, window, filter, conv.getOutputs()[0],
                              {AffineMap::get(7, 0, {n, kh, kw, oh, ow, c}, ctx),
                               AffineMap::get(7, 0, {kh, kw, c, f}, ctx),
                               AffineMap::get(7, 0, {n, oh, ow, f}, ctx)},
                              /*reductions=*/3);
  return success();
}

/// The channels-last depthwise `conv` over its input view: loops (n, oh,
/// ow, c, kh, kw), out[n, oh, ow, c] += v[n, kh, kw, oh, ow, c] * w[kh, kw,
/// c]. The window kernel keeps a block of outputs along ow, a vector of
/// channels each, in registers across kh and kw.
LogicalResult rewriteNhwcDepthwiseDirect(RewriterBase &rewriter,
                                         linalg::DepthwiseConv2DNhwcHwcOp conv) {
  Value filter = conv.getInputs()[1];
  Value window = channelsLastWindow(rewriter, conv);
  if (!window)
    return failure();
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr n, oh, ow, c, kh, kw;
  bindDims(ctx, n, oh, ow, c, kh, kw);
  replaceByMultiplyAccumulate(rewriter, conv, window, filter, conv.getOutputs()[0],
                              {AffineMap::get(6, 0, {n, kh, kw, oh, ow, c}, ctx),
                               AffineMap::get(6, 0, {kh, kw, c}, ctx),
                               AffineMap::get(6, 0, {n, oh, ow, c}, ctx)},
                              /*reductions=*/2);
  return success();
}

/// `expr` as loop dim times a positive constant (d or d * c).
std::optional<std::pair<unsigned, int64_t>> scaledDim(AffineExpr expr) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return std::make_pair(dim.getPosition(), int64_t(1));
  auto mul = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!mul || mul.getKind() != AffineExprKind::Mul)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(mul.getLHS());
  auto scale = dyn_cast<AffineConstantExpr>(mul.getRHS());
  if (!dim || !scale || scale.getValue() <= 0)
    return std::nullopt; // Negative strides are not a strided layout.
  return std::make_pair(dim.getPosition(), scale.getValue());
}

/// A channels-last window: an input of `op` indexed as in[n, oh*s0 +
/// kh*d0, ow*s1 + kw*d1, c] (max and average pooling, global ones
/// included, and the convolutions smelt-cpu-data-tiling gave packed
/// filters) read instead through the view v[n, kh, oh, kw, ow, c] (each
/// window position split into its tap and its output, the tap first for
/// the reason given at windowView), so that every map is a projected
/// permutation and code generation can vectorize the op along the
/// channels. Only when the last result of that map is the op's last
/// parallel loop (pooling) or a reduction loop (a convolution's channels):
/// the window's innermost dim is then the op's contiguous one.
LogicalResult viewInputWindow(RewriterBase &rewriter, linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.hasDynamicShape())
    return failure();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto lastParallel = llvm::find(llvm::reverse(iterators), utils::IteratorType::parallel);
  if (lastParallel == iterators.rend())
    return failure();
  unsigned channel = std::distance(lastParallel, iterators.rend()) - 1;
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  MLIRContext *ctx = rewriter.getContext();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    auto type = dyn_cast<MemRefType>(input->get().getType());
    if (map.isProjectedPermutation() || !type || map.getNumResults() == 0)
      continue;
    auto innermost = dyn_cast<AffineDimExpr>(map.getResults().back());
    if (!innermost || (innermost.getPosition() != channel &&
                       iterators[innermost.getPosition()] != utils::IteratorType::reduction))
      continue;
    // Each result is a loop dim or a sum of two scaled loop dims (a window
    // position: one parallel, one reduction loop).
    SmallVector<int64_t> sizes;
    SmallVector<std::pair<unsigned, int64_t>> scaledStrides; // (operand dim, scale)
    SmallVector<AffineExpr> results;
    bool window = true;
    for (auto [i, result] : llvm::enumerate(map.getResults())) {
      if (auto dim = dyn_cast<AffineDimExpr>(result)) {
        sizes.push_back(type.getDimSize(i));
        scaledStrides.push_back({i, 1});
        results.push_back(dim);
        continue;
      }
      auto sum = dyn_cast<AffineBinaryOpExpr>(result);
      std::optional<std::pair<unsigned, int64_t>> lhs, rhs;
      if (sum && sum.getKind() == AffineExprKind::Add) {
        lhs = scaledDim(sum.getLHS());
        rhs = scaledDim(sum.getRHS());
      }
      if (!lhs || !rhs || (iterators[lhs->first] == iterators[rhs->first])) {
        window = false;
        break;
      }
      if (iterators[lhs->first] == utils::IteratorType::parallel)
        std::swap(lhs, rhs); // The tap (reduction) first.
      for (auto [dim, scale] : {*lhs, *rhs}) {
        sizes.push_back(extents[dim]);
        scaledStrides.push_back({i, scale});
        results.push_back(getAffineDimExpr(dim, ctx));
      }
    }
    if (!window)
      continue;
    rewriter.setInsertionPoint(op);
    Value view = stridedView(rewriter, op.getLoc(), input->get(), sizes, [&](ArrayRef<int64_t> s) {
      SmallVector<int64_t> strides;
      for (auto [dim, scale] : scaledStrides)
        strides.push_back(s[dim] * scale);
      return strides;
    });
    if (!view)
      continue;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    maps[input->getOperandNumber()] = AffineMap::get(map.getNumDims(), 0, results, ctx);
    rewriter.modifyOpInPlace(op, [&] {
      input->set(view);
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
  return failure();
}

class DirectConvPass : public impl::SmeltCpuDirectConvBase<DirectConvPass> {
  void runOnOperation() override {
    CpuTarget target = getCpuTarget(getOperation());
    SmallVector<linalg::Conv2DNchwFchwOp> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      std::optional<ConvStrategy> s = chooseConvStrategy(target, conv);
      if (s && s->direct && conv.hasPureBufferSemantics())
        convs.push_back(conv);
    });
    SmallVector<linalg::DepthwiseConv2DNchwChwOp> depthwise;
    getOperation().walk([&](linalg::DepthwiseConv2DNchwChwOp conv) { depthwise.push_back(conv); });
    SmallVector<linalg::Conv2DNhwcHwcfOp> nhwc;
    getOperation().walk([&](linalg::Conv2DNhwcHwcfOp conv) {
      std::optional<ConvStrategy> s = chooseConvStrategy(target, conv);
      if (s && s->direct && conv.hasPureBufferSemantics())
        nhwc.push_back(conv);
    });
    SmallVector<linalg::DepthwiseConv2DNhwcHwcOp> nhwcDepthwise;
    getOperation().walk([&](linalg::DepthwiseConv2DNhwcHwcOp conv) {
      if (conv.hasPureBufferSemantics() && isDirectDepthwise(conv))
        nhwcDepthwise.push_back(conv);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::Conv2DNhwcHwcfOp conv : nhwc)
      (void)rewriteNhwcDirect(rewriter, conv);
    for (linalg::DepthwiseConv2DNhwcHwcOp conv : nhwcDepthwise)
      (void)rewriteNhwcDepthwiseDirect(rewriter, conv);
    for (linalg::Conv2DNchwFchwOp conv : convs)
      (void)rewriteDirect(rewriter, conv); // Else it stays a loop nest.
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) { generics.push_back(op); });
    for (linalg::GenericOp op : generics)
      (void)viewInputWindow(rewriter, op); // Else its loop nest reads the input as it is.
    // Depthwise convolutions that do not run direct become the generic loop
    // nest the other kernel-less ops are (loop order, threads).
    for (linalg::DepthwiseConv2DNchwChwOp conv : depthwise) {
      if (conv.hasPureBufferSemantics() && isDirectDepthwise(conv) &&
          succeeded(rewriteDepthwiseDirect(rewriter, conv)))
        continue;
      rewriter.setInsertionPoint(conv);
      if (failed(linalg::generalizeNamedOp(rewriter, conv)))
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace smelt
