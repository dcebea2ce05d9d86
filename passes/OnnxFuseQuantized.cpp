//===- OnnxFuseQuantized.cpp - QDQ groups to quantized operators ----------===//
//
// Quantization tools (ONNX Runtime's quantize_static, PyTorch's exporter,
// TensorRT's toolkit) write int8 models in the QDQ format: every quantized
// Conv or MatMul reads DequantizeLinear outputs and feeds one
// QuantizeLinear, and runs in float as written. ONNX Runtime fuses each such
// group into its integer operator; so does this pass, into QLinearConv and
// QLinearMatMul, which code generation runs on the byte product and the
// dot-product kernels. The integer sum is exact where the float one rounds,
// so results may differ from the unfused model by one quantization step
// where a value lies on a rounding boundary, as ONNX Runtime's do.
//
//===----------------------------------------------------------------------===//
#include "passes/ConstantData.h"
#include "passes/OnnxBuilder.h"
#include "passes/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cstring>

namespace smelt {
#define GEN_PASS_DEF_ONNXFUSEQUANTIZED
#include "passes/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// Whether an optional operand is absent: left out of the op (null) or none-typed.
bool isNone(Value value) { return !value || isa<NoneType>(value.getType()); }

bool hasByteElements(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getElementType().isInteger(8);
}

/// Static elements of a ranked 0-D or 1-D tensor, or -1.
int64_t elementsOf(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > 1)
    return -1;
  return type.getNumElements();
}

/// A DequantizeLinear of 8-bit values whose scale (and zero point) has
/// one element, or `perAxis` elements along `axis` (when perAxis > 1).
onnx::DequantizeLinearOp dequantized(Value value, int64_t perAxis = 1, int64_t axis = 0) {
  auto dq = value.getDefiningOp<onnx::DequantizeLinearOp>();
  if (!dq || !hasByteElements(dq.getX()))
    return nullptr;
  int64_t scales = elementsOf(dq.getXScale());
  if (scales == 1)
    return dq;
  auto xType = cast<RankedTensorType>(dq.getX().getType());
  int64_t dqAxis = dq.getAxis() < 0 ? dq.getAxis() + xType.getRank() : dq.getAxis();
  return scales == perAxis && perAxis > 1 && dqAxis == axis ? dq : nullptr;
}

/// The QuantizeLinear that is the only user of `value`, quantizing per
/// tensor to 8 bits.
onnx::QuantizeLinearOp soleQuantizer(Value value) {
  if (!value.hasOneUse())
    return nullptr;
  auto q = dyn_cast<onnx::QuantizeLinearOp>(*value.getUsers().begin());
  if (!q || !hasByteElements(q.getY()) || elementsOf(q.getYScale()) != 1)
    return nullptr;
  return q;
}

/// `zeroPoint`, or a zero of `bytes`'s element type where it is absent.
Value zeroPointOr(PatternRewriter &rewriter, Location loc, Value zeroPoint, Value bytes) {
  if (!isNone(zeroPoint))
    return zeroPoint;
  auto type = RankedTensorType::get({}, cast<RankedTensorType>(bytes.getType()).getElementType());
  Attribute zero = DenseElementsAttr::get(type, APInt(8, 0));
  return createOnnxValue(rewriter, loc, "Constant", {}, type,
                         {rewriter.getNamedAttr("value", zero)});
}

/// The value of the onnx.Constant behind `value`, or null.
Attribute constantOf(Value value) {
  auto constant = value.getDefiningOp<onnx::ConstantOp>();
  return constant ? constant.getValueAttr() : Attribute();
}

/// The values of a constant f32 tensor (inline or a resource blob, as the
/// importer stores initializers of more than 64 elements), or nothing.
std::optional<SmallVector<float>> constantFloats(Value value) {
  Attribute constant = constantOf(value);
  auto type = dyn_cast_if_present<ShapedType>(
      constant ? cast<TypedAttr>(constant).getType() : Type());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  if (auto splat = dyn_cast<SplatElementsAttr>(constant))
    return SmallVector<float>(type.getNumElements(), splat.getSplatValue<float>());
  std::optional<ArrayRef<char>> bytes = constantBytes(constant);
  if (!bytes)
    return std::nullopt;
  SmallVector<float> values(type.getNumElements());
  std::memcpy(values.data(), bytes->data(), values.size() * sizeof(float));
  return values;
}

/// Whether `value` is a constant whose every byte is zero (integer zeros).
bool isZeroConstant(Value value) {
  Attribute constant = constantOf(value);
  if (auto splat = dyn_cast_if_present<SplatElementsAttr>(constant))
    return isa<IntegerType>(splat.getElementType()) && splat.getSplatValue<APInt>().isZero();
  std::optional<ArrayRef<char>> bytes = constantBytes(constant);
  return bytes && llvm::all_of(*bytes, [](char c) { return c == 0; });
}

