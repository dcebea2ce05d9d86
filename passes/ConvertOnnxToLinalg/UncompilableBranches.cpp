//===- UncompilableBranches.cpp - If branches these shapes never take -----===//
#include "passes/ConvertOnnxToLinalg/UncompilableBranches.h"

#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;

namespace smelt {

std::string typeObstacle(Operation *op, bool dynamicOk) {
  auto accepted = [&](Type type) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    return !isa<TensorType>(type) || (ranked && (dynamicOk || ranked.hasStaticShape()));
  };
  auto describe = [](StringRef what, Type type) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << what << " type " << type
       << " is not static; dynamic shapes are not supported by the code generator yet for "
          "this operator (fix input dims with --shape NAME=d0,d1,...)";
    return text;
  };
  for (Type type : op->getResultTypes())
    if (!isa<NoneType>(type) && (!isa<RankedTensorType>(type) || !accepted(type)))
      return describe("result", type);
  for (Type type : op->getOperandTypes())
    if (!accepted(type))
      return describe("operand", type);
  return "";
}

namespace {

/// Whether every result of `op` is a ranked tensor of int or float elements:
/// then a replaced branch can yield zeros of its types.
bool yieldsZerosOfEveryResult(onnx::IfOp op) {
  return llvm::all_of(op.getResultTypes(), [](Type type) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    return ranked && ranked.getElementType().isIntOrFloat();
  });
}

/// Empties `branch` of `op` and makes it fail with `message` and yield zeros.
void replaceWithFailure(onnx::IfOp op, Region &branch, const std::string &message) {
  Block &block = branch.front();
  for (Operation &inner : llvm::make_early_inc_range(llvm::reverse(block))) {
    inner.dropAllDefinedValueUses();
    inner.erase();
  }
  OpBuilder b = OpBuilder::atBlockEnd(&block);
  Location loc = op.getLoc();
  cf::AssertOp::create(b, loc, arith::ConstantIntOp::create(b, loc, 0, 1), message);
  SmallVector<Value> zeros;
  for (Type type : op.getResultTypes()) {
    auto ranked = cast<RankedTensorType>(type);
    SmallVector<int64_t> dims(ranked.getShape());
    for (int64_t &d : dims)
      d = ShapedType::isDynamic(d) ? 0 : d;
    auto zeroType = RankedTensorType::get(dims, ranked.getElementType());
    auto value = DenseElementsAttr::get(zeroType, b.getZeroAttr(ranked.getElementType()));
    zeros.push_back(onnx::ConstantOp::create(b, loc, TypeRange{zeroType}, ValueRange{},
                                             {b.getNamedAttr("value", value)}));
  }
  onnx::YieldOp::create(b, loc, zeros);
}

} // namespace

void failUncompilableBranches(func::FuncOp func, function_ref<bool(Operation *)> dynamicOk) {
  // Branch -> the first obstacle in it; outer branches first (pre-order), so
  // an obstacle inside an already chosen branch goes with it.
  llvm::MapVector<Region *, std::pair<onnx::IfOp, std::string>> branches;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (!isa<onnx::OnnxDialect>(op->getDialect()))
      return;
    std::string obstacle = typeObstacle(op, dynamicOk(op));
    if (obstacle.empty())
      return;
    onnx::IfOp chosen;
    Region *branch = nullptr;
    for (Operation *child = op; Operation *parent = child->getParentOp(); child = parent) {
      auto ifOp = dyn_cast<onnx::IfOp>(parent);
      if (ifOp && yieldsZerosOfEveryResult(ifOp) && typeObstacle(ifOp, true).empty()) {
        chosen = ifOp;
        branch = child->getParentRegion();
        break;
      }
    }
    if (!chosen)
      return;
    for (Region *outer = branch; outer; outer = outer->getParentRegion())
      if (branches.contains(outer))
        return;
    branches.insert({branch, {chosen, describeNode(op) + ": " + obstacle}});
  });
  // An If neither of whose branches can run is no guard: the op is reported
  // at compile time (by the caller's check), as outside any If.
  for (auto &[branch, entry] : branches) {
    onnx::IfOp ifOp = entry.first;
    Region &other = branch == &ifOp.getThenBranch() ? ifOp.getElseBranch() : ifOp.getThenBranch();
    if (branches.contains(&other))
      return;
  }
  for (auto &[branch, entry] : branches) {
    auto &[ifOp, why] = entry;
    const char *which = branch == &ifOp.getThenBranch() ? "then" : "else";
    std::string message = describeNode(ifOp) + ": its " + which +
                          " branch cannot run with these input shapes (" + why + ")";
    emitWarning(ifOp.getLoc()) << message << "; taking it at run time fails with this message";
    replaceWithFailure(ifOp, *branch, message);
  }
}

} // namespace smelt
