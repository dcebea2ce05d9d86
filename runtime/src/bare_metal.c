/* bare_metal.c - what the runtime does without an OS (SMELT_BARE_METAL).
 *
 * Firmware links its model in and wraps it with smelt_model_from_info (or
 * calls the header's typed entry directly): there is no library to open,
 * runs are serial on the one thread there is, pages need no faulting in,
 * there is no GPU driver to load, and there is no heap: model objects come
 * from a static table. Replaces open.c, pool.c, prefault.c and the cuda*.c
 * files in the bare-metal build.
 */
#include "run.h"

smelt_status *smelt_model_open(const char *path, smelt_model **out) {
  if (out)
    *out = NULL;
  return smelt_make_status(SMELT_ERR_LOAD,
                           "cannot open model '%s': this runtime is built for bare metal, "
                           "which loads no libraries; link the model's object and use "
                           "smelt_model_from_info",
                           path ? path : "(null)");
}

void smelt_unload_library(void *library) { (void)library; }

void *smelt_pool_get(void) { return NULL; }

SMELT_CALLS_MODEL_CODE
void smelt_pool_parallel_for(void *pool_ctx, int64_t begin, int64_t end,
                             smelt_parallel_body body, void *body_ctx) {
  (void)pool_ctx;
  if (begin < end)
    body(body_ctx, begin, end);
}

smelt_status *smelt_set_num_threads(int threads) {
  if (threads == 0 || threads == 1)
    return NULL;
  return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                           "smelt_set_num_threads: %d threads asked, but bare metal has one",
                           threads);
}

int smelt_get_num_threads(void) { return 1; }

void smelt_prefault_buffer(void *buffer, size_t bytes) {
  (void)buffer;
  (void)bytes;
}

static smelt_model models[SMELT_BARE_METAL_MODELS];
static unsigned char in_use[SMELT_BARE_METAL_MODELS];

smelt_model *smelt_model_storage_take(const char *display_name) {
  for (int i = 0; i < SMELT_BARE_METAL_MODELS; ++i) {
    if (in_use[i])
      continue;
    in_use[i] = 1;
    /* The linked info's name (or a literal): it outlives the model. */
    models[i].display_name = (char *)(uintptr_t)display_name;
    return &models[i];
  }
  return NULL;
}

void smelt_model_storage_give(smelt_model *model) { in_use[model - models] = 0; }

/* GPU models are refused when they are wrapped, so a model never has a
 * device side here. */
smelt_status *smelt_cuda_open(smelt_model *model) {
  return smelt_make_status(SMELT_ERR_DEVICE,
                           "model '%s' runs on an NVIDIA GPU, and a bare-metal runtime drives none",
                           model->display_name);
}

void smelt_cuda_close(smelt_model *model) { (void)model; }

/* Unreachable (model->device is always NULL here): they exist so the build links. */
smelt_status *smelt_cuda_workspace_alloc(const smelt_model *model, void **workspace) {
  (void)model;
  (void)workspace;
  return smelt_make_status(SMELT_ERR_DEVICE, "no GPU on bare metal");
}

void smelt_cuda_workspace_free(const smelt_model *model, void *workspace) {
  (void)model;
  (void)workspace;
}

smelt_status *smelt_cuda_invoke(const smelt_model *model, const smelt_tensor *inputs,
                                smelt_tensor *outputs, smelt_call_arrays *a, void *workspace,
                                uint64_t workspace_size, const smelt_device_tensors *on_device) {
  (void)model;
  (void)on_device;
  (void)inputs;
  (void)outputs;
  (void)a;
  (void)workspace;
  (void)workspace_size;
  return smelt_make_status(SMELT_ERR_DEVICE, "no GPU on bare metal");
}
