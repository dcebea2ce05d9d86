//===- ConvPool.cpp - Conv and pooling ops to linalg ----------------------===//
//
// Conv, ConvTranspose, MaxPool, AveragePool, LpPool, the global pools and
// MaxUnpool over any
// number of spatial dims (NC + spatial layout). Pads (explicit or auto_pad)
// become one tensor.pad of the input (zero for Conv and AveragePool, the
// lowest value for MaxPool); where ceil_mode makes windows run past the
// padded input the input is padded further at the end so that every window
// is in bounds.
// The window itself is one linalg.generic whose input map is
// `out * stride + k * dilation`; Conv groups are folded into that map.
// MaxPool's optional Indices output comes from a second variant of that
// generic that carries the max and its flat input index together.
// AveragePool divides by the number of elements a window covers inside the
// input (count_include_pad=0) or inside the explicitly padded input
// (count_include_pad=1), never counting the ceil_mode extension.
//
// Dynamic dims: sizes, pads and output sizes are index values, folded to
// constants where the shapes are static. An output spatial size is the
// result type's where static, else ONNX's formula at run time
// (floor, or ceil for ceil_mode, of (in + pads - extent) / stride, plus 1;
// SAME_* pads from the input size). Strides, dilations, pads attributes,
// pooling kernels and Conv groups > 1 (which need W's channel dims) stay
// static; a Conv kernel may be dynamic (from W's dims). MaxUnpool's output
// shape is the result type's, output_shape (constant or read at run time)
// or the kernel geometry.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace smelt {
namespace {

// Index arithmetic that folds to constants on static operands.
Value cidx(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value iadd(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::AddIOp>(loc, x, y);
}
Value isub(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::SubIOp>(loc, x, y);
}
Value imul(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::MulIOp>(loc, x, y);
}
Value imax(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::MaxSIOp>(loc, x, y);
}
Value imin(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::MinSIOp>(loc, x, y);
}
Value ifloordiv(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::FloorDivSIOp>(loc, x, y);
}
Value iceildiv(OpBuilder &b, Location loc, Value x, Value y) {
  return b.createOrFold<arith::CeilDivSIOp>(loc, x, y);
}
bool isConstant(Value v, int64_t c) {
  std::optional<int64_t> value = getConstantIntValue(v);
  return value && *value == c;
}

/// Window geometry along the spatial dims, with pads resolved. Sizes are
/// index values (constants where static).
struct Window {
  SmallVector<int64_t> strides, dilations;
  SmallVector<Value> kernel, padBegin, padEnd;
  /// Padding past `padEnd` that keeps every output window in bounds (ceil_mode).
  SmallVector<Value> extraEnd;
  /// Output spatial sizes.
  SmallVector<Value> out;

  bool hasPadding() const {
    for (size_t i = 0; i < kernel.size(); ++i)
      if (!isConstant(padBegin[i], 0) || !isConstant(padEnd[i], 0) ||
          !isConstant(extraEnd[i], 0))
        return true;
    return false;
  }
};

/// The constants of `values`, where all are constant.
std::optional<SmallVector<int64_t>> staticSizes(ArrayRef<Value> values) {
  SmallVector<int64_t> sizes;
  for (Value v : values) {
    std::optional<int64_t> c = getConstantIntValue(v);
    if (!c)
      return std::nullopt;
    sizes.push_back(*c);
  }
  return sizes;
}

/// Resolves strides, dilations and pads (auto_pad or explicit) for the
/// spatial dims of `input` and the output spatial sizes: the result type's
/// where static, else ONNX's formula (ceil for `ceilMode`) at run time.
FailureOr<Window> resolveWindow(OpBuilder &b, Location loc, Operation *op, Value input,
                                RankedTensorType outType, ArrayRef<Value> kernel,
                                std::optional<ArrayRef<int64_t>> strides,
                                std::optional<ArrayRef<int64_t>> dilations,
                                std::optional<ArrayRef<int64_t>> pads, StringRef autoPad,
                                bool ceilMode = false) {
  size_t rank = kernel.size();
  auto fail = [&](const Twine &message) -> FailureOr<Window> {
    op->emitError() << describeNode(op) << ": " << message;
    return failure();
  };
  auto positive = [](ArrayRef<int64_t> values) {
    return llvm::all_of(values, [](int64_t v) { return v > 0; });
  };
  if (static_cast<int64_t>(rank) != outType.getRank() - 2)
    return fail("kernel_shape must have " + Twine(outType.getRank() - 2) + " positive entries");
  for (Value k : kernel)
    if (std::optional<int64_t> v = getConstantIntValue(k); v && *v < 1)
      return fail("kernel_shape must have " + Twine(rank) + " positive entries");
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides.assign(rank, 1);
  w.dilations.assign(rank, 1);
  Value zero = cidx(b, loc, 0);
  w.padBegin.assign(rank, zero);
  w.padEnd.assign(rank, zero);
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
  SmallVector<Value> in, extent;
  for (size_t i = 0; i < rank; ++i) {
    in.push_back(dimSize(b, loc, input, 2 + i));
    // (k - 1) * d + 1
    extent.push_back(iadd(b, loc, imul(b, loc, isub(b, loc, w.kernel[i], cidx(b, loc, 1)),
                                       cidx(b, loc, w.dilations[i])),
                          cidx(b, loc, 1)));
  }

  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < rank; ++i) {
      Value stride = cidx(b, loc, w.strides[i]);
      Value sameOut = iceildiv(b, loc, in[i], stride);
      Value total = imax(
          b, loc, zero,
          isub(b, loc, iadd(b, loc, imul(b, loc, isub(b, loc, sameOut, cidx(b, loc, 1)), stride),
                            extent[i]),
               in[i]));
      // SAME_UPPER puts the odd element at the end, SAME_LOWER at the beginning.
      Value half = ifloordiv(b, loc, total, cidx(b, loc, 2));
      w.padBegin[i] = autoPad == "SAME_UPPER" ? half : isub(b, loc, total, half);
      w.padEnd[i] = isub(b, loc, total, w.padBegin[i]);
    }
  } else if (autoPad == "NOTSET") {
    if (pads) {
      if (pads->size() != 2 * rank ||
          llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
        return fail("pads must have " + Twine(2 * rank) + " non-negative entries");
      for (size_t i = 0; i < rank; ++i) {
        w.padBegin[i] = cidx(b, loc, (*pads)[i]);
        w.padEnd[i] = cidx(b, loc, (*pads)[rank + i]);
      }
    }
  } else if (autoPad != "VALID") {
    return fail("auto_pad '" + autoPad + "' is not supported");
  }

  for (size_t i = 0; i < rank; ++i) {
    Value stride = cidx(b, loc, w.strides[i]);
    Value padded = iadd(b, loc, in[i], iadd(b, loc, w.padBegin[i], w.padEnd[i]));
    Value out;
    if (!outType.isDynamicDim(2 + i)) {
      if (outType.getDimSize(2 + i) < 1)
        return fail("output spatial size must be positive");
      out = cidx(b, loc, outType.getDimSize(2 + i));
    } else {
      Value span = isub(b, loc, padded, extent[i]);
      out = iadd(b, loc,
                 ceilMode ? iceildiv(b, loc, span, stride) : ifloordiv(b, loc, span, stride),
                 cidx(b, loc, 1));
    }
    w.out.push_back(out);
    if (outType.isDynamicDim(2 + i) && !ceilMode) {
      // The floor formula never runs past the padded input.
      w.extraEnd.push_back(zero);
      continue;
    }
    Value needed =
        iadd(b, loc, imul(b, loc, isub(b, loc, out, cidx(b, loc, 1)), stride), extent[i]);
    w.extraEnd.push_back(imax(b, loc, zero, isub(b, loc, needed, padded)));
  }
  return w;
}

/// Constant index values of static sizes.
SmallVector<Value> indexValues(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  return llvm::map_to_vector(values, [&](int64_t v) { return cidx(b, loc, v); });
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
    Value end = iadd(b, loc, w.padEnd[i], w.extraEnd[i]);
    low.push_back(getAsOpFoldResult(w.padBegin[i]));
    high.push_back(getAsOpFoldResult(end));
    std::optional<int64_t> lo = getConstantIntValue(w.padBegin[i]), hi = getConstantIntValue(end);
    shape.push_back(type.isDynamicDim(2 + i) || !lo || !hi
                        ? ShapedType::kDynamic
                        : type.getDimSize(2 + i) + *lo + *hi);
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

/// Sizes of a pooling output: N and C of `input`, then the window's outputs.
SmallVector<Value> poolOutSizes(OpBuilder &b, Location loc, Value input, const Window &w) {
  SmallVector<Value> sizes{dimSize(b, loc, input, 0), dimSize(b, loc, input, 1)};
  sizes.append(w.out.begin(), w.out.end());
  return sizes;
}

/// An empty tensor shaped like the window (its loops' bounds).
Value windowShapeTensor(OpBuilder &b, Location loc, const Window &w, Type elem) {
  SmallVector<int64_t> shape;
  for (Value k : w.kernel)
    shape.push_back(getConstantIntValue(k).value_or(ShapedType::kDynamic));
  return createEmpty(b, loc, RankedTensorType::get(shape, elem), w.kernel);
}

/// Maps and iterators of a window generic over (n, c, o..., k...): the
/// padded input read at o*s + k*d, the window-shape tensor, then `outputs`
/// outputs indexed by (n, c, o...); the k loops are reductions.
std::pair<SmallVector<AffineMap>, SmallVector<utils::IteratorType>>
windowGenericMaps(MLIRContext *ctx, const Window &w, unsigned outputs) {
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
                              AffineMap::get(loops, 0, windowExprs, ctx)};
  maps.append(outputs, AffineMap::get(loops, 0, outExprs, ctx));
  SmallVector<utils::IteratorType> iterators(2 + spatial, utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  return {maps, iterators};
}

using CombineFn = llvm::function_ref<Value(OpBuilder &, Location, Value acc, Value x)>;

/// out[n, c, o...] = combine over k... of padded[n, c, o*s + k*d], starting
/// from `init`. Loops: (n, c, o..., k...), the k loops being reductions
/// whose bounds come from an empty window tensor of the kernel's shape.
/// `outSizes` sizes the dynamic dims of `outType`.
Value buildWindowReduction(OpBuilder &b, Location loc, Value padded, RankedTensorType outType,
                           ValueRange outSizes, const Window &w, Value init, CombineFn combine) {
  auto [maps, iterators] = windowGenericMaps(b.getContext(), w, /*outputs=*/1);
  Value windowShape = windowShapeTensor(b, loc, w, outType.getElementType());
  Value acc = createFilled(b, loc, outType, outSizes, init);
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

/// Common checks of pooling operands: ranked, rank >= 3.
LogicalResult checkPoolTypes(Operation *op, RankedTensorType inType, RankedTensorType outType) {
  if (!inType || !outType)
    return failure();
  if (inType.getRank() < 3 || outType.getRank() != inType.getRank())
    return op->emitError() << describeNode(op)
                           << ": input must have a batch, a channel and at least one spatial dim";
  return success();
}

LogicalResult checkGlobalTypes(Operation *op, RankedTensorType inType, RankedTensorType outType) {
  if (failed(checkPoolTypes(op, inType, outType)))
    return failure();
  if (llvm::any_of(outType.getShape().drop_front(2), [](int64_t d) { return d != 1; }))
    return op->emitError() << describeNode(op) << ": result spatial dims must be 1";
  return success();
}

/// Sets `inType` and `resultType` of a pool-like op with input `x` and
/// result `y`, and runs checkPoolTypes (checkGlobalTypes for `global`) on
/// them; a match failure where either is unranked.
LogicalResult getPoolTypes(ConversionPatternRewriter &rewriter, const TypeConverter &converter,
                           Operation *op, Value x, Value y, RankedTensorType &inType,
                           RankedTensorType &resultType, bool global = false) {
  resultType = getRankedType(converter, y);
  inType = dyn_cast<RankedTensorType>(x.getType());
  if (!resultType || !inType)
    return rewriter.notifyMatchFailure(op, "needs ranked shapes");
  return global ? checkGlobalTypes(op, inType, resultType)
                : checkPoolTypes(op, inType, resultType);
}

/// Pooling kernel_shape attribute as index constants.
SmallVector<Value> kernelValues(OpBuilder &b, Location loc, ArrayRef<int64_t> kernel) {
  return indexValues(b, loc, kernel);
}

// --- Conv --------------------------------------------------------------------

/// The accumulator of a convolution: the bias `b` broadcast along the
/// channel dim, or `zero` when `bias` is none. `sizes` sizes the dynamic
/// dims of `resultType`.
Value buildConvInit(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange sizes,
                    Value bias, Value zero) {
  int64_t rank = resultType.getRank();
  if (isa<NoneType>(bias.getType()))
    return createFilled(b, loc, resultType, sizes, zero);
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx),
                              b.getMultiDimIdentityMap(rank)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, ValueRange{bias},
             ValueRange{createEmpty(b, loc, resultType, sizes)}, maps,
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// `value` ([N, C, W]) with a unit height dim inserted: [N, C, 1, W].
Value withUnitHeight(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  auto expanded = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), 1, type.getDimSize(2)}, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, expanded, value,
                                       SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// The 1-D convolution of `input` by `weight` as linalg.conv_2d_nchw_fchw
/// over operands with a unit height (stride and dilation 1 along it).
Value buildConv1dAs2d(OpBuilder &b, Location loc, Value input, Value weight, Value init,
                      const Window &w) {
  Value init2d = withUnitHeight(b, loc, init);
  Value conv = linalg::Conv2DNchwFchwOp::create(
                   b, loc, TypeRange{init2d.getType()},
                   ValueRange{withUnitHeight(b, loc, input), withUnitHeight(b, loc, weight)},
                   ValueRange{init2d}, b.getI64TensorAttr({1, w.strides[0]}),
                   b.getI64TensorAttr({1, w.dilations[0]}))
                   .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, conv,
                                         SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// out[n, m, o...] += sum over c, k... of input[n, g*Cg + c, o*s + k*d] *
/// weight[m, c, k...], g being the group of filter m (linalg.conv_2d_nchw_fchw
/// for one group and two spatial dims, else a generic); `input` is already
/// padded and `weight` has the Conv layout (M x C/group x k...), whose
/// first two dims are static when group > 1.
Value buildConvOp(OpBuilder &b, Location loc, Value input, Value weight, Value init,
                       int64_t group, const Window &w) {
  MLIRContext *ctx = b.getContext();
  // The common 2-D case as the named op, which code generation recognizes
  // (im2col + matmul kernels on CPUs).
  if (group == 1 && w.strides.size() == 2)
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{init.getType()},
                                            ValueRange{input, weight}, ValueRange{init},
                                            b.getI64TensorAttr(w.strides),
                                            b.getI64TensorAttr(w.dilations))
        .getResult(0);
  // A 1-D convolution is a 2-D one of height 1, so that it takes the same
  // route (audio front ends: long kernels, large strides).
  if (group == 1 && w.strides.size() == 1)
    return buildConv1dAs2d(b, loc, input, weight, init, w);
  // Depthwise (one filter per channel) as the named op, which code
  // generation recognizes too.
  auto wShape = cast<RankedTensorType>(weight.getType()).getShape();
  if (w.strides.size() == 2 && group > 1 && wShape[0] == group && wShape[1] == 1)
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, TypeRange{init.getType()},
               ValueRange{input, tensor::CollapseShapeOp::create(
                                     b, loc, weight,
                                     SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}})},
               ValueRange{init}, b.getI64TensorAttr(w.strides), b.getI64TensorAttr(w.dilations))
        .getResult(0);
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
               Value product = mulScalar(nb, l, args[0], args[1]);
               linalg::YieldOp::create(nb, l, addScalar(nb, l, args[2], product));
             })
      .getResult(0);
}

