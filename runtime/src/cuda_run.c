/* cuda_run.c - one run of a GPU model: inputs copied to the GPU, the entry
 * point run on the host with a smelt_device_api, outputs copied back.
 *
 * Every device buffer a run makes (the inputs' copies, the outputs, what
 * the model allocates) is on the run's list and freed when the run ends,
 * whatever happened, so a failed run leaves nothing on the GPU (and, as on
 * the CPU, no output allocated). The list also tells device memory from
 * host memory: a destination of the model's copies that is on it (or in
 * the workspace or the constants) is device memory, anything else the
 * host's.
 *
 * A run on the caller's device memory (smelt_model_run_on_stream) uses
 * the caller's buffers as they are: nothing is copied in or out, and its
 * kernels and copies go on the caller's stream, asynchronous copies in
 * place of cuMemcpy; a copy to the host is waited for, since the entry
 * point reads what it copied back. Each buffer is checked first with the
 * driver: device memory, of the model's GPU, large enough.
 *
 * The first failure of the device (a launch, a copy, the synchronize after
 * the entry point) is kept: later launches are skipped, and host
 * destinations of later copies get zeros. It is what the run reports
 * (SMELT_ERR_DEVICE), whatever the entry point returned after it, since
 * every decision the entry point took after it rests on those zeros (a
 * failed run-time check, a buffer it could not allocate). alloc is not
 * such a failure: it returns NULL as malloc does, the entry point returns
 * SMELT_ENTRY_OUT_OF_MEMORY, and the run reports SMELT_ERR_OUT_OF_MEMORY
 * with the driver's words.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdlib.h>
#include <string.h>

#include "cuda_driver.h"
#include "run.h"

typedef struct device_buffer {
  CUdeviceptr pointer;
  uint64_t bytes;
} device_buffer;

typedef struct cuda_run {
  smelt_device_api api;        /* what the entry point gets; api.ctx is the run */
  const smelt_model *model;
  const struct smelt_cuda_model *dev;
  const smelt_cuda_driver *cu;
  smelt_status *failure;       /* the first device failure, or NULL */
  smelt_status *out_of_memory; /* why alloc first returned NULL, or NULL */
  device_buffer *buffers;      /* the run's device memory, freed at its end */
  size_t num_buffers, capacity;
  CUdeviceptr workspace;
  uint64_t workspace_size;
  int on_device;               /* the caller's tensors are device memory */
  CUstream stream;             /* where the work goes (NULL: the legacy default stream) */
  /* In one allocation: */
  uint64_t *requested;         /* num_outputs: bytes of each device output */
  uint64_t *input_bytes;       /* num_inputs: bytes of each input */
  void **inputs;               /* num_inputs: the device copies, as the call has them */
  void **outputs;              /* num_outputs: the call's array (the model stores
                                  its dynamic outputs there) */
  void **device_outputs;       /* num_outputs: where each output is */
  unsigned char *allocated;    /* num_outputs: a dynamic output was allocated */
} cuda_run;

/* Keeps the first device failure of the run; a later one is dropped. */
static void fail(cuda_run *run, smelt_status *failure) {
  if (run->failure)
    smelt_status_free(failure);
  else
    run->failure = failure;
}

/* `bytes` of device memory (at least 1: the driver refuses 0), on the
 * run's list. */
static CUresult run_alloc(cuda_run *run, uint64_t bytes, CUdeviceptr *pointer) {
  if (bytes > (uint64_t)SIZE_MAX)
    return CUDA_ERROR_OUT_OF_MEMORY;
  if (run->num_buffers == run->capacity) {
    /* Grown first, so that a buffer never exists off the list. Host memory
     * running out reads as the GPU's: either way the run is out of it. */
    size_t capacity = run->capacity ? 2 * run->capacity : 16;
    device_buffer *grown = realloc(run->buffers, capacity * sizeof *grown);
    if (!grown)
      return CUDA_ERROR_OUT_OF_MEMORY;
    run->buffers = grown;
    run->capacity = capacity;
  }
  CUresult r = run->cu->cuMemAlloc(pointer, bytes ? (size_t)bytes : 1);
  if (r == CUDA_SUCCESS) {
    run->buffers[run->num_buffers].pointer = *pointer;
    run->buffers[run->num_buffers].bytes = bytes;
    run->num_buffers++;
  }
  return r;
}

