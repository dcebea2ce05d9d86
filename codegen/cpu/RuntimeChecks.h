//===- RuntimeChecks.h - where failed run-time checks are recorded -*- C++ -*-===//
//
// Shared by smelt-cpu-lower-checks, which writes the record, and the entry
// points in compiler/emit, which clear and read it.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_RUNTIMECHECKS_H
#define SMELT_CODEGEN_CPU_RUNTIMECHECKS_H

namespace smelt {

/// A thread-local `ptr` global: null, or the NUL-terminated message of the
/// first run-time check that failed during the current call. Absent when the
/// model has no run-time checks.
inline constexpr const char kCheckFailureGlobal[] = "__smelt_check_failure";

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_RUNTIMECHECKS_H
