//===- AbiTypes.h - LLVM types of the model ABI's structures -----*- C++ -*-===//
//
// The structs of runtime/include/smelt/model_abi.h as LLVM types, field by
// field, for the code that emits entry points and signature data.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_ABITYPES_H
#define SMELT_COMPILER_EMIT_ABITYPES_H

#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/IRBuilder.h"

namespace smelt {

/// The ABI structs (and the integer and pointer types) of one LLVM context.
struct AbiTypes {
  llvm::Type *i32, *i64;
  llvm::PointerType *ptr;
  llvm::StructType *tensorInfo, *modelInfo, *call;

  explicit AbiTypes(llvm::LLVMContext &ctx) {
    i32 = llvm::Type::getInt32Ty(ctx);
    i64 = llvm::Type::getInt64Ty(ctx);
    ptr = llvm::PointerType::get(ctx, 0);
    // smelt_tensor_info { name, dtype, rank, dims, role, reserved }
    tensorInfo =
        llvm::StructType::create(ctx, {ptr, i32, i32, ptr, i32, i32}, "smelt_tensor_info");
    // smelt_model_info { abi, nin, nout, opset, inputs, outputs, ws, align, name, producer, entry }
    modelInfo = llvm::StructType::create(
        ctx, {i32, i32, i32, i32, ptr, ptr, i64, i64, ptr, ptr, ptr}, "smelt_model_info");
    // smelt_call { abi, reserved, inputs, input_dims, outputs, output_dims, ws, ws_size, pf,
    //              pctx, alloc_output, alloc_ctx, check_message }
    call = llvm::StructType::create(
        ctx, {i32, i32, ptr, ptr, ptr, ptr, ptr, i64, ptr, ptr, ptr, ptr, ptr}, "smelt_call");
  }
};

/// Field indices of smelt_call.
enum CallField {
  kAbi = 0,
  kInputs = 2,
  kInputDims = 3,
  kOutputs = 4,
  kOutputDims = 5,
  kWorkspace = 6,
  kWorkspaceSize = 7,
  kParallelFor = 8,
  kParallelCtx = 9,
  kAllocOutput = 10,
  kAllocCtx = 11,
  kCheckMessage = 12
};

/// Loads field `f` of the smelt_call at `call`.
inline llvm::Value *loadCallField(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Value *call,
                                  CallField f) {
  return b.CreateLoad(f == kAbi ? t.i32 : t.ptr, b.CreateStructGEP(t.call, call, f));
}

/// Whether `workspace`, the workspace of the smelt_call at `call`, holds
/// `size` bytes at `align`: not null, big enough (by the call's
/// workspace_size) and aligned.
inline llvm::Value *workspaceFits(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Value *call,
                                  llvm::Value *workspace, uint64_t size, uint64_t align) {
  llvm::Value *given = b.CreateLoad(t.i64, b.CreateStructGEP(t.call, call, kWorkspaceSize));
  llvm::Value *aligned =
      b.CreateICmpEQ(b.CreateAnd(b.CreatePtrToInt(workspace, t.i64),
                                 llvm::ConstantInt::get(t.i64, align - 1)),
                     llvm::ConstantInt::get(t.i64, 0));
  return b.CreateAnd(b.CreateAnd(b.CreateIsNotNull(workspace),
                                 b.CreateICmpUGE(given, llvm::ConstantInt::get(t.i64, size))),
                     aligned);
}

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_ABITYPES_H
