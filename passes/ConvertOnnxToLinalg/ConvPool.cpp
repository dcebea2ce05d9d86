//===- ConvPool.cpp - Conv and pooling ops to linalg ----------------------===//
//
// Conv, ConvTranspose, MaxPool, AveragePool, LpPool, the global pools and
// MaxUnpool over any
// number of spatial dims (NC + spatial layout). Pads (explicit or auto_pad)
// become one tensor.pad of the input (zero for Conv and AveragePool, the
// lowest value for MaxPool); the output size is read from the inferred
// result type, and where ceil_mode makes windows run past the padded input
// the input is padded further at the end so that every window is in bounds.
// The window itself is one linalg.generic whose input map is
// `out * stride + k * dilation`; Conv groups are folded into that map.
// MaxPool's optional Indices output comes from a second variant of that
// generic that carries the max and its flat input index together.
// AveragePool divides by the number of elements a window covers inside the
// input (count_include_pad=0) or inside the explicitly padded input
// (count_include_pad=1), never counting the ceil_mode extension.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

/// Window geometry along the spatial dims, with pads resolved.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, padBegin, padEnd;
  /// Padding past `padEnd` that keeps every output window in bounds (ceil_mode).
  SmallVector<int64_t> extraEnd;

  bool hasPadding() const {
    for (size_t i = 0; i < kernel.size(); ++i)
      if (padBegin[i] || padEnd[i] || extraEnd[i])
        return true;
    return false;
  }
};

/// Resolves strides, dilations and pads (auto_pad or explicit) for input
/// spatial sizes `in` and output spatial sizes `out` (from the result type).
FailureOr<Window> resolveWindow(Operation *op, ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                                ArrayRef<int64_t> kernel, std::optional<ArrayRef<int64_t>> strides,
                                std::optional<ArrayRef<int64_t>> dilations,
                                std::optional<ArrayRef<int64_t>> pads, StringRef autoPad) {
  size_t rank = in.size();
  auto fail = [&](const Twine &message) -> FailureOr<Window> {
    op->emitError() << describeNode(op) << ": " << message;
    return failure();
  };
  auto positive = [](ArrayRef<int64_t> values) {
    return llvm::all_of(values, [](int64_t v) { return v > 0; });
  };
  if (kernel.size() != rank || !positive(kernel))
    return fail("kernel_shape must have " + Twine(rank) + " positive entries");
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides.assign(rank, 1);
  w.dilations.assign(rank, 1);
  w.padBegin.assign(rank, 0);
  w.padEnd.assign(rank, 0);
  w.extraEnd.assign(rank, 0);
  if (strides) {
    if (strides->size() != rank || !positive(*strides))
      return fail("strides must have " + Twine(rank) + " positive entries");
    w.strides.assign(strides->begin(), strides->end());
  }
  if (dilations) {
    if (dilations->size() != rank || !positive(*dilations))
      return fail("dilations must have " + Twine(rank) + " positive entries");
    w.dilations.assign(dilations->begin(), dilations->end());
  }

  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < rank; ++i) {
      int64_t sameOut = llvm::divideCeil(in[i], w.strides[i]);
      int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total = std::max<int64_t>(0, (sameOut - 1) * w.strides[i] + extent - in[i]);
      // SAME_UPPER puts the odd element at the end, SAME_LOWER at the beginning.
      w.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.padEnd[i] = total - w.padBegin[i];
    }
  } else if (autoPad == "NOTSET") {
    if (pads) {
      if (pads->size() != 2 * rank ||
          llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
        return fail("pads must have " + Twine(2 * rank) + " non-negative entries");
      for (size_t i = 0; i < rank; ++i) {
        w.padBegin[i] = (*pads)[i];
        w.padEnd[i] = (*pads)[rank + i];
      }
    }
  } else if (autoPad != "VALID") {
    return fail("auto_pad '" + autoPad + "' is not supported");
  }

  for (size_t i = 0; i < rank; ++i) {
    if (out[i] < 1)
      return fail("output spatial size must be positive");
    int64_t needed = (out[i] - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1;
    w.extraEnd[i] = std::max<int64_t>(0, needed - (in[i] + w.padBegin[i] + w.padEnd[i]));
  }
  return w;
}

/// Pads the spatial dims (all dims after the first two) of `input` with
/// `padValue`: pads at the beginning, pads plus the ceil_mode extension at
/// the end.
Value padSpatial(OpBuilder &b, Location loc, Value input, const Window &w, Value padValue) {
  if (!w.hasPadding())
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> low(2, b.getIndexAttr(0)), high(2, b.getIndexAttr(0));
  SmallVector<int64_t> shape(type.getShape().take_front(2));
  for (size_t i = 0; i < w.kernel.size(); ++i) {
    int64_t end = w.padEnd[i] + w.extraEnd[i];
    low.push_back(b.getIndexAttr(w.padBegin[i]));
    high.push_back(b.getIndexAttr(end));
    shape.push_back(type.getDimSize(2 + i) + w.padBegin[i] + end);
  }
  auto paddedType = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(b, loc, paddedType, input, low, high, padValue);
}

/// `out * stride + k * dilation` for spatial dim `i`, with the output and
/// kernel positions being loop dims `outDim` and `kDim`.
AffineExpr windowExpr(MLIRContext *ctx, const Window &w, size_t i, unsigned outDim,
                      unsigned kDim) {
  return getAffineDimExpr(outDim, ctx) * w.strides[i] +
         getAffineDimExpr(kDim, ctx) * w.dilations[i];
}

using CombineFn = llvm::function_ref<Value(OpBuilder &, Location, Value acc, Value x)>;

/// out[n, c, o...] = combine over k... of padded[n, c, o*s + k*d], starting
/// from `init`. Loops: (n, c, o..., k...), the k loops being reductions
/// whose bounds come from an empty window tensor of the kernel's shape.
Value buildWindowReduction(OpBuilder &b, Location loc, Value padded, RankedTensorType outType,
                           const Window &w, Value init, CombineFn combine) {
  MLIRContext *ctx = b.getContext();
  size_t spatial = w.kernel.size();
  unsigned loops = 2 + 2 * spatial;
  SmallVector<AffineExpr> inExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> windowExprs, outExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  for (size_t i = 0; i < spatial; ++i) {
    inExprs.push_back(windowExpr(ctx, w, i, 2 + i, 2 + spatial + i));
    windowExprs.push_back(getAffineDimExpr(2 + spatial + i, ctx));
    outExprs.push_back(getAffineDimExpr(2 + i, ctx));
  }
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, inExprs, ctx),
                              AffineMap::get(loops, 0, windowExprs, ctx),
                              AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(2 + spatial, utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  Value windowShape = tensor::EmptyOp::create(b, loc, w.kernel, outType.getElementType());
  Value acc = createFilled(b, loc, outType, init);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{padded, windowShape}, ValueRange{acc}, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc, combine(nb, nloc, args[2], args[0]));
             })
      .getResult(0);
}

