/* fixture_device_model.c - hand-written GPU models: "positives", "affine".
 *
 * Stands in for what `smelt compile --device cuda` emits: a
 * smelt_model_info with device code (real PTX, which ptxas accepts for
 * sm_80 and sm_90; the fake driver does not read it), constants, a
 * workspace, and an entry point that runs on the host and drives the GPU
 * through smelt_call.device. The kernels also exist as host functions
 * (fake_kernel_*), which the fake driver runs when they are launched; the
 * test executable exports them. See fixture_device_model.h.
 */
#include <stddef.h>

#include "fixture_device_model.h"

#define EXPORT __attribute__((visibility("default")))

#define N 8
#define BLOCK 4 /* threads per block: two blocks of the element-wise kernels */
#define WORKSPACE_BYTES 128
#define BIAS_OFFSET 0 /* in the workspace: the bias, copied from the constants */
#define COUNT_OFFSET 64 /* and the count of positives */

enum { AFFINE, MARK, COUNT, COMPACT }; /* kernel indices */

void *smelt_test_device_last_workspace;
int32_t smelt_test_device_last_count = -1;

static const char ptx[] =
    ".version 7.0\n"
    ".target sm_80\n"
    ".address_size 64\n"
    "\n"
    "// y[i] = x[i] * scale[0] + bias[0], one thread per element.\n"
    ".visible .entry affine(.param .u64 x, .param .u64 y, .param .u64 scale, .param .u64 bias,\n"
    "                       .param .u32 n)\n"
    "{\n"
    "  .reg .pred %out;\n"
    "  .reg .b32 %i, %n, %block, %size, %thread;\n"
    "  .reg .b64 %px, %py, %ps, %pb, %offset;\n"
    "  .reg .f32 %v, %s, %b;\n"
    "  mov.u32 %block, %ctaid.x;\n"
    "  mov.u32 %size, %ntid.x;\n"
    "  mov.u32 %thread, %tid.x;\n"
    "  mad.lo.u32 %i, %block, %size, %thread;\n"
    "  ld.param.u32 %n, [n];\n"
    "  setp.ge.u32 %out, %i, %n;\n"
    "  @%out bra DONE;\n"
    "  ld.param.u64 %px, [x];\n"
    "  ld.param.u64 %py, [y];\n"
    "  ld.param.u64 %ps, [scale];\n"
    "  ld.param.u64 %pb, [bias];\n"
    "  mul.wide.u32 %offset, %i, 4;\n"
    "  add.u64 %px, %px, %offset;\n"
    "  add.u64 %py, %py, %offset;\n"
    "  ld.global.f32 %v, [%px];\n"
    "  ld.global.f32 %s, [%ps];\n"
    "  ld.global.f32 %b, [%pb];\n"
    "  fma.rn.f32 %v, %v, %s, %b;\n"
    "  st.global.f32 [%py], %v;\n"
    "DONE:\n"
    "  ret;\n"
    "}\n"
    "\n"
    "// mask[i] = y[i] > 0, one thread per element.\n"
    ".visible .entry mark(.param .u64 y, .param .u64 mask, .param .u32 n)\n"
    "{\n"
    "  .reg .pred %out, %positive;\n"
    "  .reg .b32 %i, %n, %block, %size, %thread;\n"
    "  .reg .b16 %flag;\n"
    "  .reg .b64 %py, %pm, %offset;\n"
    "  .reg .f32 %v;\n"
    "  mov.u32 %block, %ctaid.x;\n"
    "  mov.u32 %size, %ntid.x;\n"
    "  mov.u32 %thread, %tid.x;\n"
    "  mad.lo.u32 %i, %block, %size, %thread;\n"
    "  ld.param.u32 %n, [n];\n"
    "  setp.ge.u32 %out, %i, %n;\n"
    "  @%out bra DONE;\n"
    "  ld.param.u64 %py, [y];\n"
    "  ld.param.u64 %pm, [mask];\n"
    "  mul.wide.u32 %offset, %i, 4;\n"
    "  add.u64 %py, %py, %offset;\n"
    "  cvt.u64.u32 %offset, %i;\n"
    "  add.u64 %pm, %pm, %offset;\n"
    "  ld.global.f32 %v, [%py];\n"
    "  setp.gt.f32 %positive, %v, 0f00000000;\n"
    "  selp.u16 %flag, 1, 0, %positive;\n"
    "  st.global.u8 [%pm], %flag;\n"
    "DONE:\n"
    "  ret;\n"
    "}\n"
    "\n"
    "// total[0] = the number of set bytes in mask[0..n), on one thread.\n"
    ".visible .entry count(.param .u64 mask, .param .u64 total, .param .u32 n)\n"
    "{\n"
    "  .reg .pred %more;\n"
    "  .reg .b32 %i, %n, %total, %flag;\n"
    "  .reg .b64 %pm, %pc;\n"
    "  ld.param.u64 %pm, [mask];\n"
    "  ld.param.u64 %pc, [total];\n"
    "  ld.param.u32 %n, [n];\n"
    "  mov.u32 %i, 0;\n"
    "  mov.u32 %total, 0;\n"
    "LOOP:\n"
    "  setp.lt.u32 %more, %i, %n;\n"
    "  @!%more bra DONE;\n"
    "  ld.global.u8 %flag, [%pm];\n"
    "  add.u32 %total, %total, %flag;\n"
    "  add.u64 %pm, %pm, 1;\n"
    "  add.u32 %i, %i, 1;\n"
    "  bra LOOP;\n"
    "DONE:\n"
    "  st.global.u32 [%pc], %total;\n"
    "  ret;\n"
    "}\n"
    "\n"
    "// p = the y[i] whose mask[i] is set, in order, on one thread.\n"
    ".visible .entry compact(.param .u64 y, .param .u64 mask, .param .u64 p, .param .u32 n)\n"
    "{\n"
    "  .reg .pred %more, %keep;\n"
    "  .reg .b32 %i, %n, %flag;\n"
    "  .reg .b64 %py, %pm, %pp;\n"
    "  .reg .f32 %v;\n"
    "  ld.param.u64 %py, [y];\n"
    "  ld.param.u64 %pm, [mask];\n"
    "  ld.param.u64 %pp, [p];\n"
    "  ld.param.u32 %n, [n];\n"
    "  mov.u32 %i, 0;\n"
    "LOOP:\n"
    "  setp.lt.u32 %more, %i, %n;\n"
    "  @!%more bra DONE;\n"
    "  ld.global.u8 %flag, [%pm];\n"
    "  setp.ne.u32 %keep, %flag, 0;\n"
    "  @!%keep bra NEXT;\n"
    "  ld.global.f32 %v, [%py];\n"
    "  st.global.f32 [%pp], %v;\n"
    "  add.u64 %pp, %pp, 4;\n"
    "NEXT:\n"
    "  add.u64 %py, %py, 4;\n"
    "  add.u64 %pm, %pm, 1;\n"
    "  add.u32 %i, %i, 1;\n"
    "  bra LOOP;\n"
    "DONE:\n"
    "  ret;\n"
    "}\n";

