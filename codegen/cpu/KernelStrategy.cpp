//===- KernelStrategy.cpp - tile sizes per op, keyed on the target --------===//
#include "codegen/cpu/KernelStrategy.h"
#include "passes/ConstantData.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include "llvm/TargetParser/Triple.h"

using namespace mlir;

namespace smelt {

namespace {

/// Bytes of the B panel (K rows of one register tile's columns) that should
/// stay in the L1 data cache while the M loop sweeps over it. Every x86-64
/// and AArch64 core of the last decade has at least 32 KiB of L1D; half of
/// it leaves room for the A rows and the C tile.
constexpr int64_t kL1PanelBytes = 16 * 1024;
/// Fewest reduction steps per tap in one K block of a direct convolution.
constexpr int64_t kMinStepsPerTap = 16;
/// Rows of A per cache block: MC x KC floats of A are reused from L2 by
/// every register column of the N block.
constexpr int64_t kCacheBlockM = 128;
constexpr int64_t kCacheBlockN = 256;
/// Bytes of the B panel of one N and K cache block, reused from L2 by
/// every M block: a quarter of the smallest L2 of the targets (1 MiB).
constexpr int64_t kL2PanelBytes = 256 * 1024;
/// Blocks a product's parallel loop gets at least, where the caches alone
/// would leave it one: enough for the threads of a small machine.
constexpr int64_t kThreadBlocks = 4;

/// `size` clamped to a static loop extent; 0 (no tiling) when one tile would
/// cover the whole loop anyway.
int64_t tileFor(int64_t extent, int64_t size) { return size >= extent ? 0 : size; }

/// Blocks of at most `size` that cut `extent` into equal parts (but for
/// rounding): 25 panels in blocks of 16 become 13 + 12, two even halves for
/// two threads, not 16 + 9. 0 when one block covers the loop.
int64_t balancedTileFor(int64_t extent, int64_t size) {
  if (size >= extent)
    return 0;
  return llvm::divideCeil(extent, llvm::divideCeil(extent, size));
}

/// The block size for a parallel loop of `extent` whose blocks are
/// multiples of `unit`, at most `maxBlock` and at least a quarter of it (a
/// block's operands are reused across it). A partial last block is peeled
/// and runs after the parallel loop on one thread, so the block is the one
/// that finishes first on two threads (the fewest cores of the machines
/// this targets, and the most uneven shares), the largest of those: 1000
/// columns in units of 32 with blocks of up to 256 become six blocks of 160
/// (three each) and 40 columns, not three of 256 (two on one thread) and
/// 232 columns on one thread.
int64_t parallelBlock(int64_t extent, int64_t unit, int64_t maxBlock) {
  if (extent <= maxBlock)
    return maxBlock;
  auto rank = [&](int64_t units) {
    int64_t block = units * unit, full = extent / block;
    int64_t onTwoThreads = (full + 1) / 2 * block + (extent - full * block);
    return std::make_pair(-onTwoThreads, units);
  };
  int64_t most = std::max<int64_t>(1, maxBlock / unit), best = most;
  for (int64_t units = most - 1; units >= std::max<int64_t>(1, most / 4); --units)
    if (rank(units) > rank(best))
      best = units;
  return best * unit;
}

/// The M x N register tile of an f32 product of `rows` x `columns`.
/// Half the vector registers hold accumulators, two vectors per row, the
/// rest the broadcast A elements and the B row: 4 rows (8 accumulators)
/// with 16 registers (AVX2; measured ~92% of FMA peak on packed operands,
/// while 6 and 8 rows spill), 8 rows (16 accumulators) with 32 (AVX-512,
/// NEON), which hides the FMA latency of two pipes (measured: 8x32 runs
/// 1024^3 at 1.6-1.9x the speed of 4x32 on AVX-512).
std::pair<int64_t, int64_t> registerTile(const CpuTarget &target, int64_t rows, int64_t columns) {
  int64_t accumulators = target.vectorRegisters / 2;
  int64_t tileM = std::max<int64_t>(1, std::min<int64_t>(accumulators / 2, rows));
  // Narrow M (batch-1 Linear layers, GEMV): the accumulators left over go to
  // wider rows, so each step reads a long contiguous stretch of a B row
  // instead of two vectors from each of many rows.
  // A power of two: LLVM keeps a row of 3 or 5 vectors (and its loop phi)
  // whole and then assembles it lane by lane through the stack.
  int64_t rowVectors = std::max<int64_t>(2, llvm::bit_floor(uint64_t(accumulators / tileM)));
  int64_t tileN = std::min<int64_t>(rowVectors * target.lanes(32), columns);
  return {tileM, tileN};
}

/// Rows of a register tile `tileN` columns wide: `tileM`, or, when the
/// tile is at most one vector wide (rows of 56 = 3 x 16 + 8, 16 filters),
/// as many rows as there are accumulators, so that enough independent FMA
/// chains stay in flight (half the vector registers, at most `rows`).
int64_t rowsForWidth(const CpuTarget &target, int64_t tileM, int64_t tileN, int64_t rows) {
  if (tileN > static_cast<int64_t>(target.lanes(32)))
    return tileM;
  return std::max<int64_t>(tileM, std::min<int64_t>(target.vectorRegisters / 2, rows));
}

/// The register tile width for `columns` columns: the widest power of two
/// up to `tileN` (and at least 4) whose tiles, the last (peeled) one
/// included, are each a power of two wide (whole vectors: 16, 32, 64 lanes
/// on AVX-512; 24 columns: a tile of 16 and a peeled one of 8). Other
/// widths come out of the contraction kernel's accumulator updates as
/// element-by-element shuffles (24 = a vector and a half, 28), or as rows
/// that LLVM assembles lane by lane through the stack (96 = 6 vectors:
/// ten times slower than 64 + 32). `tileN` when none is.
int64_t powerOfTwoColumns(int64_t tileN, int64_t columns) {
  auto fits = [&](int64_t width) {
    int64_t last = columns % width == 0 ? std::min(width, columns) : columns % width;
    return llvm::isPowerOf2_64(std::min(width, columns)) && llvm::isPowerOf2_64(last);
  };
  for (int64_t width = llvm::bit_floor(uint64_t(tileN)); width >= 4; width /= 2)
    if (fits(width))
      return std::min(width, columns);
  return tileN;
}

/// Whether every operand of `op` has element type f32.
bool allF32(Operation *op) {
  return llvm::all_of(op->getOperandTypes(),
                      [](Type t) { return getElementTypeOrSelf(t).isF32(); });
}

/// Whether packing `operand` costs nothing at run time: a constant (a
/// weight), packed at compile time, or a splat.
bool isPackedForFree(Value operand) {
  Attribute constant = constantBehindReshapes(operand);
  return isa_and_present<SplatElementsAttr>(constant) || constantBytes(constant).has_value();
}

/// Whether every operand of `op` has element type f32 or an integer type of
/// 8, 16 or 32 bits: the types of the vectorized elementwise ops and row
/// reductions (quantizing, dequantizing and integer sums included).
bool allVectorElements(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    Type element = getElementTypeOrSelf(t);
    return element.isF32() || element.isInteger(8) || element.isInteger(16) ||
           element.isInteger(32);
  });
}

