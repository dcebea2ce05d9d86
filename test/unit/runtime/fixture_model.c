/* fixture_model.c - a hand-written stand-in for a model smelt compiled.
 *
 * Exports what every compiled shared library exports: the data symbol
 * smelt_model_info and the generic entry point. The graph is
 *   z: float32[2,3] = x: float32[2,3] + (float)y: int64[3]   (broadcast)
 * Built twice: as smelt_test_fixture_model, and with SMELT_FIXTURE_ABI_VERSION
 * set to 1 (the ABI before slot roles) as smelt_test_fixture_bad_abi, which
 * the loader must refuse before it reads any tensor info. Used only by the
 * runtime's unit tests.
 */
#include <stddef.h>

#include "smelt/model_abi.h"

#ifndef SMELT_FIXTURE_ABI_VERSION
#define SMELT_FIXTURE_ABI_VERSION SMELT_ABI_VERSION
#endif

#define EXPORT __attribute__((visibility("default")))

static const int64_t x_dims[] = {2, 3};
static const int64_t y_dims[] = {3};
static const int64_t z_dims[] = {2, 3};

static const char *const x_dim_names[] = {"rows", ""};

static const smelt_tensor_info inputs[] = {
    {"x", SMELT_DTYPE_FLOAT32, 2, x_dims, SMELT_ROLE_TENSOR, 0, x_dim_names,
     "first operand"},
    {"y", SMELT_DTYPE_INT64, 1, y_dims, SMELT_ROLE_TENSOR, 0, NULL, ""},
};
static const smelt_tensor_info outputs[] = {
    {"z", SMELT_DTYPE_FLOAT32, 2, z_dims, SMELT_ROLE_TENSOR, 0, NULL, ""},
};

EXPORT int32_t smelt_model_entry(const smelt_call *call) {
  if (call->abi_version != SMELT_ABI_VERSION)
    return SMELT_ENTRY_BAD_ABI;
  const float *x = call->inputs[0];
  const int64_t *y = call->inputs[1];
  float *z = call->outputs[0];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      z[i * 3 + j] = x[i * 3 + j] + (float)y[j];
  call->output_dims[0][0] = 2;
  call->output_dims[0][1] = 3;
  return SMELT_ENTRY_OK;
}

/* Metadata as the compiler records it: UTF-8 keys and values, an empty
 * value, and one with an embedded NUL that only its size describes. */
static const smelt_metadata_entry entries[] = {
    {"labels", "cat,dog", 6, 7},
    {"empty", "", 5, 0},
    {"\u540d\u524d", "\u5024 \u2713", 6, 7},
    {"blob", "a\0b", 4, 3},
};
static const smelt_opset_import opsets[] = {{13, ""}, {1, "com.microsoft"}};
static const smelt_model_metadata metadata = {
    42, /* model_version */
    "pytorch",
    "2.1.0",
    "org.example.fixture",
    "Adds a row vector to a matrix.",
    "graph doc",
    4, /* num_entries */
    2, /* num_opsets */
    entries,
    opsets,
    "smelt 0.0.0",
    "x86_64-unknown-linux-gnu",
    "generic",
    "x86_64",
    "-O2 --shape x=2,3",
};

/* The symbol shares its name with the smelt_model_info type, which C does not
 * allow at file scope, so the variable gets it as an assembler name. */
EXPORT const smelt_model_info fixture_info __asm__(SMELT_MODEL_INFO_SYMBOL) = {
    SMELT_FIXTURE_ABI_VERSION,
    2, /* num_inputs */
    1, /* num_outputs */
    17, /* onnx_opset */
    inputs,
    outputs,
    0, /* workspace_size */
    0, /* workspace_align */
    "fixture",
    "hand-written test fixture",
    smelt_model_entry,
    &metadata,
};

#ifdef SMELT_FIXTURE_ISA
/* The instruction set the "code" needs (P_isa), as the compiler records it. */
EXPORT const char fixture_isa[] __asm__(SMELT_MODEL_ISA_SYMBOL) = SMELT_FIXTURE_ISA;
#endif
