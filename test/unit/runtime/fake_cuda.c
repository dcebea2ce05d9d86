/* fake_cuda.c - a CUDA driver (libcuda.so.1) without a GPU, for the runtime's tests.
 *
 * Built as libcuda.so.1 in a folder of its own, which the device tests put
 * on LD_LIBRARY_PATH, so the runtime's dlopen finds it instead of a real
 * driver. It implements the functions the runtime uses over host memory:
 * "device" memory is aligned malloc, cuMemcpy is memcpy, and a launch runs
 * the kernel on the host: the test executable exports
 *
 *   void fake_kernel_<name>(const uint32_t grid[3], const uint32_t block[3],
 *                           void *const *params);
 *
 * for every kernel <name> it loads (cuModuleGetFunction fails with
 * CUDA_ERROR_NOT_FOUND without one; the PTX itself is not read), or, when
 * FAKE_CUDA_KERNELS names a library of a compiled model's kernels for the
 * host (smelt compile --device cuda --emit=host-kernels), that library's
 * smelt_host_kernel_<name>, which takes the same arguments: a compiled GPU
 * model then runs end to end on the CPU. Like the
 * driver, it wants cuInit first and a current context for memory, module
 * and launch calls, so the runtime's context handling is tested too.
 *
 * Streams (cuStreamCreate) are in-order queues that run their work at once,
 * like the legacy default stream; each counts the launches and copies it
 * took (fake_cuda_stream_work), so tests see where a run queued its work.
 * cuPointerGetAttribute and cuMemGetAddressRange_v2 know the allocations:
 * anything else is host memory, unknown to the driver.
 *
 * Environment (read at every call, so tests change it as they go):
 *   FAKE_CUDA_DEVICES     GPUs it has (default 1), all "Fake GPU"
 *   FAKE_CUDA_CC          their compute capability, "8.0" by default
 *   FAKE_CUDA_FAIL        a function name: calls of it fail with the error
 *                         the driver would give (cuInit: no device,
 *                         cuModuleLoadDataEx: invalid PTX with a JIT log,
 *                         cuMemAlloc_v2: out of memory, cuLaunchKernel:
 *                         launch failed...)
 *   FAKE_CUDA_FAIL_AFTER  N: only its call number N fails (from 0, counted
 *                         since the library loaded or fake_cuda_reset())
 *   FAKE_CUDA_KERNELS     a host-kernels library to take the kernels from
 * and, for the tests, exported functions that count what is live.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

/* Declared independently of the runtime's cuda_driver.h, from cuda.h (enums
 * as int, handles as the same struct pointers, so that a function's type is
 * the one the runtime calls it by, as -fsanitize=function checks). */
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void (*fake_kernel)(const uint32_t grid[3], const uint32_t block[3],
                            void *const *params);

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_NOT_INITIALIZED = 3,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_DEVICE = 101,
  CUDA_ERROR_INVALID_IMAGE = 200,
  CUDA_ERROR_INVALID_CONTEXT = 201,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_INVALID_HANDLE = 400,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_ILLEGAL_ADDRESS = 700,
  CUDA_ERROR_LAUNCH_FAILED = 719,
  CUDA_ERROR_UNKNOWN = 999,
};

#define MAX_DEVICES 8
#define ATTRIBUTE_CC_MAJOR 75
#define ATTRIBUTE_CC_MINOR 76
#define JIT_ERROR_LOG_BUFFER 5
#define JIT_ERROR_LOG_BUFFER_SIZE_BYTES 6
#define POINTER_ATTRIBUTE_MEMORY_TYPE 2
#define POINTER_ATTRIBUTE_DEVICE_ORDINAL 9
#define MEMORYTYPE_DEVICE 2
#define STREAM_LEGACY ((CUstream)0x1)
#define STREAM_PER_THREAD ((CUstream)0x2)

struct CUctx_st {
  int retains;
};
struct CUfunc_st {
  fake_kernel kernel;
  struct CUfunc_st *next;
};
struct CUmod_st {
  struct CUfunc_st *functions;
};
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
struct CUstream_st {
  CUcontext context;
  unsigned work; /* launches and copies queued on it */
};

typedef struct allocation {
  void *memory;
  size_t bytes;
  int device; /* of the context current at cuMemAlloc */
  struct allocation *next;
} allocation;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized; /* atomic: set by cuInit, read by everything */
static struct CUctx_st contexts[MAX_DEVICES]; /* the primary contexts */
static allocation *allocations;
static int live_allocations, live_modules;
static struct {
  const char *function;
  unsigned calls;
} counters[48];

