/* role.c - slot roles: their names and the grouping rules the loader enforces.
 *
 * A sequence, optional or string tensor spans consecutive slots with one
 * name (see smelt_slot_role in smelt/model_abi.h). The loader checks that
 * every run of slots is one of the legal groups, with the dtypes and ranks the
 * roles imply, so that callers such as `smelt run` can split a signature
 * into graph values without checking it again.
 */
#include <string.h>

#include "internal.h"

const char *smelt_role_name(int32_t role) {
  switch (role) {
  case SMELT_ROLE_TENSOR: return "tensor";
  case SMELT_ROLE_SEQUENCE_DATA: return "sequence_data";
  case SMELT_ROLE_SEQUENCE_SHAPES: return "sequence_shapes";
  case SMELT_ROLE_OPTIONAL_PRESENT: return "optional_present";
  case SMELT_ROLE_STRING_BYTES: return "string_bytes";
  case SMELT_ROLE_STRING_LENGTHS: return "string_lengths";
  default: return "unknown";
  }
}

/* Checks that slot `i` exists, has `role` and is named like its group. */
static smelt_status *expect_slot(const char *model_name, const char *kind,
                                 const smelt_tensor_info *slots, uint32_t count,
                                 uint32_t i, int32_t role, int32_t other_role,
                                 const char *group_name) {
  if (i < count && strcmp(slots[i].name, group_name) == 0 &&
      (slots[i].role == role || slots[i].role == other_role))
    return NULL;
  if (role == other_role)
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s': %s '%s' needs a %s slot named '%s' "
                             "at #%u",
                             model_name, kind, group_name,
                             smelt_role_name(role), group_name, (unsigned)i);
  return smelt_make_status(SMELT_ERR_LOAD,
                           "model '%s': %s '%s' needs a %s or %s slot named "
                           "'%s' at #%u",
                           model_name, kind, group_name, smelt_role_name(role),
                           smelt_role_name(other_role), group_name,
                           (unsigned)i);
}

/* Checks the dtype (0: any) and rank (-1: any) a role fixes; `needs` says it
 * in words. */
static smelt_status *expect_type(const char *model_name, const char *kind,
                                 const smelt_tensor_info *t, uint32_t index,
                                 int32_t dtype, int32_t rank,
                                 const char *needs) {
  if ((dtype && t->dtype != dtype) || (rank >= 0 && t->rank != rank))
    return smelt_make_status(SMELT_ERR_LOAD,
                             "model '%s': %s '%s' (#%u) has role %s, which "
                             "needs %s, but it is %s with rank %d",
                             model_name, kind, t->name, (unsigned)index,
                             smelt_role_name(t->role), needs,
                             smelt_dtype_name(t->dtype), (int)t->rank);
  return NULL;
}

/* The error for the second slot of a pair found without its first. */
static smelt_status *orphan_slot(const char *model_name, const char *kind,
                                 const smelt_tensor_info *t, uint32_t index,
                                 int32_t first_role) {
  return smelt_make_status(SMELT_ERR_LOAD,
                           "model '%s': %s '%s' (#%u) has role %s but does "
                           "not follow a %s slot of the same name",
                           model_name, kind, t->name, (unsigned)index,
                           smelt_role_name(t->role),
                           smelt_role_name(first_role));
}

smelt_status *smelt_check_slot_groups(const char *model_name, const char *kind,
                                      const smelt_tensor_info *slots,
                                      uint32_t count) {
  smelt_status *status = NULL;
  uint32_t i = 0;
  while (!status && i < count) {
    const smelt_tensor_info *first = &slots[i];
    const char *name = first->name;
    switch (first->role) {
    case SMELT_ROLE_TENSOR:
      ++i;
      continue;
    case SMELT_ROLE_OPTIONAL_PRESENT:
      status = expect_type(model_name, kind, first, i, SMELT_DTYPE_BOOL, 0,
                           "a bool scalar");
      if (!status)
        status = expect_slot(model_name, kind, slots, count, i + 1,
                             SMELT_ROLE_TENSOR, SMELT_ROLE_SEQUENCE_DATA, name);
      if (status || slots[i + 1].role == SMELT_ROLE_TENSOR) {
        i += 2;
        continue;
      }
      ++i; /* the sequence after the flag is checked as any other */
      continue;
    case SMELT_ROLE_SEQUENCE_DATA:
      status = expect_type(model_name, kind, first, i, 0, 1, "rank 1");
      if (!status)
        status = expect_slot(model_name, kind, slots, count, i + 1,
                             SMELT_ROLE_SEQUENCE_SHAPES,
                             SMELT_ROLE_SEQUENCE_SHAPES, name);
      if (!status)
        status = expect_type(model_name, kind, &slots[i + 1], i + 1,
                             SMELT_DTYPE_INT64, 2, "int64 with rank 2");
      i += 2;
      continue;
    case SMELT_ROLE_STRING_BYTES:
      status = expect_type(model_name, kind, first, i, SMELT_DTYPE_UINT8, 1,
                           "uint8 with rank 1");
      if (!status)
        status = expect_slot(model_name, kind, slots, count, i + 1,
                             SMELT_ROLE_STRING_LENGTHS,
                             SMELT_ROLE_STRING_LENGTHS, name);
      if (!status) /* any rank: the lengths have the string tensor's shape */
        status = expect_type(model_name, kind, &slots[i + 1], i + 1,
                             SMELT_DTYPE_INT64, -1, "int64");
      i += 2;
      continue;
    case SMELT_ROLE_SEQUENCE_SHAPES:
      return orphan_slot(model_name, kind, first, i, SMELT_ROLE_SEQUENCE_DATA);
    case SMELT_ROLE_STRING_LENGTHS:
      return orphan_slot(model_name, kind, first, i, SMELT_ROLE_STRING_BYTES);
    default:
      return smelt_make_status(SMELT_ERR_LOAD,
                               "model '%s': %s '%s' (#%u) has unknown role %d",
                               model_name, kind, name, (unsigned)i,
                               (int)first->role);
    }
  }
  return status;
}
