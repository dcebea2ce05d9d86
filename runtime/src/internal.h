/* internal.h - declarations shared by the runtime's sources; not installed.
 *
 * Holds the layout of smelt_model and the helpers that build statuses,
 * format shapes and check slot groups, so that every message in the runtime
 * reads the same way.
 */
#ifndef SMELT_RUNTIME_INTERNAL_H
#define SMELT_RUNTIME_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "smelt/runtime.h"

/* SMELT_BARE_METAL: the runtime for firmware (no OS): no dlopen, no threads,
 * no page prefaulting; models are linked in and wrapped with
 * smelt_model_from_info (bare_metal.c stands in for open.c, pool.c and
 * prefault.c). */
#ifdef SMELT_BARE_METAL
typedef int smelt_lock; /* one thread: nothing to guard */
#define smelt_lock_init(l) ((void)(*(l) = 0))
#define smelt_lock_destroy(l) ((void)(l))
#define smelt_lock_acquire(l) ((void)(l))
#define smelt_lock_release(l) ((void)(l))
#else
#include <pthread.h>
typedef pthread_mutex_t smelt_lock;
#define smelt_lock_init(l) pthread_mutex_init((l), NULL)
#define smelt_lock_destroy(l) pthread_mutex_destroy(l)
#define smelt_lock_acquire(l) pthread_mutex_lock(l)
#define smelt_lock_release(l) pthread_mutex_unlock(l)
#endif

/** Aligned heap memory, which only the hosted runtime takes. On bare metal
 *  the runtime uses no heap at all: models live in a static table
 *  (bare_metal.c), a status in static storage, and workspaces and output
 *  buffers come from the caller; this reports failure there. Returns 0 on
 *  success. */
#ifdef SMELT_BARE_METAL
static inline int smelt_aligned_alloc(void **out, size_t align, size_t bytes) {
  (void)align;
  (void)bytes;
  *out = NULL;
  return 1;
}
#else
#include <stdlib.h>
static inline int smelt_aligned_alloc(void **out, size_t align, size_t bytes) {
  return posix_memalign(out, align, bytes);
}
#endif

/** Releases what smelt_aligned_alloc (or the hosted runtime's malloc) gave;
 *  on bare metal there is never any, and no reference to free() either. */
#ifdef SMELT_BARE_METAL
#define smelt_heap_free(p) ((void)(p))
#else
#define smelt_heap_free(p) free(p)
#endif

/** Models a bare-metal runtime holds open at once (a few dozen bytes each). */
#ifndef SMELT_BARE_METAL_MODELS
#define SMELT_BARE_METAL_MODELS 4
#endif

/** The storage of a model object and its display name: the C heap when
 *  hosted (the name copied), a static table on bare metal (the name is the
 *  linked info's, which lives as long as the firmware). NULL when none is
 *  left. */
smelt_model *smelt_model_storage_take(const char *display_name);
void smelt_model_storage_give(smelt_model *model);

/** For functions that call into a model's code (its entry point, its
 *  parallel loop bodies). UBSan's function check reads type data stored
 *  just before the callee, which compiled models do not have: before an
 *  entry point at the start of a library's code segment it reads an
 *  unmapped page. */
#if defined(__clang__)
#define SMELT_CALLS_MODEL_CODE __attribute__((no_sanitize("function")))
#else
#define SMELT_CALLS_MODEL_CODE
#endif

/** Highest rank a signature or a tensor view may have. */
#define SMELT_MAX_RANK 16

/** Alignment of buffers the runtime allocates for outputs and workspaces. */
#define SMELT_DEFAULT_ALIGN 64u

struct smelt_model {
  const smelt_model_info *info; /**< points into the library, or the caller's */
  void *library;                /**< dlopen handle; NULL for smelt_model_from_info */
  char *display_name;           /**< path or graph name, for messages */
  smelt_lock workspace_lock;     /**< guards the three fields below */
  void *spare_workspace;        /**< an idle arena for the next run, or NULL (device
                                     memory for a GPU model) */
  uint64_t spare_workspace_size; /**< its bytes */
  uint64_t workspace_needed;    /**< most workspace a run has reported needing (dynamic
                                     dims: the planned bytes and the run-time block) */
  struct smelt_cuda_model *device; /**< a GPU model's device state (cuda.c); NULL for
                                        a CPU model */
};

/** Checks a signature read from a library or given by the caller;
 *  `model_name` names it in messages (model.c). */
smelt_status *smelt_validate_info(const char *model_name, const smelt_model_info *info);
/** The model object for a valid `info`; `library` is its dlopen handle or
 *  NULL (model.c). */
