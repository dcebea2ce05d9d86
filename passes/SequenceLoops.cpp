//===- SequenceLoops.cpp - sequence ops as Loops over elements ------------===//
#include "passes/SequenceLoops.h"

#include "compiler/import/TensorImport.h"
#include "dialects/onnx/OnnxDialect.h"
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/OnnxBuilder.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace smelt {
namespace {

RankedTensorType i64Scalar(OpBuilder &b) { return RankedTensorType::get({}, b.getI64Type()); }

/// Builds `Loop(count)` whose carried values are empty sequences of
/// `outTypes`; each step inserts the values `step(builder, i)` returns.
Operation *buildElementLoop(OpBuilder &b, Location loc, Value count, TypeRange outTypes,
                            function_ref<SmallVector<Value>(OpBuilder &, Value)> step) {
  SmallVector<Value> operands{count, onnx::NoValueOp::create(b, loc)};
  for (Type type : outTypes) {
    auto elem = cast<TensorType>(cast<onnx::SeqType>(type).getElementType()).getElementType();
    operands.push_back(createOnnxValue(
        b, loc, "SequenceEmpty", {}, type,
        {b.getNamedAttr("dtype", b.getI64IntegerAttr(exportElementType(elem)))}));
  }
  Operation *loop = createOnnx(b, loc, "Loop", operands, outTypes, {}, /*regions=*/1);
  auto *body = new Block();
  loop->getRegion(0).push_back(body);
  Value iteration = body->addArgument(i64Scalar(b), loc);
  Value cond = body->addArgument(RankedTensorType::get({}, b.getI1Type()), loc);
  OpBuilder inner = OpBuilder::atBlockBegin(body);
  SmallVector<Value> elements = step(inner, iteration);
  SmallVector<Value> yields{cond};
  for (auto [type, element] : llvm::zip(outTypes, elements)) {
    Value acc = body->addArgument(type, loc);
    yields.push_back(createOnnxValue(inner, loc, "SequenceInsert",
                                     {acc, element, onnx::NoValueOp::create(inner, loc)}, type));
  }
  onnx::YieldOp::create(inner, loc, yields);
  return loop;
}

/// SequenceMap(s, extra...): step i runs the body on element i of every
/// sequence input and on the tensor inputs as they are.
void rewriteSequenceMap(onnx::SequenceMapOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value count = createOnnxValue(b, loc, "SequenceLength", op.getInputSequence(), i64Scalar(b));
  Block &mapBody = op.getBody().front();
  SmallVector<Value> inputs{op.getInputSequence()};
  inputs.append(op.getAdditionalInputs().begin(), op.getAdditionalInputs().end());
  Operation *loop = buildElementLoop(
      b, loc, count, op->getResultTypes(), [&](OpBuilder &inner, Value iteration) {
        IRMapping mapping;
        for (auto [input, arg] : llvm::zip(inputs, mapBody.getArguments()))
          mapping.map(arg, isa<onnx::SeqType>(input.getType())
                               ? createOnnxValue(inner, loc, "SequenceAt", {input, iteration},
                                                 arg.getType())
                               : input);
        for (Operation &inside : mapBody.without_terminator())
          inner.clone(inside, mapping);
        SmallVector<Value> outs;
        for (Value out : mapBody.getTerminator()->getOperands())
          outs.push_back(mapping.lookupOrDefault(out));
        return outs;
      });
  op->replaceAllUsesWith(loop);
  op.erase();
}

/// A run-time check (cf.assert, reported by the entry point) that a split
/// given at run time is valid: a scalar chunk size at least 1, or sizes that
/// are not negative and sum to the axis's size `dim`. The loop's Slices stay
/// in bounds whatever the split; the check makes a bad one an error rather
/// than a wrong sequence.
void assertValidSplit(OpBuilder &b, OnnxOpBuilder &o, onnx::SplitToSequenceOp op, Value split,
                      Value dim, bool scalarSplit) {
  Location loc = op.getLoc();
  auto flag = RankedTensorType::get({}, b.getI1Type());
  Value valid;
  if (scalarSplit) {
    valid = o.op("GreaterOrEqual", {split, o.i64s({1}, true)}, flag);
  } else {
    Value noAxes = onnx::NoValueOp::create(b, loc);
    Value sum = o.op("ReduceSum", {split, noAxes}, o.i64Tensor({}), o.attr("keepdims", 0));
    Value low = o.op("ReduceMin", split, o.i64Tensor({}), o.attr("keepdims", 0));
    valid = o.op("And", {o.op("Equal", {sum, dim}, flag),
                         o.op("GreaterOrEqual", {low, o.i64s({0}, true)}, flag)},
                 flag);
  }
  Value holds = tensor::ExtractOp::create(b, loc, valid, ValueRange{});
  cf::AssertOp::create(b, loc, holds,
                       describeNode(op) +
                           (scalarSplit ? ": the split chunk size must be at least 1"
                                        : ": the split sizes must be non-negative and sum to "
                                          "the size of the split axis"));
}

/// SplitToSequence(x, split?): step i slices [start_i, end_i) along the axis,
/// where the bounds are i and i+1 without split (then squeezed unless
/// keepdims), i*s and (i+1)*s for a scalar split s (Slice clamps the last
/// chunk), and the running sums of a 1-D split.
void rewriteSplitToSequence(onnx::SplitToSequenceOp op) {
  auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
  if (!type)
    return; // onnx-to-plain-tensors reports it.
  OpBuilder b(op);
  Location loc = op.getLoc();
  int64_t rank = type.getRank();
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
  if (axis < 0 || axis >= rank)
    return;
  OnnxOpBuilder o(b, loc);
  constexpr int64_t kDynamic = ShapedType::kDynamic;
  Value split = op.getSplit();
  bool absent = isa<NoneType>(split.getType());
  bool scalarSplit = !absent && cast<RankedTensorType>(split.getType()).getRank() == 0;
  Value dims = o.op("Shape", op.getInput(), o.i64Tensor({rank}));
  Value dim = o.op("Gather", {dims, o.i64s({axis}, true)}, o.i64Tensor({}), o.attr("axis", 0));
  // Split sizes may be int32; the bounds are computed in int64.
  if (!absent && !cast<TensorType>(split.getType()).getElementType().isInteger(64))
    split = o.op("Cast", split, cast<RankedTensorType>(split.getType()).clone(b.getI64Type()),
                 o.attr("to", 7));
  Value count, offsets;
  if (absent) {
    count = dim;
  } else if (scalarSplit) {
    Value rounded = o.op("Add", {dim, o.op("Sub", {split, o.i64s({1}, true)}, o.i64Tensor({}))},
                         o.i64Tensor({}));
    count = o.op("Div", {rounded, split}, o.i64Tensor({}));
  } else {
    Value length = o.op("Shape", split, o.i64Tensor({1}));
    count = o.op("Squeeze", {length, o.i64s({0})}, o.i64Tensor({}));
    Value ends = o.op("CumSum", {split, o.i64s({0}, true)}, o.i64Tensor({kDynamic}));
    offsets = o.op("Concat", {o.i64s({0}), ends}, o.i64Tensor({kDynamic}), o.attr("axis", 0));
  }
  if (!absent)
    assertValidSplit(b, o, op, split, dim, scalarSplit);
  bool squeeze = absent && !op.getKeepdims();
  Operation *loop = buildElementLoop(
      b, loc, count, op->getResultTypes(), [&](OpBuilder &innerBuilder, Value i) {
        OnnxOpBuilder in(innerBuilder, loc);
        auto scalar = [&](StringRef name, ValueRange operands) {
          return in.op(name, operands, in.i64Tensor({}));
        };
        Value next = scalar("Add", {i, in.i64s({1}, true)});
        Value start = i, end = next;
        if (scalarSplit) {
          start = scalar("Mul", {i, split});
          end = scalar("Mul", {next, split});
        } else if (!absent) {
          auto at = [&](Value index) {
            return in.op("Gather", {offsets, index}, in.i64Tensor({}), in.attr("axis", 0));
          };
          start = at(i);
          end = at(next);
        }
        auto asList = [&](Value v) {
          return in.op("Unsqueeze", {v, in.i64s({0})}, in.i64Tensor({1}));
        };
        SmallVector<int64_t> shape(type.getShape());
        shape[axis] = absent ? 1 : kDynamic;
        Value slice = in.op("Slice",
                            {op.getInput(), asList(start), asList(end), in.i64s({axis}),
                             onnx::NoValueOp::create(innerBuilder, loc)},
                            type.clone(shape));
        if (squeeze) {
          shape.erase(shape.begin() + axis);
          slice = in.op("Squeeze", {slice, in.i64s({axis})}, type.clone(shape));
        }
        return SmallVector<Value>{slice};
      });
  op->replaceAllUsesWith(loop);
  op.erase();
}

/// ConcatFromSequence(s): a Loop over the elements that concatenates each
/// onto the result so far, which starts as element 0 cut to length 0 along
/// the axis (with new_axis, every element first gets a unit dim there).
void rewriteConcatFromSequence(onnx::ConcatFromSequenceOp op) {
  auto resultType = dyn_cast<RankedTensorType>(op.getConcatResult().getType());
  if (!resultType)
    return; // onnx-to-plain-tensors reports it.
  OpBuilder b(op);
  Location loc = op.getLoc();
  int64_t rank = resultType.getRank();
  bool newAxis = op.getNewAxis() != 0;
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
  if (axis < 0 || axis >= rank)
    return;
  Type elem = resultType.getElementType();
  auto dynamic = [&](int64_t r) {
    return RankedTensorType::get(SmallVector<int64_t>(r, ShapedType::kDynamic), elem);
  };
  Value seq = op.getInputSequence();
  auto element = [&](OpBuilder &at, Value index) {
    Value e = createOnnxValue(at, loc, "SequenceAt", {seq, index}, dynamic(rank - newAxis));
    if (newAxis)
      e = createOnnxValue(at, loc, "Unsqueeze",
                          {e, createConstantI64(at, loc, {axis}, false)}, dynamic(rank));
    return e;
  };
  Value zero = createConstantI64(b, loc, {0}, false);
  Value first = element(b, createConstantI64(b, loc, {0}, true));
  Value init = createOnnxValue(
      b, loc, "Slice",
      {first, zero, zero, createConstantI64(b, loc, {axis}, false), onnx::NoValueOp::create(b, loc)},
      dynamic(rank));
  Value count = createOnnxValue(b, loc, "SequenceLength", seq, i64Scalar(b));
  Operation *loop = createOnnx(b, loc, "Loop", {count, onnx::NoValueOp::create(b, loc), init},
                               TypeRange{dynamic(rank)}, {}, /*regions=*/1);
  auto *body = new Block();
  loop->getRegion(0).push_back(body);
  Value iteration = body->addArgument(i64Scalar(b), loc);
  Value cond = body->addArgument(RankedTensorType::get({}, b.getI1Type()), loc);
  Value acc = body->addArgument(dynamic(rank), loc);
  OpBuilder inner = OpBuilder::atBlockBegin(body);
  Value next = createOnnxValue(inner, loc, "Concat", {acc, element(inner, iteration)},
                               dynamic(rank), {inner.getNamedAttr("axis", inner.getI64IntegerAttr(axis))});
  onnx::YieldOp::create(inner, loc, ValueRange{cond, next});
  Value result = loop->getResult(0);
  if (result.getType() != resultType)
    result = tensor::CastOp::create(b, loc, resultType, result);
  op.getConcatResult().replaceAllUsesWith(result);
  op.erase();
}

} // namespace

void rewriteSequencesAsLoops(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (isa<onnx::SequenceMapOp, onnx::SplitToSequenceOp, onnx::ConcatFromSequenceOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    if (auto map = dyn_cast<onnx::SequenceMapOp>(op))
      rewriteSequenceMap(map);
    else if (auto split = dyn_cast<onnx::SplitToSequenceOp>(op))
      rewriteSplitToSequence(split);
    else
      rewriteConcatFromSequence(cast<onnx::ConcatFromSequenceOp>(op));
  }
}

} // namespace smelt
