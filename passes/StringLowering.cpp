//===- StringLowering.cpp - string ops on bytes and lengths ---------------===//
#include "passes/StringLowering.h"

#include "compiler/import/TensorImport.h"
#include "passes/OnnxBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <limits>

using namespace mlir;

namespace smelt {
namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

// ONNX TensorProto.DataType numbers, for Cast's `to`.
constexpr int64_t kInt32 = 6, kInt64 = 7, kBool = 9;

/// Builds the onnx ops of one string lowering at one location.
class StringOps : public OnnxOpBuilder {
public:
  using OnnxOpBuilder::OnnxOpBuilder;

  Type u8() { return IntegerType::get(b.getContext(), 8, IntegerType::Unsigned); }
  Type i64() { return b.getI64Type(); }
  Type i1() { return b.getI1Type(); }
  RankedTensorType tensor(ArrayRef<int64_t> shape, Type elem) {
    return RankedTensorType::get(shape, elem);
  }
  RankedTensorType vector(Type elem) { return tensor({kDynamic}, elem); }

  Value cast(Value x, Type type, int64_t to) { return op("Cast", x, type, attr("to", to)); }
  Value constant(RankedTensorType type, ArrayRef<APInt> values) {
    return op("Constant", {}, type,
              {b.getNamedAttr("value", DenseElementsAttr::get(type, values))});
  }
  Value bytes(StringRef text, ArrayRef<int64_t> shape) {
    SmallVector<APInt> values;
    for (char c : text)
      values.push_back(APInt(8, static_cast<uint8_t>(c)));
    return constant(tensor(shape, u8()), values);
  }
  Value byte(char c) { return bytes(StringRef(&c, 1), {}); }

  /// ASCII letters of `x` (a byte vector) in upper or lower case.
  Value changeCase(Value x, bool upper) {
    Value from = op("GreaterOrEqual", {x, byte(upper ? 'a' : 'A')}, vector(i1()));
    Value to = op("LessOrEqual", {x, byte(upper ? 'z' : 'Z')}, vector(i1()));
    Value letter = op("And", {from, to}, vector(i1()));
    Value changed = op(upper ? "Sub" : "Add", {x, byte('a' - 'A')}, vector(u8()));
    return op("Where", {letter, changed, x}, vector(u8()));
  }

  /// Whether each string (of `lengths`, starting at `starts` in `text`) is
  /// `word`: same length, same bytes.
  Value equals(Value text, Value starts, Value lengths, StringRef word) {
    int64_t n = word.size();
    Value sameLength = op("Equal", {lengths, i64s({n}, true)}, vector(i1()));
    if (n == 0)
      return sameLength;
    // Compare n bytes from each start; n padding bytes keep every read in
    // bounds (a shorter string's comparison fails on its length anyway).
    Value padded = op("Concat", {text, bytes(std::string(n, '\0'), {n})}, vector(u8()),
                      attr("axis", 0));
    SmallVector<APInt> steps;
    for (int64_t k = 0; k < n; ++k)
      steps.push_back(APInt(64, k));
    Value column = op("Unsqueeze", {starts, i64s({1})}, tensor({kDynamic, 1}, i64()));
    Value positions = op("Add", {column, constant(tensor({1, n}, i64()), steps)},
                         tensor({kDynamic, n}, i64()));
    Value read = op("Gather", {padded, positions}, tensor({kDynamic, n}, u8()), attr("axis", 0));
    Value same = op("Equal", {read, bytes(word, {1, n})}, tensor({kDynamic, n}, i1()));
    Value all = op("ReduceMin", cast(same, tensor({kDynamic, n}, b.getI32Type()), kInt32),
                   vector(b.getI32Type()),
                   {b.getNamedAttr("axes", b.getDenseI64ArrayAttr({1})), attr("keepdims", 0)});
    return op("And", {cast(all, vector(i1()), kBool), sameLength}, vector(i1()));
  }

  /// For each byte of a text of `total` bytes ([1] tensor), the index of the
  /// string it belongs to: the strings starting at or before it, minus one
  /// (an empty string shares its start with the next string, which owns the
  /// byte).
  Value owners(Value starts, Value total) {
    Value slots = op("Add", {total, i64s({1})}, tensor({1}, i64()));
    auto zero = DenseElementsAttr::get(tensor({1}, i64()), ArrayRef<int64_t>{0});
    auto one = DenseElementsAttr::get(tensor({1}, i64()), ArrayRef<int64_t>{1});
    Value marks = op("ConstantOfShape", slots, vector(i64()), {b.getNamedAttr("value", zero)});
    Value ones = op("ConstantOfShape", op("Shape", starts, tensor({1}, i64())), vector(i64()),
                    {b.getNamedAttr("value", one)});
    marks = op("ScatterElements", {marks, starts, ones}, vector(i64()),
               {attr("axis", 0), b.getNamedAttr("reduction", b.getStringAttr("add"))});
    Value counts = op("CumSum", {marks, i64s({0}, true)}, vector(i64()));
    Value owner = op("Sub", {counts, i64s({1}, true)}, vector(i64()));
    return prefix(owner, total);
  }

