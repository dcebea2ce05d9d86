/* fma-peak.c - this machine's single-thread FP32 FMA peak, in GFLOP/s.
 *
 * usage: cc -O2 -march=native fma-peak.c -o fma-peak && ./fma-peak
 * Prints "GFLOPS WIDTH", e.g. "105.3 avx512": the best of several timed loops
 * of independent vector FMA chains, at the widest vector width the compiler
 * was allowed (AVX-512: 16 floats, AVX2: 8, otherwise 4); on an AVX-512
 * machine the 8-wide loop runs too and the faster of the two counts, since
 * some CPUs have fewer 512-bit FMA units than 256-bit ones.
 *
 * Why it reaches the peak: an FMA has a latency of 4-5 cycles and modern
 * cores issue two per cycle, so at least 10 must be in flight; CHAINS
 * independent accumulators give the core that many. Each chain computes
 * acc = acc * mul + add with mul just below 1, which converges instead of
 * overflowing, and the loop never touches memory. GCC's and Clang's vector
 * extensions contract `acc * mul + add` into one FMA under -march=native.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

/* 12 chains fill AVX2's 16 registers without spilling (12 accumulators plus
 * mul and add); AVX-512's 32 registers take 16. */
#define CHAINS_8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define CHAINS_12(X) CHAINS_8(X) X(8) X(9) X(10) X(11)
#define CHAINS_16(X) CHAINS_12(X) X(12) X(13) X(14) X(15)

static volatile float sink;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Defines `double NAME(long iterations)`: runs the loop, returns seconds. */
#define DEFINE_LOOP(NAME, LANES, CHAINS)                                       \
  typedef float NAME##_vec __attribute__((vector_size(LANES * 4)));           \
  static double NAME(long iterations) {                                        \
    volatile float mul_in = 0.9999999f, add_in = 1e-7f;                        \
    NAME##_vec mul = {0}, add = {0};                                           \
    mul += mul_in; /* broadcasts; volatile keeps them out of constant folding */ \
    add += add_in;                                                             \
    CHAINS(DECLARE)                                                            \
    double start = now();                                                      \
    for (long i = 0; i < iterations; ++i) {                                    \
      CHAINS(STEP)                                                             \
    }                                                                          \
    double seconds = now() - start;                                            \
    NAME##_vec total = {0};                                                    \
    CHAINS(SUM)                                                                \
    sink = total[0];                                                           \
    return seconds;                                                            \
  }
#define DECLARE(k) __typeof__(mul) acc##k = mul * (float)(k);
#define STEP(k) acc##k = acc##k * mul + add;
#define SUM(k) total += acc##k;

#if defined(__AVX512F__)
DEFINE_LOOP(loop16, 16, CHAINS_16)
#endif
DEFINE_LOOP(loop8, 8, CHAINS_12)
DEFINE_LOOP(loop4, 4, CHAINS_12)

/* GFLOP/s of `loop`: iterations doubled until one timing takes 0.1 s, then
 * the best of ten (the first runs also wake the core from a low clock). */
static double measure(double (*loop)(long), int lanes, int chains) {
  long iterations = 1 << 16;
  while (loop(iterations) < 0.1)
    iterations *= 2;
  double best = 1e30;
  for (int r = 0; r < 10; ++r) {
    double s = loop(iterations);
    if (s < best)
      best = s;
  }
  return 2.0 * lanes * chains * (double)iterations / best * 1e-9;
}

int main(void) {
  const char *width = "sse";
  double peak = measure(loop4, 4, 12);
#if defined(__AVX2__) || defined(__AVX__)
  double avx = measure(loop8, 8, 12);
  if (avx > peak) {
    peak = avx;
    width = "avx2";
  }
#endif
#if defined(__AVX512F__)
  double avx512 = measure(loop16, 16, 16);
  if (avx512 > peak) {
    peak = avx512;
    width = "avx512";
  }
#endif
  printf("%.1f %s\n", peak, width);
  return 0;
}
