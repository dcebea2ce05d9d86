//===- OnnxDialect.h - the onnx dialect -------------------------*- C++ -*-===//
//
// Declares the onnx dialect, its types and every generated operator class.
// Operators live in ::smelt::onnx and are named after ONNX (onnx::AddOp is
// "onnx.Add"), at the canonical opset kCanonicalOpset.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_DIALECTS_ONNX_ONNXDIALECT_H
#define SMELT_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace smelt::onnx {

/// The ONNX opset every op of the dialect follows; older models are upgraded
/// to it on import.
constexpr int kCanonicalOpset = SMELT_ONNX_OPSET;

/// Verifies an op against its libonnx schema: operands and results bound to
/// one type parameter share an element type, and variadic arities hold.
mlir::LogicalResult verifyAgainstSchema(mlir::Operation *op);

template <typename ConcreteType>
class SchemaVerified : public mlir::OpTrait::TraitBase<ConcreteType, SchemaVerified> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) { return verifyAgainstSchema(op); }
};

} // namespace smelt::onnx

#include "dialects/onnx/OnnxDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/onnx/OnnxTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.h.inc"

#endif // SMELT_DIALECTS_ONNX_ONNXDIALECT_H
