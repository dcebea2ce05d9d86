/* cuda.c - opening and closing a GPU model's device side.
 *
 * When a model with device code is opened, the runtime loads the CUDA
 * driver, picks the GPU (SMELT_CUDA_DEVICE, default 0), checks that its
 * compute capability can run the model's PTX, retains the GPU's primary
 * context (the one the CUDA runtime and most libraries share), has the
 * driver JIT-compile the PTX, finds every kernel by name, and copies the
 * constants to the GPU once. Every failure names the model, the step and
 * the driver's own words; whatever was acquired before it is released,
 * and smelt_cuda_close releases the rest. cuda_run.c runs the model.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_driver.h"

/* Bytes of the driver's JIT error log kept for a message. */
#define JIT_LOG_BYTES 4096

/* A failed driver call: SMELT_ERR_DEVICE (or SMELT_ERR_OUT_OF_MEMORY),
 * "model 'm': <what>: CUDA driver: <function> failed: <NAME> (<text>)". */
static smelt_status *driver_failure(const smelt_model *model, const smelt_cuda_driver *cu,
                                    const char *what, const char *function, CUresult result) {
  char driver[SMELT_CUDA_MESSAGE];
  smelt_cuda_describe(cu, function, result, driver, sizeof driver);
  return smelt_make_status(smelt_cuda_code(result), "model '%s': %s: %s",
                           model->display_name, what, driver);
}

/* The GPU that SMELT_CUDA_DEVICE names (default 0) among `count`. */
static smelt_status *pick_gpu(const smelt_model *model, int count, int *ordinal) {
  const char *env = getenv("SMELT_CUDA_DEVICE");
  *ordinal = 0;
  if (env && *env) {
    char *end;
    long n = strtol(env, &end, 10);
    if (*end != '\0' || n < 0 || n >= count)
      return smelt_make_status(SMELT_ERR_DEVICE,
                               "model '%s': SMELT_CUDA_DEVICE=%s names no GPU: the CUDA "
                               "driver finds %d (numbered from 0)",
                               model->display_name, env, count);
    *ordinal = (int)n;
  }
  return NULL;
}

/* Checks that the GPU's compute capability runs PTX compiled for `arch`:
 * the same or a newer one (the driver JIT-compiles PTX forward), but for
 * an architecture-specific target ("sm_90a") exactly that one, and for a
 * family-specific one ("sm_100f") one of that major version. */
static smelt_status *check_arch(const smelt_model *model, const struct smelt_cuda_model *dev,
                                const char *arch) {
  const smelt_cuda_driver *cu = dev->cu;
  int major = 0, minor = 0, need_major, need_minor;
  char suffix;
  CUresult r = cu->cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                        dev->device);
  if (r == CUDA_SUCCESS)
    r = cu->cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                 dev->device);
  if (r != CUDA_SUCCESS)
    return driver_failure(model, cu, "cannot read the GPU's compute capability",
                        "cuDeviceGetAttribute", r);
  smelt_parse_gpu_arch(arch, &need_major, &need_minor, &suffix); /* validated */
  int runs = suffix == 'a'   ? major == need_major && minor == need_minor
             : suffix == 'f' ? major == need_major && minor >= need_minor
                             : major * 10 + minor >= need_major * 10 + need_minor;
  if (runs)
    return NULL;
  char name[256] = "unnamed";
  if (cu->cuDeviceGetName(name, (int)sizeof name, dev->device) != CUDA_SUCCESS)
    strcpy(name, "unnamed");
  return smelt_make_status(SMELT_ERR_DEVICE,
                           "model '%s' was compiled for %s, but GPU %d (%s) is sm_%d%d; "
                           "recompile with --gpu sm_%d%d",
                           model->display_name, arch, dev->ordinal, name, major, minor, major,
                           minor);
}

/* Loads the PTX (the driver JIT-compiles it for this GPU) and finds the
 * kernels. Runs with the model's context current. */
