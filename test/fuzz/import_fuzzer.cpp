//===- import_fuzzer.cpp - libFuzzer target: .onnx bytes -> onnx dialect ---===//
//
// Imports each input as a binary ONNX model, exactly as `smelt compile` does
// up to the onnx dialect (schema checks, opset upgrade, libonnx's shape
// inference, the importer, the verifier). A malformed model must give a
// diagnostic; a crash, an abort or an ASan/UBSan report is a finding.
//
// Byte-level mutations of a protobuf mostly yield parse errors, so the
// custom mutator below edits the parsed model instead: attribute values and
// kinds, dims, element types, op types, node inputs and outputs, opsets. The
// seed corpus is the conformance suite's models (tools/sanitizer-check.sh).
//
//===----------------------------------------------------------------------===//
#include "compiler/import/Importer.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

namespace {

const int64_t kAwkwardInts[] = {0, 1, -1, 2, 3, 7, 64, 100000, -5, int64_t(1) << 40,
                                std::numeric_limits<int64_t>::max(),
                                std::numeric_limits<int64_t>::min(), int64_t(1) << 31};
const float kAwkwardFloats[] = {0.0f, -1.0f, 1e30f, -1e-30f, std::numeric_limits<float>::infinity(),
                                std::numeric_limits<float>::quiet_NaN()};
const char *const kOpTypes[] = {
    "Relu", "Add", "MatMul", "Gemm", "Conv", "MaxPool", "Reshape", "Transpose", "Concat", "Softmax",
    "Flatten", "Sigmoid", "Gather", "Slice", "ReduceSum", "Squeeze", "Unsqueeze", "Split", "Pad",
    "Resize", "LSTM", "Where", "Expand", "Tile", "TopK", "Einsum", "NonZero", "AveragePool",
    "ConvTranspose", "DepthToSpace", "Range", "CumSum", "OneHot", "Selu", "Mul", "If", "Loop", "Scan",
    "ConstantOfShape", "ScatterND", "GatherND", "Compress", "QLinearConv", "Cast", "Constant"};

template <typename T, size_t N>
const T &pick(std::mt19937_64 &rng, const T (&list)[N]) {
  return list[rng() % N];
}

// One structural edit of `model`; false when it found nothing to edit.
bool mutateModel(::onnx::ModelProto &model, std::mt19937_64 &rng) {
  ::onnx::GraphProto &graph = *model.mutable_graph();
  auto anyNode = [&]() -> ::onnx::NodeProto * {
    return graph.node_size() ? graph.mutable_node(rng() % graph.node_size()) : nullptr;
  };
  auto anyValueInfo = [&]() -> ::onnx::ValueInfoProto * {
    int total = graph.input_size() + graph.output_size();
    if (!total)
      return nullptr;
    int i = rng() % total;
    return i < graph.input_size() ? graph.mutable_input(i)
                                  : graph.mutable_output(i - graph.input_size());
  };
  switch (rng() % 9) {
  case 0: { // An attribute's value.
    ::onnx::NodeProto *node = anyNode();
    if (!node || !node->attribute_size())
      return false;
    ::onnx::AttributeProto &attr = *node->mutable_attribute(rng() % node->attribute_size());
    if (attr.ints_size())
      attr.set_ints(rng() % attr.ints_size(), pick(rng, kAwkwardInts));
    else if (attr.floats_size())
      attr.set_floats(rng() % attr.floats_size(), pick(rng, kAwkwardFloats));
    else if (attr.type() == ::onnx::AttributeProto::FLOAT)
      attr.set_f(pick(rng, kAwkwardFloats));
    else
      attr.set_i(pick(rng, kAwkwardInts));
    return true;
  }
  case 1: { // An attribute's kind.
    ::onnx::NodeProto *node = anyNode();
    if (!node || !node->attribute_size())
      return false;
    node->mutable_attribute(rng() % node->attribute_size())
        ->set_type(static_cast<::onnx::AttributeProto::AttributeType>(rng() % 15));
    return true;
  }
  case 2: { // A declared dim.
    ::onnx::ValueInfoProto *info = anyValueInfo();
    if (!info || !info->type().has_tensor_type() || !info->type().tensor_type().has_shape() ||
        !info->type().tensor_type().shape().dim_size())
      return false;
    auto *shape = info->mutable_type()->mutable_tensor_type()->mutable_shape();
    auto *dim = shape->mutable_dim(rng() % shape->dim_size());
    if (rng() % 4 == 0)
      dim->set_dim_param("fuzz_dim");
    else
      dim->set_dim_value(pick(rng, kAwkwardInts));
    return true;
  }
  case 3: { // An element type, of a graph value or of an initializer.
    int32_t type = static_cast<int32_t>(rng() % 17);
    if (graph.initializer_size() && rng() % 2) {
      graph.mutable_initializer(rng() % graph.initializer_size())->set_data_type(type);
      return true;
    }
    ::onnx::ValueInfoProto *info = anyValueInfo();
    if (!info || !info->type().has_tensor_type())
      return false;
    info->mutable_type()->mutable_tensor_type()->set_elem_type(type);
    return true;
  }
  case 4: { // The operator.
    ::onnx::NodeProto *node = anyNode();
    if (!node)
      return false;
    node->set_op_type(pick(rng, kOpTypes));
    return true;
  }
  case 5: { // An input: dropped, emptied, duplicated or pointed elsewhere.
    ::onnx::NodeProto *node = anyNode();
    if (!node || !node->input_size())
      return false;
    switch (rng() % 4) {
    case 0: node->mutable_input()->RemoveLast(); break;
    case 1: node->set_input(rng() % node->input_size(), ""); break;
    case 2: node->add_input(node->input(rng() % node->input_size())); break;
    default: node->set_input(rng() % node->input_size(), node->output_size() ? node->output(0) : "x");
    }
    return true;
  }
  case 6: { // An output renamed onto another value (duplicate producers).
    ::onnx::NodeProto *a = anyNode(), *b = anyNode();
    if (!a || !b || !a->output_size() || !b->output_size())
      return false;
    a->set_output(0, b->output(rng() % b->output_size()));
    return true;
  }
  case 7: { // An initializer's dims, against its data.
    if (!graph.initializer_size())
      return false;
    ::onnx::TensorProto &init = *graph.mutable_initializer(rng() % graph.initializer_size());
    if (init.dims_size() && rng() % 2)
      init.set_dims(rng() % init.dims_size(), pick(rng, kAwkwardInts));
    else
      init.add_dims(pick(rng, kAwkwardInts));
    return true;
  }
  default: { // The opset.
    if (!model.opset_import_size())
      return false;
    model.mutable_opset_import(0)->set_version(static_cast<int64_t>(rng() % 20));
    return true;
  }
  }
}

} // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t maxSize,
                                          unsigned int seed) {
  std::mt19937_64 rng(seed);
  ::onnx::ModelProto model;
  if (rng() % 8 == 0 || !model.ParseFromArray(data, static_cast<int>(size)) || !model.has_graph())
    return LLVMFuzzerMutate(data, size, maxSize);
  bool changed = false;
  for (int edits = 1 + rng() % 3; edits > 0; --edits)
    changed |= mutateModel(model, rng);
  std::string bytes;
  if (!changed || !model.SerializeToString(&bytes) || bytes.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, bytes.data(), bytes.size());
  return bytes.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  smelt::ImportOptions options;
  // Half the inputs (by size parity, so that a finding reproduces) also take
  // the path of `smelt compile --dynamic-dims`.
  options.symbolicInputDims = size % 2;
  smelt::importOnnxBuffer(llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx",
                          /*dataFolder=*/"", options, &context);
  return 0;
}
