//===- Signal.cpp - DFT, STFT, window functions, MelWeightMatrix ----------===//
//
// Opset 17 signal operators. DFT and STFT are direct O(n^2) transforms: one
// linalg.generic reduces over the time index n into a real and an imaginary
// f64 accumulator with the twiddle angle
// 2*pi*((k*n) mod L)/L, reduced in integers first so that it stays accurate
// for long transforms; a second generic packs them into the trailing [.., 2]
// dim (and divides by L for the inverse DFT). Lengths given as run-time
// tensors (dft_length, frame_step, frame_length) are read in the body; the
// reduction then runs over a static upper bound and masks n >= L, so output
// shapes always come from the result type. As in the ONNX reference, a DFT
// zero-pads or truncates the signal to dft_length, and STFT frames are
// zero-padded past the signal's end.
// Hann, Hamming and Blackman windows are generalized cosine windows
// a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), N = size (periodic) or
// size - 1, computed in f64. MelWeightMatrix follows the ONNX reference
// bit for bit where it matters: the mel edges are computed in the edges'
// float type, the bin numbers in f64 and floored.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

#include <cmath>

using namespace mlir;

namespace smelt {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

/// Transforms twiddle and accumulate in f64, as the reference's complex128
/// FFT does: f32 twiddles leave errors far above atol on exact zeros (the
/// Nyquist bin's imaginary part).
Type transformType(Type elem) { return Float64Type::get(elem.getContext()); }

/// The mel edges' arithmetic type: f64 for f64, else f32 (the reference
/// computes in the edges' numpy type).
Type edgeComputeType(Type elem) {
  return elem.isF64() ? elem : Float32Type::get(elem.getContext());
}

/// Reads a signless integer scalar tensor as i64.
Value extractI64(OpBuilder &b, Location loc, Value tensor) {
  Value v = extractScalar(b, loc, tensor);
  return castScalar(b, loc, v, b.getI64Type(), false, false);
}

/// Reads a run-time length as i64, at least 1 (the twiddle divides by it).
Value extractLength(OpBuilder &b, Location loc, Value tensor) {
  return arith::MaxSIOp::create(b, loc, extractI64(b, loc, tensor),
                                arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1)));
}

/// A length operand: its value when it is an onnx.Constant, else null (read
/// at run time).
std::optional<int64_t> constantLength(Value value) {
  SmallVector<int64_t> values;
  if (succeeded(getConstantInts(value, values)) && values.size() == 1)
    return values.front();
  return std::nullopt;
}

/// One term of a DFT sum: (re, im) += x * exp(-+i 2 pi k n / L), masked to
/// the old value when `valid` (i1, may be null) is false.
std::pair<Value, Value> accumulateTerm(OpBuilder &b, Location loc, Value xr, Value xi, Value k,
                                       Value n, Value length, bool inverse, Value accRe,
                                       Value accIm, Value valid) {
  Type ft = accRe.getType();
  // (k * n) mod L in integers keeps the angle in [0, 2 pi).
  Value kn = arith::MulIOp::create(b, loc, k, n);
  Value phase = arith::RemUIOp::create(b, loc, kn, length);
  Value angle = arith::DivFOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, arith::UIToFPOp::create(b, loc, ft, phase),
                            scalarConstant(b, loc, ft, kTwoPi)),
      arith::UIToFPOp::create(b, loc, ft, length));
  Value c = math::CosOp::create(b, loc, angle);
  Value s = math::SinOp::create(b, loc, angle);
  if (!inverse)
    s = arith::NegFOp::create(b, loc, s);
  // (xr + i xi)(c + i s) = (xr c - xi s) + i (xi c + xr s).
  Value re = arith::MulFOp::create(b, loc, xr, c);
  Value im = arith::MulFOp::create(b, loc, xr, s);
  if (xi) {
    re = arith::SubFOp::create(b, loc, re, arith::MulFOp::create(b, loc, xi, s));
    im = arith::AddFOp::create(b, loc, im, arith::MulFOp::create(b, loc, xi, c));
  }
  Value newRe = arith::AddFOp::create(b, loc, accRe, re);
  Value newIm = arith::AddFOp::create(b, loc, accIm, im);
  if (valid) {
    newRe = arith::SelectOp::create(b, loc, valid, newRe, accRe);
    newIm = arith::SelectOp::create(b, loc, valid, newIm, accIm);
  }
  return {newRe, newIm};
}

