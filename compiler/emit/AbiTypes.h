//===- AbiTypes.h - LLVM types of the model ABI's structures -----*- C++ -*-===//
//
// The structs of runtime/include/smelt/model_abi.h as LLVM types, field by
// field, for the code that emits entry points and signature data.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_ABITYPES_H
#define SMELT_COMPILER_EMIT_ABITYPES_H

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

namespace smelt {

/// The ABI structs (and the integer and pointer types) of one LLVM context.
struct AbiTypes {
  llvm::Type *i32, *i64;
  llvm::PointerType *ptr;
  llvm::StructType *tensorInfo, *modelInfo, *call;
  llvm::StructType *metadataEntry, *opsetImport, *modelMetadata;
  llvm::StructType *deviceCode, *deviceApi;

  explicit AbiTypes(llvm::LLVMContext &ctx) {
    i32 = llvm::Type::getInt32Ty(ctx);
    i64 = llvm::Type::getInt64Ty(ctx);
    ptr = llvm::PointerType::get(ctx, 0);
    // smelt_tensor_info { name, dtype, rank, dims, role, reserved, dim_names, doc_string }
    tensorInfo = llvm::StructType::create(ctx, {ptr, i32, i32, ptr, i32, i32, ptr, ptr},
                                          "smelt_tensor_info");
    // smelt_model_info { abi, nin, nout, opset, inputs, outputs, ws, align, name, producer,
    //                    entry, metadata, device }
    modelInfo = llvm::StructType::create(
        ctx, {i32, i32, i32, i32, ptr, ptr, i64, i64, ptr, ptr, ptr, ptr, ptr},
        "smelt_model_info");
    // smelt_device_code { platform, arch, image, image_size, kernel_names, num_kernels,
    //                     reserved, constants, constants_size, constants_align }
    deviceCode = llvm::StructType::create(ctx, {ptr, ptr, ptr, i64, ptr, i32, i32, ptr, i64, i64},
                                          "smelt_device_code");
    // smelt_device_api { ctx, constants, launch, copy, alloc, release }
    deviceApi = llvm::StructType::create(ctx, {ptr, ptr, ptr, ptr, ptr, ptr}, "smelt_device_api");
    // smelt_metadata_entry { key, value, key_size, value_size }
    metadataEntry = llvm::StructType::create(ctx, {ptr, ptr, i64, i64}, "smelt_metadata_entry");
    // smelt_opset_import { version, domain }
    opsetImport = llvm::StructType::create(ctx, {i64, ptr}, "smelt_opset_import");
    // smelt_model_metadata { model_version, producer_name, producer_version, domain,
    //   doc_string, graph_doc_string, num_entries, num_opsets, entries, opsets, compiler,
    //   target_triple, target_cpu, target_features, compile_options }
    modelMetadata = llvm::StructType::create(
        ctx, {i64, ptr, ptr, ptr, ptr, ptr, i32, i32, ptr, ptr, ptr, ptr, ptr, ptr, ptr},
        "smelt_model_metadata");
    // smelt_call { abi, reserved, inputs, input_dims, outputs, output_dims, ws, ws_size, pf,
    //              pctx, alloc_output, alloc_ctx, check_message, device, workspace_needed }
    call = llvm::StructType::create(
        ctx, {i32, i32, ptr, ptr, ptr, ptr, ptr, i64, ptr, ptr, ptr, ptr, ptr, ptr, ptr},
        "smelt_call");
  }
};

/// A private, unnamed_addr NUL-terminated copy of `s` (which may hold NULs).
inline llvm::Constant *privateString(llvm::Module &m, llvm::StringRef s, const llvm::Twine &name) {
  llvm::Constant *data = llvm::ConstantDataArray::getString(m.getContext(), s);
  auto *gv = new llvm::GlobalVariable(m, data->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                      data, name);
  gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return gv;
}

/// The module's thread-local pointer `name` (internal, initially null),
/// created on first use: where a model keeps per-call state such as the
/// running call's parallel_for or device.
inline llvm::GlobalVariable *threadLocalPointer(llvm::Module &m, const AbiTypes &t,
                                                llvm::StringRef name) {
  if (llvm::GlobalVariable *g = m.getNamedGlobal(name))
    return g;
  auto *g = new llvm::GlobalVariable(m, t.ptr, false, llvm::GlobalValue::InternalLinkage,
                                     llvm::ConstantPointerNull::get(t.ptr), name);
  g->setThreadLocal(true);
  return g;
}

/// A private constant array of `type` holding `entries`, or null when empty.
inline llvm::Constant *privateArray(llvm::Module &m, llvm::Type *type,
                                    llvm::ArrayRef<llvm::Constant *> entries,
                                    const llvm::Twine &name) {
  if (entries.empty())
    return llvm::ConstantPointerNull::get(llvm::PointerType::get(m.getContext(), 0));
  auto *arrayType = llvm::ArrayType::get(type, entries.size());
  return new llvm::GlobalVariable(m, arrayType, true, llvm::GlobalValue::PrivateLinkage,
                                  llvm::ConstantArray::get(arrayType, entries), name);
}

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
  kCheckMessage = 12,
  kDevice = 13,
  kWorkspaceNeeded = 14
};

/// Field indices of smelt_device_api.
enum DeviceApiField {
  kDeviceCtx = 0,
  kDeviceConstants = 1,
  kDeviceLaunch = 2,
  kDeviceCopy = 3,
  kDeviceAlloc = 4,
  kDeviceRelease = 5
};

/// Loads field `f` of the smelt_call at `call`.
inline llvm::Value *loadCallField(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Value *call,
                                  CallField f) {
  llvm::Type *type = f == kAbi ? t.i32 : f == kWorkspaceSize ? t.i64 : t.ptr;
  return b.CreateLoad(type, b.CreateStructGEP(t.call, call, f));
}

/// Whether `workspace`, the workspace of the smelt_call at `call`, holds
/// `size` bytes at `align`: not null, big enough (by the call's
/// workspace_size) and aligned.
inline llvm::Value *workspaceFits(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Value *call,
                                  llvm::Value *workspace, uint64_t size, uint64_t align) {
  llvm::Value *given = loadCallField(b, t, call, kWorkspaceSize);
  llvm::Value *aligned =
      b.CreateICmpEQ(b.CreateAnd(b.CreatePtrToInt(workspace, t.i64),
                                 llvm::ConstantInt::get(t.i64, align - 1)),
                     llvm::ConstantInt::get(t.i64, 0));
  return b.CreateAnd(b.CreateAnd(b.CreateIsNotNull(workspace),
                                 b.CreateICmpUGE(given, llvm::ConstantInt::get(t.i64, size))),
                     aligned);
}

/// Stores `bytes` where the call's workspace_needed points, if it does.
inline void storeWorkspaceNeeded(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Value *call,
                                 llvm::Value *bytes) {
  llvm::Value *target = loadCallField(b, t, call, kWorkspaceNeeded);
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  auto *store = llvm::BasicBlock::Create(fn->getContext(), "report_workspace", fn);
  auto *done = llvm::BasicBlock::Create(fn->getContext(), "workspace_reported", fn);
  b.CreateCondBr(b.CreateIsNull(target), done, store);
  b.SetInsertPoint(store);
  b.CreateStore(bytes, target);
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_ABITYPES_H
