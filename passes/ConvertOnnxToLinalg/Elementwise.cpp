//===- Elementwise.cpp - elementwise onnx ops to linalg.generic -----------===//
//
// Every elementwise operator becomes one broadcasting linalg.generic whose
// body computes one element. Signedness, which the signless types lose, is
// read from the onnx op's original operand types.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/ElementwisePattern.h"

using namespace mlir;

namespace smelt {
namespace {

// --- Arithmetic --------------------------------------------------------------

Value addBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  if (isFloat(info.elementType))
    return arith::AddFOp::create(b, loc, a[0], a[1]);
  return arith::AddIOp::create(b, loc, a[0], a[1]);
}

Value subBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  if (isFloat(info.elementType))
    return arith::SubFOp::create(b, loc, a[0], a[1]);
  return arith::SubIOp::create(b, loc, a[0], a[1]);
}

Value mulBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  if (isFloat(info.elementType))
    return arith::MulFOp::create(b, loc, a[0], a[1]);
  return arith::MulIOp::create(b, loc, a[0], a[1]);
}

Value divBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  if (isFloat(info.elementType))
    return arith::DivFOp::create(b, loc, a[0], a[1]);
  // Integer division by zero is undefined in ONNX (and traps in hardware):
  // it gives 0 here, and INT_MIN / -1 wraps to INT_MIN.
  Value divisor = trapFreeDivisor(b, loc, a[0], a[1], info.isUnsigned);
  Value quotient = info.isUnsigned ? Value(arith::DivUIOp::create(b, loc, a[0], divisor))
                                   // Truncates, as ONNX Runtime does.
                                   : Value(arith::DivSIOp::create(b, loc, a[0], divisor));
  Value zero = scalarConstant(b, loc, a[1].getType(), 0);
  Value byZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a[1], zero);
  return arith::SelectOp::create(b, loc, byZero, zero, quotient);
}

Value powBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Type resultType = info.elementType;
  Value base = a[0], exponent = a[1];
  // Integer bases are computed in f64 and truncated back.
  Type computeType = isFloat(resultType) ? resultType : b.getF64Type();
  bool baseUnsigned = info.isUnsigned && !isFloat(base.getType());
  base = castScalar(b, loc, base, computeType, baseUnsigned, false);
  exponent = castScalar(b, loc, exponent, computeType, false, false);
  Value result = math::PowFOp::create(b, loc, base, exponent);
  return castScalar(b, loc, result, resultType, false, info.isUnsigned);
}

Value maxBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value acc = a[0];
  for (Value v : a.drop_front()) {
    if (isFloat(info.elementType))
      acc = arith::MaximumFOp::create(b, loc, acc, v);
    else if (info.isUnsigned)
      acc = arith::MaxUIOp::create(b, loc, acc, v);
    else
      acc = arith::MaxSIOp::create(b, loc, acc, v);
  }
  return acc;
}

Value minBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value acc = a[0];
  for (Value v : a.drop_front()) {
    if (isFloat(info.elementType))
      acc = arith::MinimumFOp::create(b, loc, acc, v);
    else if (info.isUnsigned)
      acc = arith::MinUIOp::create(b, loc, acc, v);
    else
      acc = arith::MinSIOp::create(b, loc, acc, v);
  }
  return acc;
}

Value sumBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value acc = a[0];
  for (Value v : a.drop_front())
    acc = addBody(b, loc, {acc, v}, info);
  return acc;
}

Value meanBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value sum = sumBody(b, loc, a, info);
  Value count = scalarConstant(b, loc, info.elementType, static_cast<double>(a.size()));
  return arith::DivFOp::create(b, loc, sum, count);
}

// --- Unary ---------------------------------------------------------------------

Value negBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  if (isFloat(info.elementType))
    return arith::NegFOp::create(b, loc, a[0]);
  return arith::SubIOp::create(b, loc, scalarConstant(b, loc, info.elementType, 0), a[0]);
}

Value absBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  if (isFloat(info.elementType))
    return math::AbsFOp::create(b, loc, a[0]);
  if (info.isUnsigned)
    return a[0];
  return math::AbsIOp::create(b, loc, a[0]);
}

Value sqrtBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return math::SqrtOp::create(b, loc, a[0]);
}
Value expBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return math::ExpOp::create(b, loc, a[0]);
}
Value logBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return math::LogOp::create(b, loc, a[0]);
}
Value tanhBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return math::TanhOp::create(b, loc, a[0]);
}

Value reluBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value zero = scalarConstant(b, loc, info.elementType, 0);
  if (isFloat(info.elementType))
    return arith::MaximumFOp::create(b, loc, a[0], zero);
  return arith::MaxSIOp::create(b, loc, a[0], zero);
}

Value sigmoidBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value one = scalarConstant(b, loc, info.elementType, 1.0);
  Value negated = arith::NegFOp::create(b, loc, a[0]);
  Value denominator = arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negated));
  return arith::DivFOp::create(b, loc, one, denominator);
}

