//===- DescriptorEntry.cpp - entry point for models with dynamic shapes ---===//
#include "compiler/emit/DescriptorEntry.h"

#include "compiler/emit/CheckRecord.h"
#include "compiler/emit/OutOfMemory.h"
#include "compiler/emit/ParallelFor.h"
#include "compiler/emit/RunScratch.h"

#include "smelt/runtime.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"

namespace smelt {

namespace {

/// MLIR marks buffers of memref.get_global with this "allocated" pointer.
constexpr uint64_t kGlobalSentinel = 0xdeadbeef;

/// Appends the descriptor of a 1-d memref of `size` elements at `data`:
/// allocated and aligned pointer, offset 0, size, stride 1.
void pushVectorDescriptor(std::vector<llvm::Value *> &args, const AbiTypes &t, llvm::Value *data,
                          llvm::Value *size) {
  args.insert(args.end(), {data, data, llvm::ConstantInt::get(t.i64, 0), size,
                           llvm::ConstantInt::get(t.i64, 1)});
}

} // namespace

llvm::Expected<llvm::Function *> emitDescriptorEntry(llvm::Module &m, const AbiTypes &t,
                                                     llvm::Function *model,
                                                     const ModelSignature &sig,
                                                     const WorkspacePlan &plan,
                                                     const std::string &name) {
  size_t expectedArgs = 0;
  for (const TensorSignature &in : sig.inputs)
    expectedArgs += 3 + 2 * in.dims.size();
  // The arena, a 1-d memref: allocated, aligned, offset, size, stride; with
  // a run-time block also the memref<1xi64> that receives the bytes needed.
  bool runTimeBlock = plan.runTimeBuffers > 0;
  bool takesWorkspace = plan.size || runTimeBlock;
  expectedArgs += (takesWorkspace ? 5 : 0) + (runTimeBlock ? 5 : 0);
  if (model->arg_size() != expectedArgs)
    return llvm::createStringError("model function takes %zu values, expected %zu descriptor "
                                   "fields for %zu inputs%s",
                                   model->arg_size(), expectedArgs, sig.inputs.size(),
                                   takesWorkspace ? " and the workspace" : "");
  llvm::Type *returnType = model->getReturnType();
  bool singleResult = sig.outputs.size() == 1;
  if (sig.outputs.empty() ? !returnType->isVoidTy() : !returnType->isStructTy())
    return llvm::createStringError("model function does not return its outputs' descriptors");

  llvm::LLVMContext &ctx = m.getContext();
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(t.i32, {t.ptr}, false),
                                    llvm::GlobalValue::ExternalLinkage, name, m);
  llvm::Value *call = fn->getArg(0);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *badAbi = llvm::BasicBlock::Create(ctx, "bad_abi", fn);
  auto *badShape = llvm::BasicBlock::Create(ctx, "bad_shape", fn);
  auto *checkShapes = llvm::BasicBlock::Create(ctx, "check_shapes", fn);
  auto *run = llvm::BasicBlock::Create(ctx, "run", fn);
  auto *cleanup = llvm::BasicBlock::Create(ctx, "cleanup", fn);
  llvm::IRBuilder<> b(entry);
  llvm::Value *status = b.CreateAlloca(t.i32);
  llvm::Value *needed = b.CreateAlloca(t.i64);
  b.CreateStore(llvm::ConstantInt::get(t.i64, plan.size), needed);
  b.CreateStore(llvm::ConstantInt::get(t.i32, SMELT_ENTRY_OK), status);
  b.CreateCondBr(b.CreateICmpEQ(loadCallField(b, t, call, kAbi),
                                llvm::ConstantInt::get(t.i32, SMELT_ABI_VERSION)),
                 checkShapes, badAbi);
  b.SetInsertPoint(badAbi);
  b.CreateRet(llvm::ConstantInt::get(t.i32, SMELT_ENTRY_BAD_ABI));
  b.SetInsertPoint(badShape);
  b.CreateRet(llvm::ConstantInt::get(t.i32, SMELT_ENTRY_BAD_SHAPE));