/* Frees a buffer on the run's list; 0 if it is not on it. */
static int run_free(cuda_run *run, CUdeviceptr pointer, CUresult *result) {
  for (size_t i = run->num_buffers; i-- > 0;)
    if (run->buffers[i].pointer == pointer) {
      *result = run->cu->cuMemFree(pointer);
      run->buffers[i] = run->buffers[--run->num_buffers];
      return 1;
    }
  return 0;
}

static int in_range(CUdeviceptr address, CUdeviceptr base, uint64_t bytes) {
  return base && address >= base && address - base < (bytes ? bytes : 1);
}

/* Whether `p` is device memory the run knows of. */
static int is_device_memory(const cuda_run *run, const void *p) {
  CUdeviceptr address = SMELT_CUDA_ADDR(p);
  for (size_t i = 0; i < run->num_buffers; ++i)
    if (in_range(address, run->buffers[i].pointer, run->buffers[i].bytes))
      return 1;
  const smelt_model_info *info = run->model->info;
  for (uint32_t i = 0; run->on_device && i < info->num_inputs; ++i)
    if (in_range(address, SMELT_CUDA_ADDR(run->inputs[i]), run->input_bytes[i]))
      return 1;
  for (uint32_t i = 0; run->on_device && i < info->num_outputs; ++i)
    if (in_range(address, SMELT_CUDA_ADDR(run->device_outputs[i]), run->requested[i]))
      return 1;
  return in_range(address, run->workspace, run->workspace_size) ||
         in_range(address, run->dev->constants, run->model->info->device->constants_size);
}

/* Records why alloc (or alloc_output) returns NULL. */
static void alloc_failed(cuda_run *run, uint64_t bytes, CUresult result) {
  const char *name = run->model->display_name;
  unsigned long long n = (unsigned long long)bytes;
  if (result != CUDA_ERROR_OUT_OF_MEMORY)
    fail(run, smelt_cuda_failure(run->cu, name, "cuMemAlloc_v2", result,
                                 "cannot allocate %llu bytes on GPU %d", n, run->dev->ordinal));
  else if (!run->out_of_memory)
    run->out_of_memory = smelt_cuda_failure(run->cu, name, "cuMemAlloc_v2", result,
                                            "out of GPU memory during the run: cannot "
                                            "allocate %llu bytes on GPU %d",
                                            n, run->dev->ordinal);
}

/*------------------------------------------------------------------------------
 * smelt_device_api, and alloc_output
 *----------------------------------------------------------------------------*/

static void api_launch(void *ctx, uint32_t kernel, const uint32_t *grid, const uint32_t *block,
                       uint32_t shared_bytes, void *const *params) {
  cuda_run *run = ctx;
  const smelt_device_code *code = run->model->info->device;
  if (run->failure)
    return;
  if (kernel >= code->num_kernels) {
    fail(run, smelt_make_status(SMELT_ERR_EXECUTION,
                                "model '%s' launched kernel #%u, but has %u kernels",
                                run->model->display_name, (unsigned)kernel,
                                (unsigned)code->num_kernels));
    return;
  }
  /* The caller's stream, or the legacy default one: in order with cuMemcpy. */
  CUresult r = run->cu->cuLaunchKernel(run->dev->kernels[kernel], grid[0], grid[1], grid[2],
                                       block[0], block[1], block[2], shared_bytes,
                                       run->stream, (void **)params, NULL);
  if (r != CUDA_SUCCESS)
    fail(run, smelt_cuda_failure(run->cu, run->model->display_name, "cuLaunchKernel", r,
                                 "kernel '%.200s' (#%u) on %ux%ux%u blocks of %ux%ux%u threads",
                                 code->kernel_names[kernel], (unsigned)kernel, grid[0], grid[1],
                                 grid[2], block[0], block[1], block[2]));
}

