//===- TensorImport.h - ONNX types and tensors to MLIR ----------*- C++ -*-===//
//
// Maps ONNX element types, TypeProtos and TensorProtos onto builtin MLIR types
// and attributes. Signed integers become signless, unsigned integers keep
// their signedness, bool is i1. Tensors of more than a few elements become
// resource blobs (dense_resource), so weights are copied once, as bytes.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_TENSORIMPORT_H
#define SMELT_COMPILER_IMPORT_TENSORIMPORT_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Types.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace smelt {

using EmitErrorFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// MLIR element type of an ONNX TensorProto.DataType, or failure.
mlir::FailureOr<mlir::Type> importElementType(int32_t dataType, mlir::MLIRContext *context,
                                              EmitErrorFn emitError);

/// MLIR type of a value: ranked/unranked tensor, !onnx.seq or !onnx.opt.
/// Symbolic and unknown dims become dynamic.
mlir::FailureOr<mlir::Type> importType(const ::onnx::TypeProto &type, mlir::MLIRContext *context,
                                       EmitErrorFn emitError);

/// The contents of a tensor (raw_data or the typed fields; external data must
/// already be loaded into raw_data).
mlir::FailureOr<mlir::ElementsAttr> importTensor(const ::onnx::TensorProto &tensor,
                                                 mlir::MLIRContext *context,
                                                 EmitErrorFn emitError);

/// The ONNX TensorProto.DataType of an MLIR element type, or 0 (UNDEFINED).
int32_t exportElementType(mlir::Type type);

/// The TypeProto of a tensor, !onnx.seq or !onnx.opt type (the inverse of
/// importType). False for types ONNX cannot describe.
bool exportType(mlir::Type type, ::onnx::TypeProto &proto);

/// A constant's contents as a TensorProto (raw_data). False for contents that
/// cannot be read back (strings, complex).
bool exportTensor(mlir::ElementsAttr value, ::onnx::TensorProto &proto);

/// Decodes a tensor's data (raw_data or the typed repeated fields) into
/// `count` little-endian elements of `width` bytes. False with `error` set
/// when the data does not match the declared shape and type.
bool decodeTensorData(const ::onnx::TensorProto &tensor, unsigned width, int64_t count,
                      std::vector<char> &bytes, std::string &error);

/// Tensors with at most this many elements stay inline (dense<...>) so that
/// constant folding can read them; larger ones become resource blobs.
constexpr int64_t kInlineTensorElements = 64;

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_TENSORIMPORT_H
