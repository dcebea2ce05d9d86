//===- Signal.cpp - DFT, STFT, window functions, MelWeightMatrix ----------===//
//
// Opset 17 signal operators. DFT and STFT are direct O(n^2) transforms: one
// linalg.generic reduces over the time index n into a real and an imaginary
// f64 accumulator with the twiddle angle
// 2*pi*((k*n) mod L)/L, reduced in integers first so that it stays accurate
// for long transforms; a second generic packs them into the trailing [.., 2]
// dim (and divides by L for the inverse DFT). Lengths given as run-time
// tensors (dft_length, frame_step, frame_length) are read at run time: the
// reduction masks n >= L where its dim is sized by the signal or window, and
// dynamic output dims follow ONNX's formulas (bins L or L/2 + 1, frames
// (signal - L) / step + 1). As in the ONNX reference, a DFT
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
/// [..., 2], dividing both by `divisor` (i64, may be null). `sizes` holds
/// the parts' dims.
Value packComplex(OpBuilder &b, Location loc, Value re, Value im, RankedTensorType outType,
                  ValueRange sizes, Value divisor) {
  int64_t rank = outType.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> prefix;
  for (int64_t i = 0; i < rank - 1; ++i)
    prefix.push_back(getAffineDimExpr(i, ctx));
  AffineMap partMap = AffineMap::get(rank, 0, prefix, ctx);
  SmallVector<AffineMap> maps = {partMap, partMap, b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
  SmallVector<Value> outSizes(sizes);
  outSizes.push_back(arith::ConstantIndexOp::create(b, loc, 2));
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{re, im},
             ValueRange{createEmpty(b, loc, outType, outSizes)}, maps, parallel,
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

/// The transform length L as i64: `staticLen` when known at compile time,
/// else the run-time `lengthTensor` (at least 1), else `fallback()` (an index,
/// the signal's or window's length).
Value transformLength(OpBuilder &b, Location loc, std::optional<int64_t> staticLen,
                      Value lengthTensor, llvm::function_ref<Value()> fallback) {
  if (staticLen)
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(*staticLen));
  if (lengthTensor)
    return extractLength(b, loc, lengthTensor);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), fallback());
}

/// The number of bins of a transform of length `length` (i64): L/2 + 1
/// when onesided, else L; as an index.
Value binCount(OpBuilder &b, Location loc, Value length, bool onesided) {
  Value bins = length;
  if (onesided)
    bins = arith::AddIOp::create(
        b, loc,
        arith::DivUIOp::create(b, loc, length,
                               arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(2))),
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1)));
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), bins);
}

/// Zero-filled accumulator of `shape` (dims sized by `sizes`) in the
/// compute type.
Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ValueRange sizes, Type ft) {
  return createFilled(b, loc, RankedTensorType::get(shape, ft), sizes,
                      scalarConstant(b, loc, ft, 0.0));
}

Value indexAsI64(OpBuilder &b, Location loc, int64_t dim) {
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), linalg::IndexOp::create(b, loc, dim));
}