/// linalg.mmt4d, loops (m1, n1, k1, m0, n0, k0) over packed panels: the
/// register tile is one m0 x n0 tile, the cache blocks are the contraction
/// kernel's in units of panels.
ContractionStrategy mmt4dStrategy(linalg::Mmt4DOp op) {
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  ContractionStrategy s;
  s.registerM = extents[3];
  s.registerN = extents[4];
  int64_t cacheK = std::max<int64_t>(64, kL1PanelBytes / (s.registerN * 4));
  s.cache.sizes = {balancedTileFor(extents[0], llvm::divideCeil(kCacheBlockM, s.registerM)),
                   balancedTileFor(extents[1], llvm::divideCeil(kCacheBlockN, s.registerN)),
                   tileFor(extents[2], cacheK), 0, 0, 0};
  // Where M and N each fit one cache block (a 1x1 convolution at 7x7), the
  // outermost loop would be K's, serial: the wider of the two is cut in
  // blocks for the threads instead.
  if (s.cache.sizes[0] == 0 && s.cache.sizes[1] == 0) {
    int64_t wider = extents[1] >= extents[0] ? 1 : 0;
    s.cache.sizes[wider] =
        balancedTileFor(extents[wider], llvm::divideCeil(extents[wider], kThreadBlocks));
  }
  // N, K, M blocks, as for the unpacked kernel; with N in one block, M
  // first, so that the outermost block loop is parallel (threads).
  s.cache.order = s.cache.sizes[1] != 0 ? SmallVector<int64_t>{1, 2, 0}
                                        : SmallVector<int64_t>{0, 2};
  s.registers.sizes = {tileFor(extents[0], 1), tileFor(extents[1], 1), 0, 0, 0, 0};
  s.registers.order = {1, 0};
  return s;
}

} // namespace