static void api_copy(void *ctx, void *dst, const void *src, uint64_t bytes) {
  cuda_run *run = ctx;
  if (!bytes)
    return;
  if (!run->failure) {
    const smelt_cuda_driver *cu = run->cu;
    const char *function = run->on_device ? "cuMemcpyAsync" : "cuMemcpy";
    CUresult r = CUDA_ERROR_OUT_OF_MEMORY;
    if (bytes <= (uint64_t)SIZE_MAX)
      r = run->on_device ? cu->cuMemcpyAsync(SMELT_CUDA_ADDR(dst), SMELT_CUDA_ADDR(src),
                                             (size_t)bytes, run->stream)
                         : cu->cuMemcpy(SMELT_CUDA_ADDR(dst), SMELT_CUDA_ADDR(src), (size_t)bytes);
    if (r == CUDA_SUCCESS && run->on_device && !is_device_memory(run, dst)) {
      function = "cuStreamSynchronize"; /* the host reads it next */
      r = cu->cuStreamSynchronize(run->stream);
    }
    if (r == CUDA_SUCCESS)
      return;
    fail(run, smelt_cuda_failure(cu, run->model->display_name, function, r,
                                 "a copy of %llu bytes", (unsigned long long)bytes));
  }
  if (!is_device_memory(run, dst))
    memset(dst, 0, (size_t)bytes);
}

static void *api_alloc(void *ctx, uint64_t bytes) {
  cuda_run *run = ctx;
  CUdeviceptr pointer = 0;
  CUresult r = run_alloc(run, bytes, &pointer);
  if (r == CUDA_SUCCESS)
    return SMELT_CUDA_PTR(pointer);
  alloc_failed(run, bytes, r);
  return NULL;
}

static void api_release(void *ctx, void *pointer) {
  cuda_run *run = ctx;
  CUresult r = CUDA_SUCCESS;
  if (!pointer)
    return;
  if (!run_free(run, SMELT_CUDA_ADDR(pointer), &r))
    fail(run, smelt_make_status(SMELT_ERR_EXECUTION,
                                "model '%s' released GPU memory at %p that alloc did not "
                                "give it",
                                run->model->display_name, pointer));
  else if (r != CUDA_SUCCESS)
    fail(run, smelt_cuda_failure(run->cu, run->model->display_name, "cuMemFree_v2", r,
                                 "cannot release GPU memory"));
}

/* Outputs with dynamic dims: device memory, copied back after the run. */
static void *alloc_output(void *ctx, uint32_t index, uint64_t bytes) {
  cuda_run *run = ctx;
  const smelt_model_info *info = run->model->info;
  if (index >= info->num_outputs || !smelt_has_dynamic_dim(&info->outputs[index]))
    return NULL;
  CUresult r;
  if (run->allocated[index]) /* asked twice: keep only the newest */
    run_free(run, SMELT_CUDA_ADDR(run->device_outputs[index]), &r);
  run->allocated[index] = 0;
  CUdeviceptr pointer = 0;
  r = run_alloc(run, bytes, &pointer);
  if (r != CUDA_SUCCESS) {
    alloc_failed(run, bytes, r);
    return NULL;
  }
  run->device_outputs[index] = SMELT_CUDA_PTR(pointer);
  run->requested[index] = bytes;
  run->allocated[index] = 1;
  return run->device_outputs[index];
}

/*------------------------------------------------------------------------------
 * The run
 *----------------------------------------------------------------------------*/

/* Checks that the caller's stream is one of the model's context: a stream
 * of another context fails every launch. Called with the context current. */