static const char *const kernel_names[] = {"affine", "mark", "count", "compact"};
static const float constants[] = {2.0f, -3.0f}; /* scale, bias */

const smelt_device_code smelt_test_device_code = {
    "cuda",
    "sm_80",
    ptx,
    sizeof ptx - 1,
    kernel_names,
    4, /* num_kernels */
    0,
    constants,
    sizeof constants,
    16, /* constants_align */
};

static int32_t entry(const smelt_call *call) {
  if (call->abi_version != SMELT_ABI_VERSION || !call->device)
    return SMELT_ENTRY_BAD_ABI;
  if (!call->workspace || call->workspace_size < WORKSPACE_BYTES)
    return SMELT_ENTRY_SMALL_WORKSPACE;
  const smelt_device_api *gpu = call->device;
  void *ctx = gpu->ctx;
  void *x = call->inputs[0], *y = call->outputs[0];
  void *bias = (char *)call->workspace + BIAS_OFFSET;
  void *count = (char *)call->workspace + COUNT_OFFSET;
  const void *scale = gpu->constants;
  uint32_t n = N;
  const uint32_t grid[3] = {N / BLOCK, 1, 1}, block[3] = {BLOCK, 1, 1}, one[3] = {1, 1, 1};

  gpu->copy(ctx, bias, (const float *)gpu->constants + 1, sizeof(float));
  void *affine_params[] = {&x, &y, &scale, &bias, &n};
  gpu->launch(ctx, AFFINE, grid, block, 0, affine_params);
  void *mask = gpu->alloc(ctx, N);
  if (!mask)
    return SMELT_ENTRY_OUT_OF_MEMORY;
  void *mark_params[] = {&y, &mask, &n};
  gpu->launch(ctx, MARK, grid, block, 0, mark_params);
  void *count_params[] = {&mask, &count, &n};
  gpu->launch(ctx, COUNT, one, one, 0, count_params);

  /* p's size depends on the data: the host reads it back to allocate p. */
  int32_t positives = -1;
  gpu->copy(ctx, &positives, count, sizeof positives);
  /* Atomic: the tests also run this from several threads at once. */
  __atomic_store_n(&smelt_test_device_last_count, positives, __ATOMIC_RELAXED);
  if (positives < 0 || positives > N) {
    gpu->release(ctx, mask);
    if (call->check_message)
      *call->check_message = "count out of range";
    return SMELT_ENTRY_CHECK_FAILED;
  }
  void *p = call->alloc_output(call->alloc_ctx, 1, (uint64_t)positives * sizeof(float));
  if (!p) {
    gpu->release(ctx, mask);
    return SMELT_ENTRY_OUT_OF_MEMORY;
  }
  call->outputs[1] = p;
  call->output_dims[1][0] = positives;
  if (positives > 0) {
    void *compact_params[] = {&y, &mask, &p, &n};
    gpu->launch(ctx, COMPACT, one, one, 0, compact_params);
  }
  gpu->release(ctx, mask);
  __atomic_store_n(&smelt_test_device_last_workspace, call->workspace, __ATOMIC_RELAXED);
  return SMELT_ENTRY_OK;
}

