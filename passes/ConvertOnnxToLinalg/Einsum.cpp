//===- Einsum.cpp - (being written) -------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

using namespace mlir;

namespace smelt {

void populateEinsumPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {}

} // namespace smelt