  // Input descriptors: data pointer twice, offset 0, dims, row-major strides.
  b.SetInsertPoint(checkShapes);
  llvm::Value *inputs = loadCallField(b, t, call, kInputs);
  llvm::Value *inputDims = loadCallField(b, t, call, kInputDims);
  llvm::Value *shapeOk = b.getTrue();
  std::vector<llvm::Value *> args, inputPointers;
  for (size_t i = 0; i < sig.inputs.size(); ++i) {
    const TensorSignature &in = sig.inputs[i];
    llvm::Value *data = b.CreateLoad(t.ptr, b.CreateConstGEP1_64(t.ptr, inputs, i));
    llvm::Value *dims = b.CreateLoad(t.ptr, b.CreateConstGEP1_64(t.ptr, inputDims, i));
    inputPointers.push_back(data);
    std::vector<llvm::Value *> sizes;
    for (size_t d = 0; d < in.dims.size(); ++d) {
      llvm::Value *size = b.CreateLoad(t.i64, b.CreateConstGEP1_64(t.i64, dims, d));
      llvm::Value *ok = in.dims[d] < 0
                            ? b.CreateICmpSGE(size, llvm::ConstantInt::get(t.i64, 0))
                            : b.CreateICmpEQ(size, llvm::ConstantInt::get(t.i64, in.dims[d]));
      shapeOk = b.CreateAnd(shapeOk, ok);
      sizes.push_back(size);
    }
    std::vector<llvm::Value *> strides(sizes.size());
    llvm::Value *stride = llvm::ConstantInt::get(t.i64, 1);
    for (size_t d = sizes.size(); d-- > 0;) {
      strides[d] = stride;
      stride = b.CreateMul(stride, sizes[d]);
    }
    args.push_back(data);
    args.push_back(data);
    args.push_back(llvm::ConstantInt::get(t.i64, 0));
    args.insert(args.end(), sizes.begin(), sizes.end());
    args.insert(args.end(), strides.begin(), strides.end());
  }
  b.CreateCondBr(shapeOk, run, badShape);

