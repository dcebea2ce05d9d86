//===- TileAndVectorize.cpp - register-blocked vector kernels -------------===//
//
// Contractions with a strategy (KernelStrategy.h) are tiled for the caches
// and for registers, the register loops are peeled so that every full tile
// has static sizes, and each full tile becomes vector code: accumulators
// read once before the reduction loop and written once after it, each
// reduction step a rank-1 update of broadcasts and FMAs. Partial tiles at
// the edges stay linalg ops and become scalar loops later.
//
// The vector cleanup mirrors what was measured to reach FMA peak with
// upstream MLIR 22: alias folding, LICM and CSE before hoisting the
// accumulators (otherwise hoisting finds no matching pairs; the hoisting is
// ours, see HoistAccumulators.h), contraction -> outer products -> FMA,
// then 1-D transfers only (n-D transfers left to convert-vector-to-scf
// allocate on the stack inside loops).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/HoistAccumulators.h"
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/ReductionAccumulators.h"
#include "codegen/cpu/TileFusion.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/ADT/SmallBitVector.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUTILEANDVECTORIZE
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Marks the register tiles of a contraction (and the chunks of a copy)
/// until they are vectorized.
constexpr llvm::StringLiteral kRegisterTileAttr = "smelt.register_tile";
/// Marks the row chunks of elementwise ops and row reductions, vectorized
/// as they are (no reduction steps).
constexpr llvm::StringLiteral kRowChunkAttr = "smelt.row_chunk";

/// The loop dims of `level` in the order tileLevel nests its loops: the
/// ordered ones first, then the rest; only those with a tile size.
SmallVector<int64_t> tiledDimsInOrder(const TileLevel &level) {
  SmallVector<int64_t> dims;
  for (int64_t d : level.order)
    if (level.sizes[d] != 0)
      dims.push_back(d);
  for (int64_t d = 0, e = level.sizes.size(); d < e; ++d)
    if (level.sizes[d] != 0 && !llvm::is_contained(level.order, d))
      dims.push_back(d);
  return dims;
}

/// Tiles `op` at one level; returns the tiled op and the created loops
/// (outermost first). Nothing to tile returns `op` itself.
FailureOr<Operation *> tileLevel(RewriterBase &rewriter, Operation *op, const TileLevel &level,
                                 SmallVectorImpl<scf::ForOp> *loops = nullptr) {
  if (llvm::all_of(level.sizes, [](int64_t s) { return s == 0; }))
    return op;
  // The interchange is a permutation of all loops: the ordered ones first.
  SmallVector<int64_t> interchange(level.order);
  for (int64_t i = 0, e = level.sizes.size(); i < e; ++i)
    if (!llvm::is_contained(interchange, i))
      interchange.push_back(i);
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), level.sizes));
  options.setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  if (loops)
    for (LoopLikeOpInterface loop : tiled->loops)
      loops->push_back(cast<scf::ForOp>(loop.getOperation()));
  return tiled->tiledOps.back();
}

/// Marks the cache blocks of contractions until their register tiling:
/// the register tile sizes and loop order.
constexpr llvm::StringLiteral kBlockSizesAttr = "smelt.block_register_sizes";
constexpr llvm::StringLiteral kBlockOrderAttr = "smelt.block_register_order";

