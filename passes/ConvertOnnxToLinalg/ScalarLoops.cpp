//===- ScalarLoops.cpp - builders of scalar scf loops on tensors ----------===//
#include "passes/ConvertOnnxToLinalg/ScalarLoops.h"
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace smelt::scalar_loops {

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
  auto loop = scf::ForOp::create(b, loc, lb, ub, indexConstant(b, loc, 1), inits,
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

Value heapSiftDown(OpBuilder &b, Location loc, Value heap, Value size, Value start,
                   HeapOrderFn nearerRoot) {
  Value trueV = arith::ConstantIntOp::create(b, loc, 1, 1);
  Value lastSlot = subI(b, loc, tensor::DimOp::create(b, loc, heap, 0), indexConstant(b, loc, 1));
  return whileLoop(
      b, loc, ValueRange{start, heap, trueV},
      [&](OpBuilder &, Location, ValueRange s) { return s[2]; },
      [&](OpBuilder &b, Location l, ValueRange s) -> SmallVector<Value> {
        Value pos = s[0], heap = s[1];
        Value parent = tensor::ExtractOp::create(b, l, heap, ValueRange{pos});
        // Reads are clamped into the buffer, and a child past `size` reads as
        // the parent itself (never nearer the root): the slots past `size`
        // may hold anything, which the order must not see.
        auto child = [&](Value at) {
          Value clamped = arith::MinUIOp::create(b, l, at, lastSlot);
          Value entry = tensor::ExtractOp::create(b, l, heap, ValueRange{clamped});
          return select(b, l, cmpI(b, l, arith::CmpIPredicate::ult, at, size), entry, parent);
        };
        Value left = addI(b, l, mulI(b, l, pos, indexConstant(b, l, 2)), indexConstant(b, l, 1));
        Value right = addI(b, l, left, indexConstant(b, l, 1));
        Value leftEntry = child(left), rightEntry = child(right);
        Value useRight = nearerRoot(b, l, rightEntry, leftEntry);
        Value childPos = select(b, l, useRight, right, left);
        Value childEntry = select(b, l, useRight, rightEntry, leftEntry);
        Value swap = nearerRoot(b, l, childEntry, parent);
        // Without a swap both writes put the parent back where it is.
        Value target = select(b, l, swap, childPos, pos);
        heap = tensor::InsertOp::create(b, l, select(b, l, swap, childEntry, parent), heap,
                                        ValueRange{pos});
        heap = tensor::InsertOp::create(b, l, parent, heap, ValueRange{target});
        return {target, heap, swap};
      })[1];
}

Value heapify(OpBuilder &b, Location loc, Value heap, Value size, HeapOrderFn nearerRoot) {
  Value half = arith::DivUIOp::create(b, loc, size, indexConstant(b, loc, 2));
  return forLoop(b, loc, indexConstant(b, loc, 0), half, ValueRange{heap},
                 [&](OpBuilder &b, Location l, Value t, ValueRange s) -> SmallVector<Value> {
                   Value start = subI(b, l, subI(b, l, half, indexConstant(b, l, 1)), t);
                   return {heapSiftDown(b, l, s[0], size, start, nearerRoot)};
                 })[0];
}

Value heapSort(OpBuilder &b, Location loc, Value heap, Value size, HeapOrderFn nearerRoot) {
  heap = heapify(b, loc, heap, size, nearerRoot);
  // The root moves behind the shrinking heap, which then re-forms.
  return forLoop(b, loc, indexConstant(b, loc, 1), size, ValueRange{heap},
                 [&](OpBuilder &b, Location l, Value t, ValueRange s) -> SmallVector<Value> {
                   Value last = subI(b, l, size, t);
                   Value zero = indexConstant(b, l, 0);
                   Value root = tensor::ExtractOp::create(b, l, s[0], ValueRange{zero});
                   Value leaf = tensor::ExtractOp::create(b, l, s[0], ValueRange{last});
                   Value h = tensor::InsertOp::create(b, l, leaf, s[0], ValueRange{zero});
                   h = tensor::InsertOp::create(b, l, root, h, ValueRange{last});
                   return {heapSiftDown(b, l, h, last, zero, nearerRoot)};
                 })[0];
}

Value partitionPoint(OpBuilder &b, Location loc, Value n, PartitionFn upper) {
  return whileLoop(
      b, loc, ValueRange{indexConstant(b, loc, 0), n},
      [&](OpBuilder &b, Location l, ValueRange s) {
        return cmpI(b, l, arith::CmpIPredicate::ult, s[0], s[1]);
      },
      [&](OpBuilder &b, Location l, ValueRange s) -> SmallVector<Value> {
        Value lo = s[0], hi = s[1];
        Value mid = addI(b, l, lo, arith::DivUIOp::create(b, l, subI(b, l, hi, lo),
                                                          indexConstant(b, l, 2)));
        Value up = upper(b, l, mid);
        return {select(b, l, up, lo, addI(b, l, mid, indexConstant(b, l, 1))),
                select(b, l, up, mid, hi)};
      })[0];
}

SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear, ArrayRef<Value> sizes) {
  SmallVector<Value> coords(sizes.size());
  Value rest = linear;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    coords[d] = arith::RemUIOp::create(b, loc, rest, sizes[d]);
    rest = arith::DivUIOp::create(b, loc, rest, sizes[d]);
  }
  return coords;
}

Value readScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(type.getRank(), indexConstant(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

} // namespace smelt::scalar_loops
