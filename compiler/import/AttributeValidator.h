//===- AttributeValidator.h - reject attribute values libonnx trips on -*- C++ -*-===//
//
// libonnx's shape inference divides by strides, dilations, kernel sizes and
// block sizes without checking them (a zero stride ends the process with
// SIGFPE). Models are checked for such values before libonnx sees them, so a
// hostile model gets an error naming the node instead of a crash.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_ATTRIBUTEVALIDATOR_H
#define SMELT_COMPILER_IMPORT_ATTRIBUTEVALIDATOR_H

#include "mlir/IR/Location.h"

#include <onnx/onnx_pb.h>

namespace smelt {

/// Checks every node of `graph` (and its subgraphs): attributes that ONNX
/// requires to be positive (strides, dilations, kernel_shape, blocksize,
/// group, ...) are, and pads are not negative.
mlir::LogicalResult validateAttributeValues(const ::onnx::GraphProto &graph, mlir::Location loc);

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_ATTRIBUTEVALIDATOR_H
