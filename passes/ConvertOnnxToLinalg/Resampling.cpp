//===- Resampling.cpp - Resize and RoiAlign to linalg -----------------------===//
//
// Resize (opset 13 semantics, plus opset 11's tf_half_pixel_for_nn) over any
// rank: one linalg.generic over the output whose body maps each output
// coordinate to a source coordinate (linalg.index, the scale and, for
// tf_crop_and_resize, the roi) and reads the input taps with tensor.extract
// at clamped indices, as the ONNX reference does by edge padding. Modes
// nearest (any element type), linear and cubic (float) are separable: n-D
// interpolation sums the product of the per-dim weights over all taps.
// Scales and roi may be constants or runtime tensors (read in the body).
// The output size comes from the result type where static, else at run
// time from floor(in * scale) or from `sizes`; input sizes may be dynamic.
// With `sizes`, the scale of a dim is out / in. As in the reference, the resized length used
// by align_corners, pytorch_half_pixel and tf_crop_and_resize is scale * in,
// not the rounded output size, and coordinates are computed in f64.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineMap.h"

#include <cmath>

using namespace mlir;

namespace smelt {
namespace {

/// Reads a float constant tensor operand (onnx.Constant).
LogicalResult getConstantFloats(Value value, SmallVectorImpl<double> &values) {
  auto constant = value.getDefiningOp<onnx::ConstantOp>();
  if (!constant || !constant.getValueAttr())
    return failure();
  auto elements = dyn_cast<DenseFPElementsAttr>(*constant.getValue());
  if (!elements)
    return failure();
  for (const APFloat &v : elements.getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return success();
}

/// Number of elements of a static tensor operand; -1 for none or dynamic.
int64_t staticNumElements(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() ? type.getNumElements() : -1;
}

/// One input position an output element reads, with its weight (null for
/// weight 1 in nearest mode and for dims that are not resized).
struct Tap {
  Value index;
  Value weight;
};

/// The ONNX reference's cubic convolution weights of the taps at
/// floor(x) - 1 .. floor(x) + 2 for the fraction `r` of x.
SmallVector<Value> cubicWeights(OpBuilder &b, Location loc, Value r, double a) {
  auto cst = [&](double v) { return scalarConstant(b, loc, b.getF64Type(), v); };
  auto add = [&](Value x, Value y) { return Value(arith::AddFOp::create(b, loc, x, y)); };
  auto sub = [&](Value x, Value y) { return Value(arith::SubFOp::create(b, loc, x, y)); };
  auto mul = [&](Value x, Value y) { return Value(arith::MulFOp::create(b, loc, x, y)); };
  // Near taps (distance t in [0, 1]): ((A + 2) t - (A + 3)) t^2 + 1.
  auto near = [&](Value t) {
    return add(mul(mul(sub(mul(cst(a + 2), t), cst(a + 3)), t), t), cst(1));
  };
  // Far taps (distance t in [1, 2]): ((A t - 5A) t + 8A) t - 4A.
  auto far = [&](Value t) {
    return sub(mul(add(mul(sub(mul(cst(a), t), cst(5 * a)), t), cst(8 * a)), t), cst(4 * a));
  };
  Value oneMinus = sub(cst(1), r);
  return {far(add(r, cst(1))), near(r), near(oneMinus), far(add(oneMinus, cst(1)))};
}

/// An index value as f64.
Value indexToF64(OpBuilder &b, Location loc, Value index) {
  return arith::SIToFPOp::create(b, loc, b.getF64Type(),
                                 arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
}

struct ResizePattern : OpConversionPattern<onnx::ResizeOp> {
  ResizePattern(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context) {
    addDebugLabels(kDynamicShapesLabel);
  }
  LogicalResult matchAndRewrite(onnx::ResizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    if (!resultType || !inType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    auto fail = [&](const Twine &message) {
      return op.emitError() << describeNode(op) << ": " << message;
    };
    int64_t rank = inType.getRank();
    if (resultType.getRank() != rank)
      return fail("result rank differs from the input rank");
    Type elem = resultType.getElementType();
    StringRef mode = op.getMode(), coordMode = op.getCoordinateTransformationMode(),
              nearestMode = op.getNearestMode();
    if (mode != "nearest" && mode != "linear" && mode != "cubic")
      return fail("mode '" + mode + "' is not supported");
    if (!isa<FloatType>(elem) && !(mode == "nearest" && isa<IntegerType>(elem)))
      return fail("mode '" + mode + "' needs a float element type");
    if (coordMode != "half_pixel" && coordMode != "pytorch_half_pixel" &&
        coordMode != "align_corners" && coordMode != "asymmetric" &&
        coordMode != "tf_crop_and_resize" && coordMode != "tf_half_pixel_for_nn")
      return fail("coordinate_transformation_mode '" + coordMode + "' is not supported");
    if (nearestMode != "round_prefer_floor" && nearestMode != "round_prefer_ceil" &&
        nearestMode != "floor" && nearestMode != "ceil")
      return fail("nearest_mode '" + nearestMode + "' is not supported");

    // Scales (constant or read at run time) or sizes (out / in). A scales
    // input of unknown length counts as given when there are no sizes.
    int64_t scalesCount = staticNumElements(op.getScales());
    int64_t sizesCount = staticNumElements(op.getSizes());
    bool useScales = scalesCount == rank || (!isNone(op.getScales()) && scalesCount < 0 &&
                                             isNone(op.getSizes()));
    bool sizesUsable = sizesCount == rank || (!isNone(op.getSizes()) && sizesCount < 0);
    if (!useScales && !isNone(op.getScales()) && scalesCount < 0 && sizesUsable)
      return fail("scales and sizes both given, scales of unknown length: cannot choose "
                  "between them at compile time");
    if (!useScales && !sizesUsable)
      return fail("needs scales or sizes with " + Twine(rank) + " elements");
    SmallVector<double> constScales, constRoi;
    bool scalesConstant = false, roiConstant = false;
    if (useScales)
      scalesConstant = succeeded(getConstantFloats(op.getScales(), constScales));
    bool crop = coordMode == "tf_crop_and_resize";
    if (crop) {
      // A roi of unknown length is trusted to have 2 * rank elements.
      auto roiType = dyn_cast<RankedTensorType>(op.getRoi().getType());
      bool unknownLength = roiType && roiType.getRank() == 1 && roiType.isDynamicDim(0);
      if (!unknownLength && staticNumElements(op.getRoi()) != 2 * rank)
        return fail("tf_crop_and_resize needs roi with " + Twine(2 * rank) + " elements");
      roiConstant = succeeded(getConstantFloats(op.getRoi(), constRoi));
    }
    ArrayRef<int64_t> in = inType.getShape(), out = resultType.getShape();
    // Dynamic sizes: input sizes, output sizes (from scales, floor(in *
    // scale), or from sizes) and, with sizes, the scale are computed here,
    // outside the generic.
    SmallVector<Value> inSizes, outSizes, inF64(rank), outerScale(rank);
    for (int64_t d = 0; d < rank; ++d) {
      inSizes.push_back(dimSize(rewriter, loc, adaptor.getX(), d));
      if (ShapedType::isDynamic(in[d]))
        inF64[d] = indexToF64(rewriter, loc, inSizes[d]);
    }
    Type f64 = rewriter.getF64Type();
    auto readOuterF64 = [&](Value tensor, int64_t i) -> Value {
      Value index = arith::ConstantIndexOp::create(rewriter, loc, i);
      Value v = tensor::ExtractOp::create(rewriter, loc, tensor, ValueRange{index});
      return castScalar(rewriter, loc, v, f64, false, false);
    };
    for (int64_t d = 0; d < rank; ++d) {
      if (!ShapedType::isDynamic(out[d])) {
        outSizes.push_back(arith::ConstantIndexOp::create(rewriter, loc, out[d]));
        continue;
      }
      Value inF = inF64[d] ? inF64[d] : scalarConstant(rewriter, loc, f64, in[d]);
      Value size;
      if (useScales && scalesConstant && constScales[d] == 1.0) {
        size = inSizes[d];
      } else if (useScales) {
        Value scale = scalesConstant ? scalarConstant(rewriter, loc, f64, constScales[d])
                                     : readOuterF64(adaptor.getScales(), d);
        Value scaled = math::FloorOp::create(rewriter, loc,
                                             arith::MulFOp::create(rewriter, loc, inF, scale));
        size = arith::IndexCastOp::create(
            rewriter, loc, rewriter.getIndexType(),
            arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(), scaled));
      } else {
        Value v = tensor::ExtractOp::create(
            rewriter, loc, adaptor.getSizes(),
            ValueRange{arith::ConstantIndexOp::create(rewriter, loc, d)});
        size = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), v);
      }
      outSizes.push_back(size);
    }
    if (llvm::any_of(out, ShapedType::isDynamic))
      outSizes = checkDataDependentSizes(rewriter, loc, outSizes, op,
                                         "the output sizes must be >= 0 and at most 2^31 "
                                         "elements in all");
    if (!useScales)
      for (int64_t d = 0; d < rank; ++d)
        if (ShapedType::isDynamic(in[d]) || ShapedType::isDynamic(out[d]))
          outerScale[d] = arith::DivFOp::create(
              rewriter, loc, indexToF64(rewriter, loc, outSizes[d]),
              inF64[d] ? inF64[d] : scalarConstant(rewriter, loc, f64, in[d]));

    // A dim whose output coordinate is its input coordinate needs no taps.
    SmallVector<bool> identity(rank);
    for (int64_t d = 0; d < rank; ++d) {
      bool sameSize = !ShapedType::isDynamic(in[d]) && in[d] == out[d];
      bool unitScale = useScales ? scalesConstant && constScales[d] == 1.0 : sameSize;
      // floor(in * 1) == in, so a unit constant scale keeps even a dynamic size.
      bool keepsSize = sameSize || (useScales && unitScale && ShapedType::isDynamic(out[d]));
      identity[d] = unitScale && keepsSize && !crop && coordMode != "tf_half_pixel_for_nn";
    }

    // A whole-number upsampling factor known here: nearest in asymmetric
    // mode with floor rounding reads source index out / factor (floor of
    // the exact quotient, which the f64 quotient never crosses), one
    // integer division instead of float conversions and a division per
    // element.
    SmallVector<int64_t> wholeFactor(rank, 0);
    if (mode == "nearest" && coordMode == "asymmetric" && nearestMode == "floor") {
      for (int64_t d = 0; d < rank; ++d) {
        if (useScales && scalesConstant && constScales[d] >= 1.0 && constScales[d] <= 1024.0 &&
            constScales[d] == std::floor(constScales[d]))
          wholeFactor[d] = static_cast<int64_t>(constScales[d]);
        else if (!useScales && !ShapedType::isDynamic(in[d]) && !ShapedType::isDynamic(out[d]) &&
                 in[d] > 0 && out[d] % in[d] == 0)
          wholeFactor[d] = out[d] / in[d];
      }
    }

    double cubicA = op.getCubicCoeffA().convertToDouble();
    bool excludeOutside = op.getExcludeOutside() != 0;
    double extrapolation = op.getExtrapolationValue().convertToDouble();
    Value scalesTensor = adaptor.getScales(), roiTensor = adaptor.getRoi();
    Value input = adaptor.getX();

    auto body = [&](OpBuilder &b, Location l, ValueRange) {
      Type f64 = b.getF64Type();
      auto cst = [&](double v) { return scalarConstant(b, l, f64, v); };
      auto cstIndex = [&](int64_t v) { return Value(arith::ConstantIndexOp::create(b, l, v)); };
      auto readF64 = [&](Value tensor, int64_t i) -> Value {
        Value v = tensor::ExtractOp::create(b, l, tensor, ValueRange{cstIndex(i)});
        return castScalar(b, l, v, f64, false, false);
      };
      // Input size of dim d: constants where static.
      auto inIndex = [&](int64_t d) -> Value {
        return ShapedType::isDynamic(in[d]) ? inSizes[d] : cstIndex(in[d]);
      };
      auto inLastIndex = [&](int64_t d) -> Value {
        return ShapedType::isDynamic(in[d])
                   ? Value(arith::SubIOp::create(b, l, inSizes[d], cstIndex(1)))
                   : cstIndex(in[d] - 1);
      };
      auto clamp = [&](Value i, int64_t d) -> Value {
        Value lo = arith::MaxSIOp::create(b, l, i, cstIndex(0));
        return arith::MinSIOp::create(b, l, lo, inLastIndex(d));
      };
      Value outside = arith::ConstantIntOp::create(b, l, b.getI1Type(), 0);
      SmallVector<SmallVector<Tap>> taps(rank);
      for (int64_t d = 0; d < rank; ++d) {
        Value outIndex = linalg::IndexOp::create(b, l, d);
        if (identity[d]) {
          taps[d].push_back({outIndex, nullptr});
          continue;
        }
        if (wholeFactor[d] != 0) {
          Value index = arith::DivUIOp::create(b, l, outIndex, cstIndex(wholeFactor[d]));
          taps[d].push_back({clamp(index, d), nullptr});
          continue;
        }
        Value x = arith::SIToFPOp::create(
            b, l, f64, arith::IndexCastOp::create(b, l, b.getI64Type(), outIndex));
        Value scale;
        if (outerScale[d])
          scale = outerScale[d];
        else if (!useScales)
          scale = cst(static_cast<double>(out[d]) / static_cast<double>(in[d]));
        else if (scalesConstant)
          scale = cst(constScales[d]);
        else
          scale = readF64(scalesTensor, d);
        Value inSize = inF64[d] ? inF64[d] : cst(in[d]);
        Value inLast = inF64[d] ? Value(arith::SubFOp::create(b, l, inF64[d], cst(1)))
                                : cst(in[d] - 1);
        Value length = arith::MulFOp::create(b, l, scale, inSize);
        Value lengthIsOne =
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, length, cst(1));
        Value lengthLast = arith::SubFOp::create(b, l, length, cst(1));
        Value half = cst(0.5);
        auto halfPixel = [&]() -> Value {
          Value shifted = arith::AddFOp::create(b, l, x, half);
          return arith::SubFOp::create(b, l, arith::DivFOp::create(b, l, shifted, scale), half);
        };
        Value src;
        if (coordMode == "half_pixel") {
          src = halfPixel();
        } else if (coordMode == "pytorch_half_pixel") {
          src = arith::SelectOp::create(b, l, lengthIsOne, cst(-0.5), halfPixel());
        } else if (coordMode == "align_corners") {
          Value scaled = arith::DivFOp::create(b, l, arith::MulFOp::create(b, l, x, inLast),
                                               lengthLast);
          src = arith::SelectOp::create(b, l, lengthIsOne, cst(0), scaled);
        } else if (coordMode == "asymmetric") {
          src = arith::DivFOp::create(b, l, x, scale);
        } else if (coordMode == "tf_half_pixel_for_nn") {
          src = arith::DivFOp::create(b, l, arith::AddFOp::create(b, l, x, half), scale);
        } else { // tf_crop_and_resize
          Value start = roiConstant ? cst(constRoi[d]) : readF64(roiTensor, d);
          Value end = roiConstant ? cst(constRoi[rank + d]) : readF64(roiTensor, rank + d);
          Value extent = arith::SubFOp::create(b, l, end, start);
          Value single = arith::DivFOp::create(
              b, l, arith::MulFOp::create(b, l, extent, inLast), cst(2));
          Value spread = arith::DivFOp::create(
              b, l,
              arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, x, extent), inLast),
              lengthLast);
          src = arith::SelectOp::create(b, l, lengthIsOne, single, spread);
          src = arith::AddFOp::create(b, l, src, arith::MulFOp::create(b, l, start, inLast));
          Value below = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, src, cst(0));
          Value above = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, src, inLast);
          outside = arith::OrIOp::create(b, l, outside, arith::OrIOp::create(b, l, below, above));
        }

