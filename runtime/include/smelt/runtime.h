/* smelt/runtime.h - load and run models compiled by smelt. C99, no dependencies.
 *
 * A compiled model is a shared library (or an object linked into the
 * application) that exports a smelt_model_info, see smelt/model_abi.h. This
 * header opens such a model, describes its inputs and outputs, and runs it on
 * caller-owned tensors after checking every dtype and shape, so that a wrong
 * call fails with a message instead of reading out of bounds.
 *
 * Conventions, as in zstd:
 *  - Every fallible function returns a smelt_status*: NULL means success;
 *    otherwise the caller owns it and releases it with smelt_status_free().
 *  - Objects come in create/free pairs (smelt_model_open/smelt_model_close);
 *    out-parameters come last; freeing NULL is a no-op.
 *
 * Thread safety: a smelt_model's signature is immutable once opened. Any
 * number of threads may call smelt_model_run() on the same model at the same
 * time: each call keeps its argument arrays in its own allocations, and the
 * one workspace the model keeps between runs is handed to one call at a time
 * (a concurrent call gets a fresh one). Concurrent calls must not share
 * output buffers or caller workspaces, and smelt_model_close() must not race
 * with any other use of the model.
 *
 * GPU models (compiled with --device cuda; smelt_model_info.device is set)
 * use the same functions on the same host tensors: the runtime loads the
 * NVIDIA driver (libcuda.so.1) when such a model is opened, on the GPU that
 * the environment variable SMELT_CUDA_DEVICE names (default 0), and copies
 * inputs to it and outputs back in every run. The runtime itself needs no
 * CUDA to build or to run CPU models. See docs/runtime-api.md.
 */
#ifndef SMELT_RUNTIME_H
#define SMELT_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "smelt/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SMELT_API __attribute__((visibility("default")))
#else
#define SMELT_API
#endif

/*------------------------------------------------------------------------------
 * Version
 *----------------------------------------------------------------------------*/

#define SMELT_RUNTIME_VERSION_MAJOR 0
#define SMELT_RUNTIME_VERSION_MINOR 2
#define SMELT_RUNTIME_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH, comparable with `<`. */
#define SMELT_VERSION_NUMBER                                                   \
  (SMELT_RUNTIME_VERSION_MAJOR * 10000 + SMELT_RUNTIME_VERSION_MINOR * 100 +   \
   SMELT_RUNTIME_VERSION_PATCH)

/** The model ABI this runtime implements (SMELT_ABI_VERSION when it was built). */
SMELT_API uint32_t smelt_abi_version(void);
/** SMELT_VERSION_NUMBER of the runtime library actually linked. */
SMELT_API unsigned smelt_version_number(void);
/** The same version as "MAJOR.MINOR.PATCH". */
SMELT_API const char *smelt_version_string(void);

/*------------------------------------------------------------------------------
 * Status
 *----------------------------------------------------------------------------*/

/** What went wrong; smelt_status_code() returns one of these. */
typedef enum smelt_code {
  SMELT_OK = 0,
  SMELT_ERR_INVALID_ARGUMENT, /**< NULL pointer, wrong count, bad tensor view */
  SMELT_ERR_NOT_FOUND,        /**< the model file does not exist */
  SMELT_ERR_ABI_MISMATCH,     /**< model compiled for another SMELT_ABI_VERSION */
  SMELT_ERR_LOAD,             /**< dlopen failed, no info symbol, malformed info */
  SMELT_ERR_SHAPE,            /**< rank or dimension differs from the signature */
  SMELT_ERR_DTYPE,            /**< element type differs from the signature */
  SMELT_ERR_OUT_OF_MEMORY,
  SMELT_ERR_EXECUTION,        /**< the model's entry point reported failure */
  SMELT_ERR_UNSUPPORTED_CPU,  /**< the model needs CPU features this machine lacks */
  SMELT_ERR_DEVICE            /**< a GPU model cannot run here: no NVIDIA driver or GPU, a
                                   GPU too old for its code, or the CUDA driver failed */
} smelt_code;

