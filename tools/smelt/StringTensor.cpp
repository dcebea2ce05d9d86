//===- StringTensor.cpp - string tensors for smelt run --------------------===//
#include "tools/smelt/StringTensor.h"

#include "smelt/runtime.h"

#include <onnx/onnx_pb.h>

#include <cstring>

namespace smelt {

namespace {

/// The number of elements of `dims`; false if a dim is negative or the
/// product overflows (file dims are not trusted).
bool elementCount(const std::vector<int64_t> &dims, int64_t &count) {
  count = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(count, d, &count))
      return false;
  return true;
}

/// The length of the multi-byte UTF-8 sequence at s[i], or 0 if there is
/// none. Checks lead and continuation bytes only: enough to keep printing
/// readable without passing stray bytes to the terminal.
size_t utf8SequenceLength(const std::string &s, size_t i) {
  unsigned char lead = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  if (lead >= 0xC2 && lead <= 0xDF)
    n = 2;
  else if (lead >= 0xE0 && lead <= 0xEF)
    n = 3;
  else if (lead >= 0xF0 && lead <= 0xF4)
    n = 4;
  if (n == 0 || i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
      return 0;
  return n;
}

} // namespace

bool stringTensorFromProto(const ::onnx::TensorProto &proto, StringTensor &t,
                           std::string &error) {
  if (proto.data_type() != SMELT_DTYPE_STRING) {
    error = std::string("expected a tensor of strings, but it holds ") +
            smelt_dtype_name(proto.data_type());
    return false;
  }
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  int64_t count;
  if (!elementCount(t.dims, count) || count != proto.string_data_size()) {
    error = "it holds " + std::to_string(proto.string_data_size()) +
            " strings, but its shape is " + formatDims(t.dims);
    return false;
  }
  t.strings.assign(proto.string_data().begin(), proto.string_data().end());
  return true;
}

void stringTensorToProto(const StringTensor &t, const std::string &name,
                         ::onnx::TensorProto &proto) {
  proto.set_name(name);
  proto.set_data_type(SMELT_DTYPE_STRING);
  for (int64_t d : t.dims)
    proto.add_dims(d);
  for (const std::string &s : t.strings)
    proto.add_string_data(s);
}

bool packStrings(const StringTensor &t, const std::string &name, HostTensor &bytes,
                 HostTensor &lengths, std::string &error) {
  int64_t count;
  if (!elementCount(t.dims, count) || count != static_cast<int64_t>(t.strings.size())) {
    error = "string tensor '" + name + "': " + std::to_string(t.strings.size()) +
            " strings for shape " + formatDims(t.dims);
    return false;
  }
  bytes = HostTensor();
  bytes.dtype = SMELT_DTYPE_UINT8;
  lengths = HostTensor();
  lengths.dtype = SMELT_DTYPE_INT64;
  lengths.dims = t.dims;
  for (const std::string &s : t.strings) {
    bytes.data.insert(bytes.data.end(), s.begin(), s.end());
    int64_t length = static_cast<int64_t>(s.size());
    lengths.data.insert(lengths.data.end(), reinterpret_cast<const char *>(&length),
                        reinterpret_cast<const char *>(&length) + sizeof length);
  }
  bytes.dims = {static_cast<int64_t>(bytes.data.size())};
  return true;
}

bool unpackStrings(const std::string &name, const HostTensor &bytes, const HostTensor &lengths,
                   StringTensor &t, std::string &error) {
  std::string prefix = "string tensor '" + name + "': ";
  int64_t count;
  if (bytes.dtype != SMELT_DTYPE_UINT8 || bytes.dims.size() != 1 ||
      lengths.dtype != SMELT_DTYPE_INT64 || !elementCount(lengths.dims, count) ||
      lengths.data.size() / sizeof(int64_t) != static_cast<uint64_t>(count) ||
      lengths.data.size() % sizeof(int64_t)) {
    error = prefix + "expected uint8 [n] bytes and int64 lengths, got " +
            smelt_dtype_name(bytes.dtype) + " " + formatDims(bytes.dims) + " and " +
            smelt_dtype_name(lengths.dtype) + " " + formatDims(lengths.dims) + " (" +
            std::to_string(lengths.data.size()) + " bytes of lengths)";
    return false;
  }
  t.dims = lengths.dims;
  t.strings.clear();
  size_t offset = 0;
  for (int64_t i = 0; i < count; ++i) {
    int64_t length;
    std::memcpy(&length, lengths.data.data() + i * sizeof length, sizeof length);
    if (length < 0 || static_cast<uint64_t>(length) > bytes.data.size() - offset) {
      error = prefix + "string " + std::to_string(i) + " has length " + std::to_string(length) +
              ", which its " + std::to_string(bytes.data.size()) + " bytes cannot hold";
      return false;
    }
    t.strings.emplace_back(bytes.data.data() + offset, static_cast<size_t>(length));
    offset += static_cast<size_t>(length);
  }
  if (offset != bytes.data.size()) {
    error = prefix + "its lengths cover " + std::to_string(offset) + " of its " +
            std::to_string(bytes.data.size()) + " bytes";
    return false;
  }
  return true;
}

std::string compareStrings(const StringTensor &actual, const StringTensor &expected) {
  if (actual.dims != expected.dims || actual.strings.size() != expected.strings.size())
    return "shape differs from the expected tensor (got string " + formatDims(actual.dims) +
           ", expected string " + formatDims(expected.dims) + ")";
  size_t differing = 0, first = 0;
  for (size_t i = 0; i < actual.strings.size(); ++i)
    if (actual.strings[i] != expected.strings[i] && differing++ == 0)
      first = i;
  if (differing == 0)
    return "";
  return std::to_string(differing) + " of " + std::to_string(expected.strings.size()) +
         " strings differ (first at " + std::to_string(first) + ": got " +
         quoteString(actual.strings[first]) + ", expected " +
         quoteString(expected.strings[first]) + ")";
}

std::string quoteString(const std::string &s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (size_t n = c >= 0x80 ? utf8SequenceLength(s, i) : 0) {
      out.append(s, i, n);
      i += n - 1;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

} // namespace smelt