/// Cache tiling of one contraction. The cache loops over parallel dims
/// whose extent is not a multiple of the block are peeled, so that once
/// constants fold every block has static sizes and its register tiles can
/// be made static too (M = 196 in blocks of 128: the last block's 68 rows
/// are 8 tiles of 8 and one of 4, not a tile of unknown size left to
/// scalar loops). Each block op (peeling clones it) is marked with the
/// register tiles.
LogicalResult tileForCaches(RewriterBase &rewriter, linalg::LinalgOp op,
                            const ContractionStrategy &strategy) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  bool packed = isa<linalg::Mmt4DOp>(op.getOperation()); // Tiling replaces (frees) `op`.
  SmallVector<scf::ForOp> cacheLoops;
  FailureOr<Operation *> cached = tileLevel(rewriter, op, strategy.cache, &cacheLoops);
  if (failed(cached))
    return op.emitError("cannot tile for the caches");
  // The outermost cache loop over a parallel dim writes disjoint output
  // blocks: its iterations can run on different threads.
  SmallVector<int64_t> dims = tiledDimsInOrder(strategy.cache);
  if (!cacheLoops.empty() && iterators[dims.front()] == utils::IteratorType::parallel)
    cacheLoops.front()->setAttr(kParallelLoopAttr, rewriter.getUnitAttr());
  (*cached)->setAttr(kBlockSizesAttr, rewriter.getDenseI64ArrayAttr(strategy.registers.sizes));
  (*cached)->setAttr(kBlockOrderAttr, rewriter.getDenseI64ArrayAttr(strategy.registers.order));
  // The blocks of a packed product are whole panels, each one register
  // tile: a short last block is just fewer panels, and is not peeled. Peeled,
  // it would run serially after the parallel loop, and a parallel loop of
  // one full block would fold away with its parallel mark.
  if (packed)
    return success();
  for (auto [loop, dim] : llvm::reverse(llvm::zip_equal(cacheLoops, dims))) {
    scf::ForOp partial;
    if (iterators[dim] == utils::IteratorType::parallel)
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
  }
  return success();
}

/// Register tiling of one marked cache block; the register tile loops are
/// peeled so that the main tiles have static sizes.
LogicalResult tileForRegisters(RewriterBase &rewriter, Operation *block) {
  TileLevel registers;
  registers.sizes.assign(cast<DenseI64ArrayAttr>(block->getAttr(kBlockSizesAttr)).asArrayRef());
  registers.order.assign(cast<DenseI64ArrayAttr>(block->getAttr(kBlockOrderAttr)).asArrayRef());
  block->removeAttr(kBlockSizesAttr);
  block->removeAttr(kBlockOrderAttr);
  SmallVector<scf::ForOp> loops;
  FailureOr<Operation *> tile = tileLevel(rewriter, block, registers, &loops);
  if (failed(tile))
    return block->emitError("cannot tile for registers");
  (*tile)->setAttr(kRegisterTileAttr, rewriter.getUnitAttr());
  // Innermost first, so the outer loop's main part holds the inner main part.
  for (scf::ForOp loop : llvm::reverse(loops)) {
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
  }
  return success();
}

/// Tiles `op` into rows in chunks (`tiles`: the row's dim in chunks, every
/// other dim by 1 or whole), marks the chunk op with `mark`, and peels the
/// chunk loop so that all but the last chunk are static.
LogicalResult tileInChunks(RewriterBase &rewriter, Operation *op, const TileLevel &tiles,
                           StringRef mark) {
  SmallVector<scf::ForOp> loops;
  FailureOr<Operation *> chunk = tileLevel(rewriter, op, tiles, &loops);
  if (failed(chunk))
    return op->emitError("cannot tile into row chunks");
  (*chunk)->setAttr(mark, rewriter.getUnitAttr());
  // The chunk loop is not always the last: a column reduction's reductions
  // step by one inside it. Unpeeled, its partial last chunk made every chunk
  // of unknown size, and MobileNet V3's average pools over 240 and 120
  // channels ran as scalar loops.
  auto chunkDim = llvm::max_element(tiles.sizes) - tiles.sizes.begin();
  if (tiles.order.empty() && tiles.sizes[chunkDim] > 1) {
    int64_t loopIndex = llvm::count_if(ArrayRef<int64_t>(tiles.sizes).take_front(chunkDim),
                                       [](int64_t size) { return size != 0; });
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(rewriter, loops[loopIndex], partial);
  }
  return success();
}

/// Shares `op` between the threads where it is big enough
/// (chooseParallelTiles): one tile loop marked parallel. Returns the op to
/// tile further (the tile, or `op` itself).
FailureOr<Operation *> tileForThreads(RewriterBase &rewriter, linalg::LinalgOp op) {
  std::optional<TileLevel> threads = chooseParallelTiles(op);
  if (!threads)
    return op.getOperation();
  SmallVector<scf::ForOp> loops;
  FailureOr<Operation *> shared = tileLevel(rewriter, op, *threads, &loops);
  if (failed(shared))
    return op.emitError("cannot tile for the threads");
  if (!loops.empty())
    loops.front()->setAttr(kParallelLoopAttr, rewriter.getUnitAttr());
  return shared;
}