/// Whether the int32 bias DequantizeLinear `bias` has zero points of zero
/// and the scale x_scale * w_scale (per filter) that QLinearConv assumes,
/// all constants; the float32 product must match to the last bit but one.
bool isProductScaled(onnx::DequantizeLinearOp bias, Value xScale, Value wScale) {
  if (!isNone(bias.getXZeroPoint()) && !isZeroConstant(bias.getXZeroPoint()))
    return false;
  std::optional<SmallVector<float>> bs = constantFloats(bias.getXScale());
  std::optional<SmallVector<float>> xs = constantFloats(xScale);
  std::optional<SmallVector<float>> ws = constantFloats(wScale);
  if (!bs || !xs || !ws || xs->size() != 1 || (ws->size() != 1 && ws->size() != bs->size()))
    return false;
  for (size_t f = 0; f < bs->size(); ++f) {
    float expected = (*xs)[0] * (*ws)[ws->size() == 1 ? 0 : f];
    if (std::abs((*bs)[f] - expected) > 2e-7f * std::abs(expected))
      return false;
  }
  return true;
}

/// The first eight operands of QLinearConv and QLinearMatMul: each input's
/// quantized tensor, scale and zero point, then the output's scale and zero
/// point.
SmallVector<Value> quantizedOperands(PatternRewriter &rewriter, Location loc,
                                     onnx::DequantizeLinearOp a, onnx::DequantizeLinearOp b,
                                     onnx::QuantizeLinearOp y) {
  return {a.getX(), a.getXScale(), zeroPointOr(rewriter, loc, a.getXZeroPoint(), a.getX()),
          b.getX(), b.getXScale(), zeroPointOr(rewriter, loc, b.getXZeroPoint(), b.getX()),
          y.getYScale(), zeroPointOr(rewriter, loc, y.getYZeroPoint(), y.getY())};
}

/// Q(Conv(DQ(x), DQ(w), DQ(bias)?)) -> QLinearConv.
struct FuseConv : OpRewritePattern<onnx::ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::ConvOp conv, PatternRewriter &rewriter) const override {
    auto wType = dyn_cast<RankedTensorType>(conv.getW().getType());
    if (!wType || !wType.hasStaticShape())
      return failure();
    onnx::DequantizeLinearOp x = dequantized(conv.getX());
    onnx::DequantizeLinearOp w = dequantized(conv.getW(), wType.getDimSize(0), 0);
    onnx::QuantizeLinearOp y = soleQuantizer(conv.getY());
    if (!x || !w || !y)
      return rewriter.notifyMatchFailure(conv, "not a QDQ group");
    Value bias = conv.getB();
    if (!isNone(bias)) {
      auto dq = bias.getDefiningOp<onnx::DequantizeLinearOp>();
      auto biasType = dq ? dyn_cast<RankedTensorType>(dq.getX().getType()) : RankedTensorType();
      if (!biasType || !biasType.getElementType().isInteger(32) ||
          !isProductScaled(dq, x.getXScale(), w.getXScale()))
        return rewriter.notifyMatchFailure(conv, "bias not quantized with x_scale * w_scale");
      bias = dq.getX();
    }
    Location loc = conv.getLoc();
    SmallVector<Value> operands = quantizedOperands(rewriter, loc, x, w, y);
    if (!isNone(bias))
      operands.push_back(bias);
    Value fused = createOnnxValue(rewriter, loc, "QLinearConv", operands, y.getY().getType(),
                                  conv->getAttrs());
    rewriter.replaceOp(y, fused);
    return success();
  }
};

/// Q(MatMul(DQ(a), DQ(b))) -> QLinearMatMul, B's scale per tensor or per
/// column of a 2-D B.
struct FuseMatMul : OpRewritePattern<onnx::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(onnx::MatMulOp matmul, PatternRewriter &rewriter) const override {
    auto bType = dyn_cast<RankedTensorType>(matmul.getB().getType());
    if (!bType || !bType.hasStaticShape())
      return failure();
    int64_t columns = bType.getRank() == 2 ? bType.getDimSize(1) : 1;
    onnx::DequantizeLinearOp a = dequantized(matmul.getA());
    onnx::DequantizeLinearOp b = dequantized(matmul.getB(), columns, 1);
    onnx::QuantizeLinearOp y = soleQuantizer(matmul.getY());
    if (!a || !b || !y)
      return rewriter.notifyMatchFailure(matmul, "not a QDQ group");
    Location loc = matmul.getLoc();
    SmallVector<Value> operands = quantizedOperands(rewriter, loc, a, b, y);
    rewriter.replaceOp(y, createOnnxValue(rewriter, loc, "QLinearMatMul", operands,
                                          y.getY().getType()));
    return success();
  }
};

class OnnxFuseQuantizedPass : public impl::OnnxFuseQuantizedBase<OnnxFuseQuantizedPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseConv, FuseMatMul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace smelt
