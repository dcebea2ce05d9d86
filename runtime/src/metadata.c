/* metadata.c - a model's ONNX metadata and build facts (ABI version 3).
 *
 * The compiler stores every string, so a loader can hand out pointers into
 * the library without copies; smelt_check_metadata makes sure none is NULL
 * before any accessor runs. A hand-written smelt_model_info (for
 * smelt_model_from_info) may leave the metadata out: it then reads as empty.
 */
#include <string.h>

#include "internal.h"

smelt_status *smelt_check_metadata(const char *model_name,
                                   const smelt_model_metadata *m) {
  if (!m)
    return NULL;
  const char *fields[] = {m->producer_name,    m->producer_version,
                          m->domain,           m->doc_string,
                          m->graph_doc_string, m->compiler,
                          m->target_triple,    m->target_cpu,
                          m->target_features,  m->compile_options};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; ++i)
    if (!fields[i])
      return smelt_make_status(SMELT_ERR_LOAD,
                               "model '%s': metadata string #%u is NULL",
                               model_name, (unsigned)i);
  if ((m->num_entries && !m->entries) || (m->num_opsets && !m->opsets))
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s' declares %u metadata entries and %u "
                             "opsets but lacks them",
                             model_name, (unsigned)m->num_entries,
                             (unsigned)m->num_opsets);
  for (uint32_t i = 0; i < m->num_entries; ++i)
    if (!m->entries[i].key || !m->entries[i].value)
      return smelt_make_status(SMELT_ERR_LOAD,
                               "model '%s': metadata entry #%u has no key or "
                               "value",
                               model_name, (unsigned)i);
  for (uint32_t i = 0; i < m->num_opsets; ++i)
    if (!m->opsets[i].domain)
      return smelt_make_status(SMELT_ERR_LOAD,
                               "model '%s': opset #%u has no domain",
                               model_name, (unsigned)i);
  return NULL;
}

static const smelt_model_metadata no_metadata = {
    0, "", "", "", "", "", 0, 0, NULL, NULL, "", "", "", "", ""};

const smelt_model_metadata *smelt_model_get_metadata(const smelt_model *model) {
  if (!model)
    return NULL;
  return model->info->metadata ? model->info->metadata : &no_metadata;
}

const char *smelt_model_description(const smelt_model *model) {
  return model ? smelt_model_get_metadata(model)->doc_string : NULL;
}

size_t smelt_model_metadata_count(const smelt_model *model) {
  return model ? smelt_model_get_metadata(model)->num_entries : 0;
}

static const smelt_metadata_entry *entry_at(const smelt_model *model,
                                            size_t i) {
  const smelt_model_metadata *m = smelt_model_get_metadata(model);
  return m && i < m->num_entries ? &m->entries[i] : NULL;
}

const char *smelt_model_metadata_key(const smelt_model *model, size_t i) {
  const smelt_metadata_entry *e = entry_at(model, i);
  return e ? e->key : NULL;
}

const char *smelt_model_metadata_value(const smelt_model *model, size_t i) {
  const smelt_metadata_entry *e = entry_at(model, i);
  return e ? e->value : NULL;
}

const char *smelt_model_metadata_lookup(const smelt_model *model,
                                        const char *key) {
  if (!model || !key)
    return NULL;
  size_t size = strlen(key);
  const smelt_model_metadata *m = smelt_model_get_metadata(model);
  for (uint32_t i = 0; i < m->num_entries; ++i)
    if (m->entries[i].key_size == size &&
        memcmp(m->entries[i].key, key, size) == 0)
      return m->entries[i].value;
  return NULL;
}

const char *smelt_tensor_dim_name(const smelt_tensor_info *tensor, size_t d) {
  if (!tensor || d >= (size_t)tensor->rank)
    return NULL;
  return tensor->dim_names ? tensor->dim_names[d] : "";
}
