//===- LoweringUtils.h - shared helpers of convert-onnx-to-linalg -*- C++ -*-===//
//
// What every onnx -> linalg pattern needs: the signless type converter, the
// builder of broadcasting elementwise linalg.generic ops, scalar constants
// and attribute helpers. Patterns live in one file per operator family and
// export a populate...Patterns() function declared here.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_PASSES_CONVERTONNXTOLINALG_LOWERINGUTILS_H
#define SMELT_PASSES_CONVERTONNXTOLINALG_LOWERINGUTILS_H

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace smelt {

/// Converts onnx value types to what linalg/arith accept: unsigned integer
/// element types become signless (signedness is read from the onnx op's
/// original types where it matters), everything else is kept.
class SignlessTypeConverter : public mlir::TypeConverter {
public:
  SignlessTypeConverter();
};

/// Signature of a scalar body: computes one result element from one element
/// of each input (already of the converted, signless types).
using ScalarBodyFn =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// Builds a linalg.generic producing `resultType`, whose inputs are broadcast
/// to it by ONNX (numpy) rules: trailing dims align, dims of size 1 stretch.
/// Where dynamic dims leave open whether an input stretches, the run time
/// decides: a generic with plain maps when all sizes match, else one that
/// reads such inputs at index 0 along their size-1 dims.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType, mlir::ValueRange inputs,
                             ScalarBodyFn body);

/// An empty tensor of a static type.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type);

/// Size of dim `d` of `tensor` as an index: a constant when static.
mlir::Value dimSize(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor, int64_t d);

/// An empty tensor of `type` whose dynamic dims take their sizes from `sizes`
/// (one index value per dim of `type`; entries of static dims are ignored).
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                        mlir::ValueRange sizes);

/// Reshapes `input` to `resultType`; dynamic result dims take their sizes
/// from `sizes` (one index value per result dim), at run time.
mlir::Value reshapeToSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                           mlir::RankedTensorType resultType, mlir::ValueRange sizes);

/// A tensor of `type` filled with `value`.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         mlir::Value value);

/// A tensor of `type` filled with `value`, whose dynamic dims take their sizes
/// from `sizes` (one index value per dim, as for createEmpty).
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         mlir::ValueRange sizes, mlir::Value value);

/// A constant of type index.
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc, int64_t value);

/// An integer or float scalar as an index (floats truncate toward zero;
/// `isUnsigned` integers are zero-extended). Index values pass unchanged.
mlir::Value toIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value, bool isUnsigned);

/// The element at all-zero indices of a tensor of any rank (a scalar operand).
mlir::Value extractScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor);

/// x + y and x * y of two float or two integer scalars of the same type.
mlir::Value addScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value mulScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);

/// Signature of a body computing one element from its iteration indices.
using IndexedBodyFn =
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic without inputs over `resultType` whose body computes each
/// element from the iteration indices. Dynamic result dims take their sizes
/// from `sizes` (one index value per dim; may be empty for static types).
mlir::Value buildIndexedGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::RankedTensorType resultType, mlir::ValueRange sizes,
                                IndexedBodyFn body);
mlir::Value buildIndexedGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::RankedTensorType resultType, IndexedBodyFn body);

/// Scalar constant of a float or integer element type.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, double value);

/// Largest / lowest finite-or-infinite value of a type (for max/min init).
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, bool isUnsigned);
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, bool isUnsigned);

/// Converts a scalar between element types with ONNX Cast semantics.
/// `srcUnsigned`/`dstUnsigned` tell signedness of integer types.
mlir::Value castScalar(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                       mlir::Type dstType, bool srcUnsigned, bool dstUnsigned);

/// Static, ranked, converted result type of `value`, or null if not static.
mlir::RankedTensorType getStaticType(const mlir::TypeConverter &converter, mlir::Value value);

/// Ranked (possibly dynamic) converted type of `value`, or null if unranked.
mlir::RankedTensorType getRankedType(const mlir::TypeConverter &converter, mlir::Value value);

/// Debug label of patterns that also lower ops with dynamic result dims.
constexpr const char *kDynamicShapesLabel = "dynamic-shapes";

