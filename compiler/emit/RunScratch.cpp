//===- RunScratch.cpp - a run's own buffers in its workspace's spare bytes ===//
#include "compiler/emit/RunScratch.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"

namespace smelt {

namespace {

/// This thread's running call's stack state, or null (no call, a pool thread).
constexpr llvm::StringLiteral kStateGlobal = "__smelt_scratch";
constexpr llvm::StringLiteral kMallocFn = "__smelt_scratch_malloc";
constexpr llvm::StringLiteral kAlignedAllocFn = "__smelt_scratch_aligned_alloc";
constexpr llvm::StringLiteral kFreeFn = "__smelt_scratch_free";
constexpr llvm::StringLiteral kPushFn = "__smelt_scratch_push";
constexpr llvm::StringLiteral kPopFn = "__smelt_scratch_pop";

/// Bytes of a block's header, just below its payload: the payload of the
/// block below (stack blocks) or the allocation's start (heap blocks), then
/// the block's start with bit 0 set once freed (stack) or its bytes (heap).
constexpr uint64_t kHeaderBytes = 16;
/// Least payload alignment: MLIR's buffers ask at most this much.
constexpr uint64_t kPayloadAlign = 64;
/// A larger request fails: no workspace is that large, and the rounding
/// below cannot wrap.
constexpr uint64_t kLargestRequest = uint64_t(1) << 48;

/// Fields of the state: the workspace's first and past-the-end addresses,
/// the pointer to its bytes in use before the stack, the stack's base (set
/// when the first block is placed) and top (0 before), the topmost block's
/// payload (0: none), the heap blocks' live bytes, the most bytes the
/// stack and the live heap blocks took at once, and the thread's state
/// before the call (a call made from the caller's alloc_output nests).
enum StateField { kBegin, kEnd, kUsed, kBase, kTop, kLast, kLive, kPeak, kOuter };

llvm::StructType *stateType(llvm::LLVMContext &ctx, const AbiTypes &t) {
  if (auto *type = llvm::StructType::getTypeByName(ctx, "smelt_scratch"))
    return type;
  return llvm::StructType::create(
      ctx, {t.i64, t.i64, t.ptr, t.i64, t.i64, t.i64, t.i64, t.i64, t.ptr}, "smelt_scratch");
}

/// IR for one scratch function: loads and stores of the state's fields
/// and of header words, as integers.
struct ScratchCode {
  llvm::IRBuilder<> &b;
  const AbiTypes &t;
  llvm::StructType *type;
  llvm::Value *state;