smelt_status *smelt_make_model(const smelt_model_info *info, void *library,
                               const char *display_name, smelt_model **out);
/** Unloads a library smelt_model_open loaded (open.c). */
void smelt_unload_library(void *library);

/** A workspace for one run of `model` (NULL when it needs none) and its
 *  bytes: the model's spare one if it is as large as the model's workspace
 *  size and every need a run reported, else a new allocation that large.
 *  Give it back with smelt_workspace_release. */
smelt_status *smelt_workspace_acquire(smelt_model *model, void **workspace, uint64_t *size);
/** Keeps `workspace` (`size` bytes) as the model's spare unless the spare
 *  is larger; frees the other one. */
void smelt_workspace_release(smelt_model *model, void *workspace, uint64_t size);
/** Records that a run needed `bytes` of workspace (smelt_call.workspace_needed). */
void smelt_workspace_note_needed(smelt_model *model, uint64_t bytes);

/** Maps a fresh buffer's pages now, not one fault at a time when it is first
 *  written; a no-op where the kernel cannot. */
void smelt_prefault_buffer(void *buffer, size_t bytes);
/** The process's thread pool (started on first use), or NULL when runs are
 *  serial (one thread). */
void *smelt_pool_get(void);
/** smelt_parallel_for_fn over the pool smelt_pool_get returned. */
void smelt_pool_parallel_for(void *pool_ctx, int64_t begin, int64_t end,
                             smelt_parallel_body body, void *body_ctx);

/** Checks a caller's workspace against the model's size and alignment. */
smelt_status *smelt_workspace_check(const smelt_model *model, const void *workspace,
                                    size_t size);
/** Frees the model's spare workspace, if any (at smelt_model_close). */
void smelt_workspace_discard(smelt_model *model);

/** Most alignment a GPU model may ask of its workspace or constants: what
 *  the CUDA driver guarantees for every allocation. */
#define SMELT_DEVICE_MAX_ALIGN 256u

/** Reads a GPU architecture "sm_<major><minor>" with an optional one-letter
 *  suffix ("sm_80", "sm_90a", "sm_100f") into its compute capability;
 *  `suffix` gets the letter or 0. Returns 0 if `arch` has another form
 *  (model.c). */
int smelt_parse_gpu_arch(const char *arch, int *major, int *minor, char *suffix);

/** Opens the device side of a GPU model (info->device set, validated):
 *  loads the CUDA driver, picks the GPU (SMELT_CUDA_DEVICE), checks that it
 *  can run the code, loads the kernels and copies the constants over; sets
 *  model->device (cuda.c; bare_metal.c refuses). */
smelt_status *smelt_cuda_open(smelt_model *model);
/** Releases what smelt_cuda_open acquired. */
void smelt_cuda_close(smelt_model *model);
/** A device workspace for one run of a GPU model, and its release. */
smelt_status *smelt_cuda_workspace_alloc(const smelt_model *model, void **workspace);
void smelt_cuda_workspace_free(const smelt_model *model, void *workspace);

#if defined(__GNUC__) || defined(__clang__)
#define SMELT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SMELT_PRINTF(fmt, args)
#endif

/** A new status with a printf-formatted message. Never returns NULL: if
 *  memory runs out it returns a shared, static out-of-memory status. No
 *  %zu: newlib's printf (firmware) lacks it; cast sizes for %lu or %llu. */
smelt_status *smelt_make_status(int code, const char *fmt, ...)
    SMELT_PRINTF(2, 3);

/** Checks that the roles of `count` valid slots (names non-NULL, ranks and
 *  dtypes checked) form the groups smelt_slot_role describes. `kind` is
 *  "input" or "output"; errors are SMELT_ERR_LOAD naming `model_name`. */
smelt_status *smelt_check_slot_groups(const char *model_name, const char *kind,
                                      const smelt_tensor_info *slots,
                                      uint32_t count);

/** Checks that a model's metadata exists and that none of its strings or
 *  arrays is NULL; errors are SMELT_ERR_LOAD naming `model_name`. */
smelt_status *smelt_check_metadata(const char *model_name,
                                   const smelt_model_metadata *metadata);

/** Writes a shape such as "[1,3,224,224]" into buf, truncating to size. With
 *  `signature` set, SMELT_DYNAMIC_DIM prints as '?' ("[?,3]"); a caller's
 *  shape prints as given, so a bad -1 shows up as -1. */
void smelt_format_shape(char *buf, size_t size, const int64_t *dims,
                        int32_t rank, int signature);

#endif /* SMELT_RUNTIME_INTERNAL_H */
