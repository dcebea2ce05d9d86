//===- Passes.td - CPU code generation passes ------------------------------===//
#ifndef SMELT_CODEGEN_CPU_PASSES_TD
#define SMELT_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SmeltCpuLowerCopies : Pass<"smelt-cpu-lower-copies", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy so copies become loops";
  let description = [{
    Input: bufferized IR with memref.copy ops. Output: the same copies as
    linalg.copy, which convert-linalg-to-loops turns into plain loops. Without
    it, copies between non-contiguous (strided) memrefs lower to calls of
    `memrefCopy`, a function of MLIR's runner library that compiled models
    must not depend on.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // SMELT_CODEGEN_CPU_PASSES_TD
