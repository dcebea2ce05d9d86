//===- AbiEmitter.cpp - the model ABI's symbols in LLVM IR ----------------===//
//
// The struct layouts here mirror model_abi.h field by field; every end-to-end
// test goes through them via the runtime, which reads the header's layout.
//
//===----------------------------------------------------------------------===//
#include "compiler/emit/AbiEmitter.h"

#include "compiler/emit/AbiTypes.h"
#include "compiler/emit/CheckRecord.h"
#include "compiler/emit/DescriptorEntry.h"
#include "compiler/emit/DeviceCode.h"
#include "compiler/emit/MetadataEmitter.h"
#include "compiler/emit/OutOfMemory.h"
#include "compiler/emit/ParallelFor.h"

#include "runtime/include/smelt/model_abi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/IRBuilder.h"

namespace smelt {

namespace {

llvm::Constant *tensorInfos(llvm::Module &m, const AbiTypes &t,
                            const std::vector<TensorSignature> &tensors, llvm::StringRef kind) {
  std::vector<llvm::Constant *> entries;
  for (const TensorSignature &sig : tensors) {
    llvm::Constant *dims = llvm::ConstantPointerNull::get(t.ptr);
    if (!sig.dims.empty()) {
      auto *data = llvm::ConstantDataArray::get(m.getContext(), llvm::ArrayRef<int64_t>(sig.dims));
      dims = new llvm::GlobalVariable(m, data->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                      data, "smelt." + kind + ".dims");
    }
    std::vector<llvm::Constant *> names;
    for (const std::string &name : sig.dimNames)
      names.push_back(privateString(m, name, "smelt." + kind + ".dim_name"));
    entries.push_back(llvm::ConstantStruct::get(
        t.tensorInfo,
        {privateString(m, sig.name, "smelt." + kind + ".name"),
         llvm::ConstantInt::get(t.i32, sig.dtype), llvm::ConstantInt::get(t.i32, sig.dims.size()),
         dims, llvm::ConstantInt::get(t.i32, sig.role), llvm::ConstantInt::get(t.i32, 0),
         privateArray(m, t.ptr, names, "smelt." + kind + ".dim_names"),
         privateString(m, sig.docString, "smelt." + kind + ".doc_string")}));
  }
  return privateArray(m, t.tensorInfo, entries, "smelt." + kind);
}

/// P_run(in..., out..., workspace): calls the model, returns SMELT_ENTRY_OK,
/// or SMELT_ENTRY_CHECK_FAILED when a run-time check failed. The model
/// function takes the workspace only when it has planned buffers.
llvm::Function *emitTypedEntry(llvm::Module &m, const AbiTypes &t, llvm::Function *model,
                               bool modelTakesWorkspace, const std::string &name) {
  std::vector<llvm::Type *> params(model->getFunctionType()->param_begin(),
                                   model->getFunctionType()->param_end());
  if (!modelTakesWorkspace)
    params.push_back(t.ptr);
  auto *type = llvm::FunctionType::get(t.i32, params, false);
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(m.getContext(), "entry", fn));
  std::vector<llvm::Value *> args;
  for (llvm::Argument &a : fn->args())
    args.push_back(&a);
  if (!modelTakesWorkspace)
    args.pop_back();
  emitClearCheckRecord(b, m, t);
  b.CreateCall(model, args);
  b.CreateRet(b.CreateSelect(b.CreateIsNotNull(emitLoadCheckRecord(b, m, t)),
                             llvm::ConstantInt::get(t.i32, SMELT_ENTRY_CHECK_FAILED),
                             llvm::ConstantInt::get(t.i32, SMELT_ENTRY_OK)));
  return fn;
}

/// The call's workspace when it is at least `plan.size` bytes at the plan's
/// alignment; otherwise returns SMELT_ENTRY_SMALL_WORKSPACE from `fn`.
llvm::Value *emitWorkspaceCheck(llvm::IRBuilder<> &b, const AbiTypes &t, llvm::Function *fn,
                                llvm::Value *call, const WorkspacePlan &plan) {
  if (plan.size == 0)
    return llvm::ConstantPointerNull::get(t.ptr);
  llvm::LLVMContext &ctx = fn->getContext();
  llvm::Value *workspace = loadCallField(b, t, call, kWorkspace);
  llvm::Value *bad = b.CreateNot(workspaceFits(b, t, call, workspace, plan.size, plan.align));
  auto *small = llvm::BasicBlock::Create(ctx, "small_workspace", fn);
  auto *ok = llvm::BasicBlock::Create(ctx, "workspace_ok", fn);
  b.CreateCondBr(bad, small, ok);
  b.SetInsertPoint(small);
  b.CreateRet(llvm::ConstantInt::get(t.i32, SMELT_ENTRY_SMALL_WORKSPACE));
  b.SetInsertPoint(ok);
  return workspace;
}

/// P_entry(call): checks the ABI version and the workspace, reports output
/// dims, unpacks the pointer arrays and calls P_run.
llvm::Function *emitGenericEntry(llvm::Module &m, const AbiTypes &t, llvm::Function *typed,
                                 const ModelSignature &sig, const WorkspacePlan &plan,
                                 bool device, const std::string &name) {
  auto *type = llvm::FunctionType::get(t.i32, {t.ptr}, false);
  auto *fn = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, name, m);
  llvm::LLVMContext &ctx = m.getContext();
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *bad = llvm::BasicBlock::Create(ctx, "bad_abi", fn);
  auto *good = llvm::BasicBlock::Create(ctx, "run", fn);
  llvm::IRBuilder<> b(entry);
  llvm::Value *call = fn->getArg(0);
  auto field = [&](CallField f) {
    return b.CreateLoad(f == kAbi ? t.i32 : t.ptr, b.CreateStructGEP(t.call, call, f));
  };
  b.CreateCondBr(b.CreateICmpEQ(field(kAbi), llvm::ConstantInt::get(t.i32, SMELT_ABI_VERSION)),
                 good, bad);
  b.SetInsertPoint(bad);
  b.CreateRet(llvm::ConstantInt::get(t.i32, SMELT_ENTRY_BAD_ABI));

