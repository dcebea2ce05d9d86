//===- OnnxToPlainTensors.cpp - the onnx-to-plain-tensors pass ------------===//
//
// Sequences and optionals that onnx-resolve-sequences could not resolve (a
// position computed at run time, a sequence carried by a Loop, returned by an
// If, or crossing the function boundary), and string tensors, become plain
// tensors here, still in the onnx dialect, so that every later stage sees
// numeric tensors only:
//
//   seq<tensor<E>>      data: tensor<?xE>, every element flattened and
//                       concatenated in order; shapes: tensor<N x R x i64>,
//                       row i the dims of element i (R the element rank)
//   opt<tensor<E>>      present: tensor<i1>; the value, all dims dynamic
//                       (dims 0 when absent)
//   opt<seq<...>>       present, then the sequence's data and shapes
//   tensor<S x string>  bytes: tensor<?xui8>, the UTF-8 bytes of every
//                       string, row-major; lengths: tensor<S x i64>
//
// The sequence ops become onnx tensor ops on those parts: SequenceAt slices
// data between the offsets that a CumSum of the element sizes gives and
// reshapes the slice to its row of shapes; SequenceInsert and SequenceErase
// concatenate slices around the position. SequenceMap, SplitToSequence and
// ConcatFromSequence become Loops over the elements first
// (SequenceLoops.cpp); string operators are in StringLowering.cpp. If and
// Loop get one result (carried value) per part, and func @main one argument
// and result per part, each marked with its `smelt.abi_role` for the model's
// signature.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "compiler/import/TensorImport.h"
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/OnnxBuilder.h"
#include "passes/SequenceElementRanks.h"
#include "passes/SequenceLoops.h"
#include "passes/StringLowering.h"

#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace smelt {
#define GEN_PASS_DEF_ONNXTOPLAINTENSORS
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

RankedTensorType i64Tensor(MLIRContext *ctx, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, IntegerType::get(ctx, 64));
}

/// The element type of the tensors a sequence or optional holds.
Type innermostElementType(Type type) {
  TensorType tensor = innermostTensorType(type);
  return tensor ? tensor.getElementType() : Type();
}

bool isStringTensor(Type type) {
  auto tensor = dyn_cast<TensorType>(type);
  return tensor && isa<onnx::StringType>(tensor.getElementType());
}

/// Values this pass replaces by several plain tensors: sequences, optionals
/// and string tensors.
bool needsParts(Type type) { return isSequenceOrOptional(type) || isStringTensor(type); }

/// onnx ops on the parts of sequences, inserted before the op being lowered.
class PartBuilder : public OnnxOpBuilder {
public:
  using OnnxOpBuilder::OnnxOpBuilder;

  /// A position operand as a scalar int64 tensor.
  Value positionI64(Value position) {
    auto type = cast<TensorType>(position.getType());
    if (!type.getElementType().isInteger(64))
      position = op("Cast", position, i64Tensor({}), attr("to", 7));
    if (!type.hasRank() || type.getRank() != 0)
      position = op("Reshape", {position, i64s({}, false)}, i64Tensor({}));
    return position;
  }
  /// The number of elements of a sequence.
  Value count(Value shapes) {
    Value dims = op("Shape", shapes, i64Tensor({1}), {attr("start", 0), attr("end", 1)});
    return op("Squeeze", {dims, i64s({0})}, i64Tensor({}));
  }
  /// `position` counted from the back when negative.
  Value normalize(Value position, Value count) {
    Value negative = op("Less", {position, i64s({0}, true)},
                        RankedTensorType::get({}, b.getI1Type()));
    return op("Where", {negative, op("Add", {position, count}, i64Tensor({})), position},
              i64Tensor({}));
  }
  Value plusOne(Value scalar) {
    return op("Add", {scalar, i64s({1}, true)}, i64Tensor({}));
  }
  /// Where each element starts in data, and (last entry) the total size.
  Value offsets(Value shapes) {
    Value sizes = op("ReduceProd", shapes, i64Tensor({kDynamic}),
                     {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({1})), attr("keepdims", 0)});
    Value ends = op("CumSum", {sizes, i64s({0}, true)}, i64Tensor({kDynamic}));
    return op("Concat", {i64s({0}), ends}, i64Tensor({kDynamic}), {attr("axis", 0)});
  }
  Value at(Value vector, Value index) {
    return op("Gather", {vector, index}, i64Tensor({}), {attr("axis", 0)});
  }
  /// Rows [start, end) of `x` along dim 0; a null end means to the end.
  Value rows(Value x, Value start, Value end) {
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = kDynamic;
    Value starts = op("Unsqueeze", {start, i64s({0})}, i64Tensor({1}));
    Value ends = end ? op("Unsqueeze", {end, i64s({0})}, i64Tensor({1}))
                     : i64s({std::numeric_limits<int64_t>::max()});
    return op("Slice", {x, starts, ends, i64s({0}), onnx::NoValueOp::create(b, loc)},
              type.clone(shape));
  }
  Value concat(ValueRange parts, Type type) {
    return parts.size() == 1 ? castTo(parts[0], type)
                             : op("Concat", parts, type, {attr("axis", 0)});
  }
  Value flatten(Value tensor, Type dataType) {
    return op("Reshape", {tensor, i64s({-1})}, dataType);
  }
  /// The dims of `tensor` as a [1, R] row of a shapes tensor of `shapesType`.
  Value shapeRow(Value tensor, Type shapesType) {
    auto rank = cast<RankedTensorType>(shapesType).getDimSize(1);
    Value dims = op("Shape", tensor, i64Tensor({rank}));
    return op("Unsqueeze", {dims, i64s({0})}, i64Tensor({1, rank}));
  }
};