Value maxScalars(OpBuilder &b, Location loc, Value x, Value y, bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  return isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, y))
                    : Value(arith::MaxSIOp::create(b, loc, x, y));
}

Value addScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::AddFOp::create(b, loc, x, y))
                                     : Value(arith::AddIOp::create(b, loc, x, y));
}

Value mulScalars(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::MulFOp::create(b, loc, x, y))
                                     : Value(arith::MulIOp::create(b, loc, x, y));
}

/// Spatial sizes (dims after N and C) of a static tensor type.
SmallVector<int64_t> spatialSizes(RankedTensorType type) {
  return SmallVector<int64_t>(type.getShape().drop_front(2));
}

/// Common checks of pooling operands: static, rank >= 3, float or integer.
LogicalResult checkPoolTypes(Operation *op, RankedTensorType inType, RankedTensorType outType) {
  if (!inType || !outType || !inType.hasStaticShape())
    return failure();
  if (inType.getRank() < 3 || outType.getRank() != inType.getRank())
    return op->emitError() << describeNode(op)
                           << ": input must have a batch, a channel and at least one spatial dim";
  return success();
}

// --- Conv --------------------------------------------------------------------

/// The accumulator of a convolution: the bias `b` broadcast along the
/// channel dim, or `zero` when `bias` is none.
Value buildConvInit(OpBuilder &b, Location loc, RankedTensorType resultType, Value bias,
                    Value zero) {
  int64_t rank = resultType.getRank();
  if (isa<NoneType>(bias.getType()))
    return createFilled(b, loc, resultType, zero);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx),
                              b.getMultiDimIdentityMap(rank)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{bias},
             ValueRange{createEmpty(b, loc, resultType)}, maps,
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// out[n, m, o...] += sum over c, k... of input[n, g*Cg + c, o*s + k*d] *
/// weight[m, c, k...], g being the group of filter m; `input` is already
/// padded and `weight` has the Conv layout (M x C/group x k...).
Value buildConvGeneric(OpBuilder &b, Location loc, Value input, Value weight, Value init,
                       int64_t group, const Window &w) {
  MLIRContext *ctx = b.getContext();
  auto resultType = cast<RankedTensorType>(init.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t spatial = resultType.getRank() - 2;
  int64_t filters = wType.getDimSize(0), groupChannels = wType.getDimSize(1);
  // Loops (n, m, o..., c, k...): input channel of filter m in its group is
  // (m floordiv filtersPerGroup) * groupChannels + c.
  unsigned loops = 3 + 2 * spatial;
  AffineExpr n = getAffineDimExpr(0, ctx), m = getAffineDimExpr(1, ctx),
             c = getAffineDimExpr(2 + spatial, ctx);
  AffineExpr inChannel = group == 1 ? c : m.floorDiv(filters / group) * groupChannels + c;
  SmallVector<AffineExpr> inExprs{n, inChannel}, wExprs{m, c}, outExprs{n, m};
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(windowExpr(ctx, w, i, 2 + i, 3 + spatial + i));
    wExprs.push_back(getAffineDimExpr(3 + spatial + i, ctx));
    outExprs.push_back(getAffineDimExpr(2 + i, ctx));
  }
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, inExprs, ctx),
                              AffineMap::get(loops, 0, wExprs, ctx),
                              AffineMap::get(loops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(2 + spatial, utils::IteratorType::parallel);
  iterators.append(1 + spatial, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{input, weight}, ValueRange{init}, maps,
             iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value product = mulScalars(nb, l, args[0], args[1]);
               linalg::YieldOp::create(nb, l, addScalars(nb, l, args[2], product));
             })
      .getResult(0);
}