  llvm::Value *field(StateField f) { return b.CreateStructGEP(type, state, f); }
  llvm::Value *load(StateField f) {
    return b.CreateLoad(f == kUsed || f == kOuter ? t.ptr : t.i64, field(f));
  }
  void store(StateField f, llvm::Value *v) { b.CreateStore(v, field(f)); }
  llvm::Value *constant(uint64_t v) { return llvm::ConstantInt::get(t.i64, v); }
  /// The header word `word` (0 or 1) of the block whose payload is at `payload`.
  llvm::Value *headerWord(llvm::Value *payload, unsigned word) {
    return b.CreateIntToPtr(b.CreateSub(payload, constant(kHeaderBytes - 8 * word)), t.ptr);
  }
  llvm::Value *alignUp(llvm::Value *v, llvm::Value *align) {
    llvm::Value *mask = b.CreateSub(align, constant(1));
    return b.CreateAnd(b.CreateAdd(v, mask), b.CreateNot(mask));
  }
  void raisePeak(llvm::Value *stackTop) {
    llvm::Value *taken = b.CreateAdd(b.CreateSub(stackTop, load(kBase)), load(kLive));
    llvm::Value *peak = load(kPeak);
    store(kPeak, b.CreateSelect(b.CreateICmpUGT(taken, peak), taken, peak));
  }
};

llvm::Function *internalFunction(llvm::Module &m, llvm::StringRef name, llvm::Type *result,
                                 llvm::ArrayRef<llvm::Type *> params) {
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(result, params, false),
                                    llvm::GlobalValue::InternalLinkage, name, m);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  return fn;
}

/// ptr push(state, i64 align, i64 size): a block of `size` bytes at
/// `align` (a power of two) on the stack, or from aligned_alloc; null when
/// there is no memory.
void definePush(llvm::Module &m, const AbiTypes &t, llvm::Function *fn) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *place = llvm::BasicBlock::Create(ctx, "place_base", fn);
  auto *placed = llvm::BasicBlock::Create(ctx, "placed", fn);
  auto *onStack = llvm::BasicBlock::Create(ctx, "on_stack", fn);
  auto *onHeap = llvm::BasicBlock::Create(ctx, "on_heap", fn);
  auto *fromHeap = llvm::BasicBlock::Create(ctx, "from_heap", fn);
  auto *none = llvm::BasicBlock::Create(ctx, "none", fn);
  llvm::IRBuilder<> b(entry);
  ScratchCode c{b, t, stateType(ctx, t), fn->getArg(0)};
  llvm::Value *requested = fn->getArg(1), *size = fn->getArg(2);
  llvm::Value *align = b.CreateSelect(b.CreateICmpUGT(requested, c.constant(kPayloadAlign)),
                                      requested, c.constant(kPayloadAlign));
  llvm::Value *tooLarge = b.CreateOr(b.CreateICmpUGT(size, c.constant(kLargestRequest)),
                                     b.CreateICmpUGT(align, c.constant(kLargestRequest)));
  llvm::Value *top = c.load(kTop);
  b.CreateCondBr(tooLarge, none, place);
  // The base is placed with the first block: by then the model has placed
  // its run-time block and counted it in *used.
  b.SetInsertPoint(place);
  auto *first = llvm::BasicBlock::Create(ctx, "first_block", fn);
  b.CreateCondBr(b.CreateICmpEQ(top, c.constant(0)), first, placed);
  b.SetInsertPoint(first);
  llvm::Value *used = b.CreateLoad(t.i64, c.load(kUsed));
  llvm::Value *base = c.alignUp(b.CreateAdd(c.load(kBegin), used), c.constant(kPayloadAlign));
  c.store(kBase, base);
  c.store(kTop, base);
  b.CreateBr(placed);
  b.SetInsertPoint(placed);
  llvm::PHINode *stackTop = b.CreatePHI(t.i64, 2);
  stackTop->addIncoming(top, place);
  stackTop->addIncoming(base, first);
  llvm::Value *bytes = c.alignUp(size, c.constant(kPayloadAlign));
  llvm::Value *payload = c.alignUp(b.CreateAdd(stackTop, c.constant(kHeaderBytes)), align);
  llvm::Value *newTop = b.CreateAdd(payload, bytes);
  b.CreateCondBr(b.CreateICmpULE(newTop, c.load(kEnd)), onStack, onHeap);

  b.SetInsertPoint(onStack);
  b.CreateStore(c.load(kLast), c.headerWord(payload, 0));
  b.CreateStore(stackTop, c.headerWord(payload, 1));
  c.store(kLast, payload);
  c.store(kTop, newTop);
  c.raisePeak(newTop);
  b.CreateRet(b.CreateIntToPtr(payload, t.ptr));

  // The header goes in the alignment's bytes before the payload; the
  // block counts what it would have taken on the stack at most.
  b.SetInsertPoint(onHeap);
  llvm::Value *heapBytes = c.alignUp(b.CreateAdd(align, bytes), align);
  llvm::FunctionCallee alignedAlloc = m.getOrInsertFunction("aligned_alloc", t.ptr, t.i64, t.i64);
  llvm::Value *start = b.CreateCall(alignedAlloc, {align, heapBytes});
  b.CreateCondBr(b.CreateIsNull(start), none, fromHeap);
  b.SetInsertPoint(fromHeap);
  llvm::Value *heapPayload = b.CreateAdd(b.CreatePtrToInt(start, t.i64), align);
  b.CreateStore(start, c.headerWord(heapPayload, 0));
  b.CreateStore(heapBytes, c.headerWord(heapPayload, 1));
  c.store(kLive, b.CreateAdd(c.load(kLive), heapBytes));
  c.raisePeak(stackTop);
  b.CreateRet(b.CreateIntToPtr(heapPayload, t.ptr));

  b.SetInsertPoint(none);
  b.CreateRet(llvm::ConstantPointerNull::get(t.ptr));
}

