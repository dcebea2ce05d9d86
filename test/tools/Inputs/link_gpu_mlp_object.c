/* Links the object `smelt compile --device cuda` emits for the example MLP
 into an application with the Smelt runtime, wraps it with
 * smelt_model_from_info and runs it; prints the first image's scores in
 * `smelt run --print`'s format. The GPU comes from the driver the runtime
 * finds (in the tests, the fake driver running the kernels on the CPU). */
#include <stdint.h>
#include <stdio.h>

#include "mlp.h"
#include "smelt/runtime.h"

static int fail(smelt_status *status) {
  fprintf(stderr, "error: %s\n", smelt_status_message(status));
  smelt_status_free(status);
  return 1;
}

int main(void) {
  float image[MLP_INPUT_IMAGE_ELEMENTS], scores[MLP_OUTPUT_SCORES_ELEMENTS];
  /* Same values as test/e2e/models/mlp-input.npy, in each image. */
  for (int i = 0; i < MLP_INPUT_IMAGE_ELEMENTS; ++i)
    image[i] = (float)((i % 64 * 7) % 13) / 13.0f - 0.5f;
  if (mlp_info.device == NULL) {
    fprintf(stderr, "error: the model is not a GPU model\n");
    return 1;
  }
  smelt_model *model = NULL;
  smelt_status *status = smelt_model_from_info(&mlp_info, &model);
  if (status)
    return fail(status);
  const int64_t image_dims[] = {MLP_INPUT_IMAGE_DIM0, MLP_INPUT_IMAGE_DIM1, MLP_INPUT_IMAGE_DIM2,
                                MLP_INPUT_IMAGE_DIM3};
  const int64_t scores_dims[] = {MLP_OUTPUT_SCORES_DIM0, MLP_OUTPUT_SCORES_DIM1};
  smelt_tensor in = {image, SMELT_DTYPE_FLOAT32, MLP_INPUT_IMAGE_RANK, image_dims};
  smelt_tensor out = {scores, SMELT_DTYPE_FLOAT32, MLP_OUTPUT_SCORES_RANK, scores_dims};
  status = smelt_model_run(model, &in, 1, &out, 1);
  smelt_model_close(model);
  if (status)
    return fail(status);
  for (int b = 1; b < MLP_OUTPUT_SCORES_DIM0; ++b)
    for (int i = 0; i < MLP_OUTPUT_SCORES_DIM1; ++i)
      if (scores[b * MLP_OUTPUT_SCORES_DIM1 + i] != scores[i])
        return 1;
  printf("  [%.7g, %.7g, %.7g, %.7g]\n", scores[0], scores[1], scores[2], scores[3]);
  return 0;
}