  /// The first `count` ([1] tensor) entries of a vector, or all of them.
  Value prefix(Value x, Value count) {
    Value none = onnx::NoValueOp::create(b, loc);
    return op("Slice", {x, i64s({0}), count, none, none}, x.getType());
  }
};

std::string asciiLower(StringRef s) {
  std::string out = s.str();
  for (char &c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

} // namespace

StringParts lowerStringNormalizer(OpBuilder &b, onnx::StringNormalizerOp op, StringParts input,
                                  Type lengthsType) {
  StringOps s(b, op.getLoc());
  Value lengths = s.op("Reshape", {input.lengths, s.i64s({-1})}, s.vector(s.i64()));
  Value bytes = input.bytes;
  bool caseSensitive = op.getIsCaseSensitive() != 0;

  Value outLengths = lengths, outBytes = bytes;
  std::optional<ArrayAttr> stopwords = op.getStopwords();
  if (stopwords && !stopwords->empty()) {
    Value compared = caseSensitive ? bytes : s.changeCase(bytes, /*upper=*/false);
    Value ends = s.op("CumSum", {lengths, s.i64s({0}, true)}, s.vector(s.i64()));
    Value starts = s.op("Sub", {ends, lengths}, s.vector(s.i64()));
    Value stop;
    for (Attribute word : *stopwords) {
      StringRef text = cast<StringAttr>(word).getValue();
      std::string key = caseSensitive ? text.str() : asciiLower(text);
      Value equal = s.equals(compared, starts, lengths, key);
      stop = stop ? s.op("Or", {stop, equal}, s.vector(s.i1())) : equal;
    }
    Value keep = s.op("Not", stop, s.vector(s.i1()));
    outLengths = s.op("Compress", {lengths, keep}, s.vector(s.i64()), s.attr("axis", 0));
    Value total = s.op("Shape", bytes, s.tensor({1}, s.i64()));
    Value keepByte = s.op("Gather", {keep, s.owners(starts, total)}, s.vector(s.i1()),
                          s.attr("axis", 0));
    outBytes = s.op("Compress", {bytes, keepByte}, s.vector(s.u8()), s.attr("axis", 0));
    // When every string was a stopword the output is one empty string.
    Value count = s.op("Shape", outLengths, s.tensor({1}, s.i64()));
    Value none = s.op("Equal", {count, s.i64s({0})}, s.tensor({1}, s.i1()));
    Value pad = s.prefix(s.op("Reshape", {s.i64s({0}), s.i64s({1})}, s.vector(s.i64())),
                         s.cast(none, s.tensor({1}, s.i64()), kInt64));
    outLengths = s.op("Concat", {outLengths, pad}, s.vector(s.i64()), s.attr("axis", 0));
  }
  StringRef action = op.getCaseChangeAction();
  if (action == "UPPER" || action == "LOWER")
    outBytes = s.changeCase(outBytes, action == "UPPER");

  auto type = cast<RankedTensorType>(lengthsType);
  if (type.getRank() == 2)
    outLengths = s.op("Unsqueeze", {outLengths, s.i64s({0})}, s.tensor({1, kDynamic}, s.i64()));
  return {outBytes, s.castTo(outLengths, type)};
}

namespace {

/// Scalar arithmetic for the parser below.
struct Scalars {
  OpBuilder &b;
  Location loc;
  Value i64(int64_t v) { return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v)); }
  Value f64(double v) { return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v)); }
  Value flag(bool v) { return arith::ConstantOp::create(b, loc, b.getBoolAttr(v)); }
  Value eq(Value x, Value y) { return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, y); }
  Value ule(Value x, Value y) { return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, x, y); }
  Value byteIs(Value c, char ch) {
    return eq(c, arith::ConstantOp::create(b, loc, b.getIntegerAttr(c.getType(), ch)));
  }
  Value all(ArrayRef<Value> v) {
    Value r = v[0];
    for (Value x : v.drop_front())
      r = arith::AndIOp::create(b, loc, r, x);
    return r;
  }
  Value any(ArrayRef<Value> v) {
    Value r = v[0];
    for (Value x : v.drop_front())
      r = arith::OrIOp::create(b, loc, r, x);
    return r;
  }
  Value pick(Value c, Value x, Value y) { return arith::SelectOp::create(b, loc, c, x, y); }
  /// The byte at `start + offset` (i64) of the padded text, as i8.
  Value byteAt(Value text, Value start, Value offset) {
    Value at = arith::AddIOp::create(b, loc, start, offset);
    return tensor::ExtractOp::create(
        b, loc, text, ValueRange{arith::IndexCastOp::create(b, loc, b.getIndexType(), at)});
  }
};

