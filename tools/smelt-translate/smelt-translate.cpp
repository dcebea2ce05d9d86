//===- smelt-translate.cpp - import ONNX models as onnx-dialect MLIR -------===//
//
// Reads a model (`.onnx` protobuf, or ONNX text syntax from `.onnxtxt` files
// and standard input) and prints the imported module. The importer's lit
// tests drive it.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/Importer.h"
#include "compiler/pipeline/Registration.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"

#include <onnx/onnx_pb.h>

#include <fstream>

static llvm::cl::opt<std::string> inputFile(llvm::cl::Positional, llvm::cl::desc("<model>"),
                                            llvm::cl::init("-"));
static llvm::cl::list<std::string> shapes("shape",
                                          llvm::cl::desc("Fix an input's dims: NAME=d0,d1,..."));
static llvm::cl::opt<std::string> emitOnnx(
    "emit-onnx", llvm::cl::desc("Write the parsed model as binary .onnx to this path and stop"),
    llvm::cl::value_desc("path"));
static llvm::cl::opt<bool> dynamicDims("dynamic-dims",
                                       llvm::cl::desc("Leave every input dim symbolic"));
static llvm::cl::opt<bool> noInference("no-shape-inference",
                                       llvm::cl::desc("Skip libonnx shape inference"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  llvm::cl::ParseCommandLineOptions(argc, argv, "Smelt ONNX importer\n");
  mlir::DialectRegistry registry;
  smelt::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  smelt::ImportOptions options;
  options.inferShapes = !noInference;
  options.symbolicInputDims = dynamicDims;
  for (const std::string &spec : shapes) {
    std::string error;
    if (!smelt::parseShapeSpec(spec, options, error)) {
      llvm::errs() << "error: " << error << "\n";
      return 1;
    }
  }

  if (!emitOnnx.empty()) {
    // Text -> binary, for tools (ONNX Runtime) that only read protobuf.
    onnx::ModelProto model;
    if (mlir::failed(smelt::loadModelProto(inputFile, model, &context)))
      return 1;
    std::ofstream out(emitOnnx, std::ios::binary);
    if (!model.SerializeToOstream(&out)) {
      llvm::errs() << "error: cannot write '" << emitOnnx << "'\n";
      return 1;
    }
    return 0;
  }

  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (inputFile == "-" || llvm::StringRef(inputFile).ends_with(".onnxtxt")) {
    auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(inputFile);
    if (!buffer) {
      llvm::errs() << "error: cannot read '" << inputFile << "'\n";
      return 1;
    }
    module = smelt::importOnnxText((*buffer)->getBuffer(), inputFile, options, &context);
  } else {
    module = smelt::importOnnxFile(inputFile, options, &context);
  }
  if (!module)
    return 1;
  module->print(llvm::outs(), mlir::OpPrintingFlags());
  llvm::outs() << "\n";
  return 0;
}
