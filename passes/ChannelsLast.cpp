//===- ChannelsLast.cpp - the smelt-channels-last pass --------------------===//
//
// ONNX convolutions are NCHW: a vector kernel over NCHW runs along a row of
// one channel, whose width (56, 28, 14, 7 in ResNet's stages) rarely fills
// whole vectors, and each filter tap is a scalar from a scattered row.
// Channels last (NHWC) puts the channels innermost: a convolution is then a
// product whose vectors run along the output channels (64 to 2048), a 1x1
// convolution is a plain matrix product of the activations [N*H*W, C] with
// the weights, and elementwise ops read a per-channel bias as a vector.
//
// Each static f32 2-D convolution (group 1 or depthwise; not 1-D ones, see
// convertible) becomes its NHWC
// form between two transposes: NCHW -> NHWC on its input and init, back to
// NCHW on its result; its filters are transposed to HWCF (HWC), a constant
// fold. The transposes are then moved until they meet and cancel:
//   - a transpose of a transpose is one transpose (none for the identity);
//   - a transpose of a pad, a fill, an empty tensor or a broadcast (a
//     generic without a full-rank input: a bias init) is that op built in
//     the transposed layout;
//   - a generic that reads a transposed value element by element (or
//     through a window: pooling) is rebuilt with its loops in the source's
//     layout, reading the source directly, and its result is transposed
//     instead: the transpose sinks to the op's users.
// Between two convolutions everything then stays NHWC; transposes remain
// only where a value enters or leaves the channels-last region (model
// inputs and outputs, ops with no channels-last form).
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCHANNELSLAST
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

constexpr int64_t kToNhwc[] = {0, 2, 3, 1};
constexpr int64_t kToNchw[] = {0, 3, 1, 2};

/// Marks the transposes this pass creates: the only ones its patterns move
/// (a model's own, such as GPT-2's key transpose to [B, H, D, S], are not
/// the pass's to change).
constexpr llvm::StringLiteral kLayoutAttr = "smelt.layout_transpose";

Value transpose(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape = applyPermutation(type.getShape(), perm);
  Value init = tensor::EmptyOp::create(b, loc, shape, type.getElementType());
  auto op = linalg::TransposeOp::create(b, loc, value, init, perm);
  op->setAttr(kLayoutAttr, b.getUnitAttr());
  return op->getResult(0);
}

/// A transpose between the two layouts that this pass created (see
/// kLayoutAttr), static (the ops the patterns build take no dynamic sizes).
bool isLayoutTranspose(linalg::TransposeOp op) {
  if (!op || !op->hasAttr(kLayoutAttr) || !op.hasPureTensorSemantics() ||
      !cast<RankedTensorType>(op.getInput().getType()).hasStaticShape())
    return false;
  ArrayRef<int64_t> perm = op.getPermutation();
  return perm == ArrayRef<int64_t>(kToNhwc) || perm == ArrayRef<int64_t>(kToNchw);
}

bool isStaticF32(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32();
}

/// Static f32 2-D convolutions. 1-D ones (a unit input height: ONNX's 1-D
/// convolutions of audio models, lowered with a unit height) stay NCHW: the
/// reshapes to and from rank 3 around them would stop the transposes from
/// meeting, and their rows are long anyway.
template <typename ConvOp>
bool convertible(ConvOp conv) {
  return conv.hasPureTensorSemantics() &&
         llvm::all_of(conv->getOperands(), [](Value v) { return isStaticF32(v); }) &&
         cast<RankedTensorType>(conv.getInputs()[0].getType()).getDimSize(2) != 1;
}

/// conv (NCHW, FCHW) -> transpose(conv_nhwc(transpose(in), transpose(w))).
template <typename NhwcOp, typename NchwOp>
void rewriteConv(RewriterBase &rewriter, NchwOp conv, ArrayRef<int64_t> filterPerm) {
  rewriter.setInsertionPoint(conv);
  Location loc = conv.getLoc();
  Value input = transpose(rewriter, loc, conv.getInputs()[0], kToNhwc);
  Value filter = transpose(rewriter, loc, conv.getInputs()[1], filterPerm);
  Value init = transpose(rewriter, loc, conv.getOutputs()[0], kToNhwc);
  auto nhwc = NhwcOp::create(rewriter, loc, TypeRange{init.getType()}, ValueRange{input, filter},
                             ValueRange{init}, conv.getStrides(), conv.getDilations());
  rewriter.replaceOp(conv, transpose(rewriter, loc, nhwc->getResult(0), kToNchw));
}

/// transpose(transpose(x, a), b) -> transpose(x, a o b), or x.
struct FoldTransposePair : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!inner || !isLayoutTranspose(inner) || !isLayoutTranspose(op))
      return failure();
    SmallVector<int64_t> perm = applyPermutation(inner.getPermutation(), op.getPermutation());
    if (isIdentityPermutation(perm))
      rewriter.replaceOp(op, inner.getInput());
    else
      rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), inner.getInput(), perm));
    return success();
  }
};