/// Kernel sizes of a Conv/ConvTranspose from W's spatial dims: constants
/// where W's dim or kernel_shape is static, else tensor.dim of W.
FailureOr<SmallVector<Value>> convKernel(OpBuilder &b, Location loc, Operation *op, Value weight,
                                         std::optional<ArrayRef<int64_t>> attr) {
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t spatial = wType.getRank() - 2;
  if (attr && static_cast<int64_t>(attr->size()) != spatial) {
    op->emitError() << describeNode(op) << ": kernel_shape does not match the shape of W";
    return failure();
  }
  SmallVector<Value> kernel;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t size = wType.getDimSize(2 + i);
    if (attr && !wType.isDynamicDim(2 + i) && (*attr)[i] != size) {
      op->emitError() << describeNode(op) << ": kernel_shape does not match the shape of W";
      return failure();
    }
    if (!wType.isDynamicDim(2 + i))
      kernel.push_back(cidx(b, loc, size));
    else if (attr)
      kernel.push_back(cidx(b, loc, (*attr)[i]));
    else
      kernel.push_back(dimSize(b, loc, weight, 2 + i));
  }
  return kernel;
}

/// The window of a Conv-like op: its kernel (from W or kernel_shape),
/// strides, dilations and pads resolved against `x`.
FailureOr<Window> resolveConvWindow(OpBuilder &b, Operation *op, Value x, Value w,
                                    RankedTensorType resultType, const ConvolutionAttrs &attrs) {
  Location loc = op->getLoc();
  FailureOr<SmallVector<Value>> kernel = convKernel(b, loc, op, w, attrs.kernelShape);
  if (failed(kernel))
    return failure();
  return resolveWindow(b, loc, op, x, resultType, *kernel, attrs.strides, attrs.dilations,
                       attrs.pads, attrs.autoPad);
}

} // namespace