static smelt_status *load_kernels(const smelt_model *model, struct smelt_cuda_model *dev) {
  const smelt_cuda_driver *cu = dev->cu;
  const smelt_device_code *code = model->info->device;
  char log[JIT_LOG_BYTES] = "";
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log, (void *)(uintptr_t)sizeof log};
  CUresult r = cu->cuModuleLoadDataEx(&dev->module, code->image, 2, options, values);
  if (r != CUDA_SUCCESS) {
    dev->module = NULL;
    char driver[SMELT_CUDA_MESSAGE];
    smelt_cuda_describe(cu, "cuModuleLoadDataEx", r, driver, sizeof driver);
    log[sizeof log - 1] = '\0';
    return smelt_make_status(smelt_cuda_code(r),
                             "model '%s': the GPU code (PTX for %s) does not load on GPU "
                             "%d: %s%s%s",
                             model->display_name, code->arch, dev->ordinal, driver,
                             log[0] ? "; JIT log: " : "", log);
  }
  if (code->num_kernels) {
    dev->kernels = calloc(code->num_kernels, sizeof *dev->kernels);
    if (!dev->kernels)
      return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY, "model '%s': out of memory",
                               model->display_name);
  }
  for (uint32_t k = 0; k < code->num_kernels; ++k) {
    r = cu->cuModuleGetFunction(&dev->kernels[k], dev->module, code->kernel_names[k]);
    if (r != CUDA_SUCCESS) {
      char what[256];
      snprintf(what, sizeof what, "kernel '%.200s' (#%u) is not in its GPU code",
               code->kernel_names[k], (unsigned)k);
      return driver_failure(model, cu, what, "cuModuleGetFunction", r);
    }
  }
  return NULL;
}

/* Copies the constants to the GPU. Runs with the model's context current. */
static smelt_status *upload_constants(const smelt_model *model, struct smelt_cuda_model *dev) {
  const smelt_cuda_driver *cu = dev->cu;
  const smelt_device_code *code = model->info->device;
  if (!code->constants_size)
    return NULL;
  char what[96];
  snprintf(what, sizeof what, "cannot copy its %llu bytes of constants to the GPU",
           (unsigned long long)code->constants_size);
  CUresult r = cu->cuMemAlloc(&dev->constants, (size_t)code->constants_size);
  if (r != CUDA_SUCCESS) {
    dev->constants = 0;
    return driver_failure(model, cu, what, "cuMemAlloc_v2", r);
  }
  r = cu->cuMemcpy(dev->constants, SMELT_CUDA_ADDR(code->constants),
                   (size_t)code->constants_size);
  return r == CUDA_SUCCESS ? NULL : driver_failure(model, cu, what, "cuMemcpy", r);
}

/* Finds the GPU and retains its context. */
static smelt_status *attach_gpu(const smelt_model *model, struct smelt_cuda_model *dev) {
  const smelt_cuda_driver *cu = dev->cu;
  int count = 0;
  CUresult r = cu->cuInit(0);
  if (r != CUDA_SUCCESS)
    return driver_failure(model, cu, "cannot start the CUDA driver", "cuInit", r);
  if ((r = cu->cuDeviceGetCount(&count)) != CUDA_SUCCESS)
    return driver_failure(model, cu, "cannot count the GPUs", "cuDeviceGetCount", r);
  if (count == 0)
    return smelt_make_status(SMELT_ERR_DEVICE,
                             "model '%s' runs on an NVIDIA GPU, but the CUDA driver finds none",
                             model->display_name);
  smelt_status *status = pick_gpu(model, count, &dev->ordinal);
  if (status)
    return status;
  if ((r = cu->cuDeviceGet(&dev->device, dev->ordinal)) != CUDA_SUCCESS)
    return driver_failure(model, cu, "cannot get the GPU", "cuDeviceGet", r);
  if ((status = check_arch(model, dev, model->info->device->arch)))
    return status;
  if ((r = cu->cuDevicePrimaryCtxRetain(&dev->context, dev->device)) != CUDA_SUCCESS) {
    dev->context = NULL;
    return driver_failure(model, cu, "cannot retain the GPU's context",
                          "cuDevicePrimaryCtxRetain", r);
  }
  return NULL;
}