class SequenceLowering {
public:
  SequenceLowering(func::FuncOp func, SequenceElementRanks &ranks) : func(func), ranks(ranks) {}

  LogicalResult run() {
    if (failed(lowerArguments()) || failed(lowerBlock(func.getBody().front())))
      return failure();
    // Lowered ops may still use each other and old block arguments: drop
    // every reference before erasing any of them.
    for (Operation *op : dead)
      op->dropAllReferences();
    for (Operation *op : llvm::reverse(dead)) {
      op->dropAllUses();
      op->erase();
    }
    updateSignature();
    return success();
  }

private:
  /// The tensor types a sequence, optional or string tensor becomes.
  FailureOr<SmallVector<Type>> partTypes(Value value, Operation *user) {
    Type type = value.getType();
    Type elem = innermostElementType(type);
    std::optional<int64_t> rank = ranks.rankOf(value);
    auto fail = [&](const Twine &why) {
      Operation *at = user ? user : value.getParentBlock()->getParentOp();
      return at->emitError() << describeNode(at) << ": a value of type " << type << " " << why;
    };
    if (isStringTensor(type)) {
      auto ranked = dyn_cast<RankedTensorType>(type);
      if (!ranked)
        return fail("has an unknown rank, which the code generator cannot lower");
      MLIRContext *ctx = type.getContext();
      return SmallVector<Type>{
          RankedTensorType::get({kDynamic}, IntegerType::get(ctx, 8, IntegerType::Unsigned)),
          ranked.clone(IntegerType::get(ctx, 64))};
    }
    if (!elem || isa<onnx::StringType>(elem))
      return fail("holds no numeric tensors, which the code generator cannot lower yet");
    SmallVector<Type> types;
    Type inner = type;
    if (auto opt = dyn_cast<onnx::OptType>(type)) {
      types.push_back(RankedTensorType::get({}, IntegerType::get(type.getContext(), 1)));
      inner = opt.getElementType();
    }
    if (isa<onnx::SeqType>(inner)) {
      types.push_back(RankedTensorType::get({kDynamic}, elem));
      types.push_back(i64Tensor(type.getContext(), {kDynamic, rank ? *rank : kDynamic}));
    } else if (isa<TensorType>(inner)) {
      if (!rank)
        return fail("holds a tensor of unknown rank, which the code generator cannot lower");
      types.push_back(RankedTensorType::get(SmallVector<int64_t>(*rank, kDynamic), elem));
    } else {
      return fail("nests optionals or sequences, which the code generator cannot lower yet");
    }
    return types;
  }