struct DftPattern : DynamicShapePattern<onnx::DFTOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::DFTOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto outType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    int64_t rank = inType.getRank();
    int64_t parts = rank >= 2 ? inType.getDimSize(rank - 1) : 0;
    if (rank < 2 || (!ShapedType::isDynamic(parts) && parts != 1 && parts != 2))
      return op.emitError() << describeNode(op)
                            << ": input must end in a dim of 1 (real) or 2 (complex)";
    int64_t axis = normalizeAxis(op.getAxis(), rank);
    if (axis < 0 || axis >= rank - 1)
      return op.emitError() << describeNode(op) << ": axis " << op.getAxis()
                            << " must name a signal dim, not the trailing complex dim";
    if (outType.getRank() != rank ||
        (!outType.isDynamicDim(rank - 1) && outType.getDimSize(rank - 1) != 2))
      return op.emitError() << describeNode(op) << ": output must have the input's rank and "
                            << "end in a dim of 2";
    bool inverse = op.getInverse() != 0;
    int64_t inLen = inType.getDimSize(axis);
    Value input = adaptor.getInput();

    // The DFT length L: the signal's when dft_length is absent, else
    // dft_length's value, a constant or read at run time.
    bool given = !isa<NoneType>(op.getDftLength().getType());
    std::optional<int64_t> staticLen;
    if (given)
      staticLen = constantLength(op.getDftLength());
    else if (!ShapedType::isDynamic(inLen))
      staticLen = inLen;
    if (staticLen && *staticLen < 1)
      return op.emitError() << describeNode(op) << ": dft_length must be positive";
    Value length =
        transformLength(rewriter, loc, staticLen, given ? adaptor.getDftLength() : Value(),
                        [&] { return dimSize(rewriter, loc, input, axis); });
    // Samples past L are dropped: sliced off for a constant L, masked for a
    // run-time dft_length; samples past the input are zeros and contribute
    // nothing.
    bool masked = given && !staticLen;
    if (given && staticLen && (ShapedType::isDynamic(inLen) || *staticLen < inLen)) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)),
          strides(rank, rewriter.getIndexAttr(1)), sizes;
      for (int64_t i = 0; i < rank; ++i)
        sizes.push_back(inType.isDynamicDim(i)
                            ? OpFoldResult(dimSize(rewriter, loc, input, i))
                            : OpFoldResult(rewriter.getIndexAttr(inType.getDimSize(i))));
      sizes[axis] = ShapedType::isDynamic(inLen)
                        ? OpFoldResult(arith::MinUIOp::create(
                              rewriter, loc, dimSize(rewriter, loc, input, axis),
                              arith::ConstantIndexOp::create(rewriter, loc, *staticLen)))
                        : rewriter.getIndexAttr(*staticLen);
      input = tensor::ExtractSliceOp::create(rewriter, loc, input, offsets, sizes, strides);
    }

    MLIRContext *ctx = rewriter.getContext();
    Type ft = transformType(inType.getElementType());
    // Iteration space: the output dims but the trailing one, then n.
    int64_t loops = rank;
    SmallVector<int64_t> partShape(outType.getShape().drop_back());
    SmallVector<Value> partSizes;
    for (int64_t i = 0; i < rank - 1; ++i) {
      if (!outType.isDynamicDim(i))
        partSizes.push_back(arith::ConstantIndexOp::create(rewriter, loc, outType.getDimSize(i)));
      else if (i == axis)
        partSizes.push_back(binCount(rewriter, loc, length, op.getOnesided() != 0));
      else
        partSizes.push_back(dimSize(rewriter, loc, input, i));
    }
    auto inputMap = [&](int64_t part) {
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < rank - 1; ++i)
        exprs.push_back(getAffineDimExpr(i == axis ? loops - 1 : i, ctx));
      exprs.push_back(getAffineConstantExpr(part, ctx));
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    // A complex part known only at run time is read in the body.
    bool readImaginary = parts == 2, maybeComplex = ShapedType::isDynamic(parts);
    SmallVector<Value> inputs{input};
    SmallVector<AffineMap> maps{inputMap(0)};
    if (readImaginary) {
      inputs.push_back(input);
      maps.push_back(inputMap(1));
    }
    SmallVector<AffineExpr> prefix;
    for (int64_t i = 0; i < rank - 1; ++i)
      prefix.push_back(getAffineDimExpr(i, ctx));
    AffineMap outMap = AffineMap::get(loops, 0, prefix, ctx);
    maps.append({outMap, outMap});
    SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::parallel);
    iterators.back() = utils::IteratorType::reduction;

    Value partCount = maybeComplex ? dimSize(rewriter, loc, input, rank - 1) : Value();
    Value zero = zeros(rewriter, loc, partShape, partSizes, ft);
    unsigned accIndex = inputs.size();
    auto reduce = linalg::GenericOp::create(
        rewriter, loc, TypeRange{zero.getType(), zero.getType()}, inputs, ValueRange{zero, zero},
        maps, iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value xr = castScalar(b, l, args[0], ft, false, false);
          Value xi = readImaginary ? castScalar(b, l, args[1], ft, false, false) : Value();
          Value k = indexAsI64(b, l, axis), n = indexAsI64(b, l, loops - 1);
          if (maybeComplex) {
            Value isComplex = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, partCount,
                                                    arith::ConstantIndexOp::create(b, l, 2));
            SmallVector<Value> at;
            for (int64_t i = 0; i < rank - 1; ++i)
              at.push_back(linalg::IndexOp::create(b, l, i == axis ? loops - 1 : i));
            at.push_back(arith::SelectOp::create(b, l, isComplex,
                                                 arith::ConstantIndexOp::create(b, l, 1),
                                                 arith::ConstantIndexOp::create(b, l, 0)));
            Value read = castScalar(b, l, tensor::ExtractOp::create(b, l, input, at), ft, false,
                                    false);
            xi = arith::SelectOp::create(b, l, isComplex, read, scalarConstant(b, l, ft, 0.0));
          }
          Value valid = masked ? Value(arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, n,
                                                             length))
                               : Value();
          auto [re, im] = accumulateTerm(b, l, xr, xi, k, n, length, inverse, args[accIndex],
                                         args[accIndex + 1], valid);
          linalg::YieldOp::create(b, l, ValueRange{re, im});
        });
    rewriter.replaceOp(op, packComplex(rewriter, loc, reduce.getResult(0), reduce.getResult(1),
                                       outType, partSizes, inverse ? length : Value()));
    return success();
  }
};