struct ConvPattern : OpConversionPattern<onnx::ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    auto wType = dyn_cast<RankedTensorType>(adaptor.getW().getType());
    if (!resultType || !inType || !wType || !inType.hasStaticShape() || !wType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkPoolTypes(op, inType, resultType)))
      return failure();
    int64_t rank = inType.getRank(), spatial = rank - 2;
    if (wType.getRank() != rank)
      return op.emitError() << describeNode(op) << ": W must have rank " << rank;
    int64_t group = op.getGroup(), channels = inType.getDimSize(1);
    int64_t filters = wType.getDimSize(0), groupChannels = wType.getDimSize(1);
    if (group < 1 || channels != group * groupChannels || filters % group != 0 ||
        resultType.getDimSize(1) != filters)
      return op.emitError() << describeNode(op) << ": group " << group << " does not match X ("
                            << channels << " channels) and W (" << filters << "x"
                            << groupChannels << ")";
    ArrayRef<int64_t> wSpatial = wType.getShape().drop_front(2);
    std::optional<ArrayRef<int64_t>> kernel = op.getKernelShape();
    if (kernel && *kernel != wSpatial)
      return op.emitError() << describeNode(op) << ": kernel_shape does not match the shape of W";
    FailureOr<Window> w =
        resolveWindow(op, spatialSizes(inType), spatialSizes(resultType), wSpatial,
                      op.getStrides(), op.getDilations(), op.getPads(), op.getAutoPad());
    if (failed(w))
      return failure();

    Type elem = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, elem, 0);
    Value input = padSpatial(rewriter, loc, adaptor.getX(), *w, zero);
    Value init = buildConvInit(rewriter, loc, resultType, adaptor.getB(), zero);
    rewriter.replaceOp(op, buildConvGeneric(rewriter, loc, input, adaptor.getW(), init, group, *w));
    return success();
  }
};

// --- ConvTranspose -----------------------------------------------------------

