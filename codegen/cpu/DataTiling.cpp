//===- DataTiling.cpp - matrix products on packed panels ------------------===//
//
// The register-blocked kernel reads, at every step of the reduction, m0
// elements of a column of A and n0 elements of a row of B. In row-major
// operands those are strided: the B row of each step is a new cache line
// and, for large N, a new page. Packed (as IREE's data tiling and upstream
// linalg.mmt4d do) each operand is a sequence of panels read front to
// back: A as [M/m0][K][m0] and B as [N/n0][K][n0], C as m0 x n0 tiles.
// Weights are packed once, here, at compile time.
//
// Direct channels-last convolutions with large constant filters get their
// filters packed the same way, [F/n0][KH][KW][C][n0], and become a generic
// over the padded input, out[n, oh, ow, f1, f0] += in[n, oh*s0 + kh*d0,
// ow*s1 + kw*d1, c] * w[f1, kh, kw, c, f0], on the output seen as
// [N, OH, OW, F/n0, n0] (a reshape: F is innermost). smelt-cpu-direct-conv
// later reads the input through a window view, as for the named op.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"
#include "passes/ConstantData.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUDATATILING
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// `source` packed with `tiles` of its dims `innerDimsPos`, outer dims in
/// `outerPerm` order, `zero` where a dim is not a multiple of its tile
/// (null: every dim is).
Value pack(RewriterBase &rewriter, Location loc, Value source, ArrayRef<int64_t> innerDimsPos,
           ArrayRef<int64_t> tiles, ArrayRef<int64_t> outerPerm, Value zero) {
  SmallVector<OpFoldResult> tileSizes = getAsIndexOpFoldResult(rewriter.getContext(), tiles);
  Value dest = linalg::PackOp::createDestinationTensor(rewriter, loc, source, tileSizes,
                                                       innerDimsPos, outerPerm);
  return linalg::PackOp::create(rewriter, loc, source, dest, innerDimsPos, tileSizes, zero,
                                outerPerm)
      .getResult();
}

/// The value `init` is filled with, looking through reshapes (a
/// convolution's zeroed output seen as a matrix), or nothing.
Value fillValue(Value init) {
  while (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(init.getDefiningOp()))
    init = init.getDefiningOp()->getOperand(0);
  auto fill = init.getDefiningOp<linalg::FillOp>();
  return fill ? fill.getInputs()[0] : Value();
}

/// `init` (C) packed as m0 x n0 tiles: a fill of the packed shape where C
/// is filled (the padding is never read back), else a pack.
Value packOutput(RewriterBase &rewriter, Location loc, Value init, int64_t m0, int64_t n0,
                 Value zero) {
  if (Value value = fillValue(init)) {
    SmallVector<OpFoldResult> tileSizes = getAsIndexOpFoldResult(rewriter.getContext(), {m0, n0});
    Value dest = linalg::PackOp::createDestinationTensor(rewriter, loc, init, tileSizes, {0, 1}, {});
    return linalg::FillOp::create(rewriter, loc, value, dest).getResult(0);
  }
  return pack(rewriter, loc, init, {0, 1}, {m0, n0}, {}, zero);
}

/// Replaces `op` (of result type `resultType`) by `product` unpacked from
/// its m0 x n0 tiles.
void replaceByUnpacked(RewriterBase &rewriter, Operation *op, Value product,
                       RankedTensorType resultType, int64_t m0, int64_t n0) {
  Value dest = tensor::EmptyOp::create(rewriter, op->getLoc(), resultType.getShape(),
                                       resultType.getElementType());
  rewriter.replaceOpWithNewOp<linalg::UnPackOp>(
      op, product, dest, ArrayRef<int64_t>{0, 1},
      getAsIndexOpFoldResult(rewriter.getContext(), {m0, n0}));
}

/// C = A * B as the product of packed panels (see the file comment).
void dataTile(RewriterBase &rewriter, linalg::MatmulOp op, const DataTiles &tiles) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value a = op.getInputs()[0], b = op.getInputs()[1], init = op.getOutputs()[0];
  auto resultType = cast<RankedTensorType>(init.getType());
  Value zero = arith::ConstantOp::create(rewriter, loc,
                                         rewriter.getZeroAttr(resultType.getElementType()));
  Value packedA = pack(rewriter, loc, a, {0, 1}, {tiles.m0, 1}, {}, zero);
  Value packedB = pack(rewriter, loc, b, {1, 0}, {tiles.n0, 1}, {1, 0}, zero);
  Value packedC = packOutput(rewriter, loc, init, tiles.m0, tiles.n0, zero);
  Value product =
      linalg::Mmt4DOp::create(rewriter, loc, ValueRange{packedA, packedB}, ValueRange{packedC})
          .getResult(0);
  replaceByUnpacked(rewriter, op, product, resultType, tiles.m0, tiles.n0);
}