/** An error: a smelt_code and a message. NULL stands for success. */
typedef struct smelt_status smelt_status;

/** The status' smelt_code; SMELT_OK for NULL. */
SMELT_API int smelt_status_code(const smelt_status *status);
/** The status' message, valid until it is freed; "ok" for NULL. */
SMELT_API const char *smelt_status_message(const smelt_status *status);
/** Releases a status returned by this library; NULL is a no-op. */
SMELT_API void smelt_status_free(smelt_status *status);
/** A smelt_code's enumerator name, e.g. "SMELT_ERR_SHAPE". */
SMELT_API const char *smelt_code_name(int code);

/*------------------------------------------------------------------------------
 * Element types
 *----------------------------------------------------------------------------*/

/** Bytes per element of a smelt_dtype (bool is 1); 0 for UNDEFINED, STRING
 *  and unknown values, none of which a model can take or return. */
SMELT_API size_t smelt_dtype_size(int32_t dtype);
/** Lower-case name as ONNX prints it ("float32", "int64", "bool"), or
 *  "unknown". */
SMELT_API const char *smelt_dtype_name(int32_t dtype);

/** Name of a smelt_slot_role as the compiler spells it ("tensor",
 *  "sequence_data", "sequence_shapes", "optional_present", "string_bytes",
 *  "string_lengths"), or "unknown". */
SMELT_API const char *smelt_role_name(int32_t role);

/*------------------------------------------------------------------------------
 * Models
 *----------------------------------------------------------------------------*/

/** A loaded model; opaque. */
typedef struct smelt_model smelt_model;

/** Loads the shared library at `path` (dlopen with RTLD_NOW | RTLD_LOCAL) and
 *  reads its SMELT_MODEL_INFO_SYMBOL. On success `*out` receives the model;
 *  on failure `*out` is NULL and the status is
 *  - SMELT_ERR_NOT_FOUND if `path` names no file,
 *  - SMELT_ERR_LOAD if the library does not load, lacks the symbol, or its
 *    info is malformed (NULL pointers, rank > 16, unsupported dtype, slots
 *    whose roles do not form the groups smelt_slot_role describes),
 *  - SMELT_ERR_ABI_MISMATCH if it targets another SMELT_ABI_VERSION,
 *  - SMELT_ERR_UNSUPPORTED_CPU if it was compiled for CPU features this
 *    machine lacks (see smelt_check_isa()), so it never dies of SIGILL,
 *  - for a GPU model, SMELT_ERR_DEVICE if the NVIDIA driver cannot be
 *    loaded, finds no GPU (or not the one SMELT_CUDA_DEVICE names), the GPU
 *    is older than the model's architecture, or the driver fails to load
 *    its code; SMELT_ERR_OUT_OF_MEMORY if its constants or workspace do not
 *    fit on the GPU.
 *  Messages name `path` and include the dynamic loader's text (or the
 *  driver's: the function that failed and its error). */
SMELT_API smelt_status *smelt_model_open(const char *path, smelt_model **out);

/** Checks that the CPU this runs on has the instruction set a compiled model
 *  needs: `isa` is the model's P_isa ("x86_64 avx avx2 fma ..."). Returns
 *  NULL when it does, else SMELT_ERR_UNSUPPORTED_CPU naming the missing
 *  features (or the other architecture). Features the runtime cannot query
 *  are taken as present; only x86-64 features are checked today.
 *  smelt_model_open() calls it before using a library; call it yourself
 *  before the typed entry point of a statically linked model. */
SMELT_API smelt_status *smelt_check_isa(const char *isa);

/** Wraps a model linked into the application, given its info. The info is
 *  validated as by smelt_model_open() (a GPU model's device is opened as
 *  there) and must outlive the model. */
SMELT_API smelt_status *smelt_model_from_info(const smelt_model_info *info,
                                              smelt_model **out);