/// ConvTranspose as a stride-1 Conv: the input is spread out by the strides
/// (zeros between elements) into a zero tensor that also carries the
/// (k-1)*dilation border minus the begin pads, and is correlated with the
/// kernel flipped and transposed to the Conv layout. Only the begin pads
/// matter once the output size is known (from the result type): end pads,
/// output_padding and output_shape all just shorten or lengthen the output
/// at its end.
struct ConvTransposePattern : OpConversionPattern<onnx::ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConvTransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    auto wType = dyn_cast<RankedTensorType>(adaptor.getW().getType());
    if (!resultType || !inType || !wType || !inType.hasStaticShape() || !wType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkPoolTypes(op, inType, resultType)))
      return failure();
    auto fail = [&](const Twine &message) {
      return op.emitError() << describeNode(op) << ": " << message;
    };
    int64_t rank = inType.getRank(), spatial = rank - 2;
    if (wType.getRank() != rank)
      return fail("W must have rank " + Twine(rank));
    int64_t group = op.getGroup(), channels = inType.getDimSize(1);
    int64_t groupFilters = wType.getDimSize(1), filters = group * groupFilters;
    if (group < 1 || wType.getDimSize(0) != channels || channels % group != 0 ||
        resultType.getDimSize(1) != filters || resultType.getDimSize(0) != inType.getDimSize(0))
      return fail("group " + Twine(group) + " does not match X (" + Twine(channels) +
                  " channels), W and Y");
    ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
    if (auto attr = op.getKernelShape(); attr && *attr != kernel)
      return fail("kernel_shape does not match the shape of W");
    if (llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
      return fail("W must have positive spatial dims");
    auto readAttr = [&](std::optional<ArrayRef<int64_t>> attr, int64_t fallback,
                        SmallVectorImpl<int64_t> &values, StringRef name, int64_t size,
                        int64_t minimum) -> LogicalResult {
      values.assign(size, fallback);
      if (!attr)
        return success();
      if (static_cast<int64_t>(attr->size()) != size ||
          llvm::any_of(*attr, [&](int64_t v) { return v < minimum; })) {
        fail(name + " must have " + Twine(size) + " entries of at least " + Twine(minimum));
        return failure();
      }
      values.assign(attr->begin(), attr->end());
      return success();
    };
    SmallVector<int64_t> strides, dilations, outputPadding, pads;
    if (failed(readAttr(op.getStrides(), 1, strides, "strides", spatial, 1)) ||
        failed(readAttr(op.getDilations(), 1, dilations, "dilations", spatial, 1)) ||
        failed(readAttr(op.getOutputPadding(), 0, outputPadding, "output_padding", spatial, 0)) ||
        failed(readAttr(op.getPads(), 0, pads, "pads", 2 * spatial, 0)))
      return failure();
    SmallVector<int64_t> in = spatialSizes(inType), out = spatialSizes(resultType);
    std::optional<ArrayRef<int64_t>> outputShape = op.getOutputShape();
    if (outputShape) {
      // output_shape may name the spatial dims only or all dims.
      ArrayRef<int64_t> shape = *outputShape;
      if (static_cast<int64_t>(shape.size()) == rank)
        shape = shape.drop_front(2);
      if (shape != ArrayRef<int64_t>(out))
        return fail("output_shape does not match the result type");
    }
    StringRef autoPad = op.getAutoPad();
    if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
        autoPad != "SAME_LOWER")
      return fail("auto_pad '" + autoPad + "' is not supported");

    SmallVector<int64_t> padBegin(spatial, 0);
    for (int64_t i = 0; i < spatial; ++i) {
      if (out[i] < 1)
        return fail("output spatial size must be positive");
      if (outputShape || autoPad.starts_with("SAME")) {
        // The spec's total padding; SAME_UPPER puts the odd element at the
        // end, SAME_LOWER (and NOTSET with output_shape) at the beginning.
        int64_t total = strides[i] * (in[i] - 1) + outputPadding[i] +
                        (kernel[i] - 1) * dilations[i] + 1 - out[i];
        int64_t half = llvm::divideFloorSigned(total, 2);
        padBegin[i] = autoPad == "SAME_UPPER" ? half : total - half;
      } else if (autoPad == "NOTSET") {
        padBegin[i] = pads[i];
      }
    }

    // The spread input: zeros of size out + (k-1)*d, holding x[i] at
    // i*s + low with low = (k-1)*d - padBegin; inputs landing outside are
    // dropped (pads larger than the kernel border crop the input).
    Type elem = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, elem, 0);
    SmallVector<int64_t> spreadShape(inType.getShape().take_front(2));
    SmallVector<OpFoldResult> sliceOffsets(2, rewriter.getIndexAttr(0)),
        sliceSizes{rewriter.getIndexAttr(inType.getDimSize(0)),
                   rewriter.getIndexAttr(channels)},
        unitStrides(rank, rewriter.getIndexAttr(1)), insertOffsets(2, rewriter.getIndexAttr(0)),
        insertStrides(2, rewriter.getIndexAttr(1));
    SmallVector<int64_t> sliceShape(inType.getShape().take_front(2));
    bool empty = false, whole = true;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t border = (kernel[i] - 1) * dilations[i];
      int64_t size = out[i] + border, low = border - padBegin[i];
      spreadShape.push_back(size);
      int64_t first = low < 0 ? llvm::divideCeil(-low, strides[i]) : 0;
      int64_t last = std::min(in[i] - 1, llvm::divideFloorSigned(size - 1 - low, strides[i]));
      int64_t count = last - first + 1;
      if (count <= 0) {
        empty = true;
        count = 0;
      }
      whole &= first == 0 && count == in[i];
      sliceOffsets.push_back(rewriter.getIndexAttr(first));
      sliceSizes.push_back(rewriter.getIndexAttr(count));
      sliceShape.push_back(count);
      insertOffsets.push_back(rewriter.getIndexAttr(first * strides[i] + low));
      insertStrides.push_back(rewriter.getIndexAttr(strides[i]));
    }
    auto spreadType = RankedTensorType::get(spreadShape, elem);
    Value spread = createFilled(rewriter, loc, spreadType, zero);
    if (!empty) {
      Value x = adaptor.getX();
      if (!whole)
        x = tensor::ExtractSliceOp::create(rewriter, loc,
                                           RankedTensorType::get(sliceShape, elem), x,
                                           sliceOffsets, sliceSizes, unitStrides);
      SmallVector<OpFoldResult> insertSizes;
      for (int64_t d : sliceShape)
        insertSizes.push_back(rewriter.getIndexAttr(d));
      spread = tensor::InsertSliceOp::create(rewriter, loc, x, spread, insertOffsets, insertSizes,
                                             insertStrides);
    }

    // W (C x M/group x k...) to the Conv layout (M x C/group x k...), flipped:
    // w'[m, c, k] = W[(m floordiv M/group) * C/group + c, m mod M/group, K-1-k].
    MLIRContext *ctx = rewriter.getContext();
    int64_t groupChannels = channels / group;
    SmallVector<int64_t> convShape{filters, groupChannels};
    convShape.append(kernel.begin(), kernel.end());
    auto convWType = RankedTensorType::get(convShape, elem);
    AffineExpr m = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx);
    SmallVector<AffineExpr> wExprs{m.floorDiv(groupFilters) * groupChannels + c,
                                   m % groupFilters};
    for (int64_t i = 0; i < spatial; ++i)
      wExprs.push_back(kernel[i] - 1 - getAffineDimExpr(2 + i, ctx));
    SmallVector<AffineMap> wMaps{AffineMap::get(rank, 0, wExprs, ctx),
                                 rewriter.getMultiDimIdentityMap(rank)};
    Value convW = linalg::GenericOp::create(
                      rewriter, loc, TypeRange{convWType}, ValueRange{adaptor.getW()},
                      ValueRange{createEmpty(rewriter, loc, convWType)}, wMaps,
                      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
                      [](OpBuilder &b, Location l, ValueRange args) {
                        linalg::YieldOp::create(b, l, args[0]);
                      })
                      .getResult(0);

    Window w;
    w.kernel.assign(kernel.begin(), kernel.end());
    w.strides.assign(spatial, 1);
    w.dilations = dilations;
    w.padBegin.assign(spatial, 0);
    w.padEnd.assign(spatial, 0);
    w.extraEnd.assign(spatial, 0);
    Value init = buildConvInit(rewriter, loc, resultType, adaptor.getB(), zero);
    rewriter.replaceOp(op, buildConvGeneric(rewriter, loc, spread, convW, init, group, w));
    return success();
  }
};

// --- MaxPool -----------------------------------------------------------------

