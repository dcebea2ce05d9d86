//===- OnnxFoldConstants.cpp - the onnx-fold-constants pass ---------------===//
//
// Evaluates the small integer and float computations exporters put around
// shapes (Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Range, Cast,
// Ceil, the reductions, Transpose...)
// when all their inputs are constants, replacing each by one onnx.Constant.
// Shape and Size of statically shaped tensors fold without constant inputs.
// Integers are computed exactly in int64 (wrapping like the fixed-width
// types), floats in double, and stored in the result's element type;
// anything larger than max-elements is left to code generation.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>
#include <numeric>

namespace smelt {
#define GEN_PASS_DEF_ONNXFOLDCONSTANTS
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// One element of a folded tensor: an integer exactly (any integer type up
/// to 64 bits, as int64), or a float as double (exact for every f16, f32
/// and f64 value). Integer arithmetic wraps like the fixed-width types, and
/// never goes through double: INT64_MAX as a Slice's "to the end" and
/// 2^60 + 1 stay what they are.
struct Element {
  bool isInt = false;
  int64_t i = 0;
  double f = 0;
  static Element ofInt(int64_t v) { return {true, v, 0}; }
  static Element ofFloat(double v) { return {false, 0, v}; }
  static Element ofBool(bool v) { return ofInt(v ? 1 : 0); }
  double toDouble() const { return isInt ? static_cast<double>(i) : f; }
  /// The integer value; a float truncated toward zero and saturated (no
  /// undefined conversion for NaN or out-of-range values).
  int64_t toInt() const {
    if (isInt)
      return i;
    if (std::isnan(f))
      return 0;
    if (f >= 0x1p63)
      return std::numeric_limits<int64_t>::max();
    if (f < -0x1p63)
      return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(std::trunc(f));
  }
  bool isNonZero() const { return isInt ? i != 0 : f != 0; }
};
using Elements = std::vector<Element>;

/// Two's-complement wrapping arithmetic on int64 (no signed overflow).
int64_t wrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrapMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

/// A small constant tensor.
struct HostValue {
  SmallVector<int64_t> shape;
  Elements data;
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
      v.data.push_back(Element::ofFloat(f.convertToDouble()));
  } else if (auto intType = dyn_cast<IntegerType>(elem)) {
    if (intType.getWidth() > 64)
      return std::nullopt;
    for (const APInt &i : dense.getValues<APInt>())
      v.data.push_back(Element::ofInt(intType.isUnsigned() || intType.getWidth() == 1
                                          ? static_cast<int64_t>(i.getZExtValue())
                                          : i.getSExtValue()));
  } else {
    return std::nullopt;
  }
  return v;
}

