//===- RunTimeArena.cpp - buffers of run-time size in one allocation -----===//
#include "codegen/cpu/RunTimeArena.h"
#include "codegen/cpu/WorkspacePlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace smelt {
namespace {

/// A buffer that meets more earlier buffers than this goes above them all:
/// the first-fit search costs code quadratic in the number it meets.
constexpr size_t kMaxSearchedNeighbours = 16;
/// No buffer is larger: a size past it makes the block's allocation fail.
/// Below it, the sums of offsets cannot wrap.
constexpr uint64_t kSizeLimit = uint64_t{1} << 48;
/// What the block asks for when a size overflowed: more than any machine
/// has, and far enough from 2^64 that malloc's alignment padding cannot wrap.
constexpr uint64_t kFailingSize = uint64_t{1} << 62;

bool computableAtEntry(Value value, Block &entry, DenseMap<Value, bool> &memo) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner() == &entry;
  if (auto it = memo.find(value); it != memo.end())
    return it->second;
  Operation *op = value.getDefiningOp();
  // Buffers enter only as the arguments whose dims are read: a view made
  // later (memref.reshape reads its shape from memory) may not exist yet.
  auto isBuffer = [](Value v) { return isa<BaseMemRefType, TensorType>(v.getType()); };
  bool computable;
  if (auto dim = dyn_cast<memref::DimOp>(op))
    computable = isa<BlockArgument>(dim.getSource()) &&
                 cast<BlockArgument>(dim.getSource()).getOwner() == &entry &&
                 computableAtEntry(dim.getIndex(), entry, memo);
  else
    computable = op->getNumRegions() == 0 && isPure(op) &&
                 llvm::none_of(op->getOperands(), isBuffer) &&
                 llvm::none_of(op->getResults(), isBuffer) &&
                 llvm::all_of(op->getOperands(), [&](Value operand) {
                   return computableAtEntry(operand, entry, memo);
                 });
  memo[value] = computable;
  return computable;
}

/// Straight-line i64 arithmetic at the function's entry, remembering
/// whether any product overflowed.
class EntryCode {
public:
  EntryCode(func::FuncOp func)
      : b(OpBuilder::atBlockBegin(&func.getBody().front())), loc(func.getLoc()),
        i64(b.getI64Type()) {
    overflow = arith::ConstantIntOp::create(b, loc, 0, 1);
  }

  /// `value`, computed at the entry (cloning the pure ops that make it).
  Value atEntry(Value value) {
    if (isa<BlockArgument>(value))
      return value;
    if (Value known = mapping.lookupOrNull(value))
      return known;
    Operation *op = value.getDefiningOp();
    for (Value operand : op->getOperands())
      atEntry(operand);
    b.clone(*op, mapping);
    return mapping.lookup(value);
  }

  Value constant(uint64_t v) {
    return arith::ConstantIntOp::create(b, loc, i64, static_cast<int64_t>(v));
  }
  Value toI64(Value index) { return arith::IndexCastUIOp::create(b, loc, i64, index); }
  Value toIndex(Value v) { return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), v); }

  Value mul(Value x, Value y) {
    auto product = arith::MulUIExtendedOp::create(b, loc, x, y);
    flagIf(arith::CmpIPredicate::ne, product.getHigh(), constant(0));
    return product.getLow();
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxUIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinUIOp::create(b, loc, x, y); }
  Value ule(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value either(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) { return arith::SelectOp::create(b, loc, c, x, y); }

  void flagIf(arith::CmpIPredicate predicate, Value x, Value y) {
    overflow = either(overflow, arith::CmpIOp::create(b, loc, predicate, x, y));
  }

  /// Bytes of `alloc`'s buffer, rounded up to the workspace alignment.
  Value alignedBytes(memref::AllocOp alloc, const DataLayout &layout) {
    MemRefType type = alloc.getType();
    Value bytes = constant(layout.getTypeSize(type.getElementType()));
    unsigned next = 0;
    for (int64_t dim : type.getShape())
      bytes = mul(bytes, ShapedType::isDynamic(dim)
                             ? toI64(atEntry(alloc.getDynamicSizes()[next++]))
                             : constant(static_cast<uint64_t>(dim)));
    flagIf(arith::CmpIPredicate::ugt, bytes, constant(kSizeLimit));
    Value rounded = add(bytes, constant(kWorkspaceAlign - 1));
    return arith::AndIOp::create(b, loc, rounded, constant(~(kWorkspaceAlign - 1)));
  }

  OpBuilder b;
  Location loc;
  Type i64;
  Value overflow;
  IRMapping mapping;
};

} // namespace

