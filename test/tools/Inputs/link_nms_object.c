/* Links nms.o (a model with data-dependent output sizes, compiled with its
 * header) and calls its entry point three ways: with a workspace of the
 * caller's, with none, and with one too small. The entry point uses the
 * caller's where it fits and otherwise allocates one for the run; all three
 * runs must succeed with the same selected boxes. Prints the row counts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nms.h"

enum { kBatches = 2, kClasses = 3, kBoxes = 600, kOutputs = 3 };

static float boxes[kBatches * kBoxes * 4];
static float scores[kBatches * kClasses * kBoxes];

/* Deterministic values in [-1, 1). */
static float next_value(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return (float)(*state >> 8) / (float)(1u << 23) - 1.0f;
}

static void *alloc_output(void *ctx, uint32_t index, uint64_t bytes) {
  (void)ctx;
  (void)index;
  return malloc(bytes ? bytes : 1);
}

struct result {
  int32_t status;
  void *data[kOutputs];
  int64_t dims[kOutputs][2];
};

static struct result run(void *workspace, uint64_t workspace_size) {
  struct result r;
  memset(&r, 0, sizeof r);
  const int64_t box_dims[] = {kBatches, kBoxes, 4};
  const int64_t score_dims[] = {kBatches, kClasses, kBoxes};
  void *const inputs[] = {boxes, scores};
  const int64_t *const input_dims[] = {box_dims, score_dims};
  int64_t *const output_dims[] = {r.dims[0], r.dims[1], r.dims[2]};
  smelt_call call;
  memset(&call, 0, sizeof call);
  call.abi_version = SMELT_ABI_VERSION;
  call.inputs = inputs;
  call.input_dims = input_dims;
  call.outputs = r.data;
  call.output_dims = output_dims;
  call.workspace = workspace;
  call.workspace_size = workspace_size;
  call.alloc_output = alloc_output;
  r.status = nms_entry(&call);
  return r;
}

static void release(struct result *r) {
  for (int j = 0; j < kOutputs; ++j)
    free(r->data[j]);
}

static int same(const struct result *a, const struct result *b) {
  for (int j = 0; j < kOutputs; ++j) {
    if (a->dims[j][0] != b->dims[j][0] || a->dims[j][1] != b->dims[j][1])
      return 0;
    size_t bytes = (size_t)(a->dims[j][0] * a->dims[j][1]) * sizeof(int64_t);
    if (bytes && memcmp(a->data[j], b->data[j], bytes) != 0)
      return 0;
  }
  return 1;
}

int main(void) {
  uint32_t state = 7;
  for (size_t i = 0; i < sizeof boxes / sizeof *boxes; ++i)
    boxes[i] = next_value(&state);
  for (size_t i = 0; i < sizeof scores / sizeof *scores; ++i)
    scores[i] = next_value(&state);
  static unsigned char arena[NMS_WORKSPACE_SIZE] __attribute__((aligned(NMS_WORKSPACE_ALIGN)));
  struct result given = run(arena, sizeof arena);
  struct result none = run(NULL, 0);
  struct result small = run(arena, sizeof arena - 1);
  int status = 0;
  if (given.status || none.status || small.status) {
    fprintf(stderr, "entry failed: %d %d %d\n", given.status, none.status, small.status);
    status = 1;
  } else if (!same(&given, &none) || !same(&given, &small)) {
    fprintf(stderr, "runs without the caller's workspace differ\n");
    status = 1;
  } else {
    printf("rows %lld %lld %lld\n", (long long)given.dims[0][0], (long long)given.dims[1][0],
           (long long)given.dims[2][0]);
  }
  release(&given);
  release(&none);
  release(&small);
  return status;
}
