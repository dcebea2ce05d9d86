//===- ElementwisePattern.h - one broadcasting generic per onnx op -*- C++ -*-===//
//
// The pattern every elementwise family instantiates: the op becomes one
// linalg.generic over its (broadcast) operands, with a scalar body function.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_CONVERTONNXTOLINALG_ELEMENTWISEPATTERN_H
#define SMELT_PASSES_CONVERTONNXTOLINALG_ELEMENTWISEPATTERN_H

#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

namespace smelt {

/// Context a scalar body gets besides its operands.
struct ElementInfo {
  mlir::Type elementType;  // Signless element type of the result.
  bool isUnsigned;   // Signedness of the onnx operands.
  mlir::Operation *op;     // The onnx op being lowered (for attributes).
};

using ElementBody = mlir::Value (*)(mlir::OpBuilder &, mlir::Location, mlir::ValueRange,
                                    const ElementInfo &);

inline bool isFloat(mlir::Type type) { return mlir::isa<mlir::FloatType>(type); }

/// Lowers an onnx op whose operands all broadcast into the result with one
/// scalar body; `none` operands (absent optional inputs) are skipped.
template <typename OpTy, ElementBody Body>
struct ElementwisePattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  mlir::LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                      mlir::ConversionPatternRewriter &rewriter) const override {
    using namespace mlir;
    auto resultType = getRankedType(*this->getTypeConverter(), op->getResult(0));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not ranked");
    SmallVector<Value> inputs;
    bool isUnsigned = false;
    for (auto [original, converted] : llvm::zip(op->getOperands(), adaptor.getOperands())) {
      if (isa<NoneType>(converted.getType()))
        continue;
      isUnsigned |= isUnsignedElement(original);
      inputs.push_back(converted);
    }
    ElementInfo info{resultType.getElementType(), isUnsigned, op};
    Value result = buildElementwise(rewriter, op.getLoc(), resultType, inputs,
                                    [&](OpBuilder &b, Location loc, ValueRange args) {
                                      return Body(b, loc, args, info);
                                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace smelt

#endif // SMELT_PASSES_CONVERTONNXTOLINALG_ELEMENTWISEPATTERN_H
