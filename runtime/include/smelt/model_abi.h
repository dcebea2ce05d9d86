/* smelt/model_abi.h - the binary interface between a compiled model and its caller.
 *
 * Every library or object file smelt emits exports, for a symbol prefix P
 * (--name, by default the output file's stem: "libmnist.so" and "mnist.o"
 * give "mnist"; never beginning with "smelt_", which is the runtime's):
 *
 *   const smelt_model_info P_info;          signature as plain data
 *   int32_t P_entry(const smelt_call *);    generic entry point (used by the runtime)
 *   int32_t P_run(<typed pointers>, void *workspace);
 *                                           typed entry point, declared in the generated
 *                                           header (static shapes only)
 *   const char P_isa[];                     architecture and CPU features the code needs
 *
 * and a shared library also exports P_info under SMELT_MODEL_INFO_SYMBOL and
 * P_isa under SMELT_MODEL_ISA_SYMBOL, the names smelt_model_open() looks up. Nothing else is exported, and the
 * entry points have protected visibility: calls inside a model always reach
 * its own code, so models and the runtime live side by side in one process.
 *
 * The signature is data, so a loader reads names, dtypes and shapes without
 * running model code. The call structure already carries input shapes, a
 * caller-provided workspace and a parallel-for callback, so dynamic shapes,
 * static memory planning and multithreading fit without changing this ABI.
 * Version 2 added slot roles: ONNX sequences, optionals and string tensors
 * cross the ABI as runs of plain tensor slots (smelt_slot_role). Version 3
 * added the model's metadata (smelt_model_metadata: the ONNX model's
 * producer, domain, version, doc strings, metadata_props and opsets, and how
 * smelt compiled it) and, per slot, the symbolic dim names and doc string.
 * Version 4 added models for GPUs: their kernels and constants
 * (smelt_device_code, in smelt_model_info.device) and the device operations
 * the caller lends their entry point (smelt_device_api, in smelt_call.device).
 * Version 5 let a model with dynamic dims place the buffers it sizes from the
 * input dims in the caller's workspace too, past its planned part, and report
 * the workspace a run needed (smelt_call.workspace_needed).
 *
 * Every library and object file also carries a JSON manifest of the same
 * facts in the section SMELT_MODEL_MANIFEST_SECTION, for tools such as
 * `smelt inspect` that describe a model without loading or running it (a
 * library built for another machine included).
 * C99, no dependencies; shared by the runtime and by smelt's code generator.
 */
#ifndef SMELT_MODEL_ABI_H
#define SMELT_MODEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this ABI; a compiled model records the one it targets. */
#define SMELT_ABI_VERSION 5u

/** Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum smelt_dtype {
  SMELT_DTYPE_UNDEFINED = 0,
  SMELT_DTYPE_FLOAT32 = 1,
  SMELT_DTYPE_UINT8 = 2,
  SMELT_DTYPE_INT8 = 3,
  SMELT_DTYPE_UINT16 = 4,
  SMELT_DTYPE_INT16 = 5,
  SMELT_DTYPE_INT32 = 6,
  SMELT_DTYPE_INT64 = 7,
  SMELT_DTYPE_STRING = 8,
  SMELT_DTYPE_BOOL = 9,
  SMELT_DTYPE_FLOAT16 = 10,
  SMELT_DTYPE_FLOAT64 = 11,
  SMELT_DTYPE_UINT32 = 12,
  SMELT_DTYPE_UINT64 = 13,
  SMELT_DTYPE_BFLOAT16 = 16
} smelt_dtype;

/** A dimension that is only known at run time. */
#define SMELT_DYNAMIC_DIM (-1)

