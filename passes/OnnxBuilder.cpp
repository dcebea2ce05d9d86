//===- OnnxBuilder.cpp - create onnx ops from passes ----------------------===//
#include "passes/OnnxBuilder.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace smelt {

Operation *createOnnx(OpBuilder &b, Location loc, StringRef name, ValueRange operands,
                      TypeRange results, ArrayRef<NamedAttribute> attrs, unsigned regions) {
  OperationState state(loc, ("onnx." + name).str());
  state.addOperands(operands);
  state.addTypes(results);
  state.addAttributes(attrs);
  for (unsigned i = 0; i < regions; ++i)
    state.addRegion();
  return b.create(state);
}

Value createOnnxValue(OpBuilder &b, Location loc, StringRef name, ValueRange operands,
                      Type result, ArrayRef<NamedAttribute> attrs) {
  return createOnnx(b, loc, name, operands, TypeRange{result}, attrs)->getResult(0);
}

Value createConstantI64(OpBuilder &b, Location loc, ArrayRef<int64_t> values, bool scalar) {
  auto type = scalar ? RankedTensorType::get({}, b.getI64Type())
                     : RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type());
  return createOnnxValue(b, loc, "Constant", {}, type,
                         {b.getNamedAttr("value", DenseIntElementsAttr::get(type, values))});
}

Value OnnxOpBuilder::castTo(Value value, Type type) {
  if (value.getType() == type || !isa<RankedTensorType>(type) ||
      !isa<RankedTensorType>(value.getType()))
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

} // namespace smelt
