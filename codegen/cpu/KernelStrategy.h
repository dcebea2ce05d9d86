//===- KernelStrategy.h - tile sizes per op, keyed on the target -*- C++ -*-===//
//
// The one place that decides how each kind of linalg op is tiled for a CPU
// (as IREE's LLVMCPU KernelDispatch does). Passes ask; they never choose
// sizes themselves.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_KERNELSTRATEGY_H
#define SMELT_CODEGEN_CPU_KERNELSTRATEGY_H

#include "codegen/cpu/CpuTarget.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace smelt {

/// One level of tiling: a size per loop of the op (0: not tiled at this
/// level) and the order of the tile loops that are created (outermost first,
/// as loop positions of the op).
struct TileLevel {
  llvm::SmallVector<int64_t> sizes;
  llvm::SmallVector<int64_t> order;
};

/// A contraction (matmul, batched matmul, Gemm) as a register-blocked
/// kernel: cache blocks, then an M x N register tile whose accumulators stay
/// in vector registers across the reduction, then the reduction one step at a
/// time (each step a rank-1 update: broadcast A, FMA with a row of B; see
/// chooseRegisterTileSteps).
struct ContractionStrategy {
  TileLevel cache;     ///< batch 1, N, K and M blocks that fit the caches
  TileLevel registers; ///< the M x N register tile
  int64_t registerM = 0, registerN = 0;
};

/// The strategy for `op` on `target`, or nothing when the op is left to the
/// generic loop lowering (not a contraction, dynamic shapes, a type without
/// a vector kernel yet).
std::optional<ContractionStrategy> chooseContractionStrategy(const CpuTarget &target,
                                                             mlir::linalg::LinalgOp op);

/// Data tiling of a matrix product C[M,N] += A[M,K] * B[K,N] (a static f32
/// linalg.matmul on tensors): A packed into M/m0 x K panels of m0 x 1
/// (linalg.pack), B into N/n0 x K panels of n0 x 1, a linalg.mmt4d of
/// the panels into C packed as m0 x n0 tiles, and C unpacked. The inner
/// tiles are the register tile, so every panel the kernel reads is
/// contiguous; constant operands (weights) are packed at compile time.
/// Nothing for products too small to pay for the packing, with an operand
/// packed at run time that the product reads fewer than kMinPackReuse
/// times (a batch-1 product with a run-time B), or with an operand packed
/// at run time and a reduction of at most kMaxUnpackedK steps: the
/// kernel's row-major panel of B (K rows of a register tile) and the A rows
/// it broadcasts then fit the L1 cache as they are, and packing would only
/// add copies of the activations and of the result (narrow 1x1
/// convolutions: MobileNet V2 ran 12% faster without them). Nor with an
/// operand packed at run time and at most kMaxUnpackedN columns: A's pack
/// and C's unpack copy M x (K + N) elements for M x N x K multiply-adds,
/// too many where N is small (the projections of inverted residual blocks,
/// K = 960 to N = 160: EfficientNet-B0 and MobileNetV2 ran 4% faster, and
/// ResNet-50 1% faster, than with only K deciding).
struct DataTiles {
  int64_t m0 = 0, n0 = 0;
};
constexpr int64_t kMinDataTilingWork = 1 << 16;
constexpr int64_t kMinPackReuse = 16;
constexpr int64_t kMaxUnpackedK = 128;
constexpr int64_t kMaxUnpackedN = 160;
std::optional<DataTiles> chooseDataTiles(const CpuTarget &target, mlir::linalg::MatmulOp op);

/// The filter panel width n0 of a channels-last convolution that runs
/// direct with its constant HWCF filters packed at compile time as
/// [F/n0][KH][KW][C][n0] (smelt-cpu-data-tiling): the register tile's
/// filters of one tap and channel are then one contiguous run, and each
/// panel of filters a run of KH*KW runs of C*n0 floats. Only for filters
/// over kL2FilterBytes: they do not stay in the L2 cache from one
/// inference to the next and stream from memory, where the HWCF layout
/// reads n0 floats per row of F (ResNet-50's 3x3 and strided 1x1
/// convolutions at 14x14 and 7x7, 2 to 9 MiB each). Nothing for the
/// others. Where F is not a multiple of n0 the last panel is padded with
/// zero filters (SSDLite's 546-class heads).
constexpr int64_t kL2FilterBytes = 256 * 1024;
std::optional<int64_t> choosePackedFilterTile(const CpuTarget &target,
                                              mlir::linalg::Conv2DNhwcHwcfOp op);

