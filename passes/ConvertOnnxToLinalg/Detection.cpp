//===- Detection.cpp - NonZero, Unique, GridSample, Det, ReverseSequence --===//
//
// Operators of detection and post-processing graphs. NonZero and Unique have
// data-dependent output sizes: they compute into a buffer of the largest
// possible size (or count first), and return a slice whose size is a run-time
// value; the result type then has `?` dims (kDynamicShapesLabel). Where shape
// inference already gave a static result type (ONNX test models declare their
// outputs), the dynamic value is cast to it. The scalar, sequential algorithms
// are scf loops on tensors: Unique compares slices lexicographically; Det is
// LU with partial pivoting. GridSample and ReverseSequence are linalg.generic
// gathers. NonMaxSuppression has its own file.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/ConvertOnnxToLinalg/ScalarLoops.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace smelt {
using namespace scalar_loops;
namespace {

Value isNonZero(OpBuilder &b, Location loc, Value v) {
  Type t = v.getType();
  if (isa<FloatType>(t))
    return cmpF(b, loc, arith::CmpFPredicate::UNE, v, scalarConstant(b, loc, t, 0));
  if (t.isInteger(1))
    return v;
  return cmpI(b, loc, arith::CmpIPredicate::ne, v, scalarConstant(b, loc, t, 0));
}

//===----------------------------------------------------------------------===//
// NonZero: [rank, nnz] int64, counted first, then filled in row-major order.
//===----------------------------------------------------------------------===//

struct NonZeroPattern : DynamicShapePattern<onnx::NonZeroOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::NonZeroOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    if (!xType)
      return op.emitError() << describeNode(op) << ": input must be ranked";
    int64_t rank = xType.getRank();
    SmallVector<Value> sizes;
    Value total = indexConstant(rewriter, loc, 1);
    for (int64_t d = 0; d < rank; ++d) {
      sizes.push_back(dimSize(rewriter, loc, x, d));
      total = mulI(rewriter, loc, total, sizes.back());
    }
    auto element = [&](OpBuilder &b, Location l, Value i) {
      SmallVector<Value> coords = delinearize(b, l, i, sizes);
      return std::make_pair(isNonZero(b, l, tensor::ExtractOp::create(b, l, x, coords)), coords);
    };
    Value zero = indexConstant(rewriter, loc, 0);
    Value count =
        forLoop(rewriter, loc, zero, total, ValueRange{zero},
                [&](OpBuilder &b, Location l, Value i, ValueRange args) -> SmallVector<Value> {
                  Value nz = element(b, l, i).first;
                  return {select(b, l, nz, addI(b, l, args[0], indexConstant(b, l, 1)), args[0])};
                })[0];
    Type i64 = rewriter.getI64Type();
    auto dynType = RankedTensorType::get({rank, ShapedType::kDynamic}, i64);
    Value init = tensor::EmptyOp::create(rewriter, loc, dynType, ValueRange{count});
    Value filled =
        forLoop(rewriter, loc, zero, total, ValueRange{init, zero},
                [&](OpBuilder &b, Location l, Value i, ValueRange args) -> SmallVector<Value> {
                  // Named copies: lambdas may not capture structured bindings in C++17.
                  auto found = element(b, l, i);
                  Value nz = found.first;
                  auto coords = found.second;
                  return ifElse(
                      b, l, nz, TypeRange{dynType, b.getIndexType()},
                      [&](OpBuilder &tb, Location tl) -> SmallVector<Value> {
                        Value out = args[0];
                        for (int64_t d = 0; d < rank; ++d)
                          out = tensor::InsertOp::create(
                              tb, tl, toI64(tb, tl, coords[d]), out,
                              ValueRange{indexConstant(tb, tl, d), args[1]});
                        return {out, addI(tb, tl, args[1], indexConstant(tb, tl, 1))};
                      },
                      [&](OpBuilder &, Location) -> SmallVector<Value> {
                        return {args[0], args[1]};
                      });
                })[0];
    Type resultType = dataDependentType(*getTypeConverter(), op.getResult(), 2, i64);
    rewriter.replaceOp(op, castToResultType(rewriter, loc, filled, resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Unique: slices along the axis (or the flattened elements) compared
// lexicographically; sizes are data dependent.
//===----------------------------------------------------------------------===//

struct UniquePattern : DynamicShapePattern<onnx::UniqueOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::UniqueOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getX();
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    if (!xType)
      return op.emitError() << describeNode(op) << ": input must be ranked";
    Type elem = xType.getElementType();
    bool isUnsigned = isUnsignedElement(op.getX());
    // Element i is the slice of x at index i of the axis (of the flattened
    // input without an axis).
    int64_t axis = 0;
    if (std::optional<int64_t> a = op.getAxis()) {
      axis = normalizeAxis(*a, xType.getRank());
      if (axis < 0 || axis >= xType.getRank())
        return op.emitError() << describeNode(op) << ": axis out of range";
    } else if (xType.getRank() != 1) {
      auto flatType = RankedTensorType::get(
          {xType.hasStaticShape() ? xType.getNumElements() : ShapedType::kDynamic}, elem);
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < xType.getRank(); ++d)
        all[0].push_back(d);
      x = xType.getRank() == 0 ? reshapeTo(rewriter, loc, x, flatType)
                               : Value(tensor::CollapseShapeOp::create(rewriter, loc, flatType,
                                                                       x, all));
    }
    auto shapedX = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(shapedX.getShape());
    SmallVector<Value> otherSizes;
    Value sliceSize = indexConstant(rewriter, loc, 1);
    for (int64_t d = 0; d < shapedX.getRank(); ++d) {
      if (d == axis)
        continue;
      otherSizes.push_back(dimSize(rewriter, loc, x, d));
      sliceSize = mulI(rewriter, loc, sliceSize, otherSizes.back());
    }
    Value numSlices = dimSize(rewriter, loc, x, axis);
    Type i64 = rewriter.getI64Type();
    Type indexType = rewriter.getIndexType();
    Value zero = indexConstant(rewriter, loc, 0);
    Value falseV = arith::ConstantIntOp::create(rewriter, loc, 0, 1);
    Value trueV = arith::ConstantIntOp::create(rewriter, loc, 1, 1);

    // Compares slices i and j: (i < j, i == j), lexicographically.
    auto compare = [&](OpBuilder &b, Location l, Value i, Value j) {
      ValueRange r = forLoop(
          b, l, indexConstant(b, l, 0), sliceSize, ValueRange{falseV, falseV},
          [&](OpBuilder &b, Location l, Value e, ValueRange s) -> SmallVector<Value> {
            SmallVector<Value> coords = delinearize(b, l, e, otherSizes);
            coords.insert(coords.begin() + axis, i);
            Value p = tensor::ExtractOp::create(b, l, x, coords);
            coords[axis] = j;
            Value q = tensor::ExtractOp::create(b, l, x, coords);
            Value ne, lt;
            if (isa<FloatType>(elem)) {
              ne = cmpF(b, l, arith::CmpFPredicate::UNE, p, q);
              lt = cmpF(b, l, arith::CmpFPredicate::OLT, p, q);
            } else {
              ne = cmpI(b, l, arith::CmpIPredicate::ne, p, q);
              lt = cmpI(b, l, isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt,
                        p, q);
            }
            // s = (decided, less): the first differing element decides.
            Value decideNow = arith::AndIOp::create(
                b, l, ne, arith::XOrIOp::create(b, l, s[0], trueV));
            return {arith::OrIOp::create(b, l, s[0], ne), select(b, l, decideNow, lt, s[1])};
          });
      return std::make_pair(r[1], arith::XOrIOp::create(b, l, r[0], trueV).getResult());
    };

    // first[i]: the first slice equal to slice i.
    auto vecType = RankedTensorType::get({ShapedType::kDynamic}, indexType);
    Value emptyVec = tensor::EmptyOp::create(rewriter, loc, vecType, ValueRange{numSlices});
    Value first = forLoop(
        rewriter, loc, zero, numSlices, ValueRange{emptyVec},
        [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
          Value f = forLoop(b, l, indexConstant(b, l, 0), i, ValueRange{i},
                            [&](OpBuilder &b, Location l, Value j,
                                ValueRange a) -> SmallVector<Value> {
                              Value eq = compare(b, l, j, i).second;
                              Value unset = cmpI(b, l, arith::CmpIPredicate::eq, a[0], i);
                              return {select(b, l, arith::AndIOp::create(b, l, eq, unset), j,
                                             a[0])};
                            })[0];
          return {tensor::InsertOp::create(b, l, f, s[0], ValueRange{i}).getResult()};
        })[0];
    auto isFirst = [&](OpBuilder &b, Location l, Value i) {
      return cmpI(b, l, arith::CmpIPredicate::eq,
                  tensor::ExtractOp::create(b, l, first, ValueRange{i}), i);
    };
    // pos[i] for first occurrences: the output row of slice i.
    bool sorted = op.getSorted() != 0;
    ValueRange posAndCount = forLoop(
        rewriter, loc, zero, numSlices, ValueRange{emptyVec, zero},
        [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
          Value p = forLoop(
              b, l, indexConstant(b, l, 0), numSlices, ValueRange{indexConstant(b, l, 0)},
              [&](OpBuilder &b, Location l, Value j, ValueRange a) -> SmallVector<Value> {
                Value before = sorted ? compare(b, l, j, i).first
                                      : cmpI(b, l, arith::CmpIPredicate::ult, j, i);
                Value counts = arith::AndIOp::create(b, l, before, isFirst(b, l, j));
                return {select(b, l, counts, addI(b, l, a[0], indexConstant(b, l, 1)), a[0])};
              })[0];
          Value firstHere = isFirst(b, l, i);
          return {tensor::InsertOp::create(b, l, p, s[0], ValueRange{i}).getResult(),
                  select(b, l, firstHere, addI(b, l, s[1], indexConstant(b, l, 1)), s[1])};
        });
    Value pos = posAndCount[0], numUnique = posAndCount[1];

    // indices, counts ([U]) and inverse_indices ([A]).
    auto dynI64 = RankedTensorType::get({ShapedType::kDynamic}, i64);
    Value zeros64 = scalarConstant(rewriter, loc, i64, 0);
    Value indices = tensor::EmptyOp::create(rewriter, loc, dynI64, ValueRange{numUnique});
    Value counts = linalg::FillOp::create(
                       rewriter, loc, zeros64,
                       tensor::EmptyOp::create(rewriter, loc, dynI64, ValueRange{numUnique})
                           .getResult())
                       .getResult(0);
    Value inverse = tensor::EmptyOp::create(rewriter, loc, dynI64, ValueRange{numSlices});
    ValueRange outs = forLoop(
        rewriter, loc, zero, numSlices, ValueRange{indices, counts, inverse},
        [&](OpBuilder &b, Location l, Value i, ValueRange s) -> SmallVector<Value> {
          Value f = tensor::ExtractOp::create(b, l, first, ValueRange{i});
          Value row = tensor::ExtractOp::create(b, l, pos, ValueRange{f});
          Value inv = tensor::InsertOp::create(b, l, toI64(b, l, row), s[2], ValueRange{i});
          Value c = tensor::ExtractOp::create(b, l, s[1], ValueRange{row});
          c = addI(b, l, c, scalarConstant(b, l, i64, 1));
          Value cnt = tensor::InsertOp::create(b, l, c, s[1], ValueRange{row});
          // Writing indices[row] = first[i] for every i sets it to the first occurrence.
          Value idx = tensor::InsertOp::create(b, l, toI64(b, l, f), s[0], ValueRange{row});
          return {idx, cnt, inv};
        });
    indices = outs[0];
    counts = outs[1];
    inverse = outs[2];

    // Y: the input with the axis gathered by indices.
    int64_t rank = static_cast<int64_t>(shape.size());
    SmallVector<int64_t> yShape(shape);
    yShape[axis] = ShapedType::kDynamic;
    auto yType = RankedTensorType::get(yShape, elem);
    SmallVector<Value> ySizes;
    for (int64_t d = 0; d < rank; ++d)
      if (yType.isDynamicDim(d))
        ySizes.push_back(d == axis ? numUnique : dimSize(rewriter, loc, x, d));
    Value yInit = tensor::EmptyOp::create(rewriter, loc, yType, ySizes);
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{yType}, ValueRange{}, ValueRange{yInit},
                  ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, parallel,
                  [&](OpBuilder &b, Location l, ValueRange) {
                    SmallVector<Value> coords;
                    for (int64_t d = 0; d < rank; ++d)
                      coords.push_back(linalg::IndexOp::create(b, l, d));
                    Value index =
                        tensor::ExtractOp::create(b, l, indices, ValueRange{coords[axis]});
                    coords[axis] = toIndex(b, l, index, /*isUnsigned=*/false);
                    linalg::YieldOp::create(b, l,
                                            Value(tensor::ExtractOp::create(b, l, x, coords)));
                  })
                  .getResult(0);

