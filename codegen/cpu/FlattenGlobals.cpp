//===- FlattenGlobals.cpp - constant buffers as one-dimensional globals ---===//
//
// The LLVM translation turns a memref.global of shape AxBxCxD into nested
// arrays, one constant per innermost row. A weight packed into panels of
// D = 1 is then a million one-element LLVM constants, each uniqued in the
// LLVMContext: GPT-2's weights took 90 s and 2 GB to build and free. As one
// row, the whole buffer is a single constant made from its bytes.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUFLATTENGLOBALS
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// The same elements as a one-dimensional attribute, or null for kinds of
/// attribute this pass does not know.
Attribute flattenInitialValue(Attribute value, RankedTensorType flat) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(flat);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(flat, resource.getRawHandle());
  return nullptr;
}

class FlattenGlobalsPass : public impl::SmeltCpuFlattenGlobalsBase<FlattenGlobalsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTableCollection symbols;
    SymbolUserMap users(symbols, module);
    for (auto global : llvm::make_early_inc_range(module.getOps<memref::GlobalOp>())) {
      MemRefType type = global.getType();
      auto initial = dyn_cast_or_null<ElementsAttr>(global.getInitialValueAttr());
      if (!initial || type.getRank() < 2 || !type.hasStaticShape() ||
          !type.getLayout().isIdentity())
        continue;
      int64_t elements = type.getNumElements();
      auto flatTensor = RankedTensorType::get({elements}, type.getElementType());
      Attribute flatValue = flattenInitialValue(initial, flatTensor);
      if (!flatValue)
        continue;
      auto flatType = MemRefType::get({elements}, type.getElementType(),
                                      MemRefLayoutAttrInterface(), type.getMemorySpace());
      global.setType(flatType);
      global.setInitialValueAttr(flatValue);
      // Every use sees the shape it had, as a view of the row.
      SmallVector<ReassociationIndices> allDims(1);
      for (int64_t d = 0; d < type.getRank(); ++d)
        allDims.front().push_back(d);
      for (Operation *user : users.getUsers(global)) {
        auto get = dyn_cast<memref::GetGlobalOp>(user);
        if (!get)
          continue;
        OpBuilder builder(get->getContext());
        builder.setInsertionPointAfter(get);
        auto shaped = memref::ExpandShapeOp::create(builder, get.getLoc(), type, get.getResult(),
                                                    allDims);
        get.getResult().replaceAllUsesExcept(shaped.getResult(), shaped);
        get.getResult().setType(flatType);
      }
    }
  }
};

} // namespace
} // namespace smelt
