//===- TileFusion.h - elementwise neighbours into contraction tiles -*- C++ -*-===//
//
// A convolution or matrix product is usually framed by two elementwise
// passes over its whole output: the one that initializes it (the bias
// broadcast, or a zero fill) and the one that consumes it (the activation,
// a residual Add). On their own each is a full trip through memory, and in
// the early layers of a CNN (112x112 and 56x56 activations, a few MB each)
// those trips cost about as much as the product. Fused, the prologue runs
// on one register tile right before the tile's reduction and the epilogue
// right after it, while the tile is in L1 (in registers once vectorized).
//
// smelt-cpu-mark-tile-fusion picks the pairs, on buffers, after the direct
// convolutions exist and before loops are collapsed; the fusion itself
// happens in smelt-cpu-tile-and-vectorize, once the register tiles exist.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_TILEFUSION_H
#define SMELT_CODEGEN_CPU_TILEFUSION_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace smelt {

/// The contraction of fusion group N carries kFusionGroupAttr = N; its
/// prologue kFusedPrologueAttr = N and its epilogue kFusedEpilogueAttr = N.
inline constexpr llvm::StringLiteral kFusionGroupAttr = "smelt.fusion_group";
inline constexpr llvm::StringLiteral kFusedPrologueAttr = "smelt.fused_prologue";
inline constexpr llvm::StringLiteral kFusedEpilogueAttr = "smelt.fused_epilogue";

/// Whether `op` is marked as the prologue or epilogue of a contraction
/// (other kernels leave it alone: it goes away with the fusion).
bool isFusedIntoTiles(mlir::Operation *op);

/// The ops of one fusion group (either neighbour may be null).
struct TileNeighbours {
  mlir::linalg::LinalgOp prologue, epilogue;
};

/// Clones `neighbours` around `tile`, a tile of the group's contraction
/// (its output a chain of unit-stride subviews of the contraction's
/// output): the prologue restricted to the tile's output right before it,
/// the epilogue right after. Appends the clones to `fused`.
mlir::LogicalResult fuseAroundTile(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp tile,
                                   mlir::Value output, const TileNeighbours &neighbours,
                                   llvm::SmallVectorImpl<mlir::Operation *> &fused);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_TILEFUSION_H
