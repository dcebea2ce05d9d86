//===- Layout.cpp - (being written) -------------------------------------------===//
#include "passes/ConvertOnnxToLinalg/LoweringUtils.h"

using namespace mlir;

namespace smelt {

void populateLayoutPatterns(const TypeConverter &converter, RewritePatternSet &patterns) {}

} // namespace smelt
