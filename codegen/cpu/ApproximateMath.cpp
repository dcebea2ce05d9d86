//===- ApproximateMath.cpp - f32 math functions as inline polynomials -----===//
//
// exp, log, tanh, erf and friends on f32 would otherwise become one libm
// call per element, which keeps LLVM from vectorizing the loop around them.
// Upstream's polynomial approximations (range reduction plus a minimax
// polynomial, NaN, infinity and overflow handled, within a few ulp) are
// plain arithmetic that vectorizes. Other element types keep libm. On bare
// metal, rounding (floor, ceil, round, roundeven, trunc) and minnum/maxnum
// are expanded too, so that firmware calls no libm for them.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuTarget.h"
#include "codegen/cpu/Passes.h"

#include "llvm/TargetParser/Triple.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUAPPROXIMATEMATH
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The functions whose approximations stay within the ONNX conformance
/// tolerances (checked by the conformance suite in both variants). Upstream
/// asks with the full operation name.
bool isApproximated(StringRef name) {
  return llvm::is_contained({math::ExpOp::getOperationName(), math::ExpM1Op::getOperationName(),
                             math::LogOp::getOperationName(), math::Log1pOp::getOperationName(),
                             math::Log2Op::getOperationName(), math::TanhOp::getOperationName(),
                             math::ErfOp::getOperationName()},
                            name);
}

/// floor(x) = -ceil(-x), exactly (signed zeros and NaN included): upstream
/// expands ceil into integer and float operations but not floor, which the
/// exp approximation itself uses.
struct FloorAsNegatedCeil : OpRewritePattern<math::FloorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FloorOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value negated = arith::NegFOp::create(rewriter, loc, op.getOperand());
    Value ceil = math::CeilOp::create(rewriter, loc, negated);
    rewriter.replaceOpWithNewOp<arith::NegFOp>(op, ceil);
    return success();
  }
};

/// minnum/maxnum (the one that is not NaN, else the smaller/larger) as a
/// compare and two selects: LLVM calls fminf/fmaxf for them on FPUs without
/// VMINNM/VMAXNM.
template <typename Op, arith::CmpFPredicate Prefer>
struct NumberMinMaxAsSelect : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    // f64 keeps fmin/fmax: these FPUs have no double compare either, and
    // LLVM 22's ARM backend cannot select some soft-float compares.
    if (!getElementTypeOrSelf(op.getType()).isF32())
      return failure();
    Location loc = op.getLoc();
    Value a = op.getLhs(), b = op.getRhs();
    Value preferA = arith::CmpFOp::create(rewriter, loc, Prefer, a, b);
    Value picked = arith::SelectOp::create(rewriter, loc, preferA, a, b);
    // An unordered compare chose b: keep a when b is the NaN.
    Value bIsNaN = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, b, b);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, bIsNaN, a, picked);
    return success();
  }
};

class ApproximateMathPass : public impl::SmeltCpuApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    // Firmware links newlib, whose libm has no roundevenf (C23); and an FPU
    // without ARMv8's rounding and minnum/maxnum instructions (the
    // Cortex-M4's) would call floorf, fminf and friends: integer and float
    // operations instead, so that firmware needs no libm for them.
    const CpuTarget &target = getCpuTarget(getOperation());
    if (llvm::Triple(target.triple).getOS() == llvm::Triple::UnknownOS) {
      math::populateExpansionPatterns(patterns, {"roundeven"});
      if (!llvm::is_contained(target.enabledFeatures, "fp-armv8d16sp")) {
        patterns.add<FloorAsNegatedCeil,
                     NumberMinMaxAsSelect<arith::MinNumFOp, arith::CmpFPredicate::OLT>,
                     NumberMinMaxAsSelect<arith::MaxNumFOp, arith::CmpFPredicate::OGT>>(
            &getContext());
        math::populateExpansionPatterns(patterns, {"ceil", "round", "trunc"});
      }
    }
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace smelt