std::optional<DataTiles> chooseDataTiles(const CpuTarget &target, linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() || op.hasUserDefinedMaps() ||
      !allF32(op))
    return std::nullopt;
  SmallVector<int64_t> extents = op.getStaticLoopRanges(); // (m, n, k)
  if (extents[0] * extents[1] * extents[2] < kMinDataTilingWork)
    return std::nullopt;
  // An operand packed at run time is copied once more: worth it only if
  // the product reads each element many times (A's N times, B's M times).
  bool packA = !isPackedForFree(op.getInputs()[0]), packB = !isPackedForFree(op.getInputs()[1]);
  if ((packA && extents[1] < kMinPackReuse) || (packB && extents[0] < kMinPackReuse) ||
      ((packA || packB) && (extents[2] <= kMaxUnpackedK || extents[1] <= kMaxUnpackedN)))
    return std::nullopt;
  auto [tileM, tileN] = registerTile(target, extents[0], extents[1]);
  // Narrow N pads up to a power of two under a vector, else to whole
  // vectors, not to the full register tile.
  if (tileN == extents[1]) {
    int64_t lanes = target.lanes(32);
    tileN = tileN < lanes ? int64_t(llvm::PowerOf2Ceil(tileN)) : llvm::alignTo(tileN, lanes);
  }
  return DataTiles{rowsForWidth(target, tileM, tileN, extents[0]), tileN};
}

ByteTiles chooseByteTiles(const CpuTarget &target) {
  auto has = [&](StringRef feature) { return llvm::is_contained(target.enabledFeatures, feature); };
  ByteTiles tiles;
  tiles.lanes = target.lanes(32);
  bool x86 = llvm::Triple(target.triple).isX86();
  bool wide = tiles.lanes == 16 && has("avx512bw"), narrow = tiles.lanes == 8;
  if (x86 && ((wide && has("avx512vnni")) ||
              (narrow && (has("avxvnni") || (has("avx512vnni") && has("avx512vl")))))) {
    tiles.dot = ByteDot::Vnni;
    tiles.k0 = 4;
  } else if (x86 && (wide || (narrow && has("avx2")))) {
    tiles.dot = ByteDot::PairsInt16;
    tiles.k0 = 2;
    tiles.packedBits = 16;
  } else {
    tiles.dot = ByteDot::Widen;
    tiles.k0 = 1;
  }
  // As for f32 (registerTile): half the registers hold accumulators, two
  // vectors per row; a power of two of rows divides the usual M. (With 16
  // registers, 6 rows ran no faster than 4 on Zen 3's vpmaddwd.)
  tiles.m0 = target.vectorRegisters >= 32 ? 8 : 4;
  tiles.n0 = 2 * tiles.lanes;
  return tiles;
}

SmallVector<AffineMap> byteProductMaps(MLIRContext *context, bool packed) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  if (packed) // (m1, n1, k1, m0, n0, k0)
    return {AffineMap::get(6, 0, {d(0), d(2), d(3), d(5)}, context),
            AffineMap::get(6, 0, {d(1), d(2), d(4), d(5)}, context),
            AffineMap::get(6, 0, {d(0), d(1), d(3), d(4)}, context)};
  return {AffineMap::get(3, 0, {d(0), d(2)}, context), AffineMap::get(3, 0, {d(2), d(1)}, context),
          AffineMap::get(3, 0, {d(0), d(1)}, context)};
}

SmallVector<utils::IteratorType> byteProductIterators(bool packed) {
  using utils::IteratorType;
  if (packed) // (m1, n1, k1, m0, n0, k0)
    return {IteratorType::parallel, IteratorType::parallel, IteratorType::reduction,
            IteratorType::parallel, IteratorType::parallel, IteratorType::reduction};
  return {IteratorType::parallel, IteratorType::parallel, IteratorType::reduction};
}

