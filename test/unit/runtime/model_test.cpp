// model_test.cpp - loading, validating and describing models.
//
// Covers smelt_model_open on the fixture libraries (including every way a
// load can fail), smelt_model_from_info on malformed signatures and device
// code (refused before any driver is loaded; GPU models run in
// device_test.cpp), the query functions, and the version, status and dtype
// helpers.
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"

using namespace smelt_test;

namespace {

int32_t noopEntry(const smelt_call *) { return SMELT_ENTRY_OK; }

const int64_t kVec4[] = {4};
const smelt_tensor_info kLinkedIn[] = {{"a", SMELT_DTYPE_FLOAT32, 1, kVec4, 0, 0, nullptr, ""}};
const smelt_tensor_info kLinkedOut[] = {{"b", SMELT_DTYPE_FLOAT32, 1, kVec4, 0, 0, nullptr, ""}};

TEST(RuntimeVersion, MatchesHeader) {
  EXPECT_EQ(smelt_abi_version(), SMELT_ABI_VERSION);
  EXPECT_EQ(smelt_version_number(), (unsigned)SMELT_VERSION_NUMBER);
  EXPECT_STREQ(smelt_version_string(), "0.2.0");
}

TEST(RuntimeStatus, NullMeansSuccess) {
  EXPECT_EQ(smelt_status_code(nullptr), SMELT_OK);
  EXPECT_STREQ(smelt_status_message(nullptr), "ok");
  smelt_status_free(nullptr);
  EXPECT_STREQ(smelt_code_name(SMELT_ERR_SHAPE), "SMELT_ERR_SHAPE");
  EXPECT_STREQ(smelt_code_name(SMELT_ERR_DEVICE), "SMELT_ERR_DEVICE");
  EXPECT_STREQ(smelt_code_name(1234), "SMELT_ERR_UNKNOWN");
}

TEST(RuntimeDtype, SizesAndNames) {
  EXPECT_EQ(smelt_dtype_size(SMELT_DTYPE_FLOAT32), 4u);
  EXPECT_EQ(smelt_dtype_size(SMELT_DTYPE_INT64), 8u);
  EXPECT_EQ(smelt_dtype_size(SMELT_DTYPE_BOOL), 1u);
  EXPECT_EQ(smelt_dtype_size(SMELT_DTYPE_BFLOAT16), 2u);
  EXPECT_EQ(smelt_dtype_size(SMELT_DTYPE_STRING), 0u);
  EXPECT_EQ(smelt_dtype_size(99), 0u);
  EXPECT_STREQ(smelt_dtype_name(SMELT_DTYPE_FLOAT32), "float32");
  EXPECT_STREQ(smelt_dtype_name(SMELT_DTYPE_INT64), "int64");
  EXPECT_STREQ(smelt_dtype_name(SMELT_DTYPE_BOOL), "bool");
  EXPECT_STREQ(smelt_dtype_name(99), "unknown");
}

TEST(RuntimeRole, Names) {
  EXPECT_STREQ(smelt_role_name(SMELT_ROLE_TENSOR), "tensor");
  EXPECT_STREQ(smelt_role_name(SMELT_ROLE_SEQUENCE_DATA), "sequence_data");
  EXPECT_STREQ(smelt_role_name(SMELT_ROLE_SEQUENCE_SHAPES), "sequence_shapes");
  EXPECT_STREQ(smelt_role_name(SMELT_ROLE_OPTIONAL_PRESENT), "optional_present");
  EXPECT_STREQ(smelt_role_name(SMELT_ROLE_STRING_BYTES), "string_bytes");
  EXPECT_STREQ(smelt_role_name(SMELT_ROLE_STRING_LENGTHS), "string_lengths");
  EXPECT_STREQ(smelt_role_name(6), "unknown");
}

TEST(RuntimeAbi, TensorInfoLayout) {
  // Field offsets are part of the ABI that AbiTypes.h mirrors in the compiler.
  EXPECT_EQ(offsetof(smelt_tensor_info, dims), 2 * sizeof(void *));
  EXPECT_EQ(offsetof(smelt_tensor_info, role), 3 * sizeof(void *));
  EXPECT_EQ(offsetof(smelt_tensor_info, dim_names), 3 * sizeof(void *) + 8);
  EXPECT_EQ(offsetof(smelt_tensor_info, doc_string), 4 * sizeof(void *) + 8);
  EXPECT_EQ(sizeof(smelt_tensor_info), 5 * sizeof(void *) + 8);
}

TEST(RuntimeAbi, MetadataLayout) {
  // Version 3's additions, mirrored by AbiTypes.h: no hidden padding.
  EXPECT_EQ(offsetof(smelt_model_info, metadata), sizeof(smelt_model_info) - 2 * sizeof(void *));
  EXPECT_EQ(offsetof(smelt_model_metadata, num_entries), 8 + 5 * sizeof(void *));
  EXPECT_EQ(sizeof(smelt_model_metadata), 16 + 12 * sizeof(void *));
  EXPECT_EQ(sizeof(smelt_metadata_entry), 16 + 2 * sizeof(void *));
  EXPECT_EQ(offsetof(smelt_opset_import, domain), 8u);
}

TEST(RuntimeAbi, DeviceLayout) {
  // Version 4's additions, mirrored by AbiTypes.h: appended, no hidden padding.
  EXPECT_EQ(offsetof(smelt_model_info, device), sizeof(smelt_model_info) - sizeof(void *));
  EXPECT_EQ(offsetof(smelt_call, device), sizeof(smelt_call) - 2 * sizeof(void *));
  EXPECT_EQ(offsetof(smelt_device_code, image_size), 3 * sizeof(void *));
  EXPECT_EQ(offsetof(smelt_device_code, num_kernels), 8 + 4 * sizeof(void *));
  EXPECT_EQ(offsetof(smelt_device_code, constants), 16 + 4 * sizeof(void *));
  EXPECT_EQ(sizeof(smelt_device_code), 32 + 5 * sizeof(void *));
  EXPECT_EQ(sizeof(smelt_device_api), 6 * sizeof(void *));
}

TEST(RuntimeAbi, WorkspaceNeededLayout) {
  // Version 5's addition, mirrored by AbiTypes.h: appended.
  EXPECT_EQ(offsetof(smelt_call, workspace_needed), sizeof(smelt_call) - sizeof(void *));
}

TEST(RuntimeModel, OpenAndClose) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  const smelt_model_info *info = smelt_model_get_info(model.get());
  ASSERT_NE(info, nullptr);
  EXPECT_STREQ(info->model_name, "fixture");
  EXPECT_EQ(info->onnx_opset, 17u);
  smelt_model_close(nullptr);
}

