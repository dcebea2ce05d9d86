//===- LowerCopies.cpp - memref.copy to linalg.copy -----------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPULOWERCOPIES
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

class LowerCopiesPass : public impl::SmeltCpuLowerCopiesBase<LowerCopiesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(), copy.getTarget());
    });
  }
};

} // namespace
} // namespace smelt