FailureOr<Value> buildConvolution(OpBuilder &b, Operation *op, Value x, Value w, Value bias,
                                  RankedTensorType resultType, const ConvolutionAttrs &attrs,
                                  Value padValue) {
  Location loc = op->getLoc();
  auto inType = dyn_cast<RankedTensorType>(x.getType());
  auto wType = dyn_cast<RankedTensorType>(w.getType());
  if (!inType || !wType)
    return failure();
  if (failed(checkPoolTypes(op, inType, resultType)))
    return failure();
  int64_t rank = inType.getRank();
  if (wType.getRank() != rank)
    return op->emitError() << describeNode(op) << ": W must have rank " << rank;
  int64_t group = attrs.group, channels = inType.getDimSize(1);
  int64_t filters = wType.getDimSize(0), groupChannels = wType.getDimSize(1);
  if (group < 1)
    return op->emitError() << describeNode(op) << ": group must be positive";
  if (group != 1 && (ShapedType::isDynamic(filters) || ShapedType::isDynamic(groupChannels)))
    return op->emitError() << describeNode(op)
                           << ": group > 1 needs static output and input channel dims of W";
  auto known = [](int64_t d) { return !ShapedType::isDynamic(d); };
  int64_t outChannels = resultType.getDimSize(1);
  if ((known(channels) && known(groupChannels) && channels != group * groupChannels) ||
      (known(filters) && filters % group != 0) ||
      (known(outChannels) && known(filters) && outChannels != filters))
    return op->emitError() << describeNode(op) << ": group " << group << " does not match X ("
                           << channels << " channels) and W (" << filters << "x"
                           << groupChannels << ")";
  if (bias && !isa<NoneType>(bias.getType())) {
    auto biasType = dyn_cast<RankedTensorType>(bias.getType());
    if (!biasType || biasType.getRank() != 1 ||
        (known(filters) && known(biasType.getDimSize(0)) && biasType.getDimSize(0) != filters))
      return op->emitError() << describeNode(op) << ": B must have one element per filter";
  }
  FailureOr<Window> win = resolveConvWindow(b, op, x, w, resultType, attrs);
  if (failed(win))
    return failure();
  Value zero = scalarConstant(b, loc, resultType.getElementType(), 0);
  Value input = padSpatial(b, loc, x, *win, padValue ? padValue : zero);
  SmallVector<Value> sizes{dimSize(b, loc, x, 0), dimSize(b, loc, w, 0)};
  sizes.append(win->out.begin(), win->out.end());
  Value init = buildConvInit(b, loc, resultType, sizes,
                             bias ? bias : Value(onnx::NoValueOp::create(b, loc)), zero);
  return buildConvOp(b, loc, input, w, init, group, *win);
}

FailureOr<PaddedWindow> padForStaticWindow(OpBuilder &b, Operation *op, Value x, Value w,
                                           RankedTensorType resultType,
                                           const ConvolutionAttrs &attrs, Value padValue) {
  FailureOr<Window> win = resolveConvWindow(b, op, x, w, resultType, attrs);
  if (failed(win))
    return failure();
  std::optional<SmallVector<int64_t>> sizes = staticSizes(win->kernel);
  Value padded = padSpatial(b, op->getLoc(), x, *win, padValue);
  if (!sizes || !cast<RankedTensorType>(padded.getType()).hasStaticShape())
    return PaddedWindow{};
  return PaddedWindow{padded, *sizes, win->strides, win->dilations};
}

namespace {

struct ConvPattern : DynamicShapePattern<onnx::ConvOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    if (!resultType || !isa<RankedTensorType>(adaptor.getX().getType()) ||
        !isa<RankedTensorType>(adaptor.getW().getType()))
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    ConvolutionAttrs attrs{op.getKernelShape(), op.getStrides(), op.getDilations(),
                           op.getPads(), op.getAutoPad(), op.getGroup()};
    FailureOr<Value> result = buildConvolution(rewriter, op, adaptor.getX(), adaptor.getW(),
                                               adaptor.getB(), resultType, attrs,
                                               /*padValue=*/Value());
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

// --- ConvTranspose -----------------------------------------------------------

/// A ConvTranspose whose kernel equals its strides (no dilation, one group,
/// no pads, the output exactly in * stride: the upsampling layers of
/// segmentation and detection heads) writes each output element from one
/// input element: y[n, f, i*K + k] = b[f] + sum over c of x[n, c, i] *
/// W[c, f, k] (per spatial dim). That is one matrix product of W as an
/// (F*K) x C matrix with x as C x (I...), whose result is interleaved into
/// the output together with the bias: no zero-spread input and no
/// multiplications by zero.
Value buildUpsamplingConvTranspose(OpBuilder &b, Location loc, Value x, Value w, Value bias,
                                   RankedTensorType resultType) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  Type elem = resultType.getElementType();
  int64_t spatial = inType.getRank() - 2, batch = inType.getDimSize(0);
  int64_t channels = inType.getDimSize(1), filters = wType.getDimSize(1);
  ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
  ArrayRef<int64_t> in = inType.getShape().drop_front(2);
  int64_t kernelSize = 1, inSize = 1;
  for (int64_t i = 0; i < spatial; ++i) {
    kernelSize *= kernel[i];
    inSize *= in[i];
  }
  // Wt[f, k..., c] = W[c, f, k...], seen as (F*K) x C.
  SmallVector<int64_t> wtShape{filters};
  wtShape.append(kernel.begin(), kernel.end());
  wtShape.push_back(channels);
  int64_t wtRank = wtShape.size();
  SmallVector<AffineExpr> wExprs{getAffineDimExpr(wtRank - 1, ctx), getAffineDimExpr(0, ctx)};
  for (int64_t i = 0; i < spatial; ++i)
    wExprs.push_back(getAffineDimExpr(1 + i, ctx));
  auto wtType = RankedTensorType::get(wtShape, elem);
  Value wt = linalg::GenericOp::create(
                 b, loc, TypeRange{wtType}, ValueRange{w},
                 ValueRange{tensor::EmptyOp::create(b, loc, wtShape, elem)},
                 SmallVector<AffineMap>{AffineMap::get(wtRank, 0, wExprs, ctx),
                                        b.getMultiDimIdentityMap(wtRank)},
                 SmallVector<utils::IteratorType>(wtRank, utils::IteratorType::parallel),
                 [](OpBuilder &nb, Location l, ValueRange args) {
                   linalg::YieldOp::create(nb, l, args[0]);
                 })
                 .getResult(0);
  ReassociationIndices kernelGroup{0};
  for (int64_t i = 0; i < spatial; ++i)
    kernelGroup.push_back(1 + i);
  Value filtersMatrix = tensor::CollapseShapeOp::create(
      b, loc, wt, SmallVector<ReassociationIndices>{kernelGroup, {wtRank - 1}});

