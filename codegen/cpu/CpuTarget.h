//===- CpuTarget.h - the CPU a model is compiled for ------------*- C++ -*-===//
//
// One description of the target CPU for every target-dependent decision:
// the object emitter builds its TargetMachine from it, and the kernel
// strategy picks tile sizes from its vector width. It travels in the IR as
// the module attribute `smelt.cpu_target`, so lit tests can set a target
// without a machine that has it.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_CPUTARGET_H
#define SMELT_CODEGEN_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace smelt {

struct CpuTarget {
  std::string triple;   ///< normalized target triple
  std::string cpu;      ///< LLVM CPU name ("skylake-avx512", "cortex-a76", "generic")
  std::string features; ///< LLVM feature string: the host's (for the host CPU) plus the user's
  /// Every feature the CPU and the feature string enable, implied ones
  /// included ("avx avx2 fma ..."), in LLVM's spelling (in the IR:
  /// `enabled_features`, space separated).
  std::vector<std::string> enabledFeatures;
  unsigned vectorBits = 128; ///< widest vector register for f32 arithmetic
  /// AArch64 CPUs whose SVE registers are known to be wider than NEON's:
  /// their width, which the code is compiled for (vector-length specific:
  /// it runs only where SVE vectors have exactly this width). 0: NEON.
  unsigned sveBits = 0;
  unsigned vectorRegisters = 16; ///< architectural vector registers of that width
  unsigned indexBits = 64;   ///< width of `index` (pointer size)
  bool hasFma = false;       ///< fused multiply-add on vectors

  /// Vector lanes of an element type of `bits` bits (at least 1).
  unsigned lanes(unsigned bits) const { return std::max(1u, vectorBits / bits); }
};

/// Resolves what the user asked for: an empty triple is the host's, an empty
/// CPU or "native" is the host CPU (with the host's features when the
/// triple is the host's too), `features` ("+avx2,-avx512f") is added last.
/// Fails with a message for an unknown triple.
mlir::FailureOr<CpuTarget> resolveCpuTarget(llvm::StringRef triple, llvm::StringRef cpu,
                                            llvm::StringRef features, std::string &error);

/// The instruction set code for `target` needs, as one string: the
/// architecture, then every enabled feature ("x86_64 avx avx2 fma ..."),
/// then for SVE code of a fixed width "sve-vector-bits=N". A model records
/// it (P_isa) so that the runtime can refuse a CPU without it.
std::string requiredIsa(const CpuTarget &target);

/// Name of the module attribute that carries the target.
constexpr llvm::StringLiteral kCpuTargetAttrName = "smelt.cpu_target";

/// Stores `target` on `module` / reads it back. Without the attribute,
/// reading gives a generic 128-bit target (what any x86-64 or AArch64 CPU has).
void setCpuTarget(mlir::ModuleOp module, const CpuTarget &target);
CpuTarget getCpuTarget(mlir::Operation *op);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_CPUTARGET_H
