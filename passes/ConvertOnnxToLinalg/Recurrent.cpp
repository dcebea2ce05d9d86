//===- Recurrent.cpp - RNN, GRU and LSTM to linalg + scf.for --------------===//
//
// One lowering serves the three recurrent cells. Per direction, the input
// projection X·W^T + Wb of every time step is one contraction hoisted out of
// the time loop; an scf.for over the steps carries the hidden state (and the
// cell state of LSTM) and the Y accumulator as tensor iter_args. A step is
// the recurrent contraction H·R^T + Rb followed by one elementwise
// linalg.generic with the gate math; its H is inserted into Y. Reverse runs
// t from seq-1 down to 0, bidirectional runs both loops into one Y.
//
// sequence_lens masks steps at or past an entry's length: its state is kept
// and its Y row is 0, so Y_h holds the state of the last valid step. layout 1
// is handled by the indexing maps and slice positions; nothing is
// transposed. All ONNX activation functions are supported, with
// activation_alpha/beta consumed by the functions that take them. clip bounds
// the inputs of the gate activations. Sequence length, batch and input size
// may be dynamic (sized at run time); hidden_size must be known from W, R or
// the attribute.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace smelt {
namespace {

enum class Cell { RNN, GRU, LSTM };

/// One ONNX activation function with its alpha/beta.
struct Activation {
  enum Kind { Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid,
              Elu, Softsign, Softplus, Unknown };
  Kind kind = Unknown;
  double alpha = 0, beta = 0;

  static Kind parse(StringRef name) {
    std::string lower = name.lower();
    return llvm::StringSwitch<Kind>(lower)
        .Case("relu", Relu)
        .Case("tanh", Tanh)
        .Case("sigmoid", Sigmoid)
        .Case("affine", Affine)
        .Case("leakyrelu", LeakyRelu)
        .Case("thresholdedrelu", ThresholdedRelu)
        .Case("scaledtanh", ScaledTanh)
        .Case("hardsigmoid", HardSigmoid)
        .Case("elu", Elu)
        .Case("softsign", Softsign)
        .Case("softplus", Softplus)
        .Default(Unknown);
  }
  static bool takesAlpha(Kind k) {
    return k == Affine || k == LeakyRelu || k == ThresholdedRelu || k == ScaledTanh ||
           k == HardSigmoid || k == Elu;
  }
  static bool takesBeta(Kind k) { return k == Affine || k == ScaledTanh || k == HardSigmoid; }
  /// Defaults of the corresponding ONNX operators.
  static std::pair<double, double> defaults(Kind k) {
    switch (k) {
    case LeakyRelu: return {0.01, 0};
    case HardSigmoid: return {0.2, 0.5};
    case Affine: case ScaledTanh: case ThresholdedRelu: case Elu: return {1.0, 0};
    default: return {0, 0};
    }
  }

  /// Ops are created in sequence (no nested calls as arguments, whose order
  /// C++ leaves open) so the IR is the same with every compiler.
  Value apply(OpBuilder &b, Location loc, Value x) const {
    Type t = x.getType();
    auto c = [&](double v) { return scalarConstant(b, loc, t, v); };
    auto mul = [&](Value l, Value r) { return Value(arith::MulFOp::create(b, loc, l, r)); };
    auto add = [&](Value l, Value r) { return Value(arith::AddFOp::create(b, loc, l, r)); };
    auto lt = [&](Value l, Value r) {
      return Value(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, l, r));
    };
    auto select = [&](Value cond, Value l, Value r) {
      return Value(arith::SelectOp::create(b, loc, cond, l, r));
    };
    switch (kind) {
    case Relu: {
      Value zero = c(0);
      return arith::MaximumFOp::create(b, loc, x, zero);
    }
    case Tanh:
      return math::TanhOp::create(b, loc, x);
    case Sigmoid: {
      Value neg = arith::NegFOp::create(b, loc, x);
      Value e = math::ExpOp::create(b, loc, neg);
      Value one = c(1);
      Value denom = add(one, e);
      return arith::DivFOp::create(b, loc, one, denom);
    }
    case Affine: {
      Value scaled = mul(c(alpha), x);
      return add(scaled, c(beta));
    }
    case LeakyRelu: {
      Value negative = lt(x, c(0));
      Value scaled = mul(c(alpha), x);
      return select(negative, scaled, x);
    }
    case ThresholdedRelu: {
      Value above = lt(c(alpha), x);
      return select(above, x, c(0));
    }
    case ScaledTanh: {
      Value scaled = mul(c(beta), x);
      Value t = math::TanhOp::create(b, loc, scaled);
      return mul(c(alpha), t);
    }
    case HardSigmoid: {
      Value scaled = mul(c(alpha), x);
      Value y = add(scaled, c(beta));
      Value capped = arith::MinimumFOp::create(b, loc, c(1), y);
      return arith::MaximumFOp::create(b, loc, c(0), capped);
    }
    case Elu: {
      Value em1 = math::ExpM1Op::create(b, loc, x);
      Value negative = lt(x, c(0));
      Value scaled = mul(c(alpha), em1);
      return select(negative, scaled, x);
    }
    case Softsign: {
      Value magnitude = math::AbsFOp::create(b, loc, x);
      Value denom = add(c(1), magnitude);
      return arith::DivFOp::create(b, loc, x, denom);
    }
    case Softplus: {
      Value e = math::ExpOp::create(b, loc, x);
      return math::Log1pOp::create(b, loc, e);
    }
    case Unknown:
      break;
    }
    llvm_unreachable("activation checked when parsed");
  }
};