  b.SetInsertPoint(run);
  llvm::FunctionCallee freeFn = m.getOrInsertFunction("free", llvm::Type::getVoidTy(ctx), t.ptr);
  llvm::Value *ownedArena = llvm::ConstantPointerNull::get(t.ptr);
  // The workspace the run's buffers go in (RunScratch.h: past the planned
  // bytes and the run-time block), and its bytes.
  llvm::Value *scratchArena, *scratchBytes;
  if (!plan.size) {
    // The caller's workspace, when aligned, holds only the block and buffers.
    llvm::Value *workspace = loadCallField(b, t, call, kWorkspace);
    llvm::Value *usable = workspaceFits(b, t, call, workspace, 0, plan.align);
    llvm::Value *given = loadCallField(b, t, call, kWorkspaceSize);
    scratchArena = b.CreateSelect(usable, workspace, llvm::ConstantPointerNull::get(t.ptr));
    scratchBytes = b.CreateSelect(usable, given, llvm::ConstantInt::get(t.i64, 0));
    if (runTimeBlock)
      pushVectorDescriptor(args, t, scratchArena, scratchBytes);
  } else {
    // The caller's workspace where it fits (the runtime keeps one per
    // model); else an arena of the run's own, which a caller that passes
    // no workspace expects.
    llvm::Value *workspace = loadCallField(b, t, call, kWorkspace);
    llvm::Value *fits = workspaceFits(b, t, call, workspace, plan.size, plan.align);
    llvm::Value *given = loadCallField(b, t, call, kWorkspaceSize);
    auto *allocate = llvm::BasicBlock::Create(ctx, "allocate_arena", fn);
    auto *noMemory = llvm::BasicBlock::Create(ctx, "no_arena", fn);
    auto *callModel = llvm::BasicBlock::Create(ctx, "call_model", fn);
    llvm::BasicBlock *checked = b.GetInsertBlock();
    b.CreateCondBr(fits, callModel, allocate);
    b.SetInsertPoint(allocate);
    llvm::FunctionCallee alignedAlloc =
        m.getOrInsertFunction("aligned_alloc", t.ptr, t.i64, t.i64);
    // plan.size is a multiple of plan.align, as aligned_alloc requires.
    llvm::Value *fresh = b.CreateCall(alignedAlloc, {llvm::ConstantInt::get(t.i64, plan.align),
                                                     llvm::ConstantInt::get(t.i64, plan.size)});
    b.CreateCondBr(b.CreateIsNull(fresh), noMemory, callModel);
    b.SetInsertPoint(noMemory);
    b.CreateRet(llvm::ConstantInt::get(t.i32, SMELT_ENTRY_OUT_OF_MEMORY));
    b.SetInsertPoint(callModel);
    llvm::PHINode *arena = b.CreatePHI(t.ptr, 2);
    arena->addIncoming(workspace, checked);
    arena->addIncoming(fresh, allocate);
    llvm::PHINode *owned = b.CreatePHI(t.ptr, 2);
    owned->addIncoming(llvm::ConstantPointerNull::get(t.ptr), checked);
    owned->addIncoming(fresh, allocate);
    ownedArena = owned;
    // The caller's size, which a run-time block may use past plan.size.
    llvm::Value *planned = llvm::ConstantInt::get(t.i64, plan.size);
    llvm::PHINode *size = b.CreatePHI(t.i64, 2);
    size->addIncoming(given, checked);
    size->addIncoming(planned, allocate);
    pushVectorDescriptor(args, t, arena, runTimeBlock ? size : planned);
    scratchArena = arena;
    scratchBytes = size;
  }
  if (runTimeBlock)
    pushVectorDescriptor(args, t, needed, llvm::ConstantInt::get(t.i64, 1));
  llvm::Value *scratch = emitBeginRunScratch(b, m, t, scratchArena, scratchBytes, needed);
  if (hasOutOfMemoryJump(m)) {
    // A buffer of the model's that malloc could not give (OutOfMemory.h).
    auto *outOfMemory = llvm::BasicBlock::Create(ctx, "model_out_of_memory", fn);
    emitArmOutOfMemoryJump(b, m, t, outOfMemory);
    llvm::BasicBlock *armed = b.GetInsertBlock();
    b.SetInsertPoint(outOfMemory);
    emitClearParallelFor(b, m, t);
    emitEndRunScratch(b, m, t, scratch);
    b.CreateCall(freeFn, {ownedArena});
    // A check that failed first explains the size that could not be had.
    llvm::Value *message = emitLoadCheckRecord(b, m, t);
    llvm::Value *code = b.CreateSelect(b.CreateIsNotNull(message),
                                       llvm::ConstantInt::get(t.i32, SMELT_ENTRY_CHECK_FAILED),
                                       llvm::ConstantInt::get(t.i32, SMELT_ENTRY_OUT_OF_MEMORY));
    emitReportCheckMessage(b, t, call, message);
    b.CreateRet(code);
    b.SetInsertPoint(armed);
  }
  emitClearCheckRecord(b, m, t);
  emitSetParallelFor(b, m, t, call);
  llvm::Value *results = b.CreateCall(model, args);
  emitClearParallelFor(b, m, t);
  emitDisarmOutOfMemoryJump(b, m, t);
  llvm::Value *outputs = loadCallField(b, t, call, kOutputs);
  llvm::Value *outputDims = loadCallField(b, t, call, kOutputDims);
  llvm::FunctionCallee memcpyFn = m.getOrInsertFunction("memcpy", t.ptr, t.ptr, t.ptr, t.i64);
  std::vector<llvm::Value *> allocated;
  for (size_t j = 0; j < sig.outputs.size(); ++j)
    allocated.push_back(singleResult ? b.CreateExtractValue(results, {0})
                                     : b.CreateExtractValue(results, {unsigned(j), 0u}));

