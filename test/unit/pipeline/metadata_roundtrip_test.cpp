// metadata_roundtrip_test.cpp - the ONNX model's metadata, from a .onnx file
// to the compiled library and back.
//
// A Relu model is written with ONNX's protobuf API (which can say things the
// text syntax cannot: doc strings on inputs, a value with an embedded NUL,
// control bytes), compiled in process to a shared library and an object
// file, and read back three ways: through the runtime's API, from the JSON
// manifest in the file, and from the generated header. Thousands of
// metadata_props entries keep their order and bytes.
#include "compiler/pipeline/Compile.h"
#include "compiler/pipeline/Registration.h"

#include "smelt/runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

constexpr int kEntries = 3000;

std::string entryKey(int i) { return "key_" + std::to_string(i); }
std::string entryValue(int i) { return "value " + std::to_string(i * 7); }

/// y = Relu(x), x: float[batch, 3], with metadata everywhere ONNX allows it.
onnx::ModelProto metadataModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("pytorch");
  model.set_producer_version("2.1.0");
  model.set_domain("org.example.test");
  model.set_model_version(12);
  model.set_doc_string("Rectifies.\nSecond line */ int injected;");
  auto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  auto addProp = [&](const std::string &key, const std::string &value) {
    auto *prop = model.add_metadata_props();
    prop->set_key(key);
    prop->set_value(value);
  };
  for (int i = 0; i < kEntries; ++i)
    addProp(entryKey(i), entryValue(i));
  addProp("\xe5\x90\x8d\xe5\x89\x8d", "\xe5\x80\xa4 \xe2\x9c\x93"); // 名前: 値 ✓
  addProp("empty", "");
  addProp("nul", std::string("a\0b", 3));
  addProp("escape", "\x1b[31mred");

  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name("relu_graph");
  graph.set_doc_string("the graph");
  auto describe = [](onnx::ValueInfoProto *value, const char *name, const char *doc) {
    value->set_name(name);
    value->set_doc_string(doc);
    auto *tensor = value->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    tensor->mutable_shape()->add_dim()->set_dim_param("batch");
    tensor->mutable_shape()->add_dim()->set_dim_value(3);
  };
  describe(graph.add_input(), "x", "pixels, scaled to [0, 1]");
  describe(graph.add_output(), "y", "");
  auto *node = graph.add_node();
  node->set_op_type("Relu");
  node->add_input("x");
  node->add_output("y");
  return model;
}

class MetadataRoundTrip : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("smelt-metadata", dir_));
    std::ofstream(path("model.onnx"), std::ios::binary)
        << metadataModel().SerializeAsString();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir_); }

  std::string path(const char *name) const {
    llvm::SmallString<256> p(dir_);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }

  /// Compiles model.onnx to `output`; fails the test with the diagnostics.
  void compile(const char *output, std::vector<std::pair<std::string, std::vector<int64_t>>>
                                       shapes = {}) {
    mlir::DialectRegistry registry;
    smelt::registerAllDialects(registry);
    mlir::MLIRContext context(registry);
    context.disableMultithreading();
    std::string diagnostics;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      diagnostics += d.str() + "\n";
      return mlir::success();
    });
    smelt::CompileOptions options;
    options.input = path("model.onnx");
    options.output = path(output);
    options.emit = llvm::StringRef(output).ends_with(".o") ? smelt::EmitKind::Obj
                                                           : smelt::EmitKind::Shared;
    for (auto &[name, dims] : shapes)
      options.import.inputShapes[name] = dims;
    ASSERT_TRUE(mlir::succeeded(smelt::compileModel(options, context))) << diagnostics;
  }

  llvm::SmallString<256> dir_;
};

TEST_F(MetadataRoundTrip, RuntimeReadsEverything) {
  compile("libmodel.so");
  smelt_model *raw = nullptr;
  smelt_status *status = smelt_model_open(path("libmodel.so").c_str(), &raw);
  ASSERT_EQ(status, nullptr) << smelt_status_message(status);
  std::unique_ptr<smelt_model, void (*)(smelt_model *)> model(raw, smelt_model_close);

  const smelt_model_metadata *m = smelt_model_get_metadata(model.get());
  ASSERT_NE(m, nullptr);
  EXPECT_STREQ(m->producer_name, "pytorch");
  EXPECT_STREQ(m->producer_version, "2.1.0");
  EXPECT_STREQ(m->domain, "org.example.test");
  EXPECT_EQ(m->model_version, 12);
  EXPECT_STREQ(smelt_model_description(model.get()), "Rectifies.\nSecond line */ int injected;");
  EXPECT_STREQ(m->graph_doc_string, "the graph");
  ASSERT_EQ(m->num_opsets, 1u);
  EXPECT_EQ(m->opsets[0].version, 13); // as declared, before the upgrade
  EXPECT_STREQ(m->compiler, "smelt " SMELT_VERSION_STRING);
  EXPECT_STREQ(m->compile_options, "-O2");
  // The host's target: its features begin with the triple's architecture.
  std::string triple = m->target_triple;
  EXPECT_EQ(std::string(m->target_features).rfind(triple.substr(0, triple.find('-')), 0), 0u);

  ASSERT_EQ(smelt_model_metadata_count(model.get()), size_t(kEntries + 4));
  for (int i = 0; i < kEntries; ++i) {
    ASSERT_EQ(smelt_model_metadata_key(model.get(), i), entryKey(i));
    ASSERT_EQ(smelt_model_metadata_value(model.get(), i), entryValue(i));
  }
  EXPECT_STREQ(smelt_model_metadata_lookup(model.get(), "\xe5\x90\x8d\xe5\x89\x8d"),
               "\xe5\x80\xa4 \xe2\x9c\x93");
  EXPECT_STREQ(smelt_model_metadata_lookup(model.get(), "empty"), "");
  EXPECT_STREQ(smelt_model_metadata_lookup(model.get(), entryKey(kEntries - 1).c_str()),
               entryValue(kEntries - 1).c_str());
  const smelt_metadata_entry &nul = m->entries[kEntries + 2];
  EXPECT_EQ(std::string(nul.value, nul.value_size), std::string("a\0b", 3));

  const smelt_tensor_info *x = smelt_model_input(model.get(), 0);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->dims[0], SMELT_DYNAMIC_DIM);
  EXPECT_STREQ(smelt_tensor_dim_name(x, 0), "batch");
  EXPECT_STREQ(smelt_tensor_dim_name(x, 1), "");
  EXPECT_STREQ(x->doc_string, "pixels, scaled to [0, 1]");
  const smelt_tensor_info *y = smelt_model_output(model.get(), 0);
  EXPECT_STREQ(smelt_tensor_dim_name(y, 0), "batch");
  EXPECT_STREQ(y->doc_string, "");
}

