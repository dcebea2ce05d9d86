/* run.h - what the CPU and the GPU paths of smelt_model_run share; not
 * installed.
 *
 * run.c checks a call and runs a CPU model on the caller's memory;
 * cuda_run.c runs a GPU model on device copies of it. Both fill the same
 * call arrays, turn the entry point's code into a status the same way,
 * check the output shapes the model reports the same way, and leave the
 * host outputs they allocated in the arrays, for run.c to hand over to the
 * caller (or free, if the run failed).
 */
#ifndef SMELT_RUNTIME_RUN_H
#define SMELT_RUNTIME_RUN_H

#include "internal.h"

/** The pointer arrays of one call, in one allocation (run.c). `outputs`,
 *  `allocated` and `requested` describe host buffers: the ones this call
 *  allocated are the caller's on success and are freed on failure. */
typedef struct smelt_call_arrays {
  int64_t *dims_storage;       /**< sum of output ranks */
  void **inputs;               /**< num_inputs */
  const int64_t **input_dims;  /**< num_inputs */
  void **outputs;              /**< num_outputs */
  int64_t **output_dims;       /**< num_outputs */
  uint64_t *requested;         /**< num_outputs: bytes of each allocated output */
  unsigned char *allocated;    /**< num_outputs: 1 if this call allocated it */
} smelt_call_arrays;

/** Bytes of a dense tensor; 0 with *ok = 0 if it does not fit in size_t. */
size_t smelt_tensor_bytes(int32_t dtype, const int64_t *dims, int32_t rank, int *ok);
/** Whether a slot has a dim known only at run time. */
int smelt_has_dynamic_dim(const smelt_tensor_info *info);

/** Starts `call` for `inputs`: ABI version, input dims, output dims filled
 *  with the signature's (so a model that does not report static dims
 *  passes), and the check message. Buffers, workspace, callbacks and the
 *  device are left to the caller. */
void smelt_call_init(const smelt_model_info *info, const smelt_tensor *inputs,
                     smelt_call_arrays *a, smelt_call *call, const char **check_message);

/** Allocates the host buffer of output `index`, `bytes` bytes (64-byte
 *  aligned; behind them room for its dims when they are dynamic), and
 *  records it in `a`, replacing one allocated before. NULL when out of
 *  memory. */
void *smelt_output_block(const smelt_model_info *info, smelt_call_arrays *a, uint32_t index,
                         uint64_t bytes);
/** Copies the dims a model reported for dynamic output `index` behind its
 *  host buffer, where the caller's view will point. */
void smelt_store_output_dims(const smelt_model_info *info, smelt_call_arrays *a,
                             uint32_t index);

/** The status for an entry point's return code: NULL for SMELT_ENTRY_OK. */
smelt_status *smelt_entry_status(const smelt_model *model, int32_t code,
                                 const char *check_message);

/** Checks the output dims a model reported against its signature, and that
 *  it allocated every dynamic output (allocated[i]) at the size its dims
 *  give (requested[i]). */
smelt_status *smelt_check_outputs(const smelt_model_info *info, const smelt_call_arrays *a,
                                  const unsigned char *allocated, const uint64_t *requested);

/** A GPU run on the caller's device memory (smelt_model_run_on_stream):
 *  the CUstream its work goes on (NULL: the legacy default stream). */
typedef struct smelt_device_tensors {
  void *stream;
} smelt_device_tensors;

/** Runs a GPU model (cuda_run.c): like run.c's invoke, on device copies of
 *  the inputs, with the host outputs filled in `a` afterwards; or, with
 *  `on_device`, on the caller's device tensors, in order on its stream. */
smelt_status *smelt_cuda_invoke(const smelt_model *model, const smelt_tensor *inputs,
                                smelt_tensor *outputs, smelt_call_arrays *a, void *workspace,
                                uint64_t workspace_size, const smelt_device_tensors *on_device);

#endif /* SMELT_RUNTIME_RUN_H */
