//===- Signature.h - a compiled model's inputs and outputs ------*- C++ -*-===//
//
// The model's signature as the ABI exports it (names, dtypes, dims, slot
// roles, dim names, doc strings) and its metadata, read from func @main and
// the module while its types are still tensors, i.e. before lowering.
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
  std::vector<std::string> dimNames; ///< one per dim ("" unnamed), or empty: none named
  std::string docString;
  int64_t numElements() const;
};

/// What the ONNX model says about itself (module attribute onnx.metadata,
/// see compiler/import/ModelMetadata.h).
struct ModelMetadata {
  std::string producerName, producerVersion, domain, docString, graphDocString;
  int64_t modelVersion = 0;
  std::vector<std::pair<std::string, std::string>> props; ///< metadata_props, in order
  std::vector<std::pair<std::string, int64_t>> opsets;    ///< opset_import: domain, version
};

/// How smelt compiled the model; filled in by the compile driver.
struct BuildInfo {
  std::string compiler;       ///< "smelt <version>"
  std::string triple, cpu;
  std::string isa;            ///< "x86_64 avx avx2 ...": what the code needs (P_isa)
  std::string options;        ///< the options that shaped the code, as typed
};

/// The arg/result attribute that marks a slot's role; absent means a tensor.
inline constexpr const char *kAbiRoleAttr = "smelt.abi_role";

struct ModelSignature {
  std::string graphName;
  int64_t opset = 0;
  std::vector<TensorSignature> inputs;
  std::vector<TensorSignature> outputs;
  ModelMetadata metadata;
  BuildInfo build;

  /// True when some input or output dim is only known at run time: the model
  /// then uses memref descriptors instead of bare pointers.
  bool hasDynamicDims() const;
};

/// Reads the signature of func @main and the module's onnx.metadata. Fails (with a diagnostic) on values
/// the ABI cannot carry: non-tensors, unranked tensors, string elements (a
/// string tensor crosses as uint8 "string_bytes" and int64 "string_lengths"
/// slots), and on an unknown `smelt.abi_role`.
mlir::FailureOr<ModelSignature> captureSignature(mlir::ModuleOp module);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_SIGNATURE_H
