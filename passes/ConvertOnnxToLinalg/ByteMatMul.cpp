//===- ByteMatMul.cpp - 8-bit matrix products for dot-product kernels -----===//
//
// MatMulInteger, QLinearMatMul, ConvInteger and QLinearConv of 8-bit
// operands, rewritten around the one product CPU dot-product instructions
// compute (x86 VNNI's vpdpbusd: unsigned bytes times signed bytes, summed in
// i32):
//
//   sum_k (a - za)(b - zb) = sum_k a'b' - zb' * rowsum(a') - za' * colsum(b')
//                            + K * za' * zb'
//
// where one of a', b' holds its operand as unsigned bytes and the other as
// signed ones. An operand of the other signedness is flipped (v xor 0x80:
// u8 v becomes s8 v - 128, s8 v becomes u8 v + 128) and its zero point moves
// by the same 128. The identity is exact in i32 (wrapping arithmetic), so
// results equal the direct sum bit for bit. The product sum_k a'b' is a
// linalg.generic whose body is `out + ext(a') * ext(b')` (one extension
// unsigned, the other signed): the byte product that smelt-cpu-data-tiling
// packs and smelt-cpu-byte-kernels runs on dot-product instructions.
// Constants (weights) are flipped and their row or column sums taken here,
// at compile time, and the form is chosen so that run-time operands need no
// flip where possible; terms whose zero point is known to be zero are left
// out. Convolutions become the product of their filters [F, C*KH*KW] with
// the input's im2col matrix [C*KH*KW, N*OH*OW].
//
//===----------------------------------------------------------------------===//
#include "passes/ConstantData.h"
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace smelt {
namespace {

bool isByteTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getElementType().isInteger(8);
}

/// The bytes of a non-splat constant behind `value`, or nothing.
std::optional<ArrayRef<char>> constantBytesOf(Value value) {
  return constantBytes(constantBehindReshapes(value));
}

/// Whether the zero point the product sees, `zeroPoint` (read as unsigned
/// or signed bytes; absent: 0) plus `shift`, is known to be zero: an
/// unsigned zero point of 128 for weights flipped to signed bytes is.
bool isCentered(Value zeroPoint, bool isUnsigned, int64_t shift) {
  if (!zeroPoint)
    return shift == 0;
  auto valueOf = [&](uint8_t byte) {
    return (isUnsigned ? int64_t(byte) : int64_t(int8_t(byte))) + shift;
  };
  Attribute constant = constantBehindReshapes(zeroPoint);
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(constant))
    return valueOf(uint8_t(splat.getSplatValue<APInt>().getZExtValue())) == 0;
  std::optional<ArrayRef<char>> bytes = constantBytes(constant);
  return bytes && llvm::all_of(*bytes, [&](char c) { return valueOf(uint8_t(c)) == 0; });
}

/// A zero point the product can take: absent, per tensor (a scalar or one
/// element), or, where `perColumn` is set, one per column of B.
bool isSupportedZeroPoint(Value zeroPoint, int64_t perColumn) {
  if (!zeroPoint)
    return true;
  auto type = dyn_cast<RankedTensorType>(zeroPoint.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isInteger(8))
    return false;
  return type.getRank() == 0 ||
         (type.getRank() == 1 && (type.getDimSize(0) == 1 || type.getDimSize(0) == perColumn));
}

/// `bytes` with the top bit of every byte flipped: u8 <-> s8 minus 128.
Value flipSign(OpBuilder &b, Location loc, Value bytes) {
  auto type = cast<RankedTensorType>(bytes.getType());
  if (std::optional<ArrayRef<char>> data = constantBytesOf(bytes)) {
    std::vector<char> flipped(data->begin(), data->end());
    for (char &c : flipped)
      c = static_cast<char>(static_cast<unsigned char>(c) ^ 0x80u);
    return arith::ConstantOp::create(b, loc, constantFromBytes(type, flipped, "flipped"));
  }
  return buildElementwise(b, loc, type, ValueRange{bytes},
                          [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                            Value top = arith::ConstantOp::create(
                                nb, l, nb.getIntegerAttr(nb.getI8Type(), -128));
                            return arith::XOrIOp::create(nb, l, args[0], top);
                          });
}

