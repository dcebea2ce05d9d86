//===- value_io_test.cpp - graph values over ABI slots, and their files ---===//
//
// Covers groupSlots on every kind of graph value, packValue/unpackValue round
// trips (including empty sequences and absent optionals, which must still
// match the signature's ranks, and string tensors with empty strings), their
// errors, SequenceProto/OptionalProto and string TensorProto files, and the
// --check comparison's and printing's messages.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/ValueIO.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using smelt::HostTensor;
using smelt::HostValue;
using smelt::SlotGroup;
using smelt::StringTensor;

const int64_t kVec4[] = {4};
const int64_t kDyn1[] = {SMELT_DYNAMIC_DIM};
const int64_t kDyn2[] = {SMELT_DYNAMIC_DIM, SMELT_DYNAMIC_DIM};
const int64_t kRows2[] = {SMELT_DYNAMIC_DIM, 2};

// t: tensor, s: seq<float32> of rank-2 elements, o: opt<int32 tensor of
// rank 2>, os: opt<seq<int64>> of elements of any rank, w: string[?,?].
const smelt_tensor_info kSlots[] = {
    {"t", SMELT_DTYPE_FLOAT32, 1, kVec4, SMELT_ROLE_TENSOR, 0},
    {"s", SMELT_DTYPE_FLOAT32, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0},
    {"s", SMELT_DTYPE_INT64, 2, kRows2, SMELT_ROLE_SEQUENCE_SHAPES, 0},
    {"o", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0},
    {"o", SMELT_DTYPE_INT32, 2, kDyn2, SMELT_ROLE_TENSOR, 0},
    {"os", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0},
    {"os", SMELT_DTYPE_INT64, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0},
    {"os", SMELT_DTYPE_INT64, 2, kDyn2, SMELT_ROLE_SEQUENCE_SHAPES, 0},
    {"w", SMELT_DTYPE_UINT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0},
    {"w", SMELT_DTYPE_INT64, 2, kDyn2, SMELT_ROLE_STRING_LENGTHS, 0},
};

std::vector<SlotGroup> groups() {
  std::vector<SlotGroup> result;
  std::string error;
  EXPECT_TRUE(smelt::groupSlots(kSlots, 10, result, error)) << error;
  return result;
}