struct MaxPoolPattern : OpConversionPattern<onnx::MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!resultType || !inType || !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkPoolTypes(op, inType, resultType)))
      return failure();
    FailureOr<Window> w =
        resolveWindow(op, spatialSizes(inType), spatialSizes(resultType), op.getKernelShape(),
                      op.getStrides(), op.getDilations(), op.getPads(), op.getAutoPad());
    if (failed(w))
      return failure();
    bool isUnsigned = isUnsignedElement(op.getX());
    Type elem = resultType.getElementType();
    Value lowest = lowestValue(rewriter, loc, elem, isUnsigned);
    Value input = padSpatial(rewriter, loc, adaptor.getX(), *w, lowest);
    if (!op.getIndices().use_empty()) {
      auto indicesType = getStaticType(*getTypeConverter(), op.getIndices());
      if (!indicesType || indicesType.getShape() != resultType.getShape())
        return rewriter.notifyMatchFailure(op, "Indices needs the static shape of Y");
      int64_t storageOrder = op.getStorageOrder();
      if (storageOrder != 0 && storageOrder != 1)
        return op.emitError() << describeNode(op) << ": storage_order must be 0 or 1";
      auto [values, indices] = buildArgMaxWindow(rewriter, loc, input, inType, resultType,
                                                 indicesType, *w, lowest, isUnsigned,
                                                 storageOrder == 1);
      rewriter.replaceOp(op, ValueRange{values, indices});
      return success();
    }
    Value result = buildWindowReduction(
        rewriter, loc, input, resultType, *w, lowest,
        [&](OpBuilder &b, Location l, Value acc, Value x) {
          return maxScalars(b, l, acc, x, isUnsigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Max and its position in one linalg.generic over (n, c, o..., k...) with
  /// two outputs. The position is the flat index into the unpadded input
  /// (spatial dims row major, or column major for `columnMajor`), and a
  /// window element is taken when it is inside the input and is either the
  /// first such element or strictly greater than the current max, so ties
  /// keep the first in window order and NaN is taken only as the first
  /// element, as in ONNX's reference.
  static std::pair<Value, Value> buildArgMaxWindow(OpBuilder &b, Location loc, Value padded,
                                                   RankedTensorType inType,
                                                   RankedTensorType outType,
                                                   RankedTensorType indicesType, const Window &w,
                                                   Value lowest, bool isUnsigned,
                                                   bool columnMajor) {
    MLIRContext *ctx = b.getContext();
    size_t spatial = w.kernel.size();
    unsigned loops = 2 + 2 * spatial;
    SmallVector<AffineExpr> inExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
    SmallVector<AffineExpr> windowExprs, outExprs{getAffineDimExpr(0, ctx),
                                                  getAffineDimExpr(1, ctx)};
    for (size_t i = 0; i < spatial; ++i) {
      inExprs.push_back(windowExpr(ctx, w, i, 2 + i, 2 + spatial + i));
      windowExprs.push_back(getAffineDimExpr(2 + spatial + i, ctx));
      outExprs.push_back(getAffineDimExpr(2 + i, ctx));
    }
    AffineMap outMap = AffineMap::get(loops, 0, outExprs, ctx);
    SmallVector<AffineMap> maps{AffineMap::get(loops, 0, inExprs, ctx),
                                AffineMap::get(loops, 0, windowExprs, ctx), outMap, outMap};
    SmallVector<utils::IteratorType> iterators(2 + spatial, utils::IteratorType::parallel);
    iterators.append(spatial, utils::IteratorType::reduction);
    Value windowShape = tensor::EmptyOp::create(b, loc, w.kernel, outType.getElementType());
    Value accValues = createFilled(b, loc, outType, lowest);
    // -1 marks "no element taken yet".
    Value accIndices = createFilled(b, loc, indicesType,
                                    arith::ConstantIntOp::create(b, loc, b.getI64Type(), -1));
    SmallVector<int64_t> in = spatialSizes(inType);
    int64_t channels = inType.getDimSize(1), spatialCount = 1;
    for (int64_t size : in)
      spatialCount *= size;
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{outType, indicesType}, ValueRange{padded, windowShape},
        ValueRange{accValues, accIndices}, maps, iterators,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
          Value x = args[0], maxValue = args[2], maxIndex = args[3];
          // Image (n, c) starts at (n * C + c) * prod(spatial sizes).
          Value image = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, linalg::IndexOp::create(nb, l, 0), cst(channels)),
              linalg::IndexOp::create(nb, l, 1));
          Value flat = cst(0);
          Value inside = arith::ConstantIntOp::create(nb, l, nb.getI1Type(), 1);
          SmallVector<Value> positions;
          for (size_t i = 0; i < spatial; ++i) {
            // Input coordinate o*s + k*d - padBegin; outside [0, size) is padding.
            Value pos = arith::AddIOp::create(
                nb, l,
                arith::MulIOp::create(nb, l, linalg::IndexOp::create(nb, l, 2 + i),
                                      cst(w.strides[i])),
                arith::MulIOp::create(nb, l, linalg::IndexOp::create(nb, l, 2 + spatial + i),
                                      cst(w.dilations[i])));
            pos = arith::SubIOp::create(nb, l, pos, cst(w.padBegin[i]));
            Value geZero = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, pos, cst(0));
            Value ltSize = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, pos, cst(in[i]));
            inside = arith::AndIOp::create(nb, l, inside,
                                           arith::AndIOp::create(nb, l, geZero, ltSize));
            positions.push_back(pos);
          }
          // Horner over the spatial dims: first to last (row major) or last to first.
          for (size_t j = 0; j < spatial; ++j) {
            size_t i = columnMajor ? spatial - 1 - j : j;
            flat = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, flat, cst(in[i])),
                                         positions[i]);
          }
          flat = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, image, cst(spatialCount)), flat);
          Value candidate = arith::IndexCastOp::create(nb, l, nb.getI64Type(), flat);

          Value greater;
          if (isa<FloatType>(x.getType()))
            greater = arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, x, maxValue);
          else
            greater = arith::CmpIOp::create(
                nb, l, isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt, x,
                maxValue);
          Value first = arith::CmpIOp::create(
              nb, l, arith::CmpIPredicate::slt, maxIndex,
              arith::ConstantIntOp::create(nb, l, nb.getI64Type(), 0));
          Value take = arith::AndIOp::create(nb, l, inside,
                                             arith::OrIOp::create(nb, l, first, greater));
          linalg::YieldOp::create(
              nb, l,
              ValueRange{arith::SelectOp::create(nb, l, take, x, maxValue),
                         arith::SelectOp::create(nb, l, take, candidate, maxIndex)});
        });
    return {generic.getResult(0), generic.getResult(1)};
  }
};

