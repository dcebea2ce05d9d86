//===- DeviceCallsToLlvm.cpp - host code's device work as calls -----------===//
#include "codegen/gpu/DeviceSymbols.h"
#include "codegen/gpu/Passes.h"

#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Transforms/DialectConversion.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTGPUDEVICECALLSTOLLVM
#include "codegen/gpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Calls `name` (declared on first use) with `args`.
Value callDevice(ConversionPatternRewriter &rewriter, Operation *op, llvm::StringRef name,
                 ValueRange args, Type result = {}) {
  auto module = op->getParentOfType<ModuleOp>();
  SmallVector<Type> types(args.getTypes());
  FailureOr<LLVM::LLVMFuncOp> fn = LLVM::lookupOrCreateFn(
      rewriter, module, name, types,
      result ? result : LLVM::LLVMVoidType::get(op->getContext()));
  assert(succeeded(fn) && "device call declared with another type");
  auto call = LLVM::CallOp::create(rewriter, op->getLoc(), *fn, args);
  return result ? call.getResult() : Value();
}

/// A stack slot made once, at the top of the function: launches inside
/// host loops must not grow the stack.
Value entryAlloca(ConversionPatternRewriter &rewriter, Operation *op, Type elementType,
                  int64_t count) {
  OpBuilder::InsertionGuard guard(rewriter);
  Block &entry = op->getParentOfType<FunctionOpInterface>().getFunctionBody().front();
  rewriter.setInsertionPointToStart(&entry);
  Location loc = op->getLoc();
  Value n = LLVM::ConstantOp::create(rewriter, loc, rewriter.getI64Type(), count);
  return LLVM::AllocaOp::create(rewriter, loc, LLVM::LLVMPointerType::get(op->getContext()),
                                elementType, n);
}

/// gpu.launch_func -> __smelt_device_launch(kernel, grid, block, shared,
/// params): the kernel's index, three i32 each for the grid and block
/// sizes, and an array pointing at each parameter's value, with memrefs
/// expanded into their descriptor fields as the kernel takes them.
class LaunchToCall : public ConvertOpToLLVMPattern<gpu::LaunchFuncOp> {
public:
  LaunchToCall(const LLVMTypeConverter &converter, const llvm::StringMap<unsigned> &kernels)
      : ConvertOpToLLVMPattern(converter), kernels(kernels) {}

  LogicalResult matchAndRewrite(gpu::LaunchFuncOp launch, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
        launch.hasClusterSize())
      return rewriter.notifyMatchFailure(launch, "only synchronous launches without clusters");
    Location loc = launch.getLoc();
    MLIRContext *ctx = launch.getContext();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    Type i32 = rewriter.getI32Type();

