//===- DeviceSymbols.h - names shared by the GPU backend and the emitter -*- C++ -*-===//
//
// The host code of a model compiled for a GPU reaches the device through
// four functions that codegen/gpu calls and compiler/emit defines (around
// smelt_call.device, see smelt_device_api), and it hands the emitter the
// kernels' PTX and what goes into smelt_device_code as module attributes.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_GPU_DEVICESYMBOLS_H
#define SMELT_CODEGEN_GPU_DEVICESYMBOLS_H

namespace smelt {

/// void (i32 kernel, ptr grid, ptr block, i32 shared_bytes, ptr params)
inline constexpr const char kDeviceLaunchFn[] = "__smelt_device_launch";
/// void (ptr dst, ptr src, i64 bytes)
inline constexpr const char kDeviceCopyFn[] = "__smelt_device_copy";
/// ptr (i64 bytes): device memory, null when out of memory. No library
/// calls it yet: the entry point has no way out of a failed one, so models
/// that would allocate device memory at run time are refused (Compile.cpp).
inline constexpr const char kDeviceAllocFn[] = "__smelt_device_alloc";
/// void (ptr)
inline constexpr const char kDeviceReleaseFn[] = "__smelt_device_release";

/// Module attributes: the kernels' PTX (string), their names in launch
/// index order (array of strings), the GPU architecture ("sm_80"), and the
/// constant globals whose data lives on the device (array of symbol refs).
inline constexpr const char kDeviceImageAttr[] = "smelt.device_image";
inline constexpr const char kDeviceKernelsAttr[] = "smelt.device_kernels";
inline constexpr const char kDeviceArchAttr[] = "smelt.device_arch";
inline constexpr const char kDeviceConstantsAttr[] = "smelt.device_constants";

/// A kernel run on the host (smelt-gpu-kernels-on-host) takes, after its own
/// arguments, this many index values: the block id, thread id, block size
/// and grid size, x y z each, in that order.
inline constexpr unsigned kKernelIdArguments = 12;

} // namespace smelt

#endif // SMELT_CODEGEN_GPU_DEVICESYMBOLS_H
