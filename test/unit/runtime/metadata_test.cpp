// metadata_test.cpp - a model's metadata through the runtime API (ABI 3).
//
// The fixture library carries metadata as the compiler writes it (UTF-8,
// an empty value, a value with an embedded NUL, dim names, doc strings);
// hand-written infos without metadata read as empty; malformed metadata is
// refused at load time. The compiler's side is covered end to end by
// test/unit/emit/metadata_roundtrip_test.cpp.
#include <cstring>
#include <string>

#include "test_util.h"

using namespace smelt_test;

namespace {

int32_t noopEntry(const smelt_call *) { return SMELT_ENTRY_OK; }

const int64_t kVec4[] = {4};
const smelt_tensor_info kIn[] = {{"a", SMELT_DTYPE_FLOAT32, 1, kVec4, 0, 0, nullptr, nullptr}};

smelt_model_info linkedInfo(const smelt_model_metadata *metadata) {
  smelt_model_info info = makeInfo(kIn, 1, kIn, 1, noopEntry);
  info.metadata = metadata;
  return info;
}

TEST(RuntimeMetadata, ModelFields) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  const smelt_model_metadata *m = smelt_model_get_metadata(model.get());
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->model_version, 42);
  EXPECT_STREQ(m->producer_name, "pytorch");
  EXPECT_STREQ(m->producer_version, "2.1.0");
  EXPECT_STREQ(m->domain, "org.example.fixture");
  EXPECT_STREQ(m->graph_doc_string, "graph doc");
  EXPECT_STREQ(smelt_model_description(model.get()), "Adds a row vector to a matrix.");
  ASSERT_EQ(m->num_opsets, 2u);
  EXPECT_EQ(m->opsets[0].version, 13);
  EXPECT_STREQ(m->opsets[0].domain, "");
  EXPECT_STREQ(m->opsets[1].domain, "com.microsoft");
  EXPECT_STREQ(m->compile_options, "-O2 --shape x=2,3");
  EXPECT_STREQ(m->target_triple, "x86_64-unknown-linux-gnu");
}

TEST(RuntimeMetadata, EntriesInOrder) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(smelt_model_metadata_count(model.get()), 4u);
  EXPECT_STREQ(smelt_model_metadata_key(model.get(), 0), "labels");
  EXPECT_STREQ(smelt_model_metadata_value(model.get(), 0), "cat,dog");
  EXPECT_STREQ(smelt_model_metadata_key(model.get(), 1), "empty");
  EXPECT_STREQ(smelt_model_metadata_value(model.get(), 1), "");
  EXPECT_STREQ(smelt_model_metadata_key(model.get(), 2), "\u540d\u524d");
  EXPECT_STREQ(smelt_model_metadata_value(model.get(), 2), "\u5024 \u2713");
  EXPECT_EQ(smelt_model_metadata_key(model.get(), 4), nullptr);
  EXPECT_EQ(smelt_model_metadata_value(model.get(), 4), nullptr);
}

TEST(RuntimeMetadata, ValueWithEmbeddedNulKeepsItsSize) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  const smelt_metadata_entry &blob = smelt_model_get_metadata(model.get())->entries[3];
  ASSERT_EQ(blob.value_size, 3u);
  EXPECT_EQ(std::string(blob.value, blob.value_size), std::string("a\0b", 3));
  EXPECT_STREQ(smelt_model_metadata_value(model.get(), 3), "a"); // as C sees it
}

TEST(RuntimeMetadata, Lookup) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  EXPECT_STREQ(smelt_model_metadata_lookup(model.get(), "labels"), "cat,dog");
  EXPECT_STREQ(smelt_model_metadata_lookup(model.get(), "empty"), "");
  EXPECT_STREQ(smelt_model_metadata_lookup(model.get(), "\u540d\u524d"), "\u5024 \u2713");
  EXPECT_EQ(smelt_model_metadata_lookup(model.get(), "label"), nullptr);
  EXPECT_EQ(smelt_model_metadata_lookup(model.get(), "labelsX"), nullptr);
  EXPECT_EQ(smelt_model_metadata_lookup(model.get(), nullptr), nullptr);
  EXPECT_EQ(smelt_model_metadata_lookup(nullptr, "labels"), nullptr);
}

