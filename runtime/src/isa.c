/* isa.c - does this CPU run a model's code?
 *
 * A model records the architecture and CPU features it was compiled for as
 * "x86_64 avx avx2 fma ..." (P_isa). Running it on a CPU without one of
 * them would die of SIGILL somewhere inside the model; checking up front
 * turns that into an error that names what is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#include <sys/prctl.h>
#ifndef HWCAP_SVE
#define HWCAP_SVE (1UL << 22)
#endif
#ifndef HWCAP2_SVE2
#define HWCAP2_SVE2 (1UL << 1)
#endif
#ifndef PR_SVE_GET_VL
#define PR_SVE_GET_VL 51
#endif
#ifndef PR_SVE_VL_LEN_MASK
#define PR_SVE_VL_LEN_MASK 0xffff
#endif
#define SMELT_AARCH64_LINUX 1
#endif

/* Code compiled for SVE vectors of one width ("sve-vector-bits=N" in the
 * ISA string) computes wrong results on any other width. */
static const char kSveBitsToken[] = "sve-vector-bits=";

/* The SVE vector width of this CPU in bits, 0 without SVE, -1 when the
 * runtime cannot tell. */
static long sve_vector_bits(void) {
#if defined(SMELT_AARCH64_LINUX)
  if (!(getauxval(AT_HWCAP) & HWCAP_SVE))
    return 0;
  int vl = prctl(PR_SVE_GET_VL);
  return vl < 0 ? -1 : (long)(vl & PR_SVE_VL_LEN_MASK) * 8;
#else
  return -1;
#endif
}

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
#if defined(SMELT_AARCH64_LINUX)
  if (len == 3 && strncmp(feature, "sve", 3) == 0)
    return (getauxval(AT_HWCAP) & HWCAP_SVE) != 0;
  if (len == 4 && strncmp(feature, "sve2", 4) == 0)
    return (getauxval(AT_HWCAP2) & HWCAP2_SVE2) != 0;
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
    if (len > sizeof kSveBitsToken - 1 &&
        strncmp(p, kSveBitsToken, sizeof kSveBitsToken - 1) == 0) {
      long wanted = strtol(p + sizeof kSveBitsToken - 1, NULL, 10);
      long have = sve_vector_bits();
      if (have == 0)
        return smelt_make_status(SMELT_ERR_UNSUPPORTED_CPU,
                                 "compiled for SVE vectors of %ld bits, but this CPU has "
                                 "no SVE; recompile for this CPU (--cpu)",
                                 wanted);
      if (have > 0 && have != wanted)
        return smelt_make_status(SMELT_ERR_UNSUPPORTED_CPU,
                                 "compiled for SVE vectors of %ld bits, but this CPU's are "
                                 "%ld bits; recompile for this CPU (--cpu)",
                                 wanted, have);
      p += len;
      continue;
    }
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
