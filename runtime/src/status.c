/* status.c - smelt_status: an error code plus a message, NULL for success.
 *
 * A status is one allocation holding its message. Creating one never fails:
 * when memory is short, a static out-of-memory status is returned instead,
 * and smelt_status_free() knows not to release it. On bare metal (no heap)
 * the status lives in static storage until the next one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct smelt_status {
  int code;
  const char *message; /* points at text[], or at a literal for oom_status */
  char text[];
};

#ifdef SMELT_BARE_METAL
/* Bare metal has no heap and one thread: one status at a time, valid until
 * the next is made; a message longer than the buffer is cut. */
#ifndef SMELT_BARE_METAL_MESSAGE_BYTES
#define SMELT_BARE_METAL_MESSAGE_BYTES 256
#endif
static smelt_status last_status;
static char last_text[SMELT_BARE_METAL_MESSAGE_BYTES];

smelt_status *smelt_make_status(int code, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(last_text, sizeof last_text, fmt, args);
  va_end(args);
  last_status.code = code;
  last_status.message = last_text;
  return &last_status;
}

void smelt_status_free(smelt_status *status) { (void)status; }
#else
static smelt_status oom_status = {SMELT_ERR_OUT_OF_MEMORY, "out of memory"};
#define OOM_STATUS (&oom_status)

smelt_status *smelt_make_status(int code, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  int length = vsnprintf(NULL, 0, fmt, args);
  va_end(args);
  if (length < 0)
    length = 0;

  smelt_status *status = malloc(sizeof(smelt_status) + (size_t)length + 1);
  if (!status)
    return OOM_STATUS;
  status->code = code;
  status->message = status->text;
  va_start(args, fmt);
  vsnprintf(status->text, (size_t)length + 1, fmt, args);
  va_end(args);
  return status;
}

void smelt_status_free(smelt_status *status) {
  if (status != OOM_STATUS)
    free(status);
}
#endif

int smelt_status_code(const smelt_status *status) {
  return status ? status->code : SMELT_OK;
}

const char *smelt_status_message(const smelt_status *status) {
  return status ? status->message : "ok";
}

const char *smelt_code_name(int code) {
  switch (code) {
  case SMELT_OK: return "SMELT_OK";
  case SMELT_ERR_INVALID_ARGUMENT: return "SMELT_ERR_INVALID_ARGUMENT";
  case SMELT_ERR_NOT_FOUND: return "SMELT_ERR_NOT_FOUND";
  case SMELT_ERR_ABI_MISMATCH: return "SMELT_ERR_ABI_MISMATCH";
  case SMELT_ERR_LOAD: return "SMELT_ERR_LOAD";
  case SMELT_ERR_SHAPE: return "SMELT_ERR_SHAPE";
  case SMELT_ERR_DTYPE: return "SMELT_ERR_DTYPE";
  case SMELT_ERR_OUT_OF_MEMORY: return "SMELT_ERR_OUT_OF_MEMORY";
  case SMELT_ERR_EXECUTION: return "SMELT_ERR_EXECUTION";
  case SMELT_ERR_UNSUPPORTED_CPU: return "SMELT_ERR_UNSUPPORTED_CPU";
  case SMELT_ERR_DEVICE: return "SMELT_ERR_DEVICE";
  default: return "SMELT_ERR_UNKNOWN";
  }
}

void smelt_format_shape(char *buf, size_t size, const int64_t *dims,
                        int32_t rank, int signature) {
  if (size == 0)
    return;
  size_t used = 0;
  buf[0] = '\0';
#define APPEND(...)                                                            \
  do {                                                                         \
    if (used < size) {                                                         \
      int n = snprintf(buf + used, size - used, __VA_ARGS__);                  \
      used += n > 0 ? (size_t)n : 0;                                           \
    }                                                                          \
  } while (0)
  APPEND("[");
  for (int32_t i = 0; i < rank && dims; ++i) {
    if (signature && dims[i] == SMELT_DYNAMIC_DIM)
      APPEND("%s?", i ? "," : "");
    else
      APPEND("%s%lld", i ? "," : "", (long long)dims[i]);
  }
  APPEND("]");
#undef APPEND
}
