//===- Einsum.cpp - Einsum to one linalg.generic --------------------------===//
//
// Einsum (opset 12) over any number of operands. The equation is parsed into
// one term of labels per operand and one for the output: explicit after
// "->", or implicit (the ellipsis dims, then the letters used exactly once,
// in ASCII order). "..." stands for the operand's remaining dims, aligned to
// the right and broadcast numpy-style across operands.
//
// The lowering is one linalg.generic: the loops are the output labels
// (parallel, in output order, so the output map is the identity) followed by
// the other labels (reductions). An operand's map lists the loop of each of
// its dims, so a label repeated within one operand reads its diagonal, and a
// dim of size 1 under a larger loop reads element 0 (broadcast). The body
// multiplies the operands and adds the product into a zero-filled
// accumulator.
//
// Dynamic dims: a label's size is its static size where some operand dim
// of it is static and not 1, else the run-time size of its first dynamic
// dim. A dynamic dim is read with the label's loop, so it must equal the
// label's size at run time (it is not broadcast from 1 the way a static
// dim of size 1 is).
//
//===----------------------------------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SmallSet.h"

#include <map>

using namespace mlir;

namespace smelt {
namespace {

/// Labels of one term: letters, with the ellipsis dims as negative labels
/// -1, -2, ... (counted from the right, so that they align across operands).
using Term = SmallVector<int>;

/// Parses one term ("ab...c") for an operand of `rank` dims (or, for the
/// output, `rank` < 0: the ellipsis takes `ellipsisRank` dims).
FailureOr<Term> parseTerm(StringRef text, int64_t rank, int64_t ellipsisRank,
                          std::string &error) {
  Term term;
  size_t dots = text.find("...");
  if (dots != StringRef::npos && text.find("...", dots + 3) != StringRef::npos) {
    error = "term '" + text.str() + "' has more than one ellipsis";
    return failure();
  }
  StringRef before = dots == StringRef::npos ? text : text.take_front(dots);
  StringRef after = dots == StringRef::npos ? StringRef() : text.drop_front(dots + 3);
  for (StringRef part : {before, after})
    for (char ch : part)
      if (!llvm::isAlpha(ch)) {
        error = "term '" + text.str() + "' has an invalid character '" + std::string(1, ch) + "'";
        return failure();
      }
  int64_t letters = before.size() + after.size();
  int64_t spanned = 0;
  if (dots != StringRef::npos) {
    spanned = rank >= 0 ? rank - letters : ellipsisRank;
    if (spanned < 0) {
      error = "term '" + text.str() + "' has more labels than the operand has dims";
      return failure();
    }
  } else if (rank >= 0 && letters != rank) {
    error = "term '" + text.str() + "' has " + std::to_string(letters) +
            " labels for an operand of rank " + std::to_string(rank);
    return failure();
  }
  for (char ch : before)
    term.push_back(ch);
  for (int64_t i = spanned; i > 0; --i)
    term.push_back(-static_cast<int>(i));
  for (char ch : after)
    term.push_back(ch);
  return term;
}

struct EinsumPattern : DynamicShapePattern<onnx::EinsumOp> {
  using DynamicShapePattern::DynamicShapePattern;
  LogicalResult matchAndRewrite(onnx::EinsumOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getRankedType(*getTypeConverter(), op.getOutput());
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "needs ranked shapes");
    SmallVector<RankedTensorType> types;
    for (Value input : adaptor.getInputs()) {
      auto type = dyn_cast<RankedTensorType>(input.getType());
      if (!type)
        return rewriter.notifyMatchFailure(op, "needs ranked shapes");
      types.push_back(type);
    }
    auto fail = [&](const Twine &message) {
      return op.emitError() << describeNode(op) << ": equation '" << op.getEquation()
                            << "': " << message;
    };

    if (types.empty())
      return fail("needs at least one operand");

    std::string equation;
    for (char ch : op.getEquation())
      if (!llvm::isSpace(ch))
        equation.push_back(ch);
    StringRef eq(equation);
    size_t arrow = eq.find("->");
    StringRef lhs = eq.take_front(arrow), rhs;
    bool explicitOutput = arrow != StringRef::npos;
    if (explicitOutput)
      rhs = eq.drop_front(arrow + 2);
    SmallVector<StringRef> inputTerms;
    lhs.split(inputTerms, ',');
    if (inputTerms.size() != types.size())
      return fail(Twine(inputTerms.size()) + " input terms for " + Twine(types.size()) +
                  " operands");

