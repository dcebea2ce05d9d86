//===- InspectText.h - model text made safe for a terminal ------*- C++ -*-===//
//
// Names, doc strings and metadata come from the model file, which may be
// hostile: `smelt inspect` prints them with control bytes escaped, so a
// value cannot move the cursor or recolour the terminal. UTF-8 passes as is.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_INSPECTTEXT_H
#define SMELT_TOOLS_SMELT_INSPECTTEXT_H

#include "llvm/ADT/StringRef.h"

#include <cstdio>
#include <string>

namespace smelt {

/// `text` with bytes below 0x20 and 0x7f written as \n, \t or \xNN, and
/// backslashes doubled.
inline std::string printable(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (byte < 0x20 || byte == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_INSPECTTEXT_H
