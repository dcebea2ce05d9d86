/* model.c - validating, describing and closing a compiled model (open.c
 * loads libraries).
 *
 * A model is accepted only if its smelt_model_info targets this runtime's ABI
 * and is well formed: non-NULL pointers, ranks in [0, 16], dims >= 0 or
 * dynamic, dtypes with a known size, slot roles that form legal groups,
 * metadata whose strings are all there (metadata.c), and for a GPU model,
 * device code this runtime can load (its GPU is checked later, cuda.c).
 * smelt_model_run() relies on this and does not check the signature again.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Checks one input or output of a signature. */
static smelt_status *validate_tensor_info(const char *model_name,
                                          const char *kind, unsigned index,
                                          const smelt_tensor_info *t) {
  if (!t->name)
    return smelt_make_status(SMELT_ERR_LOAD, "model '%s': %s #%u has no name",
                             model_name, kind, index);
  if (smelt_dtype_size(t->dtype) == 0)
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s': %s '%s' (#%u) has unsupported dtype "
                             "%s (%d)",
                             model_name, kind, t->name, index,
                             smelt_dtype_name(t->dtype), (int)t->dtype);
  if (t->rank < 0 || t->rank > SMELT_MAX_RANK)
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s': %s '%s' (#%u) has rank %d, outside "
                             "[0, %d]",
                             model_name, kind, t->name, index, (int)t->rank,
                             SMELT_MAX_RANK);
  if (t->rank > 0 && !t->dims)
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s': %s '%s' (#%u) has rank %d but no dims",
                             model_name, kind, t->name, index, (int)t->rank);
  for (int32_t d = 0; d < t->rank; ++d)
    if (t->dims[d] < 0 && t->dims[d] != SMELT_DYNAMIC_DIM)
      return smelt_make_status(SMELT_ERR_LOAD,
                               "model '%s': %s '%s' (#%u) has invalid dim %d "
                               "(%lld)",
                               model_name, kind, t->name, index, (int)d,
                               (long long)t->dims[d]);
  for (int32_t d = 0; t->dim_names && d < t->rank; ++d)
    if (!t->dim_names[d])
      return smelt_make_status(SMELT_ERR_LOAD,
                               "model '%s': %s '%s' (#%u) lacks the name of "
                               "dim %d",
                               model_name, kind, t->name, index, (int)d);
  return NULL;
}

int smelt_parse_gpu_arch(const char *arch, int *major, int *minor, char *suffix) {
  if (strncmp(arch, "sm_", 3) != 0)
    return 0;
  const char *p = arch + 3;
  int number = 0, digits = 0;
  for (; *p >= '0' && *p <= '9' && digits < 4; ++p, ++digits)
    number = number * 10 + (*p - '0');
  *suffix = *p >= 'a' && *p <= 'z' ? *p++ : 0;
  if (digits < 2 || *p != '\0')
    return 0;
  /* The last digit is the minor version: sm_86 is 8.6, sm_100 is 10.0. */
  *major = number / 10;
  *minor = number % 10;
  return 1;
}

static int is_power_of_two(uint64_t x) { return x && (x & (x - 1)) == 0; }

/* Checks the device code of a GPU model. */
static smelt_status *validate_device_code(const char *model_name,
                                          const smelt_model_info *info) {
  const smelt_device_code *d = info->device;
  int major, minor;
  char suffix;
  if (d->platform && strcmp(d->platform, "cuda") != 0)
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s' was compiled for the device platform '%s', "
                             "which this runtime does not run (it runs 'cuda')",
                             model_name, d->platform);
