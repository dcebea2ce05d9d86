//===- ReductionAccumulators.cpp - row reductions in vector lanes ---------===//
#include "codegen/cpu/ReductionAccumulators.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

using namespace mlir;

namespace smelt {
namespace {

/// Whether `op` only moves one element between shapes (f32, vector<1xf32>,
/// vector<1x1xf32>...), so its result is its operand in another type.
bool movesOneElement(Operation *op) {
  if (!isa_and_nonnull<vector::BroadcastOp, vector::ShapeCastOp, vector::ExtractOp>(op) ||
      op->getNumResults() != 1)
    return false;
  auto count = [](Type t) {
    auto vector = dyn_cast<VectorType>(t);
    return vector ? vector.getNumElements() : 1;
  };
  return count(op->getOperand(0).getType()) == 1 && count(op->getResult(0).getType()) == 1;
}

/// `value` with the one-element moves that produced it stripped.
Value sourceOf(Value value) {
  while (movesOneElement(value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  return value;
}

/// The only op that `value` reaches through single-use one-element moves.
Operation *soleUserOf(Value value) {
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (!movesOneElement(user))
      return user;
    value = user->getResult(0);
  }
  return nullptr;
}

/// The identity of `kind` on `element` (f32, or i32 for sums and
/// products), when the lanes can start from it.
std::optional<TypedAttr> identityOf(vector::CombiningKind kind, Type element) {
  Builder b(element.getContext());
  if (element.isInteger(32)) {
    if (kind == vector::CombiningKind::ADD)
      return b.getI32IntegerAttr(0);
    if (kind == vector::CombiningKind::MUL)
      return b.getI32IntegerAttr(1);
    return std::nullopt;
  }
  constexpr float inf = std::numeric_limits<float>::infinity();
  switch (kind) {
  case vector::CombiningKind::ADD:
    return b.getF32FloatAttr(0.0f);
  case vector::CombiningKind::MUL:
    return b.getF32FloatAttr(1.0f);
  case vector::CombiningKind::MAXIMUMF:
  case vector::CombiningKind::MAXNUMF:
    return b.getF32FloatAttr(-inf);
  case vector::CombiningKind::MINIMUMF:
  case vector::CombiningKind::MINNUMF:
    return b.getF32FloatAttr(inf);
  default:
    return std::nullopt;
  }
}

/// One loop-carried reduction: `reduction` folds a chunk into the value of
/// iter_arg `index`, and its result is what the loop yields there.
struct CarriedReduction {
  scf::ForOp loop;
  unsigned index;
  Operation *reduction;
  Value chunk;  ///< the reduced 1-D vector (or its unit-dims form)
  Value factor; ///< for a contraction, what `chunk` is multiplied by first
  vector::CombiningKind kind;
};

std::optional<CarriedReduction> matchCarried(scf::ForOp loop, unsigned index) {
  BlockArgument carried = loop.getRegionIterArgs()[index];
  Type element = getElementTypeOrSelf(carried.getType());
  if (!element.isF32() && !element.isInteger(32))
    return std::nullopt;
  Operation *user = soleUserOf(carried);
  Value chunk, factor, acc, result;
  vector::CombiningKind kind;
  if (auto contract = dyn_cast_or_null<vector::ContractionOp>(user)) {
    // sum(a * b) over the last dim, as reduction-to-contract patterns
    // write a multiply feeding an add reduction.
    VectorType lhs = contract.getLhsType();
    auto iterators = contract.getIteratorTypesArray();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(lhs.getRank(), contract.getContext());
    if (lhs.getNumElements() != lhs.getShape().back() || contract.getRhsType() != lhs ||
        contract.getIndexingMapsArray()[0] != identity ||
        contract.getIndexingMapsArray()[1] != identity ||
        llvm::count(iterators, vector::IteratorType::reduction) != 1 ||
        iterators.back() != vector::IteratorType::reduction)
      return std::nullopt;
    chunk = contract.getLhs(), factor = contract.getRhs(), acc = contract.getAcc();
    result = contract.getResult(), kind = contract.getKind();
  } else if (auto reduction = dyn_cast_or_null<vector::ReductionOp>(user)) {
    if (!reduction.getAcc() || reduction.isMasked())
      return std::nullopt;
    chunk = reduction.getVector(), acc = reduction.getAcc(), result = reduction.getResult();
    kind = reduction.getKind();
  } else if (auto multi = dyn_cast_or_null<vector::MultiDimReductionOp>(user)) {
    // A chunk with leading unit dims reduced along its last dim only.
    VectorType source = multi.getSourceVectorType();
    if (source.getNumElements() != source.getShape().back() ||
        multi.getReductionDims() != ArrayRef<int64_t>{source.getRank() - 1})
      return std::nullopt;
    chunk = multi.getSource(), acc = multi.getAcc(), result = multi.getDest();
    kind = multi.getKind();
  } else {
    return std::nullopt;
  }
  if (sourceOf(acc) != carried || getElementTypeOrSelf(chunk.getType()) != element ||
      !identityOf(kind, element) ||
      sourceOf(loop.getYieldedValues()[index]) != result ||
      soleUserOf(result) != loop.getBody()->getTerminator())
    return std::nullopt;
  return CarriedReduction{loop, index, user, chunk, factor, kind};
}

/// The accumulator operand of a matched reduction.
Value accumulatorOf(Operation *reduction) {
  if (auto contract = dyn_cast<vector::ContractionOp>(reduction))
    return contract.getAcc();
  if (auto multi = dyn_cast<vector::MultiDimReductionOp>(reduction))
    return multi.getAcc();
  return cast<vector::ReductionOp>(reduction).getAcc();
}

/// Carries the lanes of `r` across its loop; false if the loop could not
/// take the extra value.
bool carryLanes(RewriterBase &rewriter, CarriedReduction r) {
  Location loc = r.reduction->getLoc();
  auto chunkType = cast<VectorType>(r.chunk.getType());
  Type scalar = chunkType.getElementType();
  auto lanesType = VectorType::get({chunkType.getNumElements()}, scalar);
  rewriter.setInsertionPoint(r.loop);
  Value identity = arith::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(lanesType, ArrayRef<Attribute>{*identityOf(r.kind, scalar)}));
  Operation *reduction = r.reduction;
  Value chunk = r.chunk, factor = r.factor;
  vector::CombiningKind kind = r.kind;
  FailureOr<LoopLikeOpInterface> widened = r.loop.replaceWithAdditionalYields(
      rewriter, ValueRange{identity}, /*replaceInitOperandUsesInLoop=*/false,
      [&](OpBuilder &b, Location, ArrayRef<BlockArgument> lanes) -> SmallVector<Value> {
        b.setInsertionPoint(reduction);
        Value row = chunk;
        if (factor && isa<FloatType>(scalar))
          row = arith::MulFOp::create(b, loc, chunk, factor);
        else if (factor)
          row = arith::MulIOp::create(b, loc, chunk, factor);
        if (row.getType() != lanesType)
          row = vector::ShapeCastOp::create(b, loc, lanesType, row);
        return {vector::makeArithReduction(b, loc, kind, row, lanes.front())};
      });
  if (failed(widened))
    return false;
  auto loop = cast<scf::ForOp>(widened->getOperation());
  // Inside the loop the scalar no longer changes: the reduction's result is
  // its accumulator.
  rewriter.replaceOp(reduction, accumulatorOf(reduction));
  // After the loop, the lanes fold into it once.
  Value result = loop.getResults()[r.index];
  SmallVector<OpOperand *> uses = llvm::map_to_vector(result.getUses(), [](OpOperand &use) { return &use; });
  rewriter.setInsertionPointAfter(loop);
  Value total = result;
  if (total.getType() != scalar) {
    Value single = vector::ShapeCastOp::create(rewriter, loc, VectorType::get({1}, scalar), total);
    total = vector::ExtractOp::create(rewriter, loc, single, ArrayRef<int64_t>{0});
  }
  Value reduced = vector::ReductionOp::create(rewriter, loc, kind, loop.getResults().back(), total);
  if (result.getType() != scalar)
    reduced = vector::BroadcastOp::create(rewriter, loc, result.getType(), reduced);
  for (OpOperand *use : uses)
    rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(reduced); });
  return true;
}

} // namespace

void accumulateReductionsInVectors(func::FuncOp func) {
  IRRewriter rewriter(func.getContext());
  // One reduction per loop and round: widening replaces the loop, so a
  // loop with several (the min and max of DynamicQuantizeLinear) takes
  // several rounds.
  for (bool changed = true; changed;) {
    SmallVector<CarriedReduction> work;
    func.walk([&](scf::ForOp loop) {
      for (unsigned i = 0, e = loop.getNumRegionIterArgs(); i < e; ++i)
        if (std::optional<CarriedReduction> r = matchCarried(loop, i)) {
          work.push_back(*r);
          return;
        }
    });
    changed = false;
    for (CarriedReduction &r : work)
      changed |= carryLanes(rewriter, r);
  }
}

} // namespace smelt