/// The number one string spells, as f64: an optional sign, digits with an
/// optional '.', an optional exponent (e or E, sign, digits), or nan, inf,
/// infinity in any case; NaN for anything else. `text` is padded with at
/// least 8 zero bytes, so the reads of the words stay in bounds.
Value parseNumber(OpBuilder &b, Location loc, Value text, Value start, Value length) {
  Scalars s{b, loc};
  Value first = s.byteAt(text, start, s.i64(0));
  Value nonEmpty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, length, s.i64(0));
  Value negative = s.all({nonEmpty, s.byteIs(first, '-')});
  Value signed_ = s.all({nonEmpty, s.any({s.byteIs(first, '-'), s.byteIs(first, '+')})});
  Value offset = s.pick(signed_, s.i64(1), s.i64(0));
  Value rest = arith::SubIOp::create(b, loc, length, offset);
  // Letters compare in lower case: setting bit 5 lowers only 'A'-'Z' among
  // the bytes that can then equal a lowercase letter.
  auto isWord = [&](StringRef word) {
    SmallVector<Value> same{s.eq(rest, s.i64(word.size()))};
    for (auto [k, ch] : llvm::enumerate(word)) {
      Value c = s.byteAt(text, start, arith::AddIOp::create(b, loc, offset, s.i64(k)));
      Value lower = arith::OrIOp::create(b, loc, c,
                                         arith::ConstantOp::create(b, loc, b.getIntegerAttr(c.getType(), 0x20)));
      same.push_back(s.byteIs(lower, ch));
    }
    return s.all(same);
  };
  Value isNan = isWord("nan");
  Value isInf = s.any({isWord("inf"), isWord("infinity")});

  // One pass over the bytes. phase: 0 integer digits, 1 fraction digits,
  // 2 just after the exponent mark, 3 exponent digits.
  Type i64 = b.getI64Type(), f64 = b.getF64Type();
  Value lo = arith::IndexCastOp::create(b, loc, b.getIndexType(), offset);
  Value hi = arith::IndexCastOp::create(b, loc, b.getIndexType(), length);
  auto loop = scf::ForOp::create(
      b, loc, lo, hi, arith::ConstantIndexOp::create(b, loc, 1),
      ValueRange{s.i64(0), s.f64(0), s.i64(0), s.i64(0), s.flag(false), s.flag(false),
                 s.flag(false), s.flag(true)},
      [&](OpBuilder &nb, Location l, Value k, ValueRange st) {
        Scalars t{nb, l};
        Value phase = st[0], mantissa = st[1], fraction = st[2], exponent = st[3];
        Value expNegative = st[4], sawDigit = st[5], sawExpDigit = st[6], valid = st[7];
        Value c = t.byteAt(text, start, arith::IndexCastOp::create(nb, l, i64, k));
        Value digit = t.all({arith::CmpIOp::create(nb, l, arith::CmpIPredicate::uge, c,
                                                   arith::ConstantOp::create(nb, l, nb.getIntegerAttr(c.getType(), '0'))),
                             t.ule(c, arith::ConstantOp::create(nb, l, nb.getIntegerAttr(c.getType(), '9')))});
        Value d = arith::ExtUIOp::create(
            nb, l, i64,
            arith::SubIOp::create(nb, l, c,
                                  arith::ConstantOp::create(nb, l, nb.getIntegerAttr(c.getType(), '0'))));
        Value inMantissa = t.ule(phase, t.i64(1));
        Value inExponent = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::uge, phase, t.i64(2));
        Value mark = t.any({t.byteIs(c, 'e'), t.byteIs(c, 'E')});
        Value sign = t.any({t.byteIs(c, '+'), t.byteIs(c, '-')});
        Value mantDigit = t.all({inMantissa, digit});
        Value expDigit = t.all({inExponent, digit});
        Value dot = t.all({t.eq(phase, t.i64(0)), t.byteIs(c, '.')});
        Value startExp = t.all({inMantissa, mark, sawDigit});
        Value expSign = t.all({t.eq(phase, t.i64(2)), sign});
        Value ok = t.any({mantDigit, dot, startExp, expSign, expDigit});

        Value scaled = arith::AddFOp::create(
            nb, l, arith::MulFOp::create(nb, l, mantissa, t.f64(10)),
            arith::UIToFPOp::create(nb, l, f64, d));
        Value nextExp = arith::MinSIOp::create(
            nb, l, arith::AddIOp::create(nb, l, arith::MulIOp::create(nb, l, exponent, t.i64(10)), d),
            t.i64(100000));
        SmallVector<Value> next{
            t.pick(dot, t.i64(1),
                   t.pick(startExp, t.i64(2), t.pick(t.any({expSign, expDigit}), t.i64(3), phase))),
            t.pick(mantDigit, scaled, mantissa),
            t.pick(t.all({mantDigit, t.eq(phase, t.i64(1))}),
                   arith::AddIOp::create(nb, l, fraction, t.i64(1)), fraction),
            t.pick(expDigit, nextExp, exponent),
            t.any({expNegative, t.all({expSign, t.byteIs(c, '-')})}),
            t.any({sawDigit, mantDigit}),
            t.any({sawExpDigit, expDigit}),
            t.all({valid, ok})};
        scf::YieldOp::create(nb, l, next);
      });
  ValueRange st = loop.getResults();
  Value phase = st[0], mantissa = st[1], fraction = st[2], exponent = st[3];
  Value expNegative = st[4], sawDigit = st[5], sawExpDigit = st[6];
  Value complete = s.all({st[7], sawDigit,
                          s.any({s.ule(phase, s.i64(1)), sawExpDigit})});
  Value power = arith::SubIOp::create(
      b, loc, s.pick(expNegative, arith::SubIOp::create(b, loc, s.i64(0), exponent), exponent),
      fraction);
  // m * 10^e, dividing for negative e: 10^k is exact up to k = 22, so the
  // usual short decimals round once.
  Value absPower = math::AbsIOp::create(b, loc, power);
  Value scale = math::PowFOp::create(b, loc, s.f64(10), arith::SIToFPOp::create(b, loc, f64, absPower));
  Value magnitude = s.pick(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, power, s.i64(0)),
                           arith::DivFOp::create(b, loc, mantissa, scale),
                           arith::MulFOp::create(b, loc, mantissa, scale));
  Value inf = s.f64(std::numeric_limits<double>::infinity());
  Value value = s.pick(isInf, inf, magnitude);
  value = s.pick(negative, arith::NegFOp::create(b, loc, value), value);
  Value nan = s.f64(std::numeric_limits<double>::quiet_NaN());
  return s.pick(isNan, nan, s.pick(s.any({isInf, complete}), value, nan));
}

} // namespace

