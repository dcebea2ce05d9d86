//===- ValueIO.cpp - graph values over ABI slots, and their files ---------===//
#include "tools/smelt/ValueIO.h"

#include "smelt/runtime.h"

#include <onnx/onnx-data_pb.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace smelt {

namespace {

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...) {
  va_list args, again;
  va_start(args, fmt);
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string s(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0)
    std::vsnprintf(s.data(), s.size() + 1, fmt, again);
  va_end(again);
  return s;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// --- packing ---------------------------------------------------------------

HostTensor boolScalar(bool value) {
  HostTensor t;
  t.dtype = SMELT_DTYPE_BOOL;
  t.data.assign(1, value ? 1 : 0);
  return t;
}

/// The data and shapes slots of a sequence. Without elements the dtype and
/// rank come from the signature: an empty sequence still has to match it.
bool packSequence(const std::vector<HostTensor> &elements, const SlotGroup &group,
                  std::vector<HostTensor> &slots, std::string &error) {
  int64_t staticRank = group.dims.empty() ? SMELT_DYNAMIC_DIM : group.dims[0];
  int64_t rank = elements.empty() ? std::max<int64_t>(staticRank, 0)
                                  : static_cast<int64_t>(elements[0].dims.size());
  HostTensor data, shapes;
  data.dtype = elements.empty() ? group.dtype : elements[0].dtype;
  shapes.dtype = SMELT_DTYPE_INT64;
  shapes.dims = {static_cast<int64_t>(elements.size()), rank};
  for (size_t i = 0; i < elements.size(); ++i) {
    const HostTensor &e = elements[i];
    int64_t wanted = staticRank >= 0 ? staticRank : rank;
    if (static_cast<int64_t>(e.dims.size()) != wanted) {
      error = format("sequence '%s': element %zu has rank %zu, but %s %s rank %lld",
                     group.name.c_str(), i, e.dims.size(),
                     staticRank >= 0 ? "the model's elements" : "element 0",
                     staticRank >= 0 ? "have" : "has", static_cast<long long>(wanted));
      return false;
    }
    if (e.dtype != data.dtype) {
      error = format("sequence '%s': element %zu is %s, but element 0 is %s", group.name.c_str(),
                     i, smelt_dtype_name(e.dtype), smelt_dtype_name(data.dtype));
      return false;
    }
    data.data.insert(data.data.end(), e.data.begin(), e.data.end());
    for (int64_t d : e.dims)
      shapes.data.insert(shapes.data.end(), reinterpret_cast<const char *>(&d),
                         reinterpret_cast<const char *>(&d) + sizeof d);
  }
  int64_t width = static_cast<int64_t>(smelt_dtype_size(data.dtype));
  data.dims = {width ? static_cast<int64_t>(data.data.size()) / width : 0};
  slots.push_back(std::move(data));
  slots.push_back(std::move(shapes));
  return true;
}

/// The value slot of an absent optional tensor: the signature's rank, all
/// dims 0. A scalar has no dims to zero, so it stays one (zero) element.
HostTensor emptyTensor(const SlotGroup &group) {
  HostTensor t;
  t.dtype = group.dtype;
  t.dims.assign(group.dims.size(), 0);
  t.data.assign(static_cast<size_t>(t.numElements()) * smelt_dtype_size(t.dtype), 0);
  return t;
}

// --- unpacking ---------------------------------------------------------------

bool unpackSequence(const std::string &name, const HostTensor &data, const HostTensor &shapes,
                    std::vector<HostTensor> &elements, std::string &error) {
  if (shapes.dtype != SMELT_DTYPE_INT64 || shapes.dims.size() != 2 || data.dims.size() != 1) {
    error = format("sequence '%s': expected 1-D data and int64 [count, rank] shapes, got %s and "
                   "%s %s",
                   name.c_str(), formatDims(data.dims).c_str(), smelt_dtype_name(shapes.dtype),
                   formatDims(shapes.dims).c_str());
    return false;
  }
  int64_t count = shapes.dims[0], rank = shapes.dims[1];
  if (shapes.data.size() != static_cast<size_t>(count * rank) * sizeof(int64_t)) {
    error = format("sequence '%s': its shapes hold %zu bytes, not [%lld,%lld] int64",
                   name.c_str(), shapes.data.size(), static_cast<long long>(count),
                   static_cast<long long>(rank));
    return false;
  }
  size_t width = smelt_dtype_size(data.dtype), offset = 0;
  std::vector<int64_t> rows(static_cast<size_t>(count * rank));
  if (!rows.empty())
    std::memcpy(rows.data(), shapes.data.data(), shapes.data.size());
  elements.clear();
  for (int64_t i = 0; i < count; ++i) {
    HostTensor e;
    e.dtype = data.dtype;
    e.dims.assign(rows.begin() + i * rank, rows.begin() + (i + 1) * rank);
    // The dims come from the model: check them before they size a copy.
    bool valid = true;
    uint64_t bytes = width;
    for (int64_t d : e.dims)
      valid = valid && d >= 0 && !__builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes);
    if (!valid || bytes > data.data.size() - offset) {
      error = format("sequence '%s': element %lld has shape %s, which its %zu-byte data cannot "
                     "hold",
                     name.c_str(), static_cast<long long>(i), formatDims(e.dims).c_str(),
                     data.data.size());
      return false;
    }
    e.data.assign(data.data.begin() + offset, data.data.begin() + offset + bytes);
    offset += bytes;
    elements.push_back(std::move(e));
  }
  if (offset != data.data.size()) {
    error = format("sequence '%s': its shapes cover %zu of its %zu data bytes", name.c_str(),
                   offset, data.data.size());
    return false;
  }
  return true;
}

