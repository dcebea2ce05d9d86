//===- ConvertOnnxToLinalg.cpp - the convert-onnx-to-linalg pass ----------===//
//
// Collects the per-family patterns and runs one dialect conversion with the
// onnx dialect illegal. Before converting it checks every onnx op, so that an
// op without a lowering, or with shapes the backend cannot handle yet, fails
// with an error naming the op and its node rather than a generic legalization
// failure.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/ConvertOnnxToLinalg/UncompilableBranches.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringSet.h"

#include <set>

namespace smelt {
#define GEN_PASS_DEF_CONVERTONNXTOLINALG
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Ops that need no pattern: they disappear with their uses or are values.
bool isStructural(Operation *op) { return isa<onnx::NoValueOp>(op); }

class ConvertOnnxToLinalgPass
    : public impl::ConvertOnnxToLinalgBase<ConvertOnnxToLinalgPass> {
public:
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (failed(refineControlFlowBodies(func)))
      return signalPassFailure();
    MLIRContext *ctx = &getContext();
    SignlessTypeConverter converter;
    RewritePatternSet patterns(ctx);
    populateOnnxToLinalgPatterns(converter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);

    // Which ops have a pattern at all, to tell "unsupported" from "failed".
    llvm::StringSet<> supported, dynamicShapes;
    for (const auto &pattern : patterns.getNativePatterns()) {
      std::optional<OperationName> root = pattern->getRootKind();
      if (!root)
        continue;
      supported.insert(root->getStringRef());
      if (llvm::is_contained(pattern->getDebugLabels(), kDynamicShapesLabel))
        dynamicShapes.insert(root->getStringRef());
    }

    auto takesDynamicDims = [&](Operation *op) {
      return dynamicShapes.contains(op->getName().getStringRef());
    };
    failUncompilableBranches(func, takesDynamicDims);
    WalkResult check = func.walk([&](Operation *op) {
      if (!isa<onnx::OnnxDialect>(op->getDialect()) || isStructural(op))
        return WalkResult::advance();
      if (!supported.contains(op->getName().getStringRef())) {
        op->emitError() << describeNode(op) << ": operator " << op->getName().stripDialect()
                        << " is not supported by the code generator yet";
        return WalkResult::interrupt();
      }
      // Patterns without the dynamic-shapes label need static operands and
      // results; with it, results may have dynamic dims (operands too).
      std::string obstacle = typeObstacle(op, takesDynamicDims(op));
      if (obstacle.empty())
        return WalkResult::advance();
      op->emitError() << describeNode(op) << ": " << obstacle;
      return WalkResult::interrupt();
    });
    if (check.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(*ctx);
    target.addIllegalDialect<onnx::OnnxDialect>();
    target.addLegalOp<onnx::NoValueOp>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
                           math::MathDialect, bufferization::BufferizationDialect,
                           scf::SCFDialect, cf::ControlFlowDialect, vector::VectorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp op) { return converter.isLegal(op.getOperandTypes()); });
    if (failed(applyPartialConversion(func, target, std::move(patterns))))
      return signalPassFailure();

    // Optional inputs that were never used by a lowering are dead now.
    func.walk([](onnx::NoValueOp op) {
      if (op->use_empty())
        op->erase();
    });
  }
};

} // namespace

void populateOnnxToLinalgPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  populateElementwisePatterns(converter, patterns);
  populateElementwiseMathPatterns(converter, patterns);
  populateLogicalPatterns(converter, patterns);
  populateMatMulPatterns(converter, patterns);
  populateConvPoolPatterns(converter, patterns);
  populateNormalizationPatterns(converter, patterns);
  populateReductionPatterns(converter, patterns);
  populateDataMovementPatterns(converter, patterns);
  populateIndexingPatterns(converter, patterns);
  populateLayoutPatterns(converter, patterns);
  populateResamplingPatterns(converter, patterns);
  populateQuantizationPatterns(converter, patterns);
  populateEinsumPatterns(converter, patterns);
  populateControlFlowPatterns(converter, patterns);
  populateLossPatterns(converter, patterns);
  populateRecurrentPatterns(converter, patterns);
  populateSignalPatterns(converter, patterns);
  populateRandomPatterns(converter, patterns);
  populateDetectionPatterns(converter, patterns);
  populateTopKPatterns(converter, patterns);
  populateNonMaxSuppressionPatterns(converter, patterns);
  populateTextPatterns(converter, patterns);
}

std::vector<std::string> lowerableOnnxOps(MLIRContext *context) {
  context->getOrLoadDialect<onnx::OnnxDialect>();
  SignlessTypeConverter converter;
  RewritePatternSet patterns(context);
  populateOnnxToLinalgPatterns(converter, patterns);
  std::set<std::string> names;
  for (const auto &pattern : patterns.getNativePatterns())
    if (std::optional<OperationName> root = pattern->getRootKind())
      if (root->getDialectNamespace() == "onnx")
        names.insert(root->stripDialect().str());
  // Lowered to tensor ops before this pass (onnx-to-plain-tensors).
  for (const char *name : opsLoweredToPlainTensors())
    names.insert(name);
  return {names.begin(), names.end()};
}

} // namespace smelt
