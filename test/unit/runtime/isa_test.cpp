// isa_test.cpp - smelt_check_isa and smelt_model_open's instruction-set check.
#include <cstring>
#include <string>

#include "test_util.h"

using namespace smelt_test;

namespace {

#if defined(__x86_64__)
constexpr const char *kHostArch = "x86_64";
#elif defined(__aarch64__)
constexpr const char *kHostArch = "aarch64";
#else
constexpr const char *kHostArch = "unknown";
#endif

TEST(RuntimeIsa, HostArchitectureAloneRuns) {
  EXPECT_EQ(smelt_check_isa(kHostArch), nullptr);
  // Features the runtime cannot query are taken as present.
  EXPECT_EQ(smelt_check_isa((std::string(kHostArch) + " no-such-feature cx16").c_str()), nullptr);
}

TEST(RuntimeIsa, OtherArchitectureIsRefused) {
  Status status(smelt_check_isa("riscv64 v"));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_UNSUPPORTED_CPU);
  EXPECT_EQ(message(status), std::string("compiled for riscv64, but this machine is ") + kHostArch);
  Status null(smelt_check_isa(nullptr));
  EXPECT_EQ(smelt_status_code(null.get()), SMELT_ERR_INVALID_ARGUMENT);
}

#if defined(__x86_64__)
TEST(RuntimeIsa, NamesExactlyTheMissingFeatures) {
  // Machines here differ (AVX2-only or AVX-512): the expectation comes from
  // asking the CPU about each feature directly.
  std::string isa = "x86_64 sse4.2 avx avx2 fma avx512f avx512bw avx512vnni avx512bf16 "
                    "avx512vp2intersect";
  std::string missing;
  auto expect = [&](const char *name, bool has) {
    if (!has)
      missing += (missing.empty() ? "" : ", ") + std::string(name);
  };
  __builtin_cpu_init();
  expect("sse4.2", __builtin_cpu_supports("sse4.2"));
  expect("avx", __builtin_cpu_supports("avx"));
  expect("avx2", __builtin_cpu_supports("avx2"));
  expect("fma", __builtin_cpu_supports("fma"));
  expect("avx512f", __builtin_cpu_supports("avx512f"));
  expect("avx512bw", __builtin_cpu_supports("avx512bw"));
  expect("avx512vnni", __builtin_cpu_supports("avx512vnni"));
  expect("avx512bf16", __builtin_cpu_supports("avx512bf16"));
  expect("avx512vp2intersect", __builtin_cpu_supports("avx512vp2intersect"));
  Status status(smelt_check_isa(isa.c_str()));
  if (missing.empty()) {
    EXPECT_EQ(status.get(), nullptr) << message(status);
  } else {
    EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_UNSUPPORTED_CPU);
    EXPECT_TRUE(contains(message(status), "needs CPU features this machine lacks: " + missing + ";"))
        << message(status);
  }
}
#endif

TEST(RuntimeIsa, OpenRefusesALibraryForAnotherArchitecture) {
  smelt_model *model = nullptr;
  Status status(smelt_model_open(SMELT_FIXTURE_OTHER_ARCH_PATH, &model));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_UNSUPPORTED_CPU);
  EXPECT_TRUE(contains(message(status), std::string("cannot run model '") +
                                            SMELT_FIXTURE_OTHER_ARCH_PATH +
                                            "': compiled for riscv64"));
  EXPECT_EQ(model, nullptr);
}

} // namespace
