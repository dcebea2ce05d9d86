/* Links dmlp.o (the example MLP compiled with --dynamic-dims and its header)
 * with malloc and aligned_alloc wrapped (-Wl,--wrap=...) to count the
 * model's allocations, and calls its entry point at batch 4 four ways:
 * with no workspace, with one of the planned DMLP_WORKSPACE_SIZE bytes,
 * with one of the bytes the first run reported needing, and with one of the
 * bytes that third run reported. Every run must give the same scores. The
 * planned bytes leave the block of buffers sized from the batch to an
 * allocation of the run's own, and the runs report needing the planned
 * bytes and the block's; a workspace that large holds the block (its bytes
 * past the planned ones are written) and saves exactly that allocation,
 * and the run reports more: the result's buffer, which then took one
 * allocation, counted. A workspace of that size holds that buffer too
 * (RunScratch.h): the run allocates nothing and reports the same need.
 * Prints the needs and the allocation counts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmlp.h"

enum { kBatch = 4, kPixels = 64, kScores = 4, kPattern = 0xa5 };

void *__real_malloc(size_t bytes);
void *__real_aligned_alloc(size_t align, size_t bytes);

/* Allocations the model's code makes while counting is on. */
static int counting, allocations;

void *__wrap_malloc(size_t bytes) {
  allocations += counting;
  return __real_malloc(bytes);
}

void *__wrap_aligned_alloc(size_t align, size_t bytes) {
  allocations += counting;
  return __real_aligned_alloc(align, bytes);
}

static float scores_storage[4][kBatch * kScores];

static void *alloc_output(void *ctx, uint32_t index, uint64_t bytes) {
  (void)index;
  return bytes <= sizeof scores_storage[0] ? ctx : NULL;
}

struct result {
  int32_t status;
  int allocations;
  uint64_t needed;
  int64_t dims[2];
};

static struct result run(const float *image, int slot, void *workspace, uint64_t size) {
  struct result r;
  memset(&r, 0, sizeof r);
  const int64_t image_dims[] = {kBatch, 1, 8, 8};
  void *const inputs[] = {(void *)image};
  const int64_t *const input_dims[] = {image_dims};
  void *outputs[] = {NULL};
  int64_t *const output_dims[] = {r.dims};
  smelt_call call;
  memset(&call, 0, sizeof call);
  call.abi_version = SMELT_ABI_VERSION;
  call.inputs = inputs;
  call.input_dims = input_dims;
  call.outputs = outputs;
  call.output_dims = output_dims;
  call.workspace = workspace;
  call.workspace_size = size;
  call.alloc_output = alloc_output;
  call.alloc_ctx = scores_storage[slot];
  call.workspace_needed = &r.needed;
  allocations = 0;
  counting = 1;
  r.status = dmlp_entry(&call);
  counting = 0;
  r.allocations = allocations;
  return r;
}

/* Bytes of `workspace` in [from, to) that differ from kPattern. */
static size_t written(const unsigned char *workspace, uint64_t from, uint64_t to) {
  size_t count = 0;
  for (uint64_t i = from; i < to; ++i)
    count += workspace[i] != kPattern;
  return count;
}

int main(void) {
  static float image[kBatch * kPixels];
  for (int i = 0; i < kBatch * kPixels; ++i)
    image[i] = (float)((i * 7) % 13) / 13.0f - 0.5f;

  struct result none = run(image, 0, NULL, 0);
  if (none.status || none.needed <= DMLP_WORKSPACE_SIZE) {
    fprintf(stderr, "run without a workspace: status %d, needed %llu of %u planned\n",
            none.status, (unsigned long long)none.needed, (unsigned)DMLP_WORKSPACE_SIZE);
    return 1;
  }
  uint64_t block = none.needed;
  unsigned char *workspace = __real_aligned_alloc(DMLP_WORKSPACE_ALIGN, block);
  if (!workspace)
    return 1;
  struct result planned = run(image, 1, workspace, DMLP_WORKSPACE_SIZE);
  memset(workspace, kPattern, block);
  struct result with_block = run(image, 2, workspace, block);
  size_t block_written = written(workspace, DMLP_WORKSPACE_SIZE, block);
  free(workspace);
  uint64_t size = with_block.needed;
  workspace = __real_aligned_alloc(DMLP_WORKSPACE_ALIGN, (size + 63) / 64 * 64);
  if (!workspace)
    return 1;
  memset(workspace, kPattern, size);
  struct result enough = run(image, 3, workspace, size);
  size_t buffers_written = written(workspace, block, size);

  int status = 0;
  if (planned.status || with_block.status || enough.status) {
    fprintf(stderr, "entry failed: %d %d %d\n", planned.status, with_block.status, enough.status);
    status = 1;
  } else if (memcmp(scores_storage[0], scores_storage[1], sizeof scores_storage[0]) != 0 ||
             memcmp(scores_storage[0], scores_storage[2], sizeof scores_storage[0]) != 0 ||
             memcmp(scores_storage[0], scores_storage[3], sizeof scores_storage[0]) != 0 ||
             none.dims[0] != kBatch || enough.dims[0] != kBatch) {
    fprintf(stderr, "the four runs' scores differ\n");
    status = 1;
  } else if (planned.needed != block || size <= block || enough.needed != size) {
    fprintf(stderr, "runs reported needing %llu, %llu, %llu and %llu bytes\n",
            (unsigned long long)block, (unsigned long long)planned.needed,
            (unsigned long long)size, (unsigned long long)enough.needed);
    status = 1;
  } else if (!block_written || with_block.allocations != planned.allocations - 1) {
    fprintf(stderr, "the block did not go in the workspace: %zu bytes past the planned ones "
            "written, %d allocations against %d\n",
            block_written, with_block.allocations, planned.allocations);
    status = 1;
  } else if (!buffers_written || enough.allocations != 0) {
    fprintf(stderr, "the result's buffer did not go in the workspace: %zu bytes past the "
            "block written, %d allocations\n", buffers_written, enough.allocations);
    status = 1;
  } else {
    printf("needed %llu bytes with the block, %llu with the buffers, %u planned; allocations: "
           "no workspace %d, planned %d, block %d, buffers %d\n",
           (unsigned long long)block, (unsigned long long)size, (unsigned)DMLP_WORKSPACE_SIZE,
           none.allocations, planned.allocations, with_block.allocations, enough.allocations);
  }
  free(workspace);
  return status;
}