  // The product: [F*K, I...] per batch element.
  ReassociationIndices spatialGroup;
  for (int64_t i = 0; i < spatial; ++i)
    spatialGroup.push_back(2 + i);
  Value zero = scalarConstant(b, loc, elem, 0);
  Value product;
  if (batch == 1) {
    ReassociationIndices channelGroup{0, 1};
    Value cols = tensor::CollapseShapeOp::create(
        b, loc, x, SmallVector<ReassociationIndices>{channelGroup, spatialGroup});
    auto accType = RankedTensorType::get({filters * kernelSize, inSize}, elem);
    Value acc = createFilled(b, loc, accType, ValueRange{}, zero);
    product = linalg::MatmulOp::create(b, loc, ValueRange{filtersMatrix, cols}, ValueRange{acc})
                  .getResult(0);
  } else {
    Value cols = tensor::CollapseShapeOp::create(
        b, loc, x, SmallVector<ReassociationIndices>{{0}, {1}, spatialGroup});
    auto accType = RankedTensorType::get({batch, filters * kernelSize, inSize}, elem);
    Value acc = createFilled(b, loc, accType, ValueRange{}, zero);
    AffineExpr n, m, p, k;
    bindDims(ctx, n, m, p, k);
    SmallVector<AffineMap> maps{AffineMap::get(4, 0, {m, k}, ctx),
                                AffineMap::get(4, 0, {n, k, p}, ctx),
                                AffineMap::get(4, 0, {n, m, p}, ctx)};
    SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    product = linalg::GenericOp::create(
                  b, loc, TypeRange{accType}, ValueRange{filtersMatrix, cols}, ValueRange{acc},
                  maps, iterators,
                  [](OpBuilder &nb, Location l, ValueRange args) {
                    Value mul = mulScalar(nb, l, args[0], args[1]);
                    linalg::YieldOp::create(nb, l, addScalar(nb, l, args[2], mul));
                  })
                  .getResult(0);
  }
  // t[n, f, k..., i...] -> y[n, f, (i, k)...] (+ bias).
  SmallVector<int64_t> tShape{batch, filters};
  tShape.append(kernel.begin(), kernel.end());
  tShape.append(in.begin(), in.end());
  SmallVector<ReassociationIndices> tGroups{{0}, {1}};
  for (int64_t i = 0; i < spatial; ++i)
    tGroups.back().push_back(2 + i);
  tGroups.push_back({});
  for (int64_t i = 0; i < spatial; ++i)
    tGroups.back().push_back(2 + spatial + i);
  if (batch == 1) {
    tGroups[1].insert(tGroups[1].begin(), 0);
    tGroups.erase(tGroups.begin());
  }
  Value t = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(tShape, elem), product,
                                          tGroups);
  // Loops (n, f, i1, k1, i2, k2, ...) over the output seen with each spatial
  // dim split into (input position, kernel offset).
  int64_t loops = 2 + 2 * spatial;
  SmallVector<int64_t> yShape{batch, filters};
  SmallVector<AffineExpr> tExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  SmallVector<ReassociationIndices> yGroups{{0}, {1}};
  for (int64_t i = 0; i < spatial; ++i) {
    yShape.append({in[i], kernel[i]});
    tExprs.push_back(getAffineDimExpr(3 + 2 * i, ctx));
    yGroups.push_back({2 + 2 * i, 3 + 2 * i});
  }
  for (int64_t i = 0; i < spatial; ++i)
    tExprs.push_back(getAffineDimExpr(2 + 2 * i, ctx));
  auto yType = RankedTensorType::get(yShape, elem);
  SmallVector<Value> inputs{t};
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, tExprs, ctx)};
  bool hasBias = bias && !isa<NoneType>(bias.getType());
  if (hasBias) {
    inputs.push_back(bias);
    maps.push_back(AffineMap::get(loops, 0, {getAffineDimExpr(1, ctx)}, ctx));
  }
  maps.push_back(b.getMultiDimIdentityMap(loops));
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{yType}, inputs,
                ValueRange{tensor::EmptyOp::create(b, loc, yShape, elem)}, maps,
                SmallVector<utils::IteratorType>(loops, utils::IteratorType::parallel),
                [&](OpBuilder &nb, Location l, ValueRange args) {
                  Value v = hasBias ? addScalar(nb, l, args[0], args[1]) : args[0];
                  linalg::YieldOp::create(nb, l, v);
                })
                .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, resultType, y, yGroups);
}

/// Whether buildUpsamplingConvTranspose covers a ConvTranspose: static
/// shapes, one group, kernel == strides, no dilation, no begin padding and
/// the output exactly in * stride.
bool isUpsampling(RankedTensorType inType, RankedTensorType wType, RankedTensorType resultType,
                  int64_t group, ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  ArrayRef<Value> padBegin, ArrayRef<Value> out) {
  if (group != 1 || !inType.hasStaticShape() || !wType.hasStaticShape() ||
      !resultType.hasStaticShape() || !resultType.getElementType().isIntOrFloat())
    return false;
  for (size_t i = 0; i < strides.size(); ++i) {
    std::optional<int64_t> size = getConstantIntValue(out[i]);
    if (wType.getDimSize(2 + i) != strides[i] || dilations[i] != 1 ||
        !isConstant(padBegin[i], 0) || !size || *size != inType.getDimSize(2 + i) * strides[i])
      return false;
  }
  return true;
}