TEST(RuntimeModel, DescribesInputsAndOutputs) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(smelt_model_num_inputs(model.get()), 2u);
  ASSERT_EQ(smelt_model_num_outputs(model.get()), 1u);

  const smelt_tensor_info *x = smelt_model_input(model.get(), 0);
  ASSERT_NE(x, nullptr);
  EXPECT_STREQ(x->name, "x");
  EXPECT_EQ(x->dtype, SMELT_DTYPE_FLOAT32);
  ASSERT_EQ(x->rank, 2);
  EXPECT_EQ(x->dims[0], 2);
  EXPECT_EQ(x->dims[1], 3);

  const smelt_tensor_info *y = smelt_model_input(model.get(), 1);
  ASSERT_NE(y, nullptr);
  EXPECT_STREQ(y->name, "y");
  EXPECT_EQ(y->dtype, SMELT_DTYPE_INT64);
  ASSERT_EQ(y->rank, 1);
  EXPECT_EQ(y->dims[0], 3);

  const smelt_tensor_info *z = smelt_model_output(model.get(), 0);
  ASSERT_NE(z, nullptr);
  EXPECT_STREQ(z->name, "z");
  EXPECT_EQ(z->dtype, SMELT_DTYPE_FLOAT32);
  ASSERT_EQ(z->rank, 2);
  EXPECT_EQ(x->role, SMELT_ROLE_TENSOR);
  EXPECT_EQ(z->role, SMELT_ROLE_TENSOR);

  EXPECT_EQ(smelt_model_input(model.get(), 2), nullptr);
  EXPECT_EQ(smelt_model_output(model.get(), 1), nullptr);
}