/// pad(transpose(x, p)) -> transpose(pad'(x), p), for a padding value
/// defined outside the pad's body.
struct SinkTransposeThroughPad : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::PadOp pad, PatternRewriter &rewriter) const override {
    auto t = pad.getSource().getDefiningOp<linalg::TransposeOp>();
    if (!t || !isLayoutTranspose(t) || !pad.getConstantPaddingValue() ||
        !pad.getLow().empty() || !pad.getHigh().empty())
      return failure();
    SmallVector<int64_t> inverse = invertPermutationVector(t.getPermutation());
    auto type = cast<RankedTensorType>(pad.getType());
    auto padded = tensor::PadOp::create(
        rewriter, pad.getLoc(),
        RankedTensorType::get(applyPermutation(type.getShape(), inverse), type.getElementType()),
        t.getInput(),
        getAsIndexOpFoldResult(getContext(), applyPermutation(pad.getStaticLow(), inverse)),
        getAsIndexOpFoldResult(getContext(), applyPermutation(pad.getStaticHigh(), inverse)),
        pad.getConstantPaddingValue(), pad.getNofold());
    rewriter.replaceOp(pad, transpose(rewriter, pad.getLoc(), padded.getResult(), t.getPermutation()));
    return success();
  }
};

/// transpose(empty) and transpose(fill(v, init)) built transposed.
struct TransposeEmptyOrFill : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op, PatternRewriter &rewriter) const override {
    if (!isLayoutTranspose(op))
      return failure();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    if (op.getInput().getDefiningOp<tensor::EmptyOp>() && type.hasStaticShape()) {
      rewriter.replaceOpWithNewOp<tensor::EmptyOp>(op, type.getShape(), type.getElementType());
      return success();
    }
    auto fill = op.getInput().getDefiningOp<linalg::FillOp>();
    if (!fill || !fill.hasPureTensorSemantics())
      return failure();
    Value init = transpose(rewriter, op.getLoc(), fill.getOutputs()[0], op.getPermutation());
    rewriter.replaceOp(op, linalg::FillOp::create(rewriter, op.getLoc(), fill.getInputs()[0], init)
                               ->getResult(0));
    return success();
  }
};

/// A single-output generic whose first `rank` loops are parallel and index
/// its output in order (reduction loops may follow): the shape a
/// transpose's perm can be applied to as a loop order.
bool hasOrderedOutput(linalg::GenericOp op, int64_t rank) {
  if (op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
      op.getNumLoops() < static_cast<unsigned>(rank))
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (llvm::any_of(llvm::seq<int64_t>(0, rank),
                   [&](int64_t d) { return iterators[d] != utils::IteratorType::parallel; }))
    return false;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  return out.getNumResults() == rank &&
         llvm::all_of(llvm::enumerate(out.getResults()), [&](auto r) {
           return r.value() == getAffineDimExpr(r.index(), op.getContext());
         });
}

/// Whether result i of `map` is a constant or reads loop i and no other
/// of the first `rank` loops (later, reduction loops may join it: a
/// window): the operand's dims line up with the output's, so a transpose
/// of the operand is a transpose of the loops.
bool isAligned(AffineMap map, int64_t rank) {
  if (map.getNumResults() != rank)
    return false;
  for (auto [i, result] : llvm::enumerate(map.getResults())) {
    if (isa<AffineConstantExpr>(result))
      continue;
    for (int64_t d = 0; d < rank; ++d)
      if ((d == static_cast<int64_t>(i)) != result.isFunctionOfDim(d))
        return false;
  }
  return true;
}

/// `op` with its first perm.size() loops reordered: old loop i becomes new
/// loop perm[i], so the new op's result is the old one's in the layout
/// whose transpose by `perm` gives the old. Operands in `unwrap` (inputs
/// aligned with the output, see isAligned) are transposes by `perm`: the
/// new op reads their sources. The new init is the old one transposed back.
linalg::GenericOp reorderLoops(RewriterBase &rewriter, linalg::GenericOp op, ArrayRef<int64_t> perm,
                               ArrayRef<OpOperand *> unwrap) {
  MLIRContext *ctx = op.getContext();
  int64_t rank = perm.size();
  unsigned loops = op.getNumLoops();
  SmallVector<AffineExpr> oldInNew;
  for (unsigned d = 0; d < loops; ++d)
    oldInNew.push_back(getAffineDimExpr(d < rank ? perm[d] : d, ctx));
  AffineMap substitution = AffineMap::get(loops, 0, oldInNew, ctx);
  Location loc = op.getLoc();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input).compose(substitution);
    if (!llvm::is_contained(unwrap, input)) {
      inputs.push_back(input->get());
      maps.push_back(map);
      continue;
    }
    // source[j] with j[perm[i]] = operand index i.
    SmallVector<AffineExpr> results(rank);
    for (int64_t i = 0; i < rank; ++i)
      results[perm[i]] = map.getResult(i);
    inputs.push_back(input->get().getDefiningOp<linalg::TransposeOp>().getInput());
    maps.push_back(AffineMap::get(loops, 0, results, ctx));
  }
  Value init = transpose(rewriter, loc, op.getDpsInits()[0], invertPermutationVector(perm));
  maps.push_back(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
  auto reordered = linalg::GenericOp::create(
      rewriter, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      op.getIteratorTypesArray(), /*bodyBuild=*/nullptr);
  rewriter.cloneRegionBefore(op.getRegion(), reordered.getRegion(), reordered.getRegion().begin());
  // The body's loop indices follow their loops.
  reordered.getRegion().walk([&](linalg::IndexOp index) {
    if (index->getParentOfType<linalg::LinalgOp>() == reordered &&
        index.getDim() < static_cast<uint64_t>(rank))
      rewriter.modifyOpInPlace(index, [&] { index.setDim(perm[index.getDim()]); });
  });
  return reordered;
}

