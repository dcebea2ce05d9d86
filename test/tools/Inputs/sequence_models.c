/* sequence_models.c - hand-written models whose graph values are sequences
 * and optionals, laid out over ABI slots as smelt_slot_role describes.
 *
 * They let run-sequences.test drive `smelt run` on ONNX's own test data
 * without the compiler. Build one model per library by defining one of:
 *   SEQ_IDENTITY      y: seq<float> = Identity(x: seq<float>)
 *   OPT_GET_ELEMENT   output: seq<int32> = OptionalGetElement(optional_input: opt<seq<int32>>)
 *   OPT_HAS_ELEMENT   output: bool = OptionalHasElement(optional_input: opt<int32 scalar>)
 *   OPT_IDENTITY      y: opt<float[?]> = Identity(x: opt<float[?]>)
 */
#include <string.h>

#include "smelt/model_abi.h"

#define EXPORT __attribute__((visibility("default")))
#define DATA SMELT_ROLE_SEQUENCE_DATA
#define SHAPES SMELT_ROLE_SEQUENCE_SHAPES
#define PRESENT SMELT_ROLE_OPTIONAL_PRESENT
#define TENSOR SMELT_ROLE_TENSOR

/* Dims shared by the models; each uses only some. */
#define SHARED static const __attribute__((unused))
SHARED int64_t dyn1[] = {SMELT_DYNAMIC_DIM};
SHARED int64_t dyn2[] = {SMELT_DYNAMIC_DIM, SMELT_DYNAMIC_DIM};
SHARED int64_t rows1[] = {SMELT_DYNAMIC_DIM, 1};

/* Copies input slot `in` (rank `rank`, `width`-byte elements) into output
 * slot `out`, whose buffer the runtime hands out once the size is known. */
__attribute__((unused)) static int copy_slot(const smelt_call *call, uint32_t out, uint32_t in, int rank,
                     size_t width) {
  uint64_t bytes = width;
  for (int d = 0; d < rank; ++d) {
    bytes *= (uint64_t)call->input_dims[in][d];
    call->output_dims[out][d] = call->input_dims[in][d];
  }
  void *buffer = call->alloc_output(call->alloc_ctx, out, bytes);
  if (!buffer)
    return 0;
  if (bytes)
    memcpy(buffer, call->inputs[in], bytes);
  call->outputs[out] = buffer;
  return 1;
}

#if defined(SEQ_IDENTITY)
static const smelt_tensor_info inputs[] = {
    {"x", SMELT_DTYPE_FLOAT32, 1, dyn1, DATA, 0, NULL, ""},
    {"x", SMELT_DTYPE_INT64, 2, dyn2, SHAPES, 0, NULL, ""},
};
static const smelt_tensor_info outputs[] = {
    {"y", SMELT_DTYPE_FLOAT32, 1, dyn1, DATA, 0, NULL, ""},
    {"y", SMELT_DTYPE_INT64, 2, dyn2, SHAPES, 0, NULL, ""},
};
static int32_t run(const smelt_call *call) {
  return copy_slot(call, 0, 0, 1, 4) && copy_slot(call, 1, 1, 2, 8) ? SMELT_ENTRY_OK
                                                                    : SMELT_ENTRY_OUT_OF_MEMORY;
}
#elif defined(OPT_GET_ELEMENT)
static const smelt_tensor_info inputs[] = {
    {"optional_input", SMELT_DTYPE_BOOL, 0, NULL, PRESENT, 0, NULL, ""},
    {"optional_input", SMELT_DTYPE_INT32, 1, dyn1, DATA, 0, NULL, ""},
    {"optional_input", SMELT_DTYPE_INT64, 2, rows1, SHAPES, 0, NULL, ""},
};
static const smelt_tensor_info outputs[] = {
    {"output", SMELT_DTYPE_INT32, 1, dyn1, DATA, 0, NULL, ""},
    {"output", SMELT_DTYPE_INT64, 2, rows1, SHAPES, 0, NULL, ""},
};
static int32_t run(const smelt_call *call) {
  if (!*(const unsigned char *)call->inputs[0])
    return SMELT_ENTRY_BAD_SHAPE; /* OptionalGetElement of an empty optional */
  return copy_slot(call, 0, 1, 1, 4) && copy_slot(call, 1, 2, 2, 8) ? SMELT_ENTRY_OK
                                                                    : SMELT_ENTRY_OUT_OF_MEMORY;
}
#elif defined(OPT_HAS_ELEMENT)
static const smelt_tensor_info inputs[] = {
    {"optional_input", SMELT_DTYPE_BOOL, 0, NULL, PRESENT, 0, NULL, ""},
    {"optional_input", SMELT_DTYPE_INT32, 0, NULL, TENSOR, 0, NULL, ""},
};
static const smelt_tensor_info outputs[] = {
    {"output", SMELT_DTYPE_BOOL, 0, NULL, TENSOR, 0, NULL, ""},
};
static int32_t run(const smelt_call *call) {
  *(unsigned char *)call->outputs[0] = *(const unsigned char *)call->inputs[0];
  return SMELT_ENTRY_OK;
}
#elif defined(OPT_IDENTITY)
static const smelt_tensor_info inputs[] = {
    {"x", SMELT_DTYPE_BOOL, 0, NULL, PRESENT, 0, NULL, ""},
    {"x", SMELT_DTYPE_FLOAT32, 1, dyn1, TENSOR, 0, NULL, ""},
};
static const smelt_tensor_info outputs[] = {
    {"y", SMELT_DTYPE_BOOL, 0, NULL, PRESENT, 0, NULL, ""},
    {"y", SMELT_DTYPE_FLOAT32, 1, dyn1, TENSOR, 0, NULL, ""},
};
static int32_t run(const smelt_call *call) {
  /* An absent input's value slot has dims [0], so this copies nothing. */
  *(unsigned char *)call->outputs[0] = *(const unsigned char *)call->inputs[0];
  return copy_slot(call, 1, 1, 1, 4) ? SMELT_ENTRY_OK : SMELT_ENTRY_OUT_OF_MEMORY;
}
#else
#error "define the model to build"
#endif

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
    "sequence_models",
    "hand-written test model",
    smelt_model_entry,
    NULL, /* metadata: none, as a hand-written info may */
    NULL, /* device: runs on the CPU */
};
