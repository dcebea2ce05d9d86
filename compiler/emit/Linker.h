//===- Linker.h - object file to shared library -----------------*- C++ -*-===//
#ifndef SMELT_COMPILER_EMIT_LINKER_H
#define SMELT_COMPILER_EMIT_LINKER_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace smelt {

/// Links one ELF object (held in memory) for `triple` into a shared library
/// at `output` with LLD's ELF driver, in process, against the target's libm
/// only (the host's for the host, a cross sysroot's such as
/// /usr/aarch64-linux-gnu for another architecture). Intermediate files live
/// next to `output` and are removed; `output` only appears when linking
/// succeeded.
bool linkSharedLibrary(llvm::StringRef objectBytes, llvm::StringRef triple,
                       llvm::StringRef output, std::string &error);

/// Writes `bytes` to `path` atomically (temporary file, then rename).
bool writeFileAtomically(llvm::StringRef path, llvm::StringRef bytes, std::string &error);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_LINKER_H