  /// The parts of `value`, which an earlier op must have produced.
  FailureOr<SmallVector<Value>> partsOf(Value value, Operation *user) {
    auto it = parts.find(value);
    if (it != parts.end())
      return it->second;
    Operation *def = value.getDefiningOp();
    return user->emitError() << describeNode(user) << ": its input of type " << value.getType()
                             << " comes from "
                             << (def ? describeNode(def) : std::string("a block argument"))
                             << ", which the code generator cannot lower to tensors yet";
  }

  /// Every operand, with sequences and optionals replaced by their parts.
  FailureOr<SmallVector<Value>> expandOperands(Operation *op) {
    SmallVector<Value> expanded;
    for (Value operand : op->getOperands()) {
      if (!needsParts(operand.getType())) {
        expanded.push_back(operand);
        continue;
      }
      FailureOr<SmallVector<Value>> p = partsOf(operand, op);
      if (failed(p))
        return failure();
      expanded.append(*p);
    }
    return expanded;
  }

  LogicalResult lowerArguments() {
    Block &body = func.getBody().front();
    unsigned original = body.getNumArguments();
    for (unsigned i = 0, next = 0; i < original; ++i, ++next) {
      BlockArgument arg = body.getArgument(next);
      if (!needsParts(arg.getType()))
        continue;
      FailureOr<SmallVector<Type>> types = partTypes(arg, func);
      if (failed(types))
        return failure();
      SmallVector<Value> argParts;
      for (Type type : *types)
        argParts.push_back(body.insertArgument(next + 1 + argParts.size(), type, arg.getLoc()));
      parts[arg] = argParts;
      next += argParts.size();
    }
    return success();
  }

  /// The role in the model ABI of each part of a value of `type`.
  static SmallVector<StringRef> partRoles(Type type) {
    SmallVector<StringRef> roles;
    if (auto opt = dyn_cast<onnx::OptType>(type)) {
      roles.push_back("optional_present");
      type = opt.getElementType();
    }
    if (isa<onnx::SeqType>(type))
      roles.append({"sequence_data", "sequence_shapes"});
    else if (isStringTensor(type))
      roles.append({"string_bytes", "string_lengths"});
    else
      roles.push_back("");
    return roles;
  }

  /// Rewrites func @main's type and argument and result attributes after the
  /// body is lowered: one argument (result) per part, named as the value.
  void updateSignature() {
    MLIRContext *ctx = func.getContext();
    Block &body = func.getBody().front();
    auto expandAttrs = [&](ArrayRef<DictionaryAttr> attrs, ArrayRef<Type> types) {
      SmallVector<Attribute> expanded;
      for (auto [dict, type] : llvm::zip(attrs, types)) {
        if (!needsParts(type)) {
          expanded.push_back(dict ? dict : DictionaryAttr::get(ctx));
          continue;
        }
        for (StringRef role : partRoles(type)) {
          SmallVector<NamedAttribute> named;
          // Every part keeps the value's name and doc string; dim names
          // describe the value, not its parts.
          if (dict)
            for (StringRef kept : {"onnx.name", "onnx.doc_string"})
              if (Attribute value = dict.get(kept))
                named.push_back(NamedAttribute(StringAttr::get(ctx, kept), value));
          if (!role.empty())
            named.push_back(
                NamedAttribute(StringAttr::get(ctx, "smelt.abi_role"), StringAttr::get(ctx, role)));
          expanded.push_back(DictionaryAttr::get(ctx, named));
        }
      }
      return ArrayAttr::get(ctx, expanded);
    };
    SmallVector<DictionaryAttr> argAttrs, resultAttrs;
    func.getAllArgAttrs(argAttrs);
    func.getAllResultAttrs(resultAttrs);
    ArrayAttr newArgAttrs = expandAttrs(argAttrs, func.getArgumentTypes());
    ArrayAttr newResultAttrs = expandAttrs(resultAttrs, func.getResultTypes());

    llvm::BitVector erase(body.getNumArguments());
    for (BlockArgument arg : body.getArguments())
      if (needsParts(arg.getType()))
        erase.set(arg.getArgNumber());
    body.eraseArguments(erase);
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    func.setType(FunctionType::get(ctx, body.getArgumentTypes(), ret.getOperandTypes()));
    func.setAllArgAttrs(newArgAttrs);
    func.setAllResultAttrs(newResultAttrs);
  }