/// void pop(state, ptr p): frees a block push gave.
void definePop(llvm::Module &m, const AbiTypes &t, llvm::Function *fn) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *checkRange = llvm::BasicBlock::Create(ctx, "check_range", fn);
  auto *onStack = llvm::BasicBlock::Create(ctx, "on_stack", fn);
  auto *popLoop = llvm::BasicBlock::Create(ctx, "pop_freed", fn);
  auto *popOne = llvm::BasicBlock::Create(ctx, "pop_one", fn);
  auto *onHeap = llvm::BasicBlock::Create(ctx, "on_heap", fn);
  auto *done = llvm::BasicBlock::Create(ctx, "done", fn);
  llvm::IRBuilder<> b(entry);
  ScratchCode c{b, t, stateType(ctx, t), fn->getArg(0)};
  llvm::Value *payload = b.CreatePtrToInt(fn->getArg(1), t.i64);
  b.CreateCondBr(b.CreateICmpEQ(payload, c.constant(0)), done, checkRange);
  // A stack block lies between the base and the workspace's end, which an
  // empty one on top may reach; a heap block's payload is past its own
  // start. None does before the base is placed (top 0).
  b.SetInsertPoint(checkRange);
  llvm::Value *placed = b.CreateICmpNE(c.load(kTop), c.constant(0));
  llvm::Value *inside = b.CreateAnd(b.CreateICmpUGE(payload, c.load(kBase)),
                                    b.CreateICmpULE(payload, c.load(kEnd)));
  b.CreateCondBr(b.CreateAnd(placed, inside), onStack, onHeap);

  b.SetInsertPoint(onStack);
  llvm::Value *startWord = c.headerWord(payload, 1);
  b.CreateStore(b.CreateOr(b.CreateLoad(t.i64, startWord), c.constant(1)), startWord);
  b.CreateBr(popLoop);
  // Freed blocks on top go; the first live one stops the stack shrinking.
  b.SetInsertPoint(popLoop);
  llvm::Value *last = c.load(kLast);
  auto *examine = llvm::BasicBlock::Create(ctx, "examine", fn);
  b.CreateCondBr(b.CreateICmpEQ(last, c.constant(0)), done, examine);
  b.SetInsertPoint(examine);
  llvm::Value *word = b.CreateLoad(t.i64, c.headerWord(last, 1));
  b.CreateCondBr(b.CreateICmpEQ(b.CreateAnd(word, c.constant(1)), c.constant(0)), done, popOne);
  b.SetInsertPoint(popOne);
  c.store(kTop, b.CreateAnd(word, c.constant(~uint64_t(1))));
  c.store(kLast, b.CreateLoad(t.i64, c.headerWord(last, 0)));
  b.CreateBr(popLoop);

  b.SetInsertPoint(onHeap);
  llvm::Value *start = b.CreateLoad(t.ptr, c.headerWord(payload, 0));
  llvm::Value *bytes = b.CreateLoad(t.i64, c.headerWord(payload, 1));
  c.store(kLive, b.CreateSub(c.load(kLive), bytes));
  llvm::FunctionCallee free = m.getOrInsertFunction("free", b.getVoidTy(), t.ptr);
  b.CreateCall(free, {start});
  b.CreateBr(done);

  b.SetInsertPoint(done);
  b.CreateRetVoid();
}

/// A function of `params` that calls push or pop with this thread's state
/// where a call runs on it, else `plain` (malloc, aligned_alloc, free).
/// `scratchArgs` are the scratch call's arguments after the state.
void defineDispatch(llvm::Module &m, const AbiTypes &t, llvm::Function *fn,
                    llvm::Function *scratch, llvm::FunctionCallee plain,
                    llvm::ArrayRef<llvm::Value *> scratchArgs) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto *withState = llvm::BasicBlock::Create(ctx, "scratch", fn);
  auto *withoutState = llvm::BasicBlock::Create(ctx, "plain", fn);
  llvm::IRBuilder<> b(entry);
  llvm::Value *state = b.CreateLoad(t.ptr, threadLocalPointer(m, t, kStateGlobal));
  b.CreateCondBr(b.CreateIsNull(state), withoutState, withState);
  auto finish = [&](llvm::Value *result) {
    fn->getReturnType()->isVoidTy() ? b.CreateRetVoid() : b.CreateRet(result);
  };
  b.SetInsertPoint(withState);
  llvm::SmallVector<llvm::Value *> args{state};
  args.append(scratchArgs.begin(), scratchArgs.end());
  finish(b.CreateCall(scratch, args));
  b.SetInsertPoint(withoutState);
  llvm::SmallVector<llvm::Value *> plainArgs;
  for (llvm::Argument &arg : fn->args())
    plainArgs.push_back(&arg);
  finish(b.CreateCall(plain, plainArgs));
}

} // namespace