TEST(RuntimeModel, FindsTensorsByName) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(smelt_model_find_input(model.get(), "x"), 0);
  EXPECT_EQ(smelt_model_find_input(model.get(), "y"), 1);
  EXPECT_EQ(smelt_model_find_input(model.get(), "z"), -1);
  EXPECT_EQ(smelt_model_find_input(model.get(), nullptr), -1);
  EXPECT_EQ(smelt_model_find_output(model.get(), "z"), 0);
  EXPECT_EQ(smelt_model_find_output(model.get(), "x"), -1);
}

TEST(RuntimeModel, QueriesAcceptNull) {
  EXPECT_EQ(smelt_model_get_info(nullptr), nullptr);
  EXPECT_EQ(smelt_model_num_inputs(nullptr), 0u);
  EXPECT_EQ(smelt_model_num_outputs(nullptr), 0u);
  EXPECT_EQ(smelt_model_input(nullptr, 0), nullptr);
  EXPECT_EQ(smelt_model_output(nullptr, 0), nullptr);
  EXPECT_EQ(smelt_model_find_input(nullptr, "x"), -1);
  EXPECT_EQ(smelt_model_find_output(nullptr, "z"), -1);
}

TEST(RuntimeModelOpen, MissingFileNamesThePath) {
  const char *path = "/nonexistent/smelt/model.so";
  smelt_model *model = reinterpret_cast<smelt_model *>(0x1);
  Status status(smelt_model_open(path, &model));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_NOT_FOUND);
  EXPECT_TRUE(contains(message(status), path));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeModelOpen, NonLibraryReportsLoaderError) {
  smelt_model *model = nullptr;
  Status status(smelt_model_open(SMELT_NOT_A_LIBRARY_PATH, &model));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_LOAD);
  EXPECT_TRUE(contains(message(status), SMELT_NOT_A_LIBRARY_PATH));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeModelOpen, LibraryWithoutInfoSymbol) {
  smelt_model *model = nullptr;
  Status status(smelt_model_open(SMELT_NOT_A_MODEL_PATH, &model));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_LOAD);
  EXPECT_TRUE(contains(message(status), SMELT_NOT_A_MODEL_PATH));
  EXPECT_TRUE(contains(message(status), SMELT_MODEL_INFO_SYMBOL));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeModelOpen, AbiMismatch) {
  smelt_model *model = nullptr;
  Status status(smelt_model_open(SMELT_FIXTURE_BAD_ABI_PATH, &model));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_ABI_MISMATCH);
  EXPECT_TRUE(contains(message(status), SMELT_FIXTURE_BAD_ABI_PATH));
  EXPECT_TRUE(contains(message(status), "targets smelt ABI version 1, but this runtime "
                                        "implements version " +
                                            std::to_string(SMELT_ABI_VERSION) +
                                            "; recompile the model"));
  EXPECT_EQ(model, nullptr);
}

TEST(RuntimeModelOpen, NullArguments) {
  smelt_model *model = nullptr;
  Status noPath(smelt_model_open(nullptr, &model));
  EXPECT_EQ(smelt_status_code(noPath.get()), SMELT_ERR_INVALID_ARGUMENT);
  Status noOut(smelt_model_open(SMELT_FIXTURE_MODEL_PATH, nullptr));
  EXPECT_EQ(smelt_status_code(noOut.get()), SMELT_ERR_INVALID_ARGUMENT);
  Status noInfo(smelt_model_from_info(nullptr, &model));
  EXPECT_EQ(smelt_status_code(noInfo.get()), SMELT_ERR_INVALID_ARGUMENT);
  smelt_model_info info = makeInfo(kLinkedIn, 1, kLinkedOut, 1, noopEntry);
  Status noInfoOut(smelt_model_from_info(&info, nullptr));
  EXPECT_EQ(smelt_status_code(noInfoOut.get()), SMELT_ERR_INVALID_ARGUMENT);
}

