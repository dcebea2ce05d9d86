/* Two compiled models and the shared runtime in one process (see
 * two-models-one-process.test). argv[1], argv[2]: the two libraries, which
 * this program is also linked against. */
#include <stdio.h>
#include <string.h>

#include "smelt/runtime.h"

extern const smelt_model_info one_info, two_info;
int32_t one_run(const float *image, float *scores, void *workspace); /* batch 1 */
int32_t two_run(const float *image, float *scores, void *workspace); /* batch 2 */

/* Room for either model's workspace (checked against its info). */
static unsigned char workspace[1 << 16] __attribute__((aligned(64)));

static int fail(const char *what, smelt_status *st) {
  fprintf(stderr, "%s: %s\n", what, st ? smelt_status_message(st) : "mismatch");
  smelt_status_free(st);
  return 1;
}

/* Runs `model` on `image` with batch `batch` into `scores`. */
static smelt_status *run(smelt_model *model, const float *image, int64_t batch, float *scores) {
  int64_t in_dims[] = {batch, 1, 8, 8}, out_dims[] = {batch, 4};
  smelt_tensor in = {(void *)image, SMELT_DTYPE_FLOAT32, 4, in_dims};
  smelt_tensor out = {scores, SMELT_DTYPE_FLOAT32, 2, out_dims};
  return smelt_model_run(model, &in, 1, &out, 1);
}

int main(int argc, char **argv) {
  if (argc != 3)
    return 2;
  float image[2 * 64], one[4], two[8], viaRuntime[8];
  for (int i = 0; i < 64; ++i)
    image[i] = image[64 + i] = (float)((i * 7) % 13) / 13.0f - 0.5f;

  if (one_info.workspace_size > sizeof workspace || two_info.workspace_size > sizeof workspace)
    return fail("workspace size", NULL);
  if (one_run(image, one, workspace) != 0 || two_run(image, two, workspace) != 0 ||
      memcmp(one, two, sizeof one) != 0 || memcmp(one, two + 4, sizeof one) != 0)
    return fail("typed entries", NULL);
  printf("typed entries agree\n");

  smelt_model *linked;
  smelt_status *st = smelt_model_from_info(&two_info, &linked);
  if (st || (st = run(linked, image, 2, viaRuntime)))
    return fail("smelt_model_from_info", st);
  smelt_model_close(linked);
  if (memcmp(viaRuntime, two, sizeof two) != 0 || one_info.num_inputs != 1)
    return fail("smelt_model_from_info", NULL);
  printf("smelt_model_from_info agrees\n");

  for (int i = 1; i <= 2; ++i) {
    smelt_model *opened;
    int64_t batch = i;
    if ((st = smelt_model_open(argv[i], &opened)) || (st = run(opened, image, batch, viaRuntime)))
      return fail(argv[i], st);
    smelt_model_close(opened);
    if (memcmp(viaRuntime, two, sizeof(float) * 4 * (size_t)batch) != 0)
      return fail(argv[i], NULL);
  }
  printf("smelt_model_open agrees for both libraries\n");
  return 0;
}
