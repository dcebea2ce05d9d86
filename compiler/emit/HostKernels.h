//===- HostKernels.h - a GPU model's kernels run on the CPU ------*- C++ -*-===//
//
// For tests without a GPU: `smelt compile --device cuda --emit=host-kernels`
// compiles a model's kernels (smelt-gpu-kernels-on-host) for this CPU into a
// library that exports, per kernel K,
//
//   void smelt_host_kernel_K(const uint32_t grid[3], const uint32_t block[3],
//                            void *const *params);
//
// which takes a launch as cuLaunchKernel does (params[i] points at the value
// of parameter i, memrefs expanded as the PTX kernel takes them) and runs
// every thread of every block in turn. A test driver that stands in for the
// CUDA driver calls it where a GPU would run the PTX.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_HOSTKERNELS_H
#define SMELT_COMPILER_EMIT_HOSTKERNELS_H

#include "llvm/IR/Module.h"

namespace smelt {

/// Prefix of the exported launch functions.
inline constexpr const char kHostKernelPrefix[] = "smelt_host_kernel_";

/// Wraps every public function of `module` (a kernel on the host, whose
/// last twelve parameters are the block id, thread id, block size and grid
/// size) in its launch function; the wrappers are the only exports.
void emitHostKernelLaunchers(llvm::Module &module);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_HOSTKERNELS_H