/// Operands of a recurrent op after conversion; absent ones are null.
struct RecurrentOperands {
  Value x, w, r, b, seqLens, initH, initC, p;
};

/// Attributes shared by the three cells.
struct RecurrentAttrs {
  StringRef direction;
  std::optional<int64_t> hiddenSize;
  std::optional<ArrayAttr> activations;
  std::optional<ArrayRef<float>> alpha, beta;
  std::optional<APFloat> clip;
  int64_t layout = 0;
  bool linearBeforeReset = false, inputForget = false;
};

Value orNull(Value value) { return isa<NoneType>(value.getType()) ? Value() : value; }

AffineMap makeMap(MLIRContext *ctx, unsigned dims, ArrayRef<AffineExpr> exprs) {
  return AffineMap::get(dims, 0, exprs, ctx);
}

/// Builds the lowering of one recurrent op; see the file comment.
class RecurrentBuilder {
public:
  RecurrentBuilder(ConversionPatternRewriter &b, Operation *op, Cell cell,
                   const RecurrentOperands &in, const RecurrentAttrs &attrs)
      : b(b), op(op), loc(op->getLoc()), ctx(op->getContext()), cell(cell), in(in),
        attrs(attrs) {}

  /// The op's results (Y, Y_h[, Y_c]) for the given result types; a null
  /// type marks an absent result.
  FailureOr<SmallVector<Value>> build(ArrayRef<RankedTensorType> resultTypes);

private:
  LogicalResult parse();
  Value slice(Value source, ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
              ArrayRef<int64_t> resultShape);
  /// A static size, or the batch size (static or a run-time value).
  OpFoldResult size(int64_t v) { return b.getIndexAttr(v); }
  Value biasBroadcast(RankedTensorType type, ValueRange sizes, int64_t dir, int64_t offset);
  /// Sizes of a [batch, n] tensor, as createEmpty takes them.
  SmallVector<Value> stateSizes() { return {batchSize, batchSize}; }
  Value contract(Value init, Value lhs, AffineMap lhsMap, Value rhs, AffineMap rhsMap);
  Value stateSlice(Value state, int64_t dir);
  Value insertState(Value state, Value dest, int64_t dir);
  Value clip(OpBuilder &nb, Location l, Value x) const;
  Value activate(OpBuilder &nb, Location l, int64_t dir, unsigned fn, Value x) const {
    return acts[dir][fn].apply(nb, l, clip(nb, l, x));
  }
  SmallVector<Value> buildDirection(int64_t dir, bool reverse, Value y);

  ConversionPatternRewriter &b;
  Operation *op;
  Location loc;
  MLIRContext *ctx;
  Cell cell;
  RecurrentOperands in;
  RecurrentAttrs attrs;

  Type elem;
  // seq and batch may be dynamic (ShapedType::kDynamic); seqSize and
  // batchSize hold their sizes as index values (constants where static).
  int64_t seq = 0, batch = 0, inputSize = 0, hidden = 0, numDir = 1, gates = 1;
  Value seqSize, batchSize;
  OpFoldResult batchFold, inputFold;
  unsigned numFns = 1;
  SmallVector<SmallVector<Activation, 3>, 2> acts;
  RankedTensorType stateType, yType;
};

