/* run.c - smelt_model_run: check a call against the signature, then invoke.
 *
 * Every input and caller-provided output is checked (dtype, rank, static dims)
 * before the model runs, so a compiled model only ever sees tensors of the
 * shapes it was compiled for, and sequence shapes and string lengths that
 * match their data. All
 * per-call state lives in allocations owned by the call, which is what makes
 * concurrent runs on one model safe. A GPU model runs through cuda_run.c,
 * which shares the pieces run.h declares.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdlib.h>
#include <string.h>

#include "run.h"

/* Room for a formatted shape of rank SMELT_MAX_RANK. */
#define SHAPE_BUF (16 * 21 + 4)

size_t smelt_tensor_bytes(int32_t dtype, const int64_t *dims, int32_t rank, int *ok) {
  uint64_t bytes = smelt_dtype_size(dtype);
  *ok = 1;
  for (int32_t d = 0; d < rank; ++d) {
    uint64_t dim = (uint64_t)dims[d];
    if (dim != 0 && bytes > UINT64_MAX / dim) {
      *ok = 0;
      return 0;
    }
    bytes *= dim;
  }
  if (bytes > (uint64_t)SIZE_MAX) {
    *ok = 0;
    return 0;
  }
  return (size_t)bytes;
}

int smelt_has_dynamic_dim(const smelt_tensor_info *info) {
  for (int32_t d = 0; d < info->rank; ++d)
    if (info->dims[d] == SMELT_DYNAMIC_DIM)
      return 1;
  return 0;
}

/* Checks that caller view `t` matches signature entry `info`. */
static smelt_status *check_tensor(const char *kind, size_t index,
                                  const smelt_tensor_info *info,
                                  const smelt_tensor *t) {
  if (t->dtype != info->dtype)
    return smelt_make_status(SMELT_ERR_DTYPE,
                             "%s '%s' (#%lu): expected dtype %s but got %s",
                             kind, info->name, (unsigned long)index,
                             smelt_dtype_name(info->dtype),
                             smelt_dtype_name(t->dtype));
  if (t->rank < 0 || t->rank > SMELT_MAX_RANK || (t->rank > 0 && !t->dims))
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "%s '%s' (#%lu): rank %d with %s dims is not a "
                             "valid tensor view",
                             kind, info->name, (unsigned long)index, (int)t->rank,
                             t->dims ? "non-NULL" : "NULL");

  int match = t->rank == info->rank;
  for (int32_t d = 0; match && d < t->rank; ++d)
    match = t->dims[d] >= 0 &&
            (info->dims[d] == SMELT_DYNAMIC_DIM || info->dims[d] == t->dims[d]);
  if (!match) {
    char want[SHAPE_BUF], got[SHAPE_BUF];
    smelt_format_shape(want, sizeof want, info->dims, info->rank, 1);
    smelt_format_shape(got, sizeof got, t->dims, t->rank, 0);
    return smelt_make_status(SMELT_ERR_SHAPE,
                             "%s '%s' (#%lu): expected shape %s but got %s",
                             kind, info->name, (unsigned long)index, want, got);
  }

  int ok;
  size_t bytes = smelt_tensor_bytes(t->dtype, t->dims, t->rank, &ok);
  if (!ok)
    return smelt_make_status(SMELT_ERR_SHAPE,
                             "%s '%s' (#%lu): tensor is too large to address",
                             kind, info->name, (unsigned long)index);
  if (!t->data && bytes)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "%s '%s' (#%lu): data is NULL", kind, info->name,
                             (unsigned long)index);
  return NULL;
}

/* Checks that the shapes slot of the sequence whose data is input `index`
 * accounts for exactly the data's elements, so that the model can trust it.
 * Both views have already passed check_tensor. */
