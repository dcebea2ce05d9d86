//===- Signature.h - a compiled model's inputs and outputs ------*- C++ -*-===//
//
// The model's signature as the ABI exports it (names, dtypes, dims, slot
// roles), read from func @main while its types are still tensors, i.e. before
// lowering.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_SIGNATURE_H
#define SMELT_COMPILER_EMIT_SIGNATURE_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace smelt {

/// One ABI slot. Slots of a sequence, optional or string tensor graph value
/// share its name and differ in role (see smelt_slot_role in model_abi.h).
struct TensorSignature {
  std::string name;
  int32_t dtype = 0;          ///< smelt_dtype (ONNX TensorProto.DataType numbering)
  std::vector<int64_t> dims;  ///< -1 where dynamic
  int32_t role = 0;           ///< smelt_slot_role, from the `smelt.abi_role` attribute
  int64_t numElements() const;
};

/// The arg/result attribute that marks a slot's role; absent means a tensor.
inline constexpr const char *kAbiRoleAttr = "smelt.abi_role";

struct ModelSignature {
  std::string graphName;
  int64_t opset = 0;
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> outputs;

  /// True when some input or output dim is only known at run time: the model
  /// then uses memref descriptors instead of bare pointers.
  bool hasDynamicDims() const;
};

/// Reads the signature of func @main. Fails (with a diagnostic) on values
/// the ABI cannot carry: non-tensors, unranked tensors, string elements (a
/// string tensor crosses as uint8 "string_bytes" and int64 "string_lengths"
/// slots), and on an unknown `smelt.abi_role`.
mlir::FailureOr<ModelSignature> captureSignature(mlir::ModuleOp module);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_SIGNATURE_H