Value leakyReluBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  double alpha = cast<onnx::LeakyReluOp>(info.op).getAlpha().convertToDouble();
  Value zero = scalarConstant(b, loc, info.elementType, 0);
  Value scaled = arith::MulFOp::create(b, loc, a[0], scalarConstant(b, loc, info.elementType, alpha));
  Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, a[0], zero);
  return arith::SelectOp::create(b, loc, positive, a[0], scaled);
}

Value hardSigmoidBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  auto op = cast<onnx::HardSigmoidOp>(info.op);
  Type t = info.elementType;
  Value linear = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, a[0], scalarConstant(b, loc, t, op.getAlpha().convertToDouble())),
      scalarConstant(b, loc, t, op.getBeta().convertToDouble()));
  Value clamped = arith::MinimumFOp::create(b, loc, linear, scalarConstant(b, loc, t, 1.0));
  return arith::MaximumFOp::create(b, loc, clamped, scalarConstant(b, loc, t, 0.0));
}

/// Clip's min and max are optional inputs; absent ones were skipped, so the
/// body looks at the op to know which of a[1], a[2] is which.
Value clipBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  auto op = cast<onnx::ClipOp>(info.op);
  Value x = a[0];
  unsigned next = 1;
  bool hasMin = !isa<NoneType>(op.getMin().getType());
  bool hasMax = !isa<NoneType>(op.getMax().getType());
  if (hasMin) {
    Value lo = a[next++];
    x = isFloat(info.elementType) ? Value(arith::MaximumFOp::create(b, loc, x, lo))
        : info.isUnsigned         ? Value(arith::MaxUIOp::create(b, loc, x, lo))
                                  : Value(arith::MaxSIOp::create(b, loc, x, lo));
  }
  if (hasMax) {
    Value hi = a[next++];
    x = isFloat(info.elementType) ? Value(arith::MinimumFOp::create(b, loc, x, hi))
        : info.isUnsigned         ? Value(arith::MinUIOp::create(b, loc, x, hi))
                                  : Value(arith::MinSIOp::create(b, loc, x, hi));
  }
  return x;
}

/// Identity-like ops forward their operand (through a tensor.cast where the
/// result type knows more or fewer static dims).
template <typename OpTy>
struct ForwardPattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getOperands().front();
    auto resultType = getRankedType(*this->getTypeConverter(), op->getResult(0));
    if (resultType && isa<RankedTensorType>(input.getType()) && input.getType() != resultType)
      input = tensor::CastOp::create(rewriter, op.getLoc(), resultType, input);
    rewriter.replaceOp(op, input);
    return success();
  }
};

/// Cast and CastLike: one elementwise conversion of the first operand (the
/// CastLike target only lends its element type). Strings have no numeric
/// lowering.
template <typename OpTy>
struct CastPattern : DynamicShapePattern<OpTy> {
  using DynamicShapePattern<OpTy>::DynamicShapePattern;
  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value input = op->getOperand(0);
    Type src = cast<ShapedType>(input.getType()).getElementType();
    Type dst = cast<ShapedType>(op->getResult(0).getType()).getElementType();
    if (isa<onnx::StringType>(src) || isa<onnx::StringType>(dst))
      return op.emitError() << describeNode(op) << ": casts to or from string are not supported yet";
    auto resultType = getRankedType(*this->getTypeConverter(), op->getResult(0));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "result is not ranked");
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, ValueRange{adaptor.getOperands()[0]},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return castScalar(b, loc, args[0], resultType.getElementType(), src.isUnsignedInteger(),
                            dst.isUnsignedInteger());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateElementwisePatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwisePattern<onnx::AddOp, addBody>, ElementwisePattern<onnx::SubOp, subBody>,
               ElementwisePattern<onnx::MulOp, mulBody>, ElementwisePattern<onnx::DivOp, divBody>,
               ElementwisePattern<onnx::PowOp, powBody>, ElementwisePattern<onnx::MaxOp, maxBody>,
               ElementwisePattern<onnx::MinOp, minBody>, ElementwisePattern<onnx::SumOp, sumBody>,
               ElementwisePattern<onnx::MeanOp, meanBody>, ElementwisePattern<onnx::NegOp, negBody>,
               ElementwisePattern<onnx::AbsOp, absBody>, ElementwisePattern<onnx::SqrtOp, sqrtBody>,
               ElementwisePattern<onnx::ExpOp, expBody>, ElementwisePattern<onnx::LogOp, logBody>,
               ElementwisePattern<onnx::TanhOp, tanhBody>,
               ElementwisePattern<onnx::ReluOp, reluBody>,
               ElementwisePattern<onnx::SigmoidOp, sigmoidBody>,
               ElementwisePattern<onnx::LeakyReluOp, leakyReluBody>,
               ElementwisePattern<onnx::HardSigmoidOp, hardSigmoidBody>,
               ElementwisePattern<onnx::ClipOp, clipBody>, CastPattern<onnx::CastOp>,
               CastPattern<onnx::CastLikeOp>,
               ForwardPattern<onnx::IdentityOp>>(converter, ctx);
}

} // namespace smelt
