//===- ValueIO.h - graph values over ABI slots, and their files -*- C++ -*-===//
//
// A graph input or output of a compiled model is a tensor, a string tensor,
// a sequence of tensors or an optional of a tensor or sequence, and spans one
// to three consecutive ABI slots (smelt_slot_role in smelt/model_abi.h). For
// `smelt run`, this file groups a signature's slots into values, packs a
// value into its slots and unpacks it again, reads and writes values as
// ONNX's TensorProto, SequenceProto and OptionalProto files, and compares
// them for --check. Strings inside sequences and optionals are not supported.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_VALUEIO_H
#define SMELT_TOOLS_SMELT_VALUEIO_H

#include "tools/smelt/StringTensor.h"
#include "tools/smelt/TensorIO.h"

#include "smelt/model_abi.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smelt {

/// One graph value's run of slots in a signature.
struct SlotGroup {
  std::string name;
  size_t first = 0;     ///< index of the group's first slot
  size_t size = 1;      ///< number of slots: 1 to 3
  bool optional = false;
  bool sequence = false;
  /// Element dtype: of the tensor or sequence_data slot; SMELT_DTYPE_STRING
  /// for a string tensor.
  int32_t dtype = 0;
  /// A tensor: its slot's signature dims. A string tensor: its lengths slot's.
  /// A sequence: {element_rank} from its shapes slot, SMELT_DYNAMIC_DIM when
  /// that is dynamic.
  std::vector<int64_t> dims;

  /// A string tensor: [string_bytes, string_lengths].
  bool isString() const { return dtype == SMELT_DTYPE_STRING; }
  /// "tensor", "string tensor", "sequence", "optional tensor" or "optional
  /// sequence".
  std::string kind() const;
};

/// Splits `count` slots into graph values, in order. False with `error` set
/// if the roles do not form the groups smelt_slot_role describes (the
/// runtime's loader refuses such models already).
bool groupSlots(const smelt_tensor_info *slots, size_t count, std::vector<SlotGroup> &groups,
                std::string &error);

/// A graph value on the host.
struct HostValue {
  std::string name;
  bool optional = false;
  bool sequence = false;
  bool present = true;             ///< false only for an absent optional
  std::vector<HostTensor> tensors; ///< the tensor, or the sequence's elements; none if
                                   ///< absent or strings
  std::optional<StringTensor> strings; ///< set exactly for a string tensor
};

/// Appends the tensors of `group`'s slots holding `value` to `slots`: a
/// string tensor's bytes plus lengths, a sequence's elements concatenated
/// plus their shapes, a bool flag before an optional's value, and all-zero
/// dims for an absent one. Elements must share a dtype and a rank (the
/// model's element rank where it is static).
bool packValue(HostValue &&value, const SlotGroup &group, std::vector<HostTensor> &slots,
               std::string &error);

/// Rebuilds the value that `group`'s slots hold; `slots` points at the
/// group's first slot. False with `error` set if a sequence's shapes or a
/// string tensor's lengths do not match its data.
bool unpackValue(const SlotGroup &group, const HostTensor *slots, HostValue &value,
                 std::string &error);

/// Reads a value of `group`'s kind: a tensor from a TensorProto or .npy
/// file, a string tensor from a TensorProto of strings, a sequence from a
/// SequenceProto, an optional from an OptionalProto (no value: absent; an
/// optional tensor may also come from .npy). The value's name is the one
/// stored in the file, if any.
bool readValueFile(const std::string &path, const SlotGroup &group, HostValue &value,
                   std::string &error);

/// Writes a tensor as .npy or TensorProto (by `path`'s extension), a string
/// tensor as TensorProto (not .npy), a sequence as SequenceProto, an optional
/// as OptionalProto.
bool writeValueFile(const std::string &path, const HostValue &value, std::string &error);

struct ValueCheck {
  bool ok = true;
  double maxAbsError = 0;
  std::string failure; ///< why not ok, e.g. "element 1: 2 of 6 elements differ, ..."
};

/// compareTensors for every tensor of the values: presence and sequence
/// length must match, then each element within rtol/atol. String tensors
/// must match exactly (compareStrings).
ValueCheck checkValue(const HostValue &actual, const HostValue &expected, double rtol,
                      double atol);

/// A readable rendering: the name, kind, dtype and dims, and up to 32
/// elements of each tensor (strings quoted).
std::string formatValue(const HostValue &value);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_VALUEIO_H
