//===- MetadataAttrs.h - names of the metadata attributes -------*- C++ -*-===//
//
// The attributes through which the importer hands the ONNX model's metadata
// to the code generator (see ModelMetadata.h for their shape).
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_METADATAATTRS_H
#define SMELT_COMPILER_IMPORT_METADATAATTRS_H

namespace smelt {

/// Module attribute: a dictionary of the model-level metadata.
inline constexpr const char *kOnnxMetadataAttr = "onnx.metadata";
/// Argument/result attributes: dim names ("" where unnamed) and doc string.
inline constexpr const char *kOnnxDimParamsAttr = "onnx.dim_params";
inline constexpr const char *kOnnxDocStringAttr = "onnx.doc_string";

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_METADATAATTRS_H
