//===- import_test.cpp - importer tests on binary ONNX models -------------===//
//
// Builds ModelProtos in C++, writes them into a fresh temporary folder and
// imports them with smelt::importOnnxFile. Covers what the text syntax cannot
// express: external data (inside, outside and past the end of the model's
// folder), raw_data of the wrong size, large initializers and corrupt bytes.
// Every failure case checks the diagnostic text the user would see.
//
//===----------------------------------------------------------------------===//
#include "compiler/import/Importer.h"
#include "compiler/pipeline/Registration.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using ::onnx::ModelProto;
using ::onnx::TensorProto;

/// A fresh folder under the system temp dir, removed with its contents.
class TempDir {
public:
  TempDir() {
    std::error_code ec = llvm::sys::fs::createUniqueDirectory("smelt-import-test", path_);
    EXPECT_FALSE(ec) << ec.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path_); }
  std::string file(llvm::StringRef name) const {
    llvm::SmallString<256> p(path_);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  std::string path() const { return std::string(path_); }

private:
  llvm::SmallString<256> path_;
};

void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string floatBytes(const std::vector<float> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
}

/// A float tensor named `name` of shape `dims` whose data is stored externally.
TensorProto externalTensor(const std::string &name, std::vector<int64_t> dims,
                           const std::string &location, const std::string &offset = "",
                           const std::string &length = "") {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(TensorProto::FLOAT);
  for (int64_t d : dims)
    t.add_dims(d);
  t.set_data_location(TensorProto::EXTERNAL);
  auto add = [&](const char *key, const std::string &value) {
    auto *entry = t.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  if (!offset.empty())
    add("offset", offset);
  if (!length.empty())
    add("length", length);
  return t;
}

/// y = Identity(init): the smallest model that keeps an initializer alive.
ModelProto identityModel(const TensorProto &init) {
  ModelProto model;
  model.set_ir_version(8);
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  auto *graph = model.mutable_graph();
  graph->set_name("g");
  *graph->add_initializer() = init;
  auto *node = graph->add_node();
  node->set_name("id");
  node->set_op_type("Identity");
  node->add_input(init.name());
  node->add_output("y");
  auto *output = graph->add_output();
  output->set_name("y");
  auto *tensorType = output->mutable_type()->mutable_tensor_type();
  tensorType->set_elem_type(init.data_type());
  for (int64_t d : init.dims())
    tensorType->mutable_shape()->add_dim()->set_dim_value(d);
  return model;
}

class ImportTest : public ::testing::Test {
protected:
  ImportTest() {
    mlir::DialectRegistry registry;
    smelt::registerAllDialects(registry);
    context_ = std::make_unique<mlir::MLIRContext>(registry);
    handler_ = context_->getDiagEngine().registerHandler([this](mlir::Diagnostic &diag) {
      messages_.push_back(diag.str());
      return mlir::success();
    });
  }
  ~ImportTest() override { context_->getDiagEngine().eraseHandler(handler_); }

  mlir::OwningOpRef<mlir::ModuleOp> import(const ModelProto &model,
                                           const std::string &name = "model.onnx") {
    std::string path = dir_.file(name);
    writeBytes(path, model.SerializeAsString());
    return smelt::importOnnxFile(path, smelt::ImportOptions{}, context_.get());
  }

  /// All diagnostics so far, one per line, for failure messages and matching.
  std::string allMessages() const {
    std::string all;
    for (const std::string &m : messages_)
      all += m + "\n";
    return all;
  }

  /// The `value` attribute of the single onnx.Constant in `module`.
  static mlir::ElementsAttr onlyConstant(mlir::ModuleOp module) {
    mlir::ElementsAttr found;
    int count = 0;
    module.walk([&](mlir::Operation *op) {
      if (op->getName().getStringRef() == "onnx.Constant") {
        found = op->getAttrOfType<mlir::ElementsAttr>("value");
        ++count;
      }
    });
    EXPECT_EQ(count, 1);
    return found;
  }

  TempDir dir_;
  std::unique_ptr<mlir::MLIRContext> context_;
  mlir::DiagnosticEngine::HandlerID handler_;
  std::vector<std::string> messages_;
};

TEST_F(ImportTest, ExternalDataInsideModelFolderIsLoaded) {
  writeBytes(dir_.file("weights.bin"), floatBytes({1.5f, -2.0f, 3.25f, 4.0f}));
  auto module = import(identityModel(externalTensor("W", {4}, "weights.bin")));
  ASSERT_TRUE(module) << allMessages();
  auto dense = llvm::dyn_cast_or_null<mlir::DenseElementsAttr>(onlyConstant(*module));
  ASSERT_TRUE(dense);
  std::vector<float> values(dense.getValues<float>().begin(), dense.getValues<float>().end());
  EXPECT_EQ(values, (std::vector<float>{1.5f, -2.0f, 3.25f, 4.0f}));
}

TEST_F(ImportTest, ExternalDataHonoursOffsetAndLength) {
  writeBytes(dir_.file("weights.bin"), floatBytes({1.0f, 2.0f, 3.0f, 4.0f, 5.0f}));
  auto module = import(identityModel(externalTensor("W", {2}, "weights.bin", "8", "8")));
  ASSERT_TRUE(module) << allMessages();
  auto dense = llvm::dyn_cast_or_null<mlir::DenseElementsAttr>(onlyConstant(*module));
  ASSERT_TRUE(dense);
  std::vector<float> values(dense.getValues<float>().begin(), dense.getValues<float>().end());
  EXPECT_EQ(values, (std::vector<float>{3.0f, 4.0f}));
}

TEST_F(ImportTest, ExternalDataInSubfolderIsLoaded) {
  ASSERT_FALSE(llvm::sys::fs::create_directory(dir_.file("data")));
  writeBytes(dir_.file("data/w.bin"), floatBytes({7.0f}));
  auto module = import(identityModel(externalTensor("W", {1}, "data/w.bin")));
  ASSERT_TRUE(module) << allMessages();
  auto dense = llvm::dyn_cast_or_null<mlir::DenseElementsAttr>(onlyConstant(*module));
  ASSERT_TRUE(dense);
  EXPECT_EQ(*dense.getValues<float>().begin(), 7.0f);
}

TEST_F(ImportTest, ExternalDataEscapingTheFolderIsRefused) {
  // The model lives in a subfolder; the data file really exists one level up,
  // so only the containment check can refuse it.
  ASSERT_FALSE(llvm::sys::fs::create_directory(dir_.file("model")));
  writeBytes(dir_.file("x.bin"), floatBytes({1.0f, 2.0f}));
  auto module = import(identityModel(externalTensor("W", {2}, "../x.bin")), "model/model.onnx");
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("external data location '../x.bin' escapes the model's folder"),
            std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, ExternalDataThroughSymlinkOutsideIsRefused) {
  ASSERT_FALSE(llvm::sys::fs::create_directory(dir_.file("model")));
  writeBytes(dir_.file("secret.bin"), floatBytes({1.0f, 2.0f}));
  ASSERT_FALSE(llvm::sys::fs::create_link(dir_.file("secret.bin"), dir_.file("model/w.bin")));
  auto module = import(identityModel(externalTensor("W", {2}, "w.bin")), "model/model.onnx");
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("escapes the model's folder"), std::string::npos) << allMessages();
}

