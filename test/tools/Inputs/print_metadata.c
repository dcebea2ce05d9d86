/* print_metadata.c - a program that links a model object and asks it what
 * it is: the header's dim macros at compile time, the metadata through the
 * runtime at run time. Used by metadata.test. */
#include <stdint.h>
#include <stdio.h>

#include "meta.h"
#include "smelt/runtime.h"

int main(void) {
  /* Static sizes from the header: a firmware buffer needs no runtime. */
  static float image[META_INPUT_IMAGE_ELEMENTS];
  static float scores[META_OUTPUT_SCORES_ELEMENTS];
  static uint8_t workspace[META_WORKSPACE_SIZE > 0 ? META_WORKSPACE_SIZE : 1]
      __attribute__((aligned(META_WORKSPACE_ALIGN)));
  printf("batch %d, image %d x %d\n", META_DIM_BATCH, META_INPUT_IMAGE_DIM0,
         META_INPUT_IMAGE_DIM1);
  if (meta_run(image, scores, workspace) != 0)
    return 1;

  smelt_model *model = NULL;
  smelt_status *status = smelt_model_from_info(&meta_info, &model);
  if (status) {
    fprintf(stderr, "%s\n", smelt_status_message(status));
    return 1;
  }
  printf("description: %s\n", smelt_model_description(model));
  printf("labels: %s\n", smelt_model_metadata_lookup(model, "labels"));
  for (size_t i = 0; i < smelt_model_metadata_count(model); ++i)
    printf("entry %zu: %s = [%s]\n", i, smelt_model_metadata_key(model, i),
           smelt_model_metadata_value(model, i));
  const smelt_tensor_info *in = smelt_model_input(model, 0);
  printf("input %s dim 0 is '%s'\n", in->name, smelt_tensor_dim_name(in, 0));
  printf("options: %s\n", smelt_model_get_metadata(model)->compile_options);
  smelt_model_close(model);
  return 0;
}
