/* Links picked.o (run-scratch.test's model: the nonzero elements of x, their
 * squares, and the negated concatenation of both, all of sizes that depend
 * on the data) with malloc, aligned_alloc and free wrapped
 * (-Wl,--wrap=...) to count the model's heap calls, and calls its entry
 * point on two inputs, one with twice the nonzero elements of the other.
 * Per input: a run with the planned workspace takes its buffers from the
 * heap and reports needing more; a run with a workspace of that size takes
 * none (RunScratch.h) and writes past the planned bytes; the larger input
 * then outgrows the smaller one's workspace, allocates again, and reports a
 * larger need. An input of zeros gives empty outputs, with no allocation in
 * the workspace that run needs. Every run's outputs are checked
 * against values computed here. Prints the needs and the heap calls. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "picked.h"

enum { kElements = 64, kPattern = 0x5a };

void *__real_malloc(size_t bytes);
void *__real_aligned_alloc(size_t align, size_t bytes);
void __real_free(void *block);

/* Heap calls the model's code makes while counting is on. */
static int counting, allocations, frees;

void *__wrap_malloc(size_t bytes) {
  allocations += counting;
  return __real_malloc(bytes);
}

void *__wrap_aligned_alloc(size_t align, size_t bytes) {
  allocations += counting;
  return __real_aligned_alloc(align, bytes);
}

void __wrap_free(void *block) {
  frees += counting && block;
  __real_free(block);
}

static float outputs_storage[2][2 * kElements];

static void *alloc_output(void *ctx, uint32_t index, uint64_t bytes) {
  (void)ctx;
  return bytes <= sizeof outputs_storage[0] ? outputs_storage[index] : NULL;
}

struct result {
  int32_t status;
  int allocations, frees;
  uint64_t needed;
  int64_t dims[2][1];
};

static struct result run(const float *x, void *workspace, uint64_t size) {
  struct result r;
  memset(&r, 0, sizeof r);
  memset(outputs_storage, 0, sizeof outputs_storage);
  const int64_t x_dims[] = {kElements};
  void *const inputs[] = {(void *)x};
  const int64_t *const input_dims[] = {x_dims};
  void *outputs[] = {NULL, NULL};
  int64_t *const output_dims[] = {r.dims[0], r.dims[1]};
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
  call.workspace_needed = &r.needed;
  allocations = frees = 0;
  counting = 1;
  r.status = picked_entry(&call);
  counting = 0;
  r.allocations = allocations;
  r.frees = frees;
  return r;
}

/* Whether the outputs are x's nonzero elements squared, and their
 * negated concatenation with those squares. */
static int outputs_right(const float *x, const struct result *r) {
  float picked[kElements];
  int64_t count = 0;
  for (int i = 0; i < kElements; ++i)
    if (x[i] != 0.0f)
      picked[count++] = x[i];
  if (r->dims[0][0] != count || r->dims[1][0] != 2 * count)
    return 0;
  for (int64_t i = 0; i < count; ++i) {
    float square = picked[i] * picked[i];
    if (outputs_storage[0][i] != square || outputs_storage[1][i] != -picked[i] ||
        outputs_storage[1][count + i] != -square)
      return 0;
  }
  return 1;
}

/* A fresh workspace of `size` bytes filled with kPattern. */
static unsigned char *make_workspace(uint64_t size) {
  unsigned char *workspace =
      __real_aligned_alloc(PICKED_WORKSPACE_ALIGN, (size + 63) / 64 * 64);
  if (workspace)
    memset(workspace, kPattern, size);
  return workspace;
}

static size_t written(const unsigned char *workspace, uint64_t from, uint64_t to) {
  size_t count = 0;
  for (uint64_t i = from; i < to; ++i)
    count += workspace[i] != kPattern;
  return count;
}

static int fail(const char *what, const struct result *r) {
  fprintf(stderr, "%s: status %d, %d allocations, %d frees, needed %llu bytes\n", what,
          r->status, r->allocations, r->frees, (unsigned long long)r->needed);
  return 1;
}

int main(void) {
  float few[kElements], many[kElements];
  for (int i = 0; i < kElements; ++i) {
    few[i] = i % 3 == 1 ? 0.25f * (float)i - 4.0f : 0.0f;
    many[i] = i % 3 != 0 ? 0.25f * (float)i - 4.5f : 0.0f;
  }

  unsigned char *planned_workspace = make_workspace(PICKED_WORKSPACE_SIZE);
  struct result planned = run(few, planned_workspace, PICKED_WORKSPACE_SIZE);
  __real_free(planned_workspace);
  if (planned.status || !outputs_right(few, &planned) || planned.allocations == 0 ||
      planned.allocations != planned.frees || planned.needed <= PICKED_WORKSPACE_SIZE)
    return fail("few, planned workspace", &planned);

  uint64_t few_size = planned.needed;
  unsigned char *workspace = make_workspace(few_size);
  struct result fits = run(few, workspace, few_size);
  if (fits.status || !outputs_right(few, &fits) || fits.allocations || fits.frees ||
      fits.needed != few_size || !written(workspace, PICKED_WORKSPACE_SIZE, few_size))
    return fail("few, the workspace they need", &fits);

  struct result outgrown = run(many, workspace, few_size);
  __real_free(workspace);
  if (outgrown.status || !outputs_right(many, &outgrown) || outgrown.allocations == 0 ||
      outgrown.allocations != outgrown.frees || outgrown.needed <= few_size)
    return fail("many, the workspace few need", &outgrown);

  uint64_t many_size = outgrown.needed;
  workspace = make_workspace(many_size);
  struct result grown = run(many, workspace, many_size);
  __real_free(workspace);
  if (grown.status || !outputs_right(many, &grown) || grown.allocations || grown.frees ||
      grown.needed != many_size)
    return fail("many, the workspace they need", &grown);

  static const float zeros[kElements];
  struct result empty_planned = run(zeros, NULL, 0);
  if (empty_planned.status || !outputs_right(zeros, &empty_planned) ||
      empty_planned.allocations != empty_planned.frees)
    return fail("zeros, no workspace", &empty_planned);
  uint64_t empty_size = empty_planned.needed;
  workspace = make_workspace(empty_size);
  struct result empty = run(zeros, workspace, empty_size);
  __real_free(workspace);
  int status = 0;
  if (empty.status || !outputs_right(zeros, &empty) || empty.allocations || empty.frees ||
      empty.needed != empty_size) {
    status = fail("zeros, the workspace they need", &empty);
  } else {
    printf("planned %u bytes; few need %llu (%d heap blocks with the planned workspace, "
           "%d with theirs), many need %llu (%d with few's, %d with theirs)\n",
           (unsigned)PICKED_WORKSPACE_SIZE, (unsigned long long)few_size, planned.allocations,
           fits.allocations, (unsigned long long)many_size, outgrown.allocations,
           grown.allocations);
  }
  return status;
}
