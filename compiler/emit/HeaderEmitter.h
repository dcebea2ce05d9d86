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
/// A model compiled for a GPU (`device`, e.g. "cuda sm_90"; empty for the
/// CPU) has no P_run: the header says to run it through the runtime, and
/// that its workspace is device memory.
std::string emitCHeader(const ModelSignature &signature, const std::string &prefix,
                        const WorkspacePlan &workspace, const std::string &device = "");

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_HEADEREMITTER_H
