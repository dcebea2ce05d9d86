/* workspace.c - the arena a compiled model plans its intermediates into.
 *
 * A static model needs P_info.workspace_size bytes per run (its buffers sit
 * at offsets the compiler chose). A model with dynamic dims may use more:
 * it places the buffers it sizes from the input dims past those bytes when
 * they fit, and reports what it needed (smelt_call.workspace_needed); the
 * next workspace is made that large. The runtime keeps one spare arena per
 * model, so back-to-back runs allocate nothing; a call that finds the spare
 * taken (a concurrent run) allocates its own and frees it afterwards, which
 * keeps concurrent runs on one model safe. The first spare is made when the
 * model is opened, its pages mapped then (prefault.c). A GPU model's
 * workspace is device memory (cuda.c), kept and shared out the same way.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdlib.h>

#include "internal.h"

static uint64_t required_align(const smelt_model_info *info) {
  return info->workspace_align > SMELT_DEFAULT_ALIGN ? info->workspace_align
                                                     : SMELT_DEFAULT_ALIGN;
}

/* The most workspace a run of `model` has needed: its planned bytes, or
 * more that runs reported. Called with the workspace lock held. */
static uint64_t largest_need(const smelt_model *model) {
  uint64_t planned = model->info->workspace_size;
  return model->workspace_needed > planned ? model->workspace_needed : planned;
}

/* The bytes the next run's workspace should have. Called with the lock held. */
static uint64_t wanted_bytes(const smelt_model *model) {
#ifdef SMELT_BARE_METAL
  /* No heap to grow into: the block of a model with dynamic dims goes in a
   * workspace of the caller's, or the model allocates it. */
  return model->info->workspace_size;
#else
  return largest_need(model);
#endif
}

static void free_workspace(const smelt_model *model, void *workspace) {
  if (model->device)
    smelt_cuda_workspace_free(model, workspace);
  else
    smelt_heap_free(workspace);
}

smelt_status *smelt_workspace_acquire(smelt_model *model, void **workspace, uint64_t *size) {
  const smelt_model_info *info = model->info;
  smelt_lock_acquire(&model->workspace_lock);
  uint64_t wanted = wanted_bytes(model);
  void *spare = model->spare_workspace;
  uint64_t spare_size = model->spare_workspace_size;
  model->spare_workspace = NULL;
  model->spare_workspace_size = 0;
  smelt_lock_release(&model->workspace_lock);
  *workspace = NULL;
  *size = 0;
  if (spare && spare_size >= wanted) {
    *workspace = spare;
    *size = spare_size;
    return NULL;
  }
  if (spare) /* a run needed more than it holds */
    free_workspace(model, spare);
  if (!wanted)
    return NULL;
  if (model->device) {
    *size = info->workspace_size;
    return smelt_cuda_workspace_alloc(model, workspace);
  }
#ifdef SMELT_BARE_METAL
  return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                           "model '%s' needs a %llu-byte workspace, and a bare-metal runtime "
                           "takes none from a heap: pass one to "
                           "smelt_model_run_with_workspace (the header's WORKSPACE_SIZE)",
                           model->display_name, (unsigned long long)info->workspace_size);
#endif
  uint64_t align = required_align(info);
  /* aligned_alloc wants a multiple of the alignment. */
  uint64_t bytes = (wanted + align - 1) & ~(align - 1);
  if (bytes < wanted || bytes > (uint64_t)SIZE_MAX || align > (uint64_t)SIZE_MAX ||
      smelt_aligned_alloc(workspace, (size_t)align, (size_t)bytes) != 0) {
    *workspace = NULL;
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                             "model '%s': cannot allocate a %llu-byte workspace",
                             model->display_name, (unsigned long long)wanted);
  }
  smelt_prefault_buffer(*workspace, (size_t)bytes);
  *size = bytes;
  return NULL;
}

void smelt_workspace_release(smelt_model *model, void *workspace, uint64_t size) {
  if (!workspace)
    return;
  smelt_lock_acquire(&model->workspace_lock);
  if (!model->spare_workspace || model->spare_workspace_size < size) {
    void *smaller = model->spare_workspace;
    model->spare_workspace = workspace;
    model->spare_workspace_size = size;
    workspace = smaller;
  }
  smelt_lock_release(&model->workspace_lock);
  if (workspace)
    free_workspace(model, workspace);
}

void smelt_workspace_note_needed(smelt_model *model, uint64_t bytes) {
  /* The planned bytes are every static model's need: no lock for those. */
  if (bytes <= model->info->workspace_size)
    return;
  smelt_lock_acquire(&model->workspace_lock);
  if (bytes > model->workspace_needed)
    model->workspace_needed = bytes;
  smelt_lock_release(&model->workspace_lock);
}

void smelt_workspace_discard(smelt_model *model) {
  if (model->spare_workspace)
    free_workspace(model, model->spare_workspace);
  model->spare_workspace = NULL;
  model->spare_workspace_size = 0;
}

smelt_status *smelt_workspace_check(const smelt_model *model, const void *workspace,
                                    size_t size) {
  const smelt_model_info *info = model->info;
  if (!info->workspace_size)
    return NULL;
  uint64_t align = required_align(info);
  if (!workspace || (uint64_t)size < info->workspace_size)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s' needs a workspace of %llu bytes, got %llu "
                             "bytes at %p",
                             model->display_name,
                             (unsigned long long)info->workspace_size, (unsigned long long)size,
                             workspace);
  if ((uintptr_t)workspace % align != 0)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "model '%s' needs its workspace aligned to %llu bytes, "
                             "got %p",
                             model->display_name, (unsigned long long)align,
                             workspace);
  return NULL;
}

uint64_t smelt_model_workspace_size(const smelt_model *model) {
  return model ? model->info->workspace_size : 0;
}

uint64_t smelt_model_workspace_needed(const smelt_model *model) {
  if (!model)
    return 0;
  smelt_model *m = (smelt_model *)model; /* the lock is the model's own state */
  smelt_lock_acquire(&m->workspace_lock);
  uint64_t needed = largest_need(m);
  smelt_lock_release(&m->workspace_lock);
  return needed;
}

uint64_t smelt_model_workspace_align(const smelt_model *model) {
  return model ? required_align(model->info) : SMELT_DEFAULT_ALIGN;
}