/// `bytes` (a tensor of i8) extended to `type`'s elements, as unsigned or
/// signed values.
Value widen(RewriterBase &rewriter, Location loc, Value bytes, IntegerType type,
            bool isUnsigned) {
  auto bytesType = cast<RankedTensorType>(bytes.getType());
  Value init = tensor::EmptyOp::create(rewriter, loc, bytesType.getShape(), type);
  AffineMap identity = rewriter.getMultiDimIdentityMap(bytesType.getRank());
  SmallVector<utils::IteratorType> parallel(bytesType.getRank(), utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{init.getType()}, ValueRange{bytes}, ValueRange{init},
             ArrayRef<AffineMap>{identity, identity}, parallel,
             [&](OpBuilder &b, Location l, ValueRange args) {
               Value wide = isUnsigned ? arith::ExtUIOp::create(b, l, type, args[0]).getResult()
                                       : arith::ExtSIOp::create(b, l, type, args[0]).getResult();
               linalg::YieldOp::create(b, l, wide);
             })
      .getResult(0);
}

/// The byte product (KernelStrategy's isByteProduct) on panels with k0
/// bytes of the reduction innermost, the layout of the dot-product kernel
/// (smelt-cpu-byte-kernels), widened to `tiles.packedBits` before they are
/// packed. Zero padding adds nothing to the sums.
void dataTileBytes(RewriterBase &rewriter, linalg::GenericOp op, const ByteTiles &tiles) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value a = op.getInputs()[0], b = op.getInputs()[1], init = op.getOutputs()[0];
  auto resultType = cast<RankedTensorType>(init.getType());
  auto elementType = rewriter.getIntegerType(tiles.packedBits);
  if (tiles.packedBits != 8) {
    // Widened as the body widens them, so that the body can stay the same.
    bool unsignedA = true;
    (void)isByteProduct(op, /*packed=*/false, &unsignedA);
    a = widen(rewriter, loc, a, elementType, unsignedA);
    b = widen(rewriter, loc, b, elementType, !unsignedA);
  }
  Value zeroElement =
      arith::ConstantOp::create(rewriter, loc, rewriter.getIntegerAttr(elementType, 0));
  Value zero = arith::ConstantOp::create(rewriter, loc, rewriter.getI32IntegerAttr(0));
  Value packedA = pack(rewriter, loc, a, {0, 1}, {tiles.m0, tiles.k0}, {}, zeroElement);
  Value packedB = pack(rewriter, loc, b, {1, 0}, {tiles.n0, tiles.k0}, {1, 0}, zeroElement);
  Value packedC = packOutput(rewriter, loc, init, tiles.m0, tiles.n0, zero);
  auto product = linalg::GenericOp::create(
      rewriter, loc, TypeRange{packedC.getType()}, ValueRange{packedA, packedB},
      ValueRange{packedC}, byteProductMaps(rewriter.getContext(), /*packed=*/true),
      byteProductIterators(/*packed=*/true));
  // The body reads one element of each operand whatever the loops: the
  // same, on the widened elements (extending a value extended the same way
  // again gives the same i32).
  rewriter.cloneRegionBefore(op.getRegion(), product.getRegion(), product.getRegion().end());
  for (BlockArgument operand : product.getBlock()->getArguments().take_front(2))
    operand.setType(elementType);
  replaceByUnpacked(rewriter, op, product.getResult(0), resultType, tiles.m0, tiles.n0);
}