bool isByteProduct(linalg::LinalgOp op, bool packed, bool *unsignedA) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getIndexingMapsArray() != byteProductMaps(op.getContext(), packed) ||
      op.getIteratorTypesArray() != byteProductIterators(packed))
    return false;
  auto elementOf = [](OpOperand &operand) { return getElementTypeOrSelf(operand.get().getType()); };
  Type a = elementOf(*op.getDpsInputOperand(0));
  if (!(a.isInteger(8) || (packed && a.isInteger(16))) ||
      elementOf(*op.getDpsInputOperand(1)) != a ||
      !elementOf(*op.getDpsInitOperand(0)).isInteger(32))
    return false;
  // out + ext(a) * ext(b), one extension unsigned and the other signed, in
  // either operand order.
  Block *body = op.getBlock();
  if (body->getOperations().size() != 5)
    return false;
  auto add = body->getTerminator()->getOperand(0).getDefiningOp<arith::AddIOp>();
  if (!add)
    return false;
  Value out = body->getArgument(2);
  Value term = add.getLhs() == out ? add.getRhs() : add.getRhs() == out ? add.getLhs() : Value();
  auto mul = term ? term.getDefiningOp<arith::MulIOp>() : nullptr;
  if (!mul)
    return false;
  auto isExtension = [&](Value v, auto opType, unsigned arg) {
    auto ext = v.getDefiningOp<decltype(opType)>();
    return ext && ext.getIn() == body->getArgument(arg);
  };
  auto matches = [&](Value x, Value y, bool aUnsigned) {
    bool found = aUnsigned ? isExtension(x, arith::ExtUIOp(), 0) && isExtension(y, arith::ExtSIOp(), 1)
                           : isExtension(x, arith::ExtSIOp(), 0) && isExtension(y, arith::ExtUIOp(), 1);
    if (found && unsignedA)
      *unsignedA = aUnsigned;
    return found;
  };
  for (bool aUnsigned : {true, false})
    if (matches(mul.getLhs(), mul.getRhs(), aUnsigned) ||
        matches(mul.getRhs(), mul.getLhs(), aUnsigned))
      return true;
  return false;
}

bool shouldDataTileBytes(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() || !isByteProduct(op, false))
    return false;
  SmallVector<int64_t> extents = op.getStaticLoopRanges(); // (m, n, k)
  if (extents[0] * extents[1] * extents[2] < kMinDataTilingWork)
    return false;
  bool packA = !isPackedForFree(op.getDpsInputs()[0]);
  bool packB = !isPackedForFree(op.getDpsInputs()[1]);
  return !(packA && extents[1] < kMinPackReuse) && !(packB && extents[0] < kMinPackReuse);
}