/// Copy tiling (copies, and transposes that keep the innermost dim): shared
/// between the threads, then rows in vector-sized chunks, vectorized like a
/// register tile.
LogicalResult tileCopy(RewriterBase &rewriter, linalg::LinalgOp copy, const TileLevel &tiles) {
  FailureOr<Operation *> inner = tileForThreads(rewriter, copy);
  if (failed(inner))
    return failure();
  return tileInChunks(rewriter, *inner, tiles, kRegisterTileAttr);
}

/// Row tiling of an elementwise op or row reduction: shared between the
/// threads, then rows in chunks.
LogicalResult tileRows(RewriterBase &rewriter, linalg::LinalgOp op, const TileLevel &rows) {
  FailureOr<Operation *> inner = tileForThreads(rewriter, op);
  if (failed(inner))
    return failure();
  return tileInChunks(rewriter, *inner, rows, kRowChunkAttr);
}

/// A reduction step of a contraction with several reduction dims (a direct
/// convolution's c, kh and kw) has them all of size 1, and contraction
/// lowering to outer products takes one. Rebuilds the step without the
/// others (without all of them for a windowed multiply-accumulate that is
/// no contraction: then it is elementwise): each operand dim they index is
/// sliced away (a rank-reducing subview at 0). Returns the op to vectorize.
Operation *dropUnitReductions(RewriterBase &rewriter, Operation *step) {
  auto generic = dyn_cast<linalg::GenericOp>(step);
  if (!generic || !generic.hasPureBufferSemantics())
    return step;
  SmallVector<int64_t> extents = generic.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = generic.getIteratorTypesArray();
  llvm::SmallBitVector dropped(extents.size());
  for (auto [d, iterator] : llvm::enumerate(iterators))
    if (iterator == utils::IteratorType::reduction) {
      if (extents[d] != 1)
        return step;
      dropped.set(d);
    }
  bool contraction = hasMatrixProductDims(generic);
  if (dropped.count() < (contraction ? 2u : 1u) ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return step;
  if (contraction)
    dropped.reset(dropped.find_last()); // The one reduction dim kept.

  Location loc = generic.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(generic);
  // Old loop dim -> new one (dropped dims never appear in the new maps).
  SmallVector<AffineExpr> renumbered;
  unsigned kept = 0;
  for (unsigned d = 0; d < extents.size(); ++d)
    renumbered.push_back(dropped[d] ? AffineExpr() : getAffineDimExpr(kept++, ctx));
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (OpOperand &operand : generic->getOpOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(&operand);
    auto type = cast<MemRefType>(operand.get().getType());
    // The operand's dims indexed by kept loops stay whole; the others are
    // of size 1 (their loop's extent) and sliced away.
    SmallVector<AffineExpr> results;
    SmallVector<int64_t> keptSizes;
    for (auto [i, expr] : llvm::enumerate(map.getResults())) {
      unsigned d = cast<AffineDimExpr>(expr).getPosition();
      if (!dropped[d]) {
        results.push_back(renumbered[d]);
        keptSizes.push_back(type.getDimSize(i));
      }
    }
    SmallVector<int64_t> offsets(type.getRank(), 0), unitStrides(type.getRank(), 1);
    SmallVector<int64_t> sizes(type.getShape());
    MemRefType resultType =
        memref::SubViewOp::inferRankReducedResultType(keptSizes, type, offsets, sizes, unitStrides);
    operands.push_back(memref::SubViewOp::create(rewriter, loc, resultType, operand.get(), offsets,
                                                 sizes, unitStrides));
    maps.push_back(AffineMap::get(kept, 0, results, ctx));
  }
  SmallVector<utils::IteratorType> keptIterators;
  for (unsigned d = 0; d < iterators.size(); ++d)
    if (!dropped[d])
      keptIterators.push_back(iterators[d]);
  unsigned inputs = generic.getNumDpsInputs();
  auto reducedOp = linalg::GenericOp::create(
      rewriter, loc, TypeRange{}, ArrayRef<Value>(operands).take_front(inputs),
      ArrayRef<Value>(operands).drop_front(inputs), maps, keptIterators);
  rewriter.inlineRegionBefore(generic.getRegion(), reducedOp.getRegion(),
                              reducedOp.getRegion().begin());
  rewriter.eraseOp(generic);
  return reducedOp;
}

/// `patterns` plus every canonicalization.
FrozenRewritePatternSet withCanonicalization(MLIRContext *ctx, RewritePatternSet &&patterns) {
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  return FrozenRewritePatternSet(std::move(patterns));
}

/// Applies `patterns` plus every canonicalization to the ops nested in `func`.
void applyWithCanonicalization(func::FuncOp func, RewritePatternSet &&patterns) {
  (void)applyPatternsGreedily(func, withCanonicalization(func.getContext(), std::move(patterns)));
}

/// x + a * b on vectors, the product used only there, as one FMA: what the
/// contraction kernels do, here for the window kernels' elementwise form.
struct MulAddToFma : OpRewritePattern<arith::AddFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::AddFOp add, PatternRewriter &rewriter) const override {
    if (!isa<VectorType>(add.getType()))
      return failure();
    for (auto [product, other] : {std::pair(add.getLhs(), add.getRhs()),
                                  std::pair(add.getRhs(), add.getLhs())}) {
      auto mul = product.getDefiningOp<arith::MulFOp>();
      if (!mul || !mul->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<vector::FMAOp>(add, mul.getLhs(), mul.getRhs(), other);
      return success();
    }
    return failure();
  }
};

