//===- ByteKernels.cpp - packed byte products on dot-product instructions -===//
//
// The packed byte product of quantized MatMuls (smelt-cpu-data-tiling's
// output, on buffers):
//
//   C[m1, n1, m0, n0] += sum over k1, k0 of A[m1, k1, m0, k0] * B[n1, k1, n0, k0]
//
// (one operand's bytes unsigned, the other's signed; for vpmaddwd both come
// widened to i16) becomes the micro-kernel of the target's ByteTiles
// (KernelStrategy.h): the m0 x n0 tile of C stays in registers (m0 rows of
// n0 / lanes vectors of i32) across the reduction; each step loads the
// n0 x k0 elements of B once, broadcasts k0 elements of each A row over a
// vector, and adds their dot
// products into the accumulators with one instruction per vector (vpdpbusd,
// vpmaddwd, or a widened multiply-add). The n1 loop is outermost and shared
// between threads: B's panel for one n1 (K x n0 elements) stays in the L1
// cache while every m1 reads it, and A is read from L2 once per n1. Integer
// sums are exact, so the thread count cannot change a result.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/KernelStrategy.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUBYTEKERNELS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// `memref` [X, Y, a, b] as [X, Y, a * b]: a panel's tile as one row, or
/// nothing where its layout does not allow it.
Value tilesAsRows(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  SmallVector<ReassociationIndices> groups{{0}, {1}, {2, 3}};
  if (type.getRank() != 4 || !memref::CollapseShapeOp::isGuaranteedCollapsible(type, groups))
    return Value();
  return memref::CollapseShapeOp::create(b, loc, memref, groups);
}

/// A word of 32 bits broadcast over `lanes` i32 lanes.
Value broadcastWord(OpBuilder &b, Location loc, Value word, int64_t lanes) {
  Value single = vector::BitCastOp::create(b, loc, VectorType::get({1}, b.getI32Type()), word);
  Value scalar = vector::ExtractOp::create(b, loc, single, ArrayRef<int64_t>{0});
  return vector::BroadcastOp::create(b, loc, VectorType::get({lanes}, b.getI32Type()), scalar);
}

/// `bytes` extended to `type`, as unsigned or signed values.
Value extend(OpBuilder &b, Location loc, Value bytes, Type type, bool isUnsigned) {
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, type, bytes);
  return arith::ExtSIOp::create(b, loc, type, bytes);
}

/// The k0 elements of one row of A (`row`) broadcast over a vector, as the
/// dot product of `tiles` takes them with the columns of B (`columnsType`).
Value broadcastRow(OpBuilder &b, Location loc, const ByteTiles &tiles, bool unsignedA, Value row,
                   Type columnsType) {
  if (tiles.dot == ByteDot::Widen) {
    Value element = vector::ExtractOp::create(b, loc, row, ArrayRef<int64_t>{0});
    Value wide = extend(b, loc, element, b.getI32Type(), unsignedA);
    return vector::BroadcastOp::create(b, loc, VectorType::get({tiles.lanes}, b.getI32Type()),
                                       wide);
  }
  // vpdpbusd takes bytes and vpmaddwd pairs of i16: k0 elements are a word.
  return vector::BitCastOp::create(b, loc, columnsType, broadcastWord(b, loc, row, tiles.lanes));
}

/// `acc` plus, in each i32 lane j, the dot product of the k0 elements of A
/// in `a` (broadcastRow) with the k0 elements of column j in `columns`; A's
/// elements are unsigned and B's signed, or the other way round
/// (`unsignedA`). Pairs of i16 come widened so (ByteTiles::packedBits).
Value dotStep(OpBuilder &b, Location loc, const ByteTiles &tiles, bool unsignedA, Value acc,
              Value a, Value columns) {
  int64_t lanes = tiles.lanes;
  auto i32Vector = VectorType::get({lanes}, b.getI32Type());
  switch (tiles.dot) {
  case ByteDot::Vnni: {
    // vpdpbusd's first byte operand is the unsigned one.
    StringRef name = lanes == 16 ? "llvm.x86.avx512.vpdpbusd.512" : "llvm.x86.avx512.vpdpbusd.256";
    SmallVector<Value, 3> operands{acc, a, columns};
    if (!unsignedA)
      std::swap(operands[1], operands[2]);
    return LLVM::CallIntrinsicOp::create(b, loc, i32Vector, b.getStringAttr(name), operands)
        .getResult(0);
  }
  case ByteDot::PairsInt16: {
    StringRef name = lanes == 16 ? "llvm.x86.avx512.pmaddw.d.512" : "llvm.x86.avx2.pmadd.wd";
    Value pairs = LLVM::CallIntrinsicOp::create(b, loc, i32Vector, b.getStringAttr(name),
                                                ValueRange{a, columns})
                      .getResult(0);
    return arith::AddIOp::create(b, loc, acc, pairs);
  }
  case ByteDot::Widen: {
    Value wide = extend(b, loc, columns, i32Vector, !unsignedA);
    return arith::AddIOp::create(b, loc, acc, arith::MulIOp::create(b, loc, a, wide));
  }
  }
  llvm_unreachable("unknown dot product");
}

