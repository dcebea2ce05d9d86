//===- DeviceCode.cpp - a GPU model's kernels and device calls ------------===//
#include "compiler/emit/DeviceCode.h"

#include "codegen/gpu/DeviceSymbols.h"

#include "llvm/IR/Instructions.h"
#include "llvm/IR/ReplaceConstant.h"

using namespace mlir;

namespace smelt {

namespace {

constexpr llvm::StringLiteral kDeviceApiGlobal = "__smelt_device_api";
constexpr llvm::StringLiteral kDeviceConstantsBlob = "__smelt_device_constants";
/// Least alignment of each constant in the blob, and of its device copy.
constexpr uint64_t kConstantAlign = 64;

llvm::GlobalVariable *deviceApiGlobal(llvm::Module &m, const AbiTypes &t) {
  return threadLocalPointer(m, t, kDeviceApiGlobal);
}

/// Loads field `field` of this thread's smelt_device_api.
llvm::Value *loadApiField(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t,
                          DeviceApiField field) {
  llvm::Value *api = b.CreateLoad(t.ptr, deviceApiGlobal(m, t));
  return b.CreateLoad(t.ptr, b.CreateStructGEP(t.deviceApi, api, field));
}

/// Defines the declared device call `name` as a call of the api's `field`
/// with its ctx in front of the arguments.
void defineDeviceCall(llvm::Module &m, const AbiTypes &t, llvm::StringRef name,
                      DeviceApiField field) {
  llvm::Function *fn = m.getFunction(name);
  if (!fn || !fn->isDeclaration())
    return;
  fn->setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(m.getContext(), "entry", fn));
  llvm::Value *callee = loadApiField(b, m, t, field);
  std::vector<llvm::Value *> args{loadApiField(b, m, t, kDeviceCtx)};
  std::vector<llvm::Type *> types{t.ptr};
  for (llvm::Argument &arg : fn->args()) {
    args.push_back(&arg);
    types.push_back(arg.getType());
  }
  auto *type = llvm::FunctionType::get(fn->getReturnType(), types, false);
  llvm::Value *result = b.CreateCall(type, callee, args);
  if (fn->getReturnType()->isVoidTy())
    b.CreateRetVoid();
  else
    b.CreateRet(result);
}

/// The device constants packed into one blob, each at an offset aligned to
/// its own alignment (at least kConstantAlign); every use of them in host
/// code now addresses the same offset of the device copy.
struct DeviceConstants {
  llvm::GlobalVariable *blob = nullptr; ///< null when there are none
  uint64_t size = 0;
  uint64_t align = kConstantAlign;
};

llvm::Expected<DeviceConstants> packDeviceConstants(llvm::Module &m, const AbiTypes &t,
                                                    const DeviceImage &image) {
  const llvm::DataLayout &layout = m.getDataLayout();
  llvm::LLVMContext &ctx = m.getContext();
  DeviceConstants packed;
  std::vector<llvm::Constant *> fields;
  std::vector<std::pair<llvm::GlobalVariable *, uint64_t>> placed;
  for (const std::string &name : image.constants) {
    llvm::GlobalVariable *global = m.getNamedGlobal(name);
    // Host code would hand kernels the host's copy.
    if (!global || !global->hasInitializer())
      return llvm::createStringError("device constant '%s' has no data in the module",
                                     name.c_str());
    uint64_t align = std::max<uint64_t>(kConstantAlign, global->getAlign().valueOrOne().value());
    packed.align = std::max(packed.align, align);
    uint64_t offset = llvm::alignTo(packed.size, align);
    if (offset > packed.size)
      fields.push_back(llvm::ConstantAggregateZero::get(
          llvm::ArrayType::get(llvm::Type::getInt8Ty(ctx), offset - packed.size)));
    fields.push_back(global->getInitializer());
    packed.size = offset + layout.getTypeAllocSize(global->getValueType());
    placed.push_back({global, offset});
  }
  if (placed.empty())
    return packed;
  llvm::Constant *data = llvm::ConstantStruct::getAnon(ctx, fields, /*Packed=*/true);
  packed.blob = new llvm::GlobalVariable(m, data->getType(), true,
                                         llvm::GlobalValue::InternalLinkage, data,
                                         kDeviceConstantsBlob);
  packed.blob->setAlignment(llvm::Align(packed.align));

  for (auto [global, offset] : placed) {
    llvm::convertUsersOfConstantsToInstructions({global});
    for (llvm::Use &use : llvm::make_early_inc_range(global->uses())) {
      auto *user = llvm::cast<llvm::Instruction>(use.getUser());
      llvm::Instruction *at = user;
      if (auto *phi = llvm::dyn_cast<llvm::PHINode>(user))
        at = phi->getIncomingBlock(use)->getTerminator();
      llvm::IRBuilder<> b(at);
      llvm::Value *base = loadApiField(b, m, t, kDeviceConstants);
      use.set(b.CreateConstGEP1_64(b.getInt8Ty(), base, offset));
    }
    global->eraseFromParent();
  }
  return packed;
}

/// A private array of C strings, or null when empty.
llvm::Constant *stringArray(llvm::Module &m, const AbiTypes &t,
                            const std::vector<std::string> &strings, const llvm::Twine &name) {
  std::vector<llvm::Constant *> entries;
  for (const std::string &s : strings)
    entries.push_back(privateString(m, s, name + ".name"));
  return privateArray(m, t.ptr, entries, name);
}

} // namespace