/// The byte product of quantized MatMuls and convolutions (out[m, n] +=
/// a[m, k] * b[k, n] in i32, one operand's bytes unsigned and the other's
/// signed; see passes/ConvertOnnxToLinalg/ByteMatMul.cpp) on
/// the target's integer dot-product instruction. Its operands are packed as
/// for mmt4d with k0 bytes of the reduction innermost: A into [M/m0][K/k0]
/// panels of m0 x k0, B into [N/n0][K/k0] panels of n0 x k0. Each step of
/// the kernel broadcasts k0 bytes of an A row over a vector and multiplies
/// them with the k0 bytes of each of `lanes` columns of B, summed into one
/// i32 lane:
/// - Vnni: vpdpbusd (AVX512-VNNI, AVX-VNNI), k0 = 4;
/// - PairsInt16: vpmaddwd (AVX2) on bytes widened to i16 once, when they
///   are packed (weights at compile time), so that the kernel loads B's
///   pairs and broadcasts A's with no widening in its loop, k0 = 2;
/// - Widen: bytes widened to i32 and a multiply-add (any other target), k0 = 1.
/// The register tile is m0 rows x n0 = two vectors of i32.
enum class ByteDot { Vnni, PairsInt16, Widen };
struct ByteTiles {
  ByteDot dot = ByteDot::Widen;
  int64_t m0 = 0, n0 = 0, k0 = 0;
  int64_t lanes = 0;        ///< i32 lanes of one vector
  unsigned packedBits = 8;  ///< Of A's and B's packed elements: 8, or 16 (PairsInt16)
};

/// The dot-product instruction and tiles of byte products on `target`.
ByteTiles chooseByteTiles(const CpuTarget &target);

/// The indexing maps (A, B, out) of the byte product over loops (m, n, k),
/// or of the packed one over (m1, n1, k1, m0, n0, k0).
llvm::SmallVector<mlir::AffineMap> byteProductMaps(mlir::MLIRContext *context, bool packed);

/// The iterator types of the byte product's loops (m, n, k), or of the
/// packed one's (m1, n1, k1, m0, n0, k0): the k loops reduce.
llvm::SmallVector<mlir::utils::IteratorType> byteProductIterators(bool packed);

/// Whether `op` is the byte product: loops (m, n, k) (`packed`: the mmt4d
/// loops (m1, n1, k1, m0, n0, k0)), i8 inputs (`packed`: or both i16, the
/// bytes widened as the extensions of the body widen them), an i32 output
/// and the body `out + extui(a) * extsi(b)` or `out + extsi(a) * extui(b)`;
/// `unsignedA` (when given) tells which.
bool isByteProduct(mlir::linalg::LinalgOp op, bool packed, bool *unsignedA = nullptr);

/// Whether a static byte product on tensors is worth packing: enough work
/// (kMinDataTilingWork) and each run-time packed operand read at least
/// kMinPackReuse times.
bool shouldDataTileBytes(mlir::linalg::LinalgOp op);

/// A static copy (slices, pads, im2col rows, and transposes that keep the
/// innermost dim in place, such as packing panels) as vector loads and
/// stores: outer dims one at a time, the innermost in chunks that stay
/// vectors. Nothing for other ops and dynamic shapes.
std::optional<TileLevel> chooseCopyTiles(const CpuTarget &target, mlir::linalg::LinalgOp copy);

/// An elementwise op, or a reduction along its last loop (a row sum, max,
/// mean...), as vector code one chunk of a row at a time: every loop but
/// the last tiled by 1, the last in chunks of one or two vectors. Needs
/// static buffers of f32 or 8-, 16- or 32-bit integers (quantizing and
/// integer sums too), a body of arith and math ops, and the last loop
/// contiguous: the last index of every operand that it indexes (the output
/// too, unless it is the reduction); other operands are broadcast along the
/// row. Nothing for rows shorter than a vector, other reductions, and
/// contractions (they have their own kernels).
std::optional<TileLevel> chooseRowTiles(const CpuTarget &target, mlir::linalg::LinalgOp op);