static smelt_status *check_sequence(const smelt_tensor_info *info,
                                    const smelt_tensor *inputs, size_t index) {
  const smelt_tensor *data = &inputs[index], *shapes = &inputs[index + 1];
  const int64_t *rows = (const int64_t *)shapes->data;
  int64_t count = shapes->dims[0], rank = shapes->dims[1];
  uint64_t total = 0;
  int ok = 1;
  for (int64_t e = 0; ok && e < count; ++e) {
    uint64_t elements = 1;
    for (int64_t d = 0; ok && d < rank; ++d) {
      int64_t dim = rows[e * rank + d];
      ok = dim >= 0 && (dim == 0 || elements <= UINT64_MAX / (uint64_t)dim);
      elements *= ok ? (uint64_t)dim : 0;
    }
    ok = ok && total <= UINT64_MAX - elements;
    total += ok ? elements : 0;
  }
  if (ok && total == (uint64_t)data->dims[0])
    return NULL;
  return smelt_make_status(SMELT_ERR_SHAPE,
                           "input '%s' (#%lu): the sequence's shapes (#%lu) do "
                           "not describe its %lld data elements (negative "
                           "dims, or another element count)",
                           info->name, (unsigned long)index, (unsigned long)index + 1,
                           (long long)data->dims[0]);
}

/* Checks that the lengths slot of the string tensor whose bytes are input
 * `index` splits exactly those bytes, so that the model can trust it. Both
 * views have already passed check_tensor. */
static smelt_status *check_strings(const smelt_tensor_info *info,
                                   const smelt_tensor *inputs, size_t index) {
  const smelt_tensor *bytes = &inputs[index], *lengths = &inputs[index + 1];
  const int64_t *length = (const int64_t *)lengths->data;
  int64_t count = 1;
  for (int32_t d = 0; d < lengths->rank; ++d)
    count *= lengths->dims[d]; /* cannot overflow: check_tensor sized it */
  uint64_t total = 0;
  int ok = 1;
  for (int64_t s = 0; ok && s < count; ++s) {
    ok = length[s] >= 0 && total <= UINT64_MAX - (uint64_t)length[s];
    total += ok ? (uint64_t)length[s] : 0;
  }
  if (ok && total == (uint64_t)bytes->dims[0])
    return NULL;
  return smelt_make_status(SMELT_ERR_SHAPE,
                           "input '%s' (#%lu): the string lengths (#%lu) do "
                           "not add up to its %lld bytes (negative lengths, "
                           "or another total)",
                           info->name, (unsigned long)index, (unsigned long)index + 1,
                           (long long)bytes->dims[0]);
}

static smelt_status *check_call(const smelt_model *model,
                                const smelt_tensor *inputs, size_t num_inputs,
                                const smelt_tensor *outputs,
                                size_t num_outputs) {
  const smelt_model_info *info = model->info;
  if (num_inputs != info->num_inputs || num_outputs != info->num_outputs)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s' takes %u inputs and %u outputs but "
                             "got %lu inputs and %lu outputs",
                             model->display_name, (unsigned)info->num_inputs,
                             (unsigned)info->num_outputs, (unsigned long)num_inputs,
                             (unsigned long)num_outputs);
  if ((num_inputs && !inputs) || (num_outputs && !outputs))
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "smelt_model_run: inputs and outputs must not be "
                             "NULL");
  for (size_t i = 0; i < num_inputs; ++i) {
    smelt_status *status = check_tensor("input", i, &info->inputs[i], &inputs[i]);
    if (status)
      return status;
  }
  /* The loader guarantees that a sequence_data slot is followed by its
   * sequence_shapes slot (int64, rank 2) and a string_bytes slot (uint8,
   * rank 1) by its string_lengths slot (int64), as check_tensor saw them. */
  for (size_t i = 0; i < num_inputs; ++i) {
    smelt_status *status = NULL;
    if (info->inputs[i].role == SMELT_ROLE_SEQUENCE_DATA)
      status = check_sequence(&info->inputs[i], inputs, i);
    else if (info->inputs[i].role == SMELT_ROLE_STRING_BYTES)
      status = check_strings(&info->inputs[i], inputs, i);
    if (status)
      return status;
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    if (smelt_has_dynamic_dim(out)) {
      if (outputs[i].data)
        return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                                 "output '%s' (#%lu) has dynamic dims: leave its "
                                 "data NULL so that the runtime allocates it",
                                 out->name, (unsigned long)i);
      continue;
    }
    if (outputs[i].data) {
      smelt_status *status = check_tensor("output", i, out, &outputs[i]);
      if (status)
        return status;
    } else {
      int ok;
      smelt_tensor_bytes(out->dtype, out->dims, out->rank, &ok);
      if (!ok)
        return smelt_make_status(SMELT_ERR_SHAPE,
                                 "output '%s' (#%lu): tensor is too large to "
                                 "address",
                                 out->name, (unsigned long)i);
    }
  }
  return NULL;
}