        Value floor = math::FloorOp::create(b, l, src);
        Value r = arith::SubFOp::create(b, l, src, floor);
        Value base = arith::IndexCastOp::create(
            b, l, b.getIndexType(), arith::FPToSIOp::create(b, l, b.getI64Type(), floor));
        auto tapIndex = [&](int64_t offset) -> Value {
          return offset ? Value(arith::AddIOp::create(b, l, base, cstIndex(offset))) : base;
        };
        if (mode == "nearest") {
          // Integral coordinates read themselves; otherwise the mode picks
          // the left or right neighbour.
          Value up;
          if (nearestMode == "round_prefer_floor")
            up = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, r, half);
          else if (nearestMode == "round_prefer_ceil")
            up = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, r, half);
          else if (nearestMode == "ceil")
            up = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, r, cst(0));
          Value index = base;
          if (up)
            index = arith::SelectOp::create(b, l, up, tapIndex(1), base);
          taps[d].push_back({clamp(index, d), nullptr});
          continue;
        }
        SmallVector<Value> weights;
        int64_t first;
        if (mode == "linear") {
          weights = {arith::SubFOp::create(b, l, cst(1), r), r};
          first = 0;
        } else {
          weights = cubicWeights(b, l, r, cubicA);
          first = -1;
        }
        if (excludeOutside) {
          // Taps outside the input get weight 0; the rest are renormalized.
          Value sum = cst(0);
          for (auto [j, w] : llvm::enumerate(weights)) {
            Value i = tapIndex(first + static_cast<int64_t>(j));
            Value ge = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, i, cstIndex(0));
            Value lt =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, inIndex(d));
            w = arith::SelectOp::create(b, l, arith::AndIOp::create(b, l, ge, lt), w, cst(0));
            sum = arith::AddFOp::create(b, l, sum, w);
          }
          for (Value &w : weights)
            w = arith::DivFOp::create(b, l, w, sum);
        }
        for (auto [j, w] : llvm::enumerate(weights))
          taps[d].push_back({clamp(tapIndex(first + static_cast<int64_t>(j)), d), w});
      }

      // Sum over every combination of one tap per dim.
      Value acc;
      SmallVector<size_t> choice(rank, 0);
      while (true) {
        SmallVector<Value> indices;
        Value weight;
        for (int64_t d = 0; d < rank; ++d) {
          const Tap &tap = taps[d][choice[d]];
          indices.push_back(tap.index);
          if (tap.weight)
            weight = weight ? Value(arith::MulFOp::create(b, l, weight, tap.weight)) : tap.weight;
        }
        Value value = tensor::ExtractOp::create(b, l, input, indices);
        if (!weight) {
          acc = value; // nearest: exactly one tap
        } else {
          Value term = arith::MulFOp::create(b, l, castScalar(b, l, value, f64, false, false),
                                             weight);
          acc = acc ? Value(arith::AddFOp::create(b, l, acc, term)) : term;
        }
        int64_t d = rank - 1;
        for (; d >= 0; --d) {
          if (++choice[d] < taps[d].size())
            break;
          choice[d] = 0;
        }
        if (d < 0)
          break;
      }
      acc = castScalar(b, l, acc, elem, false, false);
      if (crop)
        acc = arith::SelectOp::create(b, l, outside, scalarConstant(b, l, elem, extrapolation),
                                      acc);
      return acc;
    };

    Value result = linalg::GenericOp::create(
                       rewriter, loc, TypeRange{resultType}, ValueRange{},
                       ValueRange{createEmpty(rewriter, loc, resultType, outSizes)},
                       SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
                       SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
                       [&](OpBuilder &b, Location l, ValueRange args) {
                         linalg::YieldOp::create(b, l, body(b, l, args));
                       })
                       .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

