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

namespace smelt {

/// The allocation (or argument) a buffer views, through view ops.
mlir::Value bufferRoot(mlir::Value buffer);

/// The roots of `func`'s buffers that live on the device.
llvm::DenseSet<mlir::Value> deviceBuffers(mlir::func::FuncOp func);

/// Whether host code that reads or writes `buffer`'s elements touches
/// device memory: its root is a device buffer, or not an allocation of the
/// function (then it cannot be told apart).
bool isDeviceMemory(mlir::Value buffer, const llvm::DenseSet<mlir::Value> &device);

} // namespace smelt

#endif // SMELT_CODEGEN_GPU_DEVICEBUFFERS_H