std::optional<ContractionStrategy> chooseContractionStrategy(const CpuTarget &target,
                                                             linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.hasDynamicShape() || op.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  if (auto mmt4d = dyn_cast<linalg::Mmt4DOp>(op.getOperation()))
    return allF32(mmt4d) ? std::optional(mmt4dStrategy(mmt4d)) : std::nullopt;
  // f32 only for now: the other types keep the scalar loops.
  if (!allF32(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return std::nullopt;

  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  unsigned loops = extents.size();
  if (llvm::is_contained(extents, 0))
    return std::nullopt; // Nothing to compute.
  // The innermost M and N loops form the register tile; outer ones (an
  // im2col'd convolution's batch is an N loop of B and C only, a direct
  // channels-last convolution's output rows are M loops of A and C) are
  // stepped one at a time like batch loops.
  unsigned m = dims->m.back(), n = dims->n.back(), k = dims->k.back();
  SmallVector<unsigned> outerB(dims->batch.begin(), dims->batch.end());
  outerB.append(dims->n.begin(), dims->n.end() - 1);
  SmallVector<unsigned> outerM(dims->m.begin(), dims->m.end() - 1);
  ContractionStrategy s;
  std::tie(s.registerM, s.registerN) = registerTile(target, extents[m], extents[n]);
  s.registerN = powerOfTwoColumns(s.registerN, extents[n]);
  s.registerM = rowsForWidth(target, s.registerM, s.registerN, extents[m]);
  // A direct convolution's B panel (KH x KW x K x the tile's columns) is
  // read whole by every register tile. Where all of it fits L2 it stays
  // unblocked, so that the bias and activation fuse into the tiles (a
  // blocked reduction revisits them). Larger ones are blocked so that the
  // panel of one K block stays in L1 while the M loops sweep it: blocking
  // K as for matrices (128 channels x 9 taps x 32 filters: 147 KiB, read
  // from L2 once per output row) left ResNet's 3x3 convolutions at 14x14
  // and 7x7 at 63-68% of FMA peak; 16 channels per block (18 KiB) runs
  // them at 85-93%. At least 16 steps per tap keep the accumulators'
  // reloads between blocks negligible.
  int64_t taps = 1;
  for (unsigned d : dims->k)
    if (d != k)
      taps *= extents[d];
  int64_t cacheK = std::max<int64_t>(64, kL1PanelBytes / (s.registerN * 4));
  if (taps > 1)
    cacheK = 4 * extents[k] * taps * s.registerN <= kL2PanelBytes
                 ? extents[k]
                 : std::max<int64_t>(kMinStepsPerTap, kL1PanelBytes / (s.registerN * 4 * taps));

  s.cache.sizes.assign(loops, 0);
  for (unsigned d : llvm::concat<unsigned>(outerB, outerM))
    s.cache.sizes[d] = tileFor(extents[d], 1);
  // Only the innermost reduction loop is blocked for the cache; the B
  // panel of one N and K block (every other reduction loop whole: a
  // direct convolution's taps) should stay in L2 while all of M sweeps it.
  s.cache.sizes[k] = tileFor(extents[k], cacheK);
  // One N block where the B panel of a K block fits L2 whole: the threads
  // then share the M loops (output rows), not a few N blocks (384 filters
  // in blocks of 256: one parallel block and a serial one).
  int64_t panelColumnBytes = 4 * std::min(extents[k], cacheK) * taps;
  int64_t blockN = kL2PanelBytes / panelColumnBytes;
  if (extents[n] > blockN) {
    blockN = std::max<int64_t>(s.registerN, std::min<int64_t>(kCacheBlockN, blockN) /
                                                s.registerN * s.registerN);
    blockN = parallelBlock(extents[n], s.registerN, blockN);
  }
  s.cache.sizes[n] = tileFor(extents[n], blockN);
  s.cache.sizes[m] = tileFor(
      extents[m], parallelBlock(extents[m], s.registerM, llvm::alignTo(kCacheBlockM, s.registerM)));
  // Where no parallel loop is blocked (a batch-1 Linear layer: M = 1, N in
  // one block), the outermost block loop would be K's, serial: N is cut
  // into blocks for the threads instead.
  bool parallelBlocked = s.cache.sizes[n] != 0 || s.cache.sizes[m] != 0 ||
                         llvm::any_of(llvm::concat<unsigned>(outerB, outerM),
                                      [&](unsigned d) { return s.cache.sizes[d] != 0; });
  if (!parallelBlocked && extents[n] >= 2 * s.registerN)
    s.cache.sizes[n] = tileFor(
        extents[n],
        parallelBlock(extents[n], s.registerN,
                      llvm::alignTo(llvm::divideCeil(extents[n], kThreadBlocks), s.registerN)));
  // Loop order N, K, M (GotoBLAS's jc, pc, ic): the B panel of one N block
  // and K block is swept by every M block, outer M loops included. With N
  // in one block and no batch loop, the M loops come first instead, so that
  // the outermost block loop is parallel (threads), not K.
  s.cache.order.append(outerB.begin(), outerB.end());
  if (s.cache.sizes[n] == 0 && outerB.empty()) {
    s.cache.order.append(outerM.begin(), outerM.end());
    s.cache.order.append({m, k});
  } else {
    s.cache.order.append({n, k});
    s.cache.order.append(outerM.begin(), outerM.end());
    s.cache.order.push_back(m);
  }

  s.registers.sizes.assign(loops, 0);
  s.registers.sizes[m] = tileFor(extents[m], s.registerM);
  s.registers.sizes[n] = tileFor(extents[n], s.registerN);
  s.registers.order = {n, m};

  return s;
}

void yieldMultiplyAccumulate(OpBuilder &b, Location loc, ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  linalg::YieldOp::create(b, loc, Value(arith::AddFOp::create(b, loc, args[2], product)));
}

bool hasMatrixProductDims(linalg::LinalgOp op) {
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  return succeeded(dims) && !dims->m.empty() && !dims->n.empty() && !dims->k.empty();
}

/// Whether `op`'s body is out + in0 * in1 (float), in either order.
bool isMultiplyAccumulate(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 || body->getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&body->front());
  auto add = dyn_cast_or_null<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (!mul || !add || yield.getValues().size() != 1 || yield.getValues()[0] != add.getResult())
    return false;
  Value in0 = body->getArgument(0), in1 = body->getArgument(1), out = body->getArgument(2);
  bool mulOfInputs = (mul.getLhs() == in0 && mul.getRhs() == in1) ||
                     (mul.getLhs() == in1 && mul.getRhs() == in0);
  bool addsToOut = (add.getLhs() == out && add.getRhs() == mul.getResult()) ||
                   (add.getRhs() == out && add.getLhs() == mul.getResult());
  return mulOfInputs && addsToOut;
}

std::optional<ContractionStrategy> chooseWindowStrategy(const CpuTarget &target,
                                                        linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.hasDynamicShape() || !allF32(op) ||
      !isMultiplyAccumulate(op) || hasMatrixProductDims(op))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned parallel = llvm::count(iterators, utils::IteratorType::parallel);
  if (parallel < 2 || parallel == iterators.size() ||
      llvm::any_of(llvm::seq<unsigned>(0, parallel),
                   [&](unsigned d) { return iterators[d] != utils::IteratorType::parallel; }))
    return std::nullopt;
  // The output is indexed by the parallel loops, in order.
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() != parallel ||
      llvm::any_of(llvm::enumerate(outMap.getResults()), [&](auto result) {
        return result.value() != getAffineDimExpr(result.index(), op.getContext());
      }))
    return std::nullopt;
  // The column dim (last parallel) must be the contiguous dim of every
  // operand that it indexes.
  unsigned rows = parallel - 2, columns = parallel - 1;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isProjectedPermutation())
      return std::nullopt;
    if (map.isFunctionOfDim(columns) &&
        map.getResults().back() != getAffineDimExpr(columns, op.getContext()))
      return std::nullopt;
  }
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  ContractionStrategy s;
  // Rows are updated one by one (no accumulator reassembly), so any width
  // lowers well: no narrowing to powers of two.
  std::tie(s.registerM, s.registerN) = registerTile(target, extents[rows], extents[columns]);
  s.cache.sizes.assign(extents.size(), 0);
  for (unsigned d = 0; d < rows; ++d)
    s.cache.sizes[d] = tileFor(extents[d], 1);
  s.registers.sizes.assign(extents.size(), 0);
  s.registers.sizes[rows] = tileFor(extents[rows], s.registerM);
  s.registers.sizes[columns] = tileFor(extents[columns], s.registerN);
  s.registers.order = {rows, columns};
  return s;
}

