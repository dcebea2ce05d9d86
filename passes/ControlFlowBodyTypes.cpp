//===- ControlFlowBodyTypes.cpp - types inside Loop and Scan bodies -------===//
//
// The importer leaves the types inside Loop and Scan bodies unknown where the
// model does not declare them. Here the body arguments take the types the op
// feeds them, and the results the types the body yields, then shape inference
// runs again, so the body's ops are as typed as the rest of the graph.
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"
#include "passes/Passes.h"

using namespace mlir;

namespace smelt {
namespace {

/// The more precise of a value's current type and `candidate`: an unranked
/// tensor (the importer's placeholder) takes a ranked candidate of its
/// element type; anything else stays.
bool refineType(Value value, Type candidate) {
  auto current = dyn_cast<UnrankedTensorType>(value.getType());
  auto ranked = dyn_cast_or_null<RankedTensorType>(candidate);
  if (!current || !ranked || current.getElementType() != ranked.getElementType())
    return false;
  value.setType(ranked);
  return true;
}

/// Types the arguments of Loop and Scan bodies, and their results from
/// what the bodies yield; returns whether anything changed.
bool refineBodySignatures(func::FuncOp func) {
  bool changed = false;
  MLIRContext *ctx = func.getContext();
  func.walk([&](Operation *op) {
    if (auto loop = dyn_cast<onnx::LoopOp>(op)) {
      Block &body = loop.getBody().front();
      auto yield = cast<onnx::YieldOp>(body.getTerminator());
      unsigned numCarried = loop.getVInitial().size();
      if (body.getNumArguments() != 2 + numCarried ||
          yield.getNumOperands() != loop.getNumResults() + 1)
        return;
      changed |= refineType(body.getArgument(0), RankedTensorType::get({}, IntegerType::get(ctx, 64)));
      changed |= refineType(body.getArgument(1), RankedTensorType::get({}, IntegerType::get(ctx, 1)));
      for (unsigned k = 0; k < numCarried; ++k) {
        changed |= refineType(body.getArgument(2 + k), loop.getVInitial()[k].getType());
        changed |= refineType(loop.getResult(k), yield.getOperand(1 + k).getType());
      }
      // Scan outputs stack one row per iteration: their length is static
      // only for a constant trip count without a condition.
      SmallVector<int64_t> trip;
      int64_t count = ShapedType::kDynamic;
      if (isa<NoneType>(loop.getCond().getType()) && succeeded(getConstantInts(loop.getM(), trip)) &&
          trip.size() == 1)
        count = trip[0];
      for (unsigned j = numCarried; j < loop.getNumResults(); ++j)
        if (auto row = dyn_cast<RankedTensorType>(yield.getOperand(1 + j).getType()))
          changed |= refineType(loop.getResult(j), insertDim(row, 0, count));
      return;
    }
    if (auto scan = dyn_cast<onnx::ScanOp>(op)) {
      Block &body = scan.getBody().front();
      auto yield = cast<onnx::YieldOp>(body.getTerminator());
      ValueRange operands = scan.getInitialStateAndScanInputs();
      int64_t numInputs = scan.getNumScanInputs();
      int64_t numStates = static_cast<int64_t>(operands.size()) - numInputs;
      if (numStates < 0 || body.getNumArguments() != operands.size() ||
          yield.getNumOperands() != scan.getNumResults())
        return;
      std::optional<ArrayRef<int64_t>> inAxes = scan.getScanInputAxes();
      std::optional<ArrayRef<int64_t>> outAxes = scan.getScanOutputAxes();
      int64_t length = ShapedType::kDynamic;
      for (int64_t k = 0; k < static_cast<int64_t>(operands.size()); ++k) {
        if (k < numStates) {
          changed |= refineType(body.getArgument(k), operands[k].getType());
          changed |= refineType(scan.getResult(k), yield.getOperand(k).getType());
          continue;
        }
        auto type = dyn_cast<RankedTensorType>(operands[k].getType());
        int64_t i = k - numStates;
        int64_t axis = inAxes && i < static_cast<int64_t>(inAxes->size()) ? (*inAxes)[i] : 0;
        if (!type || normalizeAxis(axis, type.getRank()) < 0 ||
            normalizeAxis(axis, type.getRank()) >= type.getRank())
          continue;
        axis = normalizeAxis(axis, type.getRank());
        length = type.getDimSize(axis);
        changed |= refineType(body.getArgument(k), dropDim(type, axis));
      }
      for (int64_t j = numStates; j < static_cast<int64_t>(scan.getNumResults()); ++j) {
        auto row = dyn_cast<RankedTensorType>(yield.getOperand(j).getType());
        int64_t i = j - numStates;
        int64_t axis = outAxes && i < static_cast<int64_t>(outAxes->size()) ? (*outAxes)[i] : 0;
        if (!row || normalizeAxis(axis, row.getRank() + 1) < 0 ||
            normalizeAxis(axis, row.getRank() + 1) > row.getRank())
          continue;
        changed |= refineType(scan.getResult(j),
                              insertDim(row, normalizeAxis(axis, row.getRank() + 1), length));
      }
    }
  });
  return changed;
}

} // namespace

LogicalResult refineControlFlowBodies(func::FuncOp func) {
  if (!func.walk([](Operation *op) {
             return isa<onnx::LoopOp, onnx::ScanOp>(op) ? WalkResult::interrupt()
                                                        : WalkResult::advance();
           }).wasInterrupted())
    return success();
  // Each round types one more level of nesting (or what a result feeds).
  for (int round = 0; round < 8; ++round) {
    bool changed = refineBodySignatures(func);
    FailureOr<bool> refined = refineOnnxShapes(func);
    if (failed(refined))
      return failure();
    if (!changed && !*refined)
      break;
  }
  return success();
}

} // namespace smelt