/// Sums of `matrix` [R, C] (i8) along `dim` (0: one sum per column, 1: one
/// per row), each element extended as signed or unsigned, in i32. Folded for
/// a constant matrix.
Value byteSums(OpBuilder &b, Location loc, Value matrix, unsigned dim, bool isUnsigned) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(matrix.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  auto sumType = RankedTensorType::get({dim == 0 ? cols : rows}, b.getI32Type());
  if (std::optional<ArrayRef<char>> data = constantBytesOf(matrix)) {
    // Unsigned arithmetic wraps as the i32 sums in the IR do.
    std::vector<uint32_t> sums(sumType.getDimSize(0), 0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        auto byte = static_cast<unsigned char>((*data)[r * cols + c]);
        sums[dim == 0 ? c : r] += isUnsigned ? uint32_t(byte) : uint32_t(int32_t(int8_t(byte)));
      }
    ArrayRef<char> raw(reinterpret_cast<const char *>(sums.data()), sums.size() * 4);
    return arith::ConstantOp::create(b, loc, constantFromBytes(sumType, raw, "column_sums"));
  }
  // Loops (r, c): the sum follows the dim that is kept.
  AffineMap kept = AffineMap::get(2, 0, {getAffineDimExpr(1 - dim, ctx)}, ctx);
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  iterators[dim] = utils::IteratorType::reduction;
  Value init = createFilled(b, loc, sumType, scalarConstant(b, loc, b.getI32Type(), 0));
  return linalg::GenericOp::create(
             b, loc, TypeRange{sumType}, ValueRange{matrix}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2), kept}, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value x = castScalar(nb, l, args[0], nb.getI32Type(), isUnsigned, false);
               linalg::YieldOp::create(nb, l, Value(arith::AddIOp::create(nb, l, args[1], x)));
             })
      .getResult(0);
}

/// A zero point as an i32 scalar in a generic body: the element read (as
/// signed or unsigned) plus `shift`, or `shift` alone.
Value shiftedZeroPoint(OpBuilder &b, Location loc, Value element, bool isUnsigned,
                       int64_t shift) {
  if (!element)
    return scalarConstant(b, loc, b.getI32Type(), double(shift));
  Value zp = castScalar(b, loc, element, b.getI32Type(), isUnsigned, false);
  if (shift == 0)
    return zp;
  return arith::AddIOp::create(b, loc, zp, scalarConstant(b, loc, b.getI32Type(), double(shift)));
}

} // namespace

Value buildByteProduct(OpBuilder &b, Location loc, Value a, Value bm, Value init, bool unsignedA) {
  // The maps and iterators of codegen/cpu's byteProductMaps/byteProductIterators
  // (unpacked), written out: passes do not depend on codegen.
  MLIRContext *ctx = b.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {m, k}, ctx), AffineMap::get(3, 0, {k, n}, ctx),
                              AffineMap::get(3, 0, {m, n}, ctx)};
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction};
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{a, bm}, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Type i32 = nb.getI32Type();
               Value x = castScalar(nb, l, args[0], i32, unsignedA, false);
               Value y = castScalar(nb, l, args[1], i32, !unsignedA, false);
               Value product = arith::MulIOp::create(nb, l, x, y);
               linalg::YieldOp::create(nb, l,
                                       Value(arith::AddIOp::create(nb, l, args[2], product)));
             })
      .getResult(0);
}