/// ConvTranspose as a stride-1 Conv: the input is spread out by the strides
/// (zeros between elements) into a zero tensor that also carries the
/// (k-1)*dilation border minus the begin pads, and is correlated with the
/// kernel flipped and transposed to the Conv layout. Only the begin pads
/// matter once the output size is known (from the result type, or at run
/// time from output_shape, SAME (in * stride) or the explicit formula): end
/// pads, output_padding and output_shape all just shorten or lengthen the
/// output at its end.
struct ConvTransposePattern : DynamicShapePattern<onnx::ConvTransposeOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ConvTransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto wType = dyn_cast<RankedTensorType>(adaptor.getW().getType());
    if (!wType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getY(), inType,
                            resultType)))
      return failure();
    auto fail = [&](const Twine &message) {
      return op.emitError() << describeNode(op) << ": " << message;
    };
    auto known = [](int64_t d) { return !ShapedType::isDynamic(d); };
    int64_t rank = inType.getRank(), spatial = rank - 2;
    if (wType.getRank() != rank)
      return fail("W must have rank " + Twine(rank));
    int64_t group = op.getGroup(), channels = inType.getDimSize(1);
    if (group < 1)
      return fail("group must be positive");
    if (group != 1 && (wType.isDynamicDim(0) || wType.isDynamicDim(1)))
      return fail("group > 1 needs static channel dims of W");
    int64_t groupFilters = wType.getDimSize(1);
    int64_t filters = known(groupFilters) ? group * groupFilters : ShapedType::kDynamic;
    int64_t wChannels = wType.getDimSize(0);
    if ((known(channels) && known(wChannels) && wChannels != channels) ||
        (known(wChannels) && wChannels % group != 0) ||
        (known(filters) && known(resultType.getDimSize(1)) &&
         resultType.getDimSize(1) != filters) ||
        (known(inType.getDimSize(0)) && known(resultType.getDimSize(0)) &&
         resultType.getDimSize(0) != inType.getDimSize(0)))
      return fail("group " + Twine(group) + " does not match X (" + Twine(channels) +
                  " channels), W and Y");
    FailureOr<SmallVector<Value>> kernel =
        convKernel(rewriter, loc, op, adaptor.getW(), op.getKernelShape());
    if (failed(kernel))
      return failure();
    for (Value k : *kernel)
      if (std::optional<int64_t> v = getConstantIntValue(k); v && *v < 1)
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
    StringRef autoPad = op.getAutoPad();
    if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
        autoPad != "SAME_LOWER")
      return fail("auto_pad '" + autoPad + "' is not supported");
    std::optional<ArrayRef<int64_t>> outputShape = op.getOutputShape();
    ArrayRef<int64_t> shapeAttr;
    if (outputShape) {
      // output_shape may name the spatial dims only or all dims.
      shapeAttr = *outputShape;
      if (static_cast<int64_t>(shapeAttr.size()) == rank)
        shapeAttr = shapeAttr.drop_front(2);
      if (static_cast<int64_t>(shapeAttr.size()) != spatial)
        return fail("output_shape does not match the result type");
      for (int64_t i = 0; i < spatial; ++i)
        if (known(resultType.getDimSize(2 + i)) && shapeAttr[i] != resultType.getDimSize(2 + i))
          return fail("output_shape does not match the result type");
    }

    auto cst = [&](int64_t v) { return cidx(rewriter, loc, v); };
    SmallVector<Value> in, out, extent, padBegin;
    for (int64_t i = 0; i < spatial; ++i) {
      in.push_back(dimSize(rewriter, loc, adaptor.getX(), 2 + i));
      extent.push_back(iadd(rewriter, loc,
                            imul(rewriter, loc, isub(rewriter, loc, (*kernel)[i], cst(1)),
                                 cst(dilations[i])),
                            cst(1)));
      // The spec's full output: s * (in - 1) + output_padding + extent.
      Value full = iadd(rewriter, loc,
                        imul(rewriter, loc, cst(strides[i]), isub(rewriter, loc, in[i], cst(1))),
                        iadd(rewriter, loc, cst(outputPadding[i]), extent[i]));
      Value size;
      if (known(resultType.getDimSize(2 + i)))
        size = cst(resultType.getDimSize(2 + i));
      else if (outputShape)
        size = cst(shapeAttr[i]);
      else if (autoPad.starts_with("SAME"))
        size = imul(rewriter, loc, in[i], cst(strides[i]));
      else if (autoPad == "NOTSET")
        size = isub(rewriter, loc, full, cst(pads[i] + pads[spatial + i]));
      else
        size = full;
      if (std::optional<int64_t> v = getConstantIntValue(size); v && *v < 1)
        return fail("output spatial size must be positive");
      out.push_back(size);
      Value begin = cst(0);
      if (outputShape || autoPad.starts_with("SAME")) {
        // The spec's total padding; SAME_UPPER puts the odd element at the
        // end, SAME_LOWER (and NOTSET with output_shape) at the beginning.
        Value total = isub(rewriter, loc, full, size);
        Value half = ifloordiv(rewriter, loc, total, cst(2));
        begin = autoPad == "SAME_UPPER" ? half : isub(rewriter, loc, total, half);
      } else if (autoPad == "NOTSET") {
        begin = cst(pads[i]);
      }
      padBegin.push_back(begin);
    }

    if (isUpsampling(inType, wType, resultType, group, strides, dilations, padBegin, out)) {
      rewriter.replaceOp(op, buildUpsamplingConvTranspose(rewriter, loc, adaptor.getX(),
                                                          adaptor.getW(), adaptor.getB(),
                                                          resultType));
      return success();
    }

    // The spread input: zeros of size out + (k-1)*d, holding x[i] at
    // i*s + low with low = (k-1)*d - padBegin; inputs landing outside are
    // dropped (pads larger than the kernel border crop the input).
    Type elem = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, elem, 0);
    Value x = adaptor.getX();
    SmallVector<Value> spreadSizes{dimSize(rewriter, loc, x, 0), dimSize(rewriter, loc, x, 1)};
    SmallVector<int64_t> spreadShape(inType.getShape().take_front(2));
    SmallVector<OpFoldResult> sliceOffsets(2, rewriter.getIndexAttr(0)),
        sliceSizes{getAsOpFoldResult(spreadSizes[0]), getAsOpFoldResult(spreadSizes[1])},
        unitStrides(rank, rewriter.getIndexAttr(1)), insertOffsets(2, rewriter.getIndexAttr(0)),
        insertStrides(2, rewriter.getIndexAttr(1));
    SmallVector<int64_t> sliceShape(inType.getShape().take_front(2));
    bool empty = false, whole = true;
    for (int64_t i = 0; i < spatial; ++i) {
      Value stride = cst(strides[i]);
      Value border = isub(rewriter, loc, extent[i], cst(1));
      Value size = iadd(rewriter, loc, out[i], border);
      Value low = isub(rewriter, loc, border, padBegin[i]);
      spreadSizes.push_back(size);
      spreadShape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
      Value first = imax(rewriter, loc, cst(0),
                         iceildiv(rewriter, loc, isub(rewriter, loc, cst(0), low), stride));
      Value last = imin(rewriter, loc, isub(rewriter, loc, in[i], cst(1)),
                        ifloordiv(rewriter, loc,
                                  isub(rewriter, loc, isub(rewriter, loc, size, cst(1)), low),
                                  stride));
      Value count = imax(rewriter, loc, cst(0),
                         iadd(rewriter, loc, isub(rewriter, loc, last, first), cst(1)));
      empty |= isConstant(count, 0);
      std::optional<int64_t> countValue = getConstantIntValue(count);
      whole &= isConstant(first, 0) && countValue && !inType.isDynamicDim(2 + i) &&
               *countValue == inType.getDimSize(2 + i);
      sliceOffsets.push_back(getAsOpFoldResult(first));
      sliceSizes.push_back(getAsOpFoldResult(count));
      sliceShape.push_back(countValue.value_or(ShapedType::kDynamic));
      insertOffsets.push_back(
          getAsOpFoldResult(iadd(rewriter, loc, imul(rewriter, loc, first, stride), low)));
      insertStrides.push_back(rewriter.getIndexAttr(strides[i]));
    }
    auto spreadType = RankedTensorType::get(spreadShape, elem);
    Value spread = createFilled(rewriter, loc, spreadType, spreadSizes, zero);
    if (!empty) {
      if (!whole)
        x = tensor::ExtractSliceOp::create(rewriter, loc,
                                           RankedTensorType::get(sliceShape, elem), x,
                                           sliceOffsets, sliceSizes, unitStrides);
      spread = tensor::InsertSliceOp::create(rewriter, loc, x, spread, insertOffsets, sliceSizes,
                                             insertStrides);
    }

    // W (C x M/group x k...) to the Conv layout (M x C/group x k...), flipped:
    // w'[m, c, k] = W[(m floordiv M/group) * C/group + c, m mod M/group, K-1-k].
    MLIRContext *ctx = rewriter.getContext();
    Value w = adaptor.getW();
    int64_t groupChannels = known(wChannels) ? wChannels / group : ShapedType::kDynamic;
    SmallVector<int64_t> convShape{filters, groupChannels};
    SmallVector<Value> convSizes{
        group == 1 ? dimSize(rewriter, loc, w, 1) : cst(filters),
        group == 1 ? dimSize(rewriter, loc, w, 0) : cst(groupChannels)};
    for (Value k : *kernel)
      convShape.push_back(getConstantIntValue(k).value_or(ShapedType::kDynamic));
    convSizes.append(kernel->begin(), kernel->end());
    auto convWType = RankedTensorType::get(convShape, elem);
    Value convInit = createEmpty(rewriter, loc, convWType, convSizes);
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
    Value convW;
    if (std::optional<SmallVector<int64_t>> k = staticSizes(*kernel)) {
      AffineExpr m = getAffineDimExpr(0, ctx), c = getAffineDimExpr(1, ctx);
      SmallVector<AffineExpr> wExprs;
      if (group == 1)
        wExprs = {c, m};
      else
        wExprs = {m.floorDiv(groupFilters) * groupChannels + c, m % groupFilters};
      for (int64_t i = 0; i < spatial; ++i)
        wExprs.push_back((*k)[i] - 1 - getAffineDimExpr(2 + i, ctx));
      SmallVector<AffineMap> wMaps{AffineMap::get(rank, 0, wExprs, ctx),
                                   rewriter.getMultiDimIdentityMap(rank)};
      convW = linalg::GenericOp::create(rewriter, loc, TypeRange{convWType}, ValueRange{w},
                                        ValueRange{convInit}, wMaps, parallel,
                                        [](OpBuilder &b, Location l, ValueRange args) {
                                          linalg::YieldOp::create(b, l, args[0]);
                                        })
                  .getResult(0);
    } else {
      // Dynamic kernel sizes: the flip reads W with tensor.extract.
      convW = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{convWType}, ValueRange{}, ValueRange{convInit},
                  SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, parallel,
                  [&](OpBuilder &b, Location l, ValueRange) {
                    Value m = linalg::IndexOp::create(b, l, 0);
                    Value c = linalg::IndexOp::create(b, l, 1);
                    SmallVector<Value> indices;
                    if (group == 1) {
                      indices = {c, m};
                    } else {
                      Value gf = arith::ConstantIndexOp::create(b, l, groupFilters);
                      Value gc = arith::ConstantIndexOp::create(b, l, groupChannels);
                      indices = {arith::AddIOp::create(
                                     b, l,
                                     arith::MulIOp::create(
                                         b, l, arith::DivUIOp::create(b, l, m, gf), gc),
                                     c),
                                 arith::RemUIOp::create(b, l, m, gf)};
                    }
                    Value one = arith::ConstantIndexOp::create(b, l, 1);
                    for (int64_t i = 0; i < spatial; ++i)
                      indices.push_back(arith::SubIOp::create(
                          b, l, arith::SubIOp::create(b, l, (*kernel)[i], one),
                          linalg::IndexOp::create(b, l, 2 + i)));
                    Value v = tensor::ExtractOp::create(b, l, w, indices);
                    linalg::YieldOp::create(b, l, v);
                  })
                  .getResult(0);
    }

    Window window;
    window.kernel = *kernel;
    window.strides.assign(spatial, 1);
    window.dilations = dilations;
    window.padBegin.assign(spatial, cst(0));
    window.padEnd.assign(spatial, cst(0));
    window.extraEnd.assign(spatial, cst(0));
    window.out = out;
    SmallVector<Value> outSizes{dimSize(rewriter, loc, adaptor.getX(), 0), convSizes[0]};
    outSizes.append(out.begin(), out.end());
    Value init = buildConvInit(rewriter, loc, resultType, outSizes, adaptor.getB(), zero);
    rewriter.replaceOp(op, buildConvOp(rewriter, loc, spread, convW, init, group, window));
    return success();
  }
};