HostTensor floats(std::vector<int64_t> dims, std::vector<float> values) {
  HostTensor t;
  t.dtype = SMELT_DTYPE_FLOAT32;
  t.dims = std::move(dims);
  t.data.resize(values.size() * sizeof(float));
  if (!values.empty()) // memcpy's pointers must not be null, even for 0 bytes.
    std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

std::vector<int64_t> int64s(const HostTensor &t) {
  std::vector<int64_t> v(t.data.size() / sizeof(int64_t));
  if (!v.empty())
    std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

HostValue sequence(std::vector<HostTensor> elements, bool optional = false) {
  HostValue v;
  v.sequence = true;
  v.optional = optional;
  v.tensors = std::move(elements);
  return v;
}

HostValue strings(std::vector<int64_t> dims, std::vector<std::string> values) {
  HostValue v;
  v.strings = StringTensor{std::move(dims), std::move(values)};
  return v;
}

HostValue absent(bool sequence) {
  HostValue v;
  v.optional = true;
  v.sequence = sequence;
  v.present = false;
  return v;
}

TEST(ValueIO, GroupsSlotsIntoValues) {
  std::vector<SlotGroup> g = groups();
  ASSERT_EQ(g.size(), 5u);
  EXPECT_EQ(g[0].name, "t");
  EXPECT_EQ(g[0].kind(), "tensor");
  EXPECT_EQ(g[0].dims, std::vector<int64_t>({4}));
  EXPECT_EQ(g[1].kind(), "sequence");
  EXPECT_EQ(g[1].first, 1u);
  EXPECT_EQ(g[1].size, 2u);
  EXPECT_EQ(g[1].dims, std::vector<int64_t>({2})); // the elements' static rank
  EXPECT_EQ(g[2].kind(), "optional tensor");
  EXPECT_EQ(g[2].first, 3u);
  EXPECT_EQ(g[2].dtype, SMELT_DTYPE_INT32);
  EXPECT_EQ(g[3].kind(), "optional sequence");
  EXPECT_EQ(g[3].first, 5u);
  EXPECT_EQ(g[3].size, 3u);
  EXPECT_EQ(g[3].dims, std::vector<int64_t>({SMELT_DYNAMIC_DIM}));
  EXPECT_EQ(g[3].dtype, SMELT_DTYPE_INT64);
  EXPECT_EQ(g[4].kind(), "string tensor");
  EXPECT_TRUE(g[4].isString());
  EXPECT_EQ(g[4].first, 8u);
  EXPECT_EQ(g[4].size, 2u);
  EXPECT_EQ(g[4].dtype, SMELT_DTYPE_STRING);
  EXPECT_EQ(g[4].dims, std::vector<int64_t>({SMELT_DYNAMIC_DIM, SMELT_DYNAMIC_DIM}));

  std::vector<SlotGroup> bad;
  std::string error;
  EXPECT_FALSE(smelt::groupSlots(kSlots + 2, 1, bad, error));
  EXPECT_EQ(error, "slot #0 ('s', sequence_shapes) does not start a tensor, sequence or optional");
}

TEST(ValueIO, SequenceRoundTrip) {
  SlotGroup s = groups()[1];
  HostValue value = sequence({floats({2, 2}, {1, 2, 3, 4}), floats({1, 2}, {5, 6})});
  std::vector<HostTensor> slots;
  std::string error;
  ASSERT_TRUE(smelt::packValue(HostValue(value), s, slots, error)) << error;
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].dims, std::vector<int64_t>({6}));
  EXPECT_EQ(slots[1].dtype, SMELT_DTYPE_INT64);
  EXPECT_EQ(slots[1].dims, std::vector<int64_t>({2, 2}));
  EXPECT_EQ(int64s(slots[1]), std::vector<int64_t>({2, 2, 1, 2}));

  HostValue back;
  ASSERT_TRUE(smelt::unpackValue(s, slots.data(), back, error)) << error;
  EXPECT_EQ(back.name, "s");
  EXPECT_TRUE(back.sequence);
  ASSERT_EQ(back.tensors.size(), 2u);
  EXPECT_EQ(back.tensors[1].dims, std::vector<int64_t>({1, 2}));
  EXPECT_EQ(back.tensors[1].data, value.tensors[1].data);
  EXPECT_TRUE(smelt::checkValue(back, value, 0, 0).ok);
}

TEST(ValueIO, EmptySequenceKeepsTheSignaturesRank) {
  std::vector<SlotGroup> g = groups();
  std::vector<HostTensor> slots;
  std::string error;
  ASSERT_TRUE(smelt::packValue(sequence({}), g[1], slots, error)) << error;
  EXPECT_EQ(slots[0].dtype, SMELT_DTYPE_FLOAT32);
  EXPECT_EQ(slots[0].dims, std::vector<int64_t>({0}));
  EXPECT_EQ(slots[1].dims, std::vector<int64_t>({0, 2}));

  // A dynamic element rank packs as 0.
  slots.clear();
  ASSERT_TRUE(smelt::packValue(sequence({}, true), g[3], slots, error)) << error;
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[2].dims, std::vector<int64_t>({0, 0}));
}

