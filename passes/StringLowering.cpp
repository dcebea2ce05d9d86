//===- StringLowering.cpp - string ops on bytes and lengths ---------------===//
#include "passes/StringLowering.h"

#include "passes/OnnxBuilder.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace smelt {
namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

// ONNX TensorProto.DataType numbers, for Cast's `to`.
constexpr int64_t kInt32 = 6, kInt64 = 7, kBool = 9;

/// Builds the onnx ops of one string lowering at one location.
class StringOps {
public:
  StringOps(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Type u8() { return IntegerType::get(b.getContext(), 8, IntegerType::Unsigned); }
  Type i64() { return b.getI64Type(); }
  Type i1() { return b.getI1Type(); }
  RankedTensorType tensor(ArrayRef<int64_t> shape, Type elem) {
    return RankedTensorType::get(shape, elem);
  }
  RankedTensorType vector(Type elem) { return tensor({kDynamic}, elem); }

  Value op(StringRef name, ValueRange operands, Type type, ArrayRef<NamedAttribute> attrs = {}) {
    return createOnnxValue(b, loc, name, operands, type, attrs);
  }
  NamedAttribute attr(StringRef name, int64_t value) {
    return b.getNamedAttr(name, b.getI64IntegerAttr(value));
  }
  Value cast(Value x, Type type, int64_t to) { return op("Cast", x, type, attr("to", to)); }
  Value i64s(ArrayRef<int64_t> values, bool scalar = false) {
    return createConstantI64(b, loc, values, scalar);
  }
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

  OpBuilder &b;
  Location loc;
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
  if (outLengths.getType() != type)
    outLengths = tensor::CastOp::create(b, op.getLoc(), type, outLengths);
  return {outBytes, outLengths};
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