/* The current context of each thread: a stack, as the driver keeps. */
static __thread CUcontext context_stack[8];
static __thread int context_depth;

/*------------------------------------------------------------------------------
 * Failure injection
 *----------------------------------------------------------------------------*/

/* The error `function` reports when told to fail. */
static CUresult injected_error(const char *function) {
  static const struct {
    const char *function;
    CUresult error;
  } errors[] = {
      {"cuInit", CUDA_ERROR_NO_DEVICE},
      {"cuDeviceGet", CUDA_ERROR_INVALID_DEVICE},
      {"cuModuleLoadDataEx", CUDA_ERROR_INVALID_PTX},
      {"cuModuleGetFunction", CUDA_ERROR_NOT_FOUND},
      {"cuMemAlloc_v2", CUDA_ERROR_OUT_OF_MEMORY},
      {"cuMemcpy", CUDA_ERROR_ILLEGAL_ADDRESS},
      {"cuLaunchKernel", CUDA_ERROR_LAUNCH_FAILED},
      {"cuCtxSynchronize", CUDA_ERROR_ILLEGAL_ADDRESS},
      {"cuMemcpyAsync", CUDA_ERROR_ILLEGAL_ADDRESS},
      {"cuStreamSynchronize", CUDA_ERROR_ILLEGAL_ADDRESS},
  };
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; ++i)
    if (strcmp(errors[i].function, function) == 0)
      return errors[i].error;
  return CUDA_ERROR_UNKNOWN;
}

/* Counts a call of `function`; the error it is to fail with, or 0. */
static CUresult inject(const char *function) {
  const size_t most = sizeof counters / sizeof counters[0];
  pthread_mutex_lock(&lock);
  size_t i = 0;
  while (i < most && counters[i].function && strcmp(counters[i].function, function) != 0)
    ++i;
  unsigned call = 0;
  if (i < most) {
    counters[i].function = function;
    call = counters[i].calls++;
  }
  pthread_mutex_unlock(&lock);
  const char *fail = getenv("FAKE_CUDA_FAIL");
  const char *after = getenv("FAKE_CUDA_FAIL_AFTER");
  if (!fail || strcmp(fail, function) != 0)
    return CUDA_SUCCESS;
  if (after && *after && strtoul(after, NULL, 10) != call)
    return CUDA_SUCCESS;
  return injected_error(function);
}

/* What the driver checks first: cuInit called, and a current context
 * for the functions that work in one. */
#define CHECK_STATE(needs_context)                                             \
  do {                                                                         \
    if (!__atomic_load_n(&initialized, __ATOMIC_ACQUIRE))                      \
      return CUDA_ERROR_NOT_INITIALIZED;                                       \
    if ((needs_context) && context_depth == 0)                                 \
      return CUDA_ERROR_INVALID_CONTEXT;                                       \
  } while (0)

/* The top of each function: the call counted, an injected failure, the
 * state checked. */
#define ENTER(function, needs_context)                                         \
  do {                                                                         \
    CUresult injected_ = inject(function);                                     \
    if (injected_)                                                             \
      return injected_;                                                        \
    CHECK_STATE(needs_context);                                                \
  } while (0)

static int device_count(void) {
  const char *env = getenv("FAKE_CUDA_DEVICES");
  int n = env && *env ? atoi(env) : 1;
  return n < 0 ? 0 : n > MAX_DEVICES ? MAX_DEVICES : n;
}

/*------------------------------------------------------------------------------
 * Errors, initialization, devices, contexts
 *----------------------------------------------------------------------------*/

