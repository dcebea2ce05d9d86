//===- FlattenEmptyArgs.cpp - zero-element memref arguments as memref<0xT> ===//
//
// After this pass no function argument has a zero-element memref type with
// more than one dimension, so the bare-pointer calling convention can lower
// every signature. MLIR's identity layout makes the strides left of a size-0
// dimension dynamic (memref<20x0x5xf32> has strides [?, 5, 1]), and
// convert-func-to-llvm only passes memrefs with static strides as bare
// pointers. A zero-element tensor holds no data, so its pointer is never
// dereferenced: the body keeps its original type through a zero-byte alloca.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUFLATTENEMPTYARGS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// A ranked memref that holds no element and that the bare-pointer calling
/// convention cannot take as it is.
static bool needsFlattening(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getNumElements() == 0 &&
         memref.getRank() > 1 && memref.getLayout().isIdentity();
}

class FlattenEmptyArgsPass : public impl::SmeltCpuFlattenEmptyArgsBase<FlattenEmptyArgsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !llvm::any_of(func.getArgumentTypes(), needsFlattening))
        continue;
      // Callers would pass the old type; the model entry has none.
      if (!SymbolTable::symbolKnownUseEmpty(func, module)) {
        func.emitOpError("has a zero-element memref argument and callers, which the CPU "
                         "backend cannot lower yet");
        return signalPassFailure();
      }
      Block &entry = func.getBody().front();
      OpBuilder builder = OpBuilder::atBlockBegin(&entry);
      SmallVector<Type> argTypes(func.getArgumentTypes());
      for (auto [index, arg] : llvm::enumerate(entry.getArguments())) {
        auto type = dyn_cast<MemRefType>(arg.getType());
        if (!needsFlattening(type))
          continue;
        auto stand = memref::AllocaOp::create(builder, arg.getLoc(), type);
        arg.replaceAllUsesWith(stand);
        auto flat = MemRefType::get({0}, type.getElementType(), MemRefLayoutAttrInterface(),
                                    type.getMemorySpace());
        arg.setType(flat);
        argTypes[index] = flat;
      }
      func.setFunctionType(builder.getFunctionType(argTypes, func.getResultTypes()));
    }
  }
};

} // namespace
} // namespace smelt
