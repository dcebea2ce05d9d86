/* cuda_driver.c - loading the CUDA driver (libcuda.so.1) at run time.
 *
 * The runtime never links the driver: a machine without one still runs CPU
 * models, and a GPU model opened there fails with a message that says what
 * is missing. The driver is loaded once, when the first GPU model is opened,
 * and stays loaded (CUDA does not support unloading it while contexts
 * live); a failed load is tried again by the next model. A failed driver
 * call becomes a status here (smelt_cuda_failure), so that every message
 * about one names the model and the driver's own words the same way.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <dlfcn.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cuda_driver.h"

#define SMELT_CUDA_LIBRARY "libcuda.so.1"

static pthread_mutex_t driver_lock = PTHREAD_MUTEX_INITIALIZER;
static smelt_cuda_driver the_driver;
static int driver_loaded; /* guarded by driver_lock */

/* Where each function goes, under the name the driver exports. */
#define FUNCTION(field, name) {name, offsetof(smelt_cuda_driver, field)}
static const struct {
  const char *name;
  size_t offset;
} functions[] = {
    FUNCTION(cuInit, "cuInit"),
    FUNCTION(cuDeviceGetCount, "cuDeviceGetCount"),
    FUNCTION(cuDeviceGet, "cuDeviceGet"),
    FUNCTION(cuDeviceGetName, "cuDeviceGetName"),
    FUNCTION(cuDeviceGetAttribute, "cuDeviceGetAttribute"),
    FUNCTION(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
    FUNCTION(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"),
    FUNCTION(cuCtxPushCurrent, "cuCtxPushCurrent_v2"),
    FUNCTION(cuCtxPopCurrent, "cuCtxPopCurrent_v2"),
    FUNCTION(cuCtxSynchronize, "cuCtxSynchronize"),
    FUNCTION(cuModuleLoadDataEx, "cuModuleLoadDataEx"),
    FUNCTION(cuModuleGetFunction, "cuModuleGetFunction"),
    FUNCTION(cuModuleUnload, "cuModuleUnload"),
    FUNCTION(cuMemAlloc, "cuMemAlloc_v2"),
    FUNCTION(cuMemFree, "cuMemFree_v2"),
    FUNCTION(cuMemcpy, "cuMemcpy"),
    FUNCTION(cuMemcpyAsync, "cuMemcpyAsync"),
    FUNCTION(cuStreamSynchronize, "cuStreamSynchronize"),
    FUNCTION(cuStreamGetCtx, "cuStreamGetCtx"),
    FUNCTION(cuPointerGetAttribute, "cuPointerGetAttribute"),
    FUNCTION(cuMemGetAddressRange, "cuMemGetAddressRange_v2"),
    FUNCTION(cuLaunchKernel, "cuLaunchKernel"),
    FUNCTION(cuGetErrorName, "cuGetErrorName"),
    FUNCTION(cuGetErrorString, "cuGetErrorString"),
};
#undef FUNCTION
#define NUM_FUNCTIONS (sizeof functions / sizeof functions[0])
/* Every field of smelt_cuda_driver (all function pointers) has an entry. */
typedef char every_function_listed[NUM_FUNCTIONS * sizeof(void (*)(void)) ==
                                           sizeof(smelt_cuda_driver)
                                       ? 1
                                       : -1];

/* Looks up every function; 0 with `why` naming the first one missing. */
static int bind_functions(void *library, smelt_cuda_driver *cu, char *why, size_t size) {
  for (size_t i = 0; i < NUM_FUNCTIONS; ++i) {
    void *symbol = dlsym(library, functions[i].name);
    if (!symbol) {
      snprintf(why, size, "%s has no function %s (a driver older than CUDA 11?)",
               SMELT_CUDA_LIBRARY, functions[i].name);
      return 0;
    }
    /* POSIX: a function's address survives the trip through void *. */
    memcpy((char *)cu + functions[i].offset, &symbol, sizeof symbol);
  }
  return 1;
}

const smelt_cuda_driver *smelt_cuda_driver_load(char *why, size_t size) {
  pthread_mutex_lock(&driver_lock);
  if (!driver_loaded) {
    dlerror();
    void *library = dlopen(SMELT_CUDA_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char *error = dlerror();
      snprintf(why, size, "%s", error ? error : "dlopen failed");
    } else if (!bind_functions(library, &the_driver, why, size)) {
      dlclose(library);
    } else {
      driver_loaded = 1;
    }
  }
  const smelt_cuda_driver *cu = driver_loaded ? &the_driver : NULL;
  pthread_mutex_unlock(&driver_lock);
  return cu;
}

void smelt_cuda_describe(const smelt_cuda_driver *cu, const char *function, CUresult result,
                         char *buf, size_t size) {
  const char *name = NULL, *text = NULL;
  if (cu->cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = NULL;
  if (cu->cuGetErrorString(result, &text) != CUDA_SUCCESS)
    text = NULL;
  if (name)
    snprintf(buf, size, "CUDA driver: %s failed: %s (%s)", function, name,
             text ? text : "no description");
  else
    snprintf(buf, size, "CUDA driver: %s failed: CUresult %d", function, (int)result);
}

smelt_status *smelt_cuda_failure(const smelt_cuda_driver *cu, const char *model_name,
                                 const char *function, CUresult result, const char *fmt, ...) {
  char what[512], driver[SMELT_CUDA_MESSAGE];
  va_list args;
  va_start(args, fmt);
  vsnprintf(what, sizeof what, fmt, args);
  va_end(args);
  smelt_cuda_describe(cu, function, result, driver, sizeof driver);
  return smelt_make_status(smelt_cuda_code(result), "model '%s': %s: %s", model_name, what,
                           driver);
}

int smelt_cuda_code(CUresult result) {
  return result == CUDA_ERROR_OUT_OF_MEMORY ? SMELT_ERR_OUT_OF_MEMORY : SMELT_ERR_DEVICE;
}
