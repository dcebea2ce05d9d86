//===- SequenceElementRanks.cpp - element ranks of sequences --------------===//
#include "passes/SequenceElementRanks.h"

#include "dialects/onnx/OnnxDialect.h"
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace smelt {

bool isSequenceOrOptional(Type type) { return isa<onnx::SeqType, onnx::OptType>(type); }

TensorType innermostTensorType(Type type) {
  if (auto opt = dyn_cast<onnx::OptType>(type))
    type = opt.getElementType();
  if (auto seq = dyn_cast<onnx::SeqType>(type))
    type = seq.getElementType();
  return dyn_cast<TensorType>(type);
}

std::optional<int64_t> declaredElementRank(Type type) {
  if (auto ranked = dyn_cast_or_null<RankedTensorType>(innermostTensorType(type)))
    return ranked.getRank();
  return std::nullopt;
}

namespace {
std::optional<int64_t> tensorRank(Value value) {
  if (auto ranked = dyn_cast<RankedTensorType>(value.getType()))
    return ranked.getRank();
  return std::nullopt;
}
} // namespace

Value SequenceElementRanks::find(Value value) {
  auto it = parent_.find(value);
  if (it == parent_.end() || it->second == value)
    return value;
  Value root = find(it->second);
  parent_[value] = root;
  return root;
}

void SequenceElementRanks::unite(Value a, Value b) {
  if (!a || !b || !isSequenceOrOptional(a.getType()) || !isSequenceOrOptional(b.getType()))
    return;
  Value ra = find(a), rb = find(b);
  if (ra != rb)
    parent_[ra] = rb;
}

void SequenceElementRanks::noteOp(Operation *op) {
  auto note = [&](Value seq, std::optional<int64_t> rank) {
    if (rank)
      evidence_.push_back({seq, *rank, op});
  };
  if (auto construct = dyn_cast<onnx::SequenceConstructOp>(op)) {
    for (Value input : construct.getInputs())
      note(construct.getOutputSequence(), tensorRank(input));
  } else if (auto insert = dyn_cast<onnx::SequenceInsertOp>(op)) {
    unite(insert.getInputSequence(), insert.getOutputSequence());
    note(insert.getOutputSequence(), tensorRank(insert.getTensor()));
  } else if (auto erase = dyn_cast<onnx::SequenceEraseOp>(op)) {
    unite(erase.getInputSequence(), erase.getOutputSequence());
  } else if (auto at = dyn_cast<onnx::SequenceAtOp>(op)) {
    note(at.getInputSequence(), tensorRank(at.getTensor()));
  } else if (auto identity = dyn_cast<onnx::IdentityOp>(op)) {
    unite(identity.getInput(), identity.getOutput());
  } else if (auto optional = dyn_cast<onnx::OptionalOp>(op)) {
    if (isa<onnx::SeqType>(optional.getInput().getType()))
      unite(optional.getInput(), optional.getOutput());
    else if (!isa<NoneType>(optional.getInput().getType()))
      note(optional.getOutput(), tensorRank(optional.getInput()));
  } else if (auto get = dyn_cast<onnx::OptionalGetElementOp>(op)) {
    if (isa<onnx::SeqType>(get.getOutput().getType()))
      unite(get.getInput(), get.getOutput());
    else
      note(get.getInput(), tensorRank(get.getOutput()));
  } else if (auto split = dyn_cast<onnx::SplitToSequenceOp>(op)) {
    std::optional<int64_t> rank = tensorRank(split.getInput());
    if (rank && isa<NoneType>(split.getSplit().getType()) && !split.getKeepdims())
      --*rank;
    note(split.getOutputSequence(), rank);
  } else if (auto concat = dyn_cast<onnx::ConcatFromSequenceOp>(op)) {
    std::optional<int64_t> rank = tensorRank(concat.getConcatResult());
    if (rank && concat.getNewAxis())
      --*rank;
    note(concat.getInputSequence(), rank);
  } else if (auto ifOp = dyn_cast<onnx::IfOp>(op)) {
    for (Region *branch : {&ifOp.getThenBranch(), &ifOp.getElseBranch()}) {
      if (branch->empty())
        continue;
      Operation *yield = branch->front().getTerminator();
      for (auto [result, yielded] : llvm::zip(ifOp.getResults(), yield->getOperands()))
        unite(result, yielded);
    }
  } else if (auto loop = dyn_cast<onnx::LoopOp>(op)) {
    if (loop.getBody().empty())
      return;
    Block &body = loop.getBody().front();
    Operation *yield = body.getTerminator();
    for (auto [i, init] : llvm::enumerate(loop.getVInitial())) {
      unite(init, body.getArgument(i + 2));
      if (i + 1 < yield->getNumOperands())
        unite(init, yield->getOperand(i + 1));
      unite(init, loop.getResult(i));
    }
  }
}

LogicalResult SequenceElementRanks::analyze(func::FuncOp func) {
  func.walk([&](Operation *op) { noteOp(op); });
  for (const Evidence &e : evidence_) {
    Value root = find(e.value);
    auto [it, inserted] = ranks_.try_emplace(root, e.rank);
    if (!inserted && it->second != e.rank)
      return e.op->emitError() << describeNode(e.op) << ": sequence elements of rank " << e.rank
                               << " meet elements of rank " << it->second
                               << " (a sequence must hold tensors of one rank to be compiled)";
  }
  // Declared types fill in what no op tells.
  auto declare = [&](Value value) {
    if (!isSequenceOrOptional(value.getType()))
      return;
    if (std::optional<int64_t> rank = declaredElementRank(value.getType()))
      ranks_.try_emplace(find(value), *rank);
  };
  func.walk([&](Operation *op) {
    for (Value result : op->getResults())
      declare(result);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          declare(arg);
  });
  return success();
}

std::optional<int64_t> SequenceElementRanks::rankOf(Value value) {
  auto it = ranks_.find(find(value));
  if (it == ranks_.end())
    return std::nullopt;
  return it->second;
}

} // namespace smelt