// --- files -------------------------------------------------------------------

template <typename Proto>
bool parseFile(const std::string &path, Proto &proto, const char *what, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read '" + path + "'";
    return false;
  }
  if (!proto.ParseFromIstream(&in)) {
    error = "'" + path + "' is not " + what + " file";
    return false;
  }
  return true;
}

template <typename Proto>
bool writeFile(const std::string &path, const Proto &proto, std::string &error) {
  std::ofstream out(path, std::ios::binary);
  if (!proto.SerializeToOstream(&out)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

bool sequenceFromProto(const std::string &path, const ::onnx::SequenceProto &proto,
                       std::vector<HostTensor> &elements, std::string &error) {
  if (proto.sparse_tensor_values_size() || proto.sequence_values_size() ||
      proto.map_values_size() || proto.optional_values_size()) {
    error = "'" + path + "' holds a sequence of non-tensors, which a compiled model cannot take";
    return false;
  }
  for (int i = 0; i < proto.tensor_values_size(); ++i) {
    HostTensor e;
    if (!tensorFromProto(proto.tensor_values(i), e, error)) {
      error = "'" + path + "', element " + std::to_string(i) + ": " + error;
      return false;
    }
    elements.push_back(std::move(e));
  }
  return true;
}

void sequenceToProto(const std::string &name, const std::vector<HostTensor> &elements,
                     ::onnx::SequenceProto &proto) {
  proto.set_name(name);
  proto.set_elem_type(::onnx::SequenceProto::TENSOR);
  for (const HostTensor &e : elements)
    tensorToProto(e, *proto.add_tensor_values());
}

bool readOptional(const std::string &path, const SlotGroup &group, HostValue &value,
                  std::string &error) {
  ::onnx::OptionalProto proto;
  if (!parseFile(path, proto, "an OptionalProto", error))
    return false;
  value.name = proto.name();
  // ONNX writes an empty optional with elem_type UNDEFINED and no value.
  value.present = proto.has_tensor_value() || proto.has_sequence_value();
  if (!value.present)
    return true;
  if (proto.has_sequence_value() != group.sequence) {
    error = "'" + path + "' holds an optional " +
            (group.sequence ? "tensor" : "sequence") + ", but the model's '" + group.name +
            "' is an " + group.kind();
    return false;
  }
  if (group.sequence)
    return sequenceFromProto(path, proto.sequence_value(), value.tensors, error);
  value.tensors.emplace_back();
  if (!tensorFromProto(proto.tensor_value(), value.tensors[0], error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  return true;
}

void appendTensorLines(std::string &out, const HostTensor &t, const std::string &indent) {
  int64_t n = t.numElements(), shown = std::min<int64_t>(n, 32);
  out += indent + "[";
  for (int64_t i = 0; i < shown; ++i)
    out += (i ? ", " : "") + elementAsText(t, i);
  out += n > shown ? ", ...]\n" : "]\n";
}

void appendStringLines(std::string &out, const StringTensor &t, const std::string &indent) {
  size_t shown = std::min<size_t>(t.strings.size(), 32);
  out += indent + "[";
  for (size_t i = 0; i < shown; ++i)
    out += (i ? ", " : "") + quoteString(t.strings[i]);
  out += t.strings.size() > shown ? ", ...]\n" : "]\n";
}

/// A string tensor from a TensorProto of strings; .npy cannot hold strings.
bool readStrings(const std::string &path, const SlotGroup &group, HostValue &value,
                 std::string &error) {
  if (endsWith(path, ".npy")) {
    error = "'" + path + "' is a .npy file, which cannot hold strings, but '" + group.name +
            "' is a string tensor: give a .pb file holding a TensorProto of strings";
    return false;
  }
  ::onnx::TensorProto proto;
  if (!parseFile(path, proto, "a TensorProto", error))
    return false;
  value.name = proto.name();
  if (!stringTensorFromProto(proto, value.strings.emplace(), error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  return true;
}

/// The --check text for one tensor, as `smelt run` has always printed it.
std::string tensorFailure(const HostTensor &actual, const HostTensor &expected,
                          const Comparison &c, double rtol, double atol) {
  if (!c.message.empty())
    return format("%s (got %s %s, expected %s %s)", c.message.c_str(),
                  smelt_dtype_name(actual.dtype), formatDims(actual.dims).c_str(),
                  smelt_dtype_name(expected.dtype), formatDims(expected.dims).c_str());
  std::string tolerance = comparesExactly(expected.dtype)
                              ? std::string("integers compared exactly")
                              : format("rtol %g, atol %g", rtol, atol);
  return format("%lld of %lld elements differ, max abs error %.3g (first at %lld: got %.9g, "
                "expected %.9g; %s)",
                static_cast<long long>(c.mismatches),
                static_cast<long long>(expected.numElements()), c.maxAbsError,
                static_cast<long long>(c.firstMismatch),
                elementAsDouble(actual, c.firstMismatch),
                elementAsDouble(expected, c.firstMismatch), tolerance.c_str());
}

} // namespace

std::string SlotGroup::kind() const {
  if (isString())
    return "string tensor";
  return std::string(optional ? "optional " : "") + (sequence ? "sequence" : "tensor");
}

bool groupSlots(const smelt_tensor_info *slots, size_t count, std::vector<SlotGroup> &groups,
                std::string &error) {
  groups.clear();
  for (size_t i = 0; i < count;) {
    SlotGroup g;
    g.name = slots[i].name;
    g.first = i;
    auto role = [&](size_t k) { return k < count ? slots[k].role : -1; };
    size_t value = i;
    if (role(i) == SMELT_ROLE_OPTIONAL_PRESENT) {
      g.optional = true;
      ++value;
    }
    if (role(value) == SMELT_ROLE_SEQUENCE_DATA && role(value + 1) == SMELT_ROLE_SEQUENCE_SHAPES) {
      g.sequence = true;
      g.dims = {slots[value + 1].dims[1]};
      g.size = value + 2 - i;
    } else if (!g.optional && role(value) == SMELT_ROLE_STRING_BYTES &&
               role(value + 1) == SMELT_ROLE_STRING_LENGTHS) {
      g.dims.assign(slots[value + 1].dims, slots[value + 1].dims + slots[value + 1].rank);
      g.size = 2;
    } else if (role(value) == SMELT_ROLE_TENSOR) {
      g.dims.assign(slots[value].dims, slots[value].dims + slots[value].rank);
      g.size = value + 1 - i;
    } else {
      error = format("slot #%zu ('%s', %s) does not start a tensor, sequence or optional", value,
                     value < count ? slots[value].name : g.name.c_str(),
                     smelt_role_name(role(value)));
      return false;
    }
    g.dtype = role(value) == SMELT_ROLE_STRING_BYTES ? SMELT_DTYPE_STRING : slots[value].dtype;
    i += g.size;
    groups.push_back(std::move(g));
  }
  return true;
}

bool packValue(HostValue &&value, const SlotGroup &group, std::vector<HostTensor> &slots,
               std::string &error) {
  if (group.optional)
    slots.push_back(boolScalar(value.present));
  else if (!value.present) {
    error = "'" + group.name + "' is a " + group.kind() + " and cannot be absent";
    return false;
  }
  if (value.present && group.isString() != value.strings.has_value()) {
    error = "'" + group.name + "' is a " + group.kind() + ", but the value given holds " +
            (value.strings ? "strings" : "numbers");
    return false;
  }
  if (group.isString()) {
    HostTensor bytes, lengths;
    if (!packStrings(*value.strings, group.name, bytes, lengths, error))
      return false;
    slots.push_back(std::move(bytes));
    slots.push_back(std::move(lengths));
    return true;
  }
  if (group.sequence) {
    static const std::vector<HostTensor> kNone;
    return packSequence(value.present ? value.tensors : kNone, group, slots, error);
  }
  if (!value.present) {
    slots.push_back(emptyTensor(group));
    return true;
  }
  if (value.tensors.size() != 1) {
    error = "'" + group.name + "' takes one tensor";
    return false;
  }
  slots.push_back(std::move(value.tensors[0])); // Not a second copy of the data.
  return true;
}

bool unpackValue(const SlotGroup &group, const HostTensor *slots, HostValue &value,
                 std::string &error) {
  value = HostValue();
  value.name = group.name;
  value.optional = group.optional;
  value.sequence = group.sequence;
  if (group.optional) {
    value.present = !slots[0].data.empty() && slots[0].data[0] != 0;
    ++slots;
    if (!value.present)
      return true; // The value slots of an absent optional hold nothing.
  }
  if (group.sequence)
    return unpackSequence(group.name, slots[0], slots[1], value.tensors, error);
  if (group.isString())
    return unpackStrings(group.name, slots[0], slots[1], value.strings.emplace(), error);
  value.tensors.push_back(slots[0]);
  value.tensors[0].name = group.name;
  return true;
}

bool readValueFile(const std::string &path, const SlotGroup &group, HostValue &value,
                   std::string &error) {
  value = HostValue();
  value.optional = group.optional;
  value.sequence = group.sequence;
  bool npy = endsWith(path, ".npy");
  if (group.isString())
    return readStrings(path, group, value, error);
  if (!group.sequence && (!group.optional || npy)) {
    value.tensors.emplace_back();
    if (!readTensorFile(path, value.tensors[0], error))
      return false;
    value.name = value.tensors[0].name;
    return true;
  }
  if (npy) {
    error = "'" + path + "' is a .npy file, but '" + group.name + "' is a " + group.kind() +
            ": give a .pb file holding " + (group.optional ? "an OptionalProto" : "a SequenceProto");
    return false;
  }
  if (group.optional)
    return readOptional(path, group, value, error);
  ::onnx::SequenceProto proto;
  if (!parseFile(path, proto, "a SequenceProto", error))
    return false;
  value.name = proto.name();
  return sequenceFromProto(path, proto, value.tensors, error);
}

bool writeValueFile(const std::string &path, const HostValue &value, std::string &error) {
  if (value.strings) {
    if (endsWith(path, ".npy")) {
      error = "cannot write string tensor '" + value.name + "' to '" + path +
              "': .npy cannot hold strings, use .pb";
      return false;
    }
    ::onnx::TensorProto proto;
    stringTensorToProto(*value.strings, value.name, proto);
    return writeFile(path, proto, error);
  }
  if (!value.optional && !value.sequence) {
    HostTensor t = value.tensors.at(0);
    t.name = value.name;
    return writeTensorFile(path, t, error);
  }
  if (!value.optional) {
    ::onnx::SequenceProto proto;
    sequenceToProto(value.name, value.tensors, proto);
    return writeFile(path, proto, error);
  }
  ::onnx::OptionalProto proto;
  proto.set_name(value.name);
  if (value.present && value.sequence) {
    proto.set_elem_type(::onnx::OptionalProto::SEQUENCE);
    sequenceToProto("", value.tensors, *proto.mutable_sequence_value());
  } else if (value.present) {
    proto.set_elem_type(::onnx::OptionalProto::TENSOR);
    HostTensor t = value.tensors.at(0);
    t.name.clear(); // As ONNX writes it: the name belongs to the optional.
    tensorToProto(t, *proto.mutable_tensor_value());
  }
  return writeFile(path, proto, error);
}

ValueCheck checkValue(const HostValue &actual, const HostValue &expected, double rtol,
                      double atol) {
  ValueCheck check;
  if (actual.strings || expected.strings) {
    if (actual.strings && expected.strings)
      check.failure = compareStrings(*actual.strings, *expected.strings);
    else
      check.failure = actual.strings ? "got strings, expected numbers"
                                     : "got numbers, expected strings";
    check.ok = check.failure.empty();
    return check;
  }
  if (actual.present != expected.present) {
    check.ok = false;
    check.failure = actual.present ? "the optional holds a value, but the expected one is absent"
                                   : "the optional is absent, but the expected one holds a value";
    return check;
  }
  if (actual.tensors.size() != expected.tensors.size()) {
    check.ok = false;
    check.failure = format("the sequence has %zu elements, expected %zu", actual.tensors.size(),
                           expected.tensors.size());
    return check;
  }
  size_t failing = 0;
  for (size_t i = 0; i < actual.tensors.size(); ++i) {
    Comparison c = compareTensors(actual.tensors[i], expected.tensors[i], rtol, atol);
    check.maxAbsError = std::max(check.maxAbsError, c.maxAbsError);
    if (c.ok)
      continue;
    if (failing++ == 0)
      check.failure = (actual.sequence ? format("element %zu: ", i) : std::string()) +
                      tensorFailure(actual.tensors[i], expected.tensors[i], c, rtol, atol);
    check.ok = false;
  }
  if (failing > 1)
    check.failure += format(" (%zu of %zu elements fail)", failing, actual.tensors.size());
  return check;
}

std::string formatValue(const HostValue &value) {
  std::string out = value.name + ": ";
  if (value.optional && !value.present)
    return out + "optional, absent\n";
  if (value.optional)
    out += "optional ";
  if (value.strings) {
    out += "string " + formatDims(value.strings->dims) + "\n";
    appendStringLines(out, *value.strings, "  ");
    return out;
  }
  if (!value.sequence) {
    const HostTensor &t = value.tensors.at(0);
    out += format("%s %s\n", smelt_dtype_name(t.dtype), formatDims(t.dims).c_str());
    appendTensorLines(out, t, "  ");
    return out;
  }
  out += format("sequence of %zu\n", value.tensors.size());
  for (size_t i = 0; i < value.tensors.size(); ++i) {
    const HostTensor &t = value.tensors[i];
    out += format("  #%zu: %s %s\n", i, smelt_dtype_name(t.dtype), formatDims(t.dims).c_str());
    appendTensorLines(out, t, "    ");
  }
  return out;
}

} // namespace smelt
