//===- ScalarLoops.cpp - builders of scalar scf loops on tensors ----------===//
#include "passes/ConvertOnnxToLinalg/ScalarLoops.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace smelt::scalar_loops {

Value cIdx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value toIndex(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}
Value toI64(OpBuilder &b, Location loc, Value v) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
}
Value cmpI(OpBuilder &b, Location loc, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, loc, p, x, y);
}
Value cmpF(OpBuilder &b, Location loc, arith::CmpFPredicate p, Value x, Value y) {
  return arith::CmpFOp::create(b, loc, p, x, y);
}
Value select(OpBuilder &b, Location loc, Value c, Value x, Value y) {
  return arith::SelectOp::create(b, loc, c, x, y);
}
Value addI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value subI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SubIOp::create(b, loc, x, y);
}
Value mulI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value andI(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}
Value notI1(OpBuilder &b, Location loc, Value x) {
  return arith::XOrIOp::create(b, loc, x, arith::ConstantIntOp::create(b, loc, 1, 1));
}

ValueRange forLoop(OpBuilder &b, Location loc, Value lb, Value ub, ValueRange inits, BodyFn body) {
  auto loop = scf::ForOp::create(b, loc, lb, ub, cIdx(b, loc, 1), inits,
                                 [&](OpBuilder &nb, Location nl, Value iv, ValueRange args) {
                                   scf::YieldOp::create(nb, nl, body(nb, nl, iv, args));
                                 });
  return loop.getResults();
}

ValueRange whileLoop(OpBuilder &b, Location loc, ValueRange inits, ConditionFn cond,
                     StepFn step) {
  auto loop = scf::WhileOp::create(
      b, loc, inits.getTypes(), inits,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        scf::ConditionOp::create(nb, nl, cond(nb, nl, args), args);
      },
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        scf::YieldOp::create(nb, nl, step(nb, nl, args));
      });
  return loop.getResults();
}

ValueRange ifElse(OpBuilder &b, Location loc, Value cond, TypeRange types, BranchFn thenFn,
                  BranchFn elseFn) {
  auto ifOp = scf::IfOp::create(b, loc, types, cond, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(ifOp.thenBlock());
  scf::YieldOp::create(b, loc, thenFn(b, loc));
  b.setInsertionPointToEnd(ifOp.elseBlock());
  scf::YieldOp::create(b, loc, elseFn(b, loc));
  return ifOp.getResults();
}

Value readScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(type.getRank(), cIdx(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

} // namespace smelt::scalar_loops