/// How a static loop nest without a vector kernel (elementwise ops, pooling,
/// depthwise and grouped convolutions, reductions) is shared between
/// threads: one tile loop over its first parallel dim of extent > 1 that
/// every output indexes directly (so tiles write disjoint elements), with at
/// most kParallelTiles tiles (of equal size where the extent allows; the
/// runtime hands them to the threads in contiguous chunks). Nothing for dynamic
/// shapes, fills, or ops of fewer than kMinParallelWork
/// iterations in all (an iteration with a math function, such as exp,
/// counting kMathIterationCost), where waking threads would cost more than
/// it saves.
constexpr int64_t kParallelTiles = 16;
constexpr int64_t kMinParallelWork = 1 << 17;
constexpr int64_t kMathIterationCost = 8;
std::optional<TileLevel> chooseParallelTiles(mlir::linalg::LinalgOp op);

/// Whether every op of `op`'s body is plain arithmetic or a math function
/// that stays vector code (no libm call per element).
bool hasArithmeticBody(mlir::linalg::LinalgOp op);

/// The body of a float multiply-accumulate generic, out + in0 * in1 (the
/// form the contraction and window kernels recognise): a generic's body
/// builder.
void yieldMultiplyAccumulate(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange args);

/// Whether `op` is a contraction with M, N and K dims (a matrix product,
/// possibly batched), not just a multiply-accumulate over some loops.
bool hasMatrixProductDims(mlir::linalg::LinalgOp op);

/// A windowed multiply-accumulate that is not a contraction (a direct
/// depthwise convolution: out[n, c, oh, ow] += w[c, kh, kw] * in[n, c, kh,
/// kw, oh, ow], every operand indexed by the channel): a block of output
/// rows (the last two parallel dims, the last one contiguous in every
/// operand that has it) kept in registers across the reduction loops, one
/// tile per step of the outer parallel dims (the outermost of those shared
/// between threads). Nothing for other ops.
std::optional<ContractionStrategy> chooseWindowStrategy(const CpuTarget &target,
                                                        mlir::linalg::LinalgOp op);

/// For one register tile of a contraction (possibly inside a partial cache
/// block, so its reduction extent may be dynamic): the steps that leave a
/// static vector kernel, i.e. every reduction loop by 1. Nothing when a
/// parallel size is dynamic (that tile stays scalar loops).
std::optional<TileLevel> chooseRegisterTileSteps(mlir::linalg::LinalgOp tile);

/// How a 2-D NCHW convolution runs on `target`. Direct: with a unit width
/// stride, each output row is a contraction of the filters with rows of the
/// input itself (smelt-cpu-direct-conv reads them through a view, no copy).
/// Otherwise as a matrix product of the filters (F x C*KH*KW) and the
/// input's im2col matrix (C*KH*KW x OH*OW, the input itself for 1x1 stride-1
/// kernels), which the contraction kernel then covers. Nothing: the
/// convolution stays a loop nest (dynamic shapes, non-f32 types, or an
/// im2col matrix of one output row over `kMaxIm2colBytes`). Larger im2col
/// matrices are first split into blocks of output rows that stay under that
/// size. Types alone decide, so the answer is the same on tensors and on
/// buffers.
struct ConvStrategy {
  bool direct = false;    ///< no im2col matrix: a contraction over an input view
  bool im2colCopy = true; ///< false: the input already is the im2col matrix
  int64_t rowBlock = 0;   ///< output rows per block (0: all at once)
};
constexpr int64_t kMaxIm2colBytes = 16 << 20;
std::optional<ConvStrategy> chooseConvStrategy(const CpuTarget &target,
                                               mlir::linalg::Conv2DNchwFchwOp op);

/// How a channels-last 2-D convolution runs: direct (smelt-cpu-direct-conv),
/// 1x1 ones included. Nothing for dynamic shapes and non-f32 types (a loop
/// nest).
std::optional<ConvStrategy> chooseConvStrategy(const CpuTarget &target,
                                               mlir::linalg::Conv2DNhwcHwcfOp op);

/// Whether a 2-D depthwise convolution runs direct (smelt-cpu-direct-conv:
/// a multiply-accumulate over a view of its input, for the window kernel):
/// static f32 shapes, a unit width stride (consecutive outputs read
/// consecutive inputs) and output rows of at least 4 columns. Rows shorter
/// than a vector still beat the loop nest (measured: MobileNetV3's 5x5
/// layers at 14x14 and 7x7). Types alone decide.
bool isDirectDepthwise(mlir::linalg::DepthwiseConv2DNchwChwOp op);

/// Whether a channels-last depthwise convolution runs direct: static f32
/// shapes, any strides (its vectors run along the channels).
bool isDirectDepthwise(mlir::linalg::DepthwiseConv2DNhwcHwcOp op);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_KERNELSTRATEGY_H