TEST(RuntimeMetadata, DimNamesAndDocStrings) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  const smelt_tensor_info *x = smelt_model_input(model.get(), 0);
  const smelt_tensor_info *y = smelt_model_input(model.get(), 1);
  EXPECT_STREQ(smelt_tensor_dim_name(x, 0), "rows");
  EXPECT_STREQ(smelt_tensor_dim_name(x, 1), "");
  EXPECT_EQ(smelt_tensor_dim_name(x, 2), nullptr);
  EXPECT_STREQ(smelt_tensor_dim_name(y, 0), ""); // the model names none
  EXPECT_EQ(smelt_tensor_dim_name(nullptr, 0), nullptr);
  EXPECT_STREQ(x->doc_string, "first operand");
  EXPECT_STREQ(y->doc_string, "");
}

TEST(RuntimeMetadata, NullModel) {
  EXPECT_EQ(smelt_model_get_metadata(nullptr), nullptr);
  EXPECT_EQ(smelt_model_description(nullptr), nullptr);
  EXPECT_EQ(smelt_model_metadata_count(nullptr), 0u);
  EXPECT_EQ(smelt_model_metadata_key(nullptr, 0), nullptr);
}

TEST(RuntimeMetadata, HandWrittenInfoWithoutMetadataReadsEmpty) {
  smelt_model_info info = linkedInfo(nullptr);
  smelt_model *raw = nullptr;
  Status status(smelt_model_from_info(&info, &raw));
  Model model(raw);
  ASSERT_EQ(status, nullptr) << message(status);
  const smelt_model_metadata *m = smelt_model_get_metadata(model.get());
  ASSERT_NE(m, nullptr);
  EXPECT_STREQ(m->producer_name, "");
  EXPECT_STREQ(smelt_model_description(model.get()), "");
  EXPECT_EQ(smelt_model_metadata_count(model.get()), 0u);
  EXPECT_EQ(smelt_model_metadata_lookup(model.get(), "x"), nullptr);
  EXPECT_STREQ(smelt_tensor_dim_name(smelt_model_input(model.get(), 0), 0), "");
}

TEST(RuntimeMetadata, MalformedMetadataIsRefused) {
  smelt_metadata_entry badEntry{"key", nullptr, 3, 0};
  smelt_model_metadata m{};
  const char *empty = "";
  for (const char **field : {&m.producer_name, &m.producer_version, &m.domain, &m.doc_string,
                             &m.graph_doc_string, &m.compiler, &m.target_triple, &m.target_cpu,
                             &m.target_features, &m.compile_options})
    *field = empty;
  m.num_entries = 1;
  m.entries = &badEntry;
  smelt_model_info info = linkedInfo(&m);
  smelt_model *model = nullptr;
  Status status(smelt_model_from_info(&info, &model));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_LOAD);
  EXPECT_TRUE(contains(message(status), "metadata entry #0 has no key or value"));
  EXPECT_EQ(model, nullptr);

  m.num_entries = 0;
  m.compile_options = nullptr;
  Status missingString(smelt_model_from_info(&info, &model));
  EXPECT_TRUE(contains(message(missingString), "metadata string #9 is NULL"));

  m.compile_options = empty;
  m.num_opsets = 2; // without the array
  Status missingOpsets(smelt_model_from_info(&info, &model));
  EXPECT_TRUE(contains(message(missingOpsets), "declares 0 metadata entries and 2 opsets"));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeMetadata, MissingDimNameIsRefused) {
  const char *const names[] = {nullptr};
  const smelt_tensor_info in[] = {{"a", SMELT_DTYPE_FLOAT32, 1, kVec4, 0, 0, names, ""}};
  smelt_model_info info = linkedInfo(nullptr);
  info.inputs = in;
  smelt_model *model = nullptr;
  Status status(smelt_model_from_info(&info, &model));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_LOAD);
  EXPECT_TRUE(contains(message(status), "input 'a' (#0) lacks the name of dim 0"));
}

} // namespace
