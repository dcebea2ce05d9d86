/* not_a_model.c - a shared library that is not a smelt model.
 *
 * It loads fine but exports no smelt_model_info, so smelt_model_open() must
 * refuse it with SMELT_ERR_LOAD. Used only by the runtime's unit tests.
 */
__attribute__((visibility("default"))) int smelt_test_not_a_model(void) {
  return 42;
}