LogicalResult RecurrentBuilder::parse() {
  auto xType = cast<RankedTensorType>(in.x.getType());
  auto wType = cast<RankedTensorType>(in.w.getType());
  auto rType = cast<RankedTensorType>(in.r.getType());
  if (xType.getRank() != 3 || wType.getRank() != 3 || rType.getRank() != 3)
    return op->emitError() << describeNode(op) << ": X, W and R must be 3-D tensors";
  auto compatible = [](ArrayRef<int64_t> shape, ArrayRef<int64_t> expected) {
    if (shape.size() != expected.size())
      return false;
    for (auto [a, e] : llvm::zip(shape, expected))
      if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(e) && a != e)
        return false;
    return true;
  };
  elem = xType.getElementType();
  if (attrs.layout != 0 && attrs.layout != 1)
    return op->emitError() << describeNode(op) << ": layout must be 0 or 1";
  seq = xType.getDimSize(attrs.layout == 0 ? 0 : 1);
  batch = xType.getDimSize(attrs.layout == 0 ? 1 : 0);
  seqSize = dimSize(b, loc, in.x, attrs.layout == 0 ? 0 : 1);
  batchSize = dimSize(b, loc, in.x, attrs.layout == 0 ? 1 : 0);
  batchFold = getAsOpFoldResult(batchSize);
  // The input size is static when X or W says so; else taken at run time.
  inputSize = xType.isDynamicDim(2) ? wType.getDimSize(2) : xType.getDimSize(2);
  inputFold = ShapedType::isDynamic(inputSize) ? OpFoldResult(dimSize(b, loc, in.x, 2))
                                               : OpFoldResult(b.getIndexAttr(inputSize));
  gates = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4;
  numFns = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 2 : 3;
  if (attrs.direction == "bidirectional")
    numDir = 2;
  else if (attrs.direction != "forward" && attrs.direction != "reverse")
    return op->emitError() << describeNode(op) << ": unknown direction '" << attrs.direction
                           << "'";
  // hidden_size must be known at compile time: from W, R or the attribute.
  if (!wType.isDynamicDim(1)) {
    if (wType.getDimSize(1) % gates != 0)
      return op->emitError() << describeNode(op) << ": W's second dim is not a multiple of "
                             << gates;
    hidden = wType.getDimSize(1) / gates;
  } else if (!rType.isDynamicDim(2)) {
    hidden = rType.getDimSize(2);
  } else if (attrs.hiddenSize) {
    hidden = *attrs.hiddenSize;
  } else {
    return op->emitError() << describeNode(op)
                           << ": hidden_size is needed when W and R have dynamic dims";
  }
  if (attrs.hiddenSize && *attrs.hiddenSize != hidden)
    return op->emitError() << describeNode(op) << ": hidden_size " << *attrs.hiddenSize
                           << " does not match W";
  if (!compatible(wType.getShape(), {numDir, gates * hidden, inputSize}) ||
      !compatible(rType.getShape(), {numDir, gates * hidden, hidden}))
    return op->emitError() << describeNode(op) << ": W or R does not match X and direction";
  if (in.b &&
      !compatible(cast<RankedTensorType>(in.b.getType()).getShape(), {numDir, 2 * gates * hidden}))
    return op->emitError() << describeNode(op) << ": B must be [num_directions, "
                           << 2 * gates << "*hidden_size]";
  if (in.p && !compatible(cast<RankedTensorType>(in.p.getType()).getShape(), {numDir, 3 * hidden}))
    return op->emitError() << describeNode(op) << ": P must be [num_directions, 3*hidden_size]";
  if (in.seqLens &&
      !compatible(cast<RankedTensorType>(in.seqLens.getType()).getShape(), {batch}))
    return op->emitError() << describeNode(op) << ": sequence_lens must be [batch_size]";
  SmallVector<int64_t> stateShape =
      attrs.layout == 0 ? SmallVector<int64_t>{numDir, batch, hidden}
                        : SmallVector<int64_t>{batch, numDir, hidden};
  for (Value state : {in.initH, in.initC})
    if (state && !compatible(cast<RankedTensorType>(state.getType()).getShape(), stateShape))
      return op->emitError() << describeNode(op) << ": initial states must be "
                             << (attrs.layout == 0 ? "[num_directions, batch_size, hidden_size]"
                                                   : "[batch_size, num_directions, hidden_size]");
  stateType = RankedTensorType::get({batch, hidden}, elem);

  // Activations: numFns per direction, defaults of the cell.
  SmallVector<StringRef> names;
  if (attrs.activations) {
    for (Attribute a : *attrs.activations)
      names.push_back(cast<StringAttr>(a).getValue());
  } else {
    static const char *const defaults[] = {"Sigmoid", "Tanh", "Tanh"};
    for (int64_t d = 0; d < numDir; ++d) {
      if (cell == Cell::RNN)
        names.push_back("Tanh");
      else
        for (unsigned i = 0; i < numFns; ++i)
          names.push_back(defaults[i]);
    }
  }
  // A single direction's list for bidirectional is taken for both.
  if (numDir == 2 && names.size() == numFns)
    names.append(SmallVector<StringRef>(names));
  if (static_cast<int64_t>(names.size()) != numFns * numDir)
    return op->emitError() << describeNode(op) << ": expected " << numFns * numDir
                           << " activations, got " << names.size();
  size_t alphaIndex = 0, betaIndex = 0;
  acts.resize(numDir);
  for (int64_t d = 0; d < numDir; ++d) {
    for (unsigned i = 0; i < numFns; ++i) {
      StringRef name = names[d * numFns + i];
      Activation act;
      act.kind = Activation::parse(name);
      if (act.kind == Activation::Unknown)
        return op->emitError() << describeNode(op) << ": unsupported activation '" << name
                               << "'";
      std::tie(act.alpha, act.beta) = Activation::defaults(act.kind);
      if (Activation::takesAlpha(act.kind) && attrs.alpha && alphaIndex < attrs.alpha->size())
        act.alpha = (*attrs.alpha)[alphaIndex++];
      if (Activation::takesBeta(act.kind) && attrs.beta && betaIndex < attrs.beta->size())
        act.beta = (*attrs.beta)[betaIndex++];
      acts[d].push_back(act);
    }
  }
  return success();
}