    SmallVector<Value> params = getTypeConverter()->promoteOperands(
        loc, launch.getKernelOperands(), adaptor.getKernelOperands(), rewriter);
    SmallVector<Type> paramTypes(ValueRange(params).getTypes());
    auto paramsType = LLVM::LLVMStructType::getLiteral(ctx, paramTypes);
    Value values = entryAlloca(rewriter, launch, paramsType, 1);
    Value pointers = entryAlloca(rewriter, launch, ptrType, std::max<size_t>(params.size(), 1));
    for (auto [i, param] : llvm::enumerate(params)) {
      Value slot = LLVM::GEPOp::create(rewriter, loc, ptrType, paramsType, values,
                                       ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
      LLVM::StoreOp::create(rewriter, loc, param, slot);
      Value entry = LLVM::GEPOp::create(rewriter, loc, ptrType, ptrType, pointers,
                                        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      LLVM::StoreOp::create(rewriter, loc, slot, entry);
    }
    auto dims = [&](Value x, Value y, Value z) {
      Value array = entryAlloca(rewriter, launch, i32, 3);
      SmallVector<Value, 3> sizes{x, y, z};
      for (auto [i, size] : llvm::enumerate(sizes)) {
        Value narrow = size.getType() == i32 ? size
                                             : LLVM::TruncOp::create(rewriter, loc, i32, size);
        Value slot = LLVM::GEPOp::create(rewriter, loc, ptrType, i32, array,
                                         ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        LLVM::StoreOp::create(rewriter, loc, narrow, slot);
      }
      return array;
    };
    Value grid = dims(adaptor.getGridSizeX(), adaptor.getGridSizeY(), adaptor.getGridSizeZ());
    Value block =
        dims(adaptor.getBlockSizeX(), adaptor.getBlockSizeY(), adaptor.getBlockSizeZ());
    Value kernel = LLVM::ConstantOp::create(
        rewriter, loc, i32, kernels.lookup(launch.getKernelName().getValue()));
    Value shared = launch.getDynamicSharedMemorySize()
                       ? adaptor.getDynamicSharedMemorySize()
                       : LLVM::ConstantOp::create(rewriter, loc, i32, 0).getResult();
    callDevice(rewriter, launch, kDeviceLaunchFn, {kernel, grid, block, shared, pointers});
    rewriter.eraseOp(launch);
    return success();
  }

private:
  const llvm::StringMap<unsigned> &kernels;
};

/// gpu.memcpy -> __smelt_device_copy(dst, src, bytes), for buffers whose
/// elements are contiguous (single elements, whole buffers).
class MemcpyToCall : public ConvertOpToLLVMPattern<gpu::MemcpyOp> {
public:
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;

  LogicalResult matchAndRewrite(gpu::MemcpyOp copy, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto dstType = cast<MemRefType>(copy.getDst().getType());
    auto srcType = cast<MemRefType>(copy.getSrc().getType());
    if (copy.getAsyncToken() || !copy.getAsyncDependencies().empty())
      return rewriter.notifyMatchFailure(copy, "only synchronous copies");
    if (!isContiguous(dstType) || !isContiguous(srcType))
      return rewriter.notifyMatchFailure(copy, "only copies of contiguous buffers");
    Location loc = copy.getLoc();
    MemRefDescriptor dstMemref(adaptor.getDst());
    Value dst = dstMemref.bufferPtr(rewriter, loc, *getTypeConverter(), dstType);
    Value src = MemRefDescriptor(adaptor.getSrc())
                    .bufferPtr(rewriter, loc, *getTypeConverter(), srcType);
    // Elements times their size as LLVM stores them (index and i1 too).
    Value bytes = getSizeInBytes(loc, dstType.getElementType(), rewriter);
    for (int64_t d = 0; d < dstType.getRank(); ++d)
      bytes = LLVM::MulOp::create(rewriter, loc, bytes, dstMemref.size(rewriter, loc, d));
    callDevice(rewriter, copy, kDeviceCopyFn, {dst, src, bytes});
    rewriter.eraseOp(copy);
    return success();
  }

private:
  static bool isContiguous(MemRefType type) {
    return type.getLayout().isIdentity() ||
           (type.hasStaticShape() && type.getNumElements() == 1) ||
           memref::isStaticShapeAndContiguousRowMajor(type);
  }
};

/// gpu.alloc -> __smelt_device_alloc(bytes), in a fresh descriptor.
class AllocToCall : public ConvertOpToLLVMPattern<gpu::AllocOp> {
public:
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;

  LogicalResult matchAndRewrite(gpu::AllocOp alloc, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    MemRefType type = alloc.getType();
    if (alloc.getAsyncToken() || !alloc.getAsyncDependencies().empty() ||
        alloc.getHostShared() || !type.getLayout().isIdentity())
      return rewriter.notifyMatchFailure(alloc, "only synchronous device buffers");
    Location loc = alloc.getLoc();
    SmallVector<Value> sizes, strides;
    Value bytes;
    getMemRefDescriptorSizes(loc, type, adaptor.getDynamicSizes(), rewriter, sizes, strides,
                             bytes);
    Value buffer = callDevice(rewriter, alloc, kDeviceAllocFn, {bytes},
                              LLVM::LLVMPointerType::get(alloc.getContext()));
    rewriter.replaceOp(alloc, {createMemRefDescriptor(loc, type, buffer, buffer, sizes, strides,
                                                      rewriter),
                               Value()});
    return success();
  }
};

/// gpu.dealloc -> __smelt_device_release(buffer).
class DeallocToCall : public ConvertOpToLLVMPattern<gpu::DeallocOp> {
public:
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;

  LogicalResult matchAndRewrite(gpu::DeallocOp dealloc, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (dealloc.getAsyncToken() || !dealloc.getAsyncDependencies().empty())
      return rewriter.notifyMatchFailure(dealloc, "only synchronous releases");
    Value buffer =
        MemRefDescriptor(adaptor.getMemref()).allocatedPtr(rewriter, dealloc.getLoc());
    callDevice(rewriter, dealloc, kDeviceReleaseFn, {buffer});
    rewriter.eraseOp(dealloc);
    return success();
  }
};

class DeviceCallsToLlvmPass
    : public impl::SmeltGpuDeviceCallsToLlvmBase<DeviceCallsToLlvmPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    if (failed(takeImage(module)))
      return signalPassFailure();

    // Kernels are numbered in the order host code first launches them.
    llvm::StringMap<unsigned> kernels;
    SmallVector<Attribute> names;
    module.walk([&](gpu::LaunchFuncOp launch) {
      StringRef name = launch.getKernelName().getValue();
      if (kernels.try_emplace(name, names.size()).second)
        names.push_back(StringAttr::get(ctx, name));
    });
    module->setAttr(kDeviceKernelsAttr, ArrayAttr::get(ctx, names));

    LLVMTypeConverter converter(ctx);
    RewritePatternSet patterns(ctx);
    patterns.add<LaunchToCall>(converter, kernels);
    patterns.add<MemcpyToCall, AllocToCall, DeallocToCall>(converter);
    ConversionTarget target(*ctx);
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addIllegalOp<gpu::LaunchFuncOp, gpu::MemcpyOp, gpu::AllocOp, gpu::DeallocOp>();
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }

  /// Moves the PTX of the one gpu.binary into module attributes, for the
  /// emitter to put into smelt_device_code.
  LogicalResult takeImage(ModuleOp module) {
    auto binaries = llvm::to_vector(module.getOps<gpu::BinaryOp>());
    if (binaries.size() != 1)
      return module.emitError("expected the kernels in one gpu.binary, found ")
             << binaries.size();
    gpu::BinaryOp binary = binaries.front();
    auto objects = binary.getObjects().getAsRange<gpu::ObjectAttr>();
    if (!llvm::hasSingleElement(objects))
      return binary.emitError("expected one object (PTX) in the kernels' binary");
    gpu::ObjectAttr object = *objects.begin();
    auto nvvm = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
    if (!nvvm || object.getFormat() != gpu::CompilationTarget::Assembly)
      return binary.emitError("expected the kernels as PTX for an NVVM target");
    module->setAttr(kDeviceImageAttr, object.getObject());
    module->setAttr(kDeviceArchAttr, StringAttr::get(module.getContext(), nvvm.getChip()));
    binary.erase();
    return success();
  }
};

} // namespace
} // namespace smelt
