/* bare_metal.c - what the runtime does without an OS (SMELT_BARE_METAL).
 *
 * Firmware links its model in and wraps it with smelt_model_from_info (or
 * calls the header's typed entry directly): there is no library to open,
 * runs are serial on the one thread there is, pages need no faulting in,
 * and there is no heap: model objects come from a static table. Replaces
 * open.c, pool.c and prefault.c in the bare-metal build.
 */
#include "internal.h"

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
