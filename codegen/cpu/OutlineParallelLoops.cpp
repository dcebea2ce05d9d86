//===- OutlineParallelLoops.cpp - loop bodies for the runtime's threads ---===//
//
// A loop whose iterations are independent (marked `smelt.parallel` by the
// pass that tiled it) becomes a call
//   __smelt_parallel_for(count, @body, ctx)
// where @body(ctx, begin, end) runs iterations [begin, end) and ctx holds
// the values the loop body uses from outside: one i64 per scalar, two (the
// aligned pointer and the offset) per memref. The emitter defines
// __smelt_parallel_for: it hands the range to the caller's parallel_for
// when the entry point received one, and runs it in one call otherwise.
// Only memrefs with static sizes and strides cross (their descriptors are
// rebuilt from the pointer and offset); a loop that uses anything else from
// outside stays as it is.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuTarget.h"
#include "codegen/cpu/ParallelForSymbol.h"
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUOUTLINEPARALLELLOOPS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {


/// A memref whose descriptor can be rebuilt from its aligned pointer and
/// offset: static sizes and strides.
bool isRebuildable(MemRefType type) {
  if (!type.hasStaticShape() || type.getMemorySpace())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         llvm::none_of(strides, ShapedType::isDynamic);
}

/// Scalars that fit an i64 slot.
bool isSlotScalar(Type type) {
  return type.isIndex() || (type.isIntOrFloat() && type.getIntOrFloatBitWidth() <= 64);
}

/// Stores `value` as i64 slots into `slots`.
void packValue(OpBuilder &b, Location loc, Value value, SmallVectorImpl<Value> &slots) {
  Type i64 = b.getI64Type();
  auto toI64 = [&](Value v) -> Value {
    Type type = v.getType();
    if (type.isIndex())
      return arith::IndexCastUIOp::create(b, loc, i64, v);
    if (auto f = dyn_cast<FloatType>(type))
      v = arith::BitcastOp::create(b, loc, b.getIntegerType(f.getWidth()), v);
    if (v.getType().getIntOrFloatBitWidth() < 64)
      v = arith::ExtUIOp::create(b, loc, i64, v);
    return v;
  };
  if (auto memref = dyn_cast<MemRefType>(value.getType())) {
    slots.push_back(toI64(memref::ExtractAlignedPointerAsIndexOp::create(b, loc, value)));
    auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, value);
    slots.push_back(toI64(metadata.getOffset()));
    return;
  }
  slots.push_back(toI64(value));
}

/// Reads back a value of `type` packed by packValue from `slots` at `index`.
Value unpackValue(OpBuilder &b, Location loc, Type type, Value ctx, unsigned &index,
                  unsigned indexBits) {
  Type i64 = b.getI64Type();
  auto load = [&]() -> Value {
    Value address = LLVM::GEPOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()), i64,
                                        ctx, ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index++)});
    return LLVM::LoadOp::create(b, loc, i64, address);
  };
  auto fromI64 = [&](Value v, Type to) -> Value {
    if (to.isIndex())
      return arith::IndexCastUIOp::create(b, loc, to, v);
    unsigned width = to.getIntOrFloatBitWidth();
    if (width < 64)
      v = arith::TruncIOp::create(b, loc, b.getIntegerType(width), v);
    if (isa<FloatType>(to))
      v = arith::BitcastOp::create(b, loc, to, v);
    return v;
  };
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return fromI64(load(), type);
  // The descriptor {allocated, aligned, offset, sizes[], strides[]}.
  MLIRContext *ctx_ = b.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx_);
  Type idx = IntegerType::get(ctx_, indexBits);
  SmallVector<Type> fields{ptr, ptr, idx};
  int64_t rank = memref.getRank();
  if (rank > 0) {
    fields.push_back(LLVM::LLVMArrayType::get(idx, rank));
    fields.push_back(LLVM::LLVMArrayType::get(idx, rank));
  }
  auto structType = LLVM::LLVMStructType::getLiteral(ctx_, fields);
  Value pointer = LLVM::IntToPtrOp::create(b, loc, ptr, load());
  Value offset = load();
  if (indexBits < 64)
    offset = LLVM::TruncOp::create(b, loc, idx, offset);
  Value desc = LLVM::PoisonOp::create(b, loc, structType);
  desc = LLVM::InsertValueOp::create(b, loc, desc, pointer, ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, loc, desc, pointer, ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(b, loc, desc, offset, ArrayRef<int64_t>{2});
  SmallVector<int64_t> strides;
  int64_t staticOffset;
  (void)memref.getStridesAndOffset(strides, staticOffset);
  for (int64_t d = 0; d < rank; ++d) {
    Value size = LLVM::ConstantOp::create(b, loc, idx, memref.getDimSize(d));
    Value stride = LLVM::ConstantOp::create(b, loc, idx, strides[d]);
    desc = LLVM::InsertValueOp::create(b, loc, desc, size, ArrayRef<int64_t>{3, d});
    desc = LLVM::InsertValueOp::create(b, loc, desc, stride, ArrayRef<int64_t>{4, d});
  }
  return UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
}