struct StftPattern : DynamicShapePattern<onnx::STFTOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::STFTOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value signal = adaptor.getSignal();
    auto inType = dyn_cast<RankedTensorType>(signal.getType());
    auto outType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    int64_t parts = inType.getRank() == 3 ? inType.getDimSize(2) : 0;
    if (inType.getRank() != 3 || (!ShapedType::isDynamic(parts) && parts != 1 && parts != 2))
      return op.emitError() << describeNode(op)
                            << ": signal must be [batch, length, 1] or [batch, length, 2]";
    if (outType.getRank() != 4 ||
        (!outType.isDynamicDim(3) && outType.getDimSize(3) != 2))
      return op.emitError() << describeNode(op) << ": output must be [batch, frames, bins, 2]";
    bool hasWindow = !isa<NoneType>(op.getWindow().getType());
    bool hasLength = !isa<NoneType>(op.getFrameLength().getType());
    Value window = hasWindow ? adaptor.getWindow() : Value();
    int64_t windowLen = ShapedType::kDynamic;
    if (hasWindow) {
      auto windowType = dyn_cast<RankedTensorType>(window.getType());
      if (!windowType || windowType.getRank() != 1)
        return op.emitError() << describeNode(op) << ": window must be a 1-D tensor";
      windowLen = windowType.getDimSize(0);
    }

    // The DFT length L = frame_length, else the window's length, else the
    // signal's; each frame holds the window's samples (L without a window),
    // truncated or zero-padded to L.
    std::optional<int64_t> staticLen;
    if (hasLength)
      staticLen = constantLength(op.getFrameLength());
    else if (hasWindow && !ShapedType::isDynamic(windowLen))
      staticLen = windowLen;
    else if (!hasWindow && !inType.isDynamicDim(1))
      staticLen = inType.getDimSize(1);
    if (staticLen && *staticLen < 1)
      return op.emitError() << describeNode(op) << ": frame_length must be positive";
    Value length = transformLength(
        rewriter, loc, staticLen, hasLength ? adaptor.getFrameLength() : Value(), [&] {
          return hasWindow ? dimSize(rewriter, loc, window, 0) : dimSize(rewriter, loc, signal, 1);
        });
    Value step = extractI64(rewriter, loc, adaptor.getFrameStep());
    Value signalLen = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                                 dimSize(rewriter, loc, signal, 1));

    MLIRContext *ctx = rewriter.getContext();
    Type ft = transformType(inType.getElementType());
    // The reduction dim n is sized by the window (cut to a constant L when
    // shorter; masked at n < L for a run-time frame_length) or, without a
    // window, by a vector of L ones.
    bool masked = hasWindow && hasLength && !staticLen;
    if (hasWindow && staticLen && (ShapedType::isDynamic(windowLen) || *staticLen < windowLen)) {
      OpFoldResult size =
          ShapedType::isDynamic(windowLen)
              ? OpFoldResult(arith::MinUIOp::create(
                    rewriter, loc, dimSize(rewriter, loc, window, 0),
                    arith::ConstantIndexOp::create(rewriter, loc, *staticLen)))
              : rewriter.getIndexAttr(*staticLen);
      window = tensor::ExtractSliceOp::create(
          rewriter, loc, window, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{size}, ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)});
    }
    if (!hasWindow) {
      auto onesType = RankedTensorType::get({staticLen ? *staticLen : ShapedType::kDynamic}, ft);
      window = createFilled(rewriter, loc, onesType,
                            ValueRange{arith::IndexCastOp::create(rewriter, loc,
                                                                  rewriter.getIndexType(), length)},
                            scalarConstant(rewriter, loc, ft, 1.0));
    }

    // Output [batch, frames, bins]: frames = (signal - L) / step + 1.
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < 3; ++d) {
      if (!outType.isDynamicDim(d)) {
        sizes.push_back(arith::ConstantIndexOp::create(rewriter, loc, outType.getDimSize(d)));
        continue;
      }
      if (d == 0) {
        sizes.push_back(dimSize(rewriter, loc, signal, 0));
      } else if (d == 1) {
        Value frames = arith::AddIOp::create(
            rewriter, loc,
            arith::DivSIOp::create(rewriter, loc,
                                   arith::SubIOp::create(rewriter, loc, signalLen, length), step),
            arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(1)));
        sizes.push_back(arith::IndexCastOp::create(
            rewriter, loc, rewriter.getIndexType(),
            arith::MaxSIOp::create(rewriter, loc, frames,
                                   arith::ConstantOp::create(rewriter, loc,
                                                             rewriter.getI64IntegerAttr(0)))));
      } else {
        sizes.push_back(binCount(rewriter, loc, length, op.getOnesided() != 0));
      }
    }

    // Iteration space (batch, frame, bin, n).
    AffineMap windowMap = AffineMap::get(4, 0, {getAffineDimExpr(3, ctx)}, ctx);
    AffineMap outMap = AffineMap::get(
        4, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
    SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
    iterators[3] = utils::IteratorType::reduction;
    Value zero = zeros(rewriter, loc, outType.getShape().drop_back(), sizes, ft);
    Value partCount = ShapedType::isDynamic(parts) ? dimSize(rewriter, loc, signal, 2) : Value();
    auto reduce = linalg::GenericOp::create(
        rewriter, loc, TypeRange{zero.getType(), zero.getType()}, ValueRange{window},
        ValueRange{zero, zero}, ArrayRef<AffineMap>{windowMap, outMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value frame = indexAsI64(b, l, 1), k = indexAsI64(b, l, 2), n = indexAsI64(b, l, 3);
          // Sample t = frame * step + n; past the signal's end it is zero.
          Value t = arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, frame, step), n);
          Value valid = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t, signalLen);
          if (masked)
            valid = arith::AndIOp::create(
                b, l, valid, arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, n, length));
          Value safe = arith::SelectOp::create(
              b, l, valid, t, arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0)));
          Value ti = arith::IndexCastOp::create(b, l, b.getIndexType(), safe);
          Value batch = linalg::IndexOp::create(b, l, 0);
          Value w = castScalar(b, l, args[0], ft, false, false);
          auto sample = [&](Value part) {
            Value x = tensor::ExtractOp::create(b, l, signal, ValueRange{batch, ti, part});
            return Value(arith::MulFOp::create(b, l, castScalar(b, l, x, ft, false, false), w));
          };
          Value xr = sample(arith::ConstantIndexOp::create(b, l, 0)), xi;
          if (parts == 2) {
            xi = sample(arith::ConstantIndexOp::create(b, l, 1));
          } else if (partCount) {
            Value isComplex = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, partCount,
                                                    arith::ConstantIndexOp::create(b, l, 2));
            Value imag = sample(arith::SelectOp::create(b, l, isComplex,
                                                        arith::ConstantIndexOp::create(b, l, 1),
                                                        arith::ConstantIndexOp::create(b, l, 0)));
            xi = arith::SelectOp::create(b, l, isComplex, imag, scalarConstant(b, l, ft, 0.0));
          }
          auto [re, im] =
              accumulateTerm(b, l, xr, xi, k, n, length, false, args[1], args[2], valid);
          linalg::YieldOp::create(b, l, ValueRange{re, im});
        });
    rewriter.replaceOp(op, packComplex(rewriter, loc, reduce.getResult(0), reduce.getResult(1),
                                       outType, sizes, Value()));
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

