//===- OnnxFoldConstants.cpp - the onnx-fold-constants pass ---------------===//
//
// Evaluates the small integer and float computations exporters put around
// shapes (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Range, Cast,
// Ceil, the reductions, Transpose...)
// when all their inputs are constants, replacing each by one onnx.Constant.
// Shape and Size of statically shaped tensors fold without constant inputs.
// Results are computed in int64 or double and stored in the result's element
// type; anything larger than max-elements is left to code generation.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <numeric>

namespace smelt {
#define GEN_PASS_DEF_ONNXFOLDCONSTANTS
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// A small constant tensor, its elements widened to double (exact for the
/// integer ranges shape arithmetic uses, and for every f32/f16 value).
struct HostValue {
  SmallVector<int64_t> shape;
  std::vector<double> data;
  int64_t size() const { return static_cast<int64_t>(data.size()); }
};

std::optional<HostValue> readConstant(Value value) {
  auto constant = value.getDefiningOp<onnx::ConstantOp>();
  if (!constant || !constant.getValueAttr())
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(*constant.getValue());
  if (!dense)
    return std::nullopt;
  HostValue v;
  v.shape.assign(dense.getType().getShape().begin(), dense.getType().getShape().end());
  Type elem = dense.getElementType();
  if (isa<FloatType>(elem)) {
    for (const APFloat &f : dense.getValues<APFloat>())
      v.data.push_back(f.convertToDouble());
  } else if (auto intType = dyn_cast<IntegerType>(elem)) {
    for (const APInt &i : dense.getValues<APInt>())
      v.data.push_back(intType.isUnsigned() || intType.getWidth() == 1
                           ? static_cast<double>(i.getZExtValue())
                           : static_cast<double>(i.getSExtValue()));
  } else {
    return std::nullopt;
  }
  return v;
}

/// Stores values in `type`, with ONNX Cast semantics for the conversion.
DenseElementsAttr toAttribute(RankedTensorType type, ArrayRef<double> data) {
  Type elem = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(elem)) {
    SmallVector<APFloat> values;
    for (double d : data) {
      APFloat f(d);
      bool lost;
      f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    return DenseElementsAttr::get(type, values);
  }
  auto intType = cast<IntegerType>(elem);
  if (intType.getWidth() == 1) {
    SmallVector<bool> values;
    for (double d : data)
      values.push_back(d != 0);
    return DenseElementsAttr::get(type, values);
  }
  SmallVector<APInt> values;
  for (double d : data)
    values.push_back(APInt(intType.getWidth(), static_cast<uint64_t>(static_cast<int64_t>(std::trunc(d))),
                           /*isSigned=*/!intType.isUnsigned(), /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, values);
}

SmallVector<int64_t> strides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/// Index into `v` of the element broadcast to result coordinates `coord`.
int64_t broadcastIndex(const HostValue &v, ArrayRef<int64_t> coord) {
  SmallVector<int64_t> st = strides(v.shape);
  int64_t offset = coord.size() - v.shape.size(), index = 0;
  for (size_t i = 0; i < v.shape.size(); ++i)
    index += (v.shape[i] == 1 ? 0 : coord[offset + i]) * st[i];
  return index;
}

/// Calls body(coord) for every coordinate of `shape` in row-major order.
template <typename Fn>
void forEachIndex(ArrayRef<int64_t> shape, Fn body) {
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  SmallVector<int64_t> coord(shape.size(), 0);
  for (int64_t n = 0; n < total; ++n) {
    body(ArrayRef<int64_t>(coord));
    for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
      if (++coord[i] < shape[i])
        break;
      coord[i] = 0;
    }
  }
}

std::optional<std::vector<double>> elementwise(ArrayRef<HostValue> in, ArrayRef<int64_t> shape,
                                               function_ref<double(ArrayRef<double>)> fn) {
  std::vector<double> out;
  SmallVector<double> args(in.size());
  forEachIndex(shape, [&](ArrayRef<int64_t> coord) {
    for (size_t k = 0; k < in.size(); ++k)
      args[k] = in[k].data[broadcastIndex(in[k], coord)];
    out.push_back(fn(args));
  });
  return out;
}

int64_t normalize(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

/// The reduced axes of a Reduce op over a rank-`rank` input (sorted, no
/// repeats), or nothing when they are not known at compile time or out of
/// range. No axes means all, unless noop_with_empty_axes says none.
std::optional<SmallVector<int64_t>> reducedAxes(Operation *op, ArrayRef<std::optional<HostValue>> in,
                                                int64_t rank) {
  SmallVector<int64_t> axes;
  bool noopWhenEmpty = false;
  if (auto sum = dyn_cast<onnx::ReduceSumOp>(op)) {
    noopWhenEmpty = sum.getNoopWithEmptyAxes() != 0;
    if (!isa<NoneType>(sum.getAxes().getType())) {
      if (in.size() < 2 || !in[1])
        return std::nullopt;
      for (double a : in[1]->data)
        axes.push_back(static_cast<int64_t>(a));
    }
  } else {
    std::optional<ArrayRef<int64_t>> attr =
        TypeSwitch<Operation *, std::optional<ArrayRef<int64_t>>>(op)
            .Case<onnx::ReduceMaxOp, onnx::ReduceMinOp, onnx::ReduceProdOp>(
                [](auto reduce) { return reduce.getAxes(); })
            .Default([](Operation *) { return std::nullopt; });
    if (attr)
      axes.assign(attr->begin(), attr->end());
  }
  if (axes.empty() && !noopWhenEmpty)
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  for (int64_t &a : axes) {
    a = normalize(a, rank);
    if (a < 0 || a >= rank)
      return std::nullopt;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

/// ReduceMax, ReduceMin, ReduceSum and ReduceProd of a constant: each input
/// element is combined into the output element at its coordinates with the
/// reduced axes at 0 (keepdims or not, the row-major order is the same).
std::optional<std::vector<double>> evaluateReduction(Operation *op,
                                                     ArrayRef<std::optional<HostValue>> in,
                                                     RankedTensorType resultType) {
  if (!isa<onnx::ReduceMaxOp, onnx::ReduceMinOp, onnx::ReduceSumOp, onnx::ReduceProdOp>(op) ||
      in.empty() || !in[0])
    return std::nullopt;
  const HostValue &data = *in[0];
  int64_t rank = data.shape.size();
  std::optional<SmallVector<int64_t>> axes = reducedAxes(op, in, rank);
  if (!axes || data.size() == 0)
    return std::nullopt; // An empty reduction's identity is left to code generation.
  SmallVector<int64_t> kept(data.shape);
  for (int64_t a : *axes)
    kept[a] = 1;
  SmallVector<int64_t> keptStrides = strides(kept);
  int64_t outSize = std::accumulate(kept.begin(), kept.end(), int64_t(1), std::multiplies<>());
  if (outSize != resultType.getNumElements())
    return std::nullopt;
  std::vector<double> out(outSize);
  std::vector<bool> seen(outSize, false);
  int64_t src = 0;
  forEachIndex(data.shape, [&](ArrayRef<int64_t> coord) {
    int64_t dst = 0;
    for (int64_t i = 0; i < rank; ++i)
      dst += (kept[i] == 1 ? 0 : coord[i]) * keptStrides[i];
    double v = data.data[src++];
    double &acc = out[dst];
    if (!seen[dst]) {
      acc = v;
      seen[dst] = true;
    } else if (isa<onnx::ReduceMaxOp>(op)) {
      acc = std::max(acc, v);
    } else if (isa<onnx::ReduceMinOp>(op)) {
      acc = std::min(acc, v);
    } else if (isa<onnx::ReduceSumOp>(op)) {
      acc += v;
    } else {
      acc *= v;
    }
  });
  return out;
}

/// Transpose of a constant by its perm (reversed dims without one).
std::optional<std::vector<double>> evaluateTranspose(onnx::TransposeOp op, const HostValue &data) {
  int64_t rank = data.shape.size();
  SmallVector<int64_t> perm;
  if (std::optional<ArrayRef<int64_t>> attr = op.getPerm())
    perm.assign(attr->begin(), attr->end());
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  if (static_cast<int64_t>(perm.size()) != rank)
    return std::nullopt;
  SmallVector<int64_t> outShape, dataStrides = strides(data.shape);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank)
      return std::nullopt;
    outShape.push_back(data.shape[p]);
  }
  std::vector<double> out;
  forEachIndex(outShape, [&](ArrayRef<int64_t> coord) {
    int64_t src = 0;
    for (int64_t i = 0; i < rank; ++i)
      src += coord[i] * dataStrides[perm[i]];
    out.push_back(data.data[src]);
  });
  return out;
}

/// Evaluates `op`, whose operands are `in` (nullopt for non-constants and
/// absent inputs), into the elements of its static result type.
std::optional<std::vector<double>> evaluate(Operation *op, ArrayRef<std::optional<HostValue>> in,
                                            RankedTensorType resultType) {
  bool isFloat = isa<FloatType>(resultType.getElementType());
  bool isUnsigned = resultType.getElementType().isUnsignedInteger();
  ArrayRef<int64_t> shape = resultType.getShape();
  auto all = [&](size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (i >= in.size() || !in[i])
        return false;
    return true;
  };
  SmallVector<HostValue> args;
  for (const auto &v : in)
    if (v)
      args.push_back(*v);

  // Ops that only re-type their data: same elements, row-major.
  if (isa<onnx::IdentityOp, onnx::ReshapeOp, onnx::FlattenOp, onnx::SqueezeOp, onnx::UnsqueezeOp>(op)) {
    if (!all(1))
      return std::nullopt;
    return in[0]->data;
  }
  if (isa<onnx::CastOp>(op)) {
    if (!all(1))
      return std::nullopt;
    std::vector<double> out = in[0]->data;
    if (!isFloat)
      for (double &d : out)
        d = std::trunc(d);
    return out;
  }
  if (auto fill = dyn_cast<onnx::ConstantOfShapeOp>(op)) {
    double value = 0;
    if (auto attr = fill.getValueAttr()) {
      auto dense = dyn_cast<DenseElementsAttr>(attr);
      if (!dense || dense.getNumElements() != 1)
        return std::nullopt;
      if (isa<FloatType>(dense.getElementType()))
        value = (*dense.getValues<APFloat>().begin()).convertToDouble();
      else
        value = static_cast<double>((*dense.getValues<APInt>().begin()).getSExtValue());
    }
    return std::vector<double>(resultType.getNumElements(), value);
  }
  if (isa<onnx::AddOp, onnx::SubOp, onnx::MulOp, onnx::DivOp, onnx::MaxOp, onnx::MinOp,
          onnx::EqualOp, onnx::LessOp, onnx::GreaterOp, onnx::ModOp, onnx::WhereOp, onnx::NotOp,
          onnx::NegOp, onnx::AbsOp, onnx::CeilOp, onnx::FloorOp>(op)) {
    if (!all(op->getNumOperands()))
      return std::nullopt;
    auto binary = [&](auto fn) {
      return elementwise(args, shape, [&](ArrayRef<double> a) { return fn(a); });
    };
    if (isa<onnx::AddOp>(op)) return binary([](ArrayRef<double> a) { return a[0] + a[1]; });
    if (isa<onnx::SubOp>(op)) return binary([](ArrayRef<double> a) { return a[0] - a[1]; });
    if (isa<onnx::MulOp>(op)) return binary([](ArrayRef<double> a) { return a[0] * a[1]; });
    if (isa<onnx::DivOp>(op)) {
      if (!isFloat)
        for (double d : args[1].data)
          if (d == 0)
            return std::nullopt; // Integer division by zero: leave it to run time.
      return binary([&](ArrayRef<double> a) { return isFloat ? a[0] / a[1] : std::trunc(a[0] / a[1]); });
    }
    if (isa<onnx::MaxOp>(op))
      return binary([](ArrayRef<double> a) { return *std::max_element(a.begin(), a.end()); });
    if (isa<onnx::MinOp>(op))
      return binary([](ArrayRef<double> a) { return *std::min_element(a.begin(), a.end()); });
    if (isa<onnx::EqualOp>(op)) return binary([](ArrayRef<double> a) { return double(a[0] == a[1]); });
    if (isa<onnx::LessOp>(op)) return binary([](ArrayRef<double> a) { return double(a[0] < a[1]); });
    if (isa<onnx::GreaterOp>(op)) return binary([](ArrayRef<double> a) { return double(a[0] > a[1]); });
    if (isa<onnx::WhereOp>(op)) return binary([](ArrayRef<double> a) { return a[0] != 0 ? a[1] : a[2]; });
    if (isa<onnx::NotOp>(op)) return binary([](ArrayRef<double> a) { return double(a[0] == 0); });
    if (isa<onnx::NegOp>(op)) return binary([](ArrayRef<double> a) { return -a[0]; });
    if (isa<onnx::AbsOp>(op)) return binary([](ArrayRef<double> a) { return std::fabs(a[0]); });
    if (isa<onnx::CeilOp>(op)) return binary([](ArrayRef<double> a) { return std::ceil(a[0]); });
    if (isa<onnx::FloorOp>(op)) return binary([](ArrayRef<double> a) { return std::floor(a[0]); });
    if (auto mod = dyn_cast<onnx::ModOp>(op)) {
      for (double d : args[1].data)
        if (d == 0)
          return std::nullopt;
      bool fmod = mod.getFmod() != 0;
      return binary([&](ArrayRef<double> a) {
        double r = std::fmod(a[0], a[1]);
        if (!fmod && !isFloat && r != 0 && ((r < 0) != (a[1] < 0)))
          r += a[1]; // Integer Mod takes the divisor's sign.
        return r;
      });
    }
  }
  if (auto concat = dyn_cast<onnx::ConcatOp>(op)) {
    if (!all(op->getNumOperands()))
      return std::nullopt;
    int64_t axis = normalize(concat.getAxis(), resultType.getRank());
    std::vector<double> out(resultType.getNumElements());
    SmallVector<int64_t> outStrides = strides(shape);
    int64_t offset = 0;
    for (const HostValue &v : args) {
      forEachIndex(v.shape, [&](ArrayRef<int64_t> coord) {
        int64_t dst = 0;
        for (size_t i = 0; i < coord.size(); ++i)
          dst += (coord[i] + (static_cast<int64_t>(i) == axis ? offset : 0)) * outStrides[i];
        out[dst] = v.data[std::inner_product(coord.begin(), coord.end(), strides(v.shape).begin(), int64_t(0))];
      });
      offset += v.shape[axis];
    }
    return out;
  }
  if (auto transpose = dyn_cast<onnx::TransposeOp>(op)) {
    if (!all(1))
      return std::nullopt;
    return evaluateTranspose(transpose, *in[0]);
  }
  if (std::optional<std::vector<double>> reduced = evaluateReduction(op, in, resultType))
    return reduced;
  if (auto gather = dyn_cast<onnx::GatherOp>(op)) {
    if (!all(2))
      return std::nullopt;
    const HostValue &data = *in[0], &indices = *in[1];
    int64_t axis = normalize(gather.getAxis(), data.shape.size());
    SmallVector<int64_t> dataStrides = strides(data.shape);
    std::vector<double> out;
    int64_t q = indices.shape.size();
    forEachIndex(shape, [&](ArrayRef<int64_t> coord) {
      int64_t idxPos = 0;
      SmallVector<int64_t> idxStrides = strides(indices.shape);
      for (int64_t i = 0; i < q; ++i)
        idxPos += coord[axis + i] * idxStrides[i];
      int64_t index = static_cast<int64_t>(indices.data[idxPos]);
      if (index < 0)
        index += data.shape[axis];
      int64_t src = 0;
      for (int64_t i = 0; i < static_cast<int64_t>(data.shape.size()); ++i) {
        int64_t c = i < axis ? coord[i] : i == axis ? index : coord[i + q - 1];
        src += c * dataStrides[i];
      }
      out.push_back(index >= 0 && index < data.shape[axis] ? data.data[src] : NAN);
    });
    for (double d : out)
      if (std::isnan(d))
        return std::nullopt; // Out-of-range index: not ours to decide.
    return out;
  }
  if (isa<onnx::RangeOp>(op)) {
    if (!all(3))
      return std::nullopt;
    double start = in[0]->data[0], delta = in[2]->data[0];
    std::vector<double> out;
    for (int64_t i = 0; i < resultType.getNumElements(); ++i)
      out.push_back(start + i * delta);
    return out;
  }
  if (isa<onnx::SliceOp>(op)) {
    if (!in[0] || !in[1] || !in[2])
      return std::nullopt;
    const HostValue &data = *in[0];
    int64_t rank = data.shape.size();
    bool hasAxes = !isa<NoneType>(op->getOperand(3).getType());
    bool hasSteps = !isa<NoneType>(op->getOperand(4).getType());
    if ((hasAxes && !in[3]) || (hasSteps && !in[4]))
      return std::nullopt;
    // Ends are implied by the static result shape; starts and steps place it.
    SmallVector<int64_t> start(rank, 0), step(rank, 1);
    for (size_t k = 0; k < in[1]->data.size(); ++k) {
      int64_t axis = hasAxes ? normalize(static_cast<int64_t>(in[3]->data[k]), rank)
                             : static_cast<int64_t>(k);
      if (axis < 0 || axis >= rank)
        return std::nullopt;
      int64_t st = hasSteps ? static_cast<int64_t>(in[4]->data[k]) : 1;
      int64_t dim = data.shape[axis];
      double s = in[1]->data[k];
      int64_t first = s < 0 ? static_cast<int64_t>(std::max(s + dim, 0.0))
                            : static_cast<int64_t>(std::min(s, static_cast<double>(dim)));
      if (st < 0)
        first = std::min(first, dim - 1);
      start[axis] = first;
      step[axis] = st;
    }
    SmallVector<int64_t> dataStrides = strides(data.shape);
    std::vector<double> out;
    forEachIndex(shape, [&](ArrayRef<int64_t> coord) {
      int64_t src = 0;
      for (int64_t i = 0; i < rank; ++i)
        src += (start[i] + coord[i] * step[i]) * dataStrides[i];
      out.push_back(data.data[src]);
    });
    return out;
  }
  (void)isUnsigned;
  return std::nullopt;
}

class OnnxFoldConstantsPass : public impl::OnnxFoldConstantsBase<OnnxFoldConstantsPass> {
public:
  using OnnxFoldConstantsBase::OnnxFoldConstantsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    // Folding, inlining constant Ifs and refining types feed each other
    // (a folded Shape decides an If, whose branch gives new static types...):
    // repeat until nothing changes.
    for (int round = 0; round < kMaxRounds; ++round) {
      bool changed = inlineConstantIfs(rewriter);
      changed |= foldOps(rewriter);
      FailureOr<bool> refined = refineOnnxShapes(getOperation());
      if (failed(refined))
        return signalPassFailure();
      if (!changed && !*refined)
        break;
    }
  }

private:
  /// Bounds the rounds for pathological graphs; real models need a handful.
  static constexpr int kMaxRounds = 32;

  /// Replaces every foldable op by a constant; returns whether any was.
  bool foldOps(IRRewriter &rewriter) {
    bool changed = false;
    getOperation().walk([&](Operation *op) {
      if (!isa<onnx::OnnxDialect>(op->getDialect()) || isa<onnx::ConstantOp, onnx::NoValueOp>(op) ||
          op->getNumResults() != 1 || op->getNumRegions() != 0)
        return;
      auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (!resultType || !resultType.hasStaticShape() ||
          resultType.getNumElements() > maxElements ||
          !resultType.getElementType().isIntOrFloat())
        return;
      std::optional<std::vector<double>> values = foldShapeQuery(op, resultType);
      if (!values) {
        SmallVector<std::optional<HostValue>> inputs;
        for (Value operand : op->getOperands())
          inputs.push_back(isa<NoneType>(operand.getType()) ? std::nullopt : readConstant(operand));
        values = evaluate(op, inputs, resultType);
      }
      if (!values || static_cast<int64_t>(values->size()) != resultType.getNumElements())
        return;
      rewriter.setInsertionPoint(op);
      auto constant = onnx::ConstantOp::create(
          rewriter, op->getLoc(), TypeRange{resultType}, ValueRange{},
          {rewriter.getNamedAttr("value", toAttribute(resultType, *values))});
      rewriter.replaceOp(op, constant.getResult());
      changed = true;
    });
    return changed;
  }

  /// An If whose condition is a constant is replaced by the branch it takes
  /// (exporters leave such Ifs around shape code; the branch not taken may
  /// not even type-check against the other).
  /// Returns whether any If was replaced.
  bool inlineConstantIfs(IRRewriter &rewriter) {
    bool changed = false;
    SmallVector<onnx::IfOp> ifs;
    getOperation().walk([&](onnx::IfOp op) { ifs.push_back(op); });
    for (onnx::IfOp op : ifs) {
      std::optional<HostValue> cond = readConstant(op.getCond());
      if (!cond || cond->size() != 1)
        continue;
      Region &taken = cond->data[0] != 0 ? op.getThenBranch() : op.getElseBranch();
      if (!taken.hasOneBlock() || taken.front().getNumArguments() != 0)
        continue;
      Block &block = taken.front();
      auto yield = cast<onnx::YieldOp>(block.getTerminator());
      SmallVector<Value> results(yield.getValues());
      rewriter.inlineBlockBefore(&block, op);
      rewriter.eraseOp(yield);
      // Uses keep working when the branch's types are more precise than the
      // If's; anything else goes through the function's return.
      for (auto [result, value] : llvm::zip(op.getResults(), results))
        result.replaceAllUsesWith(value);
      rewriter.eraseOp(op);
      changed = true;
    }
    return changed;
  }

  /// The dims [start, end) of a rank-`rank` input that a Shape op returns.
  static std::pair<int64_t, int64_t> shapeRange(onnx::ShapeOp op, int64_t rank) {
    auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t(0), rank); };
    return {clamp(op.getStart()), op.getEnd() ? clamp(*op.getEnd()) : rank};
  }

  /// Shape and Size only need the operand's static type; a Gather of
  /// constant indices from a Shape only needs the dims it picks to be static.
  static std::optional<std::vector<double>> foldShapeQuery(Operation *op, RankedTensorType) {
    if (auto gather = dyn_cast<onnx::GatherOp>(op))
      return foldStaticDimsOfShape(gather);
    auto inputType = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    if (!inputType || !inputType.hasStaticShape())
      return std::nullopt;
    if (isa<onnx::SizeOp>(op))
      return std::vector<double>{static_cast<double>(inputType.getNumElements())};
    auto shapeOp = dyn_cast<onnx::ShapeOp>(op);
    if (!shapeOp)
      return std::nullopt;
    auto [start, end] = shapeRange(shapeOp, inputType.getRank());
    std::vector<double> dims;
    for (int64_t i = start; i < end; ++i)
      dims.push_back(static_cast<double>(inputType.getDimSize(i)));
    return dims;
  }

  /// Gather(Shape(x), indices) whose indices are constants naming static dims
  /// of x (exporters test such dims, e.g. "is dim 1 equal to 1", in Ifs).
  static std::optional<std::vector<double>> foldStaticDimsOfShape(onnx::GatherOp gather) {
    auto shapeOp = gather.getData().getDefiningOp<onnx::ShapeOp>();
    std::optional<HostValue> indices = readConstant(gather.getIndices());
    if (!shapeOp || !indices || gather.getAxis() != 0)
      return std::nullopt;
    auto inputType = dyn_cast<RankedTensorType>(shapeOp.getData().getType());
    if (!inputType)
      return std::nullopt;
    auto [start, end] = shapeRange(shapeOp, inputType.getRank());
    std::vector<double> dims;
    for (double index : indices->data) {
      int64_t i = static_cast<int64_t>(index);
      if (i < 0)
        i += end - start;
      if (i < 0 || i >= end - start || inputType.isDynamicDim(start + i))
        return std::nullopt;
      dims.push_back(static_cast<double>(inputType.getDimSize(start + i)));
    }
    return dims;
  }
};

} // namespace
} // namespace smelt