  LogicalResult lowerBlock(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block))
      if (failed(lowerOp(&op)))
        return failure();
    return success();
  }

  bool touchesSequences(Operation *op) {
    auto isSeq = [](Value v) { return needsParts(v.getType()); };
    return llvm::any_of(op->getOperands(), isSeq) || llvm::any_of(op->getResults(), isSeq);
  }

  LogicalResult lowerOp(Operation *op) {
    if (auto ifOp = dyn_cast<onnx::IfOp>(op))
      return lowerIf(ifOp);
    if (auto loop = dyn_cast<onnx::LoopOp>(op))
      return lowerLoop(loop);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        if (failed(lowerBlock(block)))
          return failure();
    if (!touchesSequences(op))
      return success();
    if (isa<onnx::YieldOp, func::ReturnOp>(op)) {
      FailureOr<SmallVector<Value>> operands = expandOperands(op);
      if (failed(operands))
        return failure();
      op->setOperands(*operands);
      return success();
    }
    OpBuilder b(op);
    PartBuilder pb(b, op->getLoc());
    LogicalResult result =
        TypeSwitch<Operation *, LogicalResult>(op)
            .Case([&](onnx::SequenceEmptyOp o) { return lowerEmpty(o, pb); })
            .Case([&](onnx::SequenceConstructOp o) { return lowerConstruct(o, pb); })
            .Case([&](onnx::SequenceInsertOp o) { return lowerInsert(o, pb); })
            .Case([&](onnx::SequenceEraseOp o) { return lowerErase(o, pb); })
            .Case([&](onnx::SequenceAtOp o) { return lowerAt(o, pb); })
            .Case([&](onnx::SequenceLengthOp o) { return lowerLength(o, pb); })
            .Case([&](onnx::IdentityOp o) { return alias(o.getOutput(), o.getInput(), o); })
            .Case([&](onnx::OptionalOp o) { return lowerOptional(o, pb); })
            .Case([&](onnx::OptionalHasElementOp o) { return lowerHasElement(o); })
            .Case([&](onnx::OptionalGetElementOp o) { return lowerGetElement(o, pb); })
            .Case([&](onnx::StringNormalizerOp o) { return lowerStringNormalizer(o); })
            .Case([&](onnx::CastOp o) { return lowerCastFromString(o, o.getInput(), o.getOutput()); })
            .Case([&](onnx::CastLikeOp o) {
              return lowerCastFromString(o, o.getInput(), o.getOutput());
            })
            .Case([&](onnx::ConstantOp o) { return lowerStringConstant(o); })
            .Case<onnx::ReshapeOp, onnx::SqueezeOp, onnx::UnsqueezeOp, onnx::FlattenOp>(
                [&](Operation *o) { return lowerStringReshape(o); })
            .Default([&](Operation *other) {
              Type type;
              for (Value v : llvm::concat<Value>(other->getOperands(), other->getResults()))
                if (!type && needsParts(v.getType()))
                  type = v.getType();
              return other->emitError()
                     << describeNode(other) << ": values of type " << type
                     << " are not supported by the code generator for this operator yet";
            });
    if (failed(result))
      return failure();
    dead.push_back(op);
    return success();
  }

  LogicalResult alias(Value result, Value input, Operation *op) {
    FailureOr<SmallVector<Value>> p = partsOf(input, op);
    if (failed(p))
      return failure();
    parts[result] = *p;
    return success();
  }

  /// An empty sequence (or absent optional value) of the part types `types`:
  /// every dynamic dim 0. (tensor.empty rather than a constant: a copy out of
  /// a constant of static size 0 makes MLIR's canonicalizer fold the copy
  /// into an invalid memref.subview.)
  SmallVector<Value> emptyParts(ArrayRef<Type> types, PartBuilder &pb) {
    SmallVector<Value> values;
    Value zero = arith::ConstantIndexOp::create(pb.b, pb.loc, 0);
    for (Type type : types) {
      auto tensor = cast<RankedTensorType>(type);
      SmallVector<Value> sizes(tensor.getNumDynamicDims(), zero);
      values.push_back(tensor::EmptyOp::create(pb.b, pb.loc, tensor, sizes));
    }
    return values;
  }

  LogicalResult lowerEmpty(onnx::SequenceEmptyOp op, PartBuilder &pb) {
    FailureOr<SmallVector<Type>> types = partTypes(op.getOutput(), op);
    if (failed(types))
      return failure();
    parts[op.getOutput()] = emptyParts(*types, pb);
    return success();
  }

  LogicalResult lowerConstruct(onnx::SequenceConstructOp op, PartBuilder &pb) {
    FailureOr<SmallVector<Type>> types = partTypes(op.getOutputSequence(), op);
    if (failed(types))
      return failure();
    SmallVector<Value> flat, rows;
    for (Value input : op.getInputs()) {
      flat.push_back(pb.flatten(input, (*types)[0]));
      rows.push_back(pb.shapeRow(input, (*types)[1]));
    }
    parts[op.getOutputSequence()] = {pb.concat(flat, (*types)[0]), pb.concat(rows, (*types)[1])};
    return success();
  }

  /// The parts of a sequence op's input, cast to the part types of its
  /// output (which may know more, e.g. the element rank).
  FailureOr<std::pair<SmallVector<Value>, SmallVector<Type>>>
  updateOperands(Value input, Value output, Operation *op, PartBuilder &pb) {
    FailureOr<SmallVector<Value>> in = partsOf(input, op);
    FailureOr<SmallVector<Type>> types = partTypes(output, op);
    if (failed(in) || failed(types))
      return failure();
    SmallVector<Value> cast{pb.castTo((*in)[0], (*types)[0]), pb.castTo((*in)[1], (*types)[1])};
    return std::make_pair(cast, *types);
  }

  LogicalResult lowerInsert(onnx::SequenceInsertOp op, PartBuilder &pb) {
    auto operands = updateOperands(op.getInputSequence(), op.getOutputSequence(), op, pb);
    if (failed(operands))
      return failure();
    auto &[in, types] = *operands;
    Value data = in[0], shapes = in[1];
    Value flat = pb.flatten(op.getTensor(), types[0]);
    Value row = pb.shapeRow(op.getTensor(), types[1]);
    if (isa<NoneType>(op.getPosition().getType())) {
      parts[op.getOutputSequence()] = {pb.concat({data, flat}, types[0]),
                                       pb.concat({shapes, row}, types[1])};
      return success();
    }
    Value position = pb.normalize(pb.positionI64(op.getPosition()), pb.count(shapes));
    Value split = pb.at(pb.offsets(shapes), position);
    Value zero = pb.i64s({0}, true);
    parts[op.getOutputSequence()] = {
        pb.concat({pb.rows(data, zero, split), flat, pb.rows(data, split, Value())}, types[0]),
        pb.concat({pb.rows(shapes, zero, position), row, pb.rows(shapes, position, Value())},
                  types[1])};
    return success();
  }

  LogicalResult lowerErase(onnx::SequenceEraseOp op, PartBuilder &pb) {
    auto operands = updateOperands(op.getInputSequence(), op.getOutputSequence(), op, pb);
    if (failed(operands))
      return failure();
    auto &[in, types] = *operands;
    Value data = in[0], shapes = in[1];
    Value count = pb.count(shapes);
    Value position = isa<NoneType>(op.getPosition().getType())
                         ? pb.op("Sub", {count, pb.i64s({1}, true)}, pb.i64Tensor({}))
                         : pb.normalize(pb.positionI64(op.getPosition()), count);
    Value offsets = pb.offsets(shapes);
    Value next = pb.plusOne(position);
    Value zero = pb.i64s({0}, true);
    parts[op.getOutputSequence()] = {
        pb.concat({pb.rows(data, zero, pb.at(offsets, position)),
                   pb.rows(data, pb.at(offsets, next), Value())},
                  types[0]),
        pb.concat({pb.rows(shapes, zero, position), pb.rows(shapes, next, Value())}, types[1])};
    return success();
  }

  LogicalResult lowerAt(onnx::SequenceAtOp op, PartBuilder &pb) {
    FailureOr<SmallVector<Value>> in = partsOf(op.getInputSequence(), op);
    if (failed(in))
      return failure();
    Value data = (*in)[0], shapes = (*in)[1];
    int64_t rank = cast<RankedTensorType>(shapes.getType()).getDimSize(1);
    if (ShapedType::isDynamic(rank))
      return op.emitError() << describeNode(op)
                            << ": the rank of the sequence's elements is unknown";
    // One op-building call per statement: argument evaluation order is up
    // to the C++ compiler, and the IR must not depend on it.
    Value count = pb.count(shapes);
    Value position = pb.normalize(pb.positionI64(op.getPosition()), count);
    Value offsets = pb.offsets(shapes);
    Value begin = pb.at(offsets, position);
    Value end = pb.at(offsets, pb.plusOne(position));
    Value flat = pb.rows(data, begin, end);
    Value dims = pb.op("Gather", {shapes, position}, pb.i64Tensor({rank}), {pb.attr("axis", 0)});
    auto elemType = RankedTensorType::get(SmallVector<int64_t>(rank, kDynamic),
                                          cast<TensorType>(data.getType()).getElementType());
    Value element = pb.op("Reshape", {flat, dims}, elemType, {pb.attr("allowzero", 1)});
    op.getTensor().replaceAllUsesWith(pb.castTo(element, op.getTensor().getType()));
    return success();
  }

  LogicalResult lowerLength(onnx::SequenceLengthOp op, PartBuilder &pb) {
    FailureOr<SmallVector<Value>> in = partsOf(op.getInputSequence(), op);
    if (failed(in))
      return failure();
    op.getLength().replaceAllUsesWith(pb.castTo(pb.count((*in)[1]), op.getLength().getType()));
    return success();
  }

  LogicalResult lowerOptional(onnx::OptionalOp op, PartBuilder &pb) {
    FailureOr<SmallVector<Type>> types = partTypes(op.getOutput(), op);
    if (failed(types))
      return failure();
    auto flag = [&](bool present) {
      auto type = RankedTensorType::get({}, pb.b.getI1Type());
      return pb.op("Constant", {}, type,
                   {pb.b.getNamedAttr("value",
                                      DenseElementsAttr::get(type, ArrayRef<bool>(present)))});
    };
    ArrayRef<Type> valueTypes = ArrayRef<Type>(*types).drop_front();
    SmallVector<Value> values;
    Value input = op.getInput();
    if (isa<NoneType>(input.getType())) {
      values.push_back(flag(false));
      values.append(emptyParts(valueTypes, pb));
    } else if (isa<onnx::SeqType>(input.getType())) {
      FailureOr<SmallVector<Value>> in = partsOf(input, op);
      if (failed(in))
        return failure();
      values.push_back(flag(true));
      for (auto [value, type] : llvm::zip(*in, valueTypes))
        values.push_back(pb.castTo(value, type));
    } else {
      values.push_back(flag(true));
      values.push_back(pb.castTo(input, valueTypes[0]));
    }
    parts[op.getOutput()] = values;
    return success();
  }

  LogicalResult lowerHasElement(onnx::OptionalHasElementOp op) {
    FailureOr<SmallVector<Value>> in = partsOf(op.getInput(), op);
    if (failed(in))
      return failure();
    op.getOutput().replaceAllUsesWith((*in)[0]);
    return success();
  }

  LogicalResult lowerGetElement(onnx::OptionalGetElementOp op, PartBuilder &pb) {
    FailureOr<SmallVector<Value>> in = partsOf(op.getInput(), op);
    if (failed(in))
      return failure();
    if (isa<onnx::SeqType>(op.getOutput().getType())) {
      parts[op.getOutput()] = SmallVector<Value>(ArrayRef<Value>(*in).drop_front());
      return success();
    }
    op.getOutput().replaceAllUsesWith(pb.castTo((*in)[1], op.getOutput().getType()));
    return success();
  }

  LogicalResult lowerStringNormalizer(onnx::StringNormalizerOp op) {
    FailureOr<SmallVector<Value>> in = partsOf(op.getX(), op);
    FailureOr<SmallVector<Type>> types = partTypes(op.getY(), op);
    if (failed(in) || failed(types))
      return failure();
    OpBuilder b(op);
    StringParts out = smelt::lowerStringNormalizer(b, op, {(*in)[0], (*in)[1]}, (*types)[1]);
    parts[op.getY()] = {out.bytes, out.lengths};
    return success();
  }

  /// Cast (or CastLike) from strings parses them; to strings is not lowered.
  LogicalResult lowerCastFromString(Operation *op, Value input, Value output) {
    auto resultType = dyn_cast<RankedTensorType>(output.getType());
    if (!isStringTensor(input.getType()) || !resultType || isStringTensor(resultType))
      return op->emitError() << describeNode(op)
                             << ": casting numbers to strings is not supported by the code "
                                "generator yet";
    FailureOr<SmallVector<Value>> in = partsOf(input, op);
    if (failed(in))
      return failure();
    OpBuilder b(op);
    output.replaceAllUsesWith(parseStrings(b, op->getLoc(), {(*in)[0], (*in)[1]}, resultType));
    return success();
  }

  LogicalResult lowerStringConstant(onnx::ConstantOp op) {
    auto value = dyn_cast_or_null<DenseStringElementsAttr>(op->getAttr("value"));
    FailureOr<SmallVector<Type>> types = partTypes(op->getResult(0), op);
    if (!value || failed(types))
      return value ? failure()
                   : op.emitError() << describeNode(op)
                                    << ": only dense string constants are supported";
    OpBuilder b(op);
    StringParts out = stringConstant(b, op.getLoc(), value.getRawStringData(),
                                     cast<RankedTensorType>((*types)[1]));
    PartBuilder pb(b, op.getLoc());
    parts[op->getResult(0)] = {pb.castTo(out.bytes, (*types)[0]), out.lengths};
    return success();
  }

  /// Ops that only change the shape of a string tensor keep its bytes (their
  /// order is row-major either way) and reshape its lengths.
  LogicalResult lowerStringReshape(Operation *op) {
    FailureOr<SmallVector<Value>> in = partsOf(op->getOperand(0), op);
    FailureOr<SmallVector<Type>> types = partTypes(op->getResult(0), op);
    if (failed(in) || failed(types))
      return failure();
    OpBuilder b(op);
    SmallVector<Value> operands(op->getOperands());
    operands[0] = (*in)[1];
    Operation *lengths = b.create(OperationState(op->getLoc(), op->getName().getStringRef(),
                                                 operands, TypeRange{(*types)[1]}, op->getAttrs()));
    parts[op->getResult(0)] = {(*in)[0], lengths->getResult(0)};
    return success();
  }

  /// The result types of a region op whose `results` are expanded.
  FailureOr<SmallVector<Type>> expandedTypes(Operation *op, ValueRange results) {
    SmallVector<Type> types;
    for (Value result : results) {
      if (!needsParts(result.getType())) {
        types.push_back(result.getType());
        continue;
      }
      FailureOr<SmallVector<Type>> p = partTypes(result, op);
      if (failed(p))
        return failure();
      types.append(*p);
    }
    return types;
  }

  /// Casts the operands of `yield` from `first` on to `types`.
  void castYield(Operation *yield, unsigned first, ArrayRef<Type> types) {
    OpBuilder b(yield);
    PartBuilder pb(b, yield->getLoc());
    for (auto [i, type] : llvm::enumerate(types))
      yield->setOperand(first + i, pb.castTo(yield->getOperand(first + i), type));
  }

  /// Maps the old results of a region op to the new op's results.
  void mapResults(ValueRange oldResults, ValueRange newResults) {
    unsigned next = 0;
    for (Value old : oldResults) {
      if (!needsParts(old.getType())) {
        old.replaceAllUsesWith(newResults[next++]);
        continue;
      }
      unsigned count = partRoles(old.getType()).size();
      parts[old] = SmallVector<Value>(newResults.slice(next, count));
      next += count;
    }
  }

  LogicalResult lowerIf(onnx::IfOp op) {
    for (Region *branch : {&op.getThenBranch(), &op.getElseBranch()})
      for (Block &block : *branch)
        if (failed(lowerBlock(block)))
          return failure();
    if (!touchesSequences(op))
      return success();
    FailureOr<SmallVector<Type>> types = expandedTypes(op, op.getResults());
    if (failed(types))
      return failure();
    OpBuilder b(op);
    Operation *lowered = createOnnx(b, op.getLoc(), "If", op->getOperands(), *types,
                                    op->getAttrs().vec(), op->getNumRegions());
    // Regions in the order of the op's definition.
    for (unsigned i = 0; i < op->getNumRegions(); ++i) {
      lowered->getRegion(i).takeBody(op->getRegion(i));
      castYield(lowered->getRegion(i).front().getTerminator(), 0, *types);
    }
    mapResults(op.getResults(), lowered->getResults());
    dead.push_back(op);
    return success();
  }

  LogicalResult lowerLoop(onnx::LoopOp op) {
    Block &body = op.getBody().front();
    // Carried sequences get one block argument per part, appended for now.
    unsigned originalArgs = body.getNumArguments();
    SmallVector<unsigned> seqArgs;
    for (unsigned i = 2; i < originalArgs; ++i) {
      BlockArgument arg = body.getArgument(i);
      if (!needsParts(arg.getType()))
        continue;
      FailureOr<SmallVector<Type>> types = partTypes(arg, op);
      if (failed(types))
        return failure();
      SmallVector<Value> argParts;
      for (Type type : *types)
        argParts.push_back(body.addArgument(type, arg.getLoc()));
      parts[arg] = argParts;
      seqArgs.push_back(i);
    }
    if (failed(lowerBlock(body)))
      return failure();
    if (seqArgs.empty() && !touchesSequences(op))
      return success();
    // Scan outputs of sequences (stacked per iteration) are not lowered.
    for (Value result : op.getResults().drop_front(op.getVInitial().size()))
      if (needsParts(result.getType()))
        return op.emitError() << describeNode(op)
                              << ": a scan output of sequences is not supported yet";

    FailureOr<SmallVector<Type>> types = expandedTypes(op, op.getResults());
    FailureOr<SmallVector<Value>> operands = expandOperands(op);
    if (failed(types) || failed(operands))
      return failure();
    OpBuilder b(op);
    PartBuilder pb(b, op.getLoc());
    for (unsigned i = 2; i < operands->size(); ++i)
      (*operands)[i] = pb.castTo((*operands)[i], (*types)[i - 2]);
    // The parts were appended after the other arguments: move them in place.
    SmallVector<Type> argTypes{body.getArgument(0).getType(), body.getArgument(1).getType()};
    unsigned carried = 0;
    for (Value init : op.getVInitial())
      carried += needsParts(init.getType()) ? partRoles(init.getType()).size() : 1;
    argTypes.append(types->begin(), types->begin() + carried);
    auto *newBody = new Block();
    for (Type type : argTypes)
      newBody->addArgument(type, op.getLoc());
    unsigned next = 2;
    for (unsigned i = 2; i < originalArgs; ++i) {
      BlockArgument arg = body.getArgument(i);
      if (!llvm::is_contained(seqArgs, i)) {
        arg.replaceAllUsesWith(newBody->getArgument(next++));
        continue;
      }
      for (Value part : parts[arg])
        part.replaceAllUsesWith(newBody->getArgument(next++));
    }
    body.getArgument(0).replaceAllUsesWith(newBody->getArgument(0));
    body.getArgument(1).replaceAllUsesWith(newBody->getArgument(1));
    newBody->getOperations().splice(newBody->end(), body.getOperations());
    castYield(newBody->getTerminator(), 1, ArrayRef<Type>(*types).take_front(carried));

    Operation *lowered = createOnnx(b, op.getLoc(), "Loop", *operands, *types,
                                    op->getAttrs().vec(), /*regions=*/1);
    lowered->getRegion(0).push_back(newBody);
    mapResults(op.getResults(), lowered->getResults());
    dead.push_back(op);
    return success();
  }

  func::FuncOp func;
  SequenceElementRanks &ranks;
  llvm::DenseMap<Value, SmallVector<Value>> parts;
  SmallVector<Operation *> dead;
};

class OnnxToPlainTensorsPass
    : public impl::OnnxToPlainTensorsBase<OnnxToPlainTensorsPass> {
public:
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    rewriteSequencesAsLoops(func);
    SequenceElementRanks ranks;
    if (failed(ranks.analyze(func)) || failed(SequenceLowering(func, ranks).run()))
      signalPassFailure();
  }
};

} // namespace

ArrayRef<const char *> opsLoweredToPlainTensors() {
  static const char *const kOps[] = {
      "ConcatFromSequence", "Optional", "OptionalGetElement", "OptionalHasElement", "SequenceAt",
      "SequenceConstruct", "SequenceEmpty",     "SequenceErase",      "SequenceInsert",
      "SequenceLength",   "SequenceMap",        "SplitToSequence",    "StringNormalizer"};
  return kOps;
}

} // namespace smelt