/// A unit-stride slice of `source`, rank-reduced to `resultShape`. linalg
/// infers loop bounds from operand shapes, so operands read in part (a gate,
/// a direction) are sliced to exactly what is read.
Value RecurrentBuilder::slice(Value source, ArrayRef<OpFoldResult> offsets,
                              ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> resultShape) {
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, RankedTensorType::get(resultShape, elem), source,
                                        offsets, sizes, strides);
}

/// A tensor of `type` whose last dim n holds B[dir, offset + n] (0 without B).
Value RecurrentBuilder::biasBroadcast(RankedTensorType type, ValueRange sizes, int64_t dir,
                                      int64_t offset) {
  if (!in.b)
    return createFilled(b, loc, type, sizes, scalarConstant(b, loc, elem, 0));
  unsigned rank = type.getRank();
  int64_t cols = type.getDimSize(rank - 1);
  Value bias = slice(in.b, {b.getIndexAttr(dir), b.getIndexAttr(offset)}, {size(1), size(cols)},
                     {cols});
  AffineMap biasMap = makeMap(ctx, rank, {getAffineDimExpr(rank - 1, ctx)});
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{bias}, ValueRange{createEmpty(b, loc, type, sizes)},
             ArrayRef<AffineMap>{biasMap, b.getMultiDimIdentityMap(rank)}, iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

/// init[..., n] + sum_k lhs * rhs over the trailing reduction loop k.
Value RecurrentBuilder::contract(Value init, Value lhs, AffineMap lhsMap, Value rhs,
                                 AffineMap rhsMap) {
  auto type = cast<RankedTensorType>(init.getType());
  unsigned loops = type.getRank() + 1;
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i + 1 < loops; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  SmallVector<utils::IteratorType> iterators(loops - 1, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init},
             ArrayRef<AffineMap>{lhsMap, rhsMap, makeMap(ctx, loops, outExprs)}, iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(nb, l, Value(arith::AddFOp::create(nb, l, args[2], product)));
             })
      .getResult(0);
}

/// The [batch, hidden] slice of direction `dir` of an initial state.
Value RecurrentBuilder::stateSlice(Value state, int64_t dir) {
  if (!state)
    return createFilled(b, loc, stateType, stateSizes(),
                        scalarConstant(b, loc, elem, 0));
  SmallVector<OpFoldResult> offsets = attrs.layout == 0
                                          ? SmallVector<OpFoldResult>{b.getIndexAttr(dir),
                                                                      b.getIndexAttr(0),
                                                                      b.getIndexAttr(0)}
                                          : SmallVector<OpFoldResult>{b.getIndexAttr(0),
                                                                      b.getIndexAttr(dir),
                                                                      b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes =
      attrs.layout == 0
          ? SmallVector<OpFoldResult>{b.getIndexAttr(1), batchFold, b.getIndexAttr(hidden)}
          : SmallVector<OpFoldResult>{batchFold, b.getIndexAttr(1), b.getIndexAttr(hidden)};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  Value slice = tensor::ExtractSliceOp::create(b, loc, stateType, state, offsets, sizes, strides);
  // The loop updates its states in place; a fresh buffer keeps that from
  // writing into the caller's initial_h/initial_c.
  return bufferization::AllocTensorOp::create(b, loc, stateType, ValueRange{}, slice);
}

/// Inserts a [batch, hidden] state of direction `dir` into a Y_h/Y_c tensor.
Value RecurrentBuilder::insertState(Value state, Value dest, int64_t dir) {
  SmallVector<OpFoldResult> offsets(3, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), batchFold, b.getIndexAttr(hidden)};
  if (attrs.layout == 0) {
    offsets[0] = b.getIndexAttr(dir);
  } else {
    offsets[1] = b.getIndexAttr(dir);
    std::swap(sizes[0], sizes[1]);
  }
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, state, dest, offsets, sizes, strides);
}