std::optional<TileLevel> chooseCopyTiles(const CpuTarget &target, linalg::LinalgOp copy) {
  auto transpose = dyn_cast<linalg::TransposeOp>(copy.getOperation());
  bool rowCopy = isa<linalg::CopyOp>(copy.getOperation()) ||
                 (transpose && !transpose.getPermutation().empty() &&
                  transpose.getPermutation().back() ==
                      static_cast<int64_t>(transpose.getPermutation().size()) - 1);
  if (!rowCopy || !copy.hasPureBufferSemantics() || copy.hasDynamicShape())
    return std::nullopt;
  SmallVector<int64_t> extents = copy.getStaticLoopRanges();
  if (extents.empty())
    return std::nullopt;
  Type element = getElementTypeOrSelf(copy.getDpsInitOperand(0)->get().getType());
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  // Four registers' worth per chunk: long enough to stream, short enough
  // that the chunk never spills.
  int64_t chunk = 4 * target.lanes(element.getIntOrFloatBitWidth());
  TileLevel tiles;
  tiles.sizes.assign(extents.size(), 1);
  tiles.sizes.back() = tileFor(extents.back(), chunk);
  for (size_t d = 0; d + 1 < extents.size(); ++d)
    tiles.sizes[d] = tileFor(extents[d], 1);
  return tiles;
}

/// Whether `op` is a math function that stays vector code: one LLVM lowers
/// as a vector intrinsic, or one smelt-cpu-approximate-math expands. The
/// others (acosh, atan, sinh...) become libm calls, one per element.
bool isVectorMath(Operation &op) {
  return isa<math::AbsFOp, math::CeilOp, math::FloorOp, math::CopySignOp, math::ExpOp,
             math::Exp2Op, math::ExpM1Op, math::LogOp, math::Log10Op, math::Log1pOp,
             math::Log2Op, math::SqrtOp, math::FmaOp, math::RoundEvenOp, math::RoundOp,
             math::TruncOp, math::TanhOp, math::ErfOp>(op);
}

/// Whether every op of `op`'s body is plain arithmetic or vector math,
/// which vectorizes lane by lane.
bool hasArithmeticBody(linalg::LinalgOp op) {
  return llvm::all_of(op.getBlock()->without_terminator(), [](Operation &inner) {
    return isa<arith::ArithDialect>(inner.getDialect()) || isVectorMath(inner);
  });
}

