//===- TensorIO.h - tensors from and to .pb and .npy files ------*- C++ -*-===//
//
// Host-side tensors for `smelt run`: ONNX TensorProto files (the backend test
// suite's format) and NumPy .npy files, plus the numpy-style closeness check
// used by --check.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_TENSORIO_H
#define SMELT_TOOLS_SMELT_TENSORIO_H

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace smelt {

struct HostTensor {
  std::string name;
  int32_t dtype = 0; ///< smelt_dtype
  std::vector<int64_t> dims;
  std::vector<char> data; ///< dense row-major, little-endian

  int64_t numElements() const;
};

/// Reads a .pb (TensorProto) or .npy file. False with `error` set on failure.
bool readTensorFile(const std::string &path, HostTensor &tensor, std::string &error);
bool writeTensorFile(const std::string &path, const HostTensor &tensor, std::string &error);

/// Decodes a TensorProto of numbers (any of its data encodings). False with
/// `error` set (not naming a file) if its element type (strings included:
/// see StringTensor.h) or data is unsupported.
bool tensorFromProto(const ::onnx::TensorProto &proto, HostTensor &tensor, std::string &error);
/// Encodes `tensor` as a TensorProto with raw_data.
void tensorToProto(const HostTensor &tensor, ::onnx::TensorProto &proto);

/// A shape as "[2,3]" ("[]" for a scalar), for messages.
std::string formatDims(const std::vector<int64_t> &dims);

/// The element at `i` as a double (for comparison and printing).
double elementAsDouble(const HostTensor &tensor, int64_t i);

/// The element at `i` as text: integers and booleans exactly (int64 past
/// 2^53 too), floats with 7 significant digits.
std::string elementAsText(const HostTensor &tensor, int64_t i);

struct Comparison {
  bool ok = true;
  double maxAbsError = 0;
  int64_t mismatches = 0;
  int64_t firstMismatch = -1;
  std::string message; ///< why the tensors cannot be compared (dtype/shape)
};

/// Whether elements of `dtype` are integers or booleans, which comparisons
/// take exactly, whatever the tolerances: an index off by one is wrong at
/// any magnitude, and int64 values past 2^53 are not exact as doubles.
bool comparesExactly(int32_t dtype);

/// numpy.testing.assert_allclose: |actual - expected| <= atol + rtol * |expected|,
/// NaN matching NaN, for floats; integers and booleans must be equal
/// (comparesExactly); dtypes and dims must agree.
Comparison compareTensors(const HostTensor &actual, const HostTensor &expected, double rtol,
                          double atol);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_TENSORIO_H