// --- AveragePool -------------------------------------------------------------

/// Divides `sum` by the number of window elements inside [lo, hi) per
/// spatial dim, where lo/hi are positions in unpadded input coordinates.
/// The count is computed from the output position (linalg.index), so it
/// needs no tensor of divisors.
Value divideByCoveredCount(OpBuilder &b, Location loc, Value sum, const Window &w,
                           ArrayRef<int64_t> lo, ArrayRef<int64_t> hi) {
  auto type = cast<RankedTensorType>(sum.getType());
  Type elem = type.getElementType();
  return buildElementwise(b, loc, type, ValueRange{sum}, [&](OpBuilder &nb, Location l,
                                                             ValueRange args) {
    Value count = arith::ConstantIndexOp::create(nb, l, 1);
    for (size_t i = 0; i < w.kernel.size(); ++i) {
      // Window i covers [o*s - padBegin, o*s - padBegin + k) (AveragePool has no dilation).
      Value o = linalg::IndexOp::create(nb, l, 2 + i);
      Value start = arith::SubIOp::create(
          nb, l,
          arith::MulIOp::create(nb, l, o, arith::ConstantIndexOp::create(nb, l, w.strides[i])),
          arith::ConstantIndexOp::create(nb, l, w.padBegin[i]));
      Value end = arith::AddIOp::create(nb, l, start,
                                        arith::ConstantIndexOp::create(nb, l, w.kernel[i]));
      start = arith::MaxSIOp::create(nb, l, start, arith::ConstantIndexOp::create(nb, l, lo[i]));
      end = arith::MinSIOp::create(nb, l, end, arith::ConstantIndexOp::create(nb, l, hi[i]));
      count = arith::MulIOp::create(nb, l, count, arith::SubIOp::create(nb, l, end, start));
    }
    Value wide = arith::IndexCastOp::create(nb, l, nb.getI64Type(), count);
    Value divisor = arith::SIToFPOp::create(nb, l, elem, wide);
    return arith::DivFOp::create(nb, l, args[0], divisor);
  });
}