    SmallVector<Value> results;
    Value values[4] = {y, indices, inverse, counts};
    int64_t ranks[4] = {rank, 1, 1, 1};
    for (int64_t k = 0; k < 4; ++k) {
      Type t = dataDependentType(*getTypeConverter(), op->getResult(k), ranks[k],
                         cast<RankedTensorType>(values[k].getType()).getElementType());
      results.push_back(castToResultType(rewriter, loc, values[k], t));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// GridSample (4-d): bilinear / nearest / bicubic, zeros / border / reflection.
//===----------------------------------------------------------------------===//

struct GridSamplePattern : DynamicShapePattern<onnx::GridSampleOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GridSampleOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getResult());
    Value x = adaptor.getX(), grid = adaptor.getGrid();
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    auto gridType = dyn_cast<RankedTensorType>(grid.getType());
    if (!resultType || !xType || !gridType || xType.getRank() != 4 || gridType.getRank() != 4 ||
        resultType.getRank() != 4)
      return op.emitError() << describeNode(op) << ": only 4-d inputs are supported";
    StringRef mode = op.getMode(), padding = op.getPaddingMode();
    if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
      return op.emitError() << describeNode(op) << ": unsupported mode '" << mode << "'";
    if (padding != "zeros" && padding != "border" && padding != "reflection")
      return op.emitError() << describeNode(op) << ": unsupported padding_mode '" << padding
                            << "'";
    bool align = op.getAlignCorners() != 0;
    Type f = resultType.getElementType();
    int64_t height = xType.getDimSize(2), width = xType.getDimSize(3);
    // Dynamic input height / width as floats, read at run time.
    auto sizeAsFloat = [&](int64_t d) -> Value {
      if (!xType.isDynamicDim(d))
        return Value();
      Value i = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                           dimSize(rewriter, loc, x, d));
      return arith::SIToFPOp::create(rewriter, loc, f, i);
    };
    Value heightF = sizeAsFloat(2), widthF = sizeAsFloat(3);

    auto body = [&](OpBuilder &b, Location l, ValueRange) {
      auto cf = [&](double v) { return scalarConstant(b, l, f, v); };
      auto add = [&](Value p, Value q) { return arith::AddFOp::create(b, l, p, q).getResult(); };
      auto sub = [&](Value p, Value q) { return arith::SubFOp::create(b, l, p, q).getResult(); };
      auto mul = [&](Value p, Value q) { return arith::MulFOp::create(b, l, p, q).getResult(); };
      // (size + offset) * scale of an input dim: a constant when static.
      auto sized = [&](int64_t size, Value sizeF, double offset, double scale = 1.0) {
        if (!sizeF)
          return cf((size + offset) * scale);
        Value v = add(sizeF, cf(offset));
        return scale == 1.0 ? v : mul(v, cf(scale));
      };
      // Clamps v into [lo, size + hiOffset].
      auto clamp = [&](Value v, double lo, int64_t size, Value sizeF, double hiOffset) {
        Value low = arith::MaximumFOp::create(b, l, v, cf(lo));
        return arith::MinimumFOp::create(b, l, low, sized(size, sizeF, hiOffset)).getResult();
      };
      // Reflects v into [lo, size + hiOffset] (the ONNX reference's _gs_reflect).
      auto reflect = [&](Value v, double lo, int64_t size, Value sizeF, double hiOffset) {
        if (!sizeF && size + hiOffset - lo <= 0)
          return cf(lo);
        auto hi = [&] { return sized(size, sizeF, hiOffset); };
        auto range = [&] { return sized(size, sizeF, hiOffset - lo); };
        Value below = cmpF(b, l, arith::CmpFPredicate::OLT, v, cf(lo));
        Value above = cmpF(b, l, arith::CmpFPredicate::OGT, v, hi());
        Value dx = select(b, l, below, sub(cf(lo), v), sub(v, hi()));
        Value n = math::FloorOp::create(b, l, arith::DivFOp::create(b, l, dx, range()));
        Value r = sub(dx, mul(n, range()));
        Value odd = cmpF(b, l, arith::CmpFPredicate::ONE,
                         sub(n, mul(cf(2), math::FloorOp::create(b, l, mul(n, cf(0.5))))),
                         cf(0));
        Value fromLo = add(cf(lo), r), fromHi = sub(hi(), r);
        Value belowV = select(b, l, odd, fromHi, fromLo);
        Value aboveV = select(b, l, odd, fromLo, fromHi);
        Value reflected = select(b, l, below, belowV, select(b, l, above, aboveV, v));
        if (!sizeF)
          return reflected;
        // An empty range (one sample with align_corners) reflects to lo.
        Value empty = cmpF(b, l, arith::CmpFPredicate::OLE, range(), cf(0));
        return select(b, l, empty, cf(lo), reflected);
      };
      double lo = align ? 0 : -0.5;
      Value n = linalg::IndexOp::create(b, l, 0), c = linalg::IndexOp::create(b, l, 1);
      Value oh = linalg::IndexOp::create(b, l, 2), ow = linalg::IndexOp::create(b, l, 3);
      Value gx =
          tensor::ExtractOp::create(b, l, grid, ValueRange{n, oh, ow, indexConstant(b, l, 0)});
      Value gy =
          tensor::ExtractOp::create(b, l, grid, ValueRange{n, oh, ow, indexConstant(b, l, 1)});
      auto denormalize = [&](Value g, int64_t size, Value sizeF) {
        Value g1 = add(g, cf(1));
        return align ? mul(g1, sized(size, sizeF, -1, 0.5))
                     : mul(sub(mul(g1, sized(size, sizeF, 0)), cf(1)), cf(0.5));
      };
      double hiOffset = align ? -1 : -0.5;
      Value px = denormalize(gx, width, widthF), py = denormalize(gy, height, heightF);
      if (padding == "border") {
        px = clamp(px, 0, width, widthF, -1);
        py = clamp(py, 0, height, heightF, -1);
      } else if (padding == "reflection") {
        px = reflect(px, lo, width, widthF, hiOffset);
        py = reflect(py, lo, height, heightF, hiOffset);
      }
      // x[n, c, r, col] with the padding rule for integer (float-valued) r, col.
      auto pixel = [&](Value r, Value col) {
        Value valid;
        if (padding == "zeros") {
          auto inside = [&](Value v, int64_t size, Value sizeF) {
            Value atLeast = cmpF(b, l, arith::CmpFPredicate::OGE, v, cf(0));
            return arith::AndIOp::create(
                       b, l, atLeast,
                       cmpF(b, l, arith::CmpFPredicate::OLE, v, sized(size, sizeF, -1)))
                .getResult();
          };
          valid = arith::AndIOp::create(b, l, inside(r, height, heightF),
                                        inside(col, width, widthF));
        } else if (padding == "reflection") {
          r = reflect(r, lo, height, heightF, hiOffset);
          col = reflect(col, lo, width, widthF, hiOffset);
        }
        r = clamp(r, 0, height, heightF, -1);
        col = clamp(col, 0, width, widthF, -1);
        Value ri = arith::FPToSIOp::create(b, l, b.getI64Type(), r);
        Value ci = arith::FPToSIOp::create(b, l, b.getI64Type(), col);
        Value v = tensor::ExtractOp::create(
            b, l, x, ValueRange{n, c, toIndex(b, l, ri, false), toIndex(b, l, ci, false)});
        return valid ? select(b, l, valid, v, cf(0)) : v;
      };
      Value result;
      if (mode == "nearest") {
        result = pixel(math::RoundEvenOp::create(b, l, py), math::RoundEvenOp::create(b, l, px));
      } else if (mode == "bilinear") {
        Value x1 = math::FloorOp::create(b, l, px), y1 = math::FloorOp::create(b, l, py);
        Value x2 = add(x1, cf(1)), y2 = add(y1, cf(1));
        Value dx1 = sub(px, x1), dx2 = sub(x2, px), dy1 = sub(py, y1), dy2 = sub(y2, py);
        Value top = add(mul(dx2, pixel(y1, x1)), mul(dx1, pixel(y1, x2)));
        Value bottom = add(mul(dx2, pixel(y2, x1)), mul(dx1, pixel(y2, x2)));
        result = add(mul(dy2, top), mul(dy1, bottom));
      } else {
        Value x0 = sub(math::FloorOp::create(b, l, px), cf(1));
        Value y0 = sub(math::FloorOp::create(b, l, py), cf(1));
        auto coeffs = [&](Value t) {
          // Cubic convolution with A = -0.75 at distances 1+t, t, 1-t, 2-t.
          double a = -0.75;
          Value t1 = add(t, cf(1)), u = sub(cf(1), t), u2 = sub(cf(2), t);
          SmallVector<Value> w;
          w.push_back(sub(mul(add(mul(sub(mul(cf(a), t1), cf(5 * a)), t1), cf(8 * a)), t1),
                          cf(4 * a)));
          w.push_back(add(mul(mul(sub(mul(cf(a + 2), t), cf(a + 3)), t), t), cf(1)));
          w.push_back(add(mul(mul(sub(mul(cf(a + 2), u), cf(a + 3)), u), u), cf(1)));
          w.push_back(sub(mul(add(mul(sub(mul(cf(a), u2), cf(5 * a)), u2), cf(8 * a)), u2),
                          cf(4 * a)));
          return w;
        };
        SmallVector<Value> wx = coeffs(sub(sub(px, x0), cf(1)));
        SmallVector<Value> wy = coeffs(sub(sub(py, y0), cf(1)));
        result = cf(0);
        for (int64_t i = 0; i < 4; ++i) {
          Value rowSum = cf(0);
          for (int64_t j = 0; j < 4; ++j)
            rowSum = add(rowSum, mul(wx[j], pixel(add(y0, cf(i)), add(x0, cf(j)))));
          result = add(result, mul(wy[i], rowSum));
        }
      }
      linalg::YieldOp::create(b, l, result);
    };
    SmallVector<utils::IteratorType> parallel(4, utils::IteratorType::parallel);
    SmallVector<Value> sizes{dimSize(rewriter, loc, x, 0), dimSize(rewriter, loc, x, 1),
                             dimSize(rewriter, loc, grid, 1), dimSize(rewriter, loc, grid, 2)};
    Value y = linalg::GenericOp::create(rewriter, loc, TypeRange{resultType}, ValueRange{},
                                        ValueRange{createEmpty(rewriter, loc, resultType, sizes)},
                                        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(4)},
                                        parallel, body)
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Det: LU with partial pivoting per batch matrix.
//===----------------------------------------------------------------------===//