/// The vector type an op unrolls by rows: its result's, or a transfer
/// write's value's; nothing for other ops.
VectorType rowsType(Operation *op) {
  if (auto write = dyn_cast<vector::TransferWriteOp>(op))
    return write.getVectorType();
  bool eligible = OpTrait::hasElementwiseMappableTraits(op) || isa<vector::TransferReadOp>(op);
  if (!eligible || op->getNumResults() != 1)
    return {};
  return dyn_cast<VectorType>(op->getResult(0).getType());
}

/// Elementwise vector ops over several rows (a window kernel's block of
/// output rows) and their transfers, one row at a time: each row then
/// connects to its own load and store instead of being reassembled element
/// by element.
void unrollRows(func::FuncOp func) {
  RewritePatternSet patterns(func.getContext());
  vector::UnrollVectorOptions options;
  options.setFilterConstraint([](Operation *op) {
    VectorType type = rowsType(op);
    return success(type && type.getRank() >= 2);
  });
  options.setNativeShapeFn([](Operation *op) -> std::optional<SmallVector<int64_t>> {
    VectorType type = rowsType(op);
    SmallVector<int64_t> shape(type.getRank() - 1, 1);
    shape.push_back(type.getShape().back());
    return shape;
  });
  vector::populateVectorUnrollPatterns(patterns, options);
  patterns.add<MulAddToFma>(func.getContext());
  applyWithCanonicalization(func, std::move(patterns));
}

