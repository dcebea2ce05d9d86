//===- OnnxResolveSequences.cpp - the onnx-resolve-sequences pass ---------===//
//
// Sequences whose every position is known at compile time are lists of
// tensors in disguise. This pass tracks each sequence value as the list of
// tensor values it holds and rewrites the sequence ops over it: SequenceAt
// becomes the element, SequenceLength a constant, ConcatFromSequence a
// Concat, SplitToSequence slices of the input. Sequences that depend on run
// time (a computed position, a value crossing a region or the function
// boundary) are left alone, and code generation reports them.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/OnnxBuilder.h"

#include "mlir/IR/PatternMatch.h"

namespace smelt {
#define GEN_PASS_DEF_ONNXRESOLVESEQUENCES
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The value of a constant scalar integer operand, if it is one.
std::optional<int64_t> constantIndex(Value value) {
  SmallVector<int64_t> values;
  if (isa<NoneType>(value.getType()) || failed(getConstantInts(value, values)) ||
      values.size() != 1)
    return std::nullopt;
  return values[0];
}

/// Position in a list of `size` elements, with ONNX's negative indexing;
/// `insert` allows the one-past-the-end position.
std::optional<size_t> normalizePosition(int64_t pos, size_t size, bool insert) {
  int64_t n = static_cast<int64_t>(size);
  if (pos < 0)
    pos += n;
  if (pos < 0 || pos > n || (!insert && pos == n))
    return std::nullopt;
  return static_cast<size_t>(pos);
}

class OnnxResolveSequencesPass
    : public impl::OnnxResolveSequencesBase<OnnxResolveSequencesPass> {
public:
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    IRRewriter rewriter(&getContext());
    llvm::DenseMap<Value, SmallVector<Value>> lists;
    SmallVector<Operation *> dead;
    // Only the function body: values inside regions see sequences from
    // outside, which stay unresolved.
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      rewriter.setInsertionPoint(&op);
      if (failed(resolve(&op, rewriter, lists)))
        continue;
      dead.push_back(&op);
    }
    // Erase resolved ops whose sequence results nothing else uses any more.
    for (Operation *op : llvm::reverse(dead))
      if (op->use_empty())
        rewriter.eraseOp(op);
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ret.getOperandTypes()));
  }