Value RecurrentBuilder::clip(OpBuilder &nb, Location l, Value x) const {
  if (!attrs.clip)
    return x;
  double bound = attrs.clip->convertToDouble();
  Value hi = scalarConstant(nb, l, elem, bound), lo = scalarConstant(nb, l, elem, -bound);
  return arith::MinimumFOp::create(nb, l, arith::MaximumFOp::create(nb, l, x, lo), hi);
}

/// Runs one direction; returns {Y accumulator (or null), final H[, final C]}.
SmallVector<Value> RecurrentBuilder::buildDirection(int64_t dir, bool reverse, Value y) {
  int64_t gh = gates * hidden;
  // Input projection of all steps: XW[t, b, n] = Wb[n] + sum_k X[t, b, k] W[dir, n, k].
  auto xwType = RankedTensorType::get({seq, batch, gh}, elem);
  AffineExpr t = getAffineDimExpr(0, ctx), bt = getAffineDimExpr(1, ctx),
             n = getAffineDimExpr(2, ctx), k = getAffineDimExpr(3, ctx);
  auto index = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  Value w = slice(in.w, {index(dir), index(0), index(0)}, {size(1), size(gh), inputFold},
                  {gh, inputSize});
  Value xw = contract(biasBroadcast(xwType, {seqSize, batchSize, seqSize}, dir, 0), in.x,
                      makeMap(ctx, 4, attrs.layout == 0 ? ArrayRef<AffineExpr>{t, bt, k}
                                                        : ArrayRef<AffineExpr>{bt, t, k}),
                      w, makeMap(ctx, 4, {n, k}));

  // Recurrent biases, loop-invariant inits of the step contractions. GRU
  // without linear_before_reset multiplies its h gate after the reset gate.
  bool splitGru = cell == Cell::GRU && !attrs.linearBeforeReset;
  int64_t hrCols = splitGru ? 2 * hidden : gh;
  Value hrInit =
      biasBroadcast(RankedTensorType::get({batch, hrCols}, elem), stateSizes(), dir, gh);
  Value hhInit =
      splitGru ? biasBroadcast(stateType, stateSizes(), dir, gh + 2 * hidden) : Value();
  Value rTop = slice(in.r, {index(dir), index(0), index(0)}, {size(1), size(hrCols), size(hidden)},
                     {hrCols, hidden});
  Value rH = splitGru ? slice(in.r, {index(dir), index(2 * hidden), index(0)},
                              {size(1), size(hidden), size(hidden)}, {hidden, hidden})
                      : Value();
  SmallVector<Value> peepholes;
  if (cell == Cell::LSTM && in.p)
    for (int64_t g = 0; g < 3; ++g)
      peepholes.push_back(
          slice(in.p, {index(dir), index(g * hidden)}, {size(1), size(hidden)}, {hidden}));

  SmallVector<Value> inits{stateSlice(in.initH, dir)};
  if (cell == Cell::LSTM)
    inits.push_back(stateSlice(in.initC, dir));
  if (y)
    inits.push_back(y);

  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = seqSize;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value last = reverse && ShapedType::isDynamic(seq)
                   ? Value(arith::SubIOp::create(b, loc, seqSize, one))
                   : Value();
  auto loop = scf::ForOp::create(b, loc, lb, ub, one, inits);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    Value time = step;
    if (reverse)
      time = arith::SubIOp::create(
          b, loc, last ? last : Value(arith::ConstantIndexOp::create(b, loc, seq - 1)), step);
    Value h = loop.getRegionIterArgs()[0];
    Value c = cell == Cell::LSTM ? loop.getRegionIterArgs()[1] : Value();
    Value yAcc = y ? loop.getRegionIterArgs().back() : Value();

    // The step's input projection, one [batch, hidden] slice per gate.
    SmallVector<Value> xwGates;
    for (int64_t g = 0; g < gates; ++g)
      xwGates.push_back(
          slice(xw, {time, index(0), index(g * hidden)}, {size(1), batchFold, size(hidden)},
                {batch, hidden}));

    // hr[b, n] = Rb[n] + sum_k H[b, k] R[dir, n, k] over the first hrCols rows.
    AffineExpr sb = getAffineDimExpr(0, ctx), sn = getAffineDimExpr(1, ctx),
               sk = getAffineDimExpr(2, ctx);
    Value hr = contract(hrInit, h, makeMap(ctx, 3, {sb, sk}), rTop, makeMap(ctx, 3, {sn, sk}));
    auto hrGate = [&](int64_t g) {
      return slice(hr, {index(0), index(g * hidden)}, {batchFold, size(hidden)}, {batch, hidden});
    };

    AffineExpr eb = getAffineDimExpr(0, ctx), ej = getAffineDimExpr(1, ctx);
    AffineMap stateMap = makeMap(ctx, 2, {eb, ej});
    SmallVector<utils::IteratorType> parallel(2, utils::IteratorType::parallel);

    Value hh;
    if (splitGru) {
      // (r ⊙ H) · Rh^T + Rbh, with r = f(xw_r + hr_r).
      Value rh = linalg::GenericOp::create(
                     b, loc, TypeRange{stateType}, ValueRange{xwGates[1], hrGate(1), h},
                     ValueRange{createEmpty(b, loc, stateType, stateSizes())},
                     ArrayRef<AffineMap>{stateMap, stateMap, stateMap, stateMap}, parallel,
                     [&](OpBuilder &nb, Location l, ValueRange args) {
                       Value pre = arith::AddFOp::create(nb, l, args[0], args[1]);
                       Value r = activate(nb, l, dir, 0, pre);
                       linalg::YieldOp::create(nb, l,
                                               Value(arith::MulFOp::create(nb, l, r, args[2])));
                     })
                     .getResult(0);
      hh = contract(hhInit, rh, makeMap(ctx, 3, {sb, sk}), rH, makeMap(ctx, 3, {sn, sk}));
    }

    // Operands of the gate generic, recorded by role.
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    auto addInput = [&](Value v, AffineMap m) {
      inputs.push_back(v);
      maps.push_back(m);
      return inputs.size() - 1;
    };
    SmallVector<size_t> xwIdx, hrIdx;
    for (int64_t g = 0; g < gates; ++g)
      xwIdx.push_back(addInput(xwGates[g], stateMap));
    for (int64_t g = 0; g < gates; ++g)
      hrIdx.push_back(addInput(splitGru && g == 2 ? hh : hrGate(g), stateMap));
    SmallVector<size_t> pIdx;
    for (Value peephole : peepholes)
      pIdx.push_back(addInput(peephole, makeMap(ctx, 2, {ej})));
    size_t lenIdx = in.seqLens ? addInput(in.seqLens, makeMap(ctx, 2, {eb})) : 0;
    Value time32 = in.seqLens ? Value(arith::IndexCastOp::create(b, loc, b.getI32Type(), time))
                              : Value();

    // The states are updated in place: their iter_args are the outs, so the
    // loop bufferizes without copies (yields equivalent to the iter_args).
    size_t hIdx = inputs.size(), cIdx = hIdx + 1;
    SmallVector<Value> outs{h};
    if (c)
      outs.push_back(c);
    bool maskedY = yAcc && in.seqLens;
    if (maskedY)
      outs.push_back(createEmpty(b, loc, stateType, stateSizes()));
    for (size_t i = 0; i < outs.size(); ++i)
      maps.push_back(stateMap);
    SmallVector<Type> outTypes(outs.size(), stateType);

    auto body = [&](OpBuilder &nb, Location l, ValueRange args) {
      auto add = [&](Value x, Value y) { return Value(arith::AddFOp::create(nb, l, x, y)); };
      auto mul = [&](Value x, Value y) { return Value(arith::MulFOp::create(nb, l, x, y)); };
      auto sub = [&](Value x, Value y) { return Value(arith::SubFOp::create(nb, l, x, y)); };
      auto pre = [&](int64_t g) { return add(args[xwIdx[g]], args[hrIdx[g]]); };
      Value hPrev = args[hIdx];
      Value oneF = scalarConstant(nb, l, elem, 1.0);
      Value hNew, cNew;
      switch (cell) {
      case Cell::RNN:
        hNew = activate(nb, l, dir, 0, pre(0));
        break;
      case Cell::GRU: {
        Value z = activate(nb, l, dir, 0, pre(0));
        Value candidate;
        if (splitGru) {
          candidate = pre(2);
        } else {
          Value r = activate(nb, l, dir, 0, pre(1));
          candidate = add(args[xwIdx[2]], mul(r, args[hrIdx[2]]));
        }
        Value hTilde = activate(nb, l, dir, 1, candidate);
        Value keep = mul(z, hPrev);
        Value update = mul(sub(oneF, z), hTilde);
        hNew = add(update, keep);
        break;
      }
      case Cell::LSTM: {
        // Gate order i, o, f, c; peepholes i, o, f.
        Value cPrev = args[cIdx];
        Value preI = pre(0), preO = pre(1), preF = pre(2);
        if (!pIdx.empty()) {
          preI = add(preI, mul(args[pIdx[0]], cPrev));
          preF = add(preF, mul(args[pIdx[2]], cPrev));
        }
        Value i = activate(nb, l, dir, 0, preI);
        Value f = attrs.inputForget ? sub(oneF, i) : activate(nb, l, dir, 0, preF);
        Value cTilde = activate(nb, l, dir, 1, pre(3));
        Value kept = mul(f, cPrev);
        Value written = mul(i, cTilde);
        cNew = add(kept, written);
        if (!pIdx.empty())
          preO = add(preO, mul(args[pIdx[1]], cNew));
        Value o = activate(nb, l, dir, 0, preO);
        hNew = mul(o, acts[dir][2].apply(nb, l, cNew));
        break;
      }
      }
      SmallVector<Value> results;
      if (in.seqLens) {
        Value valid =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, time32, args[lenIdx]);
        results.push_back(arith::SelectOp::create(nb, l, valid, hNew, hPrev));
        if (c)
          results.push_back(arith::SelectOp::create(nb, l, valid, cNew, args[cIdx]));
        if (maskedY)
          results.push_back(
              arith::SelectOp::create(nb, l, valid, hNew, scalarConstant(nb, l, elem, 0)));
      } else {
        results.push_back(hNew);
        if (c)
          results.push_back(cNew);
      }
      linalg::YieldOp::create(nb, l, results);
    };
    auto cellOp = linalg::GenericOp::create(b, loc, outTypes, inputs, outs, maps,
                                            SmallVector<utils::IteratorType>(parallel), body);

    // Cleanups may give a cell op that never reads a state a fresh init, so
    // pin each new state to its iter_arg's buffer explicitly.
    auto inPlace = [&](Value state, Value dest) {
      return bufferization::MaterializeInDestinationOp::create(b, loc, state, dest)->getResult(0);
    };
    SmallVector<Value> yields{inPlace(cellOp.getResult(0), h)};
    if (c)
      yields.push_back(inPlace(cellOp.getResult(1), c));
    if (yAcc) {
      // Read the pinned state, not the cell result: a read of that after the
      // write into the iter_arg's buffer would be a read-after-write conflict.
      Value yStep = maskedY ? cellOp.getResults().back() : yields[0];
      // Y is [seq, dirs, batch, hidden], or [batch, seq, dirs, hidden] for layout 1.
      SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)), sizes(4, b.getIndexAttr(1));
      if (attrs.layout == 0) {
        offsets[0] = time;
        offsets[1] = b.getIndexAttr(dir);
        sizes[2] = batchFold;
      } else {
        offsets[1] = time;
        offsets[2] = b.getIndexAttr(dir);
        sizes[0] = batchFold;
      }
      sizes[3] = b.getIndexAttr(hidden);
      yields.push_back(tensor::InsertSliceOp::create(b, loc, yStep, yAcc, offsets, sizes,
                                                     SmallVector<OpFoldResult>(4, b.getIndexAttr(1))));
    }
    scf::YieldOp::create(b, loc, yields);
  }

  SmallVector<Value> results{y ? loop.getResults().back() : Value(), loop.getResult(0)};
  if (cell == Cell::LSTM)
    results.push_back(loop.getResult(1));
  return results;
}

