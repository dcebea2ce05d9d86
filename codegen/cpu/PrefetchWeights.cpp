//===- PrefetchWeights.cpp - fetch the next block of a streamed weight ----===//
//
// A model's weights do not stay in any cache from one run to the next when
// they outgrow it (ResNet-50 has 100 MB): every weight block is read from
// memory once per run. The cache tiling reads a weight block by block, each
// block swept by several register tiles (a direct convolution's output
// rows): the first sweep waits for memory, the others hit L1. The hardware
// prefetchers do not run ahead of that first sweep (they stop at every
// 4 KiB page and lose the stream when the sweep jumps from one tap to the
// next), so it ran at memory latency: ResNet-50's 3x3 convolutions at 7x7
// took 1.33 ms each with their filters in memory and 0.89 ms in L3.
//
// This pass lets the first sweep of each block fetch the next block: the
// sweep loop (the outermost of the loops between a load and the block loop
// that the load's indices do not use) gets its first iteration peeled, and
// there every load of a streamed weight is preceded by prefetches of the
// cache lines it will read in the block loop's next iteration (or, after
// the last one, in the next iteration of the loop around it). A C model of
// ResNet's 7x7 kernel went from 1.47 to 1.07 ms per convolution this way;
// prefetching in every sweep instead of the first only gave 1.18 ms.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUPREFETCHWEIGHTS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The line size of every x86-64 and of the common AArch64 cores; a bigger
/// line (Apple's 128 bytes) only makes every other prefetch redundant.
constexpr int64_t kCacheLineBytes = 64;
/// Marks the loads to prefetch for while their sweep loop is peeled.
constexpr llvm::StringLiteral kStreamedLoadAttr = "smelt.streamed_load";

/// A load of a weight that is streamed from memory: a constant global of
/// static identity layout over kL2FilterBytes, read directly or through
/// views of static strides and offset (the packed panels' rank-reducing
/// subviews).
struct WeightLoad {
  vector::LoadOp load;
  Value weight;
  SmallVector<int64_t> strides; ///< Of the load's view, in weight elements.
  int64_t offset = 0;           ///< Of the load's view in the weight.
};

std::optional<WeightLoad> streamedWeightLoad(vector::LoadOp load) {
  Value base = load.getBase();
  while (auto view = base.getDefiningOp<ViewLikeOpInterface>())
    base = view.getViewSource();
  auto type = cast<MemRefType>(base.getType());
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !type.getElementType().isIntOrFloat() || type.getElementTypeBitWidth() % 8 != 0)
    return std::nullopt;
  int64_t bytes = type.getNumElements() * type.getElementTypeBitWidth() / 8;
  if (bytes <= kL2FilterBytes)
    return std::nullopt;
  // Only a constant is surely read from memory, and never written meanwhile:
  // prefetching operands packed at run time (they come from L2 or L3) did
  // not speed BERT or GPT-2 up.
  auto weight = base.getDefiningOp<memref::GetGlobalOp>();
  auto global = weight ? SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
                             weight, weight.getNameAttr())
                       : memref::GlobalOp();
  if (!global || !global.getConstant())
    return std::nullopt;
  WeightLoad weightLoad{load, base, {}, 0};
  if (failed(load.getMemRefType().getStridesAndOffset(weightLoad.strides, weightLoad.offset)) ||
      ShapedType::isDynamic(weightLoad.offset) ||
      llvm::any_of(weightLoad.strides, ShapedType::isDynamic))
    return std::nullopt;
  return weightLoad;
}

/// Whether `value` is computed from `iv` (through ops, not block arguments).
bool dependsOn(Value value, Value iv) {
  if (value == iv)
    return true;
  Operation *def = value.getDefiningOp();
  return def && llvm::any_of(def->getOperands(), [&](Value v) { return dependsOn(v, iv); });
}

bool loadUses(vector::LoadOp load, scf::ForOp loop) {
  return llvm::any_of(load.getIndices(),
                      [&](Value index) { return dependsOn(index, loop.getInductionVar()); });
}