static const struct {
  CUresult error;
  const char *name, *text;
} error_texts[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

static CUresult describe(CUresult error, const char **out, int text) {
  for (size_t i = 0; i < sizeof error_texts / sizeof error_texts[0]; ++i)
    if (error_texts[i].error == error) {
      *out = text ? error_texts[i].text : error_texts[i].name;
      return CUDA_SUCCESS;
    }
  *out = NULL;
  return CUDA_ERROR_INVALID_VALUE;
}

EXPORT CUresult cuGetErrorName(CUresult error, const char **name) {
  return describe(error, name, 0);
}

EXPORT CUresult cuGetErrorString(CUresult error, const char **text) {
  return describe(error, text, 1);
}

EXPORT CUresult cuInit(unsigned flags) {
  CUresult injected = inject("cuInit");
  if (injected)
    return injected;
  if (flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  /* With FAKE_CUDA_DEVICES=0 it starts and counts none (a real driver
   * mostly fails here instead: FAKE_CUDA_FAIL=cuInit). */
  __atomic_store_n(&initialized, 1, __ATOMIC_RELEASE);
  return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int *count) {
  ENTER("cuDeviceGetCount", 0);
  *count = device_count();
  return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  ENTER("cuDeviceGet", 0);
  if (ordinal < 0 || ordinal >= device_count())
    return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
  ENTER("cuDeviceGetName", 0);
  if (device < 0 || device >= device_count() || length <= 0)
    return CUDA_ERROR_INVALID_VALUE;
  snprintf(name, (size_t)length, "Fake GPU");
  return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice device) {
  ENTER("cuDeviceGetAttribute", 0);
  if (device < 0 || device >= device_count())
    return CUDA_ERROR_INVALID_DEVICE;
  const char *cc = getenv("FAKE_CUDA_CC");
  int major = 8, minor = 0;
  if (cc && *cc && sscanf(cc, "%d.%d", &major, &minor) != 2)
    return CUDA_ERROR_INVALID_VALUE;
  if (attribute == ATTRIBUTE_CC_MAJOR)
    *value = major;
  else if (attribute == ATTRIBUTE_CC_MINOR)
    *value = minor;
  else
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
  ENTER("cuDevicePrimaryCtxRetain", 0);
  if (device < 0 || device >= device_count())
    return CUDA_ERROR_INVALID_DEVICE;
  pthread_mutex_lock(&lock);
  contexts[device].retains++;
  pthread_mutex_unlock(&lock);
  *context = &contexts[device];
  return CUDA_SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  ENTER("cuDevicePrimaryCtxRelease_v2", 0);
  if (device < 0 || device >= MAX_DEVICES)
    return CUDA_ERROR_INVALID_DEVICE;
  pthread_mutex_lock(&lock);
  CUresult r = contexts[device].retains > 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
  if (r == CUDA_SUCCESS)
    contexts[device].retains--;
  pthread_mutex_unlock(&lock);
  return r;
}

EXPORT CUresult cuCtxPushCurrent_v2(CUcontext context) {
  ENTER("cuCtxPushCurrent_v2", 0);
  /* Only a retained context may be used. */
  pthread_mutex_lock(&lock);
  int retained = context && context->retains > 0;
  pthread_mutex_unlock(&lock);
  if (!retained)
    return CUDA_ERROR_INVALID_CONTEXT;
  if (context_depth == (int)(sizeof context_stack / sizeof context_stack[0]))
    return CUDA_ERROR_UNKNOWN;
  context_stack[context_depth++] = context;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxPopCurrent_v2(CUcontext *context) {
  ENTER("cuCtxPopCurrent_v2", 1);
  CUcontext top = context_stack[--context_depth];
  if (context)
    *context = top;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxSynchronize(void) {
  ENTER("cuCtxSynchronize", 1);
  return CUDA_SUCCESS; /* every launch ran to its end already */
}

/*------------------------------------------------------------------------------
 * Memory
 *----------------------------------------------------------------------------*/

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  ENTER("cuMemAlloc_v2", 1);
  if (bytes == 0)
    return CUDA_ERROR_INVALID_VALUE;
  allocation *a = malloc(sizeof *a);
  void *memory = NULL;
  if (!a || posix_memalign(&memory, 256, bytes) != 0) {
    free(a);
    return CUDA_ERROR_OUT_OF_MEMORY;
  }
  memset(memory, 0xA5, bytes); /* never zero, as fresh GPU memory need not be */
  pthread_mutex_lock(&lock);
  a->memory = memory;
  a->bytes = bytes;
  a->device = (int)(context_stack[context_depth - 1] - contexts);
  a->next = allocations;
  allocations = a;
  live_allocations++;
  pthread_mutex_unlock(&lock);
  *pointer = (CUdeviceptr)(uintptr_t)memory;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
  ENTER("cuMemFree_v2", 1);
  void *memory = (void *)(uintptr_t)pointer;
  pthread_mutex_lock(&lock);
  allocation **link = &allocations;
  while (*link && (*link)->memory != memory)
    link = &(*link)->next;
  allocation *found = *link;
  if (found) {
    *link = found->next;
    live_allocations--;
  }
  pthread_mutex_unlock(&lock);
  if (!found)
    return CUDA_ERROR_INVALID_VALUE; /* not an allocation, or freed twice */
  free(found->memory);
  free(found);
  return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  ENTER("cuMemcpy", 1);
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return CUDA_SUCCESS;
}

/* The allocation holding `pointer`, or NULL. Called with `lock` held. */
static allocation *find_allocation(CUdeviceptr pointer) {
  for (allocation *a = allocations; a; a = a->next) {
    uintptr_t base = (uintptr_t)a->memory;
    if (pointer >= base && pointer - base < a->bytes)
      return a;
  }
  return NULL;
}

EXPORT CUresult cuPointerGetAttribute(void *data, int attribute, CUdeviceptr pointer) {
  ENTER("cuPointerGetAttribute", 0);
  pthread_mutex_lock(&lock);
  allocation *a = find_allocation(pointer);
  int device = a ? a->device : -1;
  pthread_mutex_unlock(&lock);
  if (!a)
    return CUDA_ERROR_INVALID_VALUE; /* host memory the driver does not know */
  if (attribute == POINTER_ATTRIBUTE_MEMORY_TYPE)
    *(unsigned *)data = MEMORYTYPE_DEVICE;
  else if (attribute == POINTER_ATTRIBUTE_DEVICE_ORDINAL)
    *(int *)data = device;
  else
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuMemGetAddressRange_v2(CUdeviceptr *base, size_t *bytes, CUdeviceptr pointer) {
  ENTER("cuMemGetAddressRange_v2", 1);
  pthread_mutex_lock(&lock);
  allocation *a = find_allocation(pointer);
  if (a) {
    *base = (CUdeviceptr)(uintptr_t)a->memory;
    *bytes = a->bytes;
  }
  pthread_mutex_unlock(&lock);
  return a ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
}

/*------------------------------------------------------------------------------
 * Streams
 *----------------------------------------------------------------------------*/

EXPORT CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
  ENTER("cuStreamCreate", 1);
  (void)flags;
  CUstream s = calloc(1, sizeof *s);
  if (!s)
    return CUDA_ERROR_OUT_OF_MEMORY;
  s->context = context_stack[context_depth - 1];
  *stream = s;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamDestroy_v2(CUstream stream) {
  ENTER("cuStreamDestroy_v2", 0);
  if (!stream || stream == STREAM_LEGACY || stream == STREAM_PER_THREAD)
    return CUDA_ERROR_INVALID_HANDLE;
  free(stream);
  return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamGetCtx(CUstream stream, CUcontext *context) {
  ENTER("cuStreamGetCtx", 0);
  if (!stream || stream == STREAM_LEGACY || stream == STREAM_PER_THREAD) {
    if (context_depth == 0)
      return CUDA_ERROR_INVALID_CONTEXT;
    *context = context_stack[context_depth - 1];
  } else {
    *context = stream->context;
  }
  return CUDA_SUCCESS;
}

/* Whether work may go on `stream` from the current context (a stream of
 * another context is an invalid handle there), counting it. */
static int use_stream(CUstream stream) {
  if (!stream || stream == STREAM_LEGACY || stream == STREAM_PER_THREAD)
    return 1;
  if (stream->context != context_stack[context_depth - 1])
    return 0;
  __atomic_add_fetch(&stream->work, 1, __ATOMIC_RELAXED);
  return 1;
}

EXPORT CUresult cuStreamSynchronize(CUstream stream) {
  ENTER("cuStreamSynchronize", 1);
  (void)stream;
  return CUDA_SUCCESS; /* its work ran when it was queued */
}

EXPORT CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  ENTER("cuMemcpyAsync", 1);
  if (!use_stream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return CUDA_SUCCESS;
}

/*------------------------------------------------------------------------------
 * Modules and launches
 *----------------------------------------------------------------------------*/

static void write_log(unsigned num_options, const int *options, void **values,
                      const char *text) {
  char *buffer = NULL;
  size_t size = 0;
  for (unsigned i = 0; i < num_options; ++i) {
    if (options[i] == JIT_ERROR_LOG_BUFFER)
      buffer = values[i];
    else if (options[i] == JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
      size = (size_t)(uintptr_t)values[i];
  }
  if (buffer && size)
    snprintf(buffer, size, "%s", text);
}

EXPORT CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned num_options,
                                   int *options, void **values) {
  CUresult injected = inject("cuModuleLoadDataEx");
  if (injected) {
    write_log(num_options, options, values,
              "ptxas fatal   : (fake) Unresolved extern function 'fake_missing'");
    return injected;
  }
  CHECK_STATE(1);
  if (!image || !strstr((const char *)image, ".entry"))
    return CUDA_ERROR_INVALID_IMAGE;
  CUmodule m = calloc(1, sizeof *m);
  if (!m)
    return CUDA_ERROR_OUT_OF_MEMORY;
  pthread_mutex_lock(&lock);
  live_modules++;
  pthread_mutex_unlock(&lock);
  *module = m;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
  ENTER("cuModuleGetFunction", 0);
  if (!module || !name)
    return CUDA_ERROR_INVALID_HANDLE;
  char symbol[256];
  void *address;
  const char *library = getenv("FAKE_CUDA_KERNELS");
  if (library && *library) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL); /* kept loaded */
    if (!handle)
      return CUDA_ERROR_NOT_FOUND;
    snprintf(symbol, sizeof symbol, "smelt_host_kernel_%s", name);
    address = dlsym(handle, symbol);
  } else {
    snprintf(symbol, sizeof symbol, "fake_kernel_%s", name);
    address = dlsym(RTLD_DEFAULT, symbol);
  }
  if (!address)
    return CUDA_ERROR_NOT_FOUND;
  CUfunction f = malloc(sizeof *f);
  if (!f)
    return CUDA_ERROR_OUT_OF_MEMORY;
  memcpy(&f->kernel, &address, sizeof address);
  f->next = module->functions;
  module->functions = f;
  *function = f;
  return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleUnload(CUmodule module) {
  ENTER("cuModuleUnload", 1);
  if (!module)
    return CUDA_ERROR_INVALID_HANDLE;
  while (module->functions) {
    CUfunction next = module->functions->next;
    free(module->functions);
    module->functions = next;
  }
  free(module);
  pthread_mutex_lock(&lock);
  live_modules--;
  pthread_mutex_unlock(&lock);
  return CUDA_SUCCESS;
}

EXPORT CUresult cuLaunchKernel(CUfunction function, unsigned grid_x, unsigned grid_y,
                               unsigned grid_z, unsigned block_x, unsigned block_y,
                               unsigned block_z, unsigned shared_bytes, CUstream stream,
                               void **params, void **extra) {
  ENTER("cuLaunchKernel", 1);
  (void)shared_bytes;
  if (!function)
    return CUDA_ERROR_INVALID_HANDLE;
  if (extra || !grid_x || !grid_y || !grid_z || !block_x || !block_y || !block_z)
    return CUDA_ERROR_INVALID_VALUE;
  if (!use_stream(stream))
    return CUDA_ERROR_INVALID_HANDLE;
  const uint32_t grid[3] = {grid_x, grid_y, grid_z}, block[3] = {block_x, block_y, block_z};
  function->kernel(grid, block, params);
  return CUDA_SUCCESS;
}

/*------------------------------------------------------------------------------
 * For the tests
 *----------------------------------------------------------------------------*/

/** Device allocations not freed yet. */
EXPORT int fake_cuda_live_allocations(void) {
  pthread_mutex_lock(&lock);
  int n = live_allocations;
  pthread_mutex_unlock(&lock);
  return n;
}

/** Modules loaded and not unloaded. */
EXPORT int fake_cuda_live_modules(void) {
  pthread_mutex_lock(&lock);
  int n = live_modules;
  pthread_mutex_unlock(&lock);
  return n;
}

/** Retains of primary contexts not released, all GPUs together. */
EXPORT int fake_cuda_context_retains(void) {
  pthread_mutex_lock(&lock);
  int n = 0;
  for (int d = 0; d < MAX_DEVICES; ++d)
    n += contexts[d].retains;
  pthread_mutex_unlock(&lock);
  return n;
}

/** Contexts current on the calling thread (0 between runtime calls). */
EXPORT int fake_cuda_context_depth(void) { return context_depth; }

/** Launches and copies queued on `stream` so far. */
EXPORT unsigned fake_cuda_stream_work(CUstream stream) {
  return __atomic_load_n(&stream->work, __ATOMIC_RELAXED);
}

/** Starts counting calls for FAKE_CUDA_FAIL_AFTER again. */
EXPORT void fake_cuda_reset(void) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < sizeof counters / sizeof counters[0]; ++i)
    counters[i].calls = 0;
  pthread_mutex_unlock(&lock);
}