FailureOr<SmallVector<Value>> RecurrentBuilder::build(ArrayRef<RankedTensorType> resultTypes) {
  if (failed(parse()))
    return failure();
  auto yShape = attrs.layout == 0 ? SmallVector<int64_t>{seq, numDir, batch, hidden}
                                  : SmallVector<int64_t>{batch, seq, numDir, hidden};
  auto stateShape = attrs.layout == 0 ? SmallVector<int64_t>{numDir, batch, hidden}
                                      : SmallVector<int64_t>{batch, numDir, hidden};
  for (auto [i, type] : llvm::enumerate(resultTypes)) {
    ArrayRef<int64_t> expected = i == 0 ? ArrayRef(yShape) : ArrayRef(stateShape);
    if (type && (failed(verifyCompatibleShape(type.getShape(), expected)) ||
                 type.getElementType() != elem))
      return op->emitError() << describeNode(op) << ": result " << i << " has type " << type
                             << ", which does not match X, W and the layout";
  }
  Value dirs = indexConstant(b, loc, numDir), hiddenSize = indexConstant(b, loc, hidden);
  SmallVector<Value> ySizes = attrs.layout == 0
                                  ? SmallVector<Value>{seqSize, dirs, batchSize, hiddenSize}
                                  : SmallVector<Value>{batchSize, seqSize, dirs, hiddenSize};
  SmallVector<Value> stateSizes = attrs.layout == 0
                                      ? SmallVector<Value>{dirs, batchSize, hiddenSize}
                                      : SmallVector<Value>{batchSize, dirs, hiddenSize};
  Value y = resultTypes[0] ? createEmpty(b, loc, resultTypes[0], ySizes) : Value();
  SmallVector<Value> finals[2];
  for (int64_t d = 0; d < numDir; ++d) {
    bool reverse = attrs.direction == "reverse" || d == 1;
    SmallVector<Value> r = buildDirection(d, reverse, y);
    y = r[0];
    finals[d].assign(r.begin() + 1, r.end());
  }
  SmallVector<Value> results{y};
  for (size_t i = 1; i < resultTypes.size(); ++i) {
    if (!resultTypes[i]) {
      results.push_back(Value());
      continue;
    }
    Value state = createEmpty(b, loc, resultTypes[i], stateSizes);
    for (int64_t d = 0; d < numDir; ++d)
      state = insertState(finals[d][i - 1], state, d);
    results.push_back(state);
  }
  return results;
}