/// The vector cleanup after vectorization (see the file comment).
void lowerVectorKernels(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  {
    RewritePatternSet patterns(ctx);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    applyWithCanonicalization(func, std::move(patterns));
  }
  func.walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
  {
    IRRewriter rewriter(ctx);
    DominanceInfo dominance(func);
    eliminateCommonSubExpressions(rewriter, dominance, func);
  }
  hoistAccumulators(func);
  forwardTileWrites(func);
  accumulateReductionsInVectors(func);
  {
    RewritePatternSet patterns(ctx);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    applyWithCanonicalization(func, std::move(patterns));
  }
  unrollRows(func);
  {
    RewritePatternSet patterns(ctx);
    vector::populateVectorContractLoweringPatterns(patterns,
                                                   vector::VectorContractLowering::OuterProduct);
    vector::populateVectorMultiReductionLoweringPatterns(
        patterns, vector::VectorMultiReductionLowering::InnerReduction);
    vector::populateVectorOuterProductLoweringPatterns(patterns);
    applyWithCanonicalization(func, std::move(patterns));
  }
  {
    RewritePatternSet patterns(ctx);
    vector::populateDropInnerMostUnitDimsXferOpPatterns(patterns);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    applyWithCanonicalization(func, std::move(patterns));
  }
  {
    RewritePatternSet patterns(ctx);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    populateVectorToSCFConversionPatterns(
        patterns, VectorTransferToSCFOptions().setTargetRank(1).enableFullUnroll());
    vector::populateVectorTransferLoweringPatterns(patterns, /*maxTransferRank=*/1);
    vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
    vector::populateVectorTransposeLoweringPatterns(patterns,
                                                    vector::VectorTransposeLowering::EltWise);
    applyWithCanonicalization(func, std::move(patterns));
  }
}

/// A contraction's output and the neighbours marked to run in its tiles.
struct FusionGroup {
  Value output;
  TileNeighbours neighbours;
};

/// Clones each group's neighbours around every tile of its contraction
/// (full and partial tiles alike), then erases the originals. The clones
/// are vectorized like row chunks (those of full tiles have static sizes).
LogicalResult fuseNeighbours(RewriterBase &rewriter, func::FuncOp func,
                             llvm::DenseMap<int64_t, FusionGroup> &groups) {
  SmallVector<Operation *> fused;
  SmallVector<linalg::LinalgOp> tiles;
  func.walk([&](linalg::LinalgOp tile) {
    if (tile->hasAttr(kRegisterTileAttr) && tile->hasAttr(kFusionGroupAttr))
      tiles.push_back(tile);
  });
  llvm::DenseSet<int64_t> placed;
  for (linalg::LinalgOp tile : tiles) {
    int64_t group = tile->getAttrOfType<IntegerAttr>(kFusionGroupAttr).getInt();
    tile->removeAttr(kFusionGroupAttr);
    auto it = groups.find(group);
    if (it == groups.end() || !it->second.output)
      return tile.emitError("a fused tile without its contraction's output");
    if (failed(fuseAroundTile(rewriter, tile, it->second.output, it->second.neighbours, fused)))
      return failure();
    placed.insert(group);
  }
  for (Operation *op : fused)
    op->setAttr(kRowChunkAttr, rewriter.getUnitAttr());
  // The originals go where their clones run in every tile; a group whose
  // contraction was not tiled keeps them as they are.
  for (auto &[group, members] : groups)
    for (linalg::LinalgOp neighbour : {members.neighbours.prologue, members.neighbours.epilogue}) {
      if (!neighbour)
        continue;
      if (placed.contains(group)) {
        rewriter.eraseOp(neighbour);
      } else {
        neighbour->removeAttr(kFusedPrologueAttr);
        neighbour->removeAttr(kFusedEpilogueAttr);
      }
    }
  return success();
}

