//===- RandomInputs.cpp - seeded random graph inputs ----------------------===//
#include "tools/smelt/RandomInputs.h"

#include "smelt/runtime.h"

#include <cstring>

namespace smelt {

namespace {

/// Uniform in [-1, 1): 24 random bits, so every value is exact in float.
double unitInterval(std::mt19937_64 &rng) {
  return static_cast<double>(rng() >> 40) * 0x1p-23 - 1.0;
}

/// IEEE half of a float in [-1, 1], rounding toward zero; values below
/// half's normal range become zero (random inputs need no subnormals).
uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  int exponent = static_cast<int>((bits >> 23) & 0xff) - 127 + 15;
  if (exponent <= 0)
    return sign;
  return static_cast<uint16_t>(sign | (exponent << 10) | ((bits & 0x7fffff) >> 13));
}

template <typename T> void store(char *p, T v) { std::memcpy(p, &v, sizeof v); }

/// Writes one random element of `dtype` at `p`; false for a dtype this file
/// does not know.
bool randomElement(int32_t dtype, std::mt19937_64 &rng, char *p) {
  uint64_t small = rng() % 4;
  switch (dtype) {
  case SMELT_DTYPE_FLOAT32: store(p, static_cast<float>(unitInterval(rng))); return true;
  case SMELT_DTYPE_FLOAT64: store(p, unitInterval(rng)); return true;
  case SMELT_DTYPE_FLOAT16:
    store(p, floatToHalf(static_cast<float>(unitInterval(rng))));
    return true;
  case SMELT_DTYPE_BFLOAT16: {
    float f = static_cast<float>(unitInterval(rng));
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    store(p, static_cast<uint16_t>(bits >> 16));
    return true;
  }
  case SMELT_DTYPE_BOOL: store(p, static_cast<uint8_t>(rng() & 1)); return true;
  case SMELT_DTYPE_INT8: store(p, static_cast<int8_t>(small)); return true;
  case SMELT_DTYPE_UINT8: store(p, static_cast<uint8_t>(small)); return true;
  case SMELT_DTYPE_INT16: store(p, static_cast<int16_t>(small)); return true;
  case SMELT_DTYPE_UINT16: store(p, static_cast<uint16_t>(small)); return true;
  case SMELT_DTYPE_INT32: store(p, static_cast<int32_t>(small)); return true;
  case SMELT_DTYPE_UINT32: store(p, static_cast<uint32_t>(small)); return true;
  case SMELT_DTYPE_INT64: store(p, static_cast<int64_t>(small)); return true;
  case SMELT_DTYPE_UINT64: store(p, small); return true;
  default: return false;
  }
}

} // namespace

bool randomInput(const SlotGroup &group, std::mt19937_64 &rng, HostValue &value,
                 std::string &error) {
  std::string hint = ": give it a file with -i " + group.name + "=FILE";
  if (group.size != 1 || group.optional || group.sequence || group.isString()) {
    error = "input '" + group.name + "' is a " + group.kind() +
            ", which smelt bench cannot make up" + hint;
    return false;
  }
  for (int64_t d : group.dims)
    if (d == SMELT_DYNAMIC_DIM) {
      std::string dims = "[";
      for (size_t i = 0; i < group.dims.size(); ++i)
        dims += (i ? "," : "") +
                (group.dims[i] == SMELT_DYNAMIC_DIM ? "?" : std::to_string(group.dims[i]));
      error = "input '" + group.name + "' has dynamic dims " + dims + "]" + hint +
              " (or compile with --shape)";
      return false;
    }
  HostTensor t;
  t.name = group.name;
  t.dtype = group.dtype;
  t.dims = group.dims;
  size_t width = smelt_dtype_size(t.dtype);
  t.data.resize(static_cast<size_t>(t.numElements()) * width);
  for (size_t offset = 0; offset < t.data.size(); offset += width)
    if (!randomElement(t.dtype, rng, t.data.data() + offset)) {
      error = "input '" + group.name + "' is " + smelt_dtype_name(t.dtype) +
              ", which smelt bench cannot make up" + hint;
      return false;
    }
  value = HostValue();
  value.name = group.name;
  value.tensors.push_back(std::move(t));
  return true;
}

} // namespace smelt