bool sizesKnownAtEntry(memref::AllocOp alloc, func::FuncOp func) {
  DenseMap<Value, bool> memo;
  Block &entry = func.getBody().front();
  return alloc.getSymbolOperands().empty() &&
         llvm::all_of(alloc.getDynamicSizes(),
                      [&](Value size) { return computableAtEntry(size, entry, memo); });
}

void placeInRunTimeArena(func::FuncOp func, ArrayRef<RunTimeBuffer> unordered,
                         const DataLayout &layout, const RunTimeBlockPlace &place) {
  if (unordered.empty())
    return;
  SmallVector<RunTimeBuffer> buffers(unordered);
  llvm::stable_sort(buffers, [](const RunTimeBuffer &a, const RunTimeBuffer &b) {
    return a.range.start < b.range.start;
  });
  EntryCode code(func);
  SmallVector<Value> offsets, ends;
  Value total = code.constant(kWorkspaceAlign);
  for (auto [i, buffer] : llvm::enumerate(buffers)) {
    Value size = code.alignedBytes(buffer.alloc, layout);
    SmallVector<size_t> met;
    for (size_t j = 0; j < i; ++j)
      if (buffers[j].range.meets(buffer.range))
        met.push_back(j);
    // Above every buffer it meets is always free; first fit looks lower:
    // at 0 and at the end of each such buffer, the lowest place where the
    // buffer overlaps none of them.
    Value offset = code.constant(0);
    if (!met.empty()) {
      Value top = ends[met.front()];
      for (size_t j : met)
        top = code.max(top, ends[j]);
      offset = top;
      if (met.size() <= kMaxSearchedNeighbours) {
        SmallVector<Value> candidates{code.constant(0)};
        for (size_t j : met)
          candidates.push_back(ends[j]);
        for (Value candidate : candidates) {
          Value candidateEnd = code.add(candidate, size);
          Value free;
          for (size_t j : met) {
            Value apart = code.either(code.ule(candidateEnd, offsets[j]),
                                      code.ule(ends[j], candidate));
            free = free ? code.both(free, apart) : apart;
          }
          offset = code.select(free, code.min(offset, candidate), offset);
        }
      }
    }
    offsets.push_back(offset);
    ends.push_back(code.add(offset, size));
    total = code.max(total, ends.back());
  }
  total = code.select(code.overflow, code.constant(kFailingSize), total);

  // Past the planned bytes of the caller's workspace when there is room
  // (the entry point hands over a workspace of at least those bytes, or
  // one of exactly them); else an allocation of the run's own.
  OpBuilder &b = code.b;
  Location loc = code.loc;
  Value planned = code.constant(place.plannedBytes);
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  memref::StoreOp::create(b, loc, code.add(planned, total), place.needed, ValueRange{c0});
  Value given = code.toI64(memref::DimOp::create(b, loc, place.workspace, c0));
  // One op per statement: the IR's order must not follow the C++ compiler's
  // order of evaluating arguments.
  Value enough = code.ule(planned, given);
  Value left = arith::SubIOp::create(b, loc, given, planned);
  Value room = code.select(enough, left, code.constant(0));
  auto blockType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
  Value blockBytes = code.toIndex(total);
  auto inWorkspace = scf::IfOp::create(b, loc, blockType, code.ule(total, room),
                                       /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(inWorkspace.thenBlock());
    Value view = memref::ViewOp::create(b, loc, blockType, place.workspace,
                                        code.toIndex(planned), ValueRange{blockBytes});
    scf::YieldOp::create(b, loc, view);
    b.setInsertionPointToStart(inWorkspace.elseBlock());
    Value fresh = memref::AllocOp::create(b, loc, blockType, ValueRange{blockBytes},
                                          b.getI64IntegerAttr(kWorkspaceAlign));
    scf::YieldOp::create(b, loc, fresh);
  }
  Value block = inWorkspace.getResult(0);
  SmallVector<Value> indexOffsets;
  for (Value offset : offsets)
    indexOffsets.push_back(code.toIndex(offset));
  for (auto [buffer, offset] : llvm::zip(buffers, indexOffsets)) {
    memref::AllocOp alloc = buffer.alloc;
    OpBuilder at(alloc);
    Value view = memref::ViewOp::create(at, alloc.getLoc(), alloc.getType(), block, offset,
                                        alloc.getDynamicSizes());
    alloc.replaceAllUsesWith(view);
    alloc.erase();
  }
}

} // namespace smelt