/// The loops of a streamed load's prefetch: the block loop, whose next
/// iteration reads the next block, the sweep loop inside it, and the loop
/// around the block loop that the load's indices use (null if none).
struct StreamLoops {
  scf::ForOp block, sweep, outer;
};

std::optional<StreamLoops> findStreamLoops(vector::LoadOp load, bool peeled = false) {
  SmallVector<scf::ForOp> loops; // Innermost first.
  for (Operation *parent = load->getParentOp(); parent && !isa<FunctionOpInterface>(parent);
       parent = parent->getParentOp())
    if (auto loop = dyn_cast<scf::ForOp>(parent))
      loops.push_back(loop);
  unsigned i = 0;
  while (i < loops.size() && loadUses(load, loops[i]))
    ++i; // The reduction steps.
  unsigned sweepsFrom = i;
  while (i < loops.size() && !loadUses(load, loops[i]))
    ++i;
  if (i == sweepsFrom || i == loops.size())
    return std::nullopt;
  StreamLoops stream{loops[i], loops[i - 1], {}};
  std::optional<APInt> sweeps = stream.sweep.getStaticTripCount();
  if (!peeled && (!sweeps || sweeps->getSExtValue() < 2))
    return std::nullopt;
  if (!getConstantIntValue(stream.block.getStep()))
    return std::nullopt;
  for (unsigned j = i + 1; j < loops.size() && !stream.outer; ++j)
    if (loadUses(load, loops[j]) && getConstantIntValue(loops[j].getStep()))
      stream.outer = loops[j];
  return stream;
}

/// `value` recomputed, at the builder's insertion point, with the loop IVs
/// `replaced` replaced as `mapping` maps them (clones of the ops between).
Value recompute(OpBuilder &b, Value value, ArrayRef<Value> replaced, IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(value))
    return mapped;
  Operation *def = value.getDefiningOp();
  if (!def || llvm::none_of(replaced, [&](Value iv) { return dependsOn(value, iv); }))
    return value;
  for (Value operand : def->getOperands())
    mapping.map(operand, recompute(b, operand, replaced, mapping));
  return b.clone(*def, mapping)->getResult(cast<OpResult>(value).getResultNumber());
}

/// Loads of one weight in one block whose indices differ by constants only
/// (the elements of one B row, loaded one by one): their lines are
/// prefetched once, at the first of them.
struct LoadGroup {
  WeightLoad first;
  SmallVector<std::pair<Value, int64_t>> variableTerms; ///< (index, stride)
  int64_t begin = 0, end = 0; ///< Constant offsets (elements) the loads cover.
};

/// `load`'s offset in its weight: the variable terms and the constant part.
std::pair<SmallVector<std::pair<Value, int64_t>>, int64_t> splitOffset(WeightLoad load) {
  SmallVector<std::pair<Value, int64_t>> terms;
  int64_t constant = load.offset;
  for (auto [index, stride] : llvm::zip_equal(load.load.getIndices(), load.strides)) {
    if (std::optional<int64_t> value = getConstantIntValue(index))
      constant += *value * stride;
    else
      terms.push_back({index, stride});
  }
  return {terms, constant};
}

void addToGroups(SmallVectorImpl<LoadGroup> &groups, WeightLoad load) {
  auto [terms, constant] = splitOffset(load);
  int64_t end = constant + load.load.getVectorType().getNumElements();
  for (LoadGroup &group : groups) {
    if (group.first.weight != load.weight ||
        group.first.load->getBlock() != load.load->getBlock() || group.variableTerms != terms)
      continue;
    if (load.load->isBeforeInBlock(group.first.load))
      group.first = load;
    group.begin = std::min(group.begin, constant);
    group.end = std::max(group.end, end);
    return;
  }
  groups.push_back({load, terms, constant, end});
}