TEST(ValueIO, AbsentOptionals) {
  std::vector<SlotGroup> g = groups();
  std::vector<HostTensor> slots;
  std::string error;
  ASSERT_TRUE(smelt::packValue(absent(false), g[2], slots, error)) << error;
  ASSERT_TRUE(smelt::packValue(absent(true), g[3], slots, error)) << error;
  ASSERT_EQ(slots.size(), 5u);
  EXPECT_EQ(slots[0].dtype, SMELT_DTYPE_BOOL);
  EXPECT_TRUE(slots[0].dims.empty());
  EXPECT_EQ(slots[0].data, std::vector<char>({0}));
  EXPECT_EQ(slots[1].dtype, SMELT_DTYPE_INT32);
  EXPECT_EQ(slots[1].dims, std::vector<int64_t>({0, 0}));
  EXPECT_EQ(slots[2].data, std::vector<char>({0}));
  EXPECT_EQ(slots[3].dims, std::vector<int64_t>({0}));
  EXPECT_EQ(slots[4].dims, std::vector<int64_t>({0, 0}));

  // Whatever the value slots of an absent output hold, it reads as absent.
  slots[1].dims = {7, 7};
  HostValue back;
  ASSERT_TRUE(smelt::unpackValue(g[2], slots.data(), back, error)) << error;
  EXPECT_FALSE(back.present);
  EXPECT_TRUE(back.tensors.empty());
}

TEST(ValueIO, PresentOptionalTensor) {
  SlotGroup o = groups()[2];
  HostValue value;
  value.optional = true;
  value.tensors = {floats({1}, {3})};
  value.tensors[0].dtype = SMELT_DTYPE_INT32; // same width, any bits will do
  std::vector<HostTensor> slots;
  std::string error;
  ASSERT_TRUE(smelt::packValue(HostValue(value), o, slots, error)) << error;
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].data, std::vector<char>({1}));
  EXPECT_EQ(slots[1].dims, std::vector<int64_t>({1}));
  HostValue back;
  ASSERT_TRUE(smelt::unpackValue(o, slots.data(), back, error)) << error;
  EXPECT_TRUE(back.present);
  ASSERT_EQ(back.tensors.size(), 1u);
  EXPECT_EQ(back.tensors[0].data, value.tensors[0].data);
}

TEST(ValueIO, PackErrors) {
  std::vector<SlotGroup> g = groups();
  std::vector<HostTensor> slots;
  std::string error;
  EXPECT_FALSE(smelt::packValue(sequence({floats({2}, {1, 2})}), g[1], slots, error));
  EXPECT_EQ(error, "sequence 's': element 0 has rank 1, but the model's elements have rank 2");

  HostTensor ints = floats({1}, {1});
  ints.dtype = SMELT_DTYPE_INT32;
  EXPECT_FALSE(smelt::packValue(sequence({floats({1}, {1}), floats({2, 1}, {1, 2})}, true), g[3],
                                slots, error));
  EXPECT_EQ(error, "sequence 'os': element 1 has rank 2, but element 0 has rank 1");
  EXPECT_FALSE(smelt::packValue(sequence({floats({1}, {1}), ints}, true), g[3], slots, error));
  EXPECT_EQ(error, "sequence 'os': element 1 is int32, but element 0 is float32");

  HostValue missing = absent(false);
  missing.optional = false;
  EXPECT_FALSE(smelt::packValue(HostValue(missing), g[0], slots, error));
  EXPECT_EQ(error, "'t' is a tensor and cannot be absent");
}

TEST(ValueIO, UnpackRefusesShapesThatMissTheData) {
  SlotGroup s = groups()[1];
  std::vector<HostTensor> slots;
  std::string error;
  ASSERT_TRUE(smelt::packValue(sequence({floats({1, 2}, {1, 2})}), s, slots, error));
  HostValue back;
  slots[0] = floats({3}, {1, 2, 3});
  EXPECT_FALSE(smelt::unpackValue(s, slots.data(), back, error));
  EXPECT_EQ(error, "sequence 's': its shapes cover 8 of its 12 data bytes");
  int64_t tooBig[] = {2, 2};
  std::memcpy(slots[1].data.data(), tooBig, sizeof tooBig);
  EXPECT_FALSE(smelt::unpackValue(s, slots.data(), back, error));
  EXPECT_EQ(error, "sequence 's': element 0 has shape [2,2], which its 12-byte data cannot hold");
}