class OutlineParallelLoopsPass
    : public impl::SmeltCpuOutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    unsigned indexBits = getCpuTarget(module).indexBits;
    SmallVector<scf::ForOp> loops;
    module.walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (!loop->hasAttr(kParallelLoopAttr))
        return WalkResult::advance();
      loops.push_back(loop);
      return WalkResult::skip(); // the outermost parallel loop only
    });
    module.walk([](scf::ForOp loop) { loop->removeAttr(kParallelLoopAttr); });
    if (loops.empty())
      return;

    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    auto bodyType = b.getFunctionType({ptr, b.getI64Type(), b.getI64Type()}, {});
    SymbolTable symbols(module);
    b.setInsertionPointToEnd(module.getBody());
    auto runtimeFn = func::FuncOp::create(
        b, module.getLoc(), kParallelForFn,
        b.getFunctionType({b.getI64Type(), bodyType, ptr}, {}));
    runtimeFn.setPrivate();
    symbols.insert(runtimeFn);
    unsigned outlined = 0;
    for (scf::ForOp loop : loops)
      if (succeeded(outline(loop, symbols, bodyType, runtimeFn, indexBits)))
        ++outlined;
    if (!outlined)
      runtimeFn.erase();
  }

  LogicalResult outline(scf::ForOp loop, SymbolTable &symbols, FunctionType bodyType,
                        func::FuncOp runtimeFn, unsigned indexBits) {
    if (loop.getNumResults() != 0)
      return failure();
    // Values from outside: constants are cloned, the rest go through ctx.
    SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    SmallVector<Value> captures;
    SmallVector<Operation *> constants;
    for (Value v : used) {
      if (Operation *def = v.getDefiningOp(); def && matchPattern(def, m_Constant())) {
        constants.push_back(def);
        continue;
      }
      auto memref = dyn_cast<MemRefType>(v.getType());
      if (memref ? !isRebuildable(memref) : !isSlotScalar(v.getType()))
        return failure();
      captures.push_back(v);
    }
    for (Value bound : {loop.getLowerBound(), loop.getStep()})
      if (!matchPattern(bound, m_Constant()))
        captures.push_back(bound);

    auto parent = loop->getParentOfType<func::FuncOp>();
    Location loc = loop.getLoc();
    OpBuilder b(loop);
    MLIRContext *ctx = b.getContext();
    Type i64 = b.getI64Type();

    // The body: @fn_parallel_N(ctx, begin, end) runs iterations [begin, end).
    OpBuilder moduleBuilder(parent->getContext());
    moduleBuilder.setInsertionPointAfter(parent);
    auto body = func::FuncOp::create(moduleBuilder, loc,
                                     (parent.getName() + "_parallel").str(), bodyType);
    body.setPrivate();
    // Never inlined into the serial path of __smelt_parallel_for: a second
    // copy of every kernel would double the code and LLVM's time on it.
    body->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
    symbols.insert(body);
    Block *entry = body.addEntryBlock();
    OpBuilder inner = OpBuilder::atBlockBegin(entry);
    IRMapping mapping;
    unsigned slot = 0;
    for (Value v : captures)
      mapping.map(v, unpackValue(inner, loc, v.getType(), entry->getArgument(0), slot, indexBits));
    for (Operation *constant : constants)
      inner.clone(*constant, mapping);
    Value lower = mapping.lookupOrDefault(loop.getLowerBound());
    Value step = mapping.lookupOrDefault(loop.getStep());
    if (lower.getParentBlock() != entry)
      lower = inner.clone(*lower.getDefiningOp())->getResult(0);
    if (step.getParentBlock() != entry)
      step = inner.clone(*step.getDefiningOp())->getResult(0);
    Type ivType = loop.getInductionVar().getType();
    auto toIv = [&](Value v) -> Value {
      return ivType.isIndex() ? Value(arith::IndexCastUIOp::create(inner, loc, ivType, v))
                              : Value(arith::TruncIOp::create(inner, loc, ivType, v));
    };
    Value begin = toIv(entry->getArgument(1)), end = toIv(entry->getArgument(2));
    Value one = arith::ConstantOp::create(inner, loc, ivType, inner.getOneAttr(ivType));
    auto iterations = scf::ForOp::create(inner, loc, begin, end, one);
    {
      OpBuilder inLoop = OpBuilder::atBlockBegin(iterations.getBody());
      Value iv = arith::AddIOp::create(
          inLoop, loc, lower,
          arith::MulIOp::create(inLoop, loc, iterations.getInductionVar(), step));
      mapping.map(loop.getInductionVar(), iv);
      for (Operation &op : loop.getBody()->without_terminator())
        inLoop.clone(op, mapping);
    }
    func::ReturnOp::create(inner, loc);

    // The call site: pack the captures, count the iterations, hand over.
    SmallVector<Value> slots;
    for (Value v : captures)
      packValue(b, loc, v, slots);
    Value count = arith::CeilDivSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, loop.getUpperBound(), loop.getLowerBound()),
        loop.getStep());
    count = ivType.isIndex() ? Value(arith::IndexCastOp::create(b, loc, i64, count))
                             : Value(arith::ExtSIOp::create(b, loc, i64, count));
    // The frame lives in the entry block: an alloca inside a loop would grow
    // the stack on every iteration.
    OpBuilder atEntry = OpBuilder::atBlockBegin(&parent.getBody().front());
    Value slotCount =
        LLVM::ConstantOp::create(atEntry, loc, i64, std::max<int64_t>(slots.size(), 1));
    Value frame =
        LLVM::AllocaOp::create(atEntry, loc, LLVM::LLVMPointerType::get(ctx), i64, slotCount);
    for (auto [i, v] : llvm::enumerate(slots)) {
      Value address =
          LLVM::GEPOp::create(b, loc, LLVM::LLVMPointerType::get(ctx), i64, frame,
                              ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      LLVM::StoreOp::create(b, loc, v, address);
    }
    Value fn = func::ConstantOp::create(b, loc, bodyType, body.getSymName());
    func::CallOp::create(b, loc, runtimeFn, ValueRange{count, fn, frame});
    loop.erase();
    return success();
  }
};

} // namespace
} // namespace smelt
