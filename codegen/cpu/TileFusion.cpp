//===- TileFusion.cpp - elementwise neighbours into contraction tiles -----===//
#include "codegen/cpu/TileFusion.h"

#include "codegen/cpu/BufferAliasing.h"
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUMARKTILEFUSION
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {

bool isFusedIntoTiles(Operation *op) {
  return op->hasAttr(kFusedPrologueAttr) || op->hasAttr(kFusedEpilogueAttr);
}

namespace {

/// Whether the strategy splits a reduction loop into cache blocks: a tile
/// then sees only part of the sum, and neither neighbour can run on it.
bool blocksReduction(linalg::LinalgOp op, const ContractionStrategy &strategy) {
  for (auto [d, iterator] : llvm::enumerate(op.getIteratorTypesArray()))
    if (iterator == utils::IteratorType::reduction && strategy.cache.sizes[d] != 0)
      return true;
  return false;
}

/// The buffer `output` is a view of when it is a reshape of a whole buffer
/// (a 1x1 convolution's output as a matrix, a convolution's output as
/// panels of filters), else `output` itself.
Value uncollapsed(Value output) {
  if (auto collapse = output.getDefiningOp<memref::CollapseShapeOp>())
    return collapse.getSrc();
  if (auto expand = output.getDefiningOp<memref::ExpandShapeOp>())
    return expand.getSrc();
  return output;
}

/// Whether `buffer` is the contraction's output, as it is or reshaped.
bool isOutput(Value buffer, Value output) {
  return buffer == output || buffer == uncollapsed(output);
}

/// The memrefs an op (and the ops nested in it) reads or writes; nothing
/// for ops without memory effects and views. False when it cannot tell (a
/// call).
bool collectBuffers(Operation *op, SmallVectorImpl<Value> &buffers) {
  bool known = true;
  op->walk([&](Operation *inner) {
    if (isa<ViewLikeOpInterface>(inner) || isMemoryEffectFree(inner) ||
        isa<memref::ExtractStridedMetadataOp, memref::ExtractAlignedPointerAsIndexOp>(inner))
      return;
    if (isa<CallOpInterface>(inner))
      known = false;
    for (Value operand : inner->getOperands())
      if (isa<MemRefType>(operand.getType()))
        buffers.push_back(operand);
  });
  return known;
}

/// Whether `op` may touch memory that any of `buffers` covers.
bool touchesAny(Operation *op, ArrayRef<Value> buffers) {
  SmallVector<Value> touched;
  if (!collectBuffers(op, touched))
    return true;
  return llvm::any_of(touched, [&](Value t) {
    return llvm::any_of(buffers, [&](Value b) { return mayOverlap(t, b); });
  });
}

SmallVector<Value> operandBuffers(linalg::LinalgOp op) {
  SmallVector<Value> buffers;
  for (Value operand : op->getOperands())
    if (isa<MemRefType>(operand.getType()))
      buffers.push_back(operand);
  return buffers;
}

/// Whether every operand's elements are whole bytes. The fused tile reads
/// its neighbour's operands as vectors, and LLVM packs a vector of i1 into
/// bits, where a memref of i1 holds one byte per element: a boolean mask
/// (a causal attention's Where) would be read wrong.
bool hasByteSizedElements(linalg::LinalgOp op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    Type element = getElementTypeOrSelf(t);
    return element.isIntOrFloat() && element.getIntOrFloatBitWidth() % 8 == 0;
  });
}

/// An elementwise op: all loops parallel, no index ops, a body of
/// arithmetic (or a fill), its output indexed by the identity, and operands
/// of whole-byte elements.
bool isElementwiseNeighbour(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 || op.hasIndexSemantics() ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !hasByteSizedElements(op))
    return false;
  return isa<linalg::FillOp>(op.getOperation()) ||
         (isa<linalg::GenericOp>(op.getOperation()) && hasArithmeticBody(op));
}

/// Whether `op` may move to where `contraction` is: no op in between
/// touches its buffers.
bool movesTo(linalg::LinalgOp op, linalg::LinalgOp contraction) {
  bool before = op->isBeforeInBlock(contraction);
  Operation *from = before ? op->getNextNode() : contraction->getNextNode();
  Operation *to = before ? contraction.getOperation() : op.getOperation();
  SmallVector<Value> buffers = operandBuffers(op);
  for (Operation *between = from; between != to; between = between->getNextNode())
    if (touchesAny(between, buffers))
      return false;
  return true;
}

