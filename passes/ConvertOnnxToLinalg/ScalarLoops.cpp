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

Value orderedKey(OpBuilder &b, Location loc, Value x) {
  auto fType = cast<FloatType>(x.getType());
  unsigned width = fType.getWidth();
  Type iType = b.getIntegerType(width);
  // -0 compares equal to +0: give it +0's bits.
  Value zero = arith::ConstantOp::create(b, loc, fType, b.getFloatAttr(fType, 0.0));
  Value canonical = select(b, loc, cmpF(b, loc, arith::CmpFPredicate::OEQ, x, zero), zero, x);
  Value bits = arith::BitcastOp::create(b, loc, iType, canonical);
  // Negative: all bits flipped (larger magnitudes first); else the sign bit set.
  Value signFill = arith::ShRSIOp::create(
      b, loc, bits, arith::ConstantIntOp::create(b, loc, iType, width - 1));
  Value signBit = arith::ConstantOp::create(
      b, loc, iType, b.getIntegerAttr(iType, APInt::getSignMask(width)));
  return arith::XOrIOp::create(b, loc, bits, arith::OrIOp::create(b, loc, signFill, signBit));
}

int64_t radixPasses(Type keyType) { return keyType.getIntOrFloatBitWidth() / 8; }

SmallVector<Value> radixSort(OpBuilder &b, Location loc, Value values, Value keys, Value counts,
                             Value size, Value valuesSpare, Value keysSpare) {
  Type keyType = cast<RankedTensorType>(keys.getType()).getElementType();
  int64_t passes = radixPasses(keyType);
  Value zero = indexConstant(b, loc, 0), one = indexConstant(b, loc, 1);
  auto countAt = [&](OpBuilder &b, Location l, int64_t pass, Value byte) {
    return addI(b, l, indexConstant(b, l, pass * kRadixBuckets), byte);
  };
  auto byteOf = [&](OpBuilder &b, Location l, Value key, int64_t pass) {
    Value shifted = arith::ShRUIOp::create(
        b, l, key, arith::ConstantIntOp::create(b, l, keyType, 8 * pass));
    Value byte =
        arith::AndIOp::create(b, l, shifted, arith::ConstantIntOp::create(b, l, keyType, 0xff));
    return arith::IndexCastUIOp::create(b, l, b.getIndexType(), byte);
  };
  // Every pass's byte counts in one sweep over the keys (they do not change
  // between passes, only their order), then each count turned into the
  // bucket's first slot: the counts of the buckets before it. Few loops
  // carry `counts`: bufferization's analysis of a tensor carried through a
  // long chain of loops grows exponentially with the chain.
  Value allBuckets = indexConstant(b, loc, passes * kRadixBuckets);
  counts = forLoop(b, loc, zero, allBuckets, ValueRange{counts},
                   [&](OpBuilder &b, Location l, Value d, ValueRange s) -> SmallVector<Value> {
                     return {tensor::InsertOp::create(b, l, zero, s[0], ValueRange{d})};
                   })[0];
  counts = forLoop(b, loc, zero, size, ValueRange{counts},
                   [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
                     Value key = tensor::ExtractOp::create(b, l, keys, ValueRange{i});
                     Value c = s[0];
                     for (int64_t pass = 0; pass < passes; ++pass) {
                       Value at = countAt(b, l, pass, byteOf(b, l, key, pass));
                       Value n = tensor::ExtractOp::create(b, l, c, ValueRange{at});
                       c = tensor::InsertOp::create(b, l, addI(b, l, n, one), c, ValueRange{at});
                     }
                     return {c};
                   })[0];
  SmallVector<Value> sums(passes + 1, zero);
  sums[0] = counts;
  counts = forLoop(b, loc, zero, indexConstant(b, loc, kRadixBuckets), sums,
                   [&](OpBuilder &b, Location l, Value d, ValueRange s) -> SmallVector<Value> {
                     SmallVector<Value> next(s.begin(), s.end());
                     for (int64_t pass = 0; pass < passes; ++pass) {
                       Value at = countAt(b, l, pass, d);
                       Value n = tensor::ExtractOp::create(b, l, next[0], ValueRange{at});
                       next[0] = tensor::InsertOp::create(b, l, next[pass + 1], next[0],
                                                          ValueRange{at});
                       next[pass + 1] = addI(b, l, next[pass + 1], n);
                     }
                     return next;
                   })[0];
  // Entries move to the spare slots and back: an even number of passes ends
  // where it started (an odd number is followed by a copy back).
  Value valuesAt[2] = {zero, valuesSpare}, keysAt[2] = {zero, keysSpare};
  for (int64_t pass = 0; pass < passes + passes % 2; ++pass) {
    Value valuesFrom = valuesAt[pass % 2], valuesTo = valuesAt[1 - pass % 2];
    Value keysFrom = keysAt[pass % 2], keysTo = keysAt[1 - pass % 2];
    bool copyBack = pass >= passes;
    // In order of the entries: equal bytes keep their order (stable).
    ValueRange moved = forLoop(
        b, loc, zero, size, ValueRange{values, keys, counts},
        [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
          Value v = tensor::ExtractOp::create(b, l, s[0], ValueRange{addI(b, l, valuesFrom, i)});
          Value k = tensor::ExtractOp::create(b, l, s[1], ValueRange{addI(b, l, keysFrom, i)});
          Value slot = i, c = s[2];
          if (!copyBack) {
            Value at = countAt(b, l, pass, byteOf(b, l, k, pass));
            slot = tensor::ExtractOp::create(b, l, c, ValueRange{at});
            c = tensor::InsertOp::create(b, l, addI(b, l, slot, one), c, ValueRange{at});
          }
          return {tensor::InsertOp::create(b, l, v, s[0], ValueRange{addI(b, l, valuesTo, slot)}),
                  tensor::InsertOp::create(b, l, k, s[1], ValueRange{addI(b, l, keysTo, slot)}),
                  c};
        });
    values = moved[0];
    keys = moved[1];
    counts = moved[2];
  }
  return {values, keys, counts};
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
