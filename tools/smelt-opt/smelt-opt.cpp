//===- smelt-opt.cpp - MLIR opt driver with Smelt's dialects and passes ---===//
//
// Runs any registered pass or pipeline over .mlir input; the lit tests drive
// every Smelt pass through it.
//
//===----------------------------------------------------------------------===//
#include "compiler/pipeline/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  smelt::registerAllDialects(registry);
  smelt::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Smelt optimizer driver\n", registry));
}
