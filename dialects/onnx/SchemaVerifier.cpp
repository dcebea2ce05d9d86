//===- SchemaVerifier.cpp - check onnx ops against their libonnx schema ---===//
//
// ODS checks each operand's allowed element types; what it cannot express is
// that all values bound to one ONNX type parameter ("T") share a type, and the
// arity bounds of variadic inputs. Both are read from libonnx's schema registry
// at the canonical opset, the same source the op records were generated from.
//
//===----------------------------------------------------------------------===//
#include "dialects/onnx/OnnxDialect.h"

#include <onnx/defs/schema.h>

#include <map>

using namespace mlir;

namespace smelt::onnx {

namespace {

/// Element type of a value, or null when it has none to compare (none, seq).
Type elementTypeOf(Value value) {
  if (auto shaped = dyn_cast<ShapedType>(value.getType()))
    return shaped.getElementType();
  return nullptr;
}

/// Binds each value to its formal parameter's type string and checks that
/// values of one type parameter agree.
class TypeParamChecker {
public:
  TypeParamChecker(Operation *op, const ::onnx::OpSchema &schema) : op_(op), schema_(schema) {}

  LogicalResult bind(const std::vector<::onnx::OpSchema::FormalParameter> &params,
                     ValueRange values, const char *kind) {
    for (size_t i = 0; i < values.size(); ++i) {
      // Variadic parameters are last: every extra value binds to the last one.
      const auto &param = params.empty() ? nullptr : &params[std::min(i, params.size() - 1)];
      if (!param || !isTypeParam(param->GetTypeStr()))
        continue;
      if (param->GetOption() == ::onnx::OpSchema::Variadic && !param->GetIsHomogeneous())
        continue;
      Type elem = elementTypeOf(values[i]);
      if (!elem)
        continue;
      auto [it, inserted] = bound_.try_emplace(param->GetTypeStr(), elem, i, kind);
      if (!inserted && std::get<0>(it->second) != elem)
        return op_->emitOpError() << kind << " #" << i << " has element type " << elem
                                  << " but type parameter '" << param->GetTypeStr()
                                  << "' is bound to " << std::get<0>(it->second) << " by "
                                  << std::get<2>(it->second) << " #" << std::get<1>(it->second);
    }
    return success();
  }

private:
  bool isTypeParam(const std::string &typeStr) const {
    for (const auto &tc : schema_.typeConstraintParams())
      if (tc.type_param_str == typeStr)
        return true;
    return false;
  }

  Operation *op_;
  const ::onnx::OpSchema &schema_;
  std::map<std::string, std::tuple<Type, size_t, const char *>> bound_;
};

} // namespace

LogicalResult verifyAgainstSchema(Operation *op) {
  StringRef name = op->getName().stripDialect();
  const ::onnx::OpSchema *schema =
      ::onnx::OpSchemaRegistry::Schema(name.str(), kCanonicalOpset, ::onnx::ONNX_DOMAIN);
  if (!schema)
    return success(); // Generated from the same registry: cannot happen unless libonnx changed.

  // Missing optional inputs are `none` operands, so only variadics can be short.
  int numInputs = 0;
  for (Value v : op->getOperands())
    numInputs += isa<NoneType>(v.getType()) ? 0 : 1;
  if (op->getNumOperands() < static_cast<unsigned>(schema->min_input()))
    return op->emitOpError() << "expects at least " << schema->min_input() << " inputs, got "
                             << numInputs;
  if (op->getNumOperands() > static_cast<unsigned>(schema->max_input()))
    return op->emitOpError() << "expects at most " << schema->max_input() << " inputs, got "
                             << op->getNumOperands();

  TypeParamChecker checker(op, *schema);
  if (failed(checker.bind(schema->inputs(), op->getOperands(), "operand")) ||
      failed(checker.bind(schema->outputs(), op->getResults(), "result")))
    return failure();
  return success();
}

} // namespace smelt::onnx