/// Base of conversion patterns that also lower ops with dynamic dims: adds
/// kDynamicShapesLabel, so the pass's pre-check lets `?` dims through.
/// Derive and inherit the constructor (`using DynamicShapePattern::DynamicShapePattern;`).
template <typename OpTy>
struct DynamicShapePattern : mlir::OpConversionPattern<OpTy> {
  DynamicShapePattern(const mlir::TypeConverter &converter, mlir::MLIRContext *context,
                      mlir::PatternBenefit benefit = 1)
      : mlir::OpConversionPattern<OpTy>(converter, context, benefit) {
    this->addDebugLabels(kDynamicShapesLabel);
  }
};

/// The type to build a data-dependent result with: the converted type of
/// `result` when it is ranked, else (an unranked placeholder) `rank` dynamic
/// dims of `elem`.
mlir::RankedTensorType dataDependentType(const mlir::TypeConverter &converter,
                                         mlir::Value result, int64_t rank, mlir::Type elem);

/// `value` (with data-dependent `?` dims) as the op's converted result type:
/// a cast to static dims where shape inference knew them; `value` otherwise.
mlir::Value castToResultType(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                             mlir::Type resultType);

/// Whether `type` can hold a value of `shape`: equal ranks, and the dims
/// static in both agree.
bool canHoldShape(mlir::RankedTensorType type, llvm::ArrayRef<int64_t> shape);

/// True when the element type of the (original, onnx) value is unsigned.
bool isUnsignedElement(mlir::Value value);

/// Whether an optional onnx operand is absent (none-typed).
inline bool isNone(mlir::Value value) { return mlir::isa<mlir::NoneType>(value.getType()); }

/// Normalizes an axis in [-rank, rank) to [0, rank).
int64_t normalizeAxis(int64_t axis, int64_t rank);

/// "node 'name' (OpType)" for diagnostics, from the op's location.
std::string describeNode(mlir::Operation *op);

/// The same description from an op's location alone (for helpers that only
/// get a location): "node 'NAME' (OpType)".
std::string describeLocation(mlir::Location loc);

/// A run-time check (cf.assert, reported by the entry point with the
/// message) that every index in the integer tensor `indices` is in
/// [-n, n): with one bound, n = bounds[0] for every element; with several,
/// the last dim of `indices` must be static with bounds.size() components,
/// and component j is checked against bounds[j] (GatherND, ScatterND). One
/// scalar pass over the indices, before the op's loops. A gather keeps its
/// own reads in bounds (gatherIndex), since a failed check does not stop
/// the run.
void assertIndicesInRange(mlir::OpBuilder &b, mlir::Location loc, mlir::Value indices,
                          llvm::ArrayRef<mlir::Value> bounds, mlir::Operation *op);

/// Most elements a tensor whose dims are read from data at run time (a
/// Reshape, Expand, Tile, ConstantOfShape, Range or OneHot result) may hold.
constexpr int64_t kMaxDataDependentElements = int64_t(1) << 31;

/// Whether index values `factors` are all >= 0 and their product (computed
/// without overflow) at most kMaxDataDependentElements: an i1.
mlir::Value withinDataDependentLimit(mlir::OpBuilder &b, mlir::Location loc,
                                     llvm::ArrayRef<mlir::Value> factors);

/// A run-time check of result sizes (index values) computed from input data:
/// each must be >= 0, their product at most kMaxDataDependentElements (unless
/// `!bounded`: a Reshape allocates nothing), and `valid` (an i1, when given:
/// the op's own condition) true. Otherwise the run fails with
/// "<node>: <what>", and the sizes come back as 0 so that the op allocates,
/// reads and writes nothing. Scalar code before the op's loops.
llvm::SmallVector<mlir::Value> checkDataDependentSizes(mlir::OpBuilder &b, mlir::Location loc,
                                                       llvm::ArrayRef<mlir::Value> sizes,
                                                       mlir::Operation *op, llvm::StringRef what,
                                                       mlir::Value valid = nullptr,
                                                       bool bounded = true);

