//===- ByteMatMul.cpp - 8-bit matrix products for dot-product kernels -----===//
//
// MatMulInteger and QLinearMatMul of 8-bit operands, rewritten around the
// one product CPU dot-product instructions compute (x86 VNNI's vpdpbusd:
// unsigned bytes times signed bytes, summed in i32):
//
//   sum_k (a - za)(b - zb) = sum_k a'b' - zb' * rowsum(a') - za' * colsum(b')
//                            + K * za' * zb'
//
// where a' holds A as unsigned bytes (a signed A flipped: a' = a + 128, za' =
// za + 128) and b' holds B as signed bytes (an unsigned B flipped: b' = b -
// 128, zb' = zb - 128). The identity is exact in i32 (wrapping arithmetic),
// so results equal the direct sum bit for bit. The product sum_k a'b' is a
// linalg.generic whose body is `out + extui(a') * extsi(b')`: the byte
// product that smelt-cpu-data-tiling packs and smelt-cpu-byte-kernels runs
// on dot-product instructions. Weights (a constant B) are flipped and their
// column sums taken here, at compile time; terms whose zero point is known
// to be zero are left out.
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

/// Whether `zeroPoint` is absent or a constant zero.
bool isZeroOrAbsent(Value zeroPoint) {
  if (!zeroPoint)
    return true;
  Attribute constant = constantBehindReshapes(zeroPoint);
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(constant))
    return splat.getSplatValue<APInt>().isZero();
  std::optional<ArrayRef<char>> bytes = constantBytes(constant);
  return bytes && llvm::all_of(*bytes, [](char c) { return c == 0; });
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
    std::vector<int32_t> sums(sumType.getDimSize(0), 0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        auto byte = static_cast<unsigned char>((*data)[r * cols + c]);
        sums[dim == 0 ? c : r] += isUnsigned ? int32_t(byte) : int32_t(int8_t(byte));
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

Value buildByteProduct(OpBuilder &b, Location loc, Value unsignedA, Value signedB, Value init) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {m, k}, ctx), AffineMap::get(3, 0, {k, n}, ctx),
                              AffineMap::get(3, 0, {m, n}, ctx)};
  SmallVector<utils::IteratorType> iterators{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel,
                                             utils::IteratorType::reduction};
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{unsignedA, signedB}, ValueRange{init},
             maps, iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Type i32 = nb.getI32Type();
               Value x = arith::ExtUIOp::create(nb, l, i32, args[0]);
               Value y = arith::ExtSIOp::create(nb, l, i32, args[1]);
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
  if (!isSupportedZeroPoint(a.zeroPoint, 1) || !isSupportedZeroPoint(bm.zeroPoint, cols))
    return std::nullopt;
  Type i32 = b.getI32Type();

  // A as rows [M, K] of unsigned bytes, B as signed bytes.
  int64_t rows = aType.getNumElements() / depth;
  Value aRows = reshapeTo(b, loc, a.value, RankedTensorType::get({rows, depth}, b.getI8Type()));
  Value unsignedA = a.isUnsigned ? aRows : flipSign(b, loc, aRows);
  Value signedB = bm.isUnsigned ? flipSign(b, loc, bm.value) : bm.value;
  int64_t aShift = a.isUnsigned ? 0 : 128, bShift = bm.isUnsigned ? -128 : 0;

  auto accType = RankedTensorType::get({rows, cols}, i32);
  Value zero = scalarConstant(b, loc, i32, 0);
  Value product = buildByteProduct(b, loc, unsignedA, signedB, createFilled(b, loc, accType, zero));

  // The zero-point terms, each only where its zero point may be nonzero.
  bool aCentered = aShift == 0 && isZeroOrAbsent(a.zeroPoint);
  bool bCentered = bShift == 0 && isZeroOrAbsent(bm.zeroPoint);
  if (!aCentered || !bCentered) {
    MLIRContext *ctx = b.getContext();
    AffineMap identity = b.getMultiDimIdentityMap(2);
    AffineMap perRow = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    AffineMap perColumn = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    AffineMap first = AffineMap::get(2, 0, {getAffineConstantExpr(0, ctx)}, ctx);
    AffineMap scalar = AffineMap::get(2, 0, {}, ctx);
    auto zeroPointMap = [&](Value zp, bool followsColumns) {
      auto type = cast<RankedTensorType>(zp.getType());
      if (type.getRank() == 0)
        return scalar;
      return followsColumns && type.getDimSize(0) == cols && cols != 1 ? perColumn : first;
    };
    SmallVector<Value> inputs{product};
    SmallVector<AffineMap> maps{identity};
    int rowSumsAt = -1, colSumsAt = -1, aZpAt = -1, bZpAt = -1;
    auto add = [&](Value value, AffineMap map) {
      inputs.push_back(value);
      maps.push_back(map);
      return int(inputs.size() - 1);
    };
    if (!bCentered)
      rowSumsAt = add(byteSums(b, loc, unsignedA, 1, true), perRow);
    if (!aCentered)
      colSumsAt = add(byteSums(b, loc, signedB, 0, false), perColumn);
    if (a.zeroPoint)
      aZpAt = add(a.zeroPoint, zeroPointMap(a.zeroPoint, false));
    if (bm.zeroPoint)
      bZpAt = add(bm.zeroPoint, zeroPointMap(bm.zeroPoint, true));
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

} // namespace smelt