class TileAndVectorizePass
    : public impl::SmeltCpuTileAndVectorizeBase<TileAndVectorizePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    CpuTarget target = getCpuTarget(func);
    std::vector<std::pair<linalg::LinalgOp, ContractionStrategy>> contractions;
    func.walk([&](linalg::LinalgOp op) {
      if (std::optional<ContractionStrategy> s = chooseContractionStrategy(target, op))
        contractions.push_back({op, *s});
      else if (std::optional<ContractionStrategy> w = chooseWindowStrategy(target, op))
        contractions.push_back({op, *w});
    });
    // Elementwise neighbours that run inside the contractions' tiles.
    llvm::DenseMap<int64_t, FusionGroup> groups;
    for (auto &[op, strategy] : contractions)
      if (auto group = op->getAttrOfType<IntegerAttr>(kFusionGroupAttr))
        groups[group.getInt()].output = op.getDpsInitOperand(0)->get();
    func.walk([&](linalg::LinalgOp op) {
      if (auto group = op->getAttrOfType<IntegerAttr>(kFusedPrologueAttr))
        groups[group.getInt()].neighbours.prologue = op;
      if (auto group = op->getAttrOfType<IntegerAttr>(kFusedEpilogueAttr))
        groups[group.getInt()].neighbours.epilogue = op;
    });
    std::vector<std::pair<linalg::LinalgOp, TileLevel>> copies, rows;
    func.walk([&](linalg::LinalgOp op) {
      if (isFusedIntoTiles(op))
        return;
      if (std::optional<TileLevel> tiles = chooseCopyTiles(target, op))
        copies.push_back({op, *tiles});
      else if (std::optional<TileLevel> chunks = chooseRowTiles(target, op))
        rows.push_back({op, *chunks});
    });
    if (contractions.empty() && copies.empty() && rows.empty() && groups.empty())
      return;
    IRRewriter rewriter(&getContext());
    for (auto &[op, strategy] : contractions)
      if (failed(tileForCaches(rewriter, op, strategy)))
        return signalPassFailure();
    if (!contractions.empty()) {
      // Peeled blocks' sizes fold into static types first, in their loop
      // nests only (the copies and rows above must stay as they are).
      SmallVector<Operation *> blocks;
      llvm::SetVector<Operation *> nests;
      func.walk([&](Operation *block) {
        if (!block->hasAttr(kBlockSizesAttr))
          return;
        Operation *nest = block;
        while (nest->getParentOp() != func.getOperation())
          nest = nest->getParentOp();
        if (nest != block)
          nests.insert(nest);
      });
      FrozenRewritePatternSet canonicalization =
          withCanonicalization(&getContext(), RewritePatternSet(&getContext()));
      for (Operation *nest : nests)
        (void)applyPatternsGreedily(nest, canonicalization);
      func.walk([&](Operation *block) {
        if (block->hasAttr(kBlockSizesAttr))
          blocks.push_back(block);
      });
      for (Operation *block : blocks)
        if (failed(tileForRegisters(rewriter, block)))
          return signalPassFailure();
    }
    if (failed(fuseNeighbours(rewriter, func, groups)))
      return signalPassFailure();
    for (auto &[copy, tiles] : copies)
      if (failed(tileCopy(rewriter, copy, tiles)))
        return signalPassFailure();
    for (auto &[op, chunks] : rows)
      if (failed(tileRows(rewriter, op, chunks)))
        return signalPassFailure();
    // Peeling left constant sizes behind, and tile loops that needed no
    // peeling (a cache block of 64 rows in tiles of 16) min ops that their
    // bounds decide: fold them into static tile types.
    {
      RewritePatternSet patterns(&getContext());
      scf::populateSCFForLoopCanonicalizationPatterns(patterns);
      applyWithCanonicalization(func, std::move(patterns));
    }

    SmallVector<std::pair<linalg::LinalgOp, TileLevel>> tiles;
    SmallVector<linalg::LinalgOp> chunks;
    func.walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kRowChunkAttr)) {
        op->removeAttr(kRowChunkAttr);
        if (!op.hasDynamicShape())
          chunks.push_back(op); // A full chunk; the last may be partial.
      }
      if (!op->hasAttr(kRegisterTileAttr))
        return;
      op->removeAttr(kRegisterTileAttr);
      if (std::optional<TileLevel> steps = chooseRegisterTileSteps(op))
        tiles.push_back({op, *steps}); // Static M x N: a vector kernel.
    });
    for (auto &[op, steps] : tiles) {
      FailureOr<Operation *> tiled = tileLevel(rewriter, op, steps);
      if (failed(tiled))
        return signalPassFailure();
      Operation *step = dropUnitReductions(rewriter, *tiled);
      rewriter.setInsertionPoint(step);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(rewriter, step);
      if (succeeded(vectorized))
        rewriter.replaceOp(step, vectorized->replacements);
    }
    for (linalg::LinalgOp chunk : chunks) {
      rewriter.setInsertionPoint(chunk);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(rewriter, chunk);
      if (succeeded(vectorized))
        rewriter.replaceOp(chunk, vectorized->replacements);
    }
    lowerVectorKernels(func);
  }
};

} // namespace
} // namespace smelt