std::optional<TileLevel> chooseRowTiles(const CpuTarget &target, linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !op.hasPureBufferSemantics() || op.hasDynamicShape() ||
      !allVectorElements(op) || op.hasIndexSemantics() || op.getNumLoops() == 0 || op.getNumDpsInits() == 0 ||
      !hasArithmeticBody(op) || isMultiplyAccumulate(op) || hasMatrixProductDims(op))
    return std::nullopt;
  // Parallel loops first, then reductions.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned loops = iterators.size();
  unsigned parallel = llvm::find(iterators, utils::IteratorType::reduction) - iterators.begin();
  if (llvm::count(iterators, utils::IteratorType::parallel) != parallel)
    return std::nullopt;
  // Whether loop `row` can be the vectorized one: the last index of every
  // operand that it indexes, and indexing the output unless it reduces.
  auto isRow = [&](unsigned row, bool reduces) {
    AffineExpr dim = getAffineDimExpr(row, op.getContext());
    return llvm::all_of(op->getOpOperands(), [&](OpOperand &operand) {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      if (!map.isProjectedPermutation(/*allowZeroInResults=*/true))
        return false;
      if (op.isDpsInit(&operand) && map.isFunctionOfDim(row) == reduces)
        return false;
      return !map.isFunctionOfDim(row) || map.getResults().back() == dim;
    });
  };
  // The last loop (elementwise, or a reduction along the row), else the
  // last parallel loop with the reductions after it (a column reduction:
  // pooling over channels-last windows, a sum over an outer axis), each
  // reduction step then a vector update of the row's accumulators.
  unsigned last = loops - 1;
  if (!((parallel == loops || parallel == loops - 1) && isRow(last, parallel != loops))) {
    if (parallel == 0 || parallel == loops || !isRow(parallel - 1, false))
      return std::nullopt;
    last = parallel - 1;
  }
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  int64_t lanes = target.lanes(32);
  if (extents[last] < lanes)
    return std::nullopt;
  // Two vectors per chunk on long rows (more work between loop branches),
  // one on short ones (less left to the scalar remainder).
  int64_t chunk = extents[last] >= 8 * lanes ? 2 * lanes : lanes;
  TileLevel tiles;
  for (int64_t extent : extents)
    tiles.sizes.push_back(tileFor(extent, 1));
  tiles.sizes[last] = tileFor(extents[last], chunk);
  return tiles;
}

std::optional<TileLevel> chooseParallelTiles(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.hasDynamicShape() ||
      isa<linalg::FillOp>(op.getOperation()) || op.getNumDpsInits() == 0)
    return std::nullopt;
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  int64_t work = 1;
  for (int64_t extent : extents)
    work *= extent;
  // An exponential or another math function costs an iteration as much as
  // tens of adds: EfficientNet's SiLUs over 94080 elements ran serially.
  if (llvm::any_of(op.getBlock()->without_terminator(),
                   [](Operation &inner) { return isa<math::MathDialect>(inner.getDialect()); }))
    work *= kMathIterationCost;
  if (extents.empty() || work < kMinParallelWork)
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  auto indexesEveryOutput = [&](int64_t d) {
    return llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
      return llvm::is_contained(op.getMatchingIndexingMap(&init).getResults(),
                                getAffineDimExpr(d, op.getContext()));
    });
  };
  for (int64_t d = 0, e = extents.size(); d < e; ++d) {
    if (iterators[d] != utils::IteratorType::parallel || extents[d] < 2 || !indexesEveryOutput(d))
      continue;
    // The smallest tile that leaves at most kParallelTiles tiles, dividing
    // the extent if some size up to twice that does.
    int64_t tile = (extents[d] + kParallelTiles - 1) / kParallelTiles;
    for (int64_t t = tile; t <= 2 * tile && t <= extents[d]; ++t)
      if (extents[d] % t == 0) {
        tile = t;
        break;
      }
    TileLevel tiles;
    tiles.sizes.assign(extents.size(), 0);
    tiles.sizes[d] = tile;
    return tiles;
  }
  return std::nullopt;
}

std::optional<TileLevel> chooseRegisterTileSteps(linalg::LinalgOp tile) {
  TileLevel steps;
  SmallVector<int64_t> extents = tile.getStaticLoopRanges();
  for (auto [extent, iterator] : llvm::zip(extents, tile.getIteratorTypesArray())) {
    bool reduction = iterator == utils::IteratorType::reduction;
    if (!reduction && ShapedType::isDynamic(extent))
      return std::nullopt;
    steps.sizes.push_back(reduction ? 1 : 0);
  }
  return steps;
}

/// Whether every operand of `op` is a static shape of f32.
bool allStaticF32(Operation *op) {
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return shaped && shaped.hasStaticShape() && shaped.getElementType().isF32();
  });
}