/// Packs real and imaginary parts of shape outType[:-1] into outType
/// [..., 2], dividing both by `divisor` (i64, may be null).
Value packComplex(OpBuilder &b, Location loc, Value re, Value im, RankedTensorType outType,
                  Value divisor) {
  int64_t rank = outType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> prefix;
  for (int64_t i = 0; i < rank - 1; ++i)
    prefix.push_back(getAffineDimExpr(i, ctx));
  AffineMap partMap = AffineMap::get(rank, 0, prefix, ctx);
  SmallVector<AffineMap> maps = {partMap, partMap, b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{re, im},
             ValueRange{createEmpty(b, loc, outType)}, maps, parallel,
             [&](OpBuilder &nb, Location nloc, ValueRange args) {
               Value part = linalg::IndexOp::create(nb, nloc, rank - 1);
               Value isRe = arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::eq, part,
                                                  arith::ConstantIndexOp::create(nb, nloc, 0));
               Value v = arith::SelectOp::create(nb, nloc, isRe, args[0], args[1]);
               if (divisor)
                 v = arith::DivFOp::create(nb, nloc, v,
                                           arith::UIToFPOp::create(nb, nloc, v.getType(), divisor));
               linalg::YieldOp::create(
                   nb, nloc, castScalar(nb, nloc, v, outType.getElementType(), false, false));
             })
      .getResult(0);
}

/// Zero-filled accumulator of `shape` in the compute type.
Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type ft) {
  return createFilled(b, loc, RankedTensorType::get(shape, ft), scalarConstant(b, loc, ft, 0.0));
}

Value indexAsI64(OpBuilder &b, Location loc, int64_t dim) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, dim));
}

struct DftPattern : OpConversionPattern<onnx::DFTOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::DFTOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = getStaticType(*getTypeConverter(), op.getInput());
    auto outType = getStaticType(*getTypeConverter(), op.getOutput());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = inType.getRank();
    int64_t parts = rank >= 2 ? inType.getDimSize(rank - 1) : 0;
    if (parts != 1 && parts != 2)
      return op.emitError() << describeNode(op)
                            << ": input must end in a dim of 1 (real) or 2 (complex)";
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis < 0 || axis >= rank - 1)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " must name a signal dim, not the trailing complex dim";
    if (outType.getRank() != rank || outType.getDimSize(rank - 1) != 2)
      return op.emitError() << describeNode(op) << ": output must have the input's rank and "
                            << "end in a dim of 2";
    bool inverse = op.getInverse() != 0;
    int64_t inLen = inType.getDimSize(axis);

    // The DFT length L: static when absent or constant, else read at run time.
    std::optional<int64_t> staticLen = inLen;
    if (!isa<NoneType>(op.getDftLength().getType()))
      staticLen = constantLength(op.getDftLength());
    if (staticLen && *staticLen < 1)
      return op.emitError() << describeNode(op) << ": dft_length must be positive";
    Value length = staticLen ? Value(arith::ConstantOp::create(
                                   rewriter, loc, rewriter.getI64IntegerAttr(*staticLen)))
                             : extractLength(rewriter, loc, adaptor.getDftLength());
    // Samples past L are dropped (masked when L is only known at run time);
    // samples past the input are zeros and contribute nothing.
    int64_t reduceLen = staticLen ? std::min(inLen, *staticLen) : inLen;

    MLIRContext *ctx = rewriter.getContext();
    Type ft = transformType(inType.getElementType());
    // Iteration space: the output dims but the trailing one, then n.
    int64_t loops = rank;
    SmallVector<int64_t> partShape(outType.getShape().drop_back());
    SmallVector<AffineMap> maps;
    for (int64_t part = 0; part < parts; ++part) {
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < rank - 1; ++i)
        exprs.push_back(getAffineDimExpr(i == axis ? loops - 1 : i, ctx));
      exprs.push_back(getAffineConstantExpr(part, ctx));
      maps.push_back(AffineMap::get(loops, 0, exprs, ctx));
    }
    SmallVector<AffineExpr> prefix;
    for (int64_t i = 0; i < rank - 1; ++i)
      prefix.push_back(getAffineDimExpr(i, ctx));
    AffineMap outMap = AffineMap::get(loops, 0, prefix, ctx);
    maps.append({outMap, outMap});
    SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;

    // The reduction dim must be sized by an operand: slice the input to
    // reduceLen along the axis when it is shorter.
    Value input = adaptor.getInput();
    if (reduceLen != inLen) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)), sizes, strides(
                                                                              rank, rewriter.getIndexAttr(1));
      for (int64_t i = 0; i < rank; ++i)
        sizes.push_back(rewriter.getIndexAttr(i == axis ? reduceLen : inType.getDimSize(i)));
      input = tensor::ExtractSliceOp::create(rewriter, loc, input, offsets, sizes, strides);
    }
    SmallVector<Value> inputs(parts, input);
    Value zero = zeros(rewriter, loc, partShape, ft);
    bool masked = !staticLen;
    auto reduce = linalg::GenericOp::create(
        rewriter, loc, TypeRange{zero.getType(), zero.getType()}, inputs, ValueRange{zero, zero},
        maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value xr = castScalar(b, l, args[0], ft, false, false);
          Value xi = parts == 2 ? castScalar(b, l, args[1], ft, false, false) : Value();
          Value k = indexAsI64(b, l, axis), n = indexAsI64(b, l, loops - 1);
          Value valid = masked ? Value(arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, n,
                                                             length))
                               : Value();
          auto [re, im] = accumulateTerm(b, l, xr, xi, k, n, length, inverse, args[parts],
                                         args[parts + 1], valid);
          linalg::YieldOp::create(b, l, ValueRange{re, im});
        });
    rewriter.replaceOp(op, packComplex(rewriter, loc, reduce.getResult(0), reduce.getResult(1),
                                       outType, inverse ? length : Value()));
    return success();
  }
};

