/* string_models.c - hand-written models whose graph values are string
 * tensors, laid out over ABI slots as smelt_slot_role describes: the UTF-8
 * bytes of all strings, then an int64 tensor of their lengths.
 *
 * They let run-strings.test drive `smelt run` on ONNX's own test data without
 * the compiler. Build one model per library by defining one of:
 *   STRING_IDENTITY  y: string[?] = Identity(x: string[?])
 *   STRING_UPPER     y: string[?] = x with ASCII letters upper-cased
 */
#include <string.h>

#include "smelt/model_abi.h"

#define EXPORT __attribute__((visibility("default")))

static const int64_t dyn1[] = {SMELT_DYNAMIC_DIM};

static const smelt_tensor_info inputs[] = {
    {"x", SMELT_DTYPE_UINT8, 1, dyn1, SMELT_ROLE_STRING_BYTES, 0, NULL, ""},
    {"x", SMELT_DTYPE_INT64, 1, dyn1, SMELT_ROLE_STRING_LENGTHS, 0, NULL, ""},
};
static const smelt_tensor_info outputs[] = {
    {"y", SMELT_DTYPE_UINT8, 1, dyn1, SMELT_ROLE_STRING_BYTES, 0, NULL, ""},
    {"y", SMELT_DTYPE_INT64, 1, dyn1, SMELT_ROLE_STRING_LENGTHS, 0, NULL, ""},
};

/* Copies 1-D input slot `in` (`width`-byte elements) into output slot `out`,
 * whose buffer the runtime hands out once the size is known. */
static unsigned char *copy_slot(const smelt_call *call, uint32_t out, uint32_t in,
                                size_t width) {
  int64_t count = call->input_dims[in][0];
  uint64_t bytes = width * (uint64_t)count;
  unsigned char *buffer = call->alloc_output(call->alloc_ctx, out, bytes);
  if (!buffer)
    return NULL;
  if (bytes)
    memcpy(buffer, call->inputs[in], bytes);
  call->outputs[out] = buffer;
  call->output_dims[out][0] = count;
  return buffer;
}

static int32_t run(const smelt_call *call) {
  unsigned char *bytes = copy_slot(call, 0, 0, 1);
  if (!bytes || !copy_slot(call, 1, 1, 8))
    return SMELT_ENTRY_OUT_OF_MEMORY;
#if defined(STRING_UPPER)
  for (int64_t i = 0; i < call->input_dims[0][0]; ++i)
    if (bytes[i] >= 'a' && bytes[i] <= 'z')
      bytes[i] = (unsigned char)(bytes[i] - 'a' + 'A');
#elif !defined(STRING_IDENTITY)
#error "define the model to build"
#endif
  return SMELT_ENTRY_OK;
}

EXPORT int32_t smelt_model_entry(const smelt_call *call) {
  return call->abi_version == SMELT_ABI_VERSION ? run(call) : SMELT_ENTRY_BAD_ABI;
}

/* The symbol shares its name with the type, so it gets it as an asm name. */
EXPORT const smelt_model_info model_info __asm__(SMELT_MODEL_INFO_SYMBOL) = {
    SMELT_ABI_VERSION,
    sizeof inputs / sizeof inputs[0],
    sizeof outputs / sizeof outputs[0],
    17, /* onnx_opset */
    inputs,
    outputs,
    0, /* workspace_size */
    0, /* workspace_align */
    "string_models",
    "hand-written test model",
    smelt_model_entry,
    NULL, /* metadata: none, as a hand-written info may */
    NULL, /* device: runs on the CPU */
};