struct MelWeightMatrixPattern : DynamicShapePattern<onnx::MelWeightMatrixOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::MelWeightMatrixOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!outType || outType.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "needs a ranked 2-D result");
    bool isUnsigned = isUnsignedElement(op.getOutput());
    Type f64 = rewriter.getF64Type(), i64 = rewriter.getI64Type();
    auto edgeType = cast<RankedTensorType>(adaptor.getLowerEdgeHertz().getType());
    Type et = edgeComputeType(edgeType.getElementType());

    // Scalars, read once outside the generic; they also give the output's
    // dims, [dft_length / 2 + 1, num_mel_bins].
    Value dftLength = extractI64(rewriter, loc, adaptor.getDftLength());
    Value sampleRate = extractI64(rewriter, loc, adaptor.getSampleRate());
    Value melBins = extractI64(rewriter, loc, adaptor.getNumMelBins());
    SmallVector<Value> sizes{binCount(rewriter, loc, dftLength, /*onesided=*/true),
                             arith::IndexCastOp::create(rewriter, loc,
                                                        rewriter.getIndexType(), melBins)};
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
        castScalar(rewriter, loc,
                   arith::AddIOp::create(rewriter, loc, melBins,
                                         arith::ConstantOp::create(
                                             rewriter, loc, rewriter.getI64IntegerAttr(2))),
                   et, false, false));
    Value lowMel64 = castScalar(rewriter, loc, lowMel, f64, false, false);
    Value melStep64 = castScalar(rewriter, loc, melStep, f64, false, false);
    Value scale = arith::SIToFPOp::create(
        rewriter, loc, f64,
        arith::AddIOp::create(rewriter, loc, dftLength,
                              arith::ConstantOp::create(rewriter, loc, rewriter.getI64IntegerAttr(1))));
    Value rate = arith::SIToFPOp::create(rewriter, loc, f64, sampleRate);

    Value result = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, ValueRange{},
        ValueRange{createEmpty(rewriter, loc, outType, sizes)},
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
