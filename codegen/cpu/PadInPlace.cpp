//===- PadInPlace.cpp - producers write into the padded buffer ------------===//
//
// A convolution's zero padding (tensor.pad) bufferizes to a new buffer,
// filled, and a copy of the unpadded value into its interior: a full trip
// through memory per padded convolution (MobileNet V2's depthwise inputs,
// 112x112x96: 4% of its time). Here each pad of a value that only the pad
// uses becomes a fill of the padded tensor, made right before the value's
// producer, and an insert_slice of the value into it. Empty-tensor
// elimination then hands the producer the interior of the padded buffer
// as its destination, and smelt-cpu-fill-pad-borders leaves the fill only
// the border: the producer writes the padded buffer itself.
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

namespace smelt {
#define GEN_PASS_DEF_SMELTCPUPADINPLACE
#include "codegen/cpu/Passes.h.inc"
} // namespace smelt

using namespace mlir;

namespace smelt {
namespace {

/// `pad` as a fill of the padded tensor (before the producer of its
/// source) and an insert_slice of the source into it (where `pad` was).
void padInPlace(RewriterBase &rewriter, tensor::PadOp pad, TypedAttr padding) {
  Value source = pad.getSource();
  RankedTensorType padded = pad.getResultType();
  rewriter.setInsertionPoint(source.getDefiningOp());
  Location loc = pad.getLoc();
  Value value = arith::ConstantOp::create(rewriter, loc, padding);
  Value empty = tensor::EmptyOp::create(rewriter, loc, padded.getShape(), padded.getElementType());
  Value filled = linalg::FillOp::create(rewriter, loc, value, empty).getResult(0);
  rewriter.setInsertionPoint(pad);
  auto sourceType = cast<RankedTensorType>(source.getType());
  SmallVector<OpFoldResult> offsets = pad.getMixedLowPad();
  SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(rewriter.getContext(), sourceType.getShape());
  SmallVector<OpFoldResult> strides(sourceType.getRank(), rewriter.getIndexAttr(1));
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(pad, source, filled, offsets, sizes, strides);
}

class PadInPlacePass : public impl::SmeltCpuPadInPlaceBase<PadInPlacePass> {
  void runOnOperation() override {
    SmallVector<std::pair<tensor::PadOp, TypedAttr>> pads;
    getOperation().walk([&](tensor::PadOp pad) {
      Value source = pad.getSource();
      Operation *producer = source.getDefiningOp();
      TypedAttr padding;
      Value paddingValue = pad.getConstantPaddingValue();
      // A producer that writes a destination (its result can be computed
      // in place), of this value alone, in the pad's block; static shapes.
      if (!producer || !isa<DestinationStyleOpInterface>(producer) || !source.hasOneUse() ||
          producer->getBlock() != pad->getBlock() || !pad.getResultType().hasStaticShape() ||
          !cast<RankedTensorType>(source.getType()).hasStaticShape() ||
          pad.getNofold() || !paddingValue || !matchPattern(paddingValue, m_Constant(&padding)))
        return;
      pads.push_back({pad, padding});
    });
    IRRewriter rewriter(&getContext());
    for (auto [pad, padding] : pads)
      padInPlace(rewriter, pad, padding);
  }
};

} // namespace
} // namespace smelt