/// The op that writes the whole output of `contraction` last before it,
/// if it is elementwise and its inputs are other buffers.
linalg::LinalgOp findPrologue(linalg::LinalgOp contraction, Value output) {
  for (Operation *prev = contraction->getPrevNode(); prev; prev = prev->getPrevNode()) {
    auto candidate = dyn_cast<linalg::LinalgOp>(prev);
    if (candidate && isElementwiseNeighbour(candidate) &&
        isOutput(candidate.getDpsInitOperand(0)->get(), output)) {
      bool otherInputs = llvm::none_of(candidate.getDpsInputs(), [&](Value input) {
        return isa<MemRefType>(input.getType()) && mayOverlap(input, output);
      });
      return otherInputs && movesTo(candidate, contraction) ? candidate : nullptr;
    }
    if (touchesAny(prev, {output}))
      return nullptr;
  }
  return nullptr;
}

/// The ops defining `op`'s operands after `contraction` (views of its
/// buffers, made between the two), which must move up with it; failure if
/// one is not a pure op on values defined before `contraction`.
FailureOr<SmallVector<Operation *>> definedAfter(Operation *op, Operation *contraction) {
  SmallVector<Operation *> defs;
  for (Value operand : op->getOperands()) {
    Operation *def = operand.getDefiningOp();
    if (!def || def->getBlock() != contraction->getBlock() ||
        def->isBeforeInBlock(contraction))
      continue;
    if (!isPure(def) || llvm::any_of(def->getOperands(), [&](Value v) {
          Operation *inner = v.getDefiningOp();
          return inner && inner->getBlock() == contraction->getBlock() &&
                 !inner->isBeforeInBlock(contraction);
        }))
      return failure();
    defs.push_back(def);
  }
  return defs;
}

/// The first op after `contraction` that reads its output, if it is
/// elementwise, reads the output once (element for element) and writes the
/// output in place or a buffer that the contraction does not read.
linalg::LinalgOp findEpilogue(linalg::LinalgOp contraction, Value output) {
  for (Operation *next = contraction->getNextNode(); next; next = next->getNextNode()) {
    auto candidate = dyn_cast<linalg::LinalgOp>(next);
    if (!candidate || !touchesAny(candidate, {output})) {
      if (touchesAny(next, {output}))
        return nullptr;
      continue;
    }
    if (!isElementwiseNeighbour(candidate))
      return nullptr;
    Value result = candidate.getDpsInitOperand(0)->get();
    int reads = 0;
    for (OpOperand *input : candidate.getDpsInputOperands()) {
      if (!isa<MemRefType>(input->get().getType()) || !mayOverlap(input->get(), output))
        continue;
      if (!isOutput(input->get(), output) ||
          !candidate.getMatchingIndexingMap(input).isIdentity())
        return nullptr;
      ++reads;
    }
    bool inPlace = isOutput(result, output);
    bool readsOutput = reads == 1 || (reads == 0 && inPlace);
    bool resultApart = inPlace || llvm::none_of(operandBuffers(contraction), [&](Value b) {
                         return mayOverlap(b, result);
                       });
    if (!readsOutput || !resultApart || !movesTo(candidate, contraction) ||
        failed(definedAfter(candidate, contraction)))
      return nullptr;
    return candidate;
  }
  return nullptr;
}