struct AveragePoolPattern : OpConversionPattern<onnx::AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::AveragePoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!resultType || !inType || !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkPoolTypes(op, inType, resultType)))
      return failure();
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return op.emitError() << describeNode(op) << ": only float element types are supported";
    SmallVector<int64_t> in = spatialSizes(inType);
    FailureOr<Window> w =
        resolveWindow(op, in, spatialSizes(resultType), op.getKernelShape(), op.getStrides(),
                      /*dilations=*/std::nullopt, op.getPads(), op.getAutoPad());
    if (failed(w))
      return failure();
    Value zero = scalarConstant(rewriter, loc, elem, 0);
    Value input = padSpatial(rewriter, loc, adaptor.getX(), *w, zero);
    Value sum = buildWindowReduction(rewriter, loc, input, resultType, *w, zero,
                                     [](OpBuilder &b, Location l, Value acc, Value x) {
                                       return addScalars(b, l, acc, x);
                                     });

    // Elements that count: the input itself, or with count_include_pad the
    // explicitly (or auto-) padded input; the ceil_mode extension never.
    bool includePad = op.getCountIncludePad() != 0;
    SmallVector<int64_t> lo, hi;
    bool uniform = true;
    for (size_t i = 0; i < in.size(); ++i) {
      lo.push_back(includePad ? -w->padBegin[i] : 0);
      hi.push_back(includePad ? in[i] + w->padEnd[i] : in[i]);
      uniform &= w->extraEnd[i] == 0 && (includePad || (!w->padBegin[i] && !w->padEnd[i]));
    }
    Value result;
    if (uniform) {
      double size = 1;
      for (int64_t k : w->kernel)
        size *= k;
      result = buildElementwise(rewriter, loc, resultType, ValueRange{sum},
                                [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                  return arith::DivFOp::create(b, l, args[0],
                                                               scalarConstant(b, l, elem, size));
                                });
    } else {
      result = divideByCoveredCount(rewriter, loc, sum, *w, lo, hi);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- LpPool ------------------------------------------------------------------

/// |x|^p with the common p = 1 and p = 2 spelled without pow.
Value absPow(OpBuilder &b, Location loc, Value x, int64_t p) {
  if (p == 2)
    return arith::MulFOp::create(b, loc, x, x);
  Value magnitude = math::AbsFOp::create(b, loc, x);
  if (p == 1)
    return magnitude;
  return math::PowFOp::create(b, loc, magnitude, scalarConstant(b, loc, x.getType(), p));
}

/// sum^(1/p), the root matching absPow.
Value rootP(OpBuilder &b, Location loc, Value sum, int64_t p) {
  if (p == 1)
    return sum;
  if (p == 2)
    return math::SqrtOp::create(b, loc, sum);
  return math::PowFOp::create(b, loc, sum, scalarConstant(b, loc, sum.getType(), 1.0 / p));
}

/// (sum over the window of |x|^p)^(1/p); padding contributes zero.
Value buildLpPool(OpBuilder &b, Location loc, Value padded, RankedTensorType resultType,
                  const Window &w, int64_t p) {
  Type elem = resultType.getElementType();
  Value sum = buildWindowReduction(b, loc, padded, resultType, w, scalarConstant(b, loc, elem, 0),
                                   [&](OpBuilder &nb, Location l, Value acc, Value x) {
                                     return addScalars(nb, l, acc, absPow(nb, l, x, p));
                                   });
  return buildElementwise(b, loc, resultType, ValueRange{sum},
                          [&](OpBuilder &nb, Location l, ValueRange args) {
                            return rootP(nb, l, args[0], p);
                          });
}

struct LpPoolPattern : OpConversionPattern<onnx::LpPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::LpPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!resultType || !inType || !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkPoolTypes(op, inType, resultType)))
      return failure();
    int64_t p = op.getP();
    if (p < 1)
      return op.emitError() << describeNode(op) << ": p must be positive";
    FailureOr<Window> w =
        resolveWindow(op, spatialSizes(inType), spatialSizes(resultType), op.getKernelShape(),
                      op.getStrides(), /*dilations=*/std::nullopt, op.getPads(), op.getAutoPad());
    if (failed(w))
      return failure();
    Value zero = scalarConstant(rewriter, loc, resultType.getElementType(), 0);
    Value input = padSpatial(rewriter, loc, adaptor.getX(), *w, zero);
    rewriter.replaceOp(op, buildLpPool(rewriter, loc, input, resultType, *w, p));
    return success();
  }
};

// --- MaxUnpool ---------------------------------------------------------------

/// A zero output into which every X element is written at its flat index
/// from I (an index into the whole output, as MaxPool's Indices are), in
/// input order so that a repeated index keeps the last write; indices
/// outside the output are skipped. The output shape is the result type
/// (from output_shape or from the kernel geometry).
struct MaxUnpoolPattern : OpConversionPattern<onnx::MaxUnpoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::MaxUnpoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getOutput());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    auto indexType = dyn_cast<RankedTensorType>(adaptor.getI().getType());
    if (!resultType || !inType || !indexType || !inType.hasStaticShape() ||
        !indexType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkPoolTypes(op, inType, resultType)))
      return failure();
    if (indexType.getShape() != inType.getShape())
      return op.emitError() << describeNode(op) << ": I must have the shape of X";
    SmallVector<int64_t> outputShape;
    if (succeeded(getConstantInts(op.getOutputShape(), outputShape)) &&
        ArrayRef<int64_t>(outputShape) != resultType.getShape())
      return op.emitError() << describeNode(op) << ": output_shape does not match the result type";

    // Indices address the unpooled shape the kernel geometry implies; a
    // larger output_shape keeps each element at the same coordinates (as
    // ONNX's test data expects), so they are re-linearized into the result.
    int64_t spatial = inType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    std::optional<ArrayRef<int64_t>> strides = op.getStrides(), pads = op.getPads();
    if (static_cast<int64_t>(kernel.size()) != spatial ||
        (strides && static_cast<int64_t>(strides->size()) != spatial) ||
        (pads && static_cast<int64_t>(pads->size()) != 2 * spatial))
      return op.emitError() << describeNode(op)
                            << ": kernel_shape, strides and pads must match the spatial rank";
    SmallVector<int64_t> implied(inType.getShape().take_front(2));
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t stride = strides ? (*strides)[i] : 1;
      int64_t padding = pads ? (*pads)[i] + (*pads)[spatial + i] : 0;
      implied.push_back((inType.getDimSize(2 + i) - 1) * stride - padding + kernel[i]);
    }
    ArrayRef<int64_t> outShape = resultType.getShape();
    bool relinearize = ArrayRef<int64_t>(implied) != outShape;
    if (relinearize && (implied[0] != outShape[0] || implied[1] != outShape[1]))
      return op.emitError() << describeNode(op) << ": result must keep the N and C dims of X";

    Type elem = resultType.getElementType();
    int64_t count = inType.getNumElements(), total = resultType.getNumElements();
    Value x = reshapeTo(rewriter, loc, adaptor.getX(), RankedTensorType::get({count}, elem));
    Value indices = reshapeTo(rewriter, loc, adaptor.getI(),
                              RankedTensorType::get({count}, indexType.getElementType()));
    auto flatType = RankedTensorType::get({total}, elem);
    Value init = createFilled(rewriter, loc, flatType, scalarConstant(rewriter, loc, elem, 0));
    auto cstIndex = [&](OpBuilder &b, int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto loop = scf::ForOp::create(
        rewriter, loc, cstIndex(rewriter, 0), cstIndex(rewriter, count), cstIndex(rewriter, 1),
        ValueRange{init}, [&](OpBuilder &b, Location l, Value iv, ValueRange acc) {
          Value value = tensor::ExtractOp::create(b, l, x, ValueRange{iv});
          Value target = arith::IndexCastOp::create(
              b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, indices, ValueRange{iv}));
          Value ge = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, target, cstIndex(b, 0));
          int64_t impliedTotal = 1;
          for (int64_t d : implied)
            impliedTotal *= d;
          Value lt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, target,
                                           cstIndex(b, relinearize ? impliedTotal : total));
          Value inside = arith::AndIOp::create(b, l, ge, lt);
          if (relinearize) {
            // Delinearize over the implied shape, linearize over the result's.
            Value rest = target, flat = cstIndex(b, 0), stride = cstIndex(b, 1);
            for (int64_t d = static_cast<int64_t>(implied.size()) - 1; d >= 0; --d) {
              Value size = cstIndex(b, implied[d]);
              Value coord = arith::RemSIOp::create(b, l, rest, size);
              rest = arith::DivSIOp::create(b, l, rest, size);
              inside = arith::AndIOp::create(
                  b, l, inside,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, coord,
                                        cstIndex(b, outShape[d])));
              flat = arith::AddIOp::create(b, l, flat, arith::MulIOp::create(b, l, coord, stride));
              int64_t product = 1;
              for (int64_t e = d; e < static_cast<int64_t>(outShape.size()); ++e)
                product *= outShape[e];
              stride = cstIndex(b, product);
            }
            target = flat;
          }
          auto written = scf::IfOp::create(
              b, l, inside,
              [&](OpBuilder &tb, Location tl) {
                Value written = tensor::InsertOp::create(tb, tl, value, acc[0], ValueRange{target});
                scf::YieldOp::create(tb, tl, written);
              },
              [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, acc[0]); });
          scf::YieldOp::create(b, l, written.getResult(0));
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, loop.getResult(0), resultType));
    return success();
  }
};