/// `conv` with its filters packed in panels of `n0` (see the file comment).
/// Where F is not a multiple of n0 the last panel is padded with zero
/// filters, the output with as many columns (their sums are never read):
/// the product runs on the padded output and the result is its first F
/// columns.
void packConvFilters(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv, int64_t n0) {
  Location loc = conv.getLoc();
  rewriter.setInsertionPoint(conv);
  Value input = conv.getInputs()[0], filter = conv.getInputs()[1], init = conv.getOutputs()[0];
  auto outType = cast<RankedTensorType>(init.getType());
  ArrayRef<int64_t> shape = outType.getShape();
  int64_t filters = shape[3], paddedFilters = llvm::alignTo(filters, n0);
  Value zero;
  if (paddedFilters != filters) {
    zero = arith::ConstantOp::create(rewriter, loc, rewriter.getZeroAttr(outType.getElementType()));
    auto paddedType = RankedTensorType::get({shape[0], shape[1], shape[2], paddedFilters},
                                            outType.getElementType());
    init = tensor::createPadHighOp(paddedType, init, zero, /*nofold=*/false, loc, rewriter);
  }
  Value packedFilter = pack(rewriter, loc, filter, {3}, {n0}, {3, 0, 1, 2}, zero);
  SmallVector<int64_t> panelShape{shape[0], shape[1], shape[2], paddedFilters / n0, n0};
  SmallVector<ReassociationIndices> panels{{0}, {1}, {2}, {3, 4}};
  Value panelInit = tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get(panelShape, outType.getElementType()), init, panels);

  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr n, oh, ow, f1, f0, kh, kw, c;
  bindDims(ctx, n, oh, ow, f1, f0, kh, kw, c);
  SmallVector<AffineMap> maps{
      AffineMap::get(8, 0, {n, oh * strides[0] + kh * dilations[0], ow * strides[1] + kw * dilations[1], c},
                     ctx),
      AffineMap::get(8, 0, {f1, kh, kw, c, f0}, ctx), AffineMap::get(8, 0, {n, oh, ow, f1, f0}, ctx)};
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  auto product = linalg::GenericOp::create(
      rewriter, loc, TypeRange{panelInit.getType()}, ValueRange{input, packedFilter},
      ValueRange{panelInit}, maps, iterators, yieldMultiplyAccumulate);
  Value result = tensor::CollapseShapeOp::create(rewriter, loc, init.getType(),
                                                 product.getResult(0), panels);
  if (paddedFilters != filters) {
    SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0)), unitStrides(4, rewriter.getIndexAttr(1));
    result = tensor::ExtractSliceOp::create(rewriter, loc, outType, result, offsets,
                                            getAsIndexOpFoldResult(ctx, shape), unitStrides);
  }
  rewriter.replaceOp(conv, result);
}

/// A pack of a constant (a weight) becomes the packed constant.
struct FoldPackOfConstant : OpRewritePattern<linalg::PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::PackOp pack, PatternRewriter &rewriter) const override {
    RankedTensorType sourceType = pack.getSourceType(), packedType = pack.getDestType();
    if (!sourceType.hasStaticShape() || !packedType.hasStaticShape() ||
        ShapedType::isDynamicShape(pack.getStaticInnerTiles()))
      return failure();
    if (Value padding = pack.getPaddingValue(); padding && !matchPattern(padding, m_AnyZeroFloat()) &&
                                                !matchPattern(padding, m_Zero()))
      return failure();
    Attribute constant = constantBehindReshapes(pack.getSource());
    // A splat packs to the same splat where no padding is added.
    bool padded = false;
    for (auto [dim, tile] : llvm::zip(pack.getInnerDimsPos(), pack.getStaticInnerTiles()))
      padded |= sourceType.getDimSize(dim) % tile != 0;
    auto splat = dyn_cast_if_present<SplatElementsAttr>(constant);
    if (splat && !padded) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(pack, splat.resizeSplat(packedType));
      return success();
    }
    std::optional<size_t> width = constantElementBytes(sourceType.getElementType());
    // A padded splat is packed from its elements spelled out.
    std::vector<char> splatElements;
    std::optional<ArrayRef<char>> source;
    if (splat && width && splat.getRawData().size() == *width) {
      for (int64_t i = 0, e = sourceType.getNumElements(); i < e; ++i)
        llvm::append_range(splatElements, splat.getRawData());
      source = ArrayRef<char>(splatElements);
    } else {
      source = constantBytes(constant);
    }
    if (!source || !width)
      return failure();

    int64_t rank = sourceType.getRank();
    ArrayRef<int64_t> innerDimsPos = pack.getInnerDimsPos(), tiles = pack.getStaticInnerTiles();
    SmallVector<int64_t> outerPerm(pack.getOuterDimsPerm());
    if (outerPerm.empty())
      outerPerm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    SmallVector<int64_t> sourceStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      sourceStrides[d] = sourceStrides[d + 1] * sourceType.getDimSize(d + 1);

    // Walk the packed tensor in order: outer indices (in outerPerm order),
    // then the indices inside the tiles.
    std::vector<char> bytes(packedType.getNumElements() * *width, 0);
    SmallVector<int64_t> index(packedType.getRank(), 0);
    SmallVector<int64_t> sourceIndex(rank);
    for (int64_t i = 0, e = packedType.getNumElements(); i < e; ++i) {
      for (int64_t p = 0; p < rank; ++p)
        sourceIndex[outerPerm[p]] = index[p];
      for (auto [j, dim] : llvm::enumerate(innerDimsPos))
        sourceIndex[dim] = sourceIndex[dim] * tiles[j] + index[rank + j];
      bool inside = true;
      int64_t offset = 0;
      for (int64_t d = 0; d < rank; ++d) {
        inside &= sourceIndex[d] < sourceType.getDimSize(d);
        offset += sourceIndex[d] * sourceStrides[d];
      }
      if (inside) // Else the padding: zero.
        std::memcpy(&bytes[i * *width], &(*source)[offset * *width], *width);
      for (int64_t d = packedType.getRank() - 1; d >= 0 && ++index[d] == packedType.getDimSize(d);
           --d)
        index[d] = 0;
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(pack,
                                                   constantFromBytes(packedType, bytes, "packed"));
    return success();
  }
};