TEST_F(ImportTest, ExternalDataAbsoluteLocationIsRefused) {
  std::string absolute = dir_.file("weights.bin");
  writeBytes(absolute, floatBytes({1.0f, 2.0f}));
  auto module = import(identityModel(externalTensor("W", {2}, absolute)));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("must be a relative path inside the model's folder"),
            std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, ExternalDataMissingFileIsReported) {
  auto module = import(identityModel(externalTensor("W", {2}, "absent.bin")));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("external data file 'absent.bin' not found next to the model"),
            std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, ExternalDataRangeBeyondFileIsRefused) {
  writeBytes(dir_.file("weights.bin"), floatBytes({1.0f, 2.0f}));
  auto module = import(identityModel(externalTensor("W", {2}, "weights.bin", "4", "8")));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("tensor 'W': external data range [4, 12) lies outside "
                               "'weights.bin' (8 bytes)"),
            std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, ExternalDataOffsetPastEndIsRefused) {
  writeBytes(dir_.file("weights.bin"), floatBytes({1.0f, 2.0f}));
  auto module = import(identityModel(externalTensor("W", {2}, "weights.bin", "100")));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("lies outside 'weights.bin'"), std::string::npos) << allMessages();
}

TEST_F(ImportTest, ExternalDataHugeOffsetDoesNotWrapAround) {
  // offset + length overflows uint64 if added naively.
  writeBytes(dir_.file("weights.bin"), floatBytes({1.0f, 2.0f}));
  auto module = import(identityModel(
      externalTensor("W", {2}, "weights.bin", "4", "18446744073709551615")));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("lies outside 'weights.bin'"), std::string::npos) << allMessages();
}

