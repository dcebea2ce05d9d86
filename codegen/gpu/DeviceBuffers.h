//===- DeviceBuffers.h - which buffers of host code live on the GPU -*- C++ -*-===//
//
// After the kernels are outlined, a host function's buffers fall in two
// kinds: those a kernel touches and the function's arguments (the model's
// inputs and outputs) live on the device; the others, such as the shape
// operands of memref.reshape, on the host.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_GPU_DEVICEBUFFERS_H
#define SMELT_CODEGEN_GPU_DEVICEBUFFERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"

#include <optional>

namespace smelt {

/// The roots of `func`'s buffers that live on the device.
llvm::DenseSet<mlir::Value> deviceBuffers(mlir::func::FuncOp func);

/// Whether host code that reads or writes `buffer`'s elements touches
/// device memory: its root is a device buffer, or not an allocation of the
/// function (then it cannot be told apart).
bool isDeviceMemory(mlir::Value buffer, const llvm::DenseSet<mlir::Value> &device);

/// The buffer whose elements `op` reads or writes one at a time (a load,
/// store or atomic update), if it is such an op.
std::optional<mlir::Value> elementAccessBuffer(mlir::Operation *op);

} // namespace smelt

#endif // SMELT_CODEGEN_GPU_DEVICEBUFFERS_H