/// The elementwise `neighbour` with each loop split as `expand` splits the
/// dims of its output (a convolution's filters as [F/n0, n0] panels, see
/// smelt-cpu-data-tiling): the same op on expanded views of its operands
/// (`expand` itself for the contraction's output). Failure where an operand
/// has no such view.
FailureOr<linalg::LinalgOp> expandOnto(RewriterBase &rewriter, linalg::LinalgOp neighbour,
                                       memref::ExpandShapeOp expand) {
  SmallVector<ReassociationIndices> groups = expand.getReassociationIndices();
  ArrayRef<int64_t> expandedShape = expand.getResultType().getShape();
  rewriter.setInsertionPoint(neighbour);
  if (expand->getBlock() == neighbour->getBlock() && neighbour->isBeforeInBlock(expand))
    expand->moveBefore(neighbour);
  Location loc = neighbour.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  // An operand indexed by `map` (a projected permutation), seen over the
  // expanded loops: each dim it reads split like that loop.
  auto expandOperand = [&](Value operand, AffineMap map) -> FailureOr<std::pair<Value, AffineMap>> {
    SmallVector<AffineExpr> results;
    SmallVector<ReassociationIndices> operandGroups;
    SmallVector<int64_t> shape;
    for (AffineExpr result : map.getResults()) {
      ReassociationIndices group;
      for (int64_t d : groups[cast<AffineDimExpr>(result).getPosition()]) {
        group.push_back(results.size());
        results.push_back(getAffineDimExpr(d, ctx));
        shape.push_back(expandedShape[d]);
      }
      operandGroups.push_back(group);
    }
    AffineMap expandedMap = AffineMap::get(expandedShape.size(), 0, results, ctx);
    if (operand == expand.getSrc() && map.isIdentity())
      return std::make_pair(Value(expand.getResult()), expandedMap);
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || type.getRank() == static_cast<int64_t>(shape.size()))
      return std::make_pair(operand, expandedMap);
    FailureOr<MemRefType> expandedType =
        memref::ExpandShapeOp::computeExpandedType(type, shape, operandGroups);
    if (failed(expandedType))
      return failure();
    Value view = memref::ExpandShapeOp::create(rewriter, loc, *expandedType, operand, operandGroups);
    return std::make_pair(view, expandedMap);
  };
  // The neighbour's own output (the contraction's, or another buffer an
  // epilogue writes), seen over the expanded loops.
  Value init = neighbour.getDpsInitOperand(0)->get();
  FailureOr<std::pair<Value, AffineMap>> output =
      expandOperand(init, neighbour.getMatchingIndexingMap(neighbour.getDpsInitOperand(0)));
  if (failed(output))
    return failure();
  if (auto fill = dyn_cast<linalg::FillOp>(neighbour.getOperation()))
    return cast<linalg::LinalgOp>(
        rewriter.replaceOpWithNewOp<linalg::FillOp>(fill, fill.getInputs()[0], output->first)
            .getOperation());
  auto generic = dyn_cast<linalg::GenericOp>(neighbour.getOperation());
  if (!generic || !llvm::all_of(generic.getIndexingMapsArray(),
                                [](AffineMap map) { return map.isProjectedPermutation(); }))
    return failure();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : generic.getDpsInputOperands()) {
    FailureOr<std::pair<Value, AffineMap>> expanded =
        expandOperand(input->get(), generic.getMatchingIndexingMap(input));
    if (failed(expanded))
      return failure();
    inputs.push_back(expanded->first);
    maps.push_back(expanded->second);
  }
  maps.push_back(output->second);
  SmallVector<utils::IteratorType> iterators(expandedShape.size(), utils::IteratorType::parallel);
  auto expandedOp = linalg::GenericOp::create(rewriter, loc, TypeRange{}, inputs,
                                              ValueRange{output->first}, maps, iterators);
  rewriter.inlineRegionBefore(generic.getRegion(), expandedOp.getRegion(),
                              expandedOp.getRegion().end());
  rewriter.eraseOp(generic);
  return cast<linalg::LinalgOp>(expandedOp.getOperation());
}

/// `neighbour` over the contraction's output shape: as it is, with its
/// loops collapsed as the output is (a 1x1 convolution's [N*H*W, F]
/// matrix), every view of the output replaced by `output` itself, or with
/// its loops split as the output's dims are (expandOnto).
FailureOr<linalg::LinalgOp> ontoOutput(RewriterBase &rewriter, linalg::LinalgOp neighbour,
                                       Value output) {
  auto outputType = cast<MemRefType>(output.getType());
  SmallVector<int64_t> domain = neighbour.getStaticLoopRanges();
  if (llvm::equal(domain, outputType.getShape()))
    return neighbour;
  if (auto expand = output.getDefiningOp<memref::ExpandShapeOp>()) {
    if (!llvm::equal(domain, expand.getSrcType().getShape()))
      return failure();
    return expandOnto(rewriter, neighbour, expand);
  }
  auto collapse = output.getDefiningOp<memref::CollapseShapeOp>();
  if (!collapse || !llvm::equal(domain, collapse.getSrcType().getShape()) ||
      !isa<linalg::GenericOp>(neighbour.getOperation()))
    return failure();
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  if (!linalg::areDimSequencesPreserved(neighbour.getIndexingMapsArray(), groups))
    return failure();
  rewriter.setInsertionPoint(neighbour);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(neighbour, groups, rewriter);
  if (failed(collapsed))
    return failure();
  linalg::LinalgOp result = collapsed->collapsedOp;
  rewriter.eraseOp(neighbour);
  // The output's own collapse, moved up where the prologue needs it.
  if (result->isBeforeInBlock(collapse))
    collapse->moveBefore(result);
  for (OpOperand &operand : result->getOpOperands()) {
    auto view = operand.get().getDefiningOp<memref::CollapseShapeOp>();
    if (!view || view.getSrc() != collapse.getSrc() || view.getType() != collapse.getType())
      continue;
    operand.set(output);
    if (view->use_empty())
      rewriter.eraseOp(view);
  }
  return result;
}

