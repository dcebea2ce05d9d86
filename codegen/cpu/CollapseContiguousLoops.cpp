//===- CollapseContiguousLoops.cpp - one long loop per contiguous run -----===//
//
// Ops without a vector kernel become loop nests, and LLVM's loop vectorizer
// only sees the innermost loop. An elementwise op over [1, 1152, 7, 7] is a
// nest whose innermost loop runs 7 times: too short for 16 lanes, so it
// stays scalar. Where neighbouring loops walk every operand contiguously
// (the outer stride equals the inner extent times the inner stride) they
// are one loop in disguise; merging them gives the vectorizer the whole run.
// Memory is visited in the same order, so results are identical. Ops with
// a contraction or window kernel keep their loops: their strategies are
// chosen on the loops they have. A fill of a contiguous buffer becomes a
// fill of its one-dimensional view: as a nest, LLVM vectorized a max
// pool's [1, 56, 56, 64] -inf fill along an outer loop, with scatters
// (8% of ResNet-50's time outside its convolutions).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/TileFusion.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUCOLLAPSECONTIGUOUSLOOPS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Where loop `d` appears among the results of `map`, if it does.
std::optional<unsigned> resultOf(AffineMap map, unsigned d) {
  for (auto [i, expr] : llvm::enumerate(map.getResults()))
    if (auto dim = dyn_cast<AffineDimExpr>(expr); dim && dim.getPosition() == d)
      return i;
  return std::nullopt;
}

/// Whether `op` runs in a kernel chosen on its loops as they are: a
/// contraction or window kernel, or another's tiles.
bool hasOwnKernel(const CpuTarget &target, linalg::GenericOp op) {
  return isFusedIntoTiles(op) || chooseContractionStrategy(target, op) ||
         chooseWindowStrategy(target, op);
}

/// Whether every index of every operand is a distinct loop or the constant 0
/// (a broadcast unit dim), over static, strided memrefs, with no linalg.index,
/// and the op has no kernel of its own.
bool isCollapsible(const CpuTarget &target, linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumLoops() < 2 || op.hasIndexSemantics() ||
      hasOwnKernel(target, op))
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    if (!type || !type.hasStaticShape() || !type.isStrided())
      return false;
    // Each loop at most once per operand (not a diagonal), or the constant 0.
    if (!op.getMatchingIndexingMap(&operand).isProjectedPermutation(/*allowZeroInResults=*/true))
      return false;
  }
  return true;
}

/// Whether loops `d` and `d + 1` can be one loop: the same iterator type,
/// and in every operand either both absent or adjacent results (d first)
/// whose strides make them one contiguous run.
bool mergesWithNext(linalg::GenericOp op, unsigned d) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators[d] != iterators[d + 1])
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    std::optional<unsigned> outer = resultOf(map, d), inner = resultOf(map, d + 1);
    if (!outer && !inner)
      continue;
    if (!outer || !inner || *inner != *outer + 1)
      return false;
    auto type = cast<MemRefType>(operand.get().getType());
    auto [strides, offset] = type.getStridesAndOffset();
    if (ShapedType::isDynamic(strides[*outer]) || ShapedType::isDynamic(strides[*inner]) ||
        strides[*outer] != strides[*inner] * type.getDimSize(*inner))
      return false;
  }
  return true;
}

/// Runs of adjacent loops to merge, each in loop order; loops left alone
/// are runs of one. Empty when nothing merges.
SmallVector<ReassociationIndices> loopRuns(linalg::GenericOp op) {
  SmallVector<ReassociationIndices> runs{{0}};
  bool merged = false;
  for (unsigned d = 0; d + 1 < op.getNumLoops(); ++d) {
    if (mergesWithNext(op, d)) {
      runs.back().push_back(d + 1);
      merged = true;
    } else {
      runs.push_back({static_cast<int64_t>(d + 1)});
    }
  }
  return merged ? runs : SmallVector<ReassociationIndices>{};
}

/// The operand's view with each run's dims merged, and its indexing map in
/// the merged loops. A run's dims are adjacent in the operand (checked by
/// mergesWithNext); constant-0 indices stay dims of their own.
std::pair<Value, AffineMap> collapseOperand(RewriterBase &rewriter, linalg::GenericOp op,
                                            OpOperand &operand,
                                            ArrayRef<ReassociationIndices> runs) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  SmallVector<int64_t> runOfLoop(op.getNumLoops());
  for (auto [r, run] : llvm::enumerate(runs))
    for (int64_t d : run)
      runOfLoop[d] = r;
  SmallVector<ReassociationIndices> groups;
  SmallVector<AffineExpr> results;
  for (unsigned i = 0, e = map.getNumResults(); i < e;) {
    auto dim = dyn_cast<AffineDimExpr>(map.getResult(i));
    unsigned width = dim ? runs[runOfLoop[dim.getPosition()]].size() : 1;
    groups.emplace_back(llvm::to_vector(llvm::seq<int64_t>(i, i + width)));
    results.push_back(dim ? rewriter.getAffineDimExpr(runOfLoop[dim.getPosition()])
                          : map.getResult(i));
    i += width;
  }
  AffineMap collapsedMap = AffineMap::get(runs.size(), 0, results, op.getContext());
  if (groups.size() == map.getNumResults())
    return {operand.get(), collapsedMap};
  Value view =
      memref::CollapseShapeOp::create(rewriter, op.getLoc(), operand.get(), groups).getResult();
  return {view, collapsedMap};
}

