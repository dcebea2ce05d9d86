//===- Importer.h - ONNX model to onnx dialect ------------------*- C++ -*-===//
//
// Turns an ONNX model (binary protobuf or ONNX's textual syntax) into a module
// holding one func.func @main in the onnx dialect. Failures are reported as
// MLIR diagnostics that name the file, node and value concerned; nothing is
// written anywhere.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_IMPORTER_H
#define SMELT_COMPILER_IMPORT_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace smelt {

struct ImportOptions {
  /// Fixes the dims of graph inputs at compile time (`--shape NAME=1,3,224,224`).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Run libonnx's shape inference (with data propagation) before importing.
  bool inferShapes = true;
  /// Make every dim of every graph input symbolic (before --shape applies),
  /// so that shapes are only known at run time; for testing dynamic shapes.
  bool symbolicInputDims = false;
};

/// Imports a `.onnx` file; ONNX text syntax is accepted for `.onnxtxt` files.
/// External-data tensors are read from files inside the model's folder only.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(llvm::StringRef path, const ImportOptions &options,
                                                 mlir::MLIRContext *context);

/// Imports a model written in ONNX's textual syntax (libonnx OnnxParser).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxText(llvm::StringRef text, llvm::StringRef bufferName,
                                                 const ImportOptions &options,
                                                 mlir::MLIRContext *context);

/// Imports a binary `.onnx` model held in memory (the import fuzzer's entry).
/// External-data tensors are read from files inside `dataFolder` only (none
/// when it is empty).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxBuffer(llvm::StringRef bytes, llvm::StringRef bufferName,
                                                   llvm::StringRef dataFolder,
                                                   const ImportOptions &options,
                                                   mlir::MLIRContext *context);

/// Parses ONNX's textual syntax (null-terminated `text`) into `model`. False
/// with `error` set when the text is malformed (libonnx's parser throws on
/// some malformed numbers, such as `-inf`: caught here, so bad text is an
/// error, never a crash).
bool parseOnnxText(const char *text, ::onnx::ModelProto &model, std::string &error);

/// Loads a model file into a ModelProto (binary or text), resolving external
/// data against `path`'s folder. Used by `smelt inspect` as well.
mlir::LogicalResult loadModelProto(llvm::StringRef path, ::onnx::ModelProto &model,
                                   mlir::MLIRContext *context);

/// Parses a `--shape` value "NAME=d0,d1,..." into options.inputShapes.
/// False with `error` set when it is malformed.
bool parseShapeSpec(const std::string &spec, ImportOptions &options, std::string &error);

/// Largest element count accepted for any declared tensor shape.
constexpr int64_t kMaxTensorElements = int64_t(1) << 40;

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_IMPORTER_H