// --- MaxPool -----------------------------------------------------------------

struct MaxPoolPattern : DynamicShapePattern<onnx::MaxPoolOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getY(), inType,
                            resultType)))
      return failure();
    FailureOr<Window> w = resolveWindow(
        rewriter, loc, op, adaptor.getX(), resultType,
        kernelValues(rewriter, loc, op.getKernelShape()),
        op.getStrides(), op.getDilations(), op.getPads(), op.getAutoPad(), op.getCeilMode() != 0);
    if (failed(w))
      return failure();
    bool isUnsigned = isUnsignedElement(op.getX());
    Type elem = resultType.getElementType();
    Value lowest = lowestValue(rewriter, loc, elem, isUnsigned);
    Value input = padSpatial(rewriter, loc, adaptor.getX(), *w, lowest);
    SmallVector<Value> outSizes = poolOutSizes(rewriter, loc, adaptor.getX(), *w);
    if (!op.getIndices().use_empty()) {
      auto indicesType = getRankedType(*getTypeConverter(), op.getIndices());
      if (!indicesType || indicesType.getShape() != resultType.getShape())
        return rewriter.notifyMatchFailure(op, "Indices needs the shape of Y");
      int64_t storageOrder = op.getStorageOrder();
      if (storageOrder != 0 && storageOrder != 1)
        return op.emitError() << describeNode(op) << ": storage_order must be 0 or 1";
      auto [values, indices] =
          buildArgMaxWindow(rewriter, loc, input, adaptor.getX(), resultType, indicesType,
                            outSizes, *w, lowest, isUnsigned, storageOrder == 1);
      rewriter.replaceOp(op, ValueRange{values, indices});
      return success();
    }
    Value result = buildWindowReduction(
        rewriter, loc, input, resultType, outSizes, *w, lowest,
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
                                                   Value unpadded, RankedTensorType outType,
                                                   RankedTensorType indicesType,
                                                   ValueRange outSizes, const Window &w,
                                                   Value lowest, bool isUnsigned,
                                                   bool columnMajor) {
    size_t spatial = w.kernel.size();
    auto [maps, iterators] = windowGenericMaps(b.getContext(), w, /*outputs=*/2);
    Value windowShape = windowShapeTensor(b, loc, w, outType.getElementType());
    Value accValues = createFilled(b, loc, outType, outSizes, lowest);
    // -1 marks "no element taken yet".
    Value accIndices =
        createFilled(b, loc, indicesType, outSizes,
                          arith::ConstantIntOp::create(b, loc, b.getI64Type(), -1));
    SmallVector<Value> in;
    Value channels = dimSize(b, loc, unpadded, 1), spatialCount = cidx(b, loc, 1);
    for (size_t i = 0; i < spatial; ++i) {
      in.push_back(dimSize(b, loc, unpadded, 2 + i));
      spatialCount = imul(b, loc, spatialCount, in.back());
    }
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{outType, indicesType}, ValueRange{padded, windowShape},
        ValueRange{accValues, accIndices}, maps, iterators,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, l, v); };
          Value x = args[0], maxValue = args[2], maxIndex = args[3];
          // Image (n, c) starts at (n * C + c) * prod(spatial sizes).
          Value image = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, linalg::IndexOp::create(nb, l, 0), channels),
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
            pos = arith::SubIOp::create(nb, l, pos, w.padBegin[i]);
            Value geZero = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, pos, cst(0));
            Value ltSize = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, pos, in[i]);
            inside = arith::AndIOp::create(nb, l, inside,
                                           arith::AndIOp::create(nb, l, geZero, ltSize));
            positions.push_back(pos);
          }
          // Horner over the spatial dims: first to last (row major) or last to first.
          for (size_t j = 0; j < spatial; ++j) {
            size_t i = columnMajor ? spatial - 1 - j : j;
            flat = arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, flat, in[i]),
                                         positions[i]);
          }
          flat = arith::AddIOp::create(
              nb, l, arith::MulIOp::create(nb, l, image, spatialCount), flat);
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
                           ArrayRef<Value> lo, ArrayRef<Value> hi) {
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
          w.padBegin[i]);
      Value end = arith::AddIOp::create(nb, l, start, w.kernel[i]);
      start = arith::MaxSIOp::create(nb, l, start, lo[i]);
      end = arith::MinSIOp::create(nb, l, end, hi[i]);
      count = arith::MulIOp::create(nb, l, count, arith::SubIOp::create(nb, l, end, start));
    }
    Value wide = arith::IndexCastOp::create(nb, l, nb.getI64Type(), count);
    Value divisor = arith::SIToFPOp::create(nb, l, elem, wide);
    return arith::DivFOp::create(nb, l, args[0], divisor);
  });
}