#define MALFORMED(...)                                                         \
  smelt_make_status(SMELT_ERR_LOAD, "model '%s' has malformed device code: " __VA_ARGS__)
  if (!d->platform)
    return MALFORMED("no platform", model_name);
  if (!d->arch || !smelt_parse_gpu_arch(d->arch, &major, &minor, &suffix))
    return MALFORMED("GPU architecture '%s' is not of the form sm_<major><minor>",
                     model_name, d->arch ? d->arch : "(null)");
  if (!d->image)
    return MALFORMED("no PTX image", model_name);
  /* cuModuleLoadDataEx reads the PTX up to its NUL, whatever image_size
   * says. memchr stops at the first NUL, so this reads no further either. */
  const char *nul = d->image_size < (uint64_t)SIZE_MAX
                        ? memchr(d->image, '\0', (size_t)d->image_size + 1)
                        : NULL;
  if (!nul || (uint64_t)(nul - d->image) != d->image_size)
    return MALFORMED("the PTX image does not end with a NUL at image_size (%llu)",
                     model_name, (unsigned long long)d->image_size);
  if (d->num_kernels && !d->kernel_names)
    return MALFORMED("%u kernels but no names for them", model_name,
                     (unsigned)d->num_kernels);
  for (uint32_t k = 0; k < d->num_kernels; ++k)
    if (!d->kernel_names[k])
      return MALFORMED("kernel #%u has no name", model_name, (unsigned)k);
  if (d->constants_size && !d->constants)
    return MALFORMED("%llu bytes of constants but no data", model_name,
                     (unsigned long long)d->constants_size);
  /* The CUDA driver aligns every allocation to 256 bytes, and no further. */
  if (d->constants_align &&
      (!is_power_of_two(d->constants_align) || d->constants_align > SMELT_DEVICE_MAX_ALIGN))
    return MALFORMED("constants alignment %llu is not a power of two up to %u", model_name,
                     (unsigned long long)d->constants_align, SMELT_DEVICE_MAX_ALIGN);
  if (info->workspace_size && info->workspace_align > SMELT_DEVICE_MAX_ALIGN)
    return MALFORMED("workspace alignment %llu is above %u", model_name,
                     (unsigned long long)info->workspace_align, SMELT_DEVICE_MAX_ALIGN);
#undef MALFORMED
  return NULL;
}

/* Checks a whole signature; `model_name` names it in messages. */
smelt_status *smelt_validate_info(const char *model_name,
                                  const smelt_model_info *info) {
  if (info->abi_version != SMELT_ABI_VERSION)
    return smelt_make_status(SMELT_ERR_ABI_MISMATCH,
                             "model '%s' targets smelt ABI version %u, but this "
                             "runtime implements version %u; recompile the "
                             "model with a smelt that matches the runtime",
                             model_name, (unsigned)info->abi_version,
                             (unsigned)SMELT_ABI_VERSION);
  if (!info->entry)
    return smelt_make_status(SMELT_ERR_LOAD, "model '%s' has no entry point",
                             model_name);
  if ((info->num_inputs && !info->inputs) ||
      (info->num_outputs && !info->outputs))
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s' declares %u inputs and %u outputs but "
                             "lacks their descriptions",
                             model_name, (unsigned)info->num_inputs,
                             (unsigned)info->num_outputs);
  uint64_t align = info->workspace_align;
  if (info->workspace_size && align && (align & (align - 1)) != 0)
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s' asks for a workspace alignment of "
                             "%llu, which is not a power of two",
                             model_name, (unsigned long long)align);
  smelt_status *status = smelt_check_metadata(model_name, info->metadata);
  if (!status && info->device)
    status = validate_device_code(model_name, info);
  for (uint32_t i = 0; !status && i < info->num_inputs; ++i)
    status = validate_tensor_info(model_name, "input", i, &info->inputs[i]);
  for (uint32_t i = 0; !status && i < info->num_outputs; ++i)
    status = validate_tensor_info(model_name, "output", i, &info->outputs[i]);
  if (!status)
    status = smelt_check_slot_groups(model_name, "input", info->inputs,
                                     info->num_inputs);
  if (!status)
    status = smelt_check_slot_groups(model_name, "output", info->outputs,
                                     info->num_outputs);
  return status;
}

#ifndef SMELT_BARE_METAL
smelt_model *smelt_model_storage_take(const char *display_name) {
  size_t n = strlen(display_name) + 1;
  smelt_model *model = malloc(sizeof *model);
  char *name = malloc(n);
  if (!model || !name) {
    free(model);
    free(name);
    return NULL;
  }
  memcpy(name, display_name, n);
  model->display_name = name;
  return model;
}

