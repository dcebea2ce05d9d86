//===- StringTensor.h - string tensors for smelt run ------------*- C++ -*-===//
//
// An ONNX string tensor crosses the model ABI as two slots (smelt_slot_role
// in smelt/model_abi.h): string_bytes, the UTF-8 bytes of all its strings
// concatenated row-major, and string_lengths, an int64 tensor of its shape
// holding each string's byte length. This file holds string tensors on the
// host (HostTensor holds dense numbers only), packs them into those slots and
// back, reads and writes TensorProto string_data, and compares and quotes
// strings for --check and --print.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_STRINGTENSOR_H
#define SMELT_TOOLS_SMELT_STRINGTENSOR_H

#include "tools/smelt/TensorIO.h"

#include <cstdint>
#include <string>
#include <vector>

namespace smelt {

struct StringTensor {
  std::vector<int64_t> dims;
  std::vector<std::string> strings; ///< one per element, row-major, UTF-8
};

/// Decodes a TensorProto of data_type STRING. False with `error` set (not
/// naming a file) if it holds another type, or not one string per element.
bool stringTensorFromProto(const ::onnx::TensorProto &proto, StringTensor &tensor,
                           std::string &error);
/// Encodes `tensor` as a TensorProto named `name` with string_data.
void stringTensorToProto(const StringTensor &tensor, const std::string &name,
                         ::onnx::TensorProto &proto);

/// The string_bytes and string_lengths slots holding `tensor`. False with
/// `error` set if it does not hold one string per element; `name` names the
/// value in messages.
bool packStrings(const StringTensor &tensor, const std::string &name, HostTensor &bytes,
                 HostTensor &lengths, std::string &error);
/// Rebuilds a string tensor from its slots. False with `error` set if the
/// lengths do not split the bytes exactly (they come from the model).
bool unpackStrings(const std::string &name, const HostTensor &bytes, const HostTensor &lengths,
                   StringTensor &tensor, std::string &error);

/// Why `actual` is not `expected`, e.g. `2 of 3 strings differ (first at 1:
/// got "a", expected "b")`, or "" if they hold the same strings in the same
/// shape.
std::string compareStrings(const StringTensor &actual, const StringTensor &expected);

/// `s` in double quotes, C-style escapes for quotes, backslashes, control
/// characters and bytes that are not UTF-8; other UTF-8 stays readable.
std::string quoteString(const std::string &s);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_STRINGTENSOR_H