struct StftPattern : OpConversionPattern<onnx::STFTOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::STFTOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = getStaticType(*getTypeConverter(), op.getSignal());
    auto outType = getStaticType(*getTypeConverter(), op.getOutput());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (inType.getRank() != 3 || (inType.getDimSize(2) != 1 && inType.getDimSize(2) != 2))
      return op.emitError() << describeNode(op)
                            << ": signal must be [batch, length, 1] or [batch, length, 2]";
    if (outType.getRank() != 4 || outType.getDimSize(3) != 2 ||
        outType.getDimSize(0) != inType.getDimSize(0))
      return op.emitError() << describeNode(op) << ": output must be [batch, frames, bins, 2]";
    int64_t parts = inType.getDimSize(2), signalLen = inType.getDimSize(1);
    int64_t bins = outType.getDimSize(2);
    bool hasWindow = !isa<NoneType>(op.getWindow().getType());
    bool hasLength = !isa<NoneType>(op.getFrameLength().getType());
    int64_t windowLen = -1;
    if (hasWindow) {
      auto windowType = getStaticType(*getTypeConverter(), op.getWindow());
      if (!windowType || windowType.getRank() != 1)
        return op.emitError() << describeNode(op) << ": window must be a 1-D static tensor";
      windowLen = windowType.getDimSize(0);
    }

    // The DFT length L = frame_length, else the window's length, else the
    // signal's; each frame holds the window's length of samples (L without
    // a window), truncated or zero-padded to L.
    std::optional<int64_t> staticLen;
    if (hasLength)
      staticLen = constantLength(op.getFrameLength());
    else
      staticLen = hasWindow ? windowLen : signalLen;
    if (staticLen && *staticLen < 1)
      return op.emitError() << describeNode(op) << ": frame_length must be positive";
    int64_t reduceLen;
    if (hasWindow)
      reduceLen = staticLen ? std::min(windowLen, *staticLen) : windowLen;
    else if (staticLen)
      reduceLen = *staticLen;
    else // onesided: bins = L/2 + 1, so L <= 2 bins - 1; else bins = L.
      reduceLen = std::min(signalLen, op.getOnesided() ? 2 * bins - 1 : bins);
    Value length = staticLen ? Value(arith::ConstantOp::create(
                                   rewriter, loc, rewriter.getI64IntegerAttr(*staticLen)))
                             : extractLength(rewriter, loc, adaptor.getFrameLength());
    Value step = extractI64(rewriter, loc, adaptor.getFrameStep());
    bool masked = !staticLen;

    MLIRContext *ctx = rewriter.getContext();
    Type ft = transformType(inType.getElementType());
    // Iteration space (batch, frame, bin, n). The window (or, without one, a
    // reduceLen-long index vector) sizes the reduction dim.
    Value window = hasWindow ? adaptor.getWindow() : Value();
    if (hasWindow && reduceLen != windowLen)
      window = tensor::ExtractSliceOp::create(
          rewriter, loc, window, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(reduceLen)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)});
    if (!hasWindow)
      window = createFilled(rewriter, loc, RankedTensorType::get({reduceLen}, ft),
                            scalarConstant(rewriter, loc, ft, 1.0));
    AffineMap windowMap = AffineMap::get(4, 0, {getAffineDimExpr(3, ctx)}, ctx);
    AffineMap outMap = AffineMap::get(
        4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
    iterators[3] = utils::IteratorType::reduction;
    Value zero = zeros(rewriter, loc, outType.getShape().drop_back(), ft);
    Value signal = adaptor.getSignal();
    auto reduce = linalg::GenericOp::create(
        rewriter, loc, TypeRange{zero.getType(), zero.getType()}, ValueRange{window},
        ValueRange{zero, zero}, ArrayRef<AffineMap>{windowMap, outMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value frame = indexAsI64(b, l, 1), k = indexAsI64(b, l, 2), n = indexAsI64(b, l, 3);
          // Sample t = frame * step + n; past the signal's end it is zero.
          Value t = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, frame, step), n);
          Value valid = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::slt, t,
              arith::ConstantOp::create(b, l, b.getI64IntegerAttr(signalLen)));
          if (masked)
            valid = arith::AndIOp::create(
                b, l, valid, arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, n, length));
          Value safe = arith::SelectOp::create(
              b, l, valid, t, arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0)));
          Value ti = arith::IndexCastOp::create(b, l, b.getIndexType(), safe);
          Value batch = linalg::IndexOp::create(b, l, 0);
          Value w = castScalar(b, l, args[0], ft, false, false);
          auto sample = [&](int64_t part) {
            Value x = tensor::ExtractOp::create(
                b, l, signal,
                ValueRange{batch, ti, arith::ConstantIndexOp::create(b, l, part)});
            return Value(arith::MulFOp::create(b, l, castScalar(b, l, x, ft, false, false), w));
          };
          Value xr = sample(0), xi = parts == 2 ? sample(1) : Value();
          auto [re, im] =
              accumulateTerm(b, l, xr, xi, k, n, length, false, args[1], args[2], valid);
          linalg::YieldOp::create(b, l, ValueRange{re, im});
        });
    rewriter.replaceOp(op, packComplex(rewriter, loc, reduce.getResult(0), reduce.getResult(1),
                                       outType, Value()));
    return success();
  }
};