void smelt_model_storage_give(smelt_model *model) {
  free(model->display_name);
  free(model);
}
#endif

/* Builds the model object once `info` is known to be valid. */
smelt_status *smelt_make_model(const smelt_model_info *info, void *library,
                              const char *display_name, smelt_model **out) {
  smelt_model *model = smelt_model_storage_take(display_name);
  if (!model)
#ifdef SMELT_BARE_METAL
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                             "cannot open model '%s': every one of the %d model slots "
                             "of this bare-metal runtime is in use "
                             "(SMELT_BARE_METAL_MODELS)",
                             display_name, SMELT_BARE_METAL_MODELS);
#else
    return smelt_make_status(SMELT_ERR_OUT_OF_MEMORY,
                             "out of memory while opening model '%s'",
                             display_name);
#endif
  model->info = info;
  model->library = library;
  smelt_lock_init(&model->workspace_lock);
  model->spare_workspace = NULL;
  model->spare_workspace_size = 0;
  model->workspace_needed = 0;
  model->device = NULL;
  smelt_status *status = info->device ? smelt_cuda_open(model) : NULL;
#ifndef SMELT_BARE_METAL
  /* The first run's arena and pages, ready now (prefault.c). Bare metal
   * takes the workspace from the caller instead. */
  void *workspace = NULL;
  uint64_t workspace_size = 0;
  if (!status)
    status = smelt_workspace_acquire(model, &workspace, &workspace_size);
  if (!status)
    smelt_workspace_release(model, workspace, workspace_size);
#endif
  if (status) {
    if (model->device)
      smelt_cuda_close(model);
    smelt_lock_destroy(&model->workspace_lock);
    smelt_model_storage_give(model);
    return status;
  }
  *out = model;
  return NULL;
}

smelt_status *smelt_model_from_info(const smelt_model_info *info,
                                    smelt_model **out) {
  if (out)
    *out = NULL;
  if (!info || !out)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "smelt_model_from_info: info and out must not be "
                             "NULL");
  const char *name = info->model_name && info->model_name[0]
                         ? info->model_name
                         : "<linked model>";
  smelt_status *status = smelt_validate_info(name, info);
  return status ? status : smelt_make_model(info, NULL, name, out);
}

void smelt_model_close(smelt_model *model) {
  if (!model)
    return;
  /* A GPU model's workspace is freed in its context, before it goes. */
  smelt_workspace_discard(model);
  if (model->device)
    smelt_cuda_close(model);
  if (model->library)
    smelt_unload_library(model->library);
  smelt_lock_destroy(&model->workspace_lock);
  smelt_model_storage_give(model);
}

const smelt_model_info *smelt_model_get_info(const smelt_model *model) {
  return model ? model->info : NULL;
}

size_t smelt_model_num_inputs(const smelt_model *model) {
  return model ? model->info->num_inputs : 0;
}

size_t smelt_model_num_outputs(const smelt_model *model) {
  return model ? model->info->num_outputs : 0;
}

const smelt_tensor_info *smelt_model_input(const smelt_model *model, size_t i) {
  return model && i < model->info->num_inputs ? &model->info->inputs[i] : NULL;
}

const smelt_tensor_info *smelt_model_output(const smelt_model *model,
                                            size_t i) {
  return model && i < model->info->num_outputs ? &model->info->outputs[i]
                                               : NULL;
}

static int find_by_name(const smelt_tensor_info *tensors, uint32_t count,
                        const char *name) {
  for (uint32_t i = 0; name && i < count; ++i)
    if (strcmp(tensors[i].name, name) == 0)
      return (int)i;
  return -1;
}

int smelt_model_find_input(const smelt_model *model, const char *name) {
  return model ? find_by_name(model->info->inputs, model->info->num_inputs, name)
               : -1;
}

int smelt_model_find_output(const smelt_model *model, const char *name) {
  return model
             ? find_by_name(model->info->outputs, model->info->num_outputs, name)
             : -1;
}