/// The inputs of `op` that are transposes read through the transpose
/// instead: source[j] with j[p[i]] = map result i. For inputs that do not
/// line up with the output (left behind by an earlier sink, or read in
/// another order): no copy, whatever the access pattern.
LogicalResult foldTransposedInputs(linalg::GenericOp op, PatternRewriter &rewriter) {
  bool changed = false;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto t = input->get().getDefiningOp<linalg::TransposeOp>();
    if (!t || !isLayoutTranspose(t))
      continue;
    AffineMap map = maps[input->getOperandNumber()];
    ArrayRef<int64_t> perm = t.getPermutation();
    SmallVector<AffineExpr> results(perm.size());
    for (auto [i, p] : llvm::enumerate(perm))
      results[p] = map.getResult(i);
    maps[input->getOperandNumber()] =
        AffineMap::get(map.getNumDims(), map.getNumSymbols(), results, op.getContext());
    rewriter.modifyOpInPlace(op, [&] { input->set(t.getInput()); });
    changed = true;
  }
  if (changed)
    rewriter.modifyOpInPlace(op, [&] { op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps)); });
  return success(changed);
}

/// generic(transpose(x, p), ...) -> transpose(generic'(x, ...), p), the
/// generic's loops in x's layout. Transposed inputs that do not line up
/// are folded into their indexing maps.
struct SinkTransposeThroughGeneric : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    // The first input that is a transpose lined up with the output picks
    // the layout; other inputs transposed the same way are read directly.
    SmallVector<OpOperand *> unwrap;
    ArrayRef<int64_t> perm;
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto t = input->get().getDefiningOp<linalg::TransposeOp>();
      if (!t || !isLayoutTranspose(t) || !hasOrderedOutput(op, t.getPermutation().size()) ||
          !isAligned(op.getMatchingIndexingMap(input), t.getPermutation().size()))
        continue;
      if (perm.empty())
        perm = t.getPermutation();
      if (t.getPermutation() == perm)
        unwrap.push_back(input);
    }
    if (unwrap.empty())
      return foldTransposedInputs(op, rewriter);
    SmallVector<int64_t> order(perm);
    linalg::GenericOp reordered = reorderLoops(rewriter, op, order, unwrap);
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), reordered->getResult(0), order));
    return success();
  }
};

/// transpose(broadcast) -> broadcast built transposed: a generic of
/// parallel loops whose inputs all have fewer dims than its output (a bias
/// broadcast into a convolution's init), so the new layout costs nothing.
struct HoistTransposeThroughBroadcast : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op, PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<linalg::GenericOp>();
    int64_t rank = op.getPermutation().size();
    if (!producer || !isLayoutTranspose(op) || !hasOrderedOutput(producer, rank) ||
        producer.getNumLoops() != static_cast<unsigned>(rank) ||
        llvm::any_of(producer.getDpsInputOperands(), [&](OpOperand *input) {
          return producer.getMatchingIndexingMap(input).getNumResults() >= rank;
        }))
      return failure();
    rewriter.setInsertionPoint(producer);
    SmallVector<int64_t> inverse = invertPermutationVector(op.getPermutation());
    linalg::GenericOp reordered = reorderLoops(rewriter, producer, inverse, {});
    rewriter.replaceOp(op, reordered->getResult(0));
    return success();
  }
};

class ChannelsLastPass : public impl::SmeltChannelsLastBase<ChannelsLastPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (convertible(conv))
        rewriteConv<linalg::Conv2DNhwcHwcfOp>(rewriter, conv, {2, 3, 1, 0});
    });
    getOperation().walk([&](linalg::DepthwiseConv2DNchwChwOp conv) {
      if (convertible(conv))
        rewriteConv<linalg::DepthwiseConv2DNhwcHwcOp>(rewriter, conv, {1, 2, 0});
    });
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTransposePair, SinkTransposeThroughPad, TransposeEmptyOrFill,
                 SinkTransposeThroughGeneric, HoistTransposeThroughBroadcast>(&getContext());
    // Not converging leaves valid IR with some transposes in place.
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
    getOperation().walk([](linalg::TransposeOp op) { op->removeAttr(kLayoutAttr); });
  }
};

} // namespace
} // namespace smelt