struct DetPattern : DynamicShapePattern<onnx::DetOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::DetOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getResult());
    Value x = adaptor.getX();
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    if (!resultType || !xType || xType.getRank() < 2 || resultType.getRank() != xType.getRank() - 2)
      return op.emitError() << describeNode(op)
                            << ": only ranked inputs of rank >= 2 are supported";
    int64_t rank = xType.getRank();
    int64_t m = xType.getDimSize(rank - 1), rows = xType.getDimSize(rank - 2);
    if (ShapedType::isDynamic(m))
      m = rows;
    if (!ShapedType::isDynamic(rows) && rows != m)
      return op.emitError() << describeNode(op) << ": matrices must be square";
    Type f = xType.getElementType();
    // Batch sizes and the matrix size (static where known, else read at run
    // time; a square matrix's size comes from whichever of its dims is known).
    SmallVector<Value> batchSizes;
    int64_t batch = 1;
    for (int64_t d = 0; d < rank - 2; ++d) {
      batchSizes.push_back(dimSize(rewriter, loc, x, d));
      batch = ShapedType::isDynamic(xType.getDimSize(d)) || ShapedType::isDynamic(batch)
                  ? ShapedType::kDynamic
                  : batch * xType.getDimSize(d);
    }
    Value batchCount = indexConstant(rewriter, loc, ShapedType::isDynamic(batch) ? 1 : batch);
    if (ShapedType::isDynamic(batch))
      for (Value size : batchSizes)
        batchCount = arith::MulIOp::create(rewriter, loc, batchCount, size);
    auto matrixType = RankedTensorType::get({m, m}, f);
    Value zero = indexConstant(rewriter, loc, 0);
    Value mSize = ShapedType::isDynamic(m)
                      ? dimSize(rewriter, loc, x, rank - 1)
                      : indexConstant(rewriter, loc, m);
    OpFoldResult mFold = ShapedType::isDynamic(m) ? OpFoldResult(mSize)
                                                  : OpFoldResult(rewriter.getIndexAttr(m));
    Value out = forLoop(
        rewriter, loc, zero, batchCount,
        ValueRange{createEmpty(rewriter, loc, resultType, batchSizes)},
        [&](OpBuilder &b, Location l, Value bi, ValueRange s) -> SmallVector<Value> {
          SmallVector<Value> coords = delinearize(b, l, bi, batchSizes);
          SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
          for (Value c : coords) {
            offsets.push_back(c);
            sizes.push_back(b.getIndexAttr(1));
          }
          for (int64_t k = 0; k < 2; ++k) {
            offsets.push_back(b.getIndexAttr(0));
            sizes.push_back(mFold);
          }
          Value a = tensor::ExtractSliceOp::create(b, l, matrixType, x, offsets, sizes, strides);
          auto at = [&](OpBuilder &b, Location l, Value mat, Value i, Value j) {
            return tensor::ExtractOp::create(b, l, mat, ValueRange{i, j}).getResult();
          };
          ValueRange lu = forLoop(
              b, l, indexConstant(b, l, 0), mSize, ValueRange{a, scalarConstant(b, l, f, 1)},
              [&](OpBuilder &b, Location l, Value k, ValueRange st) -> SmallVector<Value> {
                Value mat = st[0], det = st[1];
                Value kNext = addI(b, l, k, indexConstant(b, l, 1));
                ValueRange piv = forLoop(
                    b, l, kNext, mSize,
                    ValueRange{k, math::AbsFOp::create(b, l, at(b, l, mat, k, k))},
                    [&](OpBuilder &b, Location l, Value i, ValueRange p) -> SmallVector<Value> {
                      Value v = math::AbsFOp::create(b, l, at(b, l, mat, i, k));
                      Value better = cmpF(b, l, arith::CmpFPredicate::OGT, v, p[1]);
                      return {select(b, l, better, i, p[0]), select(b, l, better, v, p[1])};
                    });
                Value p = piv[0];
                Value swapped =
                    forLoop(b, l, indexConstant(b, l, 0), mSize, ValueRange{mat},
                            [&](OpBuilder &b, Location l, Value j,
                                ValueRange t) -> SmallVector<Value> {
                              Value rk = at(b, l, t[0], k, j), rp = at(b, l, t[0], p, j);
                              Value u = tensor::InsertOp::create(b, l, rp, t[0], ValueRange{k, j});
                              return {tensor::InsertOp::create(b, l, rk, u, ValueRange{p, j})
                                          .getResult()};
                            })[0];
                Value flip = cmpI(b, l, arith::CmpIPredicate::ne, p, k);
                det = select(b, l, flip, arith::NegFOp::create(b, l, det), det);
                Value pivot = at(b, l, swapped, k, k);
                det = arith::MulFOp::create(b, l, det, pivot);
                // A zero pivot makes det 0; divide by 1 then to keep NaNs out.
                Value isZero = cmpF(b, l, arith::CmpFPredicate::OEQ, pivot,
                                    scalarConstant(b, l, f, 0));
                Value safe = select(b, l, isZero, scalarConstant(b, l, f, 1), pivot);
                Value eliminated = forLoop(
                    b, l, kNext, mSize, ValueRange{swapped},
                    [&](OpBuilder &b, Location l, Value i, ValueRange t) -> SmallVector<Value> {
                      Value factor = arith::DivFOp::create(b, l, at(b, l, t[0], i, k), safe);
                      return {forLoop(b, l, kNext, mSize, t,
                                      [&](OpBuilder &b, Location l, Value j,
                                          ValueRange u) -> SmallVector<Value> {
                                        Value v = arith::SubFOp::create(
                                            b, l, at(b, l, u[0], i, j),
                                            arith::MulFOp::create(b, l, factor,
                                                                  at(b, l, u[0], k, j)));
                                        return {tensor::InsertOp::create(b, l, v, u[0],
                                                                         ValueRange{i, j})
                                                    .getResult()};
                                      })[0]};
                    })[0];
                return {eliminated, det};
              });
          return {tensor::InsertOp::create(b, l, lu[1], s[0], coords).getResult()};
        })[0];
    rewriter.replaceOp(op, out);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// ReverseSequence: y[.., t, ..] = x[.., len[b] - 1 - t, ..] for t < len[b].