/// The divisor an integer division or remainder of `x` by `y` may use: `y`,
/// or 1 where `y` is 0 or (signed) where x / y overflows (INT_MIN / -1), on
/// which the hardware traps. x / 1 is then INT_MIN, the wrapped quotient;
/// callers choose the result for a zero divisor.
mlir::Value trapFreeDivisor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y,
                            bool isUnsigned);

/// The position a gather reads for `index` (an index value) along an axis of
/// `n` elements: a negative index counts from the end, and one still
/// outside [0, n) (which assertIndicesInRange reported) reads 0, never
/// memory outside the tensor.
mlir::Value gatherIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value index, mlir::Value n);

/// Reads an integer constant tensor operand (onnx.Constant) into `values`.
mlir::LogicalResult getConstantInts(mlir::Value value, llvm::SmallVectorImpl<int64_t> &values);

/// Reads a float scalar constant operand.
mlir::FailureOr<double> getConstantScalar(mlir::Value value);

/// Reshape between static shapes of the same element count: a collapse or
/// expand when one exists, else a general tensor.reshape.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      mlir::RankedTensorType resultType);

/// A scale or zero point as read by a linalg.generic: `value` through `map`.
struct MappedParam {
  mlir::Value value;
  mlir::AffineMap map;
};

/// Map of a scale or zero point into a loop space of `loops` dims: a scalar
/// or one-element tensor reads its only element, a 1-D tensor of `dimSize`
/// elements follows loop `dim`. Fails for any other shape. Where a dynamic
/// size leaves open whether a 1-D parameter is per tensor or along `dim`,
/// it is first expanded at run time to `dimValue` elements (reading element
/// 0 when it has one); without `dim` it is per tensor. Static parameters
/// come back as they are, with no IR built.
mlir::FailureOr<MappedParam> mapParam(mlir::OpBuilder &b, mlir::Location loc, mlir::Value param,
                                      unsigned loops, std::optional<unsigned> dim,
                                      int64_t dimSize, mlir::Value dimValue = mlir::Value());

/// One 8-bit operand of an integer matrix product (converted, signless i8)
/// with its zero point (null: none) and the signedness of both.
struct ByteOperand {
  mlir::Value value;
  bool isUnsigned = false;
  mlir::Value zeroPoint;
  bool zeroPointUnsigned = false;
};

/// The byte product out[m, n] += ext(a[m, k]) * ext(b[k, n]) in i32, A's
/// bytes unsigned and B's signed (`unsignedA`) or the other way round: the
/// form CPU code generation runs on dot-product instructions (ByteMatMul.cpp).
mlir::Value buildByteProduct(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a,
                             mlir::Value bm, mlir::Value init, bool unsignedA);

/// sum_k (a - aZp)(b - bZp) in i32 for static 8-bit A [..., M, K] and B [K,
/// N], shaped (..., M, N), built on the byte product: A's zero point per
/// tensor (or per row for a 2-D A), B's per tensor or per column. Nothing
/// for other operands (the caller builds the general product).
std::optional<mlir::Value> buildByteMatMul(mlir::OpBuilder &b, mlir::Location loc,
                                           const ByteOperand &a, const ByteOperand &bm);

/// The attributes of a Conv-like op.
struct ConvolutionAttrs {
  std::optional<llvm::ArrayRef<int64_t>> kernelShape, strides, dilations, pads;
  llvm::StringRef autoPad;
  int64_t group;
};

/// `x` of a Conv-like op with static shapes, padded with `padValue` for its
/// window, and the window's kernel, strides and dilations; `padded` is null
/// where a size is known only at run time (auto_pad computed at run time).
/// Fails, with an error, for invalid attributes.
struct PaddedWindow {
  mlir::Value padded;
  llvm::SmallVector<int64_t> kernel, strides, dilations;
};
mlir::FailureOr<PaddedWindow> padForStaticWindow(mlir::OpBuilder &b, mlir::Operation *op,
                                                 mlir::Value x, mlir::Value w,
                                                 mlir::RankedTensorType resultType,
                                                 const ConvolutionAttrs &attrs,
                                                 mlir::Value padValue);