TEST(ValueIO, StringRoundTrip) {
  SlotGroup w = groups()[4];
  HostValue value = strings({2, 3}, {"a", "", "h\xc3\xa9llo", "", "", "xyz"});
  std::vector<HostTensor> slots;
  std::string error;
  ASSERT_TRUE(smelt::packValue(HostValue(value), w, slots, error)) << error;
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].dtype, SMELT_DTYPE_UINT8);
  EXPECT_EQ(slots[0].dims, std::vector<int64_t>({10}));
  EXPECT_EQ(std::string(slots[0].data.begin(), slots[0].data.end()), "ah\xc3\xa9lloxyz");
  EXPECT_EQ(slots[1].dtype, SMELT_DTYPE_INT64);
  EXPECT_EQ(slots[1].dims, std::vector<int64_t>({2, 3}));
  EXPECT_EQ(int64s(slots[1]), std::vector<int64_t>({1, 0, 6, 0, 0, 3}));

  HostValue back;
  ASSERT_TRUE(smelt::unpackValue(w, slots.data(), back, error)) << error;
  EXPECT_EQ(back.name, "w");
  ASSERT_TRUE(back.strings.has_value());
  EXPECT_TRUE(back.tensors.empty());
  EXPECT_EQ(back.strings->dims, std::vector<int64_t>({2, 3}));
  EXPECT_EQ(back.strings->strings, value.strings->strings);
  EXPECT_TRUE(smelt::checkValue(back, value, 0, 0).ok);

  // No strings at all: zero bytes, lengths of the tensor's shape.
  slots.clear();
  ASSERT_TRUE(smelt::packValue(strings({2, 0}, {}), w, slots, error)) << error;
  EXPECT_EQ(slots[0].dims, std::vector<int64_t>({0}));
  EXPECT_EQ(slots[1].dims, std::vector<int64_t>({2, 0}));
  ASSERT_TRUE(smelt::unpackValue(w, slots.data(), back, error)) << error;
  EXPECT_TRUE(back.strings->strings.empty());
}

TEST(ValueIO, StringPackErrors) {
  std::vector<SlotGroup> g = groups();
  std::vector<HostTensor> slots;
  std::string error;
  EXPECT_FALSE(smelt::packValue(strings({2, 2}, {"a", "b", "c"}), g[4], slots, error));
  EXPECT_EQ(error, "string tensor 'w': 3 strings for shape [2,2]");

  HostValue numbers;
  numbers.tensors = {floats({1}, {1})};
  EXPECT_FALSE(smelt::packValue(HostValue(numbers), g[4], slots, error));
  EXPECT_EQ(error, "'w' is a string tensor, but the value given holds numbers");
  EXPECT_FALSE(smelt::packValue(strings({1}, {"a"}), g[0], slots, error));
  EXPECT_EQ(error, "'t' is a tensor, but the value given holds strings");
}

TEST(ValueIO, UnpackRefusesLengthsThatMissTheBytes) {
  SlotGroup w = groups()[4];
  std::vector<HostTensor> slots;
  std::string error;
  ASSERT_TRUE(smelt::packValue(strings({1, 2}, {"ab", "cde"}), w, slots, error)) << error;
  HostValue back;
  slots[0].data.push_back('f');
  slots[0].dims = {6};
  EXPECT_FALSE(smelt::unpackValue(w, slots.data(), back, error));
  EXPECT_EQ(error, "string tensor 'w': its lengths cover 5 of its 6 bytes");

  for (int64_t length : {9, -1}) {
    std::memcpy(slots[1].data.data() + sizeof(int64_t), &length, sizeof length);
    EXPECT_FALSE(smelt::unpackValue(w, slots.data(), back, error));
    EXPECT_EQ(error, "string tensor 'w': string 1 has length " + std::to_string(length) +
                         ", which its 6 bytes cannot hold");
  }

  slots[1].dims = {2, 2}; // more strings than its data holds lengths for
  EXPECT_FALSE(smelt::unpackValue(w, slots.data(), back, error));
  EXPECT_EQ(error, "string tensor 'w': expected uint8 [n] bytes and int64 lengths, got uint8 "
                   "[6] and int64 [2,2] (16 bytes of lengths)");
}

