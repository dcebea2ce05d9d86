//===- BufferLiveness.cpp - when a buffer of a function is in use ---------===//
#include "codegen/cpu/BufferLiveness.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;

namespace smelt {

ProgramOrder::ProgramOrder(func::FuncOp func) {
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
      // memref.reshape only reads its shape operand.
      if (auto reshape = dyn_cast<memref::ReshapeOp>(user); reshape && reshape.getShape() == value)
        continue;
      // A result that is a buffer or a tensor may alias this one beyond
      // where the analysis follows it.
      if (user->hasTrait<OpTrait::IsTerminator>() || isa<CallOpInterface>(user) ||
          llvm::any_of(user->getResultTypes(), llvm::IsaPred<BaseMemRefType, TensorType>))
        return failure();
    }
  }
  return users;
}

FailureOr<LiveRange> liveRange(Operation *alloc, ArrayRef<Operation *> users,
                               const ProgramOrder &order) {
  LiveRange range;
  range.start = order.first.lookup(alloc);
  range.end = range.start;
  for (Operation *user : users) {
    Operation *ancestor = nullptr;
    for (Block *block = alloc->getBlock(); block && !ancestor;
         block = block->getParentOp() ? block->getParentOp()->getBlock() : nullptr)
      ancestor = block->findAncestorOpInBlock(*user);
    if (!ancestor)
      return failure();
    range.end = std::max(range.end, order.last.lookup(ancestor));
    if (ancestor->getBlock() == alloc->getBlock() &&
        (!range.firstUser || order.first.lookup(ancestor) < order.first.lookup(range.firstUser)))
      range.firstUser = ancestor;
  }
  return range;
}

bool insideConcurrentLoop(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent && !isa<func::FuncOp>(parent);
       parent = parent->getParentOp())
    if (isa<scf::ForallOp, scf::ParallelOp>(parent))
      return true;
  return false;
}

Value viewRoot(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

} // namespace smelt