/// The op's results as ranked types, null for `none`; failure when a present
/// result is unranked.
FailureOr<SmallVector<RankedTensorType>> resultTypesOf(const TypeConverter &converter,
                                                       Operation *op) {
  SmallVector<RankedTensorType> types;
  for (Value result : op->getResults()) {
    if (isa<NoneType>(result.getType())) {
      types.push_back(nullptr);
      continue;
    }
    RankedTensorType type = getRankedType(converter, result);
    if (!type)
      return failure();
    types.push_back(type);
  }
  return types;
}

template <typename OpTy>
RecurrentAttrs commonAttrs(OpTy op) {
  RecurrentAttrs attrs;
  attrs.direction = op.getDirection();
  attrs.hiddenSize = op.getHiddenSize();
  attrs.activations = op.getActivations();
  attrs.alpha = op.getActivationAlpha();
  attrs.beta = op.getActivationBeta();
  attrs.clip = op.getClip();
  attrs.layout = op.getLayout();
  return attrs;
}

LogicalResult replaceRecurrent(ConversionPatternRewriter &rewriter, const TypeConverter &converter,
                               Operation *op, Cell cell, const RecurrentOperands &operands,
                               const RecurrentAttrs &attrs) {
  FailureOr<SmallVector<RankedTensorType>> types = resultTypesOf(converter, op);
  if (failed(types))
    return rewriter.notifyMatchFailure(op, "needs ranked result types");
  RecurrentBuilder builder(rewriter, op, cell, operands, attrs);
  FailureOr<SmallVector<Value>> results = builder.build(*types);
  if (failed(results))
    return failure();
  for (Value &result : *results)
    if (!result)
      result = onnx::NoValueOp::create(rewriter, op->getLoc());
  rewriter.replaceOp(op, *results);
  return success();
}

