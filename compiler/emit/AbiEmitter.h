//===- AbiEmitter.h - the model ABI's symbols in LLVM IR --------*- C++ -*-===//
//
// Wraps the lowered model function (one bare pointer per input, then per
// output) in the entry points of runtime/include/smelt/model_abi.h and adds
// the signature as constant data:
//   P_run(inputs..., outputs...) -> i32     typed entry
//   P_entry(const smelt_call *) -> i32      generic entry
//   P_info                                  smelt_model_info
// Only these three symbols are exported; the model function becomes internal.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_ABIEMITTER_H
#define SMELT_COMPILER_EMIT_ABIEMITTER_H

#include "compiler/emit/Signature.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

namespace smelt {

/// Adds the ABI symbols with prefix `prefix` around function `modelFn`.
llvm::Error emitModelAbi(llvm::Module &module, llvm::StringRef modelFn,
                         const ModelSignature &signature, llvm::StringRef prefix);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_ABIEMITTER_H