// --- RoiAlign ----------------------------------------------------------------

/// RoiAlign as the ONNX reference (a port of onnxruntime's kernel) computes
/// it: one linalg.generic over (roi, channel, ph, pw) whose body loops over
/// the bin's sampling grid (scf.for, as sampling_ratio = 0 makes the grid
/// size depend on the roi) and bilinearly samples X with tensor.extract.
/// Samples more than one pixel outside the image contribute zero. avg mode
/// divides by the grid size; max mode takes, per sample, the largest of the
/// four weighted corner values, then the largest over samples.
struct RoiAlignPattern : OpConversionPattern<onnx::RoiAlignOp> {
  RoiAlignPattern(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context) {
    addDebugLabels(kDynamicShapesLabel);
  }
  LogicalResult matchAndRewrite(onnx::RoiAlignOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getY());
    auto inType = dyn_cast<RankedTensorType>(adaptor.getX().getType());
    auto roisType = dyn_cast<RankedTensorType>(adaptor.getRois().getType());
    if (!resultType || !inType || !roisType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    auto fail = [&](const Twine &message) {
      return op.emitError() << describeNode(op) << ": " << message;
    };
    if (inType.getRank() != 4 || roisType.getRank() != 2 ||
        (!roisType.isDynamicDim(1) && roisType.getDimSize(1) != 4))
      return fail("X must be NCHW and rois num_rois x 4");
    int64_t outH = op.getOutputHeight(), outW = op.getOutputWidth();
    SmallVector<int64_t> expected{roisType.getDimSize(0), inType.getDimSize(1), outH, outW};
    if (resultType.getRank() != 4 ||
        llvm::any_of(llvm::zip(resultType.getShape(), expected), [](auto pair) {
          auto [got, want] = pair;
          return !ShapedType::isDynamic(got) && !ShapedType::isDynamic(want) && got != want;
        }))
      return fail("result shape must be num_rois x C x output_height x output_width");
    StringRef mode = op.getMode(), coordMode = op.getCoordinateTransformationMode();
    if (mode != "avg" && mode != "max")
      return fail("mode '" + mode + "' is not supported");
    if (coordMode != "half_pixel" && coordMode != "output_half_pixel")
      return fail("coordinate_transformation_mode '" + coordMode + "' is not supported");
    bool halfPixel = coordMode == "half_pixel", isMax = mode == "max";
    int64_t samplingRatio = op.getSamplingRatio();
    double spatialScale = op.getSpatialScale().convertToDouble();
    // Image sizes: index values (constants where static).
    Value height = dimSize(rewriter, loc, adaptor.getX(), 2);
    Value width = dimSize(rewriter, loc, adaptor.getX(), 3);
    SmallVector<Value> outSizes{dimSize(rewriter, loc, adaptor.getRois(), 0),
                                dimSize(rewriter, loc, adaptor.getX(), 1),
                                arith::ConstantIndexOp::create(rewriter, loc, outH),
                                arith::ConstantIndexOp::create(rewriter, loc, outW)};
    Type elem = resultType.getElementType();
    Type ct = elem.isF64() ? elem : rewriter.getF32Type();
    Value x = adaptor.getX(), rois = adaptor.getRois(), batchIndices = adaptor.getBatchIndices();

    auto body = [&](OpBuilder &b, Location l) -> Value {
      auto cst = [&](double v) { return scalarConstant(b, l, ct, v); };
      auto cstIndex = [&](int64_t v) { return Value(arith::ConstantIndexOp::create(b, l, v)); };
      auto toFloat = [&](Value index) -> Value {
        return arith::SIToFPOp::create(
            b, l, ct, arith::IndexCastOp::create(b, l, b.getI64Type(), index));
      };
      auto toIndex = [&](Value v) -> Value {
        return arith::IndexCastOp::create(b, l, b.getIndexType(),
                                          arith::FPToSIOp::create(b, l, b.getI64Type(), v));
      };
      auto add = [&](Value p, Value q) { return Value(arith::AddFOp::create(b, l, p, q)); };
      auto sub = [&](Value p, Value q) { return Value(arith::SubFOp::create(b, l, p, q)); };
      auto mul = [&](Value p, Value q) { return Value(arith::MulFOp::create(b, l, p, q)); };
      auto div = [&](Value p, Value q) { return Value(arith::DivFOp::create(b, l, p, q)); };
      auto cmp = [&](arith::CmpFPredicate pred, Value p, Value q) {
        return Value(arith::CmpFOp::create(b, l, pred, p, q));
      };
      Value roi = linalg::IndexOp::create(b, l, 0), channel = linalg::IndexOp::create(b, l, 1);
      Value ph = toFloat(linalg::IndexOp::create(b, l, 2));
      Value pw = toFloat(linalg::IndexOp::create(b, l, 3));
      Value batch = arith::IndexCastOp::create(
          b, l, b.getIndexType(), tensor::ExtractOp::create(b, l, batchIndices, ValueRange{roi}));
      auto corner = [&](int64_t j) -> Value {
        Value v = tensor::ExtractOp::create(b, l, rois, ValueRange{roi, cstIndex(j)});
        v = castScalar(b, l, v, ct, false, false);
        return sub(mul(v, cst(spatialScale)), cst(halfPixel ? 0.5 : 0.0));
      };
      Value startW = corner(0), startH = corner(1), endW = corner(2), endH = corner(3);
      Value roiW = sub(endW, startW), roiH = sub(endH, startH);
      if (!halfPixel) {
        roiW = arith::MaximumFOp::create(b, l, roiW, cst(1));
        roiH = arith::MaximumFOp::create(b, l, roiH, cst(1));
      }
      Value binH = div(roiH, cst(outH)), binW = div(roiW, cst(outW));
      Value gridH, gridW;
      if (samplingRatio > 0) {
        gridH = gridW = cstIndex(samplingRatio);
      } else {
        gridH = toIndex(math::CeilOp::create(b, l, binH));
        gridW = toIndex(math::CeilOp::create(b, l, binW));
      }
      Value gridHf = toFloat(gridH), gridWf = toFloat(gridW);
      Value baseH = add(startH, mul(ph, binH)), baseW = add(startW, mul(pw, binW));
      Value init = isMax ? lowestValue(b, l, ct, false) : cst(0);

      // One axis of a sample: clamped low/high pixels and the fraction.
      struct Axis {
        Value low, high, frac, outside;
      };
      auto axis = [&](Value pos, Value size) -> Axis {
        std::optional<int64_t> known = getConstantIntValue(size);
        Value sizeF = known ? cst(*known) : toFloat(size);
        Value last = known ? cstIndex(*known - 1)
                           : Value(arith::SubIOp::create(b, l, size, cstIndex(1)));
        Value outside = arith::OrIOp::create(b, l, cmp(arith::CmpFPredicate::OLT, pos, cst(-1)),
                                             cmp(arith::CmpFPredicate::OGT, pos, sizeF));
        pos = arith::MaximumFOp::create(b, l, pos, cst(0));
        Value low = toIndex(pos);
        Value atEnd = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, low, last);
        low = arith::SelectOp::create(b, l, atEnd, last, low);
        Value high = arith::SelectOp::create(b, l, atEnd, low,
                                             arith::AddIOp::create(b, l, low, cstIndex(1)));
        pos = arith::SelectOp::create(b, l, atEnd, toFloat(low), pos);
        return {low, high, sub(pos, toFloat(low)), outside};
      };

      auto outer = scf::ForOp::create(
          b, l, cstIndex(0), gridH, cstIndex(1), ValueRange{init},
          [&](OpBuilder &, Location, Value iy, ValueRange accY) {
            Value y = add(baseH, div(mul(add(toFloat(iy), cst(0.5)), binH), gridHf));
            auto inner = scf::ForOp::create(
                b, l, cstIndex(0), gridW, cstIndex(1), ValueRange{accY[0]},
                [&](OpBuilder &, Location, Value ix, ValueRange accX) {
                  Value xx = add(baseW, div(mul(add(toFloat(ix), cst(0.5)), binW), gridWf));
                  Axis ay = axis(y, height), ax = axis(xx, width);
                  Value outside = arith::OrIOp::create(b, l, ay.outside, ax.outside);
                  Value hy = sub(cst(1), ay.frac), hx = sub(cst(1), ax.frac);
                  auto sample = [&](Value yi, Value xi, Value weight) -> Value {
                    Value v = tensor::ExtractOp::create(b, l, x,
                                                        ValueRange{batch, channel, yi, xi});
                    weight = arith::SelectOp::create(b, l, outside, cst(0), weight);
                    return mul(castScalar(b, l, v, ct, false, false), weight);
                  };
                  Value t1 = sample(ay.low, ax.low, mul(hy, hx));
                  Value t2 = sample(ay.low, ax.high, mul(hy, ax.frac));
                  Value t3 = sample(ay.high, ax.low, mul(ay.frac, hx));
                  Value t4 = sample(ay.high, ax.high, mul(ay.frac, ax.frac));
                  Value next;
                  if (isMax) {
                    Value m = arith::MaximumFOp::create(b, l, t1, t2);
                    m = arith::MaximumFOp::create(b, l, m, t3);
                    m = arith::MaximumFOp::create(b, l, m, t4);
                    next = arith::MaximumFOp::create(b, l, accX[0], m);
                  } else {
                    next = add(accX[0], add(add(add(t1, t2), t3), t4));
                  }
                  scf::YieldOp::create(b, l, next);
                });
            scf::YieldOp::create(b, l, inner.getResult(0));
          });
      Value result = outer.getResult(0);
      Value count = arith::MulIOp::create(b, l, gridH, gridW);
      Value empty = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, count, cstIndex(0));
      if (isMax)
        result = arith::SelectOp::create(b, l, empty, cst(0), result);
      else
        result = div(result, arith::MaximumFOp::create(b, l, toFloat(count), cst(1)));
      return castScalar(b, l, result, elem, false, false);
    };

    Value result = linalg::GenericOp::create(
                       rewriter, loc, TypeRange{resultType}, ValueRange{},
                       ValueRange{createEmpty(rewriter, loc, resultType, outSizes)},
                       SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(4)},
                       SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
                       [&](OpBuilder &b, Location l, ValueRange) {
                         linalg::YieldOp::create(b, l, body(b, l));
                       })
                       .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateResamplingPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ResizePattern, RoiAlignPattern>(converter, patterns.getContext());
}

} // namespace smelt