/** Releases the model (and, for a GPU model, all it holds on the GPU) and
 *  unloads its library; NULL is a no-op. Pointers obtained from the model
 *  (tensor infos, names, dims) become invalid. */
SMELT_API void smelt_model_close(smelt_model *model);

/** The model's signature as it exports it; NULL for NULL. */
SMELT_API const smelt_model_info *smelt_model_get_info(const smelt_model *model);

/** Number of input slots; 0 for NULL. A graph input that is a numeric tensor
 *  takes one slot; a sequence, optional or string tensor takes several (see
 *  smelt_slot_role). */
SMELT_API size_t smelt_model_num_inputs(const smelt_model *model);
/** Number of output slots; 0 for NULL. */
SMELT_API size_t smelt_model_num_outputs(const smelt_model *model);

/** Input slot `i`'s name, dtype, dims and role; NULL if `i` is out of range.
 *  Valid until smelt_model_close(). */
SMELT_API const smelt_tensor_info *smelt_model_input(const smelt_model *model,
                                                     size_t i);
/** Output slot `i`'s name, dtype, dims and role; NULL if `i` is out of range. */
SMELT_API const smelt_tensor_info *smelt_model_output(const smelt_model *model,
                                                      size_t i);

/** Index of the first input slot called `name` (where its group starts), or
 *  -1. */
SMELT_API int smelt_model_find_input(const smelt_model *model, const char *name);
/** Index of the first output slot called `name`, or -1. */
SMELT_API int smelt_model_find_output(const smelt_model *model, const char *name);

/*------------------------------------------------------------------------------
 * Metadata: what the ONNX model says about itself, and how it was compiled
 *----------------------------------------------------------------------------*/

/** All of the model's metadata (see smelt_model_metadata in model_abi.h):
 *  ONNX producer, domain, version, doc strings, metadata_props, opsets, and
 *  the compiler, target and options that built it. NULL for NULL; valid
 *  until smelt_model_close(). */
SMELT_API const smelt_model_metadata *smelt_model_get_metadata(const smelt_model *model);

/** The ONNX model's doc_string, its description ("" if it has none); NULL
 *  for NULL. */
SMELT_API const char *smelt_model_description(const smelt_model *model);

/** Entries in the ONNX model's metadata_props (labels, normalization
 *  constants, sample rates...); 0 for NULL. */
SMELT_API size_t smelt_model_metadata_count(const smelt_model *model);
/** Key of entry `i`, NUL-terminated UTF-8; NULL if `i` is out of range. */
SMELT_API const char *smelt_model_metadata_key(const smelt_model *model, size_t i);
/** Value of entry `i`; NULL if `i` is out of range. A value may hold an
 *  embedded NUL: its full size is in smelt_model_get_metadata()->entries. */
SMELT_API const char *smelt_model_metadata_value(const smelt_model *model, size_t i);
/** Value of the first entry whose key equals `key`, or NULL if none does. */
SMELT_API const char *smelt_model_metadata_lookup(const smelt_model *model,
                                                  const char *key);

/** The symbolic name of dim `d` of a slot (its ONNX dim_param: "batch",
 *  "seq"), "" when the model names none; NULL if `tensor` is NULL or `d` is
 *  not below its rank. */
SMELT_API const char *smelt_tensor_dim_name(const smelt_tensor_info *tensor, size_t d);

/*------------------------------------------------------------------------------
 * Running
 *----------------------------------------------------------------------------*/

/** A view of a dense, row-major tensor. The caller owns the view and, unless
 *  the runtime allocated it (see smelt_model_run), the data. */
typedef struct smelt_tensor {
  void *data;
  int32_t dtype;        /**< smelt_dtype */
  int32_t rank;
  const int64_t *dims;  /**< `rank` entries; may be NULL when rank is 0 */
} smelt_tensor;