smelt_status *smelt_cuda_open(smelt_model *model) {
  char why[512] = "";
  const smelt_cuda_driver *cu = smelt_cuda_driver_load(why, sizeof why);
  if (!cu)
    return smelt_make_status(SMELT_ERR_DEVICE,
                             "model '%s' runs on an NVIDIA GPU and needs the NVIDIA driver "
                             "(libcuda.so.1), which cannot be loaded: %s",
                             model->display_name, why);
  struct smelt_cuda_model *dev = calloc(1, sizeof *dev);
  if (!dev)
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY, "model '%s': out of memory",
                             model->display_name);
  dev->cu = cu;
  model->device = dev;
  smelt_status *status = attach_gpu(model, dev);
  if (!status) {
    CUresult r = cu->cuCtxPushCurrent(dev->context);
    if (r != CUDA_SUCCESS)
      return driver_failure(model, cu, "cannot use the GPU's context", "cuCtxPushCurrent_v2", r);
    status = load_kernels(model, dev);
    if (!status)
      status = upload_constants(model, dev);
    CUcontext popped;
    cu->cuCtxPopCurrent(&popped);
  }
  /* The caller (smelt_make_model) closes a model whose open failed. */
  return status;
}

void smelt_cuda_close(smelt_model *model) {
  struct smelt_cuda_model *dev = model->device;
  const smelt_cuda_driver *cu = dev->cu;
  /* Errors here have no one to go to: a context that failed earlier
   * reports the same failure for each of these, and they free anyway. */
  if (dev->context && cu->cuCtxPushCurrent(dev->context) == CUDA_SUCCESS) {
    if (dev->constants)
      cu->cuMemFree(dev->constants);
    if (dev->module)
      cu->cuModuleUnload(dev->module);
    CUcontext popped;
    cu->cuCtxPopCurrent(&popped);
  }
  if (dev->context)
    cu->cuDevicePrimaryCtxRelease(dev->device);
  free(dev->kernels);
  free(dev);
  model->device = NULL;
}

smelt_status *smelt_cuda_workspace_alloc(const smelt_model *model, void **workspace) {
  const struct smelt_cuda_model *dev = model->device;
  const smelt_cuda_driver *cu = dev->cu;
  uint64_t bytes = model->info->workspace_size;
  CUdeviceptr pointer = 0;
  CUresult r = cu->cuCtxPushCurrent(dev->context);
  if (r != CUDA_SUCCESS)
    return driver_failure(model, cu, "cannot use the GPU's context", "cuCtxPushCurrent_v2", r);
  r = bytes > (uint64_t)SIZE_MAX ? CUDA_ERROR_OUT_OF_MEMORY
                                  : cu->cuMemAlloc(&pointer, (size_t)bytes);
  CUcontext popped;
  cu->cuCtxPopCurrent(&popped);
  *workspace = SMELT_CUDA_PTR(pointer);
  if (r == CUDA_SUCCESS)
    return NULL;
  *workspace = NULL;
  char what[96];
  snprintf(what, sizeof what, "cannot allocate a %llu-byte workspace on GPU %d",
           (unsigned long long)bytes, dev->ordinal);
  return driver_failure(model, cu, what, "cuMemAlloc_v2", r);
}

void smelt_cuda_workspace_free(const smelt_model *model, void *workspace) {
  const struct smelt_cuda_model *dev = model->device;
  const smelt_cuda_driver *cu = dev->cu;
  if (cu->cuCtxPushCurrent(dev->context) != CUDA_SUCCESS)
    return;
  cu->cuMemFree(SMELT_CUDA_ADDR(workspace));
  CUcontext popped;
  cu->cuCtxPopCurrent(&popped);
}
