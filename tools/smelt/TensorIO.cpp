//===- TensorIO.cpp - tensors from and to .pb and .npy files --------------===//
#include "tools/smelt/TensorIO.h"

#include "compiler/import/TensorImport.h"
#include "smelt/runtime.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <type_traits>

namespace smelt {

namespace {

/// Opens `path` for binary reading; false with `error` set if it cannot.
bool openForReading(const std::string &path, std::ifstream &in, std::string &error) {
  in.open(path, std::ios::binary);
  if (!in)
    error = "cannot read '" + path + "'";
  return static_cast<bool>(in);
}

bool readFile(const std::string &path, std::string &bytes, std::string &error) {
  std::ifstream in;
  if (!openForReading(path, in, error))
    return false;
  // Straight into `bytes`: a string stream would hold a second copy.
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size >= 0) {
    bytes.resize(static_cast<size_t>(size));
    if (in.read(bytes.data(), size))
      return true;
  }
  error = "cannot read '" + path + "'";
  return false;
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// --- .npy (format version 1.0/2.0, little-endian, C order) -------------------

const std::map<std::string, int32_t> &npyDescrs() {
  static const std::map<std::string, int32_t> kMap = {
      {"<f4", SMELT_DTYPE_FLOAT32}, {"<f8", SMELT_DTYPE_FLOAT64}, {"<f2", SMELT_DTYPE_FLOAT16},
      {"|i1", SMELT_DTYPE_INT8},    {"<i2", SMELT_DTYPE_INT16},   {"<i4", SMELT_DTYPE_INT32},
      {"<i8", SMELT_DTYPE_INT64},   {"|u1", SMELT_DTYPE_UINT8},   {"<u2", SMELT_DTYPE_UINT16},
      {"<u4", SMELT_DTYPE_UINT32},  {"<u8", SMELT_DTYPE_UINT64},  {"|b1", SMELT_DTYPE_BOOL}};
  return kMap;
}

bool readNpy(const std::string &path, const std::string &bytes, HostTensor &t, std::string &error) {
  auto fail = [&](const std::string &why) {
    error = "'" + path + "' is not a supported .npy file: " + why;
    return false;
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return fail("bad magic");
  size_t headerLen, headerStart;
  if (bytes[6] == 1) {
    headerLen = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
    headerStart = 10;
  } else {
    if (bytes.size() < 12)
      return fail("truncated header");
    uint32_t len;
    std::memcpy(&len, bytes.data() + 8, 4);
    headerLen = len;
    headerStart = 12;
  }
  if (headerStart + headerLen > bytes.size())
    return fail("truncated header");
  std::string header = bytes.substr(headerStart, headerLen);
  auto field = [&](const std::string &key) -> std::string {
    size_t k = header.find("'" + key + "'");
    if (k == std::string::npos)
      return "";
    size_t colon = header.find(':', k);
    return colon == std::string::npos ? "" : header.substr(colon + 1);
  };
  std::string descr = field("descr");
  size_t q1 = descr.find('\''), q2 = descr.find('\'', q1 + 1);
  if (q1 == std::string::npos || q2 == std::string::npos)
    return fail("no descr");
  auto it = npyDescrs().find(descr.substr(q1 + 1, q2 - q1 - 1));
  if (it == npyDescrs().end())
    return fail("unsupported dtype " + descr.substr(q1 + 1, q2 - q1 - 1));
  t.dtype = it->second;
  if (field("fortran_order").find("True") < field("fortran_order").find(','))
    return fail("Fortran order");
  std::string shape = field("shape");
  size_t open = shape.find('('), close = shape.find(')');
  if (open == std::string::npos || close == std::string::npos)
    return fail("no shape");
  std::stringstream dims(shape.substr(open + 1, close - open - 1));
  std::string item;
  t.dims.clear();
  while (std::getline(dims, item, ','))
    if (item.find_first_not_of(" ") != std::string::npos)
      t.dims.push_back(std::stoll(item));
  size_t need = t.numElements() * smelt_dtype_size(t.dtype), start = headerStart + headerLen;
  if (bytes.size() - start != need)
    return fail("data size does not match shape");
  t.data.assign(bytes.begin() + start, bytes.end());
  return true;
}

bool writeNpy(const std::string &path, const HostTensor &t, std::string &error) {
  std::string descr;
  for (const auto &[d, dtype] : npyDescrs())
    if (dtype == t.dtype)
      descr = d;
  if (descr.empty()) {
    error = "cannot write dtype " + std::to_string(t.dtype) + " to .npy";
    return false;
  }
  std::string shape = "(";
  for (int64_t d : t.dims)
    shape += std::to_string(d) + ",";
  if (t.dims.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  uint16_t len = static_cast<uint16_t>(header.size());
  out.write("\x93NUMPY\x01\x00", 8);
  out.write(reinterpret_cast<const char *>(&len), 2);
  out << header;
  out.write(t.data.data(), t.data.size());
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

// --- .pb (onnx.TensorProto) ----------------------------------------------------

/// Parsed from the stream: the file's bytes are not held next to the
/// proto's copy of them and the tensor's (with linear-768x3072's 9 MB input,
/// smelt bench's memory growth went from 27 to 18 MB).
bool readPb(const std::string &path, HostTensor &t, std::string &error) {
  std::ifstream in;
  if (!openForReading(path, in, error))
    return false;
  ::onnx::TensorProto proto;
  if (!proto.ParseFromIstream(&in)) {
    error = "'" + path + "' is not a TensorProto file";
    return false;
  }
  if (!tensorFromProto(proto, t, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  return true;
}

bool writePb(const std::string &path, const HostTensor &t, std::string &error) {
  ::onnx::TensorProto proto;
  tensorToProto(t, proto);
  std::ofstream out(path, std::ios::binary);
  if (!proto.SerializeToOstream(&out)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v = exp == 0    ? std::ldexp(static_cast<float>(mant), -24)
            : exp == 31 ? (mant ? NAN : INFINITY)
                        : std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

} // namespace

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::string formatDims(const std::vector<int64_t> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

bool tensorFromProto(const ::onnx::TensorProto &proto, HostTensor &t, std::string &error) {
  t.name = proto.name();
  t.dtype = proto.data_type();
  t.dims.assign(proto.dims().begin(), proto.dims().end());
  size_t width = smelt_dtype_size(t.dtype);
  if (width == 0) {
    // Strings reach here only where the model takes numbers (or in a
    // sequence or optional, which cannot carry them).
    error = t.dtype == SMELT_DTYPE_STRING
                ? std::string("it holds strings, where the model takes numbers")
                : "unsupported tensor element type " + std::to_string(t.dtype);
    return false;
  }
  return decodeTensorData(proto, width, t.numElements(), t.data, error);
}

void tensorToProto(const HostTensor &t, ::onnx::TensorProto &proto) {
  proto.set_name(t.name);
  proto.set_data_type(t.dtype);
  for (int64_t d : t.dims)
    proto.add_dims(d);
  proto.set_raw_data(t.data.data(), t.data.size());
}

bool readTensorFile(const std::string &path, HostTensor &tensor, std::string &error) {
  if (!endsWith(path, ".npy"))
    return readPb(path, tensor, error);
  std::string bytes;
  return readFile(path, bytes, error) && readNpy(path, bytes, tensor, error);
}

bool writeTensorFile(const std::string &path, const HostTensor &tensor, std::string &error) {
  return endsWith(path, ".npy") ? writeNpy(path, tensor, error) : writePb(path, tensor, error);
}

namespace {

/// Calls `visit` with element `i` of `t` as its native C++ type; float16 and
/// bfloat16 arrive widened to float. Unknown dtypes give visit(0.0).
template <typename Visitor>
auto visitElement(const HostTensor &t, int64_t i, Visitor &&visit) {
  const char *p = t.data.data() + i * smelt_dtype_size(t.dtype);
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (t.dtype) {
  case SMELT_DTYPE_FLOAT32: return visit(load(float()));
  case SMELT_DTYPE_FLOAT64: return visit(load(double()));
  case SMELT_DTYPE_INT8: return visit(load(int8_t()));
  case SMELT_DTYPE_INT16: return visit(load(int16_t()));
  case SMELT_DTYPE_INT32: return visit(load(int32_t()));
  case SMELT_DTYPE_INT64: return visit(load(int64_t()));
  case SMELT_DTYPE_UINT8: case SMELT_DTYPE_BOOL: return visit(load(uint8_t()));
  case SMELT_DTYPE_UINT16: return visit(load(uint16_t()));
  case SMELT_DTYPE_UINT32: return visit(load(uint32_t()));
  case SMELT_DTYPE_UINT64: return visit(load(uint64_t()));
  case SMELT_DTYPE_FLOAT16: return visit(halfToFloat(load(uint16_t())));
  case SMELT_DTYPE_BFLOAT16: {
    uint32_t bits = static_cast<uint32_t>(load(uint16_t())) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return visit(f);
  }
  default: return visit(0.0);
  }
}

} // namespace

double elementAsDouble(const HostTensor &t, int64_t i) {
  return visitElement(t, i, [](auto v) { return static_cast<double>(v); });
}

std::string elementAsText(const HostTensor &t, int64_t i) {
  return visitElement(t, i, [](auto v) -> std::string {
    if constexpr (std::is_integral_v<decltype(v)>)
      return std::to_string(v); // exact, where %g would round large integers
    char text[32];
    std::snprintf(text, sizeof text, "%.7g", static_cast<double>(v));
    return text;
  });
}

bool comparesExactly(int32_t dtype) {
  switch (dtype) {
  case SMELT_DTYPE_UINT8:
  case SMELT_DTYPE_INT8:
  case SMELT_DTYPE_UINT16:
  case SMELT_DTYPE_INT16:
  case SMELT_DTYPE_INT32:
  case SMELT_DTYPE_INT64:
  case SMELT_DTYPE_BOOL:
  case SMELT_DTYPE_UINT32:
  case SMELT_DTYPE_UINT64: return true;
  default: return false;
  }
}

Comparison compareTensors(const HostTensor &actual, const HostTensor &expected, double rtol,
                          double atol) {
  Comparison c;
  if (actual.dtype != expected.dtype || actual.dims != expected.dims) {
    c.ok = false;
    c.message = "dtype or shape differs from the expected tensor";
    return c;
  }
  bool exact = comparesExactly(actual.dtype);
  size_t elementBytes = smelt_dtype_size(actual.dtype);
  auto mismatch = [&](int64_t i) {
    if (c.firstMismatch < 0)
      c.firstMismatch = i;
    ++c.mismatches;
    c.ok = false;
  };
  for (int64_t i = 0; i < actual.numElements(); ++i) {
    if (exact) {
      const char *pa = actual.data.data() + i * elementBytes;
      const char *pe = expected.data.data() + i * elementBytes;
      if (std::memcmp(pa, pe, elementBytes) != 0) {
        double err = std::fabs(elementAsDouble(actual, i) - elementAsDouble(expected, i));
        c.maxAbsError = std::max(c.maxAbsError, std::max(err, 1.0));
        mismatch(i);
      }
      continue;
    }
    double a = elementAsDouble(actual, i), e = elementAsDouble(expected, i);
    if (std::isnan(a) && std::isnan(e))
      continue;
    double err = std::fabs(a - e);
    if (std::isinf(e) && a == e)
      err = 0;
    if (std::isnan(err))
      err = INFINITY;
    c.maxAbsError = std::max(c.maxAbsError, err);
    if (!(err <= atol + rtol * std::fabs(e)))
      mismatch(i);
  }
  return c;
}

} // namespace smelt
