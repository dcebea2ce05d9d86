//===- PlanMemory.cpp - a static model's buffers in one workspace arena ---===//
//
// Shapes of a static model are known at compile time, so the compiler, not
// malloc, decides where each intermediate buffer lives. Ops are numbered in
// program order (pre-order, so an op with regions spans the numbers of the
// ops inside). Every statically sized memref.alloc of a public function gets
// a live range: from the alloc to the end of the last op that touches the
// buffer or a view of it, taken in the innermost block that holds both (a
// buffer used inside a loop lives for the whole loop; buffers of the two
// branches of an scf.if never meet). Buffers whose ranges do not overlap share bytes,
// and an elementwise op whose input dies there writes its output over that
// input. Offsets come from greedy-by-size placement (largest buffer first,
// at the lowest offset free for its whole range), the strategy of TFLite's
// arena planner. The allocs become memref.view ops into a new trailing
// `memref<N x i8>` argument that the caller provides.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"
#include "codegen/cpu/WorkspacePlan.h"

#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

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
                                       b.getNamedAttr("dynamic_buffers", i64(plan.dynamicBuffers))}));
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
  return plan;
}

namespace {

/// One planned buffer; live ranges are inclusive program-order numbers.
struct Buffer {
  memref::AllocOp alloc;
  uint64_t bytes = 0;
  unsigned start = 0;               ///< number of the alloc
  unsigned end = 0;                 ///< last number of the last op that touches it
  Operation *firstUser = nullptr;   ///< in the alloc's block: the first op that touches it
  int slot = -1;                    ///< the buffer whose bytes it shares (itself if none)
  uint64_t offset = 0;
};

/// Pre-order numbers of a function's ops: `first` is an op's own number,
/// `last` the highest number inside its regions (its own if it has none).
struct ProgramOrder {
  DenseMap<Operation *, unsigned> first, last;
  explicit ProgramOrder(func::FuncOp func) {
    unsigned next = 0;
    func.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) { first[op] = next++; });
    func.getBody().walk<WalkOrder::PostOrder>([&](Operation *op) {
      unsigned end = first[op];
      for (Region &region : op->getRegions())
        for (Block &block : region)
          if (!block.empty())
            end = std::max(end, last[&block.back()]);
      last[op] = end;
    });
  }
};

/// Every op that touches `root` directly, through views, or through the
/// result of an scf.if / scf.index_switch that yields it; failure when the
/// buffer escapes the reach of this analysis: returned, carried by a loop,
/// passed to a call, or fed to an op that may make an alias of it (any op
/// with a buffer or tensor result that is not a view, e.g. to_tensor).
FailureOr<SmallVector<Operation *>> usersThroughViews(Value root) {
  SmallVector<Operation *> users;
  SmallVector<Value> work{root};
  while (!work.empty()) {
    Value value = work.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      users.push_back(user);
      auto view = dyn_cast<ViewLikeOpInterface>(user);
      if (view && view.getViewSource() == value) {
        for (Value result : user->getResults())
          work.push_back(result);
        continue;
      }
      // A branch's result is the buffer one branch yields: it lives on.
      if (isa<scf::YieldOp>(user) && isa<scf::IfOp, scf::IndexSwitchOp>(user->getParentOp())) {
        work.push_back(user->getParentOp()->getResult(use.getOperandNumber()));
        continue;
      }
      // A result that is a buffer or a tensor may alias this one beyond
      // where the analysis follows it.
      if (user->hasTrait<OpTrait::IsTerminator>() || isa<CallOpInterface>(user) ||
          llvm::any_of(user->getResultTypes(), llvm::IsaPred<BaseMemRefType, TensorType>))
        return failure();
    }
  }
  return users;
}

/// The live range of a buffer allocated by `alloc` and touched by `users`:
/// each user counts as its ancestor in the innermost block that also holds
/// the alloc. Fails when a user is outside the function's body.
LogicalResult liveRange(Operation *alloc, ArrayRef<Operation *> users, const ProgramOrder &order,
                        Buffer &buffer) {
  buffer.start = order.first.lookup(alloc);
  buffer.end = buffer.start;
  for (Operation *user : users) {
    Operation *ancestor = nullptr;
    for (Block *block = alloc->getBlock(); block && !ancestor;
         block = block->getParentOp() ? block->getParentOp()->getBlock() : nullptr)
      ancestor = block->findAncestorOpInBlock(*user);
    if (!ancestor)
      return failure();
    buffer.end = std::max(buffer.end, order.last.lookup(ancestor));
    if (ancestor->getBlock() == alloc->getBlock() &&
        (!buffer.firstUser || order.first.lookup(ancestor) < order.first.lookup(buffer.firstUser)))
      buffer.firstUser = ancestor;
  }
  return success();
}

/// Ops whose iterations may run at the same time: an alloc in their body
/// needs one buffer per iteration, which a single arena slot is not.
bool insideConcurrentLoop(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent && !isa<func::FuncOp>(parent);
       parent = parent->getParentOp())
    if (isa<scf::ForallOp, scf::ParallelOp>(parent))
      return true;
  return false;
}

/// The buffer a value views, through any chain of view ops.
Value viewRoot(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

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
      if (other->start <= slot->end && slot->start <= other->end)
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
      if (total.size && plan->size) {
        func.emitError("only one public function per module may use a workspace");
        return signalPassFailure();
      }
      total.size += plan->size;
      total.bufferBytes += plan->bufferBytes;
      total.buffers += plan->buffers;
      total.inPlace += plan->inPlace;
      total.heapBuffers += plan->heapBuffers;
      total.dynamicBuffers += plan->dynamicBuffers;
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
    std::vector<Buffer> buffers;
    SmallVector<memref::AllocOp> empty;
    func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape()) {
        ++plan.heapBuffers;
        ++plan.dynamicBuffers;
        return;
      }
      if (!type.getLayout().isIdentity() || type.getMemorySpace() || insideConcurrentLoop(alloc)) {
        ++plan.heapBuffers;
        return;
      }
      if (type.getNumElements() == 0) {
        empty.push_back(alloc);
        return;
      }
      FailureOr<SmallVector<Operation *>> users = usersThroughViews(alloc.getResult());
      Buffer buffer;
      if (failed(users) || failed(liveRange(alloc, *users, order, buffer))) {
        ++plan.heapBuffers;
        return;
      }
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
    if (buffers.empty())
      return plan;

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

    auto arenaType = MemRefType::get({static_cast<int64_t>(plan.size)},
                                     IntegerType::get(&getContext(), 8));
    OpBuilder b(&getContext());
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(
            index, arenaType,
            b.getDictionaryAttr(b.getNamedAttr(kWorkspaceArgAttr, b.getUnitAttr())),
            func.getLoc())))
      return func.emitError("cannot add the workspace argument");
    Value arena = func.getArgument(index);
    for (Buffer &buffer : buffers) {
      b.setInsertionPoint(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value shift = arith::ConstantIndexOp::create(b, loc, buffer.offset);
      Value view = memref::ViewOp::create(b, loc, buffer.alloc.getType(), arena, shift,
                                          ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    return plan;
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