struct AveragePoolPattern : DynamicShapePattern<onnx::AveragePoolOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::AveragePoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getY(), inType,
                            resultType)))
      return failure();
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return op.emitError() << describeNode(op) << ": only float element types are supported";
    FailureOr<Window> w = resolveWindow(
        rewriter, loc, op, adaptor.getX(), resultType,
        kernelValues(rewriter, loc, op.getKernelShape()),
        op.getStrides(), /*dilations=*/std::nullopt, op.getPads(), op.getAutoPad(),
        op.getCeilMode() != 0);
    if (failed(w))
      return failure();
    Value zero = scalarConstant(rewriter, loc, elem, 0);
    Value input = padSpatial(rewriter, loc, adaptor.getX(), *w, zero);
    SmallVector<Value> outSizes = poolOutSizes(rewriter, loc, adaptor.getX(), *w);
    Value sum = buildWindowReduction(rewriter, loc, input, resultType, outSizes, *w, zero,
                                     [](OpBuilder &b, Location l, Value acc, Value x) {
                                       return addScalar(b, l, acc, x);
                                     });

    // Elements that count: the input itself, or with count_include_pad the
    // explicitly (or auto-) padded input; the ceil_mode extension never.
    bool includePad = op.getCountIncludePad() != 0;
    SmallVector<Value> lo, hi;
    bool uniform = true;
    for (size_t i = 0; i < w->kernel.size(); ++i) {
      Value in = dimSize(rewriter, loc, adaptor.getX(), 2 + i);
      lo.push_back(includePad ? isub(rewriter, loc, cidx(rewriter, loc, 0), w->padBegin[i])
                              : cidx(rewriter, loc, 0));
      hi.push_back(includePad ? iadd(rewriter, loc, in, w->padEnd[i]) : in);
      uniform &= isConstant(w->extraEnd[i], 0) &&
                 (includePad || (isConstant(w->padBegin[i], 0) && isConstant(w->padEnd[i], 0)));
    }
    Value result;
    if (uniform) {
      double size = 1;
      for (int64_t k : op.getKernelShape())
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
                  ValueRange outSizes, const Window &w, int64_t p) {
  Type elem = resultType.getElementType();
  Value sum = buildWindowReduction(b, loc, padded, resultType, outSizes, w,
                                   scalarConstant(b, loc, elem, 0),
                                   [&](OpBuilder &nb, Location l, Value acc, Value x) {
                                     return addScalar(nb, l, acc, absPow(nb, l, x, p));
                                   });
  return buildElementwise(b, loc, resultType, ValueRange{sum},
                          [&](OpBuilder &nb, Location l, ValueRange args) {
                            return rootP(nb, l, args[0], p);
                          });
}

struct LpPoolPattern : DynamicShapePattern<onnx::LpPoolOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::LpPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getY(), inType,
                            resultType)))
      return failure();
    int64_t p = op.getP();
    if (p < 1)
      return op.emitError() << describeNode(op) << ": p must be positive";
    FailureOr<Window> w = resolveWindow(
        rewriter, loc, op, adaptor.getX(), resultType,
        kernelValues(rewriter, loc, op.getKernelShape()),
        op.getStrides(), /*dilations=*/std::nullopt, op.getPads(), op.getAutoPad());
    if (failed(w))
      return failure();
    Value zero = scalarConstant(rewriter, loc, resultType.getElementType(), 0);
    Value input = padSpatial(rewriter, loc, adaptor.getX(), *w, zero);
    rewriter.replaceOp(op, buildLpPool(rewriter, loc, input, resultType,
                                       poolOutSizes(rewriter, loc, adaptor.getX(), *w), *w, p));
    return success();
  }
};

// --- MaxUnpool ---------------------------------------------------------------

