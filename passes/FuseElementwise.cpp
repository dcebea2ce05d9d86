//===- FuseElementwise.cpp - the smelt-fuse-elementwise pass --------------===//
//
// Upstream's linalg-fuse-elementwise-ops fuses an elementwise producer into
// any consumer, reductions included: a bias-add + Relu in front of a Gemm
// would be recomputed for every step of the product's reduction, and the
// Gemm would stop being a contraction that code generation recognizes.
// This pass uses the same patterns but fuses (and moves reshapes) only
// between ops without reduction loops, and not into a consumer that
// broadcasts the value: a squeeze-and-excitation gate's Sigmoid over
// [1, C, 1, 1] fused into the scaling of [1, C, H, W] would be computed
// H*W times per channel instead of once. It also folds transposes of
// constants, weights included (Gemm's transB): code generation then reads
// them in the order its kernels want, at no run-time cost.
//
//===----------------------------------------------------------------------===//
#include "passes/ConstantData.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace smelt {
#define GEN_PASS_DEF_SMELTFUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

bool hasReductionLoops(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0;
}

/// Whether the consumer reads each element of `operand` once: every one of
/// its loops indexes the operand.
bool readsEachElementOnce(OpOperand *operand) {
  auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
  if (!consumer)
    return true;
  AffineMap map = consumer.getMatchingIndexingMap(operand);
  return llvm::all_of(llvm::seq<unsigned>(0, map.getNumDims()),
                      [&](unsigned d) { return map.isFunctionOfDim(d); });
}

/// Fold across `operand` only when neither side reduces, and only a
/// producer with no other user (as upstream's default does).
bool fusesWithoutReductions(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  return producer && producer->hasOneUse() && !hasReductionLoops(producer) &&
         !hasReductionLoops(operand->getOwner());
}

/// Fuse a producer into its consumer under the same conditions, and only
/// when the consumer does not broadcast it.
bool fusesOncePerElement(OpOperand *operand) {
  return fusesWithoutReductions(operand) && readsEachElementOnce(operand);
}

/// linalg.transpose of an arith.constant (inline or resource) becomes the
/// transposed constant.
struct FoldTransposeOfConstant : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op, PatternRewriter &rewriter) const override {
    auto constant = op.getInput().getDefiningOp<arith::ConstantOp>();
    auto inType = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!constant || !op.hasPureTensorSemantics() || !inType || !inType.hasStaticShape())
      return failure();
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    std::optional<size_t> elementBytes = constantElementBytes(inType.getElementType());
    if (!elementBytes)
      return failure(); // i1 is bit-packed in dense attributes.
    size_t width = *elementBytes;
    if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()); dense && dense.isSplat()) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, dense.resizeSplat(outType));
      return success();
    }
    std::optional<ArrayRef<char>> bytesOfInput = constantBytes(constant.getValue());
    if (!bytesOfInput)
      return failure();
    ArrayRef<char> raw = *bytesOfInput;
    int64_t count = inType.getNumElements();

    // Walk the result in order; the source offset of result index i is
    // sum over d of i[d] * (input stride of dim perm[d]).
    ArrayRef<int64_t> perm = op.getPermutation();
    int64_t rank = inType.getRank();
    SmallVector<int64_t> inStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      inStrides[d] = inStrides[d + 1] * inType.getDimSize(d + 1);
    SmallVector<int64_t> index(rank, 0);
    std::vector<char> bytes(raw.size());
    for (int64_t i = 0; i < count; ++i) {
      int64_t source = 0;
      for (int64_t d = 0; d < rank; ++d)
        source += index[d] * inStrides[perm[d]];
      std::memcpy(&bytes[i * width], &raw[source * width], width);
      for (int64_t d = rank - 1; d >= 0 && ++index[d] == outType.getDimSize(d); --d)
        index[d] = 0;
    }
    TypedAttr value = constantFromBytes(outType, bytes, "transposed");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

class FuseElementwisePass : public impl::SmeltFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, fusesOncePerElement);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, fusesWithoutReductions);
    linalg::populateConstantFoldLinalgOperations(patterns, fusesWithoutReductions);
    patterns.add<FoldTransposeOfConstant>(ctx);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace smelt