    // Operand terms, and each label's size (size-1 dims broadcast; dynamic
    // when only dynamic dims, and maybe dims of size 1, carry it).
    std::string error;
    SmallVector<Term> terms;
    std::map<int, int64_t> sizes;
    std::map<int, Value> dynamicSizes;
    int64_t ellipsisRank = 0;
    for (auto [text, type, input] : llvm::zip(inputTerms, types, adaptor.getInputs())) {
      FailureOr<Term> term = parseTerm(text, type.getRank(), 0, error);
      if (failed(term))
        return fail(error);
      for (auto [d, label, size] : llvm::enumerate(*term, type.getShape())) {
        if (label < 0)
          ellipsisRank = std::max<int64_t>(ellipsisRank, -label);
        if (ShapedType::isDynamic(size)) {
          if (!dynamicSizes.count(label))
            dynamicSizes[label] = dimSize(rewriter, loc, input, d);
          sizes.try_emplace(label, 1);
          continue;
        }
        auto [it, inserted] = sizes.try_emplace(label, size);
        if (inserted || it->second == size || size == 1)
          continue;
        if (it->second != 1)
          return fail("label sizes " + Twine(it->second) + " and " + Twine(size) + " differ");
        it->second = size;
      }
      terms.push_back(std::move(*term));
    }

    // Output term.
    Term output;
    if (explicitOutput) {
      FailureOr<Term> term = parseTerm(rhs, -1, ellipsisRank, error);
      if (failed(term))
        return fail(error);
      output = std::move(*term);
      llvm::SmallSet<int, 8> seen;
      for (int label : output) {
        if (!seen.insert(label).second)
          return fail("output label '" + Twine(static_cast<char>(label)) + "' is repeated");
        if (!sizes.count(label))
          return fail("output label '" + Twine(static_cast<char>(label)) +
                      "' is not in any input");
      }
    } else {
      for (int64_t i = ellipsisRank; i > 0; --i)
        output.push_back(-static_cast<int>(i));
      std::map<int, int> counts;
      for (const Term &term : terms)
        for (int label : term)
          if (label >= 0)
            ++counts[label];
      for (auto [label, count] : counts)
        if (count == 1)
          output.push_back(label);
    }

    // A label is dynamic when no static dim other than 1 carries it.
    auto isDynamicLabel = [&](int label) {
      return sizes[label] == 1 && dynamicSizes.count(label);
    };

    // Loops: output labels, then the summed ones.
    std::map<int, unsigned> loopOf;
    SmallVector<int64_t> outShape;
    SmallVector<Value> outSizes;
    for (int label : output) {
      loopOf[label] = loopOf.size();
      bool dynamic = isDynamicLabel(label);
      outShape.push_back(dynamic ? ShapedType::kDynamic : sizes[label]);
      outSizes.push_back(dynamic ? dynamicSizes[label]
                                 : indexConstant(rewriter, loc, sizes[label]));
    }
    if (failed(verifyCompatibleShape(outShape, resultType.getShape())))
      return fail("the result type does not match the equation");
    unsigned parallel = loopOf.size();
    for (auto [label, size] : sizes)
      if (!loopOf.count(label))
        loopOf[label] = loopOf.size();
    unsigned loops = loopOf.size();

    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineMap> maps;
    for (auto [term, type] : llvm::zip(terms, types)) {
      SmallVector<AffineExpr> exprs;
      for (auto [label, size] : llvm::zip(term, type.getShape())) {
        bool stretched = size == 1 && (sizes[label] != 1 || isDynamicLabel(label));
        exprs.push_back(stretched ? getAffineConstantExpr(0, ctx)
                                  : getAffineDimExpr(loopOf[label], ctx));
      }
      maps.push_back(AffineMap::get(loops, 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    for (unsigned i = 0; i < parallel; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    maps.push_back(AffineMap::get(loops, 0, outExprs, ctx));
    SmallVector<utils::IteratorType> iterators(parallel, utils::IteratorType::parallel);
    iterators.append(loops - parallel, utils::IteratorType::reduction);

    Type elem = resultType.getElementType();
    Value init = createFilled(rewriter, loc, resultType, outSizes,
                              scalarConstant(rewriter, loc, elem, 0));
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, adaptor.getInputs(), ValueRange{init}, maps,
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value product = args.front();
              for (Value v : args.drop_front().drop_back())
                product = mulScalar(b, l, product, v);
              linalg::YieldOp::create(b, l, addScalar(b, l, args.back(), product));
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateEinsumPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<EinsumPattern>(converter, patterns.getContext());
}

} // namespace smelt