/// Prefetches, before the group's first load, the lines the group reads in
/// the next iteration of the stream's block loop (after its last one: the
/// first iteration of the next outer iteration).
void prefetchNextBlock(OpBuilder &b, LoadGroup group, StreamLoops stream) {
  Location loc = group.first.load.getLoc();
  b.setInsertionPoint(group.first.load);
  Value iv = stream.block.getInductionVar();
  Value next = arith::AddIOp::create(b, loc, iv, stream.block.getStep());
  IRMapping ivs;
  SmallVector<Value> replaced{iv};
  if (stream.outer) {
    replaced.push_back(stream.outer.getInductionVar());
    Value wraps = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, next,
                                        stream.block.getUpperBound());
    next = arith::SelectOp::create(b, loc, wraps, stream.block.getLowerBound(), next);
    Value outerIv = stream.outer.getInductionVar();
    Value outerNext = arith::AddIOp::create(b, loc, outerIv, stream.outer.getStep());
    ivs.map(outerIv, arith::SelectOp::create(b, loc, wraps, outerNext, outerIv).getResult());
  }
  ivs.map(iv, next);

  Value offset = arith::ConstantIndexOp::create(b, loc, group.begin);
  for (auto [index, stride] : group.variableTerms) {
    Value scaled = arith::MulIOp::create(b, loc, recompute(b, index, replaced, ivs),
                                         arith::ConstantIndexOp::create(b, loc, stride));
    offset = arith::AddIOp::create(b, loc, offset, scaled);
  }
  // Past the end of a block or of the weight: clamped into the weight (an
  // index past its dim lands in the next row of the row-major weight).
  auto type = cast<MemRefType>(group.first.weight.getType());
  Value flat = group.first.weight;
  if (type.getRank() != 1) {
    SmallVector<ReassociationIndices> allDims(1);
    for (int64_t d = 0; d < type.getRank(); ++d)
      allDims.front().push_back(d);
    flat = memref::CollapseShapeOp::create(b, loc, flat, allDims);
  }
  Value last = arith::ConstantIndexOp::create(b, loc, type.getNumElements() - 1);
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  int64_t lineElements = std::max<int64_t>(1, kCacheLineBytes / elementBytes);
  int64_t lines = llvm::divideCeil((group.end - group.begin) * elementBytes, kCacheLineBytes);
  for (int64_t line = 0; line < lines; ++line) {
    Value at = arith::AddIOp::create(b, loc, offset,
                                     arith::ConstantIndexOp::create(b, loc, line * lineElements));
    at = arith::MinSIOp::create(b, loc, at, last);
    memref::PrefetchOp::create(b, loc, flat, ValueRange{at}, /*isWrite=*/false,
                               /*localityHint=*/3, /*isDataCache=*/true);
  }
}

class PrefetchWeightsPass : public impl::SmeltCpuPrefetchWeightsBase<PrefetchWeightsPass> {
  void runOnOperation() override {
    // Each sweep loop is peeled once, for all its streamed loads.
    llvm::MapVector<Operation *, SmallVector<vector::LoadOp>> loadsBySweep;
    getOperation().walk([&](vector::LoadOp load) {
      if (!streamedWeightLoad(load))
        return;
      if (std::optional<StreamLoops> stream = findStreamLoops(load))
        loadsBySweep[stream->sweep].push_back(load);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[sweepOp, loads] : loadsBySweep) {
      auto sweep = cast<scf::ForOp>(sweepOp);
      for (vector::LoadOp load : loads)
        load->setAttr(kStreamedLoadAttr, rewriter.getUnitAttr());
      scf::ForOp firstSweep;
      rewriter.setInsertionPoint(sweep);
      if (succeeded(scf::peelForLoopFirstIteration(rewriter, sweep, firstSweep))) {
        // The peeled loops run one after the other: the first is the first sweep.
        if (sweep->isBeforeInBlock(firstSweep))
          firstSweep = sweep;
        SmallVector<LoadGroup> groups;
        firstSweep.walk([&](vector::LoadOp load) {
          if (load->hasAttr(kStreamedLoadAttr))
            addToGroups(groups, *streamedWeightLoad(load));
        });
        for (LoadGroup &group : groups) {
          // The loops around the clone: the original's, the sweep now one iteration.
          if (std::optional<StreamLoops> stream =
                  findStreamLoops(group.first.load, /*peeled=*/true))
            prefetchNextBlock(rewriter, group, *stream);
        }
      }
      getOperation().walk([](vector::LoadOp load) { load->removeAttr(kStreamedLoadAttr); });
    }
  }
};

} // namespace
} // namespace smelt