/// The i32 sum of a 2-D ConvInteger / QLinearConv of 8-bit static operands
/// with one group (x's zero point per tensor and of x's signedness, w's per
/// tensor or per filter) as the product of the filters [F, C*KH*KW] with the
/// input's im2col matrix (ByteMatMul.cpp), shaped `accType` [N, F, OH, OW],
/// without bias.
/// Nothing for other convolutions; failure after an error.
std::optional<mlir::FailureOr<mlir::Value>> buildByteConv(mlir::OpBuilder &b, mlir::Operation *op,
                                                          const ByteOperand &x,
                                                          const ByteOperand &w,
                                                          mlir::RankedTensorType accType,
                                                          const ConvolutionAttrs &attrs);

/// result[n, m, o...] = bias[m] + sum over c, k... of x[n, g(m)*C/G + c,
/// o*s + k*d - pad] * w[m, c, k...], in resultType's element type, with x
/// padded by `padValue` (zero when null); any dim may be dynamic
/// (ConvPool.cpp). `bias` may be null or none. Reports invalid shapes and
/// attributes at `op`.
mlir::FailureOr<mlir::Value> buildConvolution(mlir::OpBuilder &b, mlir::Operation *op,
                                              mlir::Value x, mlir::Value w, mlir::Value bias,
                                              mlir::RankedTensorType resultType,
                                              const ConvolutionAttrs &attrs,
                                              mlir::Value padValue);

/// `type` without dim `axis`.
mlir::RankedTensorType dropDim(mlir::RankedTensorType type, int64_t axis);
/// `type` with a dim of size `size` inserted at `axis`.
mlir::RankedTensorType insertDim(mlir::RankedTensorType type, int64_t axis, int64_t size);

/// Key of a random stream (SplitMix64, see Random.cpp): from `seed` when
/// given, else from a fixed default mixed with the node's name and operator.
uint64_t randomStreamKey(mlir::Operation *op, std::optional<uint64_t> seed);

/// A uniform f64 in [0, 1) for element `index` (i64) of the stream `key`: a
/// pure function of both (counter-based), so values never depend on order.
mlir::Value randomUniform01(mlir::OpBuilder &b, mlir::Location loc, uint64_t key,
                            mlir::Value index);

/// All onnx -> linalg patterns of every family.
void populateOnnxToLinalgPatterns(const mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);

// One populate function per operator family.
void populateElementwisePatterns(const mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateElementwiseMathPatterns(const mlir::TypeConverter &converter,
                                     mlir::RewritePatternSet &patterns);
void populateLogicalPatterns(const mlir::TypeConverter &converter,
                             mlir::RewritePatternSet &patterns);
void populateMatMulPatterns(const mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateConvPoolPatterns(const mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(const mlir::TypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
void populateReductionPatterns(const mlir::TypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateIndexingPatterns(const mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);
void populateLayoutPatterns(const mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateResamplingPatterns(const mlir::TypeConverter &converter,
                                mlir::RewritePatternSet &patterns);
void populateQuantizationPatterns(const mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);
void populateEinsumPatterns(const mlir::TypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateControlFlowPatterns(const mlir::TypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateLossPatterns(const mlir::TypeConverter &converter,
                          mlir::RewritePatternSet &patterns);
void populateRecurrentPatterns(const mlir::TypeConverter &converter, mlir::RewritePatternSet &patterns);
void populateSignalPatterns(const mlir::TypeConverter &converter, mlir::RewritePatternSet &patterns);
void populateRandomPatterns(const mlir::TypeConverter &converter, mlir::RewritePatternSet &patterns);
void populateDataMovementPatterns(const mlir::TypeConverter &converter,
                                  mlir::RewritePatternSet &patterns);
void populateDetectionPatterns(const mlir::TypeConverter &converter, mlir::RewritePatternSet &patterns);
void populateTopKPatterns(const mlir::TypeConverter &converter, mlir::RewritePatternSet &patterns);
void populateNonMaxSuppressionPatterns(const mlir::TypeConverter &converter,
                                       mlir::RewritePatternSet &patterns);
void populateTextPatterns(const mlir::TypeConverter &converter, mlir::RewritePatternSet &patterns);

} // namespace smelt

#endif // SMELT_PASSES_CONVERTONNXTOLINALG_LOWERINGUTILS_H
