//===- IsolatedLibonnx.h - libonnx's routines in a child process -*- C++ -*-===//
//
// libonnx's version converter and shape inference trust their input: a
// malformed model can make them read outside a shape (an operand of a rank
// that inference derived, not declared, a name nothing defines...).
// NodeValidator refuses the malformed models it knows of before libonnx runs;
// this catches the rest. The work runs in a forked child on a copy of the
// model, which comes back through a pipe: a crash in the child is an error
// for the model, never the compiler's crash.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_ISOLATEDLIBONNX_H
#define SMELT_COMPILER_IMPORT_ISOLATEDLIBONNX_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace smelt {

/// Runs `work` on `model` in a child process and replaces `model` with the
/// model it leaves. `work` returns "" on success or an error message, which
/// becomes the error. Large initializer data stays in this process (the
/// child sees those initializers without their bytes, which shape inference
/// does not read) and is put back by name. `what` names the work in
/// messages ("libonnx's shape inference").
mlir::LogicalResult runIsolated(::onnx::ModelProto &model,
                                llvm::function_ref<std::string(::onnx::ModelProto &)> work,
                                llvm::StringRef what, mlir::Location loc);

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_ISOLATEDLIBONNX_H
