//===- OpsetUpgrade.h - upgrade a model to the canonical opset --*- C++ -*-===//
//
// libonnx's version converter rewrites nodes whose semantics changed between
// opsets. A few of its adapters are wrong or refuse symbolic dims; the
// functions here adapt those nodes first, or convert around the refusal.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_IMPORT_OPSETUPGRADE_H
#define SMELT_COMPILER_IMPORT_OPSETUPGRADE_H

#include <cstdint>

#include <onnx/onnx_pb.h>

namespace smelt {

/// Upgrades `model`, whose default-domain opset is `opset`, to
/// smelt::onnx::kCanonicalOpset. Returns false when libonnx's converter
/// fails; the model then keeps its opset (but may carry inferred value_info).
bool upgradeToCanonicalOpset(::onnx::ModelProto &model, int64_t opset);

} // namespace smelt

#endif // SMELT_COMPILER_IMPORT_OPSETUPGRADE_H
