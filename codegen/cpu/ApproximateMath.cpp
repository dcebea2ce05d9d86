//===- ApproximateMath.cpp - f32 math functions as inline polynomials -----===//
//
// exp, log, tanh, erf and friends on f32 would otherwise become one libm
// call per element, which keeps LLVM from vectorizing the loop around them.
// Upstream's polynomial approximations (range reduction plus a minimax
// polynomial, NaN, infinity and overflow handled, within a few ulp) are
// plain arithmetic that vectorizes. Other element types keep libm. On bare
// metal, rounding (floor, ceil, round, roundeven, trunc) and minnum/maxnum
// are expanded too, so that firmware calls no libm for them; so are the
// IEEE maximum/minimum of f64 and, where the FPU has no double precision,
// f64's conversion to f16. Conversions between f32 and bf16 become integer
// operations everywhere (round to nearest even, NaN kept quiet).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuTarget.h"
#include "codegen/cpu/Passes.h"

#include "llvm/TargetParser/Triple.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
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

/// IEEE maximum/minimum of f64 (NaN if either is NaN; +0 above -0) as
/// compares and selects on Cortex-M: LLVM 22's ARM backend expands them
/// into an i64 compare of a double's halves that it then cannot select. Equal operands have equal bits except for zeros of
/// both signs, where the AND of the bits is +0 and the OR is -0.
template <typename Op, arith::CmpFPredicate Prefer, bool TakesPositiveZero>
struct DoubleMinMaxAsSelect : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;
  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF64())
      return failure();
    Location loc = op.getLoc();
    Value a = op.getLhs(), b = op.getRhs();
    Value preferA = arith::CmpFOp::create(rewriter, loc, Prefer, a, b);
    Value picked = arith::SelectOp::create(rewriter, loc, preferA, a, b);
    Type bitsType = rewriter.getI64Type();
    if (auto shaped = dyn_cast<ShapedType>(type))
      bitsType = shaped.clone(bitsType);
    Value aBits = arith::BitcastOp::create(rewriter, loc, bitsType, a);
    Value bBits = arith::BitcastOp::create(rewriter, loc, bitsType, b);
    Value joined = TakesPositiveZero ? Value(arith::AndIOp::create(rewriter, loc, aBits, bBits))
                                     : Value(arith::OrIOp::create(rewriter, loc, aBits, bBits));
    Value equal = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OEQ, a, b);
    picked = arith::SelectOp::create(rewriter, loc, equal,
                                     arith::BitcastOp::create(rewriter, loc, type, joined), picked);
    Value unordered = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::UNO, a, b);
    APFloat nanValue = APFloat::getQNaN(APFloat::IEEEdouble());
    TypedAttr nanAttr = rewriter.getFloatAttr(rewriter.getF64Type(), nanValue);
    if (auto shaped = dyn_cast<ShapedType>(type))
      nanAttr = DenseElementsAttr::get(shaped, nanValue);
    Value nan = arith::ConstantOp::create(rewriter, loc, nanAttr);
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, unordered, nan, picked);
    return success();
  }
};

/// f64 to f16 through f32 without double rounding: the f32 step rounds to
/// odd (toward zero, then the last bit set when inexact), which keeps
/// enough to round correctly to f16 (f32 has 24 bits, more than f16's 11 +
/// 2). libgcc for Cortex-M has no direct conversion (__aeabi_d2h).
struct DoubleToHalfThroughOddFloat : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op, PatternRewriter &rewriter) const override {
    Type from = op.getIn().getType(), to = op.getType();
    if (!getElementTypeOrSelf(from).isF64() || !getElementTypeOrSelf(to).isF16())
      return failure();
    Location loc = op.getLoc();
    auto like = [&](Type element) -> Type {
      if (auto shaped = dyn_cast<ShapedType>(from))
        return shaped.clone(element);
      return element;
    };
    Type f32 = like(rewriter.getF32Type()), i32 = like(rewriter.getI32Type());
    auto splat = [&](int64_t v) -> Value {
      TypedAttr attr = rewriter.getI32IntegerAttr(static_cast<int32_t>(v));
      if (auto shaped = dyn_cast<ShapedType>(i32))
        attr = DenseElementsAttr::get(shaped, attr);
      return arith::ConstantOp::create(rewriter, loc, attr);
    };
    Value x = op.getIn();
    Value nearest = arith::TruncFOp::create(rewriter, loc, f32, x);
    Value back = arith::ExtFOp::create(rewriter, loc, from, nearest);
    // Ordered: a NaN is no inexact result.
    Value inexact = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::ONE, back, x);
    Value awayFromZero = arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OGT,
                                               math::AbsFOp::create(rewriter, loc, back),
                                               math::AbsFOp::create(rewriter, loc, x));
    Value bits = arith::BitcastOp::create(rewriter, loc, i32, nearest);
    // One step toward zero: the magnitude's bits minus one (sign apart).
    Value towardZero = arith::SelectOp::create(
        rewriter, loc, awayFromZero, arith::SubIOp::create(rewriter, loc, bits, splat(1)), bits);
    Value odd = arith::SelectOp::create(
        rewriter, loc, inexact, arith::OrIOp::create(rewriter, loc, towardZero, splat(1)), bits);
    Value f = arith::BitcastOp::create(rewriter, loc, f32, odd);
    rewriter.replaceOpWithNewOp<arith::TruncFOp>(op, to, f);
    return success();
  }
};

class ApproximateMathPass : public impl::SmeltCpuApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    // f32 <-> bf16 as integer operations: without a native conversion
    // (x86-64 without AVX512-BF16, say) LLVM calls __truncsfbf2, which the
    // model's library does not link.
    arith::populateExpandBFloat16Patterns(patterns);
    // Firmware links newlib, whose libm has no roundevenf (C23); and an FPU
    // without ARMv8's rounding and minnum/maxnum instructions (the
    // Cortex-M4's) would call floorf, fminf and friends: integer and float
    // operations instead, so that firmware needs no libm for them.
    const CpuTarget &target = getCpuTarget(getOperation());
    if (llvm::Triple(target.triple).getOS() == llvm::Triple::UnknownOS) {
      math::populateExpansionPatterns(patterns, {"roundeven"});
      patterns.add<DoubleMinMaxAsSelect<arith::MaximumFOp, arith::CmpFPredicate::OGT, true>,
                   DoubleMinMaxAsSelect<arith::MinimumFOp, arith::CmpFPredicate::OLT, false>>(
          &getContext());
      if (!llvm::is_contained(target.enabledFeatures, "fp64"))
        patterns.add<DoubleToHalfThroughOddFloat>(&getContext());
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