TEST(RuntimeModelFromInfo, WrapsLinkedModel) {
  smelt_model_info info = makeInfo(kLinkedIn, 1, kLinkedOut, 1, noopEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(smelt_model_get_info(model.get()), &info);
  EXPECT_EQ(smelt_model_find_input(model.get(), "a"), 0);
  EXPECT_EQ(smelt_model_find_output(model.get(), "b"), 0);
}

// Returns the status of wrapping `info`, closing the model if one was made.
Status wrap(const smelt_model_info &info) {
  smelt_model *model = nullptr;
  Status status(smelt_model_from_info(&info, &model));
  EXPECT_EQ(model == nullptr, status != nullptr);
  smelt_model_close(model);
  return status;
}

TEST(RuntimeModelFromInfo, RejectsMalformedInfo) {
  smelt_model_info abi = makeInfo(kLinkedIn, 1, kLinkedOut, 1, noopEntry);
  abi.abi_version = SMELT_ABI_VERSION + 1;
  EXPECT_EQ(smelt_status_code(wrap(abi).get()), SMELT_ERR_ABI_MISMATCH);

  smelt_model_info noEntry = makeInfo(kLinkedIn, 1, kLinkedOut, 1, nullptr);
  EXPECT_EQ(smelt_status_code(wrap(noEntry).get()), SMELT_ERR_LOAD);

  smelt_model_info noInputs = makeInfo(nullptr, 1, kLinkedOut, 1, noopEntry);
  EXPECT_EQ(smelt_status_code(wrap(noInputs).get()), SMELT_ERR_LOAD);

  smelt_model_info badAlign = makeInfo(kLinkedIn, 1, kLinkedOut, 1, noopEntry);
  badAlign.workspace_size = 64;
  badAlign.workspace_align = 3;
  EXPECT_EQ(smelt_status_code(wrap(badAlign).get()), SMELT_ERR_LOAD);

  const int64_t dims17[17] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const int64_t negative[] = {-2};
  const smelt_tensor_info bad[] = {
      {"rank17", SMELT_DTYPE_FLOAT32, 17, dims17},
      {"string", SMELT_DTYPE_STRING, 1, kVec4},
      {"negative", SMELT_DTYPE_FLOAT32, 1, negative},
      {"nodims", SMELT_DTYPE_FLOAT32, 1, nullptr},
      {nullptr, SMELT_DTYPE_FLOAT32, 1, kVec4},
  };
  for (const smelt_tensor_info &tensor : bad) {
    smelt_model_info info = makeInfo(&tensor, 1, kLinkedOut, 1, noopEntry);
    Status status = wrap(info);
    EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_LOAD)
        << (tensor.name ? tensor.name : "<null name>");
    if (tensor.name) {
      EXPECT_TRUE(contains(message(status), tensor.name));
    }
  }
}

