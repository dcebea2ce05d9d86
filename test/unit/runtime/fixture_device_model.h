/* fixture_device_model.h - a hand-written GPU model, linked into the device tests.
 *
 * "positives": for x: float32[8], y = x * 2 - 3 (float32[8]) and p = the
 * elements of y above 0, in order (float32[?]). Its entry point works as
 * the host code smelt compiles for a GPU does: it copies the bias from the
 * constants into the workspace, launches the kernels "affine", "mark",
 * "count" and "compact" through smelt_call.device, reads the count back
 * to size p (alloc_output), and allocates and releases a temporary mask.
 * "affine": the same with y alone (all dims static); it reads the bias
 * back from the workspace and checks it.
 * The fake CUDA driver runs the kernels on the host (fake_kernel_*).
 */
#ifndef SMELT_TEST_UNIT_RUNTIME_FIXTURE_DEVICE_MODEL_H
#define SMELT_TEST_UNIT_RUNTIME_FIXTURE_DEVICE_MODEL_H

#include "smelt/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The model's signature and device code (PTX for sm_80). */
extern const smelt_model_info smelt_test_device_model;
/** "affine", on the same device code. */
extern const smelt_model_info smelt_test_device_affine_model;
/** Its device code, for tests that make variants of it. */
extern const smelt_device_code smelt_test_device_code;

/** What the last run of the entry point saw: its workspace, and the count
 *  it read back from the GPU (-1 before it read one). */
extern void *smelt_test_device_last_workspace;
extern int32_t smelt_test_device_last_count;

#ifdef __cplusplus
}
#endif

#endif /* SMELT_TEST_UNIT_RUNTIME_FIXTURE_DEVICE_MODEL_H */