#ifdef SMELT_BARE_METAL
/* Bare metal has no heap and one thread: the arrays of the running call
 * live here (at most SMELT_BARE_METAL_CALL_BYTES: about 40 slots of rank 4). */
#ifndef SMELT_BARE_METAL_CALL_BYTES
#define SMELT_BARE_METAL_CALL_BYTES 2048
#endif
static void *calloc_call_block(size_t size) {
  static uint64_t block[SMELT_BARE_METAL_CALL_BYTES / sizeof(uint64_t)];
  if (size > sizeof block)
    return NULL;
  memset(block, 0, size);
  return block;
}
static void free_call_block(void *block) { (void)block; }
#else
static void *calloc_call_block(size_t size) { return calloc(1, size); }
static void free_call_block(void *block) { free(block); }
#endif

static void *alloc_call_arrays(const smelt_model_info *info, smelt_call_arrays *a) {
  size_t total_rank = 0;
  for (uint32_t i = 0; i < info->num_outputs; ++i)
    total_rank += (size_t)info->outputs[i].rank;
  size_t n_in = info->num_inputs, n_out = info->num_outputs;
  /* int64 first so that it is aligned on 32-bit targets too. */
  size_t size = total_rank * sizeof(int64_t) + n_out * sizeof(uint64_t) +
                n_in * sizeof(void *) * 2 + n_out * sizeof(void *) * 2 + n_out + 1;
  char *block = calloc_call_block(size);
  if (!block)
    return NULL;
  char *p = block;
  a->dims_storage = (int64_t *)(void *)p;
  p += total_rank * sizeof(int64_t);
  a->requested = (uint64_t *)(void *)p;
  p += n_out * sizeof(uint64_t);
  a->inputs = (void **)(void *)p;
  p += n_in * sizeof(void *);
  a->input_dims = (const int64_t **)(void *)p;
  p += n_in * sizeof(void *);
  a->outputs = (void **)(void *)p;
  p += n_out * sizeof(void *);
  a->output_dims = (int64_t **)(void *)p;
  p += n_out * sizeof(void *);
  a->allocated = (unsigned char *)p;
  return block;
}

static const char *entry_code_name(int32_t code) {
  switch (code) {
  case SMELT_ENTRY_BAD_ABI: return " (SMELT_ENTRY_BAD_ABI)";
  case SMELT_ENTRY_SMALL_WORKSPACE: return " (SMELT_ENTRY_SMALL_WORKSPACE)";
  case SMELT_ENTRY_OUT_OF_MEMORY: return " (SMELT_ENTRY_OUT_OF_MEMORY)";
  case SMELT_ENTRY_BAD_SHAPE: return " (SMELT_ENTRY_BAD_SHAPE)";
  case SMELT_ENTRY_CHECK_FAILED: return " (SMELT_ENTRY_CHECK_FAILED)";
  default: return "";
  }
}

smelt_status *smelt_entry_status(const smelt_model *model, int32_t code,
                                 const char *check_message) {
  /* A run-time check of the model rejected the inputs (dims that do not
   * broadcast, ...): a shape error of the caller's, with the model's words. */
  if (code == SMELT_ENTRY_CHECK_FAILED)
    return smelt_make_status(SMELT_ERR_SHAPE, "model '%s': %s", model->display_name,
                             check_message ? check_message
                                           : "a run-time check failed");
  if (code == SMELT_ENTRY_OUT_OF_MEMORY)
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                             "model '%s': out of memory during the run (an output, or a "
                             "buffer sized by the inputs, could not be allocated)",
                             model->display_name);
  if (code != SMELT_ENTRY_OK)
    return smelt_make_status(SMELT_ERR_EXECUTION,
                             "model '%s': entry point failed with code %d%s",
                             model->display_name, (int)code,
                             entry_code_name(code));
  return NULL;
}