TEST_F(ImportTest, ExternalDataBadOffsetIsRefused) {
  writeBytes(dir_.file("weights.bin"), floatBytes({1.0f, 2.0f}));
  auto module = import(identityModel(externalTensor("W", {2}, "weights.bin", "4x")));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("tensor 'W': bad external data offset '4x'"), std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, ExternalDataShorterThanShapeNamesTheInitializer) {
  writeBytes(dir_.file("weights.bin"), floatBytes({1.0f, 2.0f}));
  auto module = import(identityModel(externalTensor("W", {3}, "weights.bin")));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("initializer 'W'"), std::string::npos) << allMessages();
  EXPECT_NE(allMessages().find("carries 8 bytes of data, but its shape and type need 12"),
            std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, RawDataSizeMismatchNamesTheInitializer) {
  TensorProto t;
  t.set_name("bias");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(2);
  t.add_dims(3);
  t.set_raw_data(floatBytes({1.0f, 2.0f, 3.0f, 4.0f, 5.0f})); // 20 bytes, needs 24.
  auto module = import(identityModel(t));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("initializer 'bias': tensor 'bias' carries 20 bytes of data, but "
                               "its shape and type need 24"),
            std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, TypedFieldCountMismatchIsRefused) {
  TensorProto t;
  t.set_name("k");
  t.set_data_type(TensorProto::INT64);
  t.add_dims(3);
  t.add_int64_data(1);
  t.add_int64_data(2);
  auto module = import(identityModel(t));
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("initializer 'k'"), std::string::npos) << allMessages();
  EXPECT_NE(allMessages().find("carries 16 bytes"), std::string::npos) << allMessages();
}

TEST_F(ImportTest, LargeInitializerBecomesResourceQuickly) {
  constexpr int64_t kCount = 512 * 1024; // 2 MiB of f32.
  std::vector<float> values(kCount);
  for (int64_t i = 0; i < kCount; ++i)
    values[i] = static_cast<float>(i % 1000);
  TensorProto t;
  t.set_name("big");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(512);
  t.add_dims(1024);
  t.set_raw_data(floatBytes(values));
  ModelProto model = identityModel(t);
  std::string path = dir_.file("big.onnx");
  writeBytes(path, model.SerializeAsString());

  auto start = std::chrono::steady_clock::now();
  auto module = smelt::importOnnxFile(path, smelt::ImportOptions{}, context_.get());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(module) << allMessages();
  EXPECT_LT(seconds, 1.0);

  auto resource = llvm::dyn_cast_or_null<mlir::DenseResourceElementsAttr>(onlyConstant(*module));
  ASSERT_TRUE(resource);
  EXPECT_EQ(resource.getType().getNumElements(), kCount);
  auto blob = resource.getRawHandle().getBlob();
  ASSERT_TRUE(blob);
  llvm::ArrayRef<char> data = blob->getData();
  ASSERT_EQ(data.size(), kCount * sizeof(float));
  float last;
  std::memcpy(&last, data.data() + (kCount - 1) * sizeof(float), sizeof(float));
  EXPECT_EQ(last, static_cast<float>((kCount - 1) % 1000));
}

TEST_F(ImportTest, SmallInitializerStaysInline) {
  TensorProto t;
  t.set_name("small");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(64);
  for (int i = 0; i < 64; ++i)
    t.add_float_data(static_cast<float>(i));
  auto module = import(identityModel(t));
  ASSERT_TRUE(module) << allMessages();
  auto dense = llvm::dyn_cast_or_null<mlir::DenseElementsAttr>(onlyConstant(*module));
  ASSERT_TRUE(dense);
  EXPECT_EQ(*(dense.getValues<float>().begin() + 63), 63.0f);
}

TEST_F(ImportTest, TruncatedProtobufIsReported) {
  TensorProto t;
  t.set_name("W");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(16);
  t.set_raw_data(floatBytes(std::vector<float>(16, 1.0f)));
  std::string bytes = identityModel(t).SerializeAsString();
  std::string path = dir_.file("truncated.onnx");
  writeBytes(path, bytes.substr(0, bytes.size() / 2));
  auto module = smelt::importOnnxFile(path, smelt::ImportOptions{}, context_.get());
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("not a valid ONNX model: the protobuf is truncated or corrupted"),
            std::string::npos)
      << allMessages();
}

/// y = If(c) nested `depth` deep: each then-branch holds the next If, each
/// else-branch and the innermost branch compute y = Neg(x).
ModelProto nestedIfModel(int depth) {
  ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  auto addFloatOutput = [](::onnx::GraphProto &graph) {
    auto *output = graph.add_output();
    output->set_name("y");
    output->mutable_type()->mutable_tensor_type()->set_elem_type(TensorProto::FLOAT);
  };
  auto addNode = [](::onnx::GraphProto &graph, const char *op, const char *input) {
    auto *node = graph.add_node();
    node->set_op_type(op);
    node->add_input(input);
    node->add_output("y");
    return node;
  };
  ::onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("g");
  for (const char *name : {"c", "x"}) {
    auto *input = graph->add_input();
    input->set_name(name);
    input->mutable_type()->mutable_tensor_type()->set_elem_type(
        name[0] == 'c' ? TensorProto::BOOL : TensorProto::FLOAT);
  }
  addFloatOutput(*graph);
  for (int level = 0; level < depth; ++level) {
    auto *node = addNode(*graph, "If", "c");
    auto branch = [&](const char *name) {
      auto *attr = node->add_attribute();
      attr->set_name(name);
      attr->set_type(::onnx::AttributeProto::GRAPH);
      attr->mutable_g()->set_name(name);
      addFloatOutput(*attr->mutable_g());
      return attr->mutable_g();
    };
    addNode(*branch("else_branch"), "Neg", "x");
    graph = branch("then_branch");
  }
  addNode(*graph, "Neg", "x");
  return model;
}