/// Replaces the packed byte product `op` by the micro-kernel of `tiles`.
/// Fails (leaving it to the loop lowering) when its shapes are not those
/// tiles' or its buffers cannot be read as rows.
LogicalResult lowerByteProduct(RewriterBase &rewriter, linalg::GenericOp op,
                               const ByteTiles &tiles, bool unsignedA) {
  auto aType = cast<MemRefType>(op.getDpsInputs()[0].getType());
  auto bType = cast<MemRefType>(op.getDpsInputs()[1].getType());
  auto cType = cast<MemRefType>(op.getDpsInits()[0].getType());
  int64_t m0 = tiles.m0, n0 = tiles.n0, k0 = tiles.k0, lanes = tiles.lanes;
  if (!aType.hasStaticShape() || !bType.hasStaticShape() || !cType.hasStaticShape() ||
      aType.getElementTypeBitWidth() != tiles.packedBits ||
      aType.getShape().take_back(2) != ArrayRef<int64_t>{m0, k0} ||
      bType.getShape().take_back(2) != ArrayRef<int64_t>{n0, k0} ||
      cType.getShape().take_back(2) != ArrayRef<int64_t>{m0, n0})
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value a = tilesAsRows(rewriter, loc, op.getDpsInputs()[0]);
  Value b = tilesAsRows(rewriter, loc, op.getDpsInputs()[1]);
  Value c = tilesAsRows(rewriter, loc, op.getDpsInits()[0]);
  if (!a || !b || !c)
    return failure();

  auto index = [&](int64_t value) { return arith::ConstantIndexOp::create(rewriter, loc, value); };
  Value zero = index(0), one = index(1);
  int64_t rowVectors = n0 / lanes;
  auto accType = VectorType::get({lanes}, rewriter.getI32Type());
  Type element = aType.getElementType(); // i8, or i16 when widened as packed
  auto columnsType = VectorType::get({lanes * k0}, element);
  auto rowType = VectorType::get({k0}, element);

  auto columnLoop = scf::ForOp::create(rewriter, loc, zero, index(bType.getDimSize(0)), one);
  columnLoop->setAttr(kParallelLoopAttr, rewriter.getUnitAttr());
  rewriter.setInsertionPointToStart(columnLoop.getBody());
  Value n1 = columnLoop.getInductionVar();
  auto rowLoop = scf::ForOp::create(rewriter, loc, zero, index(aType.getDimSize(0)), one);
  rewriter.setInsertionPointToStart(rowLoop.getBody());
  Value m1 = rowLoop.getInductionVar();

  // The C tile: accumulator (r, j) is row r, columns j * lanes onwards.
  SmallVector<Value> offsets, initial;
  for (int64_t r = 0; r < m0; ++r)
    for (int64_t j = 0; j < rowVectors; ++j) {
      offsets.push_back(index(r * n0 + j * lanes));
      initial.push_back(vector::LoadOp::create(rewriter, loc, accType, c,
                                               ValueRange{m1, n1, offsets.back()}));
    }
  auto reduction = scf::ForOp::create(
      rewriter, loc, zero, index(aType.getDimSize(1)), one, initial,
      [&](OpBuilder &nb, Location l, Value k1, ValueRange accs) {
        SmallVector<Value> columns;
        for (int64_t j = 0; j < rowVectors; ++j)
          columns.push_back(vector::LoadOp::create(
              nb, l, columnsType, b,
              ValueRange{n1, k1, arith::ConstantIndexOp::create(nb, l, j * lanes * k0)}));
        SmallVector<Value> updated;
        for (int64_t r = 0; r < m0; ++r) {
          Value row = vector::LoadOp::create(
              nb, l, rowType, a, ValueRange{m1, k1, arith::ConstantIndexOp::create(nb, l, r * k0)});
          Value broadcast = broadcastRow(nb, l, tiles, unsignedA, row, columnsType);
          for (int64_t j = 0; j < rowVectors; ++j)
            updated.push_back(
                dotStep(nb, l, tiles, unsignedA, accs[r * rowVectors + j], broadcast, columns[j]));
        }
        scf::YieldOp::create(nb, l, updated);
      });
  for (auto [acc, offset] : llvm::zip(reduction.getResults(), offsets))
    vector::StoreOp::create(rewriter, loc, acc, c, ValueRange{m1, n1, offset});
  rewriter.eraseOp(op);
  return success();
}

class ByteKernelsPass : public impl::SmeltCpuByteKernelsBase<ByteKernelsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::GenericOp, bool>> products;
    getOperation().walk([&](linalg::GenericOp op) {
      bool unsignedA = true;
      if (op.hasPureBufferSemantics() && isByteProduct(op, /*packed=*/true, &unsignedA))
        products.push_back({op, unsignedA});
    });
    ByteTiles tiles = chooseByteTiles(getCpuTarget(getOperation()));
    IRRewriter rewriter(&getContext());
    for (auto [op, unsignedA] : products)
      (void)lowerByteProduct(rewriter, op, tiles, unsignedA);
  }
};

} // namespace
} // namespace smelt