std::optional<Value> buildByteMatMul(OpBuilder &b, Location loc, const ByteOperand &a,
                                     const ByteOperand &bm) {
  if (!isByteTensor(a.value) || !isByteTensor(bm.value))
    return std::nullopt;
  auto aType = cast<RankedTensorType>(a.value.getType());
  auto bType = cast<RankedTensorType>(bm.value.getType());
  if (aType.getRank() < 2 || bType.getRank() != 2)
    return std::nullopt;
  int64_t depth = bType.getDimSize(0), cols = bType.getDimSize(1);
  if (aType.getShape().back() != depth || aType.getNumElements() == 0 || depth == 0 || cols == 0)
    return std::nullopt;
  // A's zero point may follow its rows only where they are A's own (rank 2).
  int64_t rows = aType.getNumElements() / depth;
  if (!isSupportedZeroPoint(a.zeroPoint, aType.getRank() == 2 ? rows : 1) ||
      !isSupportedZeroPoint(bm.zeroPoint, cols))
    return std::nullopt;
  Type i32 = b.getI32Type();

  // The form that flips fewer operands at run time (a constant flips at
  // compile time): unsigned A x signed B unless the other one is cheaper.
  bool aConstant = constantBytesOf(a.value).has_value();
  bool bConstant = constantBytesOf(bm.value).has_value();
  auto runtimeFlips = [&](bool unsignedA) {
    return int(a.isUnsigned != unsignedA && !aConstant) +
           int(bm.isUnsigned == unsignedA && !bConstant);
  };
  bool unsignedA = runtimeFlips(true) <= runtimeFlips(false);
  // Flipping the top bit turns u8 v into s8 v - 128 and s8 v into u8 v + 128;
  // the zero point moves with it.
  auto toForm = [&](Value value, bool isUnsigned, bool wantUnsigned, int64_t &shift) {
    shift = isUnsigned == wantUnsigned ? 0 : (wantUnsigned ? 128 : -128);
    return shift == 0 ? value : flipSign(b, loc, value);
  };
  int64_t aShift, bShift;
  Value aRows = reshapeTo(b, loc, a.value, RankedTensorType::get({rows, depth}, b.getI8Type()));
  Value formA = toForm(aRows, a.isUnsigned, unsignedA, aShift);
  Value formB = toForm(bm.value, bm.isUnsigned, !unsignedA, bShift);

  auto accType = RankedTensorType::get({rows, cols}, i32);
  Value zero = scalarConstant(b, loc, i32, 0);
  Value product =
      buildByteProduct(b, loc, formA, formB, createFilled(b, loc, accType, zero), unsignedA);

  // The zero-point terms, each only where its zero point may be nonzero.
  bool aCentered = isCentered(a.zeroPoint, a.zeroPointUnsigned, aShift);
  bool bCentered = isCentered(bm.zeroPoint, bm.zeroPointUnsigned, bShift);
  if (!aCentered || !bCentered) {
    MLIRContext *ctx = b.getContext();
    AffineMap identity = b.getMultiDimIdentityMap(2);
    AffineMap perRow = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    AffineMap perColumn = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<Value> inputs{product};
    SmallVector<AffineMap> maps{identity};
    int rowSumsAt = -1, colSumsAt = -1, aZpAt = -1, bZpAt = -1;
    auto add = [&](Value value, AffineMap map) {
      inputs.push_back(value);
      maps.push_back(map);
      return int(inputs.size() - 1);
    };
    // Per tensor, or one per row of A (dim 0) / column of B (dim 1). Static
    // and checked by isSupportedZeroPoint: mapping neither fails nor builds IR.
    auto addZeroPoint = [&](Value zp, unsigned dim, int64_t size) {
      FailureOr<MappedParam> mapped = mapParam(b, loc, zp, 2, dim, size);
      assert(succeeded(mapped) && "zero point not checked by isSupportedZeroPoint");
      return add(mapped->value, mapped->map);
    };
    if (!bCentered)
      rowSumsAt = add(byteSums(b, loc, formA, 1, unsignedA), perRow);
    if (!aCentered)
      colSumsAt = add(byteSums(b, loc, formB, 0, !unsignedA), perColumn);
    if (a.zeroPoint)
      aZpAt = addZeroPoint(a.zeroPoint, 0, rows);
    if (bm.zeroPoint)
      bZpAt = addZeroPoint(bm.zeroPoint, 1, cols);
    maps.push_back(identity);
    product = linalg::GenericOp::create(
                  b, loc, TypeRange{accType}, inputs, ValueRange{createEmpty(b, loc, accType)},
                  maps, SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
                  [&](OpBuilder &nb, Location l, ValueRange args) {
                    Value za = shiftedZeroPoint(nb, l, aZpAt >= 0 ? args[aZpAt] : Value(),
                                                a.zeroPointUnsigned, aShift);
                    Value zb = shiftedZeroPoint(nb, l, bZpAt >= 0 ? args[bZpAt] : Value(),
                                                bm.zeroPointUnsigned, bShift);
                    Value acc = args[0];
                    if (rowSumsAt >= 0)
                      acc = arith::SubIOp::create(
                          nb, l, acc, arith::MulIOp::create(nb, l, zb, args[rowSumsAt]));
                    if (colSumsAt >= 0)
                      acc = arith::SubIOp::create(
                          nb, l, acc, arith::MulIOp::create(nb, l, za, args[colSumsAt]));
                    if (rowSumsAt >= 0 && colSumsAt >= 0) {
                      Value k = scalarConstant(nb, l, nb.getI32Type(), double(depth));
                      Value both = arith::MulIOp::create(nb, l, za, zb);
                      acc = arith::AddIOp::create(nb, l, acc, arith::MulIOp::create(nb, l, k, both));
                    }
                    linalg::YieldOp::create(nb, l, acc);
                  })
                  .getResult(0);
  }
  SmallVector<int64_t> shape(aType.getShape().drop_back());
  shape.push_back(cols);
  return reshapeTo(b, loc, product, RankedTensorType::get(shape, i32));
}