TEST(ValueIO, StringChecksAreExact) {
  HostValue want = strings({3}, {"a", "b", "c"});
  EXPECT_TRUE(smelt::checkValue(strings({3}, {"a", "b", "c"}), want, 1, 1).ok);
  smelt::ValueCheck c = smelt::checkValue(strings({3}, {"a", "a", "\"x\"\n"}), want, 1, 1);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.failure, "2 of 3 strings differ (first at 1: got \"a\", expected \"b\")");
  EXPECT_EQ(smelt::checkValue(strings({1, 3}, {"a", "b", "c"}), want, 0, 0).failure,
            "shape differs from the expected tensor (got string [1,3], expected string [3])");
  HostValue numbers;
  numbers.tensors = {floats({3}, {1, 2, 3})};
  EXPECT_EQ(smelt::checkValue(numbers, want, 0, 0).failure, "got numbers, expected strings");
}

TEST(ValueIO, IntegerChecksAreExact) {
  // Tolerances apply to floats only: 2^60 + 1 against 2^60 is within any
  // relative tolerance (and equal as doubles), an index of 1001 against 1000
  // within rtol 1e-3; both are wrong answers.
  auto int64Value = [](std::vector<int64_t> values) {
    HostTensor t;
    t.dtype = SMELT_DTYPE_INT64;
    t.dims = {static_cast<int64_t>(values.size())};
    t.data.resize(values.size() * sizeof(int64_t));
    std::memcpy(t.data.data(), values.data(), t.data.size());
    HostValue v;
    v.tensors = {t};
    return v;
  };
  int64_t big = int64_t(1) << 60;
  HostValue want = int64Value({big, 1000});
  EXPECT_TRUE(smelt::checkValue(int64Value({big, 1000}), want, 0, 0).ok);
  smelt::ValueCheck c = smelt::checkValue(int64Value({big + 1, 1001}), want, 1e-3, 1e-7);
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.failure.find("2 of 2 elements differ"), std::string::npos) << c.failure;
  EXPECT_NE(c.failure.find("integers compared exactly"), std::string::npos) << c.failure;
  // Floats keep their tolerances.
  HostValue close;
  close.tensors = {floats({1}, {1000.5f})};
  HostValue target;
  target.tensors = {floats({1}, {1000.0f})};
  EXPECT_TRUE(smelt::checkValue(close, target, 1e-3, 0).ok);
}

