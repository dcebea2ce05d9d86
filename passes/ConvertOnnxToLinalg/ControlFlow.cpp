//===- ControlFlow.cpp - If to scf.if -------------------------------------===//
//
// If's branches move into an scf.if on the condition's scalar; their
// onnx.Yield terminators become scf.yield. Both branches must produce the
// If's (static) result types; ONNX allows branches of different shapes, which
// needs dynamic shapes and is rejected with an error naming the node.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace smelt {
namespace {

struct IfPattern : OpConversionPattern<onnx::IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::IfOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> resultTypes;
    for (Value result : op.getResults()) {
      RankedTensorType type = getStaticType(*getTypeConverter(), result);
      if (!type)
        return op.emitError() << describeNode(op)
                              << ": If results must be statically shaped tensors";
      resultTypes.push_back(type);
    }
    for (Region *branch : {&op.getThenBranch(), &op.getElseBranch()}) {
      auto yield = cast<onnx::YieldOp>(branch->front().getTerminator());
      for (auto [value, type] : llvm::zip(yield.getValues(), op.getResultTypes()))
        if (value.getType() != type)
          return op.emitError() << describeNode(op) << ": a branch yields " << value.getType()
                                << " where the If produces " << type
                                << "; branches of different shapes need dynamic shapes";
    }
    Location loc = op.getLoc();
    // The condition holds one element, whatever its rank (exporters emit [1], [1,1]).
    auto condType = cast<RankedTensorType>(adaptor.getCond().getType());
    SmallVector<Value> zeros(condType.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
    Value cond = tensor::ExtractOp::create(rewriter, loc, adaptor.getCond(), zeros);
    auto ifOp = scf::IfOp::create(rewriter, loc, resultTypes, cond, /*withElseRegion=*/true);
    // scf.if builds empty blocks; replace them with the onnx regions.
    rewriter.eraseBlock(&ifOp.getThenRegion().front());
    rewriter.eraseBlock(&ifOp.getElseRegion().front());
    rewriter.inlineRegionBefore(op.getThenBranch(), ifOp.getThenRegion(), ifOp.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseBranch(), ifOp.getElseRegion(), ifOp.getElseRegion().end());
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

/// The terminator of a branch that now belongs to an scf.if.
struct YieldPattern : OpConversionPattern<onnx::YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::YieldOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (!isa<scf::IfOp>(op->getParentOp()))
      return rewriter.notifyMatchFailure(op, "only If branches are lowered so far");
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, adaptor.getValues());
    return success();
  }
};

} // namespace

void populateControlFlowPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<IfPattern, YieldPattern>(converter, patterns.getContext());
}

} // namespace smelt