static const int64_t vector_dims[] = {N};
static const int64_t dynamic_dims[] = {SMELT_DYNAMIC_DIM};
static const smelt_tensor_info inputs[] = {
    {"x", SMELT_DTYPE_FLOAT32, 1, vector_dims, SMELT_ROLE_TENSOR, 0, NULL, ""},
};
static const smelt_tensor_info outputs[] = {
    {"y", SMELT_DTYPE_FLOAT32, 1, vector_dims, SMELT_ROLE_TENSOR, 0, NULL, ""},
    {"p", SMELT_DTYPE_FLOAT32, 1, dynamic_dims, SMELT_ROLE_TENSOR, 0, NULL, ""},
};

const smelt_model_info smelt_test_device_model = {
    SMELT_ABI_VERSION,
    1, /* num_inputs */
    2, /* num_outputs */
    17, /* onnx_opset */
    inputs,
    outputs,
    WORKSPACE_BYTES,
    128, /* workspace_align */
    "positives",
    "hand-written test fixture",
    entry,
    NULL, /* metadata */
    &smelt_test_device_code,
};

/* "affine": y alone, as positives computes it; static, like every model
 * smelt compiles for a GPU. It reads the bias back from the GPU before it
 * uses it. */
static int32_t affine_entry(const smelt_call *call) {
  if (call->abi_version != SMELT_ABI_VERSION || !call->device)
    return SMELT_ENTRY_BAD_ABI;
  if (!call->workspace || call->workspace_size < WORKSPACE_BYTES)
    return SMELT_ENTRY_SMALL_WORKSPACE;
  const smelt_device_api *gpu = call->device;
  void *x = call->inputs[0], *y = call->outputs[0];
  void *bias = (char *)call->workspace + BIAS_OFFSET;
  const void *scale = gpu->constants;
  uint32_t n = N;
  const uint32_t grid[3] = {N / BLOCK, 1, 1}, block[3] = {BLOCK, 1, 1};
  gpu->copy(gpu->ctx, bias, (const float *)gpu->constants + 1, sizeof(float));
  /* Read back, as host code reads the values launch sizes depend on. */
  float bias_seen = 0;
  gpu->copy(gpu->ctx, &bias_seen, bias, sizeof bias_seen);
  if (bias_seen != -3.0f) {
    if (call->check_message)
      *call->check_message = "the bias did not reach the GPU";
    return SMELT_ENTRY_CHECK_FAILED;
  }
  void *affine_params[] = {&x, &y, &scale, &bias, &n};
  gpu->launch(gpu->ctx, AFFINE, grid, block, 0, affine_params);
  __atomic_store_n(&smelt_test_device_last_workspace, call->workspace, __ATOMIC_RELAXED);
  return SMELT_ENTRY_OK;
}

