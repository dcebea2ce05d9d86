//===- ModelLoader.h - read and prepare an ONNX ModelProto ------*- C++ -*-===//
#ifndef SMELT_COMPILER_IMPORT_MODELLOADER_H
#define SMELT_COMPILER_IMPORT_MODELLOADER_H

#include "compiler/import/Importer.h"

#include "mlir/IR/Location.h"

#include <onnx/onnx_pb.h>

namespace smelt {

/// Parses a model held in memory (binary protobuf, or ONNX text when
/// `isText`) and loads its external data from files inside `dataFolder` only
/// (an empty `dataFolder` refuses external data).
mlir::LogicalResult parseModelBytes(llvm::StringRef bytes, bool isText, llvm::StringRef dataFolder,
                                    ::onnx::ModelProto &model, mlir::Location loc);

/// Parses binary protobuf bytes (at most 2 GiB), with room for subgraphs
/// nested past kMaxSubgraphDepth. False when they are not a whole model.
bool parseBinaryModel(llvm::StringRef bytes, ::onnx::ModelProto &model);

/// Applies --shape overrides, upgrades the model to the canonical opset where
/// libonnx's converter can, and runs libonnx's shape inference.
mlir::LogicalResult prepareModel(::onnx::ModelProto &model, const ImportOptions &options,
                                 mlir::Location loc);

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_MODELLOADER_H