static smelt_status *check_stream(const cuda_run *run) {
  CUstream stream = run->stream;
  if (!stream || stream == CU_STREAM_LEGACY || stream == CU_STREAM_PER_THREAD)
    return NULL; /* the current context's own */
  CUcontext context = NULL;
  CUresult r = run->cu->cuStreamGetCtx(stream, &context);
  if (r != CUDA_SUCCESS) {
    char driver[SMELT_CUDA_MESSAGE];
    smelt_cuda_describe(run->cu, "cuStreamGetCtx", r, driver, sizeof driver);
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT, "model '%s': stream %p: %s",
                             run->model->display_name, (void *)stream, driver);
  }
  if (context != run->dev->context)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s': stream %p belongs to another CUDA context than "
                             "the primary context of GPU %d, where the model runs",
                             run->model->display_name, (void *)stream, run->dev->ordinal);
  return NULL;
}

/* Sets up `run` and makes the model's context current; `on_device`: the
 * caller's tensors are device memory, and their work goes on its stream. */
static smelt_status *run_begin(cuda_run *run, const smelt_model *model, void *workspace,
                               uint64_t workspace_size, const smelt_device_tensors *on_device) {
  const smelt_model_info *info = model->info;
  memset(run, 0, sizeof *run);
  run->model = model;
  run->dev = model->device;
  run->cu = run->dev->cu;
  run->workspace = SMELT_CUDA_ADDR(workspace);
  run->workspace_size = workspace ? workspace_size : 0;
  run->api.ctx = run;
  run->api.constants = SMELT_CUDA_PTR(run->dev->constants);
  run->api.launch = api_launch;
  run->api.copy = api_copy;
  run->api.alloc = api_alloc;
  run->api.release = api_release;
  run->on_device = on_device != NULL;
  run->stream = on_device ? (CUstream)on_device->stream : NULL;

  size_t n_in = info->num_inputs, n_out = info->num_outputs;
  size_t size = (n_out + n_in) * sizeof(uint64_t) + (n_in + 2 * n_out) * sizeof(void *) + n_out;
  char *p = calloc(1, size ? size : 1);
  if (!p)
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY, "model '%s': out of memory",
                             model->display_name);
  run->requested = (uint64_t *)(void *)p;
  run->input_bytes = (uint64_t *)(void *)(p += n_out * sizeof(uint64_t));
  run->inputs = (void **)(void *)(p += n_in * sizeof(uint64_t));
  run->outputs = (void **)(void *)(p += n_in * sizeof(void *));
  run->device_outputs = (void **)(void *)(p += n_out * sizeof(void *));
  run->allocated = (unsigned char *)(p + n_out * sizeof(void *));

  CUresult r = run->cu->cuCtxPushCurrent(run->dev->context);
  if (r != CUDA_SUCCESS) {
    free(run->requested);
    return smelt_cuda_failure(run->cu, model->display_name, "cuCtxPushCurrent_v2", r,
                              "cannot use the GPU's context");
  }
  return NULL;
}

/* Frees every device buffer of the run and leaves its context. */
static void run_end(cuda_run *run) {
  for (size_t i = 0; i < run->num_buffers; ++i)
    run->cu->cuMemFree(run->buffers[i].pointer);
  CUcontext popped;
  run->cu->cuCtxPopCurrent(&popped);
  smelt_status_free(run->failure);
  smelt_status_free(run->out_of_memory);
  free(run->buffers);
  free(run->requested);
}

/* Checks that the caller's tensor at `data` is `bytes` of memory on the
 * model's GPU. */