/** Runs the model once.
 *
 *  Inputs: `num_inputs` must equal smelt_model_num_inputs(), one tensor per
 *  slot in signature order. Each input's dtype and rank must equal the
 *  signature, and each dim must equal the signature's where that is static
 *  (dynamic dims accept any value >= 0). Violations return SMELT_ERR_DTYPE or
 *  SMELT_ERR_SHAPE with a message such as "input 'x' (#0): expected shape
 *  [1,3,224,224] but got [1,3,224,225]"; the model is not called. A
 *  sequence's shapes slot must hold dims >= 0 that account for exactly the
 *  elements of its data slot, and a string tensor's lengths must be >= 0 and
 *  add up to exactly its bytes slot's length (SMELT_ERR_SHAPE otherwise), so
 *  the model never reads past the data.
 *
 *  Outputs: `num_outputs` must equal smelt_model_num_outputs().
 *  - If `outputs[i].data` is non-NULL it is the caller's buffer, and the
 *    caller's dtype, rank and dims must match the signature (checked like
 *    inputs).
 *  - If `outputs[i].data` is NULL the runtime allocates the buffer (64-byte
 *    aligned) and sets data, dtype, rank and dims. The caller releases `data`
 *    with smelt_free(). For outputs with static dims, `dims` points into the
 *    model's signature and stays valid until smelt_model_close(); for
 *    outputs with dynamic dims it points into the same allocation as `data`
 *    and stays valid until smelt_free(data).
 *  - Outputs whose signature has a dynamic dim are always allocated by the
 *    runtime (their size is only known once the model runs): their `data`
 *    must be NULL, else SMELT_ERR_INVALID_ARGUMENT.
 *  On failure no output is left allocated: buffers this call allocated are
 *  freed and the outputs' `data` stays NULL.
 *
 *  If the model needs a workspace (its intermediate values, planned at
 *  compile time), the first run allocates one and the model keeps it for the
 *  next run; a run that starts while another holds it allocates its own, so
 *  concurrent calls on one model are safe (see the top of this header). When
 *  a run-time check of the model fails (input dims that do not broadcast, for
 *  instance) the result is SMELT_ERR_SHAPE with the model's message, e.g.
 *  "model 'm': node 'Add_0' (Add): input dims do not broadcast (...)". Any
 *  other nonzero return from the model's entry point gives
 *  SMELT_ERR_EXECUTION with the code in the message.
 *
 *  A GPU model takes and returns host tensors like any other: the run
 *  copies the inputs to the GPU, gives the model device buffers for its
 *  outputs, and copies them back into the outputs described above. A
 *  failure of the GPU or its driver during the run is SMELT_ERR_DEVICE,
 *  naming the driver function and its error; it is reported even when the
 *  model's entry point then returned another code, since what the model
 *  decided after it rested on zeros (see smelt_device_api). GPU memory
 *  running out is SMELT_ERR_OUT_OF_MEMORY. Either way nothing of the run
 *  stays allocated, on the GPU or the host. */
SMELT_API smelt_status *smelt_model_run(smelt_model *model,
                                        const smelt_tensor *inputs,
                                        size_t num_inputs,
                                        smelt_tensor *outputs,
                                        size_t num_outputs);

