//===- ModelMetadata.h - the ONNX model's metadata as attributes -*- C++ -*-===//
//
// What an ONNX model says about itself (producer, domain, version, doc
// strings, metadata_props, opset imports; per graph input and output its
// doc string and dim names) travels from the importer to the code generator
// as attributes, so that the compiled library can carry it:
//
//   module attributes {onnx.metadata = {producer_name = "...", ...,
//                      metadata_props = [["key", "value"], ...],
//                      opset_import = [["", 13 : i64], ...]}}
//   func.func @main(%x: ... {onnx.dim_params = ["batch", ""],
//                            onnx.doc_string = "..."}) -> (...)
//
// It is taken from the model as declared, before the opset upgrade and
// --shape or --dynamic-dims rewrite the graph. Empty fields are left out.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_MODELMETADATA_H
#define SMELT_COMPILER_IMPORT_MODELMETADATA_H

#include "compiler/import/MetadataAttrs.h"

#include "mlir/IR/BuiltinOps.h"

#include <onnx/onnx_pb.h>

namespace smelt {

/// The parts of `model` that hold metadata: its own fields, the graph's name
/// and doc string, and the graph's inputs and outputs (no nodes, no weights).
::onnx::ModelProto metadataOf(const ::onnx::ModelProto &model);

/// Records `declared`'s metadata (see metadataOf) on `module`: onnx.metadata,
/// and on func @main's arguments and results (matched by onnx.name) their
/// dim names and doc strings.
void recordModelMetadata(mlir::ModuleOp module, const ::onnx::ModelProto &declared);

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_MODELMETADATA_H
