//===- PlanMemory.cpp - a static model's buffers in one workspace arena ---===//
//
// Shapes of a static model are known at compile time, so the compiler, not
// malloc, decides where each intermediate buffer lives. Every statically
// sized memref.alloc of a public function gets a live range
// (BufferLiveness.h). Buffers whose ranges do not overlap share bytes, and
// an elementwise op whose input dies there writes its output over that
// input. Offsets come from greedy-by-size placement (largest buffer first,
// at the lowest offset free for its whole range), the strategy of TFLite's
// arena planner. The allocs become memref.view ops into a new trailing
// `memref<N x i8>` argument that the caller provides. Buffers of run-time
// size whose sizes follow from the arguments share one block placed at the
// function's entry instead, in the caller's workspace past those N bytes
// when it is large enough (RunTimeArena.h).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/BufferLiveness.h"
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/RunTimeArena.h"
#include "codegen/cpu/WorkspacePlan.h"

#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUPLANMEMORY
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {

void setWorkspacePlan(ModuleOp module, const WorkspacePlan &plan) {
  Builder b(module.getContext());
  auto i64 = [&](uint64_t v) { return b.getI64IntegerAttr(static_cast<int64_t>(v)); };
  module->setAttr(kWorkspacePlanAttr,
                  b.getDictionaryAttr({b.getNamedAttr("size", i64(plan.size)),
                                       b.getNamedAttr("align", i64(plan.align)),
                                       b.getNamedAttr("buffer_bytes", i64(plan.bufferBytes)),
                                       b.getNamedAttr("buffers", i64(plan.buffers)),
                                       b.getNamedAttr("in_place", i64(plan.inPlace)),
                                       b.getNamedAttr("heap_buffers", i64(plan.heapBuffers)),
                                       b.getNamedAttr("dynamic_buffers", i64(plan.dynamicBuffers)),
                                       b.getNamedAttr("run_time_buffers", i64(plan.runTimeBuffers))}));
}

WorkspacePlan getWorkspacePlan(ModuleOp module) {
  WorkspacePlan plan;
  auto dict = module->getAttrOfType<DictionaryAttr>(kWorkspacePlanAttr);
  if (!dict)
    return plan;
  plan.planned = true;
  auto read = [&](StringRef name, uint64_t &field) {
    if (auto v = dict.getAs<IntegerAttr>(name))
      field = v.getValue().getZExtValue();
  };
  read("size", plan.size);
  read("align", plan.align);
  read("buffer_bytes", plan.bufferBytes);
  read("buffers", plan.buffers);
  read("in_place", plan.inPlace);
  read("heap_buffers", plan.heapBuffers);
  read("dynamic_buffers", plan.dynamicBuffers);
  read("run_time_buffers", plan.runTimeBuffers);
  return plan;
}

namespace {

/// One planned buffer of a size known at compile time.
struct Buffer : LiveRange {
  memref::AllocOp alloc;
  uint64_t bytes = 0;
  int slot = -1;                    ///< the buffer whose bytes it shares (itself if none)
  uint64_t offset = 0;
};

/// Writes `output` over `input` when `op` is an elementwise generic that reads
/// `input` and writes `output` at the same index in every iteration, with the
/// same byte size: each element is read before it is overwritten.
bool canWriteInPlace(Operation *op, Buffer &input, Buffer &output) {
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || input.bytes != output.bytes ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return false;
  Value in = input.alloc.getResult(), out = output.alloc.getResult();
  std::optional<AffineMap> outMap;
  for (OpOperand &init : generic.getDpsInitsMutable()) {
    if (viewRoot(init.get()) == in)
      return false;
    if (init.get() == out) {
      if (outMap || generic.payloadUsesValueFromOperand(&init))
        return false;
      outMap = generic.getMatchingIndexingMap(&init);
    }
  }
  if (!outMap || !outMap->isPermutation())
    return false;
  bool reads = false;
  for (OpOperand *operand : generic.getDpsInputOperands()) {
    if (operand->get() != in) {
      // A view of the input could read an element already overwritten.
      if (viewRoot(operand->get()) == in)
        return false;
      continue;
    }
    if (generic.getMatchingIndexingMap(operand) != *outMap)
      return false;
    reads = true;
  }
  return reads;
}

/// Greedy by size: largest buffer first, each at the lowest aligned offset
/// where it overlaps no placed buffer whose live range meets its own.
uint64_t placeSlots(SmallVectorImpl<Buffer *> &slots) {
  llvm::stable_sort(slots, [](const Buffer *a, const Buffer *b) { return a->bytes > b->bytes; });
  SmallVector<Buffer *> placed;
  uint64_t size = 0;
  for (Buffer *slot : slots) {
    SmallVector<Buffer *> live;
    for (Buffer *other : placed)
      if (other->meets(*slot))
        live.push_back(other);
    llvm::sort(live, [](const Buffer *a, const Buffer *b) { return a->offset < b->offset; });
    uint64_t offset = 0;
    for (Buffer *other : live) {
      if (offset + slot->bytes <= other->offset)
        break;
      offset = std::max(offset, llvm::alignTo(other->offset + other->bytes, kWorkspaceAlign));
    }
    slot->offset = offset;
    size = std::max(size, llvm::alignTo(offset + slot->bytes, kWorkspaceAlign));
    placed.push_back(slot);
  }
  return size;
}

class PlanMemoryPass : public impl::SmeltCpuPlanMemoryBase<PlanMemoryPass> {
  using SmeltCpuPlanMemoryBase::SmeltCpuPlanMemoryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    WorkspacePlan total;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPublic() || func.isExternal())
        continue;
      FailureOr<WorkspacePlan> plan = planFunction(func);
      if (failed(plan))
        return signalPassFailure();
      bool usesWorkspace = plan->size || plan->runTimeBuffers;
      if (usesWorkspace && (total.size || total.runTimeBuffers)) {
        func.emitError("only one public function per module may use a workspace");
        return signalPassFailure();
      }
      total.size += plan->size;
      total.bufferBytes += plan->bufferBytes;
      total.buffers += plan->buffers;
      total.inPlace += plan->inPlace;
      total.heapBuffers += plan->heapBuffers;
      total.dynamicBuffers += plan->dynamicBuffers;
      total.runTimeBuffers += plan->runTimeBuffers;
    }
    setWorkspacePlan(module, total);
  }

  FailureOr<WorkspacePlan> planFunction(func::FuncOp func) {
    WorkspacePlan plan;
    // Program order is pre-order only where every region is one block.
    bool branchy = !func.getBody().hasOneBlock();
    func.walk([&](Operation *op) {
      for (Region &region : op->getRegions())
        branchy |= !region.empty() && !region.hasOneBlock();
    });
    if (branchy) {
      func.walk([&](memref::AllocOp) { ++plan.heapBuffers; });
      return plan;
    }
    ProgramOrder order(func);
    DataLayout layout = DataLayout::closest(func);
    bool wideIndex = layout.getTypeSizeInBits(IndexType::get(func.getContext())) == 64;
    std::vector<Buffer> buffers;
    SmallVector<RunTimeBuffer> runTimeBuffers;
    SmallVector<memref::AllocOp> empty;
    func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      bool dynamic = !type.hasStaticShape();
      auto leaveToHeap = [&] {
        ++plan.heapBuffers;
        plan.dynamicBuffers += dynamic;
      };
      if (!type.getLayout().isIdentity() || type.getMemorySpace() || insideConcurrentLoop(alloc) ||
          (dynamic && !(wideIndex && sizesKnownAtEntry(alloc, func))))
        return leaveToHeap();
      if (!dynamic && type.getNumElements() == 0) {
        empty.push_back(alloc);
        return;
      }
      FailureOr<SmallVector<Operation *>> users = usersThroughViews(alloc.getResult());
      FailureOr<LiveRange> range = failure();
      if (succeeded(users))
        range = liveRange(alloc, *users, order);
      if (failed(range))
        return leaveToHeap();
      if (dynamic) {
        runTimeBuffers.push_back({alloc, *range});
        return;
      }
      Buffer buffer;
      static_cast<LiveRange &>(buffer) = *range;
      buffer.alloc = alloc;
      buffer.bytes = type.getNumElements() * layout.getTypeSize(type.getElementType());
      buffers.push_back(buffer);
    });
    // A zero-element buffer holds nothing: a zero-byte stack slot will do.
    for (memref::AllocOp alloc : empty) {
      OpBuilder b(alloc);
      alloc.replaceAllUsesWith(
          memref::AllocaOp::create(b, alloc.getLoc(), alloc.getType()).getResult());
      alloc.erase();
    }
    if (buffers.empty() && runTimeBuffers.empty())
      return plan;

    if (!buffers.empty()) {
      shareWithDyingInputs(buffers, order, plan);
      SmallVector<Buffer *> slots;
      for (Buffer &buffer : buffers)
        if (buffer.slot < 0)
          slots.push_back(&buffer);
      plan.size = placeSlots(slots);
      plan.buffers = buffers.size();
      for (Buffer &buffer : buffers) {
        plan.bufferBytes += buffer.bytes;
        if (buffer.slot >= 0)
          buffer.offset = buffers[buffer.slot].offset;
      }
    }

    // With a run-time block the workspace has the caller's size, which the
    // block may use past the planned bytes; the run reports what it needed.
    bool runTime = !runTimeBuffers.empty();
    auto arenaType =
        MemRefType::get({runTime ? ShapedType::kDynamic : static_cast<int64_t>(plan.size)},
                        IntegerType::get(&getContext(), 8));
    OpBuilder b(&getContext());
    Value arena = appendArgument(func, arenaType, kWorkspaceArgAttr);
    if (!arena)
      return func.emitError("cannot add the workspace argument");
    for (Buffer &buffer : buffers) {
      b.setInsertionPoint(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value shift = arith::ConstantIndexOp::create(b, loc, buffer.offset);
      Value view = memref::ViewOp::create(b, loc, buffer.alloc.getType(), arena, shift,
                                          ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    if (runTime) {
      Value needed = appendArgument(func, MemRefType::get({1}, b.getI64Type()),
                                    kWorkspaceNeededArgAttr);
      if (!needed)
        return func.emitError("cannot add the workspace-needed argument");
      placeInRunTimeArena(func, runTimeBuffers, layout, {arena, plan.size, needed});
      plan.runTimeBuffers = runTimeBuffers.size();
    }
    return plan;
  }

  /// A new last argument of `func` marked with the unit attribute `marker`;
  /// null when it cannot be added.
  static Value appendArgument(func::FuncOp func, Type type, StringRef marker) {
    OpBuilder b(func.getContext());
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, type,
                                   b.getDictionaryAttr(b.getNamedAttr(marker, b.getUnitAttr())),
                                   func.getLoc())))
      return nullptr;
    return func.getArgument(index);
  }

  /// Lets each buffer first written by an elementwise op take the slot of an
  /// input that op reads for the last time; the slot's live range grows to
  /// cover it. Buffers are taken in program order, so chains form.
  void shareWithDyingInputs(std::vector<Buffer> &buffers, const ProgramOrder &order,
                            WorkspacePlan &plan) {
    DenseMap<Value, int> byValue;
    for (auto [i, buffer] : llvm::enumerate(buffers))
      byValue[buffer.alloc.getResult()] = i;
    SmallVector<int> sorted = llvm::to_vector(llvm::seq<int>(0, buffers.size()));
    auto firstUse = [&](const Buffer &b) {
      return b.firstUser ? order.first.lookup(b.firstUser) : ~0u;
    };
    llvm::stable_sort(sorted,
                      [&](int a, int b) { return firstUse(buffers[a]) < firstUse(buffers[b]); });
    for (int i : sorted) {
      Buffer &output = buffers[i];
      auto writer = dyn_cast_or_null<linalg::GenericOp>(output.firstUser);
      if (!writer)
        continue;
      unsigned writerEnd = order.last.lookup(writer);
      for (OpOperand *operand : writer.getDpsInputOperands()) {
        auto it = byValue.find(operand->get());
        if (it == byValue.end() || it->second == i)
          continue;
        Buffer &input = buffers[it->second];
        int slotIndex = input.slot < 0 ? it->second : input.slot;
        Buffer &slot = buffers[slotIndex];
        // The input (and everything sharing its bytes) dies at the writer.
        if (input.end != writerEnd || slot.end != writerEnd ||
            !canWriteInPlace(writer, input, output))
          continue;
        output.slot = slotIndex;
        slot.end = output.end;
        ++plan.inPlace;
        break;
      }
    }
  }
};

} // namespace
} // namespace smelt