/** smelt_model_run() for a GPU model on the caller's device memory, with
 *  its work queued on the caller's CUDA stream: `inputs` and `outputs` are
 *  views of device memory on the model's GPU (cuMemAlloc, or cudaMalloc on
 *  that device), which the run reads and writes in place, with nothing
 *  copied to or from the host. `stream` is a CUstream (a cudaStream_t) of
 *  the GPU's primary context, the one the CUDA runtime uses; NULL,
 *  CU_STREAM_LEGACY and CU_STREAM_PER_THREAD are the default streams. The
 *  run's kernels and copies follow the work queued on the stream before the
 *  call (a kernel that wrote an input needs no synchronization), and the
 *  call returns once they are done, so that their failures are reported
 *  and the model's workspace is free for the next run.
 *
 *  Before it queues anything, the run checks, besides what smelt_model_run
 *  checks (dtypes and shapes), each buffer with the driver: GPU memory (a
 *  host pointer is SMELT_ERR_INVALID_ARGUMENT, not a crash), on the model's
 *  GPU, with room for the tensor from the pointer on; and the stream's
 *  context. Only models compiled with --device cuda, whose inputs are plain
 *  tensors and whose outputs have static dims, run this way (every model
 *  smelt compile emits for a GPU; else SMELT_ERR_INVALID_ARGUMENT). Every
 *  output needs its buffer. Failures are reported as by smelt_model_run; an
 *  output the run did not finish holds unspecified values. Runs are safe to
 *  call concurrently as smelt_model_run is. */
SMELT_API smelt_status *smelt_model_run_on_stream(smelt_model *model,
                                                  const smelt_tensor *inputs,
                                                  size_t num_inputs,
                                                  smelt_tensor *outputs,
                                                  size_t num_outputs,
                                                  void *stream);

/** Threads a run may use, the calling thread included: 0 restores the
 *  default, SMELT_NUM_THREADS if set, else the number of online CPUs; at
 *  most 256. The threads form one pool per process, started on the first
 *  run; a run's parallel loops are split the same way for the same count,
 *  and results do not depend on it. Call it while no model is running. */
SMELT_API smelt_status *smelt_set_num_threads(int threads);
/** The thread count runs use now (see smelt_set_num_threads). */
SMELT_API int smelt_get_num_threads(void);

/** Bytes of workspace one run of the model needs (0: none): the
 *  intermediate values planned at compile time. A model with dynamic dims
 *  may use more (see smelt_model_workspace_needed). */
SMELT_API uint64_t smelt_model_workspace_size(const smelt_model *model);
/** The most workspace any run of the model so far needed, at least
 *  smelt_model_workspace_size(). A model with dynamic dims places the
 *  buffers it sizes from the input dims in the workspace too, past its
 *  planned bytes, when they fit there, and otherwise allocates them for the
 *  run: a workspace of this size runs dims seen before with no allocation
 *  but the outputs'. The workspace smelt_model_run keeps grows to it. */
SMELT_API uint64_t smelt_model_workspace_needed(const smelt_model *model);
/** Alignment that workspace needs; a power of two, at least 64. */
SMELT_API uint64_t smelt_model_workspace_align(const smelt_model *model);

/** smelt_model_run() on the caller's workspace: `workspace_size` bytes at
 *  `workspace`, aligned to smelt_model_workspace_align(), at least
 *  smelt_model_workspace_size() of them (else SMELT_ERR_INVALID_ARGUMENT,
 *  and the model is not called). `workspace` may be NULL when the model needs
 *  none. The run then allocates no workspace (a model with dynamic dims
 *  allocates its block of buffers sized from the input dims when the
 *  workspace has no room for it past smelt_model_workspace_size() bytes; see
 *  smelt_model_workspace_needed); concurrent calls need distinct workspaces. For a GPU model the workspace is device memory on
 *  the model's GPU (from cuMemAlloc, or cudaMalloc on the same device: the
 *  runtime uses the GPU's primary context, as the CUDA runtime does); it
 *  cannot tell a host pointer, which makes the GPU fail. The inputs and
 *  outputs stay host tensors. */
SMELT_API smelt_status *smelt_model_run_with_workspace(smelt_model *model,
                                                       const smelt_tensor *inputs,
                                                       size_t num_inputs,
                                                       smelt_tensor *outputs,
                                                       size_t num_outputs,
                                                       void *workspace,
                                                       size_t workspace_size);

/** Releases an output buffer that smelt_model_run() allocated; NULL is a
 *  no-op. */
SMELT_API void smelt_free(void *data);

#ifdef __cplusplus
}
#endif

#endif /* SMELT_RUNTIME_H */