/// An elementwise extension of a constant (a weight widened for the
/// kernel, before it is packed) becomes the widened constant.
struct FoldExtensionOfConstant : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    // Only a weight about to be packed: other extensions stay narrow in memory.
    if (!op->hasOneUse() || !isa<linalg::PackOp>(*op->user_begin()) ||
        op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
        op.getNumParallelLoops() != op.getNumLoops() ||
        !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) { return m.isIdentity(); }))
      return failure();
    Block *body = op.getBlock();
    Operation *extension = body->getTerminator()->getOperand(0).getDefiningOp();
    if (body->getOperations().size() != 2 ||
        !isa_and_nonnull<arith::ExtUIOp, arith::ExtSIOp>(extension) ||
        extension->getOperand(0) != body->getArgument(0))
      return failure();
    auto sourceType = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
    auto resultType = cast<RankedTensorType>(op.getResult(0).getType());
    if (!resultType.hasStaticShape() || !resultType.getElementType().isInteger())
      return failure();
    bool isSigned = isa<arith::ExtSIOp>(extension);
    Attribute constant = constantBehindReshapes(op.getDpsInputs()[0]);
    if (auto splat = dyn_cast_if_present<SplatElementsAttr>(constant)) {
      APInt value = splat.getSplatValue<APInt>();
      unsigned bits = resultType.getElementTypeBitWidth();
      value = isSigned ? value.sext(bits) : value.zext(bits);
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, DenseElementsAttr::get(resultType, value));
      return success();
    }
    std::optional<ArrayRef<char>> source = constantBytes(constant);
    std::optional<size_t> from = constantElementBytes(sourceType.getElementType());
    std::optional<size_t> to = constantElementBytes(resultType.getElementType());
    if (!source || !from || !to || *to > sizeof(uint64_t))
      return failure();
    std::vector<char> bytes(resultType.getNumElements() * *to);
    for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i) {
      // Little-endian, as the attributes hold them.
      uint64_t value = 0;
      std::memcpy(&value, &(*source)[i * *from], *from);
      unsigned bits = *from * 8;
      if (isSigned && bits < 64 && (value >> (bits - 1)) & 1)
        value |= ~uint64_t(0) << bits;
      std::memcpy(&bytes[i * *to], &value, *to);
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op,
                                                   constantFromBytes(resultType, bytes, "widened"));
    return success();
  }
};

/// Groups every dim of `shape` with the nearest following dim of size > 1
/// (trailing size-1 dims with the last one): the reassociation that
/// collapses `shape` to its non-unit dims. Empty when no dim is of size 1
/// or none is larger.
SmallVector<ReassociationIndices> unitDimGroups(ArrayRef<int64_t> shape) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0, e = shape.size(); d < e; ++d) {
    pending.push_back(d);
    if (shape[d] != 1) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (groups.empty() || groups.size() == shape.size())
    return {};
  groups.back().append(pending.begin(), pending.end());
  return groups;
}

