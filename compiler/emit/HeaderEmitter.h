//===- HeaderEmitter.h - C header for a compiled model object ---*- C++ -*-===//
#ifndef SMELT_COMPILER_EMIT_HEADEREMITTER_H
#define SMELT_COMPILER_EMIT_HEADEREMITTER_H

#include "codegen/cpu/WorkspacePlan.h"
#include "compiler/emit/Signature.h"

#include <string>

namespace smelt {

/// The C header that declares an object file's ABI symbols with prefix
/// `prefix`: P_info, P_entry, and for static shapes the workspace's size and
/// alignment as macros (PREFIX_WORKSPACE_SIZE, PREFIX_WORKSPACE_ALIGN) and
/// the typed P_run with one pointer per tensor and the workspace last.
std::string emitCHeader(const ModelSignature &signature, const std::string &prefix,
                        const WorkspacePlan &workspace);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_HEADEREMITTER_H
