//===- DeviceCode.h - a GPU model's kernels and device calls -----*- C++ -*-===//
//
// A model compiled for a GPU keeps its host code in the library; the GPU
// backend (codegen/gpu) leaves calls of __smelt_device_launch, _copy,
// _alloc and _release in it and the kernels' PTX in module attributes.
// This defines those calls over the smelt_device_api the running entry point
// received (kept in a thread-local for the length of the call), puts the
// constants kernels read into one blob that the caller copies to the device
// once, points host code at that copy, and describes it all in the model's
// smelt_device_code.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_DEVICECODE_H
#define SMELT_COMPILER_EMIT_DEVICECODE_H

#include "compiler/emit/AbiTypes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace smelt {

/// What the GPU backend left for the emitter.
struct DeviceImage {
  std::string arch;                   ///< "sm_80"
  std::string ptx;                    ///< the kernels
  std::vector<std::string> kernels;   ///< names in launch index order
  std::vector<std::string> constants; ///< globals whose data lives on the device
};

/// The device image in `module`'s attributes, or nullopt for a CPU model.
std::optional<DeviceImage> deviceImage(mlir::ModuleOp module);

/// Defines the device calls, moves the device constants into one blob whose
/// device copy host code addresses, and returns a pointer to the model's
/// smelt_device_code; an error when a device constant has no data.
llvm::Expected<llvm::Constant *> emitDeviceCode(llvm::Module &module, const AbiTypes &t,
                                                const DeviceImage &image);

/// In an entry point of a model with device code: returns
/// SMELT_ENTRY_BAD_ABI through `bad` when the call lends no device, else
/// makes call->device the one this thread's device calls use.
void emitSetDeviceApi(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t,
                      llvm::Value *call, llvm::BasicBlock *bad);
/// Forgets it again, before the entry point returns.
void emitClearDeviceApi(llvm::IRBuilder<> &b, llvm::Module &module, const AbiTypes &t);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_DEVICECODE_H