/// a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N) for Hann, Hamming, Blackman.
template <typename OpTy>
struct CosineWindowPattern : DynamicShapePattern<OpTy> {
  CosineWindowPattern(const TypeConverter &converter, MLIRContext *ctx, double a0, double a1,
                      double a2)
      : DynamicShapePattern<OpTy>(converter, ctx), a0(a0), a1(a1), a2(a2) {}

  LogicalResult matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = getRankedType(*this->getTypeConverter(), op.getOutput());
    if (!outType || outType.getRank() != 1)
      return rewriter.notifyMatchFailure(op, "needs a 1-D result");
    Type f64 = rewriter.getF64Type();
    // A static size comes from the result type (shape inference read the size
    // operand); a dynamic one is read from the size operand at run time. A
    // symmetric window of one sample is [1].
    SmallVector<Value> sizes;
    Value factor, degenerate;
    int64_t denominator = 0;
    if (outType.hasStaticShape()) {
      int64_t size = outType.getDimSize(0);
      denominator = op.getPeriodic() ? size : size - 1;
    } else {
      auto sizeType = dyn_cast<RankedTensorType>(adaptor.getSize().getType());
      if (!sizeType || sizeType.getNumElements() != 1)
        return op.emitError() << describeNode(op) << ": size must be a scalar";
      Value size = toIndex(rewriter, loc, extractScalar(rewriter, loc, adaptor.getSize()),
                           isUnsignedElement(op.getSize()));
      Value zero = indexConstant(rewriter, loc, 0);
      size = arith::MaxSIOp::create(rewriter, loc, size, zero);
      sizes.push_back(size);
      Value denom = op.getPeriodic()
                        ? size
                        : arith::SubIOp::create(rewriter, loc, size, indexConstant(rewriter, loc, 1));
      degenerate =
          arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sle, denom, zero);
      Value denomF = arith::UIToFPOp::create(
          rewriter, loc, f64,
          arith::IndexCastUIOp::create(rewriter, loc, rewriter.getI64Type(),
                                       arith::MaxSIOp::create(rewriter, loc, denom,
                                                              indexConstant(rewriter, loc, 1))));
      factor = arith::DivFOp::create(rewriter, loc, scalarConstant(rewriter, loc, f64, kTwoPi),
                                     denomF);
    }
    bool isUnsigned = isUnsignedElement(op.getOutput());
    Value result = linalg::GenericOp::create(
                       rewriter, loc, TypeRange{outType}, ValueRange{},
                       ValueRange{createEmpty(rewriter, loc, outType,
                                              sizes.empty() ? ValueRange{} : ValueRange{sizes})},
                       ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(1)},
                       ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
                       [&](OpBuilder &b, Location l, ValueRange) {
                         Value n = arith::UIToFPOp::create(b, l, f64, indexAsI64(b, l, 0));
                         Value v = scalarConstant(b, l, f64, 1.0);
                         if (denominator > 0 || factor) {
                           Value x = arith::MulFOp::create(
                               b, l, n,
                               factor ? factor
                                      : scalarConstant(b, l, f64, kTwoPi / denominator));
                           Value c1 = math::CosOp::create(b, l, x);
                           Value c2 = math::CosOp::create(
                               b, l,
                               arith::MulFOp::create(b, l, x, scalarConstant(b, l, f64, 2.0)));
                           Value w = arith::SubFOp::create(
                               b, l, scalarConstant(b, l, f64, a0),
                               arith::MulFOp::create(b, l, scalarConstant(b, l, f64, a1), c1));
                           if (a2 != 0.0)
                             w = arith::AddFOp::create(
                                 b, l, w,
                                 arith::MulFOp::create(b, l, scalarConstant(b, l, f64, a2), c2));
                           v = degenerate ? Value(arith::SelectOp::create(b, l, degenerate, v, w))
                                          : w;
                         }
                         linalg::YieldOp::create(b, l,
                                                 castScalar(b, l, v, outType.getElementType(),
                                                            false, isUnsigned));
                       })
                       .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }

  double a0, a1, a2;
};