void smelt_call_init(const smelt_model_info *info, const smelt_tensor *inputs,
                     smelt_call_arrays *a, smelt_call *call, const char **check_message) {
  int64_t *dims = a->dims_storage;
  for (uint32_t i = 0; i < info->num_inputs; ++i)
    a->input_dims[i] = inputs[i].dims;
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    a->output_dims[i] = dims;
    if (out->rank)
      memcpy(dims, out->dims, (size_t)out->rank * sizeof(int64_t));
    dims += out->rank;
  }
  memset(call, 0, sizeof *call);
  call->abi_version = SMELT_ABI_VERSION;
  call->input_dims = a->input_dims;
  call->output_dims = a->output_dims;
  *check_message = NULL;
  call->check_message = check_message;
}

/* A dynamic output's block holds the data, then (8-byte aligned) room for
 * the dims, so one smelt_free() releases both. */
static size_t dims_offset(uint64_t bytes) { return (size_t)((bytes + 7) & ~(uint64_t)7); }

void *smelt_output_block(const smelt_model_info *info, smelt_call_arrays *a, uint32_t index,
                         uint64_t bytes) {
  if (bytes > (uint64_t)SIZE_MAX / 2)
    return NULL;
  if (a->allocated[index]) { /* asked twice: keep only the newest */
    smelt_heap_free(a->outputs[index]);
    a->outputs[index] = NULL;
    a->allocated[index] = 0;
  }
  const smelt_tensor_info *out = &info->outputs[index];
  size_t total = smelt_has_dynamic_dim(out)
                     ? dims_offset(bytes) + (size_t)out->rank * sizeof(int64_t)
                     : (size_t)bytes;
  void *block = NULL;
  if (smelt_aligned_alloc(&block, SMELT_DEFAULT_ALIGN, total ? total : SMELT_DEFAULT_ALIGN) != 0)
    return NULL;
  a->outputs[index] = block;
  a->allocated[index] = 1;
  a->requested[index] = bytes;
  return block;
}

void smelt_store_output_dims(const smelt_model_info *info, smelt_call_arrays *a,
                             uint32_t index) {
  int32_t rank = info->outputs[index].rank;
  if (rank)
    memcpy((char *)a->outputs[index] + dims_offset(a->requested[index]),
           a->output_dims[index], (size_t)rank * sizeof(int64_t));
}

smelt_status *smelt_check_outputs(const smelt_model_info *info, const smelt_call_arrays *a,
                                  const unsigned char *allocated, const uint64_t *requested) {
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    const int64_t *got_dims = a->output_dims[i];
    int match = 1;
    for (int32_t d = 0; d < out->rank; ++d)
      match &= got_dims[d] >= 0 &&
               (out->dims[d] == SMELT_DYNAMIC_DIM || got_dims[d] == out->dims[d]);
    if (!match) {
      char want[SHAPE_BUF], got[SHAPE_BUF];
      smelt_format_shape(want, sizeof want, out->dims, out->rank, 1);
      smelt_format_shape(got, sizeof got, got_dims, out->rank, 0);
      return smelt_make_status(SMELT_ERR_EXECUTION,
                               "output '%s' (#%u): model reported shape %s "
                               "but its signature says %s",
                               out->name, (unsigned)i, got, want);
    }
    if (!smelt_has_dynamic_dim(out))
      continue;
    int ok;
    size_t bytes = smelt_tensor_bytes(out->dtype, got_dims, out->rank, &ok);
    if (!allocated[i] || !ok || bytes != requested[i])
      return smelt_make_status(SMELT_ERR_EXECUTION,
                               "output '%s' (#%u): the model did not allocate a "
                               "buffer matching its reported shape",
                               out->name, (unsigned)i);
  }
  return NULL;
}

/* Outputs with dynamic dims are allocated by the model through this
 * callback once their size is known. */
typedef struct alloc_context {
  const smelt_model_info *info;
  smelt_call_arrays *arrays;
} alloc_context;