const smelt_model_info smelt_test_device_affine_model = {
    SMELT_ABI_VERSION,
    1, /* num_inputs */
    1, /* num_outputs: y */
    17, /* onnx_opset */
    inputs,
    outputs,
    WORKSPACE_BYTES,
    128, /* workspace_align */
    "affine",
    "hand-written test fixture",
    affine_entry,
    NULL, /* metadata */
    &smelt_test_device_code,
};

/*------------------------------------------------------------------------------
 * The kernels, as the fake driver runs them: every thread of the 1-D grid
 * in turn (thread t of block b is element b * block[0] + t), with the
 * parameters as cuLaunchKernel passes them (params[i] points at parameter i).
 *----------------------------------------------------------------------------*/

#define PARAM(type, i) (*(type const *)params[i])

EXPORT void fake_kernel_affine(const uint32_t grid[3], const uint32_t block[3],
                               void *const *params) {
  const float *x = PARAM(const float *, 0), *scale = PARAM(const float *, 2);
  const float *bias = PARAM(const float *, 3);
  float *y = PARAM(float *, 1);
  uint32_t n = PARAM(uint32_t, 4);
  for (uint32_t i = 0; i < grid[0] * block[0]; ++i)
    if (i < n)
      y[i] = x[i] * scale[0] + bias[0];
}

EXPORT void fake_kernel_mark(const uint32_t grid[3], const uint32_t block[3],
                             void *const *params) {
  const float *y = PARAM(const float *, 0);
  unsigned char *mask = PARAM(unsigned char *, 1);
  uint32_t n = PARAM(uint32_t, 2);
  for (uint32_t i = 0; i < grid[0] * block[0]; ++i)
    if (i < n)
      mask[i] = y[i] > 0;
}

EXPORT void fake_kernel_count(const uint32_t grid[3], const uint32_t block[3],
                              void *const *params) {
  (void)grid, (void)block;
  const unsigned char *mask = PARAM(const unsigned char *, 0);
  int32_t *total = PARAM(int32_t *, 1);
  uint32_t n = PARAM(uint32_t, 2);
  *total = 0;
  for (uint32_t i = 0; i < n; ++i)
    *total += mask[i];
}

EXPORT void fake_kernel_compact(const uint32_t grid[3], const uint32_t block[3],
                                void *const *params) {
  (void)grid, (void)block;
  const float *y = PARAM(const float *, 0);
  const unsigned char *mask = PARAM(const unsigned char *, 1);
  float *p = PARAM(float *, 2);
  uint32_t n = PARAM(uint32_t, 3);
  for (uint32_t i = 0; i < n; ++i)
    if (mask[i])
      *p++ = y[i];
}