/** What an ABI slot holds. Every slot is a plain dense tensor; a graph value
 *  that is not one (an ONNX sequence, optional or string tensor) spans a run
 *  of consecutive slots that share its name:
 *
 *    tensor            [TENSOR]
 *    tensor<string>    [STRING_BYTES, STRING_LENGTHS]
 *    seq<tensor>       [SEQUENCE_DATA, SEQUENCE_SHAPES]
 *    opt<tensor>       [OPTIONAL_PRESENT, TENSOR]
 *    opt<seq<tensor>>  [OPTIONAL_PRESENT, SEQUENCE_DATA, SEQUENCE_SHAPES]
 *
 *  STRING_BYTES is 1-D uint8: the UTF-8 bytes of all strings, concatenated
 *  row-major, without terminators. STRING_LENGTHS is int64 with the string
 *  tensor's own shape: the byte length of each string.
 *  SEQUENCE_DATA is 1-D, of the element dtype: the elements flattened
 *  row-major and concatenated in order. SEQUENCE_SHAPES is int64
 *  [count, element_rank]: row i holds the dims of element i. OPTIONAL_PRESENT
 *  is a bool scalar; the value slots after it have all dims dynamic for a
 *  tensor. An absent optional input is passed as present = false with value
 *  slots whose dims are all 0 (an empty sequence is data [0], shapes [0, r]);
 *  the value slots of an absent optional output hold nothing meaningful. */
typedef enum smelt_slot_role {
  SMELT_ROLE_TENSOR = 0,
  SMELT_ROLE_SEQUENCE_DATA = 1,
  SMELT_ROLE_SEQUENCE_SHAPES = 2,
  SMELT_ROLE_OPTIONAL_PRESENT = 3,
  SMELT_ROLE_STRING_BYTES = 4,
  SMELT_ROLE_STRING_LENGTHS = 5
} smelt_slot_role;

/** One ABI slot: a graph input or output, or one part of one (see
 *  smelt_slot_role). Fields are only ever appended: `role` and `reserved`
 *  came with version 2, `dim_names` and `doc_string` with version 3. No
 *  padding: 48 bytes on 64-bit targets, 32 on 32-bit ones. Strings are
 *  NUL-terminated UTF-8 as the ONNX model spells them. */
typedef struct smelt_tensor_info {
  const char *name;    /**< ONNX value name; shared by a group */
  int32_t dtype;       /**< smelt_dtype */
  int32_t rank;
  const int64_t *dims; /**< `rank` entries; SMELT_DYNAMIC_DIM where dynamic */
  int32_t role;        /**< smelt_slot_role */
  int32_t reserved;    /**< 0; keeps the struct free of tail padding */
  const char *const *dim_names; /**< `rank` entries, the ONNX dim_param of each
                                     dim ("batch", "seq"), "" where the model
                                     names none; NULL when it names none at
                                     all. A name stays when --shape fixes the
                                     dim. Only TENSOR slots carry names. */
  const char *doc_string;       /**< the value's ONNX doc_string, "" if none
                                     (NULL only in hand-written infos) */
} smelt_tensor_info;

/** Runs body(ctx, i) for every i in [begin, end), possibly concurrently. */
typedef void (*smelt_parallel_body)(void *body_ctx, int64_t begin, int64_t end);
typedef void (*smelt_parallel_for_fn)(void *pool_ctx, int64_t begin, int64_t end,
                                      smelt_parallel_body body, void *body_ctx);

/** Allocates the buffer of output `output_index` once its size is known:
 *  `bytes` bytes, 64-byte aligned. NULL when out of memory. */
typedef void *(*smelt_output_alloc_fn)(void *alloc_ctx, uint32_t output_index, uint64_t bytes);

/** Since version 4: what the entry point of a model compiled for a GPU
 *  (smelt_model_info.device is not NULL) calls to use it. The caller
 *  implements it (the runtime does, over the CUDA driver API) and passes it
 *  in smelt_call.device. The entry point itself runs on the host: it computes
 *  launch sizes, reads from the device the few values those depend on, and
 *  queues all device work through these functions, in order, on one stream.
 *  Errors: the caller records the first failure and reports it once the
 *  entry point returns; after a failure launch does nothing and copy fills
 *  a host `dst` with zeros, so an entry point never branches on device
 *  errors (it only checks alloc for NULL, as it does malloc). */