// Device code is checked with the rest of the signature, before the CUDA
// driver is looked for (there is none here).
TEST(RuntimeModelFromInfo, RejectsMalformedDeviceCode) {
  static const char *const names[] = {"k0", nullptr};
  static const float constants[2] = {};
  struct Case {
    const char *why;
    void (*breakIt)(smelt_device_code &, smelt_model_info &);
    const char *message;
  };
  const Case cases[] = {
      {"platform", [](smelt_device_code &d, smelt_model_info &) { d.platform = "rocm"; },
       "model 'linked' was compiled for the device platform 'rocm', which this runtime does "
       "not run (it runs 'cuda')"},
      {"no platform", [](smelt_device_code &d, smelt_model_info &) { d.platform = nullptr; },
       "model 'linked' has malformed device code: no platform"},
      {"arch", [](smelt_device_code &d, smelt_model_info &) { d.arch = "compute_80"; },
       "GPU architecture 'compute_80' is not of the form sm_<major><minor>"},
      {"short arch", [](smelt_device_code &d, smelt_model_info &) { d.arch = "sm_8"; },
       "GPU architecture 'sm_8'"},
      {"no arch", [](smelt_device_code &d, smelt_model_info &) { d.arch = nullptr; },
       "GPU architecture '(null)'"},
      {"image", [](smelt_device_code &d, smelt_model_info &) { d.image = nullptr; },
       "model 'linked' has malformed device code: no PTX image"},
      // The driver reads PTX up to its NUL: it must be right at image_size.
      {"image size short", [](smelt_device_code &d, smelt_model_info &) { d.image_size = 5; },
       "model 'linked' has malformed device code: the PTX image does not end with a NUL at "
       "image_size (5)"},
      {"image size long", [](smelt_device_code &d, smelt_model_info &) { d.image_size = 20; },
       "the PTX image does not end with a NUL at image_size (20)"},
      {"names", [](smelt_device_code &d, smelt_model_info &) { d.kernel_names = nullptr; },
       "2 kernels but no names for them"},
      {"a name", [](smelt_device_code &d, smelt_model_info &) { d.kernel_names = names; },
       "kernel #1 has no name"},
      {"constants", [](smelt_device_code &d, smelt_model_info &) { d.constants = nullptr; },
       "8 bytes of constants but no data"},
      {"constants align", [](smelt_device_code &d, smelt_model_info &) { d.constants_align = 24; },
       "constants alignment 24 is not a power of two up to 256"},
      {"constants align", [](smelt_device_code &d, smelt_model_info &) { d.constants_align = 512; },
       "constants alignment 512"},
      {"workspace align",
       [](smelt_device_code &, smelt_model_info &i) {
         i.workspace_size = 64;
         i.workspace_align = 512;
       },
       "workspace alignment 512 is above 256"},
  };
  static const char *const goodNames[] = {"k0", "k1"};
  for (const Case &c : cases) {
    SCOPED_TRACE(c.why);
    smelt_device_code code = {"cuda", "sm_80", ".entry k0", 9, goodNames, 2, 0,
                              constants, sizeof constants, 16};
    smelt_model_info info = makeInfo(kLinkedIn, 1, kLinkedOut, 1, noopEntry);
    info.device = &code;
    c.breakIt(code, info);
    Status status = wrap(info);
    EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_LOAD);
    EXPECT_TRUE(contains(message(status), c.message));
  }
}

// Graph values of every kind, as the compiler lays them out over slots:
//   in:  t: tensor, s: seq<tensor>, o: opt<tensor>, os: opt<seq<tensor>>,
//        w: string[?,?]
//   out: r: seq<tensor>, v: string scalar
const int64_t kDyn1[] = {SMELT_DYNAMIC_DIM};
const int64_t kDyn2[] = {SMELT_DYNAMIC_DIM, SMELT_DYNAMIC_DIM};
const int64_t kRows2[] = {SMELT_DYNAMIC_DIM, 2};
const smelt_tensor_info kGroupedIn[] = {
    {"t", SMELT_DTYPE_FLOAT32, 1, kVec4, SMELT_ROLE_TENSOR, 0},
    {"s", SMELT_DTYPE_FLOAT32, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0},
    {"s", SMELT_DTYPE_INT64, 2, kRows2, SMELT_ROLE_SEQUENCE_SHAPES, 0},
    {"o", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0},
    {"o", SMELT_DTYPE_INT32, 2, kDyn2, SMELT_ROLE_TENSOR, 0},
    {"os", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0},
    {"os", SMELT_DTYPE_INT64, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0},
    {"os", SMELT_DTYPE_INT64, 2, kDyn2, SMELT_ROLE_SEQUENCE_SHAPES, 0},
    {"w", SMELT_DTYPE_UINT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0},
    {"w", SMELT_DTYPE_INT64, 2, kDyn2, SMELT_ROLE_STRING_LENGTHS, 0},
};
const smelt_tensor_info kGroupedOut[] = {
    {"r", SMELT_DTYPE_FLOAT32, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0},
    {"r", SMELT_DTYPE_INT64, 2, kDyn2, SMELT_ROLE_SEQUENCE_SHAPES, 0},
    {"v", SMELT_DTYPE_UINT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0},
    {"v", SMELT_DTYPE_INT64, 0, nullptr, SMELT_ROLE_STRING_LENGTHS, 0},
};

