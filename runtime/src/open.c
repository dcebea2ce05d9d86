/* open.c - loading a compiled model's shared library (POSIX dlopen).
 *
 * The library's info is validated (model.c) and its instruction set checked
 * against the CPU (isa.c) before any of its code runs. Not part of the
 * bare-metal runtime (bare_metal.c), where models are linked in.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

smelt_status *smelt_model_open(const char *path, smelt_model **out) {
  if (out)
    *out = NULL;
  if (!path || !out)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "smelt_model_open: path and out must not be NULL");

  /* dlopen reports a missing file like any other failure; tell them apart. A
   * path without '/' is searched for by dlopen, so leave that case to it. */
  struct stat st;
  if (strchr(path, '/') && stat(path, &st) != 0 && errno == ENOENT)
    return smelt_make_status(SMELT_ERR_NOT_FOUND,
                             "cannot open model '%s': no such file", path);

  dlerror();
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    return smelt_make_status(SMELT_ERR_LOAD, "cannot load model '%s': %s", path,
                             why ? why : "unknown dlopen error");
  }

  dlerror();
  const smelt_model_info *info = dlsym(library, SMELT_MODEL_INFO_SYMBOL);
  const char *why = dlerror();
  if (!info) {
    smelt_status *status = smelt_make_status(
        SMELT_ERR_LOAD, "'%s' is not a smelt model: no symbol '%s' (%s)", path,
        SMELT_MODEL_INFO_SYMBOL, why ? why : "symbol is NULL");
    dlclose(library);
    return status;
  }

  smelt_status *status = smelt_validate_info(path, info);
  /* Libraries from before the ISA record have none: nothing to check. */
  const char *isa = dlsym(library, SMELT_MODEL_ISA_SYMBOL);
  if (!status && isa)
    if ((status = smelt_check_isa(isa))) {
      smelt_status *named = smelt_make_status(
          SMELT_ERR_UNSUPPORTED_CPU, "cannot run model '%s': %s", path,
          smelt_status_message(status));
      smelt_status_free(status);
      status = named;
    }
  if (!status)
    status = smelt_make_model(info, library, path, out);
  if (status)
    dlclose(library);
  return status;
}

void smelt_unload_library(void *library) { dlclose(library); }