typedef struct smelt_device_api {
  void *ctx;             /**< passed back to every function */
  const void *constants; /**< device copy of smelt_device_code.constants */
  /** Queues kernel `kernel` (an index into smelt_device_code.kernel_names)
   *  on grid[0] x grid[1] x grid[2] blocks of block[0] x block[1] x block[2]
   *  threads with `shared_bytes` of dynamic shared memory; params[i] points
   *  at the value of the kernel's parameter i (read before it returns). */
  void (*launch)(void *ctx, uint32_t kernel, const uint32_t *grid, const uint32_t *block,
                 uint32_t shared_bytes, void *const *params);
  /** Copies `bytes` from `src` to `dst`, each device or host memory, after
   *  the work queued before; returns once a host `dst` holds them. */
  void (*copy)(void *ctx, void *dst, const void *src, uint64_t bytes);
  /** `bytes` of device memory, 256-byte aligned; NULL when out of memory. */
  void *(*alloc)(void *ctx, uint64_t bytes);
  /** Releases memory from `alloc` once the work queued before is done. */
  void (*release)(void *ctx, void *ptr);
} smelt_device_api;

/** Everything one invocation needs. Fields the model does not use may be 0. */
typedef struct smelt_call {
  uint32_t abi_version;            /**< SMELT_ABI_VERSION of the caller */
  uint32_t reserved;
  void *const *inputs;             /**< one data pointer per input slot, dense row-major */
  const int64_t *const *input_dims; /**< actual dims of each input */
  void **outputs;                  /**< one buffer per output slot: caller-allocated for outputs
                                        with static dims; for outputs with dynamic dims
                                        the model stores the buffer it got from
                                        alloc_output */
  int64_t *const *output_dims;     /**< receives the dims of each output */
  void *workspace;                 /**< scratch arena for intermediates, or NULL; a model
                                        with dynamic dims also places the buffers it sizes
                                        from the input dims in it, past its first
                                        smelt_model_info.workspace_size bytes, when they
                                        fit there (else the run allocates one block), and
                                        past those the buffers it sizes from data, as far
                                        as they fit (else each is allocated) */
  uint64_t workspace_size;
  smelt_parallel_for_fn parallel_for; /**< NULL: run serially */
  void *parallel_ctx;
  smelt_output_alloc_fn alloc_output; /**< required when an output has dynamic dims */
  void *alloc_ctx;
  const char **check_message;      /**< if not NULL, receives a static message when the
                                        entry returns SMELT_ENTRY_CHECK_FAILED */
  const smelt_device_api *device;  /**< since version 4; required by a model with device
                                        code (NULL: SMELT_ENTRY_BAD_ABI), whose inputs,
                                        outputs and workspace are then device memory, as
                                        are the buffers alloc_output returns */
  uint64_t *workspace_needed;      /**< since version 5; if not NULL, receives the bytes of
                                        workspace this run needed: the model's
                                        workspace_size, plus for a model with dynamic dims
                                        the block of buffers sized from these input dims
                                        and the most its buffers sized by data (and its
                                        results of dynamic dims) took at once, which go
                                        past that block. A workspace that large runs the
                                        same dims and data with no allocation but the
                                        outputs' */
} smelt_call;

/** Status codes returned by entry points. */
#define SMELT_ENTRY_OK 0
#define SMELT_ENTRY_BAD_ABI 1
#define SMELT_ENTRY_SMALL_WORKSPACE 2
#define SMELT_ENTRY_OUT_OF_MEMORY 3   /**< alloc_output returned NULL (or is missing), or
                                           malloc did for a buffer sized by the inputs */
#define SMELT_ENTRY_BAD_SHAPE 4       /**< input dims differ from the model's static dims */
#define SMELT_ENTRY_CHECK_FAILED 5    /**< a run-time check failed, e.g. input dims that do not
                                           broadcast; see smelt_call.check_message */

typedef int32_t (*smelt_entry_fn)(const smelt_call *call);

/** One entry of the ONNX model's metadata_props, in the model's order. Both
 *  strings are NUL-terminated; the sizes (without the NUL) also count bytes
 *  after an embedded NUL, which ONNX strings may hold. */
typedef struct smelt_metadata_entry {
  const char *key;
  const char *value;
  uint64_t key_size;
  uint64_t value_size;
} smelt_metadata_entry;

/** One opset the ONNX model imports, as it declared it (before smelt's
 *  upgrade to smelt_model_info.onnx_opset). */
typedef struct smelt_opset_import {
  int64_t version;
  const char *domain; /**< "" for the default ai.onnx domain */
} smelt_opset_import;

/** What the ONNX model says about itself and how smelt compiled it (since ABI
 *  version 3). Every string is NUL-terminated and never NULL ("" where the
 *  model says nothing). */