  b.SetInsertPoint(good);
  llvm::Value *workspace = emitWorkspaceCheck(b, t, fn, call, plan);
  if (device)
    emitSetDeviceApi(b, m, t, call, bad);
  std::vector<llvm::Value *> args;
  llvm::Value *inputs = field(kInputs);
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    args.push_back(b.CreateLoad(t.ptr, b.CreateConstGEP1_64(t.ptr, inputs, i)));
  llvm::Value *outputs = field(kOutputs);
  llvm::Value *outputDims = field(kOutputDims);
  for (size_t i = 0; i < sig.outputs.size(); ++i) {
    args.push_back(b.CreateLoad(t.ptr, b.CreateConstGEP1_64(t.ptr, outputs, i)));
    llvm::Value *dims = b.CreateLoad(t.ptr, b.CreateConstGEP1_64(t.ptr, outputDims, i));
    for (size_t d = 0; d < sig.outputs[i].dims.size(); ++d)
      b.CreateStore(llvm::ConstantInt::get(t.i64, sig.outputs[i].dims[d]),
                    b.CreateConstGEP1_64(t.i64, dims, d));
  }
  args.push_back(workspace);
  emitSetParallelFor(b, m, t, call);
  llvm::Value *status = b.CreateCall(typed, args);
  emitClearParallelFor(b, m, t);
  if (device)
    emitClearDeviceApi(b, m, t);
  storeWorkspaceNeeded(b, t, call, llvm::ConstantInt::get(t.i64, plan.size));
  // The record is still set on this thread when the check failed.
  emitReportCheckMessage(b, t, call, emitLoadCheckRecord(b, m, t));
  b.CreateRet(status);
  return fn;
}

/// Exported entry points are protected: other objects call them, but calls
/// from inside the model bind to its own definitions, so a same-named
/// function elsewhere in the process (the runtime's, another model's) can
/// never interpose. Data keeps default visibility: executables that read
/// P_info from a shared library get a copy relocation, which protected data
/// forbids, and nothing inside the model refers to it.
void exportSymbol(llvm::GlobalValue &symbol) {
  symbol.setLinkage(llvm::GlobalValue::ExternalLinkage);
  if (llvm::isa<llvm::Function>(symbol)) {
    symbol.setVisibility(llvm::GlobalValue::ProtectedVisibility);
    symbol.setDSOLocal(true);
  }
}

} // namespace

