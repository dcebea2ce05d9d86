//===- ElementwiseMath.cpp - math functions and activations to linalg -----===//
//
// Unary math (trigonometric, hyperbolic, rounding, erf...) and the activation
// functions, each one broadcasting linalg.generic. Formulas follow the ONNX
// operator definitions; where the reference computes in a particular way
// (Round is round-half-to-even) the body does the same.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/ElementwisePattern.h"

using namespace mlir;

namespace smelt {
namespace {

Value constantLike(OpBuilder &b, Location loc, Value like, double v) {
  return scalarConstant(b, loc, like.getType(), v);
}

template <typename MathOp>
Value unaryMath(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return MathOp::create(b, loc, a[0]);
}

Value roundBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return math::RoundEvenOp::create(b, loc, a[0]);
}

Value reciprocalBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return arith::DivFOp::create(b, loc, constantLike(b, loc, a[0], 1.0), a[0]);
}

Value signBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value x = a[0], zero = constantLike(b, loc, x, 0), one = constantLike(b, loc, x, 1);
  if (isFloat(x.getType())) {
    Value minusOne = constantLike(b, loc, x, -1);
    Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    // NaN and zero keep their value.
    return arith::SelectOp::create(b, loc, pos, one,
                                   arith::SelectOp::create(b, loc, neg, minusOne, x));
  }
  Value pos = arith::CmpIOp::create(
      b, loc, info.isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, x, zero);
  if (info.isUnsigned)
    return arith::SelectOp::create(b, loc, pos, one, zero);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
  return arith::SelectOp::create(b, loc, pos, one,
                                 arith::SelectOp::create(b, loc, neg, constantLike(b, loc, x, -1), zero));
}


/// Reads an F32 attribute or the schema default the generated getter gives.
template <typename OpTy>
double alphaOf(const ElementInfo &info) {
  return cast<OpTy>(info.op).getAlpha().convertToDouble();
}

Value eluBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value x = a[0], zero = constantLike(b, loc, x, 0);
  Value alpha = constantLike(b, loc, x, alphaOf<onnx::EluOp>(info));
  Value expm1 = math::ExpM1Op::create(b, loc, x);
  Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(b, loc, neg, arith::MulFOp::create(b, loc, alpha, expm1), x);
}

Value seluBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  auto op = cast<onnx::SeluOp>(info.op);
  Value x = a[0], zero = constantLike(b, loc, x, 0);
  Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
  Value gamma = constantLike(b, loc, x, op.getGamma().convertToDouble());
  Value negative = arith::SubFOp::create(
      b, loc, arith::MulFOp::create(b, loc, alpha, math::ExpOp::create(b, loc, x)), alpha);
  Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
  return arith::MulFOp::create(b, loc, gamma, arith::SelectOp::create(b, loc, pos, x, negative));
}

Value celuBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value x = a[0], zero = constantLike(b, loc, x, 0);
  Value alpha = constantLike(b, loc, x, alphaOf<onnx::CeluOp>(info));
  Value scaled = arith::MulFOp::create(
      b, loc, alpha, math::ExpM1Op::create(b, loc, arith::DivFOp::create(b, loc, x, alpha)));
  return arith::AddFOp::create(b, loc, arith::MaximumFOp::create(b, loc, x, zero),
                               arith::MinimumFOp::create(b, loc, scaled, zero));
}

Value softplusBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, a[0]));
}

Value softsignBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  Value denominator =
      arith::AddFOp::create(b, loc, constantLike(b, loc, a[0], 1), math::AbsFOp::create(b, loc, a[0]));
  return arith::DivFOp::create(b, loc, a[0], denominator);
}

Value thresholdedReluBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value x = a[0];
  Value alpha = constantLike(b, loc, x, alphaOf<onnx::ThresholdedReluOp>(info));
  Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, alpha);
  return arith::SelectOp::create(b, loc, above, x, constantLike(b, loc, x, 0));
}

Value preluBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  Value x = a[0], slope = a[1], zero = constantLike(b, loc, x, 0);
  if (isFloat(x.getType())) {
    Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    return arith::SelectOp::create(b, loc, neg, arith::MulFOp::create(b, loc, slope, x), x);
  }
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
  return arith::SelectOp::create(b, loc, neg, arith::MulIOp::create(b, loc, slope, x), x);
}

