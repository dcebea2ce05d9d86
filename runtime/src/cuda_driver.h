/* cuda_driver.h - the part of the CUDA driver API the runtime uses, and a
 * GPU model's state; not installed.
 *
 * The runtime builds and runs without CUDA: the few driver types, constants
 * and functions it needs are declared here as the driver's cuda.h declares
 * them, and libcuda.so.1 is opened with dlopen when the first GPU model is
 * (cuda_driver.c). Functions are looked up by the names the driver exports,
 * which for some are `_v2` versions (cuda.h maps cuMemAlloc to cuMemAlloc_v2
 * with a macro, which a dlsym does not see). cuda.c opens and closes a
 * model's device state, cuda_run.c runs it.
 */
#ifndef SMELT_RUNTIME_CUDA_DRIVER_H
#define SMELT_RUNTIME_CUDA_DRIVER_H

#include <stddef.h>

#include "internal.h"

/* As cuda.h declares them (CUDA 12 and 13; these have not changed since
 * CUDA 4): CUresult and CUjit_option are enums, int-sized. */
typedef int CUresult;
typedef int CUdevice;
typedef int CUjit_option;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;

#define CUDA_SUCCESS 0
#define CUDA_ERROR_OUT_OF_MEMORY 2
#define CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR 75
#define CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR 76
#define CU_JIT_ERROR_LOG_BUFFER 5
#define CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES 6
#define CU_POINTER_ATTRIBUTE_MEMORY_TYPE 2
#define CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL 9
#define CU_MEMORYTYPE_DEVICE 2
/* The special stream handles, which belong to whatever context is current. */
#define CU_STREAM_LEGACY ((CUstream)0x1)
#define CU_STREAM_PER_THREAD ((CUstream)0x2)

/** The driver's functions, looked up once. All memory is addressed through
 *  unified virtual addressing (every 64-bit Linux GPU has it), so cuMemcpy
 *  copies in any direction, host pointers included, on the legacy default
 *  stream: after the kernels launched before it, and it returns once a host
 *  destination holds the bytes. */
typedef struct smelt_cuda_driver {
  CUresult (*cuInit)(unsigned flags);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDeviceGetName)(char *name, int length, CUdevice device);
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context, CUdevice device);
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device);
  CUresult (*cuCtxPushCurrent)(CUcontext context);
  CUresult (*cuCtxPopCurrent)(CUcontext *context);
  CUresult (*cuCtxSynchronize)(void);
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image, unsigned num_options,
                                 CUjit_option *options, void **option_values);
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module, const char *name);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuMemAlloc)(CUdeviceptr *pointer, size_t bytes);
  CUresult (*cuMemFree)(CUdeviceptr pointer);
  CUresult (*cuMemcpy)(CUdeviceptr dst, CUdeviceptr src, size_t bytes);
  /* For runs on the caller's device memory and stream: */
  CUresult (*cuMemcpyAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuStreamGetCtx)(CUstream stream, CUcontext *context);
  CUresult (*cuPointerGetAttribute)(void *data, int attribute, CUdeviceptr pointer);
  CUresult (*cuMemGetAddressRange)(CUdeviceptr *base, size_t *bytes, CUdeviceptr pointer);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned grid_x, unsigned grid_y,
                             unsigned grid_z, unsigned block_x, unsigned block_y,
                             unsigned block_z, unsigned shared_bytes, CUstream stream,
                             void **params, void **extra);
  CUresult (*cuGetErrorName)(CUresult error, const char **name);
  CUresult (*cuGetErrorString)(CUresult error, const char **text);
} smelt_cuda_driver;

/** The driver, loaded on first use and kept for the life of the process;
 *  NULL when libcuda.so.1 cannot be loaded or lacks a function, with the
 *  reason (the dynamic loader's words) in `why`. */
const smelt_cuda_driver *smelt_cuda_driver_load(char *why, size_t size);

/** A failed driver call as a status, the one way every message about one
 *  is built: code smelt_cuda_code(result), message "model '<model_name>':
 *  <what>: CUDA driver: <function> failed: <NAME> (<description>)", where
 *  <what> is printf-formatted from `fmt`, e.g. "model 'm': kernel 'k' (#0)
 *  on 4x1x1 blocks of 256x1x1 threads: CUDA driver: cuLaunchKernel failed:
 *  CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)". */
smelt_status *smelt_cuda_failure(const smelt_cuda_driver *cu, const char *model_name,
                                 const char *function, CUresult result, const char *fmt, ...)
    SMELT_PRINTF(5, 6);

/** Writes "CUDA driver: <function> failed: <NAME> (<description>)" into
 *  `buf`: for the one message whose driver words are followed by more (the
 *  JIT log of cuModuleLoadDataEx); every other uses smelt_cuda_failure. */
void smelt_cuda_describe(const smelt_cuda_driver *cu, const char *function, CUresult result,
                         char *buf, size_t size);

/** The smelt_code a failed driver call stands for: SMELT_ERR_OUT_OF_MEMORY
 *  for CUDA_ERROR_OUT_OF_MEMORY, else SMELT_ERR_DEVICE. */
int smelt_cuda_code(CUresult result);

/** Room for a smelt_cuda_describe text. */
#define SMELT_CUDA_MESSAGE 320

/** A device pointer as a host pointer (they share one address space). */
#define SMELT_CUDA_PTR(p) ((void *)(uintptr_t)(p))
#define SMELT_CUDA_ADDR(p) ((CUdeviceptr)(uintptr_t)(p))

/** What an open GPU model holds on its device (smelt_model.device). */
struct smelt_cuda_model {
  const smelt_cuda_driver *cu;
  int ordinal;           /**< the GPU's index (SMELT_CUDA_DEVICE) */
  CUdevice device;
  CUcontext context;     /**< the GPU's primary context, retained */
  CUmodule module;       /**< the model's PTX, JIT-compiled */
  CUfunction *kernels;   /**< smelt_device_code.num_kernels, by index */
  CUdeviceptr constants; /**< the device copy of the constants; 0 if none */
};

#endif /* SMELT_RUNTIME_CUDA_DRIVER_H */