std::optional<FailureOr<Value>> buildByteConv(OpBuilder &b, Operation *op, const ByteOperand &x,
                                              const ByteOperand &w, RankedTensorType accType,
                                              const ConvolutionAttrs &attrs) {
  if (!isByteTensor(x.value) || !isByteTensor(w.value) || !accType.hasStaticShape())
    return std::nullopt;
  auto xType = cast<RankedTensorType>(x.value.getType());
  auto wType = cast<RankedTensorType>(w.value.getType());
  if (xType.getRank() != 4 || wType.getRank() != 4 || accType.getRank() != 4 || attrs.group != 1)
    return std::nullopt;
  int64_t batch = xType.getDimSize(0), channels = xType.getDimSize(1);
  int64_t filters = wType.getDimSize(0);
  // Mismatches are the general lowering's to report.
  if (wType.getDimSize(1) != channels || accType.getDimSize(0) != batch ||
      accType.getDimSize(1) != filters || accType.getNumElements() == 0)
    return std::nullopt;
  if (!isSupportedZeroPoint(x.zeroPoint, 1) || !isSupportedZeroPoint(w.zeroPoint, filters))
    return std::nullopt;
  // x pads with its zero point's bytes (below): they must mean the same values.
  if (x.zeroPoint && x.isUnsigned != x.zeroPointUnsigned)
    return std::nullopt;
  Location loc = op->getLoc();
  MLIRContext *ctx = b.getContext();
  // Padding holds x's zero point: it adds nothing to the centered sum.
  Value padValue = x.zeroPoint ? extractScalar(b, loc, x.zeroPoint)
                               : scalarConstant(b, loc, b.getI8Type(), 0);
  FailureOr<PaddedWindow> window =
      padForStaticWindow(b, op, x.value, w.value, accType, attrs, padValue);
  if (failed(window))
    return FailureOr<Value>(failure());
  if (!window->padded)
    return std::nullopt;
  int64_t outH = accType.getDimSize(2), outW = accType.getDimSize(3);
  int64_t kernelH = window->kernel[0], kernelW = window->kernel[1];
  int64_t depth = channels * kernelH * kernelW, positions = batch * outH * outW;
  auto columnsType = RankedTensorType::get({depth, positions}, b.getI8Type());

  // The im2col matrix [C*KH*KW, N*OH*OW]; a pointwise convolution of one
  // image reads its input as it is.
  Value columns;
  bool pointwise = kernelH == 1 && kernelW == 1 && batch == 1 && window->padded == x.value &&
                   llvm::all_equal({window->strides[0], window->strides[1], int64_t(1)}) &&
                   outH == xType.getDimSize(2) && outW == xType.getDimSize(3);
  if (pointwise) {
    columns = reshapeTo(b, loc, x.value, columnsType);
  } else {
    // Loops (c, kh, kw, n, oh, ow) read padded[n, c, oh*s + kh*d, ow*s + kw*d].
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap read = AffineMap::get(
        6, 0,
        {d(3), d(0), d(4) * window->strides[0] + d(1) * window->dilations[0],
         d(5) * window->strides[1] + d(2) * window->dilations[1]},
        ctx);
    auto im2colType =
        RankedTensorType::get({channels, kernelH, kernelW, batch, outH, outW}, b.getI8Type());
    Value im2col = linalg::GenericOp::create(
                       b, loc, TypeRange{im2colType}, ValueRange{window->padded},
                       ValueRange{createEmpty(b, loc, im2colType)},
                       ArrayRef<AffineMap>{read, b.getMultiDimIdentityMap(6)},
                       SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
                       [](OpBuilder &nb, Location l, ValueRange args) {
                         linalg::YieldOp::create(nb, l, args[0]);
                       })
                       .getResult(0);
    columns = reshapeTo(b, loc, im2col, columnsType);
  }
  Value filterRows =
      reshapeTo(b, loc, w.value, RankedTensorType::get({filters, depth}, b.getI8Type()));
  std::optional<Value> acc =
      buildByteMatMul(b, loc, {filterRows, w.isUnsigned, w.zeroPoint, w.zeroPointUnsigned},
                      {columns, x.isUnsigned, x.zeroPoint, x.zeroPointUnsigned});
  if (!acc)
    return std::nullopt;
  // [F, N*OH*OW] -> [N, F, OH, OW].
  if (batch == 1)
    return FailureOr<Value>(reshapeTo(b, loc, *acc, accType));
  auto byFilter = RankedTensorType::get({filters, batch, outH, outW}, b.getI32Type());
  Value expanded = reshapeTo(b, loc, *acc, byFilter);
  return FailureOr<Value>(linalg::TransposeOp::create(b, loc, expanded,
                                                      createEmpty(b, loc, accType),
                                                      ArrayRef<int64_t>{1, 0, 2, 3})
                              .getResult()[0]);
}

} // namespace smelt