  for (size_t j = 0; j < sig.outputs.size(); ++j) {
    const TensorSignature &out = sig.outputs[j];
    auto field = [&](std::vector<unsigned> path) {
      if (!singleResult)
        path.insert(path.begin(), unsigned(j));
      return b.CreateExtractValue(results, path);
    };
    llvm::Value *aligned = field({1});
    llvm::Value *offset = field({2});
    uint64_t elemBytes = smelt_dtype_size(out.dtype);
    llvm::Value *count = llvm::ConstantInt::get(t.i64, 1);
    std::vector<llvm::Value *> sizes;
    for (unsigned d = 0; d < out.dims.size(); ++d) {
      sizes.push_back(field({3, d}));
      count = b.CreateMul(count, sizes.back());
    }
    llvm::Value *bytes = b.CreateMul(count, llvm::ConstantInt::get(t.i64, elemBytes));
    llvm::Value *slot = b.CreateConstGEP1_64(t.ptr, outputs, j);
    llvm::Value *dst;
    bool dynamic = llvm::any_of(out.dims, [](int64_t d) { return d < 0; });
    if (!dynamic) {
      dst = b.CreateLoad(t.ptr, slot);
    } else {
      // Ask the caller for the buffer; no allocator or no memory: give up cleanly.
      llvm::Value *allocFn = loadCallField(b, t, call, kAllocOutput);
      auto *haveAlloc = llvm::BasicBlock::Create(ctx, "alloc", fn);
      auto *oom = llvm::BasicBlock::Create(ctx, "out_of_memory", fn);
      auto *copy = llvm::BasicBlock::Create(ctx, "copy", fn);
      b.CreateCondBr(b.CreateIsNull(allocFn), oom, haveAlloc);
      b.SetInsertPoint(oom);
      b.CreateStore(llvm::ConstantInt::get(t.i32, SMELT_ENTRY_OUT_OF_MEMORY), status);
      b.CreateBr(cleanup);
      b.SetInsertPoint(haveAlloc);
      auto *allocType = llvm::FunctionType::get(t.ptr, {t.ptr, t.i32, t.i64}, false);
      dst = b.CreateCall(allocType, allocFn,
                         {loadCallField(b, t, call, kAllocCtx),
                          llvm::ConstantInt::get(t.i32, j), bytes});
      b.CreateCondBr(b.CreateIsNull(dst), oom, copy);
      b.SetInsertPoint(copy);
      b.CreateStore(dst, slot);
    }
    llvm::Value *src = b.CreateGEP(b.getInt8Ty(), aligned,
                                   b.CreateMul(offset, llvm::ConstantInt::get(t.i64, elemBytes)));
    b.CreateCall(memcpyFn, {dst, src, bytes});
    llvm::Value *dims = b.CreateLoad(t.ptr, b.CreateConstGEP1_64(t.ptr, outputDims, j));
    for (size_t d = 0; d < sizes.size(); ++d)
      b.CreateStore(sizes[d], b.CreateConstGEP1_64(t.i64, dims, d));
  }
  b.CreateBr(cleanup);

  // Free each result buffer once; never an input or a constant's storage.
  b.SetInsertPoint(cleanup);
  llvm::FunctionCallee freeResult = scratchFreeFunction(m, t);
  llvm::Value *sentinel = b.CreateIntToPtr(llvm::ConstantInt::get(t.i64, kGlobalSentinel), t.ptr);
  for (size_t j = 0; j < allocated.size(); ++j) {
    llvm::Value *owned = b.CreateICmpNE(allocated[j], sentinel);
    for (size_t k = 0; k < j; ++k)
      owned = b.CreateAnd(owned, b.CreateICmpNE(allocated[j], allocated[k]));
    for (llvm::Value *input : inputPointers)
      owned = b.CreateAnd(owned, b.CreateICmpNE(allocated[j], input));
    b.CreateCall(freeResult,
                 {b.CreateSelect(owned, allocated[j], llvm::ConstantPointerNull::get(t.ptr))});
  }
  b.CreateCall(freeFn, {ownedArena});
  // The buffers' bytes count only where the workspace held the rest: a
  // run whose block did not fit reports that first.
  llvm::Value *scratchPeak = emitEndRunScratch(b, m, t, scratch);
  llvm::Value *used = b.CreateLoad(t.i64, needed);
  llvm::Value *withBuffers = b.CreateAdd(used, scratchPeak);
  storeWorkspaceNeeded(
      b, t, call, b.CreateSelect(b.CreateICmpUGT(used, scratchBytes), used, withBuffers));
  // A failed run-time check makes the outputs meaningless: report it.
  llvm::Value *message = emitLoadCheckRecord(b, m, t);
  llvm::Value *code = b.CreateLoad(t.i32, status);
  code = b.CreateSelect(b.CreateIsNotNull(message),
                        llvm::ConstantInt::get(t.i32, SMELT_ENTRY_CHECK_FAILED), code);
  emitReportCheckMessage(b, t, call, message);
  b.CreateRet(code);
  return fn;
}

} // namespace smelt
