//===- DisplayText.h - model strings as people and JSON see them -*- C++ -*-===//
//
// Shared by what shows a model's names to people or tools: the C header, the
// manifest and `smelt inspect`.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_DISPLAYTEXT_H
#define SMELT_COMPILER_EMIT_DISPLAYTEXT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>

namespace smelt {

/// `s` as valid UTF-8: ONNX strings are meant to be UTF-8, but nothing
/// enforces it, and JSON and the header need it (invalid bytes become U+FFFD).
inline std::string validUtf8(llvm::StringRef s) {
  return llvm::json::isUTF8(s) ? s.str() : llvm::json::fixUTF8(s);
}

/// One dim as listed in a signature: "batch=4" (named, fixed), "batch"
/// (named, set at run time), "4", or "?" (neither).
inline std::string dimText(int64_t size, llvm::StringRef name) {
  if (size < 0)
    return name.empty() ? "?" : name.str();
  return name.empty() ? std::to_string(size) : name.str() + "=" + std::to_string(size);
}

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_DISPLAYTEXT_H
