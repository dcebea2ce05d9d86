/* Links the object smelt emits for the example MLP statically and calls its
 * typed entry point; prints the scores in `smelt run --print`'s format. */
#include <stdio.h>

#include "mlp.h"

int main(void) {
  float image[64], scores[4];
  /* Same values as test/e2e/models/mlp-input.npy. */
  for (int i = 0; i < 64; ++i)
    image[i] = (float)((i * 7) % 13) / 13.0f - 0.5f;
  if (mlp_run(image, scores) != 0 || mlp_info.abi_version != SMELT_ABI_VERSION ||
      mlp_info.num_inputs != 1 || mlp_info.outputs[0].dims[1] != 4)
    return 1;
  printf("  [%.7g, %.7g, %.7g, %.7g]\n", scores[0], scores[1], scores[2], scores[3]);
  return 0;
}
