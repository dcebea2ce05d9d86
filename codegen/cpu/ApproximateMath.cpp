//===- ApproximateMath.cpp - f32 math functions as inline polynomials -----===//
//
// exp, log, tanh, erf and friends on f32 would otherwise become one libm
// call per element, which keeps LLVM from vectorizing the loop around them.
// Upstream's polynomial approximations (range reduction plus a minimax
// polynomial, NaN, infinity and overflow handled, within a few ulp) are
// plain arithmetic that vectorizes. Other element types keep libm. On bare
// metal, roundeven is expanded too (newlib has no roundevenf).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuTarget.h"
#include "codegen/cpu/Passes.h"

#include "llvm/TargetParser/Triple.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
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

class ApproximateMathPass : public impl::SmeltCpuApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, isApproximated);
    // Firmware links newlib, whose libm has no roundevenf (C23): integer
    // and float operations instead.
    if (llvm::Triple(getCpuTarget(getOperation()).triple).getOS() == llvm::Triple::UnknownOS)
      math::populateExpansionPatterns(patterns, {"roundeven"});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace smelt