Value parseStrings(OpBuilder &b, Location loc, StringParts input, RankedTensorType resultType) {
  StringOps s(b, loc);
  Type f64 = b.getF64Type();
  Value lengths = s.op("Reshape", {input.lengths, s.i64s({-1})}, s.vector(s.i64()));
  Value ends = s.op("CumSum", {lengths, s.i64s({0}, true)}, s.vector(s.i64()));
  Value starts = s.op("Sub", {ends, lengths}, s.vector(s.i64()));
  // The bytes as signless int32 for the scalar code, with 8 zero bytes of
  // padding (see parseNumber).
  Value text = s.op("Concat", {input.bytes, s.bytes(std::string(8, '\0'), {8})},
                    s.vector(s.u8()), s.attr("axis", 0));
  text = s.cast(text, s.vector(b.getI32Type()), kInt32);
  Value count = tensor::DimOp::create(b, loc, lengths, 0);
  auto outType = s.vector(f64);
  AffineMap id = b.getMultiDimIdentityMap(1);
  Value parsed =
      linalg::GenericOp::create(
          b, loc, TypeRange{outType}, ValueRange{starts, lengths},
          ValueRange{tensor::EmptyOp::create(b, loc, outType, ValueRange{count})},
          ArrayRef<AffineMap>{id, id, id}, ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, parseNumber(nb, l, text, args[0], args[1]));
          })
          .getResult(0);
  auto lengthsType = cast<RankedTensorType>(input.lengths.getType());
  Value shaped = s.op("Reshape", {parsed, s.op("Shape", input.lengths, s.tensor({lengthsType.getRank()}, s.i64()))},
                      lengthsType.clone(f64));
  return s.cast(shaped, resultType, exportElementType(resultType.getElementType()));
}

StringParts stringConstant(OpBuilder &b, Location loc, ArrayRef<StringRef> strings,
                           RankedTensorType lengthsType) {
  StringOps s(b, loc);
  std::string all;
  SmallVector<APInt> lengths;
  for (StringRef str : strings) {
    all += str.str();
    lengths.push_back(APInt(64, str.size()));
  }
  int64_t size = all.size();
  return {s.bytes(all, {size}), s.constant(lengthsType, lengths)};
}

} // namespace smelt
