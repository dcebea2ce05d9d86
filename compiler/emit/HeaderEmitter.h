//===- HeaderEmitter.h - C header for a compiled model object ---*- C++ -*-===//
#ifndef SMELT_COMPILER_EMIT_HEADEREMITTER_H
#define SMELT_COMPILER_EMIT_HEADEREMITTER_H

#include "compiler/emit/Signature.h"

#include <string>

namespace smelt {

/// The C header that declares an object file's ABI symbols with prefix
/// `prefix`: P_info, P_entry and the typed P_run with one pointer per tensor.
std::string emitCHeader(const ModelSignature &signature, const std::string &prefix);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_HEADEREMITTER_H