/// Stores elements in `type`, with ONNX Cast semantics for the conversion:
/// floats round to nearest even, integers keep their low bits.
DenseElementsAttr toAttribute(RankedTensorType type, const Elements &data) {
  Type elem = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(elem)) {
    SmallVector<APFloat> values;
    for (const Element &e : data) {
      APFloat f(floatType.getFloatSemantics());
      if (e.isInt) {
        f.convertFromAPInt(APInt(64, static_cast<uint64_t>(e.i), /*isSigned=*/true),
                           /*IsSigned=*/true, APFloat::rmNearestTiesToEven);
      } else {
        f = APFloat(e.f);
        bool lost;
        f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      }
      values.push_back(f);
    }
    return DenseElementsAttr::get(type, values);
  }
  auto intType = cast<IntegerType>(elem);
  if (intType.getWidth() == 1) {
    SmallVector<bool> values;
    for (const Element &e : data)
      values.push_back(e.isNonZero());
    return DenseElementsAttr::get(type, values);
  }
  SmallVector<APInt> values;
  for (const Element &e : data)
    values.push_back(APInt(intType.getWidth(), static_cast<uint64_t>(e.toInt()),
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

/// `fn` over the broadcast elements of `in`; nothing if `fn` gives up on
/// one (an integer division by zero).
std::optional<Elements> elementwise(ArrayRef<HostValue> in, ArrayRef<int64_t> shape,
                                    function_ref<std::optional<Element>(ArrayRef<Element>)> fn) {
  Elements out;
  SmallVector<Element> args(in.size());
  bool failed = false;
  forEachIndex(shape, [&](ArrayRef<int64_t> coord) {
    if (failed)
      return;
    for (size_t k = 0; k < in.size(); ++k)
      args[k] = in[k].data[broadcastIndex(in[k], coord)];
    std::optional<Element> e = fn(args);
    if (!e)
      failed = true;
    else
      out.push_back(*e);
  });
  if (failed)
    return std::nullopt;
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
      for (const Element &a : in[1]->data)
        axes.push_back(a.toInt());
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

/// max/min/sum/product of two elements of one kind (integers wrap).
Element combine(Operation *op, const Element &acc, const Element &v) {
  if (acc.isInt && v.isInt) {
    if (isa<onnx::ReduceMaxOp>(op))
      return Element::ofInt(std::max(acc.i, v.i));
    if (isa<onnx::ReduceMinOp>(op))
      return Element::ofInt(std::min(acc.i, v.i));
    if (isa<onnx::ReduceSumOp>(op))
      return Element::ofInt(wrapAdd(acc.i, v.i));
    return Element::ofInt(wrapMul(acc.i, v.i));
  }
  double a = acc.toDouble(), b = v.toDouble();
  if (isa<onnx::ReduceMaxOp>(op))
    return Element::ofFloat(std::max(a, b));
  if (isa<onnx::ReduceMinOp>(op))
    return Element::ofFloat(std::min(a, b));
  if (isa<onnx::ReduceSumOp>(op))
    return Element::ofFloat(a + b);
  return Element::ofFloat(a * b);
}

/// ReduceMax, ReduceMin, ReduceSum and ReduceProd of a constant: each input
/// element is combined into the output element at its coordinates with the
/// reduced axes at 0 (keepdims or not, the row-major order is the same).
std::optional<Elements> evaluateReduction(Operation *op, ArrayRef<std::optional<HostValue>> in,
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
  Elements out(outSize);
  std::vector<bool> seen(outSize, false);
  int64_t src = 0;
  forEachIndex(data.shape, [&](ArrayRef<int64_t> coord) {
    int64_t dst = 0;
    for (int64_t i = 0; i < rank; ++i)
      dst += (kept[i] == 1 ? 0 : coord[i]) * keptStrides[i];
    const Element &v = data.data[src++];
    out[dst] = seen[dst] ? combine(op, out[dst], v) : v;
    seen[dst] = true;
  });
  return out;
}

/// Transpose of a constant by its perm (reversed dims without one).
std::optional<Elements> evaluateTranspose(onnx::TransposeOp op, const HostValue &data) {
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
  Elements out;
  forEachIndex(outShape, [&](ArrayRef<int64_t> coord) {
    int64_t src = 0;
    for (int64_t i = 0; i < rank; ++i)
      src += coord[i] * dataStrides[perm[i]];
    out.push_back(data.data[src]);
  });
  return out;
}

/// An elementwise arithmetic or logic op on broadcast elements: in int64
/// when every operand is an integer, else in double.
std::optional<Element> arithmetic(Operation *op, ArrayRef<Element> a) {
  bool ints = llvm::all_of(a, [](const Element &e) { return e.isInt; });
  if (isa<onnx::WhereOp>(op))
    return a[0].isNonZero() ? a[1] : a[2];
  if (isa<onnx::NotOp>(op))
    return Element::ofBool(!a[0].isNonZero());
  if (isa<onnx::EqualOp, onnx::LessOp, onnx::GreaterOp>(op)) {
    auto compare = [&](auto x, auto y) {
      return isa<onnx::EqualOp>(op) ? x == y : isa<onnx::LessOp>(op) ? x < y : x > y;
    };
    return Element::ofBool(ints ? compare(a[0].i, a[1].i)
                                : compare(a[0].toDouble(), a[1].toDouble()));
  }
  if (isa<onnx::MaxOp, onnx::MinOp>(op)) {
    bool max = isa<onnx::MaxOp>(op);
    Element best = a[0];
    for (const Element &e : a.drop_front()) {
      bool better = ints ? (max ? e.i > best.i : e.i < best.i)
                         : (max ? e.toDouble() > best.toDouble() : e.toDouble() < best.toDouble());
      if (better)
        best = e;
    }
    return ints ? best : Element::ofFloat(best.toDouble());
  }
  if (ints) {
    int64_t x = a[0].i;
    if (isa<onnx::NegOp>(op))
      return Element::ofInt(wrapSub(0, x));
    if (isa<onnx::AbsOp>(op))
      return Element::ofInt(x < 0 ? wrapSub(0, x) : x);
    if (isa<onnx::CeilOp, onnx::FloorOp>(op))
      return a[0];
    int64_t y = a[1].i;
    if (isa<onnx::AddOp>(op))
      return Element::ofInt(wrapAdd(x, y));
    if (isa<onnx::SubOp>(op))
      return Element::ofInt(wrapSub(x, y));
    if (isa<onnx::MulOp>(op))
      return Element::ofInt(wrapMul(x, y));
    if (y == 0)
      return std::nullopt; // Integer division by zero: leave it to run time.
    if (y == -1) // INT64_MIN / -1 overflows: it wraps, the remainder is 0.
      return Element::ofInt(isa<onnx::DivOp>(op) ? wrapSub(0, x) : 0);
    if (isa<onnx::DivOp>(op))
      return Element::ofInt(x / y); // Truncates toward zero, as ONNX integer Div.
    int64_t r = x % y;                // fmod: the dividend's sign
    if (!cast<onnx::ModOp>(op).getFmod() && r != 0 && ((r < 0) != (y < 0)))
      r += y; // Mod takes the divisor's sign.
    return Element::ofInt(r);
  }
  double x = a[0].toDouble();
  if (isa<onnx::NegOp>(op))
    return Element::ofFloat(-x);
  if (isa<onnx::AbsOp>(op))
    return Element::ofFloat(std::fabs(x));
  if (isa<onnx::CeilOp>(op))
    return Element::ofFloat(std::ceil(x));
  if (isa<onnx::FloorOp>(op))
    return Element::ofFloat(std::floor(x));
  double y = a[1].toDouble();
  if (isa<onnx::AddOp>(op))
    return Element::ofFloat(x + y);
  if (isa<onnx::SubOp>(op))
    return Element::ofFloat(x - y);
  if (isa<onnx::MulOp>(op))
    return Element::ofFloat(x * y);
  if (isa<onnx::DivOp>(op))
    return Element::ofFloat(x / y);
  if (y == 0)
    return std::nullopt;
  double r = std::fmod(x, y);
  if (!cast<onnx::ModOp>(op).getFmod() && r != 0 && ((r < 0) != (y < 0)))
    r += y;
  return Element::ofFloat(r);
}

/// Evaluates `op`, whose operands are `in` (nullopt for non-constants and
/// absent inputs), into the elements of its static result type.
std::optional<Elements> evaluate(Operation *op, ArrayRef<std::optional<HostValue>> in,
                                 RankedTensorType resultType) {
  bool isFloat = isa<FloatType>(resultType.getElementType());
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
    // Elements take the result's kind: later folds compute by kind (an
    // integer Div truncates, a float one does not).
    Elements out;
    for (const Element &e : in[0]->data)
      out.push_back(isFloat ? Element::ofFloat(e.toDouble()) : Element::ofInt(e.toInt()));
    return out;
  }
  if (auto fill = dyn_cast<onnx::ConstantOfShapeOp>(op)) {
    Element value = isFloat ? Element::ofFloat(0) : Element::ofInt(0);
    if (auto attr = fill.getValueAttr()) {
      auto dense = dyn_cast<DenseElementsAttr>(attr);
      if (!dense || dense.getNumElements() != 1)
        return std::nullopt;
      if (isa<FloatType>(dense.getElementType()))
        value = Element::ofFloat((*dense.getValues<APFloat>().begin()).convertToDouble());
      else
        value = Element::ofInt((*dense.getValues<APInt>().begin()).getSExtValue());
    }
    return Elements(resultType.getNumElements(), value);
  }
  if (isa<onnx::AddOp, onnx::SubOp, onnx::MulOp, onnx::DivOp, onnx::MaxOp, onnx::MinOp,
          onnx::EqualOp, onnx::LessOp, onnx::GreaterOp, onnx::ModOp, onnx::WhereOp, onnx::NotOp,
          onnx::NegOp, onnx::AbsOp, onnx::CeilOp, onnx::FloorOp>(op)) {
    if (!all(op->getNumOperands()))
      return std::nullopt;
    return elementwise(args, shape, [&](ArrayRef<Element> a) { return arithmetic(op, a); });
  }
  if (auto concat = dyn_cast<onnx::ConcatOp>(op)) {
    if (!all(op->getNumOperands()))
      return std::nullopt;
    int64_t axis = normalize(concat.getAxis(), resultType.getRank());
    Elements out(resultType.getNumElements());
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
  if (std::optional<Elements> reduced = evaluateReduction(op, in, resultType))
    return reduced;
  if (auto gather = dyn_cast<onnx::GatherOp>(op)) {
    if (!all(2))
      return std::nullopt;
    const HostValue &data = *in[0], &indices = *in[1];
    int64_t axis = normalize(gather.getAxis(), data.shape.size());
    SmallVector<int64_t> dataStrides = strides(data.shape);
    Elements out;
    int64_t q = indices.shape.size();
    bool outOfRange = false;
    forEachIndex(shape, [&](ArrayRef<int64_t> coord) {
      int64_t idxPos = 0;
      SmallVector<int64_t> idxStrides = strides(indices.shape);
      for (int64_t i = 0; i < q; ++i)
        idxPos += coord[axis + i] * idxStrides[i];
      int64_t index = indices.data[idxPos].toInt();
      if (index < 0)
        index += data.shape[axis];
      if (index < 0 || index >= data.shape[axis]) {
        outOfRange = true;
        return;
      }
      int64_t src = 0;
      for (int64_t i = 0; i < static_cast<int64_t>(data.shape.size()); ++i) {
        int64_t c = i < axis ? coord[i] : i == axis ? index : coord[i + q - 1];
        src += c * dataStrides[i];
      }
      out.push_back(data.data[src]);
    });
    if (outOfRange)
      return std::nullopt; // Out-of-range index: not ours to decide.
    return out;
  }
  if (isa<onnx::RangeOp>(op)) {
    if (!all(3))
      return std::nullopt;
    Element start = in[0]->data[0], delta = in[2]->data[0];
    Elements out;
    for (int64_t i = 0; i < resultType.getNumElements(); ++i)
      out.push_back(start.isInt && delta.isInt
                        ? Element::ofInt(wrapAdd(start.i, wrapMul(i, delta.i)))
                        : Element::ofFloat(start.toDouble() + i * delta.toDouble()));
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
      int64_t axis = hasAxes ? normalize(in[3]->data[k].toInt(), rank) : static_cast<int64_t>(k);
      if (axis < 0 || axis >= rank)
        return std::nullopt;
      int64_t st = hasSteps ? in[4]->data[k].toInt() : 1;
      int64_t dim = data.shape[axis];
      int64_t s = in[1]->data[k].toInt();
      int64_t first = s < 0 ? std::max(s < -dim ? int64_t(0) : s + dim, int64_t(0))
                            : std::min(s, dim);
      if (st < 0)
        first = std::min(first, dim - 1);
      start[axis] = first;
      step[axis] = st;
    }
    SmallVector<int64_t> dataStrides = strides(data.shape);
    Elements out;
    forEachIndex(shape, [&](ArrayRef<int64_t> coord) {
      int64_t src = 0;
      for (int64_t i = 0; i < rank; ++i)
        src += (start[i] + coord[i] * step[i]) * dataStrides[i];
      out.push_back(data.data[src]);
    });
    return out;
  }
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
      std::optional<Elements> values = foldShapeQuery(op, resultType);
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
      Region &taken = cond->data[0].isNonZero() ? op.getThenBranch() : op.getElseBranch();
      if (!taken.hasOneBlock() || taken.front().getNumArguments() != 0)
        continue;
      Block &block = taken.front();
      auto yield = cast<onnx::YieldOp>(block.getTerminator());
      SmallVector<Value> results(yield.getValues());
      rewriter.inlineBlockBefore(&block, op);
      rewriter.eraseOp(yield);
      // Uses keep working when the branch's types are more precise than the
      // If's; anything else goes through the function's return.
      for (auto [result, value] : llvm::zip(op.getResults(), results)) {
        if (!isa<RankedTensorType>(result.getType()))
          forgetTypesDownstream(result);
        result.replaceAllUsesWith(value);
      }
      rewriter.eraseOp(op);
      changed = true;
    }
    return changed;
  }

  /// An If whose branches yield different ranks has an unranked result, and
  /// the types exporters declared for the values computed from it hold for
  /// one of the branches only (the one taken when they traced the model).
  /// Once the If is decided they may contradict the branch taken: make them
  /// unranked again, so that refinement derives them from that branch.
  /// Function results keep their declared types.
  static void forgetTypesDownstream(Value start) {
    SmallVector<Value> work{start};
    llvm::DenseSet<Operation *> seen;
    while (!work.empty()) {
      Value value = work.pop_back_val();
      for (Operation *user : value.getUsers()) {
        if (!isa<onnx::OnnxDialect>(user->getDialect()) || isa<onnx::YieldOp>(user) ||
            !seen.insert(user).second)
          continue;
        for (Value result : user->getResults())
          if (auto ranked = dyn_cast<RankedTensorType>(result.getType())) {
            result.setType(UnrankedTensorType::get(ranked.getElementType()));
            work.push_back(result);
          }
      }
    }
  }

  /// The dims [start, end) of a rank-`rank` input that a Shape op returns.
  static std::pair<int64_t, int64_t> shapeRange(onnx::ShapeOp op, int64_t rank) {
    auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t(0), rank); };
    return {clamp(op.getStart()), op.getEnd() ? clamp(*op.getEnd()) : rank};
  }

  /// Shape and Size only need the operand's static type; a Gather of
  /// constant indices from a Shape only needs the dims it picks to be static.
  static std::optional<Elements> foldShapeQuery(Operation *op, RankedTensorType) {
    if (auto gather = dyn_cast<onnx::GatherOp>(op))
      return foldStaticDimsOfShape(gather);
    auto inputType = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
    if (!inputType || !inputType.hasStaticShape())
      return std::nullopt;
    if (isa<onnx::SizeOp>(op))
      return Elements{Element::ofInt(inputType.getNumElements())};
    auto shapeOp = dyn_cast<onnx::ShapeOp>(op);
    if (!shapeOp)
      return std::nullopt;
    auto [start, end] = shapeRange(shapeOp, inputType.getRank());
    Elements dims;
    for (int64_t i = start; i < end; ++i)
      dims.push_back(Element::ofInt(inputType.getDimSize(i)));
    return dims;
  }

  /// Gather(Shape(x), indices) whose indices are constants naming static dims
  /// of x (exporters test such dims, e.g. "is dim 1 equal to 1", in Ifs).
  static std::optional<Elements> foldStaticDimsOfShape(onnx::GatherOp gather) {
    auto shapeOp = gather.getData().getDefiningOp<onnx::ShapeOp>();
    std::optional<HostValue> indices = readConstant(gather.getIndices());
    if (!shapeOp || !indices || gather.getAxis() != 0)
      return std::nullopt;
    auto inputType = dyn_cast<RankedTensorType>(shapeOp.getData().getType());
    if (!inputType)
      return std::nullopt;
    auto [start, end] = shapeRange(shapeOp, inputType.getRank());
    Elements dims;
    for (const Element &index : indices->data) {
      int64_t i = index.toInt();
      if (i < 0)
        i += end - start;
      if (i < 0 || i >= end - start || inputType.isDynamicDim(start + i))
        return std::nullopt;
      dims.push_back(Element::ofInt(inputType.getDimSize(start + i)));
    }
    return dims;
  }
};

} // namespace
} // namespace smelt