std::optional<DeviceImage> deviceImage(ModuleOp module) {
  auto arch = module->getAttrOfType<StringAttr>(kDeviceArchAttr);
  auto ptx = module->getAttrOfType<StringAttr>(kDeviceImageAttr);
  if (!arch || !ptx)
    return std::nullopt;
  DeviceImage image{arch.str(), ptx.str(), {}, {}};
  if (auto kernels = module->getAttrOfType<ArrayAttr>(kDeviceKernelsAttr))
    for (auto name : kernels.getAsRange<StringAttr>())
      image.kernels.push_back(name.str());
  if (auto constants = module->getAttrOfType<ArrayAttr>(kDeviceConstantsAttr))
    for (auto name : constants.getAsRange<FlatSymbolRefAttr>())
      image.constants.push_back(name.getValue().str());
  return image;
}

llvm::Expected<llvm::Constant *> emitDeviceCode(llvm::Module &m, const AbiTypes &t,
                                                const DeviceImage &image) {
  defineDeviceCall(m, t, kDeviceLaunchFn, kDeviceLaunch);
  defineDeviceCall(m, t, kDeviceCopyFn, kDeviceCopy);
  defineDeviceCall(m, t, kDeviceAllocFn, kDeviceAlloc);
  defineDeviceCall(m, t, kDeviceReleaseFn, kDeviceRelease);
  llvm::Expected<DeviceConstants> constants = packDeviceConstants(m, t, image);
  if (!constants)
    return constants.takeError();

  llvm::Constant *null = llvm::ConstantPointerNull::get(t.ptr);
  llvm::Constant *code = llvm::ConstantStruct::get(
      t.deviceCode,
      {privateString(m, "cuda", "smelt.device.platform"),
       privateString(m, image.arch, "smelt.device.arch"),
       privateString(m, image.ptx, "smelt.device.image"),
       llvm::ConstantInt::get(t.i64, image.ptx.size()),
       stringArray(m, t, image.kernels, "smelt.device.kernels"),
       llvm::ConstantInt::get(t.i32, image.kernels.size()), llvm::ConstantInt::get(t.i32, 0),
       constants->blob ? static_cast<llvm::Constant *>(constants->blob) : null,
       llvm::ConstantInt::get(t.i64, constants->size),
       llvm::ConstantInt::get(t.i64, constants->align)});
  return new llvm::GlobalVariable(m, t.deviceCode, true, llvm::GlobalValue::PrivateLinkage, code,
                                  "smelt.device_code");
}

void emitSetDeviceApi(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t,
                      llvm::Value *call, llvm::BasicBlock *bad) {
  llvm::Value *api = loadCallField(b, t, call, kDevice);
  llvm::Function *fn = b.GetInsertBlock()->getParent();
  auto *lent = llvm::BasicBlock::Create(m.getContext(), "device_lent", fn);
  b.CreateCondBr(b.CreateIsNull(api), bad, lent);
  b.SetInsertPoint(lent);
  b.CreateStore(api, deviceApiGlobal(m, t));
}

void emitClearDeviceApi(llvm::IRBuilder<> &b, llvm::Module &m, const AbiTypes &t) {
  b.CreateStore(llvm::ConstantPointerNull::get(t.ptr), deviceApiGlobal(m, t));
}

} // namespace smelt