void collapse(RewriterBase &rewriter, linalg::GenericOp op,
              ArrayRef<ReassociationIndices> runs) {
  rewriter.setInsertionPoint(op);
  SmallVector<Value> inputs, outputs;
  SmallVector<AffineMap> maps;
  for (OpOperand &operand : op->getOpOperands()) {
    auto [view, map] = collapseOperand(rewriter, op, operand, runs);
    (op.isDpsInput(&operand) ? inputs : outputs).push_back(view);
    maps.push_back(map);
  }
  SmallVector<utils::IteratorType> iterators;
  for (const ReassociationIndices &run : runs)
    iterators.push_back(op.getIteratorTypesArray()[run.front()]);
  auto collapsed =
      linalg::GenericOp::create(rewriter, op.getLoc(), TypeRange{}, inputs, outputs, maps, iterators);
  rewriter.inlineRegionBefore(op.getRegion(), collapsed.getRegion(), collapsed.getRegion().begin());
  rewriter.eraseOp(op);
}

/// Drops the unit dims that `op` indexes by the constant 0 from its input
/// operands (a squeeze-and-excitation scale kept as [1, C, 1, 1] and
/// broadcast over channels-last pixels): each joins the group of the dim
/// before it in a collapsed view. The maps become projected permutations,
/// which the row kernels need (with more results than loops they are not
/// one, and the op stayed scalar loops: 3% of EfficientNet-B0).
void dropUnitZeroIndices(RewriterBase &rewriter, linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics())
    return;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool changed = false;
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = dyn_cast<MemRefType>(input->get().getType());
    AffineMap map = op.getMatchingIndexingMap(input);
    if (!type || map.getNumResults() < 2)
      continue;
    SmallVector<ReassociationIndices> groups;
    SmallVector<AffineExpr> results;
    bool unitZeros = false, valid = true;
    for (auto [i, result] : llvm::enumerate(map.getResults())) {
      auto constant = dyn_cast<AffineConstantExpr>(result);
      bool unitZero = constant && constant.getValue() == 0 && type.getDimSize(i) == 1;
      if (unitZero && !groups.empty()) {
        groups.back().push_back(i);
        unitZeros = true;
        continue;
      }
      if (!isa<AffineDimExpr>(result) && !unitZero) {
        valid = false;
        break;
      }
      groups.push_back({static_cast<int64_t>(i)});
      results.push_back(result);
    }
    if (!valid || !unitZeros ||
        !memref::CollapseShapeOp::isGuaranteedCollapsible(type, groups))
      continue;
    rewriter.setInsertionPoint(op);
    Value view = memref::CollapseShapeOp::create(rewriter, op.getLoc(), input->get(), groups);
    maps[input->getOperandNumber()] =
        AffineMap::get(map.getNumDims(), 0, results, op.getContext());
    rewriter.modifyOpInPlace(op, [&] { input->set(view); });
    changed = true;
  }
  if (changed)
    rewriter.modifyOpInPlace(op, [&] { op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps)); });
}

/// `fill` of a contiguous buffer as a fill of its one-dimensional view.
void collapseFill(RewriterBase &rewriter, linalg::FillOp fill) {
  Value output = fill.getOutputs()[0];
  auto type = dyn_cast<MemRefType>(output.getType());
  if (!type || type.getRank() < 2 || !type.hasStaticShape() || isFusedIntoTiles(fill))
    return;
  SmallVector<ReassociationIndices> all{llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))};
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(type, all))
    return;
  rewriter.setInsertionPoint(fill);
  Value flat = memref::CollapseShapeOp::create(rewriter, fill.getLoc(), output, all);
  rewriter.replaceOpWithNewOp<linalg::FillOp>(fill, fill.getInputs()[0], flat);
}

class CollapseContiguousLoopsPass
    : public impl::SmeltCpuCollapseContiguousLoopsBase<CollapseContiguousLoopsPass> {
  void runOnOperation() override {
    CpuTarget target = getCpuTarget(getOperation());
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) { fills.push_back(fill); });
    for (linalg::FillOp fill : fills)
      collapseFill(rewriter, fill);
    SmallVector<linalg::GenericOp> generics;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!hasOwnKernel(target, op))
        generics.push_back(op);
    });
    for (linalg::GenericOp op : generics)
      dropUnitZeroIndices(rewriter, op);
    SmallVector<std::pair<linalg::GenericOp, SmallVector<ReassociationIndices>>> work;
    getOperation().walk([&](linalg::GenericOp op) {
      if (!isCollapsible(target, op))
        return;
      if (SmallVector<ReassociationIndices> runs = loopRuns(op); !runs.empty())
        work.push_back({op, std::move(runs)});
    });
    for (auto &[op, runs] : work)
      collapse(rewriter, op, runs);
  }
};

} // namespace
} // namespace smelt
