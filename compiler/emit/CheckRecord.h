//===- CheckRecord.h - entry points and failed run-time checks --*- C++ -*-===//
//
// smelt-cpu-lower-checks makes the model record the message of the first
// run-time check that fails in a thread-local global. The entry points clear
// that record before calling the model and turn a set record into
// SMELT_ENTRY_CHECK_FAILED plus the message. Models without checks have no
// record, and these helpers emit nothing for them.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_CHECKRECORD_H
#define SMELT_COMPILER_EMIT_CHECKRECORD_H

#include "compiler/emit/AbiTypes.h"

#include "llvm/IR/Module.h"

namespace smelt {

/// Clears the record (before the model runs).
void emitClearCheckRecord(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t);

/// The recorded message: null when no check failed or the model has none.
llvm::Value *emitLoadCheckRecord(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t);

/// When `message` is not null, stores it through the call's check_message
/// pointer (if the caller gave one). Leaves `b` in a block that continues.
void emitReportCheckMessage(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Value *call,
                            llvm::Value *message);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_CHECKRECORD_H