typedef struct smelt_model_metadata {
  int64_t model_version;        /**< ONNX model_version (0 if unset) */
  const char *producer_name;    /**< the tool that wrote the ONNX file, e.g. "pytorch" */
  const char *producer_version;
  const char *domain;           /**< ONNX model domain, e.g. "org.example.vision" */
  const char *doc_string;       /**< the model's description */
  const char *graph_doc_string; /**< the main graph's doc_string */
  uint32_t num_entries;         /**< metadata_props entries */
  uint32_t num_opsets;
  const smelt_metadata_entry *entries;
  const smelt_opset_import *opsets;
  const char *compiler;         /**< "smelt <version>" */
  const char *target_triple;    /**< e.g. "x86_64-unknown-linux-gnu" */
  const char *target_cpu;       /**< LLVM CPU name the code was tuned for */
  const char *target_features;  /**< the instruction set the code needs, as
                                     P_isa spells it: "x86_64 avx avx2 fma ..." */
  const char *compile_options;  /**< the options that shaped the code, as on
                                     the command line: "-O2 --shape x=1,3,224,224" */
} smelt_model_metadata;

/** Since version 4: the device code of a model compiled for a GPU (smelt
 *  compile --device cuda). Its entry point runs on the host and uses the
 *  device through smelt_call.device. */
typedef struct smelt_device_code {
  const char *platform;          /**< "cuda" */
  const char *arch;              /**< the oldest GPU architecture the image runs
                                      on, as "sm_80" (compute capability 8.0) */
  const char *image;             /**< the kernels: PTX text, NUL-terminated */
  uint64_t image_size;           /**< bytes of `image` before the NUL */
  const char *const *kernel_names; /**< `num_kernels` entry names in `image` */
  uint32_t num_kernels;
  uint32_t reserved;             /**< 0 */
  const void *constants;         /**< the weights and other constants the kernels
                                      read, copied to the device once
                                      (smelt_device_api.constants) */
  uint64_t constants_size;
  uint64_t constants_align;      /**< alignment the device copy needs */
} smelt_device_code;

/** The signature a compiled model exports as data. */
typedef struct smelt_model_info {
  uint32_t abi_version;  /**< SMELT_ABI_VERSION the model was compiled for */
  uint32_t num_inputs;   /**< input slots (a sequence, optional or string
                              tensor spans several) */
  uint32_t num_outputs;  /**< output slots */
  uint32_t onnx_opset;   /**< canonical opset the model was compiled at */
  const smelt_tensor_info *inputs;
  const smelt_tensor_info *outputs;
  uint64_t workspace_size;  /**< bytes of workspace the model needs (0: none): the
                                 arena its intermediate buffers are planned into
                                 (device memory for a model with device code) */
  uint64_t workspace_align; /**< required alignment of the workspace */
  const char *model_name;   /**< graph name, NUL-terminated */
  const char *producer;     /**< "smelt <version>" */
  smelt_entry_fn entry;
  const smelt_model_metadata *metadata; /**< since version 3; never NULL in a
                                             compiled model (a hand-written
                                             info may leave it NULL) */
  const smelt_device_code *device;      /**< since version 4; NULL for a model that
                                             runs on the CPU */
} smelt_model_info;

/** Name under which every shared library smelt emits exports its P_isa: the
 *  architecture and CPU features its code needs, as "x86_64 avx avx2 fma
 *  ..." (object files export P_isa only; see smelt_check_isa()). */
#define SMELT_MODEL_ISA_SYMBOL "smelt_model_isa"

/** Name under which every shared library smelt emits exports its P_info,
 *  whatever its prefix; look it up with dlsym on the library's own handle. */
#define SMELT_MODEL_INFO_SYMBOL "smelt_model_info"

/** ELF section of every library and object file smelt emits that holds its
 *  manifest: one NUL-terminated JSON document per model (an application
 *  that links several model objects holds several), describing the
 *  signature, metadata, workspace and target; see docs/model-manifest.md. */
#define SMELT_MODEL_MANIFEST_SECTION ".smelt.manifest"

#ifdef __cplusplus
}
#endif

#endif /* SMELT_MODEL_ABI_H */