struct RNNPattern : DynamicShapePattern<onnx::RNNOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::RNNOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RecurrentOperands operands{adaptor.getX(), adaptor.getW(), adaptor.getR(),
                               orNull(adaptor.getB()), orNull(adaptor.getSequenceLens()),
                               orNull(adaptor.getInitialH()), Value(), Value()};
    return replaceRecurrent(rewriter, *getTypeConverter(), op, Cell::RNN, operands,
                            commonAttrs(op));
  }
};

struct GRUPattern : DynamicShapePattern<onnx::GRUOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::GRUOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RecurrentOperands operands{adaptor.getX(), adaptor.getW(), adaptor.getR(),
                               orNull(adaptor.getB()), orNull(adaptor.getSequenceLens()),
                               orNull(adaptor.getInitialH()), Value(), Value()};
    RecurrentAttrs attrs = commonAttrs(op);
    attrs.linearBeforeReset = op.getLinearBeforeReset() != 0;
    return replaceRecurrent(rewriter, *getTypeConverter(), op, Cell::GRU, operands, attrs);
  }
};

struct LSTMPattern : DynamicShapePattern<onnx::LSTMOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::LSTMOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    RecurrentOperands operands{adaptor.getX(), adaptor.getW(), adaptor.getR(),
                               orNull(adaptor.getB()), orNull(adaptor.getSequenceLens()),
                               orNull(adaptor.getInitialH()), orNull(adaptor.getInitialC()),
                               orNull(adaptor.getP())};
    RecurrentAttrs attrs = commonAttrs(op);
    attrs.inputForget = op.getInputForget() != 0;
    return replaceRecurrent(rewriter, *getTypeConverter(), op, Cell::LSTM, operands, attrs);
  }
};

} // namespace

void populateRecurrentPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<RNNPattern, GRUPattern, LSTMPattern>(converter, patterns.getContext());
}

} // namespace smelt