private:
  /// Rewrites one sequence op whose inputs are known lists; failure leaves it.
  LogicalResult resolve(Operation *op, IRRewriter &b,
                        llvm::DenseMap<Value, SmallVector<Value>> &lists) {
    auto listOf = [&](Value seq) -> SmallVector<Value> * {
      auto it = lists.find(seq);
      return it == lists.end() ? nullptr : &it->second;
    };
    Location loc = op->getLoc();
    if (auto empty = dyn_cast<onnx::SequenceEmptyOp>(op)) {
      lists[empty.getOutput()] = {};
      return success();
    }
    if (auto construct = dyn_cast<onnx::SequenceConstructOp>(op)) {
      lists[construct.getOutputSequence()] = SmallVector<Value>(construct.getInputs());
      return success();
    }
    if (auto insert = dyn_cast<onnx::SequenceInsertOp>(op)) {
      SmallVector<Value> *list = listOf(insert.getInputSequence());
      if (!list)
        return failure();
      std::optional<size_t> pos = list->size();
      if (!isa<NoneType>(insert.getPosition().getType())) {
        std::optional<int64_t> given = constantIndex(insert.getPosition());
        pos = given ? normalizePosition(*given, list->size(), /*insert=*/true) : std::nullopt;
      }
      if (!pos)
        return failure();
      SmallVector<Value> result(*list);
      result.insert(result.begin() + *pos, insert.getTensor());
      lists[insert.getOutputSequence()] = result;
      return success();
    }
    if (auto erase = dyn_cast<onnx::SequenceEraseOp>(op)) {
      SmallVector<Value> *list = listOf(erase.getInputSequence());
      if (!list || list->empty())
        return failure();
      std::optional<size_t> pos = list->size() - 1;
      if (!isa<NoneType>(erase.getPosition().getType())) {
        std::optional<int64_t> given = constantIndex(erase.getPosition());
        pos = given ? normalizePosition(*given, list->size(), /*insert=*/false) : std::nullopt;
      }
      if (!pos)
        return failure();
      SmallVector<Value> result(*list);
      result.erase(result.begin() + *pos);
      lists[erase.getOutputSequence()] = result;
      return success();
    }
    if (auto at = dyn_cast<onnx::SequenceAtOp>(op)) {
      SmallVector<Value> *list = listOf(at.getInputSequence());
      std::optional<int64_t> given = constantIndex(at.getPosition());
      std::optional<size_t> pos =
          list && given ? normalizePosition(*given, list->size(), false) : std::nullopt;
      if (!pos)
        return failure();
      at.getTensor().replaceAllUsesWith((*list)[*pos]);
      return success();
    }
    if (auto length = dyn_cast<onnx::SequenceLengthOp>(op)) {
      SmallVector<Value> *list = listOf(length.getInputSequence());
      if (!list)
        return failure();
      length.getLength().replaceAllUsesWith(
          createConstantI64(b, loc, {static_cast<int64_t>(list->size())}, /*scalar=*/true));
      return success();
    }
    if (auto concat = dyn_cast<onnx::ConcatFromSequenceOp>(op))
      return resolveConcat(concat, b, listOf(concat.getInputSequence()));
    if (auto split = dyn_cast<onnx::SplitToSequenceOp>(op))
      return resolveSplit(split, b, lists);
    return failure();
  }

  LogicalResult resolveConcat(onnx::ConcatFromSequenceOp op, IRRewriter &b,
                              SmallVector<Value> *list) {
    if (!list || list->empty())
      return failure();
    Location loc = op.getLoc();
    SmallVector<Value> parts(*list);
    int64_t axis = op.getAxis();
    if (op.getNewAxis()) {
      // Stack: every element gains a unit dim at `axis` first.
      for (Value &part : parts) {
        auto type = dyn_cast<RankedTensorType>(part.getType());
        if (!type)
          return failure();
        int64_t at = axis < 0 ? axis + type.getRank() + 1 : axis;
        SmallVector<int64_t> shape(type.getShape());
        shape.insert(shape.begin() + at, 1);
        part = createOnnx(b, loc, "Unsqueeze",
                          {part, createConstantI64(b, loc, {at}, /*scalar=*/false)},
                          {type.clone(shape)})
                   ->getResult(0);
      }
    }
    Operation *concat = createOnnx(b, loc, "Concat", parts, {op.getConcatResult().getType()},
                                   {b.getNamedAttr("axis", b.getI64IntegerAttr(axis))});
    op.getConcatResult().replaceAllUsesWith(concat->getResult(0));
    return success();
  }

  /// SplitToSequence of a statically shaped input into slices along `axis`.
  LogicalResult resolveSplit(onnx::SplitToSequenceOp op, IRRewriter &b,
                             llvm::DenseMap<Value, SmallVector<Value>> &lists) {
    auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!type || !type.hasStaticShape())
      return failure();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    if (axis < 0 || axis >= rank)
      return failure();
    int64_t dim = type.getDimSize(axis);
    SmallVector<int64_t> sizes;
    bool squeeze = false;
    if (isa<NoneType>(op.getSplit().getType())) {
      sizes.assign(dim, 1); // One element per index; keepdims decides the rank.
      squeeze = !op.getKeepdims();
    } else {
      SmallVector<int64_t> split;
      if (failed(getConstantInts(op.getSplit(), split)))
        return failure();
      auto splitType = cast<RankedTensorType>(op.getSplit().getType());
      if (splitType.getRank() == 0) {
        for (int64_t start = 0; start < dim; start += split[0])
          sizes.push_back(std::min(split[0], dim - start));
      } else {
        sizes = split;
      }
    }
    int64_t total = 0;
    for (int64_t s : sizes)
      total += s;
    if (total != dim || llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
      return failure();
    Location loc = op.getLoc();
    SmallVector<Type> partTypes;
    for (int64_t s : sizes) {
      SmallVector<int64_t> shape(type.getShape());
      shape[axis] = s;
      partTypes.push_back(type.clone(shape));
    }
    Operation *split =
        createOnnx(b, loc, "Split", {op.getInput(), createConstantI64(b, loc, sizes, false)},
                   partTypes, {b.getNamedAttr("axis", b.getI64IntegerAttr(axis))});
    SmallVector<Value> parts(split->getResults());
    if (squeeze) {
      for (Value &part : parts) {
        SmallVector<int64_t> shape(type.getShape());
        shape.erase(shape.begin() + axis);
        part = createOnnx(b, loc, "Squeeze",
                          {part, createConstantI64(b, loc, {axis}, false)}, {type.clone(shape)})
                   ->getResult(0);
      }
    }
    lists[op.getOutputSequence()] = parts;
    return success();
  }
};

} // namespace
} // namespace smelt