Value hardSwishBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  Value x = a[0];
  Value gate = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, x, constantLike(b, loc, x, 1.0 / 6.0)),
      constantLike(b, loc, x, 0.5));
  gate = arith::MinimumFOp::create(b, loc, gate, constantLike(b, loc, x, 1));
  gate = arith::MaximumFOp::create(b, loc, gate, constantLike(b, loc, x, 0));
  return arith::MulFOp::create(b, loc, x, gate);
}

Value shrinkBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  auto op = cast<onnx::ShrinkOp>(info.op);
  Value x = a[0];
  Type t = x.getType();
  bool isF = isFloat(t);
  double lambd = op.getLambd().convertToDouble(), biasValue = op.getBias().convertToDouble();
  Value lo = constantLike(b, loc, x, -lambd), hi = constantLike(b, loc, x, lambd);
  Value bias = constantLike(b, loc, x, biasValue), zero = constantLike(b, loc, x, 0);
  Value below = isF ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, lo))
                    : Value(arith::CmpIOp::create(b, loc, info.isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt, x, lo));
  Value above = isF ? Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, hi))
                    : Value(arith::CmpIOp::create(b, loc, info.isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, x, hi));
  Value plus = isF ? Value(arith::AddFOp::create(b, loc, x, bias)) : Value(arith::AddIOp::create(b, loc, x, bias));
  Value minus = isF ? Value(arith::SubFOp::create(b, loc, x, bias)) : Value(arith::SubIOp::create(b, loc, x, bias));
  return arith::SelectOp::create(b, loc, below, plus, arith::SelectOp::create(b, loc, above, minus, zero));
}

} // namespace

void populateElementwiseMathPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<
      ElementwisePattern<onnx::SinOp, unaryMath<math::SinOp>>,
      ElementwisePattern<onnx::CosOp, unaryMath<math::CosOp>>,
      ElementwisePattern<onnx::TanOp, unaryMath<math::TanOp>>,
      ElementwisePattern<onnx::AsinOp, unaryMath<math::AsinOp>>,
      ElementwisePattern<onnx::AcosOp, unaryMath<math::AcosOp>>,
      ElementwisePattern<onnx::AtanOp, unaryMath<math::AtanOp>>,
      ElementwisePattern<onnx::SinhOp, unaryMath<math::SinhOp>>,
      ElementwisePattern<onnx::CoshOp, unaryMath<math::CoshOp>>,
      ElementwisePattern<onnx::AsinhOp, unaryMath<math::AsinhOp>>,
      ElementwisePattern<onnx::AcoshOp, unaryMath<math::AcoshOp>>,
      ElementwisePattern<onnx::AtanhOp, unaryMath<math::AtanhOp>>,
      ElementwisePattern<onnx::ErfOp, unaryMath<math::ErfOp>>,
      ElementwisePattern<onnx::CeilOp, unaryMath<math::CeilOp>>,
      ElementwisePattern<onnx::FloorOp, unaryMath<math::FloorOp>>,
      ElementwisePattern<onnx::RoundOp, roundBody>,
      ElementwisePattern<onnx::ReciprocalOp, reciprocalBody>,
      ElementwisePattern<onnx::SignOp, signBody>, ElementwisePattern<onnx::EluOp, eluBody>,
      ElementwisePattern<onnx::SeluOp, seluBody>, ElementwisePattern<onnx::CeluOp, celuBody>,
      ElementwisePattern<onnx::SoftplusOp, softplusBody>,
      ElementwisePattern<onnx::SoftsignOp, softsignBody>,
      ElementwisePattern<onnx::ThresholdedReluOp, thresholdedReluBody>,
      ElementwisePattern<onnx::PReluOp, preluBody>,
      ElementwisePattern<onnx::HardSwishOp, hardSwishBody>,
      ElementwisePattern<onnx::ShrinkOp, shrinkBody>>(
      converter, patterns.getContext());
}

} // namespace smelt