ScratchAllocators defineRunScratch(llvm::Module &m, const AbiTypes &t) {
  if (hasRunScratch(m))
    return {m.getFunction(kMallocFn), m.getFunction(kAlignedAllocFn)};
  llvm::Type *voidType = llvm::Type::getVoidTy(m.getContext());
  llvm::Function *push = internalFunction(m, kPushFn, t.ptr, {t.ptr, t.i64, t.i64});
  definePush(m, t, push);
  llvm::Function *pop = internalFunction(m, kPopFn, voidType, {t.ptr, t.ptr});
  definePop(m, t, pop);

  // Plain malloc's alignment is 16: the stack's 64 covers it.
  llvm::Function *scratchMalloc = internalFunction(m, kMallocFn, t.ptr, {t.i64});
  defineDispatch(m, t, scratchMalloc, push, m.getOrInsertFunction("malloc", t.ptr, t.i64),
                 {llvm::ConstantInt::get(t.i64, 16), scratchMalloc->getArg(0)});
  llvm::Function *scratchAligned = internalFunction(m, kAlignedAllocFn, t.ptr, {t.i64, t.i64});
  defineDispatch(m, t, scratchAligned, push,
                 m.getOrInsertFunction("aligned_alloc", t.ptr, t.i64, t.i64),
                 {scratchAligned->getArg(0), scratchAligned->getArg(1)});
  llvm::FunctionCallee plainFree = m.getOrInsertFunction("free", voidType, t.ptr);
  llvm::Function *scratchFree = internalFunction(m, kFreeFn, voidType, {t.ptr});
  // Every free of the model's code (its buffers' deallocations) goes
  // through the scratch's; the ones made here and later stay plain.
  auto *freeDecl = llvm::cast<llvm::Function>(plainFree.getCallee());
  llvm::SmallVector<llvm::CallInst *> frees;
  for (llvm::User *user : freeDecl->users())
    if (auto *call = llvm::dyn_cast<llvm::CallInst>(user);
        call && call->getCalledFunction() == freeDecl && call->getFunction() != pop)
      frees.push_back(call);
  for (llvm::CallInst *call : frees)
    call->setCalledFunction(scratchFree);
  defineDispatch(m, t, scratchFree, pop, plainFree, {scratchFree->getArg(0)});
  return {scratchMalloc, scratchAligned};
}

bool hasRunScratch(llvm::Module &m) { return m.getFunction(kFreeFn) != nullptr; }

llvm::FunctionCallee scratchFreeFunction(llvm::Module &m, const AbiTypes &t) {
  if (llvm::Function *fn = m.getFunction(kFreeFn))
    return fn;
  return m.getOrInsertFunction("free", llvm::Type::getVoidTy(m.getContext()), t.ptr);
}

llvm::Value *emitBeginRunScratch(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t,
                                 llvm::Value *workspace, llvm::Value *workspaceSize,
                                 llvm::Value *used) {
  if (!hasRunScratch(m))
    return nullptr;
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  llvm::StructType *type = stateType(m.getContext(), t);
  llvm::IRBuilder<> top(&fn->getEntryBlock(), fn->getEntryBlock().begin());
  llvm::Value *state = top.CreateAlloca(type);
  ScratchCode c{b, t, type, state};
  llvm::Value *begin = b.CreatePtrToInt(workspace, t.i64);
  c.store(kBegin, begin);
  c.store(kEnd, b.CreateAdd(begin, workspaceSize));
  c.store(kUsed, used);
  for (StateField f : {kBase, kTop, kLast, kLive, kPeak})
    c.store(f, c.constant(0));
  llvm::GlobalVariable *current = threadLocalPointer(m, t, kStateGlobal);
  c.store(kOuter, b.CreateLoad(t.ptr, current));
  b.CreateStore(state, current);
  return state;
}

llvm::Value *emitEndRunScratch(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t,
                               llvm::Value *state) {
  if (!state)
    return llvm::ConstantInt::get(t.i64, 0);
  ScratchCode c{b, t, stateType(m.getContext(), t), state};
  b.CreateStore(c.load(kOuter), threadLocalPointer(m, t, kStateGlobal));
  return c.load(kPeak);
}

} // namespace smelt