TEST(ValueIO, QuotesStringsReadably) {
  EXPECT_EQ(smelt::quoteString(""), "\"\"");
  EXPECT_EQ(smelt::quoteString("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(smelt::quoteString("a\tb\nc\r\x01\x7f"), "\"a\\tb\\nc\\r\\x01\\x7f\"");
  // Well-formed UTF-8 stays as it is; stray bytes are escaped.
  EXPECT_EQ(smelt::quoteString("h\xc3\xa9 \xe2\x82\xac"), "\"h\xc3\xa9 \xe2\x82\xac\"");
  EXPECT_EQ(smelt::quoteString("\xff\xc3("), "\"\\xff\\xc3(\"");
}

/// A fresh folder, removed with its contents.
class TempDir {
public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "smelt-value-io-XXXXXX");
    path_ = mkdtemp(pattern.data()) ? pattern : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

TEST(ValueIO, FilesRoundTrip) {
  TempDir dir;
  std::vector<SlotGroup> g = groups();
  std::string error;

  HostValue seq = sequence({floats({1, 2}, {1, 2}), floats({0, 2}, {})});
  seq.name = "s";
  ASSERT_TRUE(smelt::writeValueFile(dir.file("s.pb"), seq, error)) << error;
  HostValue seqBack;
  ASSERT_TRUE(smelt::readValueFile(dir.file("s.pb"), g[1], seqBack, error)) << error;
  EXPECT_EQ(seqBack.name, "s");
  ASSERT_EQ(seqBack.tensors.size(), 2u);
  EXPECT_EQ(seqBack.tensors[1].dims, std::vector<int64_t>({0, 2}));
  EXPECT_TRUE(smelt::checkValue(seqBack, seq, 0, 0).ok);

  HostValue none = absent(true);
  none.name = "os";
  ASSERT_TRUE(smelt::writeValueFile(dir.file("os.pb"), none, error)) << error;
  HostValue noneBack;
  ASSERT_TRUE(smelt::readValueFile(dir.file("os.pb"), g[3], noneBack, error)) << error;
  EXPECT_FALSE(noneBack.present);
  EXPECT_EQ(noneBack.name, "os");

  HostValue some = sequence({floats({2}, {1, 2})}, true);
  some.name = "os";
  ASSERT_TRUE(smelt::writeValueFile(dir.file("some.pb"), some, error)) << error;
  HostValue someBack;
  ASSERT_TRUE(smelt::readValueFile(dir.file("some.pb"), g[3], someBack, error)) << error;
  EXPECT_TRUE(someBack.present);
  EXPECT_TRUE(smelt::checkValue(someBack, some, 0, 0).ok);

  // An optional sequence file is not an optional tensor.
  EXPECT_FALSE(smelt::readValueFile(dir.file("some.pb"), g[2], someBack, error));
  EXPECT_EQ(error, "'" + dir.file("some.pb") +
                       "' holds an optional sequence, but the model's 'o' is an optional tensor");

  // .npy holds tensors only.
  HostValue tensor;
  tensor.name = "t";
  tensor.tensors = {floats({4}, {1, 2, 3, 4})};
  ASSERT_TRUE(smelt::writeValueFile(dir.file("t.npy"), tensor, error)) << error;
  EXPECT_FALSE(smelt::readValueFile(dir.file("t.npy"), g[1], seqBack, error));
  EXPECT_EQ(error, "'" + dir.file("t.npy") +
                       "' is a .npy file, but 's' is a sequence: give a .pb file holding a "
                       "SequenceProto");
  HostValue optionalTensor;
  ASSERT_TRUE(smelt::readValueFile(dir.file("t.npy"), g[2], optionalTensor, error)) << error;
  EXPECT_TRUE(optionalTensor.present);
  EXPECT_TRUE(optionalTensor.optional);
}

TEST(ValueIO, StringFiles) {
  TempDir dir;
  SlotGroup w = groups()[4];
  std::string error;
  HostValue value = strings({2, 1}, {"", "monday"});
  value.name = "w";
  ASSERT_TRUE(smelt::writeValueFile(dir.file("w.pb"), value, error)) << error;
  HostValue back;
  ASSERT_TRUE(smelt::readValueFile(dir.file("w.pb"), w, back, error)) << error;
  EXPECT_EQ(back.name, "w");
  ASSERT_TRUE(back.strings.has_value());
  EXPECT_EQ(back.strings->dims, std::vector<int64_t>({2, 1}));
  EXPECT_TRUE(smelt::checkValue(back, value, 0, 0).ok);

  EXPECT_FALSE(smelt::readValueFile(dir.file("w.pb"), groups()[0], back, error));
  EXPECT_EQ(error, "'" + dir.file("w.pb") + "': it holds strings, where the model takes numbers");

  EXPECT_FALSE(smelt::writeValueFile(dir.file("w.npy"), value, error));
  EXPECT_EQ(error, "cannot write string tensor 'w' to '" + dir.file("w.npy") +
                       "': .npy cannot hold strings, use .pb");

  HostValue tensor;
  tensor.name = "t";
  tensor.tensors = {floats({4}, {1, 2, 3, 4})};
  ASSERT_TRUE(smelt::writeValueFile(dir.file("t.npy"), tensor, error)) << error;
  ASSERT_TRUE(smelt::writeValueFile(dir.file("t.pb"), tensor, error)) << error;
  EXPECT_FALSE(smelt::readValueFile(dir.file("t.npy"), w, back, error));
  EXPECT_EQ(error, "'" + dir.file("t.npy") +
                       "' is a .npy file, which cannot hold strings, but 'w' is a string "
                       "tensor: give a .pb file holding a TensorProto of strings");
  EXPECT_FALSE(smelt::readValueFile(dir.file("t.pb"), w, back, error));
  EXPECT_EQ(error, "'" + dir.file("t.pb") + "': expected a tensor of strings, but it holds float32");

  // One string per element, as ONNX stores them.
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::STRING);
  proto.add_dims(3);
  proto.add_string_data("a");
  proto.add_string_data("b");
  std::ofstream(dir.file("short.pb"), std::ios::binary) << proto.SerializeAsString();
  EXPECT_FALSE(smelt::readValueFile(dir.file("short.pb"), w, back, error));
  EXPECT_EQ(error, "'" + dir.file("short.pb") + "': it holds 2 strings, but its shape is [3]");
}