/// The operand types and strides of a static f32 2-D convolution.
struct ConvShapes {
  ShapedType input, filter, output;
  SmallVector<int64_t> strides;
};
template <typename ConvOp>
std::optional<ConvShapes> staticF32Shapes(ConvOp op) {
  if (!allStaticF32(op))
    return std::nullopt;
  return ConvShapes{cast<ShapedType>(op.getInputs()[0].getType()),
                    cast<ShapedType>(op.getInputs()[1].getType()),
                    cast<ShapedType>(op.getOutputs()[0].getType()),
                    SmallVector<int64_t>(op.getStrides().template getValues<int64_t>())};
}

std::optional<ConvStrategy> chooseConvStrategy(const CpuTarget &target,
                                               linalg::Conv2DNchwFchwOp op) {
  std::optional<ConvShapes> shapes = staticF32Shapes(op);
  if (!shapes)
    return std::nullopt;
  auto [input, filter, output, strides] = *shapes;
  bool unitStrides = llvm::all_of(strides, [](int64_t s) { return s == 1; });
  bool pointwise = filter.getDimSize(2) == 1 && filter.getDimSize(3) == 1;
  ConvStrategy s;
  // Direct: the register tile's columns are consecutive outputs of a row,
  // which read consecutive inputs when the width stride is 1. Rows shorter
  // than a vector leave most lanes idle: those take the im2col route.
  s.direct = !pointwise && strides[1] == 1 && output.getDimSize(3) >= target.lanes(32);
  s.im2colCopy = !(pointwise && unitStrides && input.getDimSize(2) == output.getDimSize(2) &&
                   input.getDimSize(3) == output.getDimSize(3));
  if (s.direct || !s.im2colCopy)
    return s;
  int64_t rowBytes = 4 * output.getDimSize(0) * filter.getDimSize(1) * filter.getDimSize(2) *
                     filter.getDimSize(3) * output.getDimSize(3);
  int64_t rows = output.getDimSize(2);
  if (rowBytes > kMaxIm2colBytes)
    return std::nullopt;
  if (rows * rowBytes > kMaxIm2colBytes) {
    // The most rows that fit and divide the output evenly (static blocks).
    s.rowBlock = kMaxIm2colBytes / rowBytes;
    while (rows % s.rowBlock != 0)
      --s.rowBlock;
  }
  return s;
}

std::optional<ConvStrategy> chooseConvStrategy(const CpuTarget &target,
                                               linalg::Conv2DNhwcHwcfOp op) {
  (void)target;
  if (!staticF32Shapes(op))
    return std::nullopt;
  // Every one runs direct, its register tile's rows any run of outputs
  // (strided or not: they are broadcast one by one) and its vectors the
  // filters of one tap, 1x1 ones included: as a matrix product [N*H*W, C]
  // x [C, F] their activations were packed and unpacked around the
  // product, and an activation writing a padded buffer's interior (a
  // strided view) could not be collapsed into its tiles (MobileNet V2 and
  // EfficientNet-B0 ran 6-7% slower, ResNet-50 3%).
  ConvStrategy s;
  s.im2colCopy = false;
  s.direct = true;
  return s;
}

std::optional<int64_t> choosePackedFilterTile(const CpuTarget &target,
                                              linalg::Conv2DNhwcHwcfOp op) {
  if (!op.hasPureTensorSemantics())
    return std::nullopt;
  std::optional<ConvStrategy> strategy = chooseConvStrategy(target, op);
  if (!strategy || !strategy->direct || !isPackedForFree(op.getInputs()[1]))
    return std::nullopt;
  auto filter = cast<ShapedType>(op.getInputs()[1].getType());
  auto output = cast<ShapedType>(op.getOutputs()[0].getType());
  if (4 * filter.getNumElements() <= kL2FilterBytes)
    return std::nullopt;
  // The register tile the contraction kernel will pick for the packed op
  // (its N the panel): the filters of one panel, each tile one panel wide.
  int64_t filters = filter.getDimSize(3);
  int64_t n0 = powerOfTwoColumns(registerTile(target, output.getDimSize(2), filters).second,
                                 filters);
  if (n0 < target.lanes(32) || n0 >= filters)
    return std::nullopt;
  return n0;
}

bool isDirectDepthwise(linalg::DepthwiseConv2DNchwChwOp op) {
  if (!allStaticF32(op))
    return false;
  SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
  auto output = cast<ShapedType>(op.getOutputs()[0].getType());
  return strides[1] == 1 && output.getDimSize(3) >= 4;
}

bool isDirectDepthwise(linalg::DepthwiseConv2DNhwcHwcOp op) { return allStaticF32(op); }

} // namespace smelt
