/* isa.c - does this CPU run a model's code?
 *
 * A model records the architecture and CPU features it was compiled for as
 * "x86_64 avx avx2 fma ..." (P_isa). Running it on a CPU without one of
 * them would die of SIGILL somewhere inside the model; checking up front
 * turns that into an error that names what is missing.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#if defined(__x86_64__)
#define SMELT_HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define SMELT_HOST_ARCH "aarch64"
#elif defined(__arm__)
#define SMELT_HOST_ARCH "arm"
#else
#define SMELT_HOST_ARCH "unknown"
#endif

/* 1: the CPU has `feature`, 0: it lacks it, -1: the runtime cannot tell.
 * __builtin_cpu_supports takes only literals, hence the table of calls. */
static int cpu_has(const char *feature, size_t len) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SMELT_FEATURE(name)                                                    \
  if (len == sizeof(name) - 1 && strncmp(feature, name, len) == 0)            \
    return __builtin_cpu_supports(name) != 0;
  __builtin_cpu_init();
  SMELT_FEATURE("sse3") SMELT_FEATURE("ssse3") SMELT_FEATURE("sse4.1")
  SMELT_FEATURE("sse4.2") SMELT_FEATURE("popcnt") SMELT_FEATURE("avx")
  SMELT_FEATURE("avx2") SMELT_FEATURE("fma") SMELT_FEATURE("bmi")
  SMELT_FEATURE("bmi2") SMELT_FEATURE("aes") SMELT_FEATURE("pclmul")
  SMELT_FEATURE("gfni") SMELT_FEATURE("vpclmulqdq") SMELT_FEATURE("avx512f")
  SMELT_FEATURE("avx512vl") SMELT_FEATURE("avx512bw") SMELT_FEATURE("avx512dq")
  SMELT_FEATURE("avx512cd") SMELT_FEATURE("avx512ifma")
  SMELT_FEATURE("avx512vbmi") SMELT_FEATURE("avx512vbmi2")
  SMELT_FEATURE("avx512vnni") SMELT_FEATURE("avx512bitalg")
  SMELT_FEATURE("avx512vpopcntdq") SMELT_FEATURE("avx512bf16")
  SMELT_FEATURE("avx512vp2intersect")
#undef SMELT_FEATURE
#endif
  (void)feature;
  (void)len;
  return -1;
}

smelt_status *smelt_check_isa(const char *isa) {
  if (!isa)
    return smelt_make_status(SMELT_ERR_INVALID_ARGUMENT,
                             "smelt_check_isa: isa must not be NULL");
  size_t arch_len = strcspn(isa, " ");
  if (arch_len != strlen(SMELT_HOST_ARCH) ||
      strncmp(isa, SMELT_HOST_ARCH, arch_len) != 0)
    return smelt_make_status(SMELT_ERR_UNSUPPORTED_CPU,
                             "compiled for %.*s, but this machine is %s",
                             (int)arch_len, isa, SMELT_HOST_ARCH);
  char missing[512] = "";
  size_t used = 0;
  for (const char *p = isa + arch_len; *p;) {
    p += strspn(p, " ");
    size_t len = strcspn(p, " ");
    if (len && cpu_has(p, len) == 0 && used < sizeof missing) {
      int n = snprintf(missing + used, sizeof missing - used, "%s%.*s",
                       used ? ", " : "", (int)len, p);
      used += n > 0 ? (size_t)n : 0;
    }
    p += len;
  }
  if (used == 0)
    return NULL;
  return smelt_make_status(SMELT_ERR_UNSUPPORTED_CPU,
                           "needs CPU features this machine lacks: %s; "
                           "recompile for this CPU (smelt compile --cpu=native, "
                           "the default) or an older one (--cpu=x86-64-v2, ...)",
                           missing);
}