static void *allocate_output(void *ctx, uint32_t index, uint64_t bytes) {
  alloc_context *c = (alloc_context *)ctx;
  if (index >= c->info->num_outputs)
    return NULL;
  return smelt_output_block(c->info, c->arrays, index, bytes);
}

/* Allocates outputs, runs the entry point, checks the reported shapes. */
SMELT_CALLS_MODEL_CODE
static smelt_status *invoke(smelt_model *model, const smelt_tensor *inputs,
                            smelt_tensor *outputs, smelt_call_arrays *a,
                            void *workspace, uint64_t workspace_size) {
  const smelt_model_info *info = model->info;
  smelt_call call;
  const char *check_message;
  smelt_call_init(info, inputs, a, &call, &check_message);
  for (uint32_t i = 0; i < info->num_inputs; ++i)
    a->inputs[i] = inputs[i].data;
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    if (outputs[i].data) {
      a->outputs[i] = outputs[i].data;
      continue;
    }
    if (smelt_has_dynamic_dim(out))
      continue; /* allocated by the model through allocate_output */
#ifdef SMELT_BARE_METAL
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "output '%s' (#%u): a bare-metal runtime allocates no "
                             "outputs: pass a buffer of the slot's size",
                             out->name, (unsigned)i);
#endif
    int ok;
    size_t bytes = smelt_tensor_bytes(out->dtype, out->dims, out->rank, &ok);
    if (!smelt_output_block(info, a, i, bytes))
      return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                               "model '%s': output '%s' (#%u): cannot allocate %llu bytes",
                               model->display_name, out->name, (unsigned)i,
                               (unsigned long long)bytes);
  }

  call.inputs = a->inputs;
  call.outputs = a->outputs;
  call.workspace = workspace;
  call.workspace_size = workspace ? workspace_size : 0;
  call.parallel_ctx = smelt_pool_get();
  call.parallel_for = call.parallel_ctx ? smelt_pool_parallel_for : NULL;
  alloc_context alloc = {info, a};
  call.alloc_output = allocate_output;
  call.alloc_ctx = &alloc;
  uint64_t needed = 0;
  call.workspace_needed = &needed;
  int32_t code = info->entry(&call);
  /* Also after a failure: a run that ran out of memory may fit next time. */
  smelt_workspace_note_needed(model, needed);
  smelt_status *status = smelt_entry_status(model, code, check_message);
  if (!status)
    status = smelt_check_outputs(info, a, a->allocated, a->requested);
  for (uint32_t i = 0; !status && i < info->num_outputs; ++i)
    if (smelt_has_dynamic_dim(&info->outputs[i]))
      smelt_store_output_dims(info, a, i);
  return status;
}

/* What smelt_model_run_on_stream needs besides check_call: a GPU model,
 * plain tensors (sequences and strings are checked by reading them on the
 * host), and a device buffer from the caller for every output, which needs
 * static dims. */
static smelt_status *check_device_call(const smelt_model *model,
                                       const smelt_tensor *outputs) {
  const smelt_model_info *info = model->info;
  if (!model->device)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s' runs on the CPU: smelt_model_run_on_stream is "
                             "for models compiled with --device cuda (use "
                             "smelt_model_run)",
                             model->display_name);
  for (uint32_t i = 0; i < info->num_inputs; ++i)
    if (info->inputs[i].role != SMELT_ROLE_TENSOR)
      return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                               "model '%s': input '%s' (#%u) is part of a sequence, "
                               "optional or string, which smelt_model_run_on_stream "
                               "does not take (use smelt_model_run)",
                               model->display_name, info->inputs[i].name, (unsigned)i);
  for (uint32_t i = 0; i < info->num_outputs; ++i) {
    const smelt_tensor_info *out = &info->outputs[i];
    if (smelt_has_dynamic_dim(out))
      return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                               "model '%s': output '%s' (#%u) has dynamic dims, but "
                               "smelt_model_run_on_stream writes into buffers the caller "
                               "sized (use smelt_model_run)",
                               model->display_name, out->name, (unsigned)i);
    int ok;
    if (!outputs[i].data && smelt_tensor_bytes(out->dtype, out->dims, out->rank, &ok))
      return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                               "model '%s': output '%s' (#%u): data is NULL, but "
                               "smelt_model_run_on_stream writes into the caller's "
                               "device buffers",
                               model->display_name, out->name, (unsigned)i);
  }
  return NULL;
}

