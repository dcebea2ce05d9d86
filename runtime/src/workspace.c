/* workspace.c - the arena a compiled model plans its intermediates into.
 *
 * A static model needs P_info.workspace_size bytes per run (its buffers sit
 * at offsets the compiler chose). The runtime keeps one spare arena per
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

smelt_status *smelt_workspace_acquire(smelt_model *model, void **workspace) {
  const smelt_model_info *info = model->info;
  *workspace = NULL;
  if (!info->workspace_size)
    return NULL;
  smelt_lock_acquire(&model->workspace_lock);
  *workspace = model->spare_workspace;
  model->spare_workspace = NULL;
  smelt_lock_release(&model->workspace_lock);
  if (*workspace)
    return NULL;
  if (model->device)
    return smelt_cuda_workspace_alloc(model, workspace);
#ifdef SMELT_BARE_METAL
  return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                           "model '%s' needs a %llu-byte workspace, and a bare-metal runtime "
                           "takes none from a heap: pass one to "
                           "smelt_model_run_with_workspace (the header's WORKSPACE_SIZE)",
                           model->display_name, (unsigned long long)info->workspace_size);
#endif
  uint64_t align = required_align(info);
  if (info->workspace_size > (uint64_t)SIZE_MAX || align > (uint64_t)SIZE_MAX ||
      smelt_aligned_alloc(workspace, (size_t)align, (size_t)info->workspace_size) != 0) {
    *workspace = NULL;
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                             "model '%s': cannot allocate a %llu-byte workspace",
                             model->display_name,
                             (unsigned long long)info->workspace_size);
  }
  smelt_prefault_buffer(*workspace, (size_t)info->workspace_size);
  return NULL;
}

static void free_workspace(const smelt_model *model, void *workspace) {
  if (model->device)
    smelt_cuda_workspace_free(model, workspace);
  else
    smelt_heap_free(workspace);
}

void smelt_workspace_release(smelt_model *model, void *workspace) {
  if (!workspace)
    return;
  smelt_lock_acquire(&model->workspace_lock);
  if (!model->spare_workspace) {
    model->spare_workspace = workspace;
    workspace = NULL;
  }
  smelt_lock_release(&model->workspace_lock);
  if (workspace)
    free_workspace(model, workspace);
}

void smelt_workspace_discard(smelt_model *model) {
  if (model->spare_workspace)
    free_workspace(model, model->spare_workspace);
  model->spare_workspace = NULL;
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

uint64_t smelt_model_workspace_align(const smelt_model *model) {
  return model ? required_align(model->info) : SMELT_DEFAULT_ALIGN;
}