static smelt_status *check_device_tensor(const cuda_run *run, const char *kind, uint32_t index,
                                         const char *name, const void *data, uint64_t bytes) {
  const smelt_cuda_driver *cu = run->cu;
  const char *model = run->model->display_name;
  CUdeviceptr address = SMELT_CUDA_ADDR(data);
  unsigned type = 0;
  int ordinal = -1;
  if (!bytes)
    return NULL; /* nothing is read or written there */
  CUresult r = cu->cuPointerGetAttribute(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, address);
  if (r != CUDA_SUCCESS || type != CU_MEMORYTYPE_DEVICE)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s': %s '%s' (#%u) at %p is not GPU memory "
                             "(smelt_model_run_on_stream takes device pointers; "
                             "smelt_model_run takes host tensors)",
                             model, kind, name, (unsigned)index, data);
  r = cu->cuPointerGetAttribute(&ordinal, CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, address);
  if (r != CUDA_SUCCESS)
    return smelt_cuda_failure(cu, model, "cuPointerGetAttribute", r, "%s '%s' (#%u)", kind,
                              name, (unsigned)index);
  if (ordinal != run->dev->ordinal)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s': %s '%s' (#%u) is memory of GPU %d, but the model "
                             "runs on GPU %d",
                             model, kind, name, (unsigned)index, ordinal, run->dev->ordinal);
  CUdeviceptr base = 0;
  size_t size = 0;
  r = cu->cuMemGetAddressRange(&base, &size, address);
  if (r != CUDA_SUCCESS)
    return smelt_cuda_failure(cu, model, "cuMemGetAddressRange_v2", r, "%s '%s' (#%u)", kind,
                              name, (unsigned)index);
  uint64_t room = base + size - address;
  if (room < bytes)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s': %s '%s' (#%u) takes %llu bytes, but its GPU "
                             "allocation has %llu from %p",
                             model, kind, name, (unsigned)index, (unsigned long long)bytes,
                             (unsigned long long)room, data);
  return NULL;
}

/* The caller's stream and device tensors, checked, the tensors as the
 * call's buffers. The outputs have static dims (run.c checked). */
static smelt_status *place_device_tensors(cuda_run *run, const smelt_tensor *inputs,
                                          const smelt_tensor *outputs) {
  const smelt_model_info *info = run->model->info;
  smelt_status *stream_status = check_stream(run);
  if (stream_status)
    return stream_status;
  int ok;
  for (uint32_t i = 0; i < info->num_inputs; ++i) {
    const smelt_tensor *t = &inputs[i];
    uint64_t bytes = smelt_tensor_bytes(t->dtype, t->dims, t->rank, &ok); /* checked */
    smelt_status *status =
        check_device_tensor(run, "input", i, info->inputs[i].name, t->data, bytes);
    if (status)
      return status;
    run->inputs[i] = t->data;
    run->input_bytes[i] = bytes;
  }
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    uint64_t bytes = smelt_tensor_bytes(out->dtype, out->dims, out->rank, &ok);
    smelt_status *status = check_device_tensor(run, "output", i, out->name, outputs[i].data, bytes);
    if (status)
      return status;
    run->outputs[i] = run->device_outputs[i] = outputs[i].data;
    run->requested[i] = bytes;
  }
  return NULL;
}

/* Device copies of the inputs, and device buffers for the static outputs. */
static smelt_status *place_buffers(cuda_run *run, const smelt_tensor *inputs) {
  const smelt_model_info *info = run->model->info;
  const char *model = run->model->display_name;
  int ok;
  for (uint32_t i = 0; i < info->num_inputs; ++i) {
    const smelt_tensor *t = &inputs[i];
    size_t bytes = smelt_tensor_bytes(t->dtype, t->dims, t->rank, &ok); /* checked */
    CUdeviceptr pointer = 0;
    CUresult r = run_alloc(run, bytes, &pointer);
    if (r != CUDA_SUCCESS)
      return smelt_cuda_failure(run->cu, model, "cuMemAlloc_v2", r,
                                "input '%s' (#%u): cannot allocate it on the GPU",
                                info->inputs[i].name, (unsigned)i);
    run->inputs[i] = SMELT_CUDA_PTR(pointer);
    if (bytes)
      r = run->cu->cuMemcpy(pointer, SMELT_CUDA_ADDR(t->data), bytes);
    if (r != CUDA_SUCCESS)
      return smelt_cuda_failure(run->cu, model, "cuMemcpy", r,
                                "input '%s' (#%u): cannot copy it to the GPU",
                                info->inputs[i].name, (unsigned)i);
  }
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    if (smelt_has_dynamic_dim(out))
      continue; /* allocated by the model through alloc_output */
    uint64_t bytes = smelt_tensor_bytes(out->dtype, out->dims, out->rank, &ok);
    CUdeviceptr pointer = 0;
    CUresult r = run_alloc(run, bytes, &pointer);
    if (r != CUDA_SUCCESS)
      return smelt_cuda_failure(run->cu, model, "cuMemAlloc_v2", r,
                                "output '%s' (#%u): cannot allocate it on the GPU", out->name,
                                (unsigned)i);
    run->outputs[i] = run->device_outputs[i] = SMELT_CUDA_PTR(pointer);
    run->requested[i] = bytes;
  }
  return NULL;
}