/* Checks the call, runs it with `workspace`, hands allocated outputs over.
 * `on_device`: a GPU run on the caller's device tensors. */
static smelt_status *run_checked(smelt_model *model, const smelt_tensor *inputs,
                                 size_t num_inputs, smelt_tensor *outputs,
                                 size_t num_outputs, void *workspace,
                                 uint64_t workspace_size,
                                 const smelt_device_tensors *on_device) {
  smelt_status *status =
      check_call(model, inputs, num_inputs, outputs, num_outputs);
  if (!status && on_device)
    status = check_device_call(model, outputs);
  if (status)
    return status;

  smelt_call_arrays arrays;
  void *block = alloc_call_arrays(model->info, &arrays);
  if (!block)
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                             "model '%s': out of memory", model->display_name);

  status = model->device ? smelt_cuda_invoke(model, inputs, outputs, &arrays, workspace,
                                             workspace_size, on_device)
                         : invoke(model, inputs, outputs, &arrays, workspace, workspace_size);
  for (size_t i = 0; i < num_outputs; ++i) {
    if (!arrays.allocated[i])
      continue;
    if (status) {
      smelt_heap_free(arrays.outputs[i]);
      continue;
    }
    const smelt_tensor_info *out = &model->info->outputs[i];
    outputs[i].data = arrays.outputs[i];
    outputs[i].dtype = out->dtype;
    outputs[i].rank = out->rank;
    outputs[i].dims = smelt_has_dynamic_dim(out)
                          ? (const int64_t *)(const void *)((char *)arrays.outputs[i] +
                                                            dims_offset(arrays.requested[i]))
                          : out->dims;
  }
  free_call_block(block);
  return status;
}

/* A run on the model's own workspace. */
static smelt_status *run_on_kept_workspace(smelt_model *model, const smelt_tensor *inputs,
                                           size_t num_inputs, smelt_tensor *outputs,
                                           size_t num_outputs,
                                           const smelt_device_tensors *on_device) {
  void *workspace = NULL;
  uint64_t workspace_size = 0;
  smelt_status *status = smelt_workspace_acquire(model, &workspace, &workspace_size);
  if (status)
    return status;
  status = run_checked(model, inputs, num_inputs, outputs, num_outputs,
                       workspace, workspace_size, on_device);
  smelt_workspace_release(model, workspace, workspace_size);
  return status;
}

smelt_status *smelt_model_run(smelt_model *model, const smelt_tensor *inputs,
                              size_t num_inputs, smelt_tensor *outputs,
                              size_t num_outputs) {
  if (!model)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "smelt_model_run: model must not be NULL");
  return run_on_kept_workspace(model, inputs, num_inputs, outputs, num_outputs, NULL);
}

smelt_status *smelt_model_run_on_stream(smelt_model *model, const smelt_tensor *inputs,
                                        size_t num_inputs, smelt_tensor *outputs,
                                        size_t num_outputs, void *stream) {
  if (!model)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "smelt_model_run_on_stream: model must not be NULL");
  smelt_device_tensors on_device = {stream};
  return run_on_kept_workspace(model, inputs, num_inputs, outputs, num_outputs, &on_device);
}

smelt_status *smelt_model_run_with_workspace(smelt_model *model,
                                             const smelt_tensor *inputs,
                                             size_t num_inputs,
                                             smelt_tensor *outputs,
                                             size_t num_outputs,
                                             void *workspace,
                                             size_t workspace_size) {
  if (!model)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "smelt_model_run_with_workspace: model must not be "
                             "NULL");
  smelt_status *status =
      smelt_workspace_check(model, workspace, workspace_size);
  return status ? status
                : run_checked(model, inputs, num_inputs, outputs, num_outputs,
                              workspace, workspace_size, NULL);
}

void smelt_free(void *data) { smelt_heap_free(data); }
