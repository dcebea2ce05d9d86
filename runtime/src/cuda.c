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

#include <stdlib.h>
#include <string.h>

#include "cuda_driver.h"

/* Bytes of the driver's JIT error log kept for a message. */
#define JIT_LOG_BYTES 4096

/* What runs with the model's context current (in_context); `arg` is its own. */
typedef smelt_status *(*context_work)(const smelt_model *model, void *arg);

/* Runs `work` with the model's context current on this thread, and leaves
 * the context again whatever it returns. */
static smelt_status *in_context(const smelt_model *model, context_work work, void *arg) {
  const struct smelt_cuda_model *dev = model->device;
  const smelt_cuda_driver *cu = dev->cu;
  CUresult r = cu->cuCtxPushCurrent(dev->context);
  if (r != CUDA_SUCCESS)
    return smelt_cuda_failure(cu, model->display_name, "cuCtxPushCurrent_v2", r,
                              "cannot use the GPU's context");
  smelt_status *status = work(model, arg);
  CUcontext popped;
  cu->cuCtxPopCurrent(&popped);
  return status;
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
    return smelt_cuda_failure(cu, model->display_name, "cuDeviceGetAttribute", r,
                              "cannot read the GPU's compute capability");
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
    if (r != CUDA_SUCCESS)
      return smelt_cuda_failure(cu, model->display_name, "cuModuleGetFunction", r,
                                "kernel '%.200s' (#%u) is not in its GPU code",
                                code->kernel_names[k], (unsigned)k);
  }
  return NULL;
}

/* Copies the constants to the GPU. Runs with the model's context current. */
static smelt_status *upload_constants(const smelt_model *model, struct smelt_cuda_model *dev) {
  const smelt_cuda_driver *cu = dev->cu;
  const smelt_device_code *code = model->info->device;
  if (!code->constants_size)
    return NULL;
  const char *function = "cuMemAlloc_v2";
  CUresult r = cu->cuMemAlloc(&dev->constants, (size_t)code->constants_size);
  if (r != CUDA_SUCCESS)
    dev->constants = 0;
  else if ((r = cu->cuMemcpy(dev->constants, SMELT_CUDA_ADDR(code->constants),
                             (size_t)code->constants_size)) != CUDA_SUCCESS)
    function = "cuMemcpy";
  if (r == CUDA_SUCCESS)
    return NULL;
  return smelt_cuda_failure(cu, model->display_name, function, r,
                            "cannot copy its %llu bytes of constants to the GPU",
                            (unsigned long long)code->constants_size);
}

/* The model's GPU code and constants, loaded in its context. */
static smelt_status *load_module(const smelt_model *model, void *arg) {
  (void)arg;
  smelt_status *status = load_kernels(model, model->device);
  return status ? status : upload_constants(model, model->device);
}

/* Finds the GPU and retains its context. */
static smelt_status *attach_gpu(const smelt_model *model, struct smelt_cuda_model *dev) {
  const smelt_cuda_driver *cu = dev->cu;
  int count = 0;
  CUresult r = cu->cuInit(0);
  if (r != CUDA_SUCCESS)
    return smelt_cuda_failure(cu, model->display_name, "cuInit", r,
                              "cannot start the CUDA driver");
  if ((r = cu->cuDeviceGetCount(&count)) != CUDA_SUCCESS)
    return smelt_cuda_failure(cu, model->display_name, "cuDeviceGetCount", r,
                              "cannot count the GPUs");
  if (count == 0)
    return smelt_make_status(SMELT_ERR_DEVICE,
                             "model '%s' runs on an NVIDIA GPU, but the CUDA driver finds none",
                             model->display_name);
  smelt_status *status = pick_gpu(model, count, &dev->ordinal);
  if (status)
    return status;
  if ((r = cu->cuDeviceGet(&dev->device, dev->ordinal)) != CUDA_SUCCESS)
    return smelt_cuda_failure(cu, model->display_name, "cuDeviceGet", r, "cannot get the GPU");
  if ((status = check_arch(model, dev, model->info->device->arch)))
    return status;
  if ((r = cu->cuDevicePrimaryCtxRetain(&dev->context, dev->device)) != CUDA_SUCCESS) {
    dev->context = NULL;
    return smelt_cuda_failure(cu, model->display_name, "cuDevicePrimaryCtxRetain", r,
                              "cannot retain the GPU's context");
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
  if (!status)
    status = in_context(model, load_module, NULL);
  /* The caller (smelt_make_model) closes a model whose open failed. */
  return status;
}

/* Frees the constants and unloads the GPU code, in the model's context.
 * Errors here have no one to go to: a context that failed earlier reports
 * the same failure for each of these, and they free anyway. */
static smelt_status *unload_module(const smelt_model *model, void *arg) {
  const struct smelt_cuda_model *dev = model->device;
  (void)arg;
  if (dev->constants)
    dev->cu->cuMemFree(dev->constants);
  if (dev->module)
    dev->cu->cuModuleUnload(dev->module);
  return NULL;
}

void smelt_cuda_close(smelt_model *model) {
  struct smelt_cuda_model *dev = model->device;
  const smelt_cuda_driver *cu = dev->cu;
  if (dev->context)
    smelt_status_free(in_context(model, unload_module, NULL));
  if (dev->context)
    cu->cuDevicePrimaryCtxRelease(dev->device);
  free(dev->kernels);
  free(dev);
  model->device = NULL;
}

/* A workspace for one run (`arg`: where it goes), in the model's context. */
static smelt_status *alloc_workspace(const smelt_model *model, void *arg) {
  const struct smelt_cuda_model *dev = model->device;
  uint64_t bytes = model->info->workspace_size;
  CUdeviceptr pointer = 0;
  CUresult r = bytes > (uint64_t)SIZE_MAX ? CUDA_ERROR_OUT_OF_MEMORY
                                           : dev->cu->cuMemAlloc(&pointer, (size_t)bytes);
  if (r != CUDA_SUCCESS)
    return smelt_cuda_failure(dev->cu, model->display_name, "cuMemAlloc_v2", r,
                              "cannot allocate a %llu-byte workspace on GPU %d",
                              (unsigned long long)bytes, dev->ordinal);
  *(void **)arg = SMELT_CUDA_PTR(pointer);
  return NULL;
}

smelt_status *smelt_cuda_workspace_alloc(const smelt_model *model, void **workspace) {
  *workspace = NULL;
  return in_context(model, alloc_workspace, workspace);
}

/* Frees a workspace (`arg`), in the model's context. */
static smelt_status *free_workspace(const smelt_model *model, void *arg) {
  const struct smelt_cuda_model *dev = model->device;
  dev->cu->cuMemFree(SMELT_CUDA_ADDR(arg));
  return NULL;
}

void smelt_cuda_workspace_free(const smelt_model *model, void *workspace) {
  /* As in smelt_cuda_close, a failure here has no one to go to. */
  smelt_status_free(in_context(model, free_workspace, workspace));
}