/// The manifest section's text in the file at `file`.
std::string manifestOf(const std::string &file) {
  auto object = llvm::object::ObjectFile::createObjectFile(file);
  if (!object) {
    llvm::consumeError(object.takeError());
    return "";
  }
  for (const llvm::object::SectionRef &section : object->getBinary()->sections()) {
    llvm::Expected<llvm::StringRef> name = section.getName();
    if (name && *name == SMELT_MODEL_MANIFEST_SECTION) {
      llvm::Expected<llvm::StringRef> contents = section.getContents();
      return contents ? contents->split('\0').first.str() : "";
    }
    llvm::consumeError(name.takeError());
  }
  return "";
}

TEST_F(MetadataRoundTrip, ManifestDescribesTheObjectFile) {
  compile("model.o", {{"x", {4, 3}}});
  llvm::Expected<llvm::json::Value> manifest = llvm::json::parse(manifestOf(path("model.o")));
  ASSERT_TRUE(bool(manifest)) << llvm::toString(manifest.takeError());
  const llvm::json::Object &root = *manifest->getAsObject();
  EXPECT_EQ(root.getInteger("abi_version"), SMELT_ABI_VERSION);
  EXPECT_EQ(root.getString("symbol_prefix"), "model");
  EXPECT_EQ(root.getString("graph_name"), "relu_graph");
  const llvm::json::Object *model = root.getObject("model");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->getString("producer_name"), "pytorch");
  const llvm::json::Array *props = model->getArray("metadata_props");
  ASSERT_NE(props, nullptr);
  ASSERT_EQ(props->size(), size_t(kEntries + 4));
  EXPECT_EQ((*props)[kEntries - 1].getAsObject()->getString("key"), entryKey(kEntries - 1));
  EXPECT_EQ((*props)[kEntries + 2].getAsObject()->getString("value"), std::string("a\0b", 3));
  const llvm::json::Object *x = (*root.getArray("inputs"))[0].getAsObject();
  EXPECT_EQ((*x->getArray("dims"))[0].getAsInteger(), 4); // fixed by --shape...
  EXPECT_EQ((*x->getArray("dim_names"))[0].getAsString(), "batch"); // ...and still named
  EXPECT_EQ(x->getString("doc_string"), "pixels, scaled to [0, 1]");
  EXPECT_EQ(root.getObject("build")->getString("compile_options"), "-O2 --shape x=4,3");
}

TEST_F(MetadataRoundTrip, HeaderCarriesMetadataAsCommentsAndDimsAsMacros) {
  compile("model.o", {{"x", {4, 3}}});
  std::stringstream text;
  text << std::ifstream(path("model.h")).rdbuf();
  std::string header = text.str();
  // No model string can close the comment or start a line of code.
  EXPECT_EQ(header.find("*/ int injected"), std::string::npos) << header.substr(0, 400);
  EXPECT_NE(header.find("Rectifies.\\nSecond line *\\/ int injected;"), std::string::npos);
  EXPECT_NE(header.find(" *   escape: \\x1b[31mred\n"), std::string::npos);
  EXPECT_NE(header.find(" *   \xe5\x90\x8d\xe5\x89\x8d: \xe5\x80\xa4 \xe2\x9c\x93\n"),
            std::string::npos);
  EXPECT_NE(header.find(" *   key_2999: value 20993\n"), std::string::npos);
  EXPECT_NE(header.find(" * x: pixels, scaled to [0, 1]\n"), std::string::npos);
  EXPECT_NE(header.find("#define MODEL_INPUT_X_DIM0 4 /* batch */\n"), std::string::npos);
  EXPECT_NE(header.find("#define MODEL_INPUT_X_ELEMENTS 12\n"), std::string::npos);
  EXPECT_NE(header.find("#define MODEL_DIM_BATCH 4\n"), std::string::npos);
}

} // namespace