/* What the run comes to once the entry point returned `code`. */
static smelt_status *run_result(cuda_run *run, int32_t code, const char *check_message) {
  smelt_status *status = NULL;
  if (run->failure) {
    status = run->failure;
    run->failure = NULL;
  } else if (code == SMELT_ENTRY_OUT_OF_MEMORY && run->out_of_memory) {
    status = run->out_of_memory;
    run->out_of_memory = NULL;
  } else {
    status = smelt_entry_status(run->model, code, check_message);
  }
  return status;
}

/* Copies the outputs to the caller's buffers or to new ones in `a`. */
static smelt_status *fetch_outputs(cuda_run *run, smelt_tensor *outputs, smelt_call_arrays *a) {
  const smelt_model_info *info = run->model->info;
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    uint64_t bytes = run->requested[i];
    void *host = outputs[i].data ? outputs[i].data : smelt_output_block(info, a, i, bytes);
    if (!host)
      return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                               "model '%s': output '%s' (#%u): cannot allocate %llu bytes "
                               "on the host",
                               run->model->display_name, out->name, (unsigned)i,
                               (unsigned long long)bytes);
    CUresult r = CUDA_SUCCESS;
    if (bytes)
      r = run->cu->cuMemcpy(SMELT_CUDA_ADDR(host), SMELT_CUDA_ADDR(run->device_outputs[i]),
                            (size_t)bytes);
    if (r != CUDA_SUCCESS)
      return smelt_cuda_failure(run->cu, run->model->display_name, "cuMemcpy", r,
                                "output '%s' (#%u): cannot copy it from the GPU", out->name,
                                (unsigned)i);
    if (smelt_has_dynamic_dim(out))
      smelt_store_output_dims(info, a, i);
  }
  return NULL;
}

SMELT_CALLS_MODEL_CODE
smelt_status *smelt_cuda_invoke(const smelt_model *model, const smelt_tensor *inputs,
                                smelt_tensor *outputs, smelt_call_arrays *a, void *workspace,
                                uint64_t workspace_size, const smelt_device_tensors *on_device) {
  const smelt_model_info *info = model->info;
  cuda_run run;
  smelt_status *status = run_begin(&run, model, workspace, workspace_size, on_device);
  if (status)
    return status;
  smelt_call call;
  const char *check_message;
  smelt_call_init(info, inputs, a, &call, &check_message);
  status = on_device ? place_device_tensors(&run, inputs, outputs) : place_buffers(&run, inputs);
  if (!status) {
    call.inputs = run.inputs;
    call.outputs = run.outputs;
    call.workspace = workspace;
    call.workspace_size = run.workspace_size;
    /* The host code of a GPU model queues work; it has no loops to share
     * out, and the context is current on this thread only. */
    call.parallel_for = NULL;
    call.alloc_output = alloc_output;
    call.alloc_ctx = &run;
    call.device = &run.api;
    int32_t code = info->entry(&call);
    /* Kernels run asynchronously: their failures surface here. */
    CUresult r = on_device ? run.cu->cuStreamSynchronize(run.stream) : run.cu->cuCtxSynchronize();
    if (r != CUDA_SUCCESS)
      fail(&run, smelt_cuda_failure(run.cu, model->display_name,
                                    on_device ? "cuStreamSynchronize" : "cuCtxSynchronize", r,
                                    "the GPU failed while running the model"));
    status = run_result(&run, code, check_message);
  }
  if (!status)
    status = smelt_check_outputs(info, a, run.allocated, run.requested);
  if (!status && !on_device)
    status = fetch_outputs(&run, outputs, a);
  run_end(&run);
  return status;
}
