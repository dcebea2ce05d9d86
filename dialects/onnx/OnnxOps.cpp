//===- OnnxOps.cpp - generated onnx op definitions and their folders ------===//
//
// Pulls in the ODS-generated op definitions and implements the few hooks the
// records ask for (folders of Constant and NoValue).
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace smelt::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.cpp.inc"

OpFoldResult ConstantOp::fold(FoldAdaptor) {
  // Only the canonical form (a `value` tensor) folds; the importer rewrites the
  // scalar and list forms into it.
  return getValueAttr();
}

OpFoldResult NoValueOp::fold(FoldAdaptor) { return UnitAttr::get(getContext()); }
