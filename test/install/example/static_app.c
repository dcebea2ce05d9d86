/* Calls the MLP that smelt_add_model compiled into this program and prints
 * its scores in `smelt run --print`'s format. */
#include <stdint.h>
#include <stdio.h>

#include "mlp.h"

static uint8_t workspace[MLP_WORKSPACE_SIZE > 0 ? MLP_WORKSPACE_SIZE : 1]
    __attribute__((aligned(MLP_WORKSPACE_ALIGN)));

int main(void) {
  float image[64], scores[4];
  /* Same values as test/e2e/models/mlp-input.npy. */
  for (int i = 0; i < 64; ++i)
    image[i] = (float)((i * 7) % 13) / 13.0f - 0.5f;
  if (mlp_run(image, scores, workspace) != 0)
    return 1;
  printf("  [%.7g, %.7g, %.7g, %.7g]\n", scores[0], scores[1], scores[2], scores[3]);
  return 0;
}
