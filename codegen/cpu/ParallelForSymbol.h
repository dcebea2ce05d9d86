//===- ParallelForSymbol.h - the hook parallel loops call -------*- C++ -*-===//
//
// Shared by smelt-cpu-outline-parallel-loops, which declares and calls it,
// and compiler/emit, which defines it around smelt_call.parallel_for.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_PARALLELFORSYMBOL_H
#define SMELT_CODEGEN_CPU_PARALLELFORSYMBOL_H

namespace smelt {

/// void __smelt_parallel_for(i64 count, ptr body, ptr ctx): runs
/// body(ctx, begin, end) over [0, count), split between threads or not.
inline constexpr const char kParallelForFn[] = "__smelt_parallel_for";

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_PARALLELFORSYMBOL_H