// --- Global pools ------------------------------------------------------------

/// A window covering all spatial dims, no padding.
Window globalWindow(RankedTensorType inType) {
  Window w;
  w.kernel = spatialSizes(inType);
  size_t rank = w.kernel.size();
  w.strides.assign(rank, 1);
  w.dilations.assign(rank, 1);
  w.padBegin.assign(rank, 0);
  w.padEnd.assign(rank, 0);
  w.extraEnd.assign(rank, 0);
  return w;
}

LogicalResult checkGlobalTypes(Operation *op, RankedTensorType inType, RankedTensorType outType) {
  if (failed(checkPoolTypes(op, inType, outType)))
    return failure();
  if (llvm::any_of(outType.getShape().drop_front(2), [](int64_t d) { return d != 1; }))
    return op->emitError() << describeNode(op) << ": result spatial dims must be 1";
  return success();
}

struct GlobalAveragePoolPattern : OpConversionPattern<onnx::GlobalAveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GlobalAveragePoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!resultType || !inType || !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkGlobalTypes(op, inType, resultType)))
      return failure();
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return op.emitError() << describeNode(op) << ": only float element types are supported";
    Window w = globalWindow(inType);
    Value sum = buildWindowReduction(rewriter, loc, adaptor.getX(), resultType, w,
                                     scalarConstant(rewriter, loc, elem, 0),
                                     [](OpBuilder &b, Location l, Value acc, Value x) {
                                       return addScalars(b, l, acc, x);
                                     });
    double size = 1;
    for (int64_t k : w.kernel)
      size *= k;
    Value result = buildElementwise(rewriter, loc, resultType, ValueRange{sum},
                                    [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                      return arith::DivFOp::create(
                                          b, l, args[0], scalarConstant(b, l, elem, size));
                                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GlobalMaxPoolPattern : OpConversionPattern<onnx::GlobalMaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GlobalMaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!resultType || !inType || !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkGlobalTypes(op, inType, resultType)))
      return failure();
    bool isUnsigned = isUnsignedElement(op.getX());
    Value lowest = lowestValue(rewriter, loc, resultType.getElementType(), isUnsigned);
    Value result = buildWindowReduction(
        rewriter, loc, adaptor.getX(), resultType, globalWindow(inType), lowest,
        [&](OpBuilder &b, Location l, Value acc, Value x) {
          return maxScalars(b, l, acc, x, isUnsigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GlobalLpPoolPattern : OpConversionPattern<onnx::GlobalLpPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::GlobalLpPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getStaticType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!resultType || !inType || !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (failed(checkGlobalTypes(op, inType, resultType)))
      return failure();
    int64_t p = op.getP();
    if (p < 1)
      return op.emitError() << describeNode(op) << ": p must be positive";
    rewriter.replaceOp(op, buildLpPool(rewriter, op.getLoc(), adaptor.getX(), resultType,
                                       globalWindow(inType), p));
    return success();
  }
};

} // namespace

void populateConvPoolPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ConvPattern, ConvTransposePattern, MaxPoolPattern, AveragePoolPattern,
               GlobalAveragePoolPattern, GlobalMaxPoolPattern, LpPoolPattern, GlobalLpPoolPattern,
               MaxUnpoolPattern>(converter, patterns.getContext());
}

} // namespace smelt