TEST(ValueIO, CheckNamesWhatDiffers) {
  HostValue want = sequence({floats({2}, {1, 2}), floats({2}, {3, 4})});
  HostValue shorter = sequence({floats({2}, {1, 2})});
  EXPECT_EQ(smelt::checkValue(shorter, want, 0, 0).failure,
            "the sequence has 1 elements, expected 2");

  HostValue off = sequence({floats({2}, {1, 2}), floats({2}, {3, 5})});
  smelt::ValueCheck c = smelt::checkValue(off, want, 0, 0.5);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.maxAbsError, 1);
  EXPECT_EQ(c.failure, "element 1: 1 of 2 elements differ, max abs error 1 (first at 1: got 5, "
                       "expected 4; rtol 0, atol 0.5)");

  HostValue reshaped = sequence({floats({1, 2}, {1, 2}), floats({2}, {3, 4})});
  EXPECT_EQ(smelt::checkValue(reshaped, want, 0, 0).failure,
            "element 0: dtype or shape differs from the expected tensor (got float32 [1,2], "
            "expected float32 [2])");

  EXPECT_EQ(smelt::checkValue(absent(false), sequence({}, true), 0, 0).failure,
            "the optional is absent, but the expected one holds a value");
  EXPECT_TRUE(smelt::checkValue(absent(true), absent(true), 0, 0).ok);
}

TEST(ValueIO, FormatsEveryKind) {
  HostValue tensor;
  tensor.name = "t";
  tensor.tensors = {floats({2}, {1, 2.5})};
  EXPECT_EQ(smelt::formatValue(tensor), "t: float32 [2]\n  [1, 2.5]\n");

  HostValue seq = sequence({floats({1}, {7})});
  seq.name = "s";
  EXPECT_EQ(smelt::formatValue(seq), "s: sequence of 1\n  #0: float32 [1]\n    [7]\n");

  HostValue none = absent(false);
  none.name = "o";
  EXPECT_EQ(smelt::formatValue(none), "o: optional, absent\n");

  HostValue text = strings({3}, {"monday", "", "a\"b"});
  text.name = "w";
  EXPECT_EQ(smelt::formatValue(text), "w: string [3]\n  [\"monday\", \"\", \"a\\\"b\"]\n");
}

} // namespace