class MarkTileFusionPass : public impl::SmeltCpuMarkTileFusionBase<MarkTileFusionPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    CpuTarget target = getCpuTarget(func);
    SmallVector<linalg::LinalgOp> contractions;
    func.walk([&](linalg::LinalgOp op) {
      // Packed products (mmt4d) have packs around them instead.
      if (isa<linalg::Mmt4DOp>(op.getOperation()) || op->getParentOp() != func.getOperation())
        return;
      std::optional<ContractionStrategy> strategy = chooseContractionStrategy(target, op);
      if (!strategy)
        strategy = chooseWindowStrategy(target, op);
      if (strategy && !blocksReduction(op, *strategy))
        contractions.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    int64_t group = 0;
    for (linalg::LinalgOp contraction : contractions) {
      Value output = contraction.getDpsInitOperand(0)->get();
      linalg::LinalgOp prologue = findPrologue(contraction, output);
      linalg::LinalgOp epilogue = findEpilogue(contraction, output);
      if (prologue && isFusedIntoTiles(prologue))
        prologue = nullptr; // Already the epilogue of the contraction before.
      auto mark = [&](linalg::LinalgOp neighbour, StringRef attr) {
        if (!neighbour)
          return false;
        FailureOr<linalg::LinalgOp> onto = ontoOutput(rewriter, neighbour, output);
        if (failed(onto))
          return false;
        // Collapsing made new views of the epilogue's operands after the
        // contraction: they move up like the epilogue's own.
        if (neighbour == epilogue) {
          FailureOr<SmallVector<Operation *>> defs = definedAfter(*onto, contraction);
          if (failed(defs))
            return false;
          for (Operation *def : *defs)
            def->moveBefore(contraction);
        }
        (*onto)->setAttr(attr, rewriter.getI64IntegerAttr(group));
        return true;
      };
      // The epilogue's operands must exist where its tiles will run
      // (findEpilogue checked that they can move). The list is named: a
      // range-for over the dereferenced temporary would read freed memory.
      if (epilogue) {
        FailureOr<SmallVector<Operation *>> defs = definedAfter(epilogue, contraction);
        for (Operation *def : *defs)
          def->moveBefore(contraction);
      }
      bool fused = mark(prologue, kFusedPrologueAttr);
      fused |= mark(epilogue, kFusedEpilogueAttr);
      if (fused)
        contraction->setAttr(kFusionGroupAttr, rewriter.getI64IntegerAttr(group++));
    }
  }
};

} // namespace

LogicalResult fuseAroundTile(RewriterBase &rewriter, linalg::LinalgOp tile, Value output,
                             const TileNeighbours &neighbours,
                             SmallVectorImpl<Operation *> &fused) {
  // The tile's place in the output: the sum of the offsets of its views.
  auto outputType = cast<MemRefType>(output.getType());
  Location loc = tile.getLoc();
  rewriter.setInsertionPoint(tile);
  SmallVector<OpFoldResult> offsets(outputType.getRank(), rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(rewriter.getContext(),
                                                           outputType.getShape());
  Value view = tile.getDpsInitOperand(0)->get();
  bool innermost = true;
  AffineExpr s0, s1;
  bindSymbols(rewriter.getContext(), s0, s1);
  while (view != output) {
    auto subview = view.getDefiningOp<memref::SubViewOp>();
    if (!subview || subview.getSourceType().getRank() != subview.getType().getRank() ||
        !llvm::all_of(subview.getStaticStrides(), [](int64_t s) { return s == 1; }))
      return tile.emitError("a fused tile's output is not a view of the contraction's output");
    if (innermost)
      sizes = subview.getMixedSizes();
    innermost = false;
    for (auto [sum, offset] : llvm::zip(offsets, subview.getMixedOffsets()))
      sum = affine::makeComposedFoldedAffineApply(rewriter, loc, s0 + s1, {sum, offset});
    view = subview.getSource();
  }
  auto place = [&](linalg::LinalgOp neighbour) -> LogicalResult {
    FailureOr<TilingResult> tiled = cast<TilingInterface>(neighbour.getOperation())
                                        .getTiledImplementation(rewriter, offsets, sizes);
    if (failed(tiled))
      return neighbour.emitError("cannot fuse into the tiles of a contraction");
    for (Operation *op : tiled->tiledOps) {
      op->removeAttr(kFusedPrologueAttr);
      op->removeAttr(kFusedEpilogueAttr);
      fused.push_back(op);
    }
    return success();
  };
  if (neighbours.prologue && failed(place(neighbours.prologue)))
    return failure();
  rewriter.setInsertionPointAfter(tile);
  if (neighbours.epilogue && failed(place(neighbours.epilogue)))
    return failure();
  return success();
}

} // namespace smelt