struct MelWeightMatrixPattern : OpConversionPattern<onnx::MelWeightMatrixOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::MelWeightMatrixOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = getStaticType(*getTypeConverter(), op.getOutput());
    if (!outType || outType.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "needs a static 2-D result");
    int64_t melBins = outType.getDimSize(1);
    bool isUnsigned = isUnsignedElement(op.getOutput());
    Type f64 = rewriter.getF64Type(), i64 = rewriter.getI64Type();
    auto edgeType = cast<RankedTensorType>(adaptor.getLowerEdgeHertz().getType());
    Type et = edgeComputeType(edgeType.getElementType());

    // Scalars, read once outside the generic.
    Value dftLength = extractI64(rewriter, loc, adaptor.getDftLength());
    Value sampleRate = extractI64(rewriter, loc, adaptor.getSampleRate());
    auto hzToMel = [&](Value hz) {
      // 2595 * log10(1 + hz / 700) in the edges' type, as the reference.
      Value v = castScalar(rewriter, loc, hz, et, false, false);
      v = arith::DivFOp::create(rewriter, loc, v, scalarConstant(rewriter, loc, et, 700.0));
      v = arith::AddFOp::create(rewriter, loc, v, scalarConstant(rewriter, loc, et, 1.0));
      v = math::Log10Op::create(rewriter, loc, v);
      return Value(arith::MulFOp::create(rewriter, loc, v, scalarConstant(rewriter, loc, et, 2595.0)));
    };
    Value lowMel = hzToMel(extractScalar(rewriter, loc, adaptor.getLowerEdgeHertz()));
    Value highMel = hzToMel(extractScalar(rewriter, loc, adaptor.getUpperEdgeHertz()));
    Value melStep = arith::DivFOp::create(
        rewriter, loc, arith::SubFOp::create(rewriter, loc, highMel, lowMel),
        scalarConstant(rewriter, loc, et, static_cast<double>(melBins + 2)));
    Value lowMel64 = castScalar(rewriter, loc, lowMel, f64, false, false);
    Value melStep64 = castScalar(rewriter, loc, melStep, f64, false, false);
    Value scale = arith::SIToFPOp::create(
        rewriter, loc, f64,
        arith::AddIOp::create(rewriter, loc, dftLength,
                              arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(1))));
    Value rate = arith::SIToFPOp::create(rewriter, loc, f64, sampleRate);

    Value result = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, outType)},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(2)},
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                      utils::IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange) {
          auto cst = [&](double v) { return scalarConstant(b, l, f64, v); };
          auto icst = [&](int64_t v) {
            return Value(arith::ConstantOp::create(b, l, b.getI64IntegerAttr(v)));
          };
          Value j = indexAsI64(b, l, 0), i = indexAsI64(b, l, 1);
          // Bin of mel point m: floor((dft_length + 1) * hz(m) / sample_rate).
          auto bin = [&](int64_t offset) {
            Value m = arith::SIToFPOp::create(b, l, f64,
                                              arith::AddIOp::create(b, l, i, icst(offset)));
            Value mel = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, m, melStep64),
                                              lowMel64);
            Value hz = math::PowFOp::create(b, l, cst(10.0),
                                            arith::DivFOp::create(b, l, mel, cst(2595.0)));
            hz = arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, hz, cst(1.0)),
                                       cst(700.0));
            Value q = math::FloorOp::create(
                b, l, arith::DivFOp::create(b, l, arith::MulFOp::create(b, l, scale, hz), rate));
            return Value(arith::FPToSIOp::create(b, l, i64, q));
          };
          Value lo = bin(0), center = bin(1), hi = bin(2);
          auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
            return Value(arith::CmpIOp::create(b, l, p, x, y));
          };
          auto ratio = [&](Value num, Value den) {
            return Value(arith::DivFOp::create(b, l, arith::SIToFPOp::create(b, l, f64, num),
                                               arith::SIToFPOp::create(b, l, f64, den)));
          };
          using P = arith::CmpIPredicate;
          // Rising edge: (j - lo) / (center - lo) on [lo, center], or a
          // single 1 at center when lo == center.
          Value loToCenter = arith::SubIOp::create(b, l, center, lo);
          Value flat = cmp(P::eq, loToCenter, icst(0));
          Value inRise = arith::AndIOp::create(b, l, cmp(P::sle, lo, j), cmp(P::sle, j, center));
          Value safeRise = arith::SelectOp::create(b, l, flat, icst(1), loToCenter);
          Value rise = arith::SelectOp::create(
              b, l, flat, arith::SelectOp::create(b, l, cmp(P::eq, j, center), cst(1), cst(0)),
              arith::SelectOp::create(b, l, inRise,
                                      ratio(arith::SubIOp::create(b, l, j, lo), safeRise),
                                      cst(0)));
          // Falling edge (written last, so it wins): (hi - j) / (hi - center)
          // on [center, hi).
          Value centerToHi = arith::SubIOp::create(b, l, hi, center);
          Value inFall = arith::AndIOp::create(
              b, l, cmp(P::sgt, centerToHi, icst(0)),
              arith::AndIOp::create(b, l, cmp(P::sle, center, j), cmp(P::slt, j, hi)));
          Value safeFall = arith::SelectOp::create(b, l, inFall, centerToHi, icst(1));
          Value v = arith::SelectOp::create(
              b, l, inFall, ratio(arith::SubIOp::create(b, l, hi, j), safeFall), rise);
          linalg::YieldOp::create(
              b, l, castScalar(b, l, v, outType.getElementType(), false, isUnsigned));
        })
        .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateSignalPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<DftPattern, StftPattern, MelWeightMatrixPattern>(converter, ctx);
  patterns.add<CosineWindowPattern<onnx::HannWindowOp>>(converter, ctx, 0.5, 0.5, 0.0);
  patterns.add<CosineWindowPattern<onnx::HammingWindowOp>>(converter, ctx, 25.0 / 46.0,
                                                           21.0 / 46.0, 0.0);
  patterns.add<CosineWindowPattern<onnx::BlackmanWindowOp>>(converter, ctx, 0.42, 0.5, 0.08);
}

} // namespace smelt