/// A zero output into which every X element is written at its flat index
/// from I (an index into the whole output, as MaxPool's Indices are), in
/// input order so that a repeated index keeps the last write; indices
/// outside the output are skipped. The output shape is the result type's
/// where static, else output_shape (constant or read at run time) or the
/// kernel geometry, (in - 1) * stride - pads + kernel.
struct MaxUnpoolPattern : DynamicShapePattern<onnx::MaxUnpoolOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::MaxUnpoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto indexType = dyn_cast<RankedTensorType>(adaptor.getI().getType());
    if (!indexType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getOutput(), inType,
                            resultType)))
      return failure();
    if (indexType.getRank() != inType.getRank() ||
        llvm::any_of(llvm::zip(indexType.getShape(), inType.getShape()), [](auto pair) {
          auto [i, x] = pair;
          return !ShapedType::isDynamic(i) && !ShapedType::isDynamic(x) && i != x;
        }))
      return op.emitError() << describeNode(op) << ": I must have the shape of X";
    int64_t rank = inType.getRank();
    Value outputShapeTensor = adaptor.getOutputShape();
    bool hasOutputShape = !isa<NoneType>(outputShapeTensor.getType());
    SmallVector<int64_t> outputShape;
    bool outputShapeConstant = succeeded(getConstantInts(op.getOutputShape(), outputShape));
    if (outputShapeConstant) {
      if (static_cast<int64_t>(outputShape.size()) != rank)
        return op.emitError() << describeNode(op)
                              << ": output_shape does not match the result type";
      for (int64_t d = 0; d < rank; ++d)
        if (!resultType.isDynamicDim(d) && outputShape[d] != resultType.getDimSize(d))
          return op.emitError() << describeNode(op)
                                << ": output_shape does not match the result type";
    }

    // Indices address the unpooled shape the kernel geometry implies; a
    // larger output_shape keeps each element at the same coordinates (as
    // ONNX's test data expects), so they are re-linearized into the result.
    int64_t spatial = rank - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    std::optional<ArrayRef<int64_t>> strides = op.getStrides(), pads = op.getPads();
    if (static_cast<int64_t>(kernel.size()) != spatial ||
        (strides && static_cast<int64_t>(strides->size()) != spatial) ||
        (pads && static_cast<int64_t>(pads->size()) != 2 * spatial))
      return op.emitError() << describeNode(op)
                            << ": kernel_shape, strides and pads must match the spatial rank";
    auto cst = [&](int64_t v) { return cidx(rewriter, loc, v); };
    Value x = adaptor.getX();
    SmallVector<Value> inSizes, implied, outSizes;
    for (int64_t d = 0; d < rank; ++d)
      inSizes.push_back(dimSize(rewriter, loc, x, d));
    implied.assign(inSizes.begin(), inSizes.begin() + 2);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t stride = strides ? (*strides)[i] : 1;
      int64_t padding = pads ? (*pads)[i] + (*pads)[spatial + i] : 0;
      implied.push_back(iadd(
          rewriter, loc,
          imul(rewriter, loc, isub(rewriter, loc, inSizes[2 + i], cst(1)), cst(stride)),
          cst(kernel[i] - padding)));
    }
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d))
        outSizes.push_back(cst(resultType.getDimSize(d)));
      else if (outputShapeConstant)
        outSizes.push_back(cst(outputShape[d]));
      else if (hasOutputShape)
        outSizes.push_back(arith::IndexCastOp::create(
            rewriter, loc, rewriter.getIndexType(),
            tensor::ExtractOp::create(rewriter, loc, outputShapeTensor, ValueRange{cst(d)})));
      else
        outSizes.push_back(implied[d]);
    }
    // Re-linearize unless the shapes are known to agree.
    bool relinearize = false;
    for (int64_t d = 0; d < rank; ++d) {
      if (outSizes[d] == implied[d])
        continue;
      std::optional<int64_t> o = getConstantIntValue(outSizes[d]),
                             m = getConstantIntValue(implied[d]);
      if (o && m && *o == *m)
        continue;
      if (o && m && d < 2)
        return op.emitError() << describeNode(op) << ": result must keep the N and C dims of X";
      relinearize = true;
    }

    Type elem = resultType.getElementType();
    Value count = cst(1), total = cst(1), impliedTotal = cst(1);
    for (int64_t d = 0; d < rank; ++d) {
      count = imul(rewriter, loc, count, inSizes[d]);
      total = imul(rewriter, loc, total, outSizes[d]);
      impliedTotal = imul(rewriter, loc, impliedTotal, implied[d]);
    }
    auto flatType = [&](Value size, Type e) {
      return RankedTensorType::get({getConstantIntValue(size).value_or(ShapedType::kDynamic)}, e);
    };
    Value flatX = reshapeToSizes(rewriter, loc, x, flatType(count, elem), ValueRange{count});
    Value indices =
        reshapeToSizes(rewriter, loc, adaptor.getI(),
                       flatType(count, indexType.getElementType()), ValueRange{count});
    Value init = createFilled(rewriter, loc, flatType(total, elem), ValueRange{total},
                                   scalarConstant(rewriter, loc, elem, 0));
    // Row-major strides of the result.
    SmallVector<Value> outStrides(rank);
    Value stride = cst(1);
    for (int64_t d = rank - 1; d >= 0; --d) {
      outStrides[d] = stride;
      stride = imul(rewriter, loc, stride, outSizes[d]);
    }
    auto loop = scf::ForOp::create(
        rewriter, loc, cst(0), count, cst(1), ValueRange{init},
        [&](OpBuilder &b, Location l, Value iv, ValueRange acc) {
          Value value = tensor::ExtractOp::create(b, l, flatX, ValueRange{iv});
          Value target = arith::IndexCastOp::create(
              b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, indices, ValueRange{iv}));
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value ge = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, target, zero);
          Value lt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, target,
                                           relinearize ? impliedTotal : total);
          Value inside = arith::AndIOp::create(b, l, ge, lt);
          if (relinearize) {
            // Delinearize over the implied shape, linearize over the result's.
            Value rest = target, flat = zero;
            for (int64_t d = rank - 1; d >= 0; --d) {
              Value coord = arith::RemSIOp::create(b, l, rest, implied[d]);
              rest = arith::DivSIOp::create(b, l, rest, implied[d]);
              inside = arith::AndIOp::create(
                  b, l, inside,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, coord, outSizes[d]));
              flat = arith::AddIOp::create(b, l, flat,
                                           arith::MulIOp::create(b, l, coord, outStrides[d]));
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
    rewriter.replaceOp(op, reshapeToSizes(rewriter, loc, loop.getResult(0), resultType, outSizes));
    return success();
  }
};

// --- Global pools ------------------------------------------------------------

/// A window covering all spatial dims of `input`, no padding.
Window globalWindow(OpBuilder &b, Location loc, Value input) {
  Window w;
  size_t rank = cast<RankedTensorType>(input.getType()).getRank() - 2;
  for (size_t i = 0; i < rank; ++i)
    w.kernel.push_back(dimSize(b, loc, input, 2 + i));
  w.strides.assign(rank, 1);
  w.dilations.assign(rank, 1);
  Value zero = cidx(b, loc, 0), one = cidx(b, loc, 1);
  w.padBegin.assign(rank, zero);
  w.padEnd.assign(rank, zero);
  w.extraEnd.assign(rank, zero);
  w.out.assign(rank, one);
  return w;
}

struct GlobalAveragePoolPattern : DynamicShapePattern<onnx::GlobalAveragePoolOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GlobalAveragePoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getY(), inType,
                            resultType, /*global=*/true)))
      return failure();
    Type elem = resultType.getElementType();
    if (!isa<FloatType>(elem))
      return op.emitError() << describeNode(op) << ": only float element types are supported";
    Window w = globalWindow(rewriter, loc, adaptor.getX());
    Value sum = buildWindowReduction(rewriter, loc, adaptor.getX(), resultType,
                                     poolOutSizes(rewriter, loc, adaptor.getX(), w), w,
                                     scalarConstant(rewriter, loc, elem, 0),
                                     [](OpBuilder &b, Location l, Value acc, Value x) {
                                       return addScalar(b, l, acc, x);
                                     });
    Value count = cidx(rewriter, loc, 1);
    for (Value k : w.kernel)
      count = imul(rewriter, loc, count, k);
    Value size;
    if (std::optional<int64_t> c = getConstantIntValue(count))
      size = scalarConstant(rewriter, loc, elem, static_cast<double>(*c));
    else
      size = arith::SIToFPOp::create(
          rewriter, loc, elem,
          arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), count));
    Value result = buildElementwise(rewriter, loc, resultType, ValueRange{sum},
                                    [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                                      return arith::DivFOp::create(b, l, args[0], size);
                                    });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GlobalMaxPoolPattern : DynamicShapePattern<onnx::GlobalMaxPoolOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GlobalMaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getY(), inType,
                            resultType, /*global=*/true)))
      return failure();
    bool isUnsigned = isUnsignedElement(op.getX());
    Value lowest = lowestValue(rewriter, loc, resultType.getElementType(), isUnsigned);
    Window w = globalWindow(rewriter, loc, adaptor.getX());
    Value result = buildWindowReduction(
        rewriter, loc, adaptor.getX(), resultType, poolOutSizes(rewriter, loc, adaptor.getX(), w),
        w, lowest, [&](OpBuilder &b, Location l, Value acc, Value x) {
          return maxScalars(b, l, acc, x, isUnsigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GlobalLpPoolPattern : DynamicShapePattern<onnx::GlobalLpPoolOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GlobalLpPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType inType, resultType;
    if (failed(getPoolTypes(rewriter, *getTypeConverter(), op, adaptor.getX(), op.getY(), inType,
                            resultType, /*global=*/true)))
      return failure();
    int64_t p = op.getP();
    if (p < 1)
      return op.emitError() << describeNode(op) << ": p must be positive";
    Window w = globalWindow(rewriter, loc, adaptor.getX());
    rewriter.replaceOp(op, buildLpPool(rewriter, loc, adaptor.getX(), resultType,
                                       poolOutSizes(rewriter, loc, adaptor.getX(), w), w, p));
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