//===----------------------------------------------------------------------===//

struct ReverseSequencePattern : DynamicShapePattern<onnx::ReverseSequenceOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ReverseSequenceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput(), lens = adaptor.getSequenceLens();
    auto resultType = getRankedType(*getTypeConverter(), op.getResult());
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    if (!resultType || !xType || xType.getRank() < 2)
      return op.emitError() << describeNode(op) << ": input must be ranked, rank >= 2";
    int64_t rank = xType.getRank();
    int64_t batchAxis = op.getBatchAxis(), timeAxis = op.getTimeAxis();
    if ((batchAxis != 0 && batchAxis != 1) || (timeAxis != 0 && timeAxis != 1) ||
        batchAxis == timeAxis)
      return op.emitError() << describeNode(op) << ": batch_axis and time_axis must be 0 and 1";
    SmallVector<Value> dynSizes;
    for (int64_t d = 0; d < rank; ++d)
      if (resultType.isDynamicDim(d))
        dynSizes.push_back(tensor::DimOp::create(rewriter, loc, x, d));
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType, dynSizes);
    SmallVector<utils::IteratorType> parallel(rank, utils::IteratorType::parallel);
    Value y = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{resultType}, ValueRange{}, ValueRange{init},
                  ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, parallel,
                  [&](OpBuilder &b, Location l, ValueRange) {
                    SmallVector<Value> coords;
                    for (int64_t d = 0; d < rank; ++d)
                      coords.push_back(linalg::IndexOp::create(b, l, d));
                    Value len = toIndex(
                        b, l, tensor::ExtractOp::create(b, l, lens, ValueRange{coords[batchAxis]}),
                        /*isUnsigned=*/false);
                    Value t = coords[timeAxis];
                    Value reversed = arith::SubIOp::create(
                        b, l, arith::SubIOp::create(b, l, len, indexConstant(b, l, 1)), t);
                    coords[timeAxis] =
                        select(b, l, cmpI(b, l, arith::CmpIPredicate::slt, t, len), reversed, t);
                    linalg::YieldOp::create(b, l,
                                            Value(tensor::ExtractOp::create(b, l, x, coords)));
                  })
                  .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateDetectionPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<NonZeroPattern, UniquePattern, GridSamplePattern,
               DetPattern, ReverseSequencePattern>(converter, patterns.getContext());
}

} // namespace smelt