/// `transpose` without its unit dims, between a collapse and an expand.
/// The packs and unpacks of k0 = 1 panels move unit dims around; without
/// them most of those transposes keep the innermost dim in place, i.e. are
/// row copies that code generation vectorizes.
void dropUnitDims(RewriterBase &rewriter, linalg::TransposeOp transpose) {
  auto inType = cast<RankedTensorType>(transpose.getInput().getType());
  auto outType = cast<RankedTensorType>(transpose.getInit().getType());
  if (!inType.hasStaticShape())
    return;
  SmallVector<ReassociationIndices> inGroups = unitDimGroups(inType.getShape());
  SmallVector<ReassociationIndices> outGroups = unitDimGroups(outType.getShape());
  if (inGroups.empty() || outGroups.empty())
    return;
  // Input dim -> its position among the input's non-unit dims.
  SmallVector<int64_t> position(inType.getRank(), -1), collapsedOut;
  int64_t next = 0;
  for (int64_t d = 0; d < inType.getRank(); ++d)
    if (inType.getDimSize(d) != 1)
      position[d] = next++;
  SmallVector<int64_t> permutation;
  for (auto [i, source] : llvm::enumerate(transpose.getPermutation()))
    if (outType.getDimSize(i) != 1) {
      permutation.push_back(position[source]);
      collapsedOut.push_back(outType.getDimSize(i));
    }
  Location loc = transpose.getLoc();
  rewriter.setInsertionPoint(transpose);
  Value input = tensor::CollapseShapeOp::create(rewriter, loc, transpose.getInput(), inGroups);
  Value init = tensor::EmptyOp::create(rewriter, loc, collapsedOut, outType.getElementType());
  Value moved =
      linalg::TransposeOp::create(rewriter, loc, input, init, permutation).getResult()[0];
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(transpose, outType, moved, outGroups);
}

class DataTilingPass : public impl::SmeltCpuDataTilingBase<DataTilingPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    CpuTarget target = getCpuTarget(func);
    SmallVector<std::pair<linalg::MatmulOp, DataTiles>> products;
    func.walk([&](linalg::MatmulOp op) {
      if (std::optional<DataTiles> tiles = chooseDataTiles(target, op))
        products.push_back({op, *tiles});
    });
    SmallVector<linalg::GenericOp> byteProducts;
    func.walk([&](linalg::GenericOp op) {
      if (shouldDataTileBytes(op))
        byteProducts.push_back(op);
    });
    SmallVector<std::pair<linalg::Conv2DNhwcHwcfOp, int64_t>> convs;
    func.walk([&](linalg::Conv2DNhwcHwcfOp op) {
      if (std::optional<int64_t> n0 = choosePackedFilterTile(target, op))
        convs.push_back({op, *n0});
    });
    if (products.empty() && byteProducts.empty() && convs.empty())
      return;
    IRRewriter rewriter(&getContext());
    for (auto [op, n0] : convs)
      packConvFilters(rewriter, op, n0);
    for (auto &[op, tiles] : products)
      dataTile(rewriter, op, tiles);
    for (linalg::GenericOp op : byteProducts)
      dataTileBytes(rewriter, op, chooseByteTiles(target));

    RewritePatternSet folds(&getContext());
    folds.add<FoldExtensionOfConstant, FoldPackOfConstant>(&getContext());
    if (failed(applyPatternsGreedily(func, std::move(folds))))
      return signalPassFailure();

    // What is left packs and unpacks activations at run time: copies.
    SmallVector<linalg::PackOp> packs;
    SmallVector<linalg::UnPackOp> unpacks;
    func.walk([&](linalg::PackOp op) { packs.push_back(op); });
    func.walk([&](linalg::UnPackOp op) { unpacks.push_back(op); });
    SmallVector<linalg::TransposeOp> transposes;
    for (linalg::PackOp op : packs) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::LowerPackResult> lowered = linalg::lowerPack(rewriter, op);
      if (failed(lowered))
        return signalPassFailure();
      transposes.push_back(lowered->transposeOp);
    }
    for (linalg::UnPackOp op : unpacks) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::LowerUnPackOpResult> lowered = linalg::lowerUnPack(rewriter, op);
      if (failed(lowered))
        return signalPassFailure();
      transposes.push_back(lowered->transposeOp);
      // The unpack's destination was fresh: the slice itself is the result.
      for (Operation *user : llvm::make_early_inc_range(lowered->extractSliceOp->getUsers()))
        if (auto copy = dyn_cast<linalg::CopyOp>(user);
            copy && copy.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
          rewriter.replaceOp(copy, copy.getInputs()[0]);
    }
    for (linalg::TransposeOp op : transposes)
      if (op)
        dropUnitDims(rewriter, op);
    // Pads by nothing, slices of everything (dims that are multiples of
    // their tiles) and reshapes of reshapes fold away.
    RewritePatternSet cleanup(&getContext());
    tensor::PadOp::getCanonicalizationPatterns(cleanup, &getContext());
    tensor::ExtractSliceOp::getCanonicalizationPatterns(cleanup, &getContext());
    tensor::CollapseShapeOp::getCanonicalizationPatterns(cleanup, &getContext());
    tensor::ExpandShapeOp::getCanonicalizationPatterns(cleanup, &getContext());
    tensor::EmptyOp::getCanonicalizationPatterns(cleanup, &getContext());
    (void)applyPatternsGreedily(func, std::move(cleanup));
  }
};

} // namespace
} // namespace smelt
