/* Links the object smelt emits for the example MLP statically and calls its
 * typed entry point with a workspace reserved from the header's macros, as
 * firmware would; prints the first image's scores in `smelt run --print`'s
 * format. Built with -DBATCH=2 for the batch-2 variant, whose two images are
 * the same. */
#include <stdint.h>
#include <stdio.h>

#include "mlp.h"

#ifndef BATCH
#define BATCH 1
#endif

/* C arrays cannot be empty: at least one byte when the model needs none. */
static uint8_t workspace[MLP_WORKSPACE_SIZE > 0 ? MLP_WORKSPACE_SIZE : 1]
    __attribute__((aligned(MLP_WORKSPACE_ALIGN)));

int main(void) {
  float image[BATCH * 64], scores[BATCH * 4];
  /* Same values as test/e2e/models/mlp-input.npy. */
  for (int b = 0; b < BATCH; ++b)
    for (int i = 0; i < 64; ++i)
      image[b * 64 + i] = (float)((i * 7) % 13) / 13.0f - 0.5f;
  if (mlp_run(image, scores, workspace) != 0 || mlp_info.abi_version != SMELT_ABI_VERSION ||
      mlp_info.num_inputs != 1 || mlp_info.outputs[0].dims[1] != 4 ||
      mlp_info.workspace_size != MLP_WORKSPACE_SIZE)
    return 1;
  for (int b = 1; b < BATCH; ++b)
    for (int i = 0; i < 4; ++i)
      if (scores[b * 4 + i] != scores[i])
        return 1;
  printf("  [%.7g, %.7g, %.7g, %.7g]\n", scores[0], scores[1], scores[2], scores[3]);
  return 0;
}