TEST(RuntimeModelFromInfo, RolesAreVisibleThroughTheApi) {
  smelt_model_info info = makeInfo(kGroupedIn, 10, kGroupedOut, 4, noopEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(smelt_model_num_inputs(model.get()), 10u);
  const int32_t roles[] = {SMELT_ROLE_TENSOR,           SMELT_ROLE_SEQUENCE_DATA,
                           SMELT_ROLE_SEQUENCE_SHAPES,  SMELT_ROLE_OPTIONAL_PRESENT,
                           SMELT_ROLE_TENSOR,           SMELT_ROLE_OPTIONAL_PRESENT,
                           SMELT_ROLE_SEQUENCE_DATA,    SMELT_ROLE_SEQUENCE_SHAPES,
                           SMELT_ROLE_STRING_BYTES,     SMELT_ROLE_STRING_LENGTHS};
  for (size_t i = 0; i < 10; ++i)
    EXPECT_EQ(smelt_model_input(model.get(), i)->role, roles[i]) << "input #" << i;
  EXPECT_EQ(smelt_model_output(model.get(), 1)->role, SMELT_ROLE_SEQUENCE_SHAPES);
  EXPECT_EQ(smelt_model_output(model.get(), 3)->role, SMELT_ROLE_STRING_LENGTHS);
  // A name finds the first slot of its group.
  EXPECT_EQ(smelt_model_find_input(model.get(), "s"), 1);
  EXPECT_EQ(smelt_model_find_input(model.get(), "o"), 3);
  EXPECT_EQ(smelt_model_find_input(model.get(), "os"), 5);
  EXPECT_EQ(smelt_model_find_input(model.get(), "w"), 8);
  EXPECT_EQ(smelt_model_find_output(model.get(), "r"), 0);
  EXPECT_EQ(smelt_model_find_output(model.get(), "v"), 2);
}

TEST(RuntimeModelFromInfo, RejectsMalformedSlotGroups) {
  struct Case {
    const char *what;
    std::vector<smelt_tensor_info> slots;
    const char *message;
  };
  const Case cases[] = {
      {"unknown role",
       {{"t", SMELT_DTYPE_FLOAT32, 1, kVec4, 7, 0}},
       "input 't' (#0) has unknown role 7"},
      {"data without shapes",
       {{"s", SMELT_DTYPE_FLOAT32, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0}},
       "input 's' needs a sequence_shapes slot named 's' at #1"},
      {"shapes of another value",
       {{"s", SMELT_DTYPE_FLOAT32, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0},
        {"u", SMELT_DTYPE_INT64, 2, kRows2, SMELT_ROLE_SEQUENCE_SHAPES, 0}},
       "input 's' needs a sequence_shapes slot named 's' at #1"},
      {"shapes alone",
       {{"s", SMELT_DTYPE_INT64, 2, kRows2, SMELT_ROLE_SEQUENCE_SHAPES, 0}},
       "input 's' (#0) has role sequence_shapes but does not follow"},
      {"shapes not int64",
       {{"s", SMELT_DTYPE_FLOAT32, 1, kDyn1, SMELT_ROLE_SEQUENCE_DATA, 0},
        {"s", SMELT_DTYPE_INT32, 2, kRows2, SMELT_ROLE_SEQUENCE_SHAPES, 0}},
       "input 's' (#1) has role sequence_shapes, which needs int64 with rank 2, but it "
       "is int32 with rank 2"},
      {"data not 1-D",
       {{"s", SMELT_DTYPE_FLOAT32, 2, kDyn2, SMELT_ROLE_SEQUENCE_DATA, 0},
        {"s", SMELT_DTYPE_INT64, 2, kRows2, SMELT_ROLE_SEQUENCE_SHAPES, 0}},
       "input 's' (#0) has role sequence_data, which needs rank 1"},
      {"flag not a bool scalar",
       {{"o", SMELT_DTYPE_INT32, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0},
        {"o", SMELT_DTYPE_FLOAT32, 1, kVec4, SMELT_ROLE_TENSOR, 0}},
       "input 'o' (#0) has role optional_present, which needs a bool scalar"},
      {"flag without value",
       {{"o", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0}},
       "input 'o' needs a tensor or sequence_data slot named 'o' at #1"},
      {"flag before a flag",
       {{"o", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0},
        {"o", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0}},
       "input 'o' needs a tensor or sequence_data slot named 'o' at #1"},
      {"lengths alone",
       {{"w", SMELT_DTYPE_INT64, 1, kDyn1, SMELT_ROLE_STRING_LENGTHS, 0}},
       "input 'w' (#0) has role string_lengths but does not follow a string_bytes slot of "
       "the same name"},
      {"bytes without lengths",
       {{"w", SMELT_DTYPE_UINT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0}},
       "input 'w' needs a string_lengths slot named 'w' at #1"},
      {"lengths of another value",
       {{"w", SMELT_DTYPE_UINT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0},
        {"u", SMELT_DTYPE_INT64, 1, kDyn1, SMELT_ROLE_STRING_LENGTHS, 0}},
       "input 'w' needs a string_lengths slot named 'w' at #1"},
      {"bytes not uint8",
       {{"w", SMELT_DTYPE_INT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0},
        {"w", SMELT_DTYPE_INT64, 1, kDyn1, SMELT_ROLE_STRING_LENGTHS, 0}},
       "input 'w' (#0) has role string_bytes, which needs uint8 with rank 1, but it is int8 "
       "with rank 1"},
      {"bytes not 1-D",
       {{"w", SMELT_DTYPE_UINT8, 2, kDyn2, SMELT_ROLE_STRING_BYTES, 0},
        {"w", SMELT_DTYPE_INT64, 1, kDyn1, SMELT_ROLE_STRING_LENGTHS, 0}},
       "input 'w' (#0) has role string_bytes, which needs uint8 with rank 1, but it is uint8 "
       "with rank 2"},
      {"lengths not int64",
       {{"w", SMELT_DTYPE_UINT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0},
        {"w", SMELT_DTYPE_INT32, 2, kDyn2, SMELT_ROLE_STRING_LENGTHS, 0}},
       "input 'w' (#1) has role string_lengths, which needs int64, but it is int32 with "
       "rank 2"},
      {"optional string",
       {{"o", SMELT_DTYPE_BOOL, 0, nullptr, SMELT_ROLE_OPTIONAL_PRESENT, 0},
        {"o", SMELT_DTYPE_UINT8, 1, kDyn1, SMELT_ROLE_STRING_BYTES, 0},
        {"o", SMELT_DTYPE_INT64, 1, kDyn1, SMELT_ROLE_STRING_LENGTHS, 0}},
       "input 'o' needs a tensor or sequence_data slot named 'o' at #1"},
  };
  for (const Case &c : cases) {
    smelt_model_info info = makeInfo(c.slots.data(), static_cast<uint32_t>(c.slots.size()),
                                      kLinkedOut, 1, noopEntry);
    Status status = wrap(info);
    EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_LOAD) << c.what;
    EXPECT_TRUE(contains(message(status), c.message)) << c.what;
  }
  // Outputs follow the same rules.
  smelt_model_info info = makeInfo(kLinkedIn, 1, kGroupedOut, 1, noopEntry);
  Status status = wrap(info);
  EXPECT_TRUE(contains(message(status), "output 'r' needs a sequence_shapes slot"));
}

} // namespace
