//===- ControlFlow.cpp - If, Loop and Scan to scf -------------------------===//
//
// If's branches move into an scf.if on the condition's scalar; their
// onnx.Yield terminators become scf.yield. Both branches must produce the
// If's (static) result types; ONNX allows branches of different shapes, which
// needs dynamic shapes and is rejected with an error naming the node.
//
// Loop becomes an scf.while carrying (iteration, condition, loop-carried
// values..., scan buffers...): the body region moves into the "do" region,
// its iteration number and condition inputs are rebuilt as 0-d tensors and
// its onnx.Yield becomes the scf.yield of the next state. A scan output whose
// length is static is preallocated (and the loop also stops at that length,
// so a model that runs longer cannot write out of bounds); a dynamic one
// grows by one row per iteration and ends with the iteration count.
//
// Scan becomes an scf.for over the scan axis (its length static or taken at
// run time): each step extracts one slice of every scan input and inserts the
// body's scan values into the scan outputs, in the direction each attribute
// asks for. Scan output rows need a static shape (the result's or the body's).
//
// The bodies' types are refined by onnx-infer-shapes (ControlFlowBodyTypes.cpp).
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace smelt {
namespace {

struct IfPattern : OpConversionPattern<onnx::IfOp> {
  IfPattern(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context) {
    addDebugLabels(kDynamicShapesLabel);
  }
  LogicalResult matchAndRewrite(onnx::IfOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> resultTypes;
    for (Value result : op.getResults()) {
      RankedTensorType type = getRankedType(*getTypeConverter(), result);
      if (!type)
        return op.emitError() << describeNode(op) << ": If results must be ranked tensors";
      resultTypes.push_back(type);
    }
    // Branches may yield more precise types (static where the If has `?`);
    // the yields cast them. Anything else cannot be one scf.if result.
    for (Region *branch : {&op.getThenBranch(), &op.getElseBranch()}) {
      auto yield = cast<onnx::YieldOp>(branch->front().getTerminator());
      for (auto [value, type] : llvm::zip(yield.getValues(), op.getResultTypes()))
        if (value.getType() != type &&
            !tensor::CastOp::areCastCompatible(value.getType(), type))
          return op.emitError() << describeNode(op) << ": a branch yields " << value.getType()
                                << " where the If produces " << type;
    }
    Location loc = op.getLoc();
    // The condition holds one element, whatever its rank (exporters emit [1], [1,1]).
    auto condType = cast<RankedTensorType>(adaptor.getCond().getType());
    SmallVector<Value> zeros(condType.getRank(), arith::ConstantIndexOp::create(rewriter, loc, 0));
    Value cond = tensor::ExtractOp::create(rewriter, loc, adaptor.getCond(), zeros);
    auto ifOp = scf::IfOp::create(rewriter, loc, resultTypes, cond, /*withElseRegion=*/true);
    // scf.if builds empty blocks; replace them with the onnx regions.
    rewriter.eraseBlock(&ifOp.getThenRegion().front());
    rewriter.eraseBlock(&ifOp.getElseRegion().front());
    rewriter.inlineRegionBefore(op.getThenBranch(), ifOp.getThenRegion(), ifOp.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseBranch(), ifOp.getElseRegion(), ifOp.getElseRegion().end());
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

/// The terminator of a branch that now belongs to an scf.if (Loop and Scan
/// replace their own terminators).
struct YieldPattern : OpConversionPattern<onnx::YieldOp> {
  YieldPattern(const TypeConverter &converter, MLIRContext *context)
      : OpConversionPattern(converter, context) {
    addDebugLabels(kDynamicShapesLabel);
  }
  LogicalResult matchAndRewrite(onnx::YieldOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (!isa<scf::IfOp>(op->getParentOp()))
      return rewriter.notifyMatchFailure(op, "only If branches end in a lone onnx.Yield");
    SmallVector<Value> values;
    for (auto [value, type] : llvm::zip(adaptor.getValues(), op->getParentOp()->getResultTypes()))
      values.push_back(value.getType() == type
                           ? value
                           : Value(tensor::CastOp::create(rewriter, op.getLoc(), type, value)));
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, values);
    return success();
  }
};

/// `value` as `type`: a tensor.cast between compatible tensor types, else an
/// unrealized cast that the conversion resolves (onnx <-> signless types).
Value adaptTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  if (tensor::CastOp::areCastCompatible(value.getType(), type))
    return tensor::CastOp::create(b, loc, type, value);
  return UnrealizedConversionCastOp::create(b, loc, type, value).getResult(0);
}

/// Offsets/sizes/strides of the unit slice at `index` along `axis` of `type`.
void unitSlice(OpBuilder &b, Location loc, Value tensor, int64_t axis, Value index,
               SmallVectorImpl<OpFoldResult> &offsets, SmallVectorImpl<OpFoldResult> &sizes,
               SmallVectorImpl<OpFoldResult> &strides) {
  auto type = cast<RankedTensorType>(tensor.getType());
  for (int64_t d = 0; d < type.getRank(); ++d) {
    offsets.push_back(d == axis ? OpFoldResult(index) : OpFoldResult(b.getIndexAttr(0)));
    if (d == axis)
      sizes.push_back(b.getIndexAttr(1));
    else if (type.isDynamicDim(d))
      sizes.push_back(OpFoldResult(dimSize(b, loc, tensor, d)));
    else
      sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
    strides.push_back(b.getIndexAttr(1));
  }
}

/// Loop to scf.while (see the file comment).
struct LoopPattern : DynamicShapePattern<onnx::LoopOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::LoopOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &converter = *getTypeConverter();
    Block &body = op.getBody().front();
    auto yield = cast<onnx::YieldOp>(body.getTerminator());
    unsigned numCarried = adaptor.getVInitial().size();
    unsigned numScan = op.getNumResults() - numCarried;
    if (body.getNumArguments() != 2 + numCarried || yield.getNumOperands() != 1 + numCarried + numScan)
      return op.emitError() << describeNode(op)
                            << ": the body must take (iteration, condition, "
                            << numCarried << " loop-carried values) and yield (condition, "
                            << numCarried << " loop-carried values, " << numScan << " scan outputs)";

    // Loop-carried values keep the type the body takes them as.
    SmallVector<Type> carriedTypes, resultTypes;
    for (unsigned k = 0; k < numCarried; ++k) {
      auto argType = dyn_cast_or_null<RankedTensorType>(
          converter.convertType(body.getArgument(2 + k).getType()));
      auto outType = dyn_cast_or_null<RankedTensorType>(
          converter.convertType(yield.getOperand(1 + k).getType()));
      Type initType = adaptor.getVInitial()[k].getType();
      if (!argType || !outType || !tensor::CastOp::areCastCompatible(argType, outType) ||
          !tensor::CastOp::areCastCompatible(argType, initType))
        return op.emitError() << describeNode(op) << ": loop-carried value #" << k
                              << " enters as " << initType << ", is taken as "
                              << body.getArgument(2 + k).getType() << " and yielded as "
                              << yield.getOperand(1 + k).getType()
                              << "; it must keep one ranked type across iterations";
      carriedTypes.push_back(argType);
    }
    // Scan outputs: rows of a static shape, stacked along a new leading axis.
    SmallVector<RankedTensorType> rowTypes, bufferTypes;
    for (unsigned j = 0; j < numScan; ++j) {
      Value result = op.getResult(numCarried + j);
      auto resultType = getRankedType(converter, result);
      auto yieldedType = dyn_cast_or_null<RankedTensorType>(
          converter.convertType(yield.getOperand(1 + numCarried + j).getType()));
      if (!resultType || resultType.getRank() < 1)
        return op.emitError() << describeNode(op) << ": scan output #" << j
                              << " must be a ranked tensor, not " << result.getType();
      RankedTensorType rowType = dropDim(resultType, 0);
      if (!rowType.hasStaticShape() && yieldedType && yieldedType.hasStaticShape() &&
          tensor::CastOp::areCastCompatible(rowType, yieldedType))
        rowType = yieldedType;
      if (!rowType.hasStaticShape())
        return op.emitError() << describeNode(op) << ": scan output #" << j
                              << " needs statically shaped rows, got " << result.getType();
      rowTypes.push_back(rowType);
      bufferTypes.push_back(insertDim(rowType, 0, resultType.getDimSize(0)));
    }

    Type i64 = rewriter.getI64Type(), i1 = rewriter.getI1Type();
    bool hasTripCount = !isa<NoneType>(adaptor.getM().getType());
    Value tripCount = hasTripCount ? extractScalar(rewriter, loc, adaptor.getM()) : Value();
    Value cond0 = isa<NoneType>(adaptor.getCond().getType())
                      ? Value(arith::ConstantIntOp::create(rewriter, loc, i1, 1))
                      : extractScalar(rewriter, loc, adaptor.getCond());
    // A static scan length bounds the iterations: the buffers hold no more.
    std::optional<int64_t> capacity;
    for (RankedTensorType type : bufferTypes)
      if (!type.isDynamicDim(0))
        capacity = std::min(capacity.value_or(type.getDimSize(0)), type.getDimSize(0));

    SmallVector<Value> inits{arith::ConstantIntOp::create(rewriter, loc, i64, 0), cond0};
    SmallVector<Type> stateTypes{i64, i1};
    for (unsigned k = 0; k < numCarried; ++k) {
      inits.push_back(adaptTo(rewriter, loc, adaptor.getVInitial()[k], carriedTypes[k]));
      stateTypes.push_back(carriedTypes[k]);
    }
    for (RankedTensorType type : bufferTypes) {
      Value buffer;
      if (!type.isDynamicDim(0)) {
        buffer = createFilled(rewriter, loc, type,
                              scalarConstant(rewriter, loc, type.getElementType(), 0.0));
      } else {
        // M rows at most when there is a trip count; else it grows from 0.
        Value rows = arith::ConstantIndexOp::create(rewriter, loc, 0);
        if (tripCount)
          rows = arith::IndexCastOp::create(
              rewriter, loc, rewriter.getIndexType(),
              arith::MaxSIOp::create(rewriter, loc, tripCount,
                                     arith::ConstantIntOp::create(rewriter, loc, i64, 0)));
        buffer = createEmpty(rewriter, loc, type, SmallVector<Value>(type.getRank(), rows));
      }
      inits.push_back(buffer);
      stateTypes.push_back(type);
    }

    auto whileOp = scf::WhileOp::create(
        rewriter, loc, stateTypes, inits,
        [&](OpBuilder &b, Location l, ValueRange state) {
          Value go = state[1];
          auto below = [&](Value bound) {
            Value lt = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, state[0], bound);
            go = arith::AndIOp::create(b, l, go, lt);
          };
          if (tripCount)
            below(tripCount);
          if (capacity)
            below(arith::ConstantIntOp::create(b, l, i64, *capacity));
          scf::ConditionOp::create(b, l, go, state);
        },
        [&](OpBuilder &, Location, ValueRange) {});
    Block *after = whileOp.getAfterBody();

    // The body's inputs, as the body's (onnx) types.
    rewriter.setInsertionPointToStart(after);
    Value iteration = after->getArgument(0);
    SmallVector<Value> bodyArgs{
        tensor::FromElementsOp::create(rewriter, loc, RankedTensorType::get({}, i64), iteration),
        tensor::FromElementsOp::create(rewriter, loc, RankedTensorType::get({}, i1),
                                       after->getArgument(1))};
    for (unsigned k = 0; k < numCarried; ++k)
      bodyArgs.push_back(after->getArgument(2 + k));
    for (auto [k, value] : llvm::enumerate(bodyArgs))
      value = adaptTo(rewriter, loc, value, body.getArgument(k).getType());
    rewriter.mergeBlocks(&body, after, bodyArgs);

    // The next state, from the body's yield.
    rewriter.setInsertionPoint(yield);
    auto converted = [&](Value v) {
      return adaptTo(rewriter, loc, v, converter.convertType(v.getType()));
    };
    SmallVector<Value> next{
        arith::AddIOp::create(rewriter, loc, iteration,
                              arith::ConstantIntOp::create(rewriter, loc, i64, 1)),
        extractScalar(rewriter, loc, converted(yield.getOperand(0)))};
    SmallVector<Value> carriedOut;
    for (unsigned k = 0; k < numCarried; ++k)
      carriedOut.push_back(
          adaptTo(rewriter, loc, converted(yield.getOperand(1 + k)), carriedTypes[k]));
    Value row = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), iteration);
    SmallVector<Value> bufferOut;
    for (unsigned j = 0; j < numScan; ++j) {
      Value value = adaptTo(rewriter, loc, converted(yield.getOperand(1 + numCarried + j)),
                            rowTypes[j]);
      Value buffer = after->getArgument(2 + numCarried + j);
      if (bufferTypes[j].isDynamicDim(0) && !tripCount) {
        // Grow by one row: copy the rows so far into a buffer one longer.
        Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
        SmallVector<Value> sizes(bufferTypes[j].getRank(),
                                 arith::AddIOp::create(rewriter, loc, row, one));
        Value grown = createEmpty(rewriter, loc, bufferTypes[j], sizes);
        SmallVector<OpFoldResult> offsets(bufferTypes[j].getRank(), rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> strides(bufferTypes[j].getRank(), rewriter.getIndexAttr(1));
        SmallVector<OpFoldResult> oldSizes{row};
        for (int64_t d : rowTypes[j].getShape())
          oldSizes.push_back(rewriter.getIndexAttr(d));
        buffer = tensor::InsertSliceOp::create(rewriter, loc, buffer, grown, offsets, oldSizes,
                                               strides);
      }
      SmallVector<OpFoldResult> offsets, sizes, strides;
      unitSlice(rewriter, loc, buffer, 0, row, offsets, sizes, strides);
      bufferOut.push_back(
          tensor::InsertSliceOp::create(rewriter, loc, value, buffer, offsets, sizes, strides));
    }
    // Loop-carried values of static shape are written back into their
    // iter_args' buffers, so the loop bufferizes with yields equivalent to its
    // arguments. A dynamic shape may change from one iteration to the next
    // (a growing sequence): such values are yielded as new buffers.
    for (unsigned k = 0; k < numCarried; ++k)
      next.push_back(cast<RankedTensorType>(carriedTypes[k]).hasStaticShape()
                         ? bufferization::MaterializeInDestinationOp::create(
                               rewriter, loc, carriedOut[k], after->getArgument(2 + k))
                               ->getResult(0)
                         : carriedOut[k]);
    llvm::append_range(next, bufferOut);
    scf::YieldOp::create(rewriter, loc, next);
    rewriter.eraseOp(yield);

    rewriter.setInsertionPointAfter(whileOp);
    SmallVector<Value> results;
    for (unsigned k = 0; k < numCarried; ++k)
      results.push_back(adaptTo(rewriter, loc, whileOp.getResult(2 + k),
                                getRankedType(converter, op.getResult(k))));
    for (unsigned j = 0; j < numScan; ++j) {
      Value buffer = whileOp.getResult(2 + numCarried + j);
      if (bufferTypes[j].isDynamicDim(0) && tripCount) {
        // Preallocated to M rows: keep the rows the loop wrote.
        SmallVector<OpFoldResult> offsets(bufferTypes[j].getRank(), rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> strides(bufferTypes[j].getRank(), rewriter.getIndexAttr(1));
        SmallVector<OpFoldResult> sizes{OpFoldResult(arith::IndexCastOp::create(
            rewriter, loc, rewriter.getIndexType(), whileOp.getResult(0)))};
        for (int64_t d : rowTypes[j].getShape())
          sizes.push_back(rewriter.getIndexAttr(d));
        buffer = tensor::ExtractSliceOp::create(rewriter, loc, bufferTypes[j], buffer, offsets,
                                                sizes, strides);
      }
      results.push_back(adaptTo(rewriter, loc, buffer,
                                getRankedType(converter, op.getResult(numCarried + j))));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Scan to scf.for (see the file comment).
struct ScanPattern : DynamicShapePattern<onnx::ScanOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::ScanOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const TypeConverter &converter = *getTypeConverter();
    Block &body = op.getBody().front();
    auto yield = cast<onnx::YieldOp>(body.getTerminator());
    ValueRange operands = adaptor.getInitialStateAndScanInputs();
    int64_t numInputs = op.getNumScanInputs();
    int64_t numStates = static_cast<int64_t>(operands.size()) - numInputs;
    int64_t numOutputs = static_cast<int64_t>(op.getNumResults()) - numStates;
    if (numStates < 0 || numOutputs < 0 || numInputs < 1 ||
        body.getNumArguments() != operands.size() ||
        yield.getNumOperands() != op.getNumResults())
      return op.emitError() << describeNode(op)
                            << ": the body's inputs and outputs do not match the Scan's";
    auto attrOr = [](std::optional<ArrayRef<int64_t>> attr, int64_t n) {
      SmallVector<int64_t> values = attr ? SmallVector<int64_t>(*attr) : SmallVector<int64_t>(n, 0);
      values.resize(n, 0);
      return values;
    };
    SmallVector<int64_t> inAxes = attrOr(op.getScanInputAxes(), numInputs);
    SmallVector<int64_t> inDirs = attrOr(op.getScanInputDirections(), numInputs);
    SmallVector<int64_t> outAxes = attrOr(op.getScanOutputAxes(), numOutputs);
    SmallVector<int64_t> outDirs = attrOr(op.getScanOutputDirections(), numOutputs);

    // The scan length: the scan axis of every scan input; static where any
    // input says so, else the first input's at run time.
    int64_t length = ShapedType::kDynamic;
    SmallVector<RankedTensorType> sliceTypes;
    for (int64_t k = 0; k < numInputs; ++k) {
      auto type = dyn_cast<RankedTensorType>(operands[numStates + k].getType());
      if (!type)
        return op.emitError() << describeNode(op) << ": scan input #" << k
                              << " must be a ranked tensor";
      int64_t axis = normalizeAxis(inAxes[k], type.getRank());
      if (axis < 0 || axis >= type.getRank())
        return op.emitError() << describeNode(op) << ": scan_input_axes[" << k << "] = "
                              << inAxes[k] << " is out of range";
      inAxes[k] = axis;
      int64_t inputLength = type.getDimSize(axis);
      if (!ShapedType::isDynamic(length) && !ShapedType::isDynamic(inputLength) &&
          length != inputLength)
        return op.emitError() << describeNode(op) << ": scan inputs differ in length";
      if (!ShapedType::isDynamic(inputLength))
        length = inputLength;
      sliceTypes.push_back(dropDim(type, axis));
    }
    Value lengthSize = ShapedType::isDynamic(length)
                           ? dimSize(rewriter, loc, operands[numStates], inAxes[0])
                           : arith::ConstantIndexOp::create(rewriter, loc, length).getResult();
    SmallVector<Type> stateTypes;
    SmallVector<Value> inits;
    for (int64_t k = 0; k < numStates; ++k) {
      auto type = getRankedType(converter, op.getResult(k));
      if (!type || !tensor::CastOp::areCastCompatible(type, operands[k].getType()))
        return op.emitError() << describeNode(op) << ": state #" << k
                              << " must keep one ranked type, got " << op.getResult(k).getType();
      stateTypes.push_back(type);
      inits.push_back(adaptTo(rewriter, loc, operands[k], type));
    }
    // Scan outputs: rows of a static shape (the result's, or else the body's
    // yielded one), stacked along the output axis of the scan length.
    SmallVector<RankedTensorType> rowTypes;
    for (int64_t j = 0; j < numOutputs; ++j) {
      auto type = getRankedType(converter, op.getResult(numStates + j));
      if (!type)
        return op.emitError() << describeNode(op) << ": scan output #" << j
                              << " must be a ranked tensor";
      int64_t axis = normalizeAxis(outAxes[j], type.getRank());
      if (axis < 0 || axis >= type.getRank() ||
          (!type.isDynamicDim(axis) && !ShapedType::isDynamic(length) &&
           type.getDimSize(axis) != length))
        return op.emitError() << describeNode(op) << ": scan output #" << j << " of type "
                              << type << " has no axis " << outAxes[j] << " of the scan length";
      outAxes[j] = axis;
      RankedTensorType rowType = dropDim(type, axis);
      auto yieldedType = dyn_cast_or_null<RankedTensorType>(
          converter.convertType(yield.getOperand(numStates + j).getType()));
      if (!rowType.hasStaticShape() && yieldedType && yieldedType.hasStaticShape() &&
          tensor::CastOp::areCastCompatible(rowType, yieldedType))
        rowType = yieldedType;
      if (!rowType.hasStaticShape())
        return op.emitError() << describeNode(op) << ": scan output #" << j
                              << " needs statically shaped rows, got " << type;
      rowTypes.push_back(rowType);
      int64_t outLength = type.isDynamicDim(axis) ? length : type.getDimSize(axis);
      RankedTensorType bufferType = insertDim(rowType, axis, outLength);
      stateTypes.push_back(bufferType);
      SmallVector<Value> sizes(bufferType.getRank(), lengthSize);
      inits.push_back(createEmpty(rewriter, loc, bufferType, sizes));
    }

    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value upper = lengthSize;
    auto forOp = scf::ForOp::create(rewriter, loc, zero, upper, one, inits,
                                    [](OpBuilder &, Location, Value, ValueRange) {});
    Block *loopBody = forOp.getBody();
    rewriter.setInsertionPointToStart(loopBody);
    Value step = forOp.getInductionVar();
    Value last = ShapedType::isDynamic(length)
                     ? Value(arith::SubIOp::create(rewriter, loc, upper, one))
                     : Value(arith::ConstantIndexOp::create(rewriter, loc, length - 1));
    Value reversed = arith::SubIOp::create(rewriter, loc, last, step);
    SmallVector<Value> bodyArgs;
    for (int64_t k = 0; k < numStates; ++k)
      bodyArgs.push_back(forOp.getRegionIterArg(k));
    for (int64_t k = 0; k < numInputs; ++k) {
      Value input = operands[numStates + k];
      SmallVector<OpFoldResult> offsets, sizes, strides;
      unitSlice(rewriter, loc, input, inAxes[k], inDirs[k] ? reversed : step, offsets, sizes,
                strides);
      bodyArgs.push_back(tensor::ExtractSliceOp::create(rewriter, loc, sliceTypes[k], input,
                                                        offsets, sizes, strides));
    }
    for (auto [k, value] : llvm::enumerate(bodyArgs))
      value = adaptTo(rewriter, loc, value, body.getArgument(k).getType());
    rewriter.mergeBlocks(&body, loopBody, bodyArgs);

    rewriter.setInsertionPoint(yield);
    auto converted = [&](Value v) {
      return adaptTo(rewriter, loc, v, converter.convertType(v.getType()));
    };
    SmallVector<Value> next, outs;
    for (int64_t j = 0; j < numOutputs; ++j) {
      Value value = adaptTo(rewriter, loc, converted(yield.getOperand(numStates + j)), rowTypes[j]);
      Value out = forOp.getRegionIterArg(numStates + j);
      SmallVector<OpFoldResult> offsets, sizes, strides;
      unitSlice(rewriter, loc, out, outAxes[j], outDirs[j] ? reversed : step, offsets, sizes,
                strides);
      outs.push_back(
          tensor::InsertSliceOp::create(rewriter, loc, value, out, offsets, sizes, strides));
    }
    // States are written back into their iter_args' buffers (after the rows
    // read them), so the loop bufferizes with equivalent yields.
    for (int64_t k = 0; k < numStates; ++k)
      next.push_back(bufferization::MaterializeInDestinationOp::create(
                         rewriter, loc,
                         adaptTo(rewriter, loc, converted(yield.getOperand(k)), stateTypes[k]),
                         forOp.getRegionIterArg(k))
                         ->getResult(0));
    llvm::append_range(next, outs);
    scf::YieldOp::create(rewriter, loc, next);
    rewriter.eraseOp(yield);
    rewriter.setInsertionPointAfter(forOp);
    SmallVector<Value> results;
    for (auto [k, result] : llvm::enumerate(forOp.getResults()))
      results.push_back(adaptTo(rewriter, loc, result, getRankedType(converter, op.getResult(k))));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateControlFlowPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<IfPattern, YieldPattern, LoopPattern, ScanPattern>(converter,
                                                                 patterns.getContext());
}

} // namespace smelt