TEST_F(ImportTest, NestingWithinTheLimitIsImported) {
  EXPECT_TRUE(import(nestedIfModel(32))) << allMessages();
}

// Past the limit the binary parser must still read the model, so that the
// user is told about the nesting, not about a corrupt file.
TEST_F(ImportTest, DeepNestingIsReportedAsSuch) {
  EXPECT_FALSE(import(nestedIfModel(40)));
  EXPECT_NE(allMessages().find("subgraphs are nested more than 32 deep"), std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, ModelInMemoryIsImported) {
  TensorProto t;
  t.set_name("W");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(2);
  t.set_raw_data(floatBytes({1.0f, 2.0f}));
  std::string bytes = identityModel(t).SerializeAsString();
  EXPECT_TRUE(smelt::importOnnxBuffer(bytes, "memory.onnx", "", smelt::ImportOptions{},
                                      context_.get()))
      << allMessages();
}

TEST_F(ImportTest, ModelInMemoryHasNoExternalData) {
  writeBytes(dir_.file("w.bin"), floatBytes({1.0f, 2.0f}));
  std::string bytes = identityModel(externalTensor("W", {2}, "w.bin")).SerializeAsString();
  EXPECT_FALSE(smelt::importOnnxBuffer(bytes, "memory.onnx", "", smelt::ImportOptions{},
                                       context_.get()));
  EXPECT_NE(allMessages().find("tensor 'W': external data is not available for a model read "
                               "from memory"),
            std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, ModelWithoutGraphIsReported) {
  ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  auto module = import(model);
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("not a valid ONNX model: it has no graph"), std::string::npos)
      << allMessages();
}

TEST_F(ImportTest, MissingFileIsReported) {
  auto module =
      smelt::importOnnxFile(dir_.file("nowhere.onnx"), smelt::ImportOptions{}, context_.get());
  EXPECT_FALSE(module);
  EXPECT_NE(allMessages().find("cannot read model"), std::string::npos) << allMessages();
}

TEST_F(ImportTest, NodeLocationsCarryNameAndOpType) {
  const char *text = R"(
    < ir_version: 8, opset_import: ["" : 17] >
    g (float[2] x) => (float[2] z) {
      y = Relu(x)
      z = Neg(y)
    })";
  auto module = smelt::importOnnxText(text, "loc.onnxtxt", smelt::ImportOptions{}, context_.get());
  ASSERT_TRUE(module) << allMessages();
  std::vector<std::string> seen;
  module->walk([&](mlir::Operation *op) {
    auto outer = llvm::dyn_cast<mlir::NameLoc>(op->getLoc());
    if (!outer || op->getName().getStringRef() == "func.func")
      return;
    auto inner = llvm::dyn_cast<mlir::NameLoc>(outer.getChildLoc());
    ASSERT_TRUE(inner);
    auto file = llvm::dyn_cast<mlir::FileLineColLoc>(inner.getChildLoc());
    ASSERT_TRUE(file);
    EXPECT_EQ(file.getFilename().getValue(), "loc.onnxtxt");
    seen.push_back(op->getName().getStringRef().str() + "@" + outer.getName().getValue().str() +
                   "/" + inner.getName().getValue().str());
  });
  // Unnamed nodes are called after their op type and position in the graph.
  EXPECT_EQ(seen, (std::vector<std::string>{"onnx.Relu@Relu_0/Relu", "onnx.Neg@Neg_1/Neg"}));
}

TEST_F(ImportTest, NamedNodeLocationUsesNodeName) {
  // The text syntax has no node names, so build the proto directly.
  TensorProto t;
  t.set_name("W");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(1);
  t.add_float_data(1.0f);
  auto module = import(identityModel(t));
  ASSERT_TRUE(module) << allMessages();
  bool found = false;
  module->walk([&](mlir::Operation *op) {
    if (op->getName().getStringRef() != "onnx.Identity")
      return;
    auto outer = llvm::dyn_cast<mlir::NameLoc>(op->getLoc());
    ASSERT_TRUE(outer);
    EXPECT_EQ(outer.getName().getValue(), "id");
    found = true;
  });
  EXPECT_TRUE(found);
}

} // namespace