llvm::Error emitModelAbi(llvm::Module &m, llvm::StringRef modelFn, const ModelSignature &sig,
                         llvm::StringRef prefix, bool barePointers, bool sharedLibrary,
                         const WorkspacePlan &workspace, const DeviceImage *device) {
  llvm::Function *model = m.getFunction(modelFn);
  if (!model)
    return llvm::createStringError("lowered module has no function '%s'", modelFn.str().c_str());
  bool takesWorkspace = workspace.size > 0;
  if (barePointers) {
    size_t slots = sig.inputs.size() + sig.outputs.size();
    if (model->arg_size() != slots + takesWorkspace)
      return llvm::createStringError(
          "model function takes %zu pointers, signature has %zu values%s", model->arg_size(),
          slots, takesWorkspace ? " and a workspace" : "");
    for (size_t i = 0; i < model->arg_size(); ++i)
      if (!model->getArg(i)->getType()->isPointerTy())
        return llvm::createStringError("model function argument %zu is not a pointer", i);
  }
  // Everything but the ABI symbols stays inside the object.
  for (llvm::Function &f : m.functions())
    if (!f.isDeclaration())
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
  for (llvm::GlobalVariable &g : m.globals())
    if (!g.isDeclaration())
      g.setLinkage(llvm::GlobalValue::InternalLinkage);

  AbiTypes t(m.getContext());
  if (device && !barePointers)
    return llvm::createStringError("device code needs static shapes (fix dims with --shape)");
  llvm::Constant *deviceCode = llvm::ConstantPointerNull::get(t.ptr);
  if (device) {
    llvm::Expected<llvm::Constant *> code = emitDeviceCode(m, t, *device);
    if (!code)
      return code.takeError();
    deviceCode = *code;
  }
  // Only the descriptor entry (dynamic dims) arms the jump: a static model's
  // buffers are planned, not allocated.
  if (!barePointers)
    routeBufferAllocation(m, t);
  defineParallelFor(m, t);
  llvm::Function *generic;
  if (barePointers) {
    llvm::Function *typed = emitTypedEntry(m, t, model, takesWorkspace, (prefix + "_run").str());
    generic = emitGenericEntry(m, t, typed, sig, workspace, device != nullptr,
                               (prefix + "_entry").str());
  } else {
    llvm::Expected<llvm::Function *> entry =
        emitDescriptorEntry(m, t, model, sig, workspace, (prefix + "_entry").str());
    if (!entry)
      return entry.takeError();
    generic = *entry;
  }

  llvm::Constant *info = llvm::ConstantStruct::get(
      t.modelInfo,
      {llvm::ConstantInt::get(t.i32, SMELT_ABI_VERSION),
       llvm::ConstantInt::get(t.i32, sig.inputs.size()),
       llvm::ConstantInt::get(t.i32, sig.outputs.size()),
       llvm::ConstantInt::get(t.i32, sig.opset), tensorInfos(m, t, sig.inputs, "inputs"),
       tensorInfos(m, t, sig.outputs, "outputs"), llvm::ConstantInt::get(t.i64, workspace.size),
       llvm::ConstantInt::get(t.i64, workspace.align), privateString(m, sig.graphName, "smelt.graph_name"),
       privateString(m, "smelt " SMELT_VERSION_STRING, "smelt.producer"), generic,
       emitModelMetadata(m, t, sig), deviceCode});
  auto *infoVar = new llvm::GlobalVariable(m, t.modelInfo, true,
                                           llvm::GlobalValue::ExternalLinkage, info,
                                           (prefix + "_info").str());
  for (llvm::GlobalValue *symbol : {static_cast<llvm::GlobalValue *>(infoVar),
                                    static_cast<llvm::GlobalValue *>(generic)})
    exportSymbol(*symbol);
  // P_run of a device model stays inside: only P_entry is lent a device.
  if (llvm::Function *typed = m.getFunction((prefix + "_run").str()))
    device ? typed->setLinkage(llvm::GlobalValue::InternalLinkage) : exportSymbol(*typed);
  // smelt_model_open finds any library's info under one well-known name,
  // whatever its prefix. Only in shared libraries: dlsym on the library's own
  // handle finds its own copy, while two object files linked into one program
  // would clash on it.
  if (sharedLibrary)
    exportSymbol(*llvm::GlobalAlias::create(SMELT_MODEL_INFO_SYMBOL, infoVar));
  emitManifest(m, prefix, modelManifest(sig, prefix, workspace, device));
  return llvm::Error::success();
}

void emitRequiredIsa(llvm::Module &m, llvm::StringRef prefix, llvm::StringRef isa,
                     bool sharedLibrary) {
  llvm::Constant *data = llvm::ConstantDataArray::getString(m.getContext(), isa);
  auto *isaVar = new llvm::GlobalVariable(m, data->getType(), true,
                                          llvm::GlobalValue::ExternalLinkage, data,
                                          (prefix + "_isa").str());
  if (sharedLibrary)
    llvm::GlobalAlias::create(SMELT_MODEL_ISA_SYMBOL, isaVar);
}

} // namespace smelt
