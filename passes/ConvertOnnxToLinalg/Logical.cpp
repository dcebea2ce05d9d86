//===- Logical.cpp - comparisons, logic, Where, Mod, BitShift to linalg ---===//
//
// Ops whose result element type differs from their operands' (comparisons
// and IsNaN/IsInf give bool) or that pick between operands. Float
// comparisons are ordered: NaN compares false, as in ONNX Runtime.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/ElementwisePattern.h"

using namespace mlir;

namespace smelt {
namespace {

template <arith::CmpFPredicate F, arith::CmpIPredicate S, arith::CmpIPredicate U>
Value compareBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  if (isFloat(a[0].getType()))
    return arith::CmpFOp::create(b, loc, F, a[0], a[1]);
  return arith::CmpIOp::create(b, loc, info.isUnsigned ? U : S, a[0], a[1]);
}

using P = arith::CmpIPredicate;
using FP = arith::CmpFPredicate;
constexpr auto equalBody = compareBody<FP::OEQ, P::eq, P::eq>;
constexpr auto lessBody = compareBody<FP::OLT, P::slt, P::ult>;
constexpr auto lessEqualBody = compareBody<FP::OLE, P::sle, P::ule>;
constexpr auto greaterBody = compareBody<FP::OGT, P::sgt, P::ugt>;
constexpr auto greaterEqualBody = compareBody<FP::OGE, P::sge, P::uge>;

Value andBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return arith::AndIOp::create(b, loc, a[0], a[1]);
}
Value orBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return arith::OrIOp::create(b, loc, a[0], a[1]);
}
Value xorBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return arith::XOrIOp::create(b, loc, a[0], a[1]);
}
Value notBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return arith::XOrIOp::create(b, loc, a[0], scalarConstant(b, loc, a[0].getType(), 1));
}
Value whereBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
}

Value isNaNBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &) {
  return arith::CmpFOp::create(b, loc, FP::UNO, a[0], a[0]);
}

Value isInfBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  auto op = cast<onnx::IsInfOp>(info.op);
  auto floatType = cast<FloatType>(a[0].getType());
  auto infinity = [&](bool negative) {
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(), negative)));
  };
  Value result = scalarConstant(b, loc, b.getI1Type(), 0);
  if (op.getDetectPositive())
    result = arith::OrIOp::create(b, loc, result,
                                  arith::CmpFOp::create(b, loc, FP::OEQ, a[0], infinity(false)));
  if (op.getDetectNegative())
    result = arith::OrIOp::create(b, loc, result,
                                  arith::CmpFOp::create(b, loc, FP::OEQ, a[0], infinity(true)));
  return result;
}

/// Mod: fmod=1 is C fmod (sign of the dividend); fmod=0 (integers only)
/// takes the sign of the divisor, like Python's %.
Value modBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  auto op = cast<onnx::ModOp>(info.op);
  Value x = a[0], y = a[1];
  if (isFloat(x.getType()))
    return arith::RemFOp::create(b, loc, x, y);
  // A zero divisor (undefined in ONNX, a trap in hardware) gives 0, as does
  // INT_MIN % -1.
  Value divisor = trapFreeDivisor(b, loc, x, y, info.isUnsigned);
  if (info.isUnsigned)
    return arith::RemUIOp::create(b, loc, x, divisor);
  Value r = arith::RemSIOp::create(b, loc, x, divisor);
  if (op.getFmod())
    return r;
  Value zero = scalarConstant(b, loc, x.getType(), 0);
  Value nonZero = arith::CmpIOp::create(b, loc, P::ne, r, zero);
  Value signsDiffer = arith::XOrIOp::create(b, loc, arith::CmpIOp::create(b, loc, P::slt, r, zero),
                                            arith::CmpIOp::create(b, loc, P::slt, y, zero));
  Value adjust = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
  return arith::SelectOp::create(b, loc, adjust, arith::AddIOp::create(b, loc, r, y), r);
}

Value bitShiftBody(OpBuilder &b, Location loc, ValueRange a, const ElementInfo &info) {
  auto op = cast<onnx::BitShiftOp>(info.op);
  if (op.getDirection() == "LEFT")
    return arith::ShLIOp::create(b, loc, a[0], a[1]);
  return arith::ShRUIOp::create(b, loc, a[0], a[1]); // BitShift is defined on unsigned types.
}

} // namespace

void populateLogicalPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ElementwisePattern<onnx::EqualOp, equalBody>,
               ElementwisePattern<onnx::LessOp, lessBody>,
               ElementwisePattern<onnx::LessOrEqualOp, lessEqualBody>,
               ElementwisePattern<onnx::GreaterOp, greaterBody>,
               ElementwisePattern<onnx::GreaterOrEqualOp, greaterEqualBody>,
               ElementwisePattern<onnx::AndOp, andBody>, ElementwisePattern<onnx::OrOp, orBody>,
               ElementwisePattern<onnx::XorOp, xorBody>, ElementwisePattern<onnx::NotOp, notBody>,
               ElementwisePattern<onnx::WhereOp, whereBody>,
               ElementwisePattern<onnx::IsNaNOp, isNaNBody>,
               ElementwisePattern<onnx::IsInfOp, isInfBody>,
               ElementwisePattern<onnx::ModOp, modBody>,
               ElementwisePattern<onnx::BitShiftOp, bitShiftBody>>(converter,
                                                                     patterns.getContext());
}

} // namespace smelt
