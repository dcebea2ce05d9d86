// run_test.cpp - smelt_model_run: argument checks, output allocation, execution.
//
// The fixture library computes z = x + (float)y; small models linked into
// this file cover workspaces, dynamic input dims, failing entry points,
// dynamic outputs, and sequence and string inputs whose slots must agree. The last test runs one model from four threads at once.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace smelt_test;

// Under AddressSanitizer an allocation larger than it supports aborts the
// process by default; the runtime must see the NULL that malloc gives
// everywhere else (OutputTooLargeToAllocateNamesTheModel).
extern "C" const char *__asan_default_options() { return "allocator_may_return_null=1"; }

namespace {

const int64_t kXDims[] = {2, 3};
const int64_t kYDims[] = {3};

/// Inputs and outputs of one fixture call, as caller-owned storage.
struct FixtureCall {
  float x[6] = {0, 1, 2, 3, 4, 5};
  int64_t y[3] = {10, 20, 30};
  float z[6] = {};
  smelt_tensor inputs[2] = {view(x, SMELT_DTYPE_FLOAT32, 2, kXDims),
                            view(y, SMELT_DTYPE_INT64, 1, kYDims)};
  smelt_tensor outputs[1] = {view(z, SMELT_DTYPE_FLOAT32, 2, kXDims)};

  Status run(smelt_model *model) {
    return Status(smelt_model_run(model, inputs, 2, outputs, 1));
  }
};

class RuntimeRun : public ::testing::Test {
protected:
  void SetUp() override {
    model = openModel(SMELT_FIXTURE_MODEL_PATH);
    ASSERT_NE(model, nullptr);
  }
  Model model;
  FixtureCall call;
};

TEST_F(RuntimeRun, IntoCallerBuffers) {
  Status status = call.run(model.get());
  ASSERT_EQ(status, nullptr) << message(status);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(call.z[i * 3 + j], call.x[i * 3 + j] + call.y[j]);
}

TEST_F(RuntimeRun, AllocatesOutputsWhenDataIsNull) {
  call.outputs[0] = smelt_tensor{nullptr, 0, 0, nullptr};
  Status status = call.run(model.get());
  ASSERT_EQ(status, nullptr) << message(status);
  const smelt_tensor &z = call.outputs[0];
  ASSERT_NE(z.data, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(z.data) % 64, 0u);
  EXPECT_EQ(z.dtype, SMELT_DTYPE_FLOAT32);
  ASSERT_EQ(z.rank, 2);
  EXPECT_EQ(z.dims, smelt_model_output(model.get(), 0)->dims);
  const float *values = static_cast<const float *>(z.data);
  for (int k = 0; k < 6; ++k)
    EXPECT_EQ(values[k], call.x[k] + call.y[k % 3]);
  smelt_free(z.data);
  smelt_free(nullptr);
}

TEST_F(RuntimeRun, WrongInputCount) {
  Status status(smelt_model_run(model.get(), call.inputs, 1, call.outputs, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(status), "2 inputs"));
}

TEST_F(RuntimeRun, WrongOutputCount) {
  Status status(smelt_model_run(model.get(), call.inputs, 2, call.outputs, 0));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(status), "1 outputs"));
}

TEST_F(RuntimeRun, WrongDtype) {
  call.inputs[1].dtype = SMELT_DTYPE_INT32;
  Status status = call.run(model.get());
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_DTYPE);
  EXPECT_EQ(message(status), "input 'y' (#1): expected dtype int64 but got int32");
}

TEST_F(RuntimeRun, WrongRank) {
  const int64_t dims[] = {2, 3, 1};
  call.inputs[0].rank = 3;
  call.inputs[0].dims = dims;
  Status status = call.run(model.get());
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_SHAPE);
  EXPECT_EQ(message(status), "input 'x' (#0): expected shape [2,3] but got [2,3,1]");
}

TEST_F(RuntimeRun, WrongDim) {
  const int64_t dims[] = {2, 4};
  call.inputs[0].dims = dims;
  Status status = call.run(model.get());
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_SHAPE);
  EXPECT_EQ(message(status), "input 'x' (#0): expected shape [2,3] but got [2,4]");
}

TEST_F(RuntimeRun, CallerOutputMustMatchSignature) {
  const int64_t dims[] = {3, 2};
  call.outputs[0].dims = dims;
  Status shape = call.run(model.get());
  EXPECT_EQ(smelt_status_code(shape.get()), SMELT_ERR_SHAPE);
  EXPECT_EQ(message(shape), "output 'z' (#0): expected shape [2,3] but got [3,2]");

  call.outputs[0].dims = kXDims;
  call.outputs[0].dtype = SMELT_DTYPE_FLOAT64;
  Status dtype = call.run(model.get());
  EXPECT_EQ(smelt_status_code(dtype.get()), SMELT_ERR_DTYPE);
  EXPECT_TRUE(contains(message(dtype), "output 'z' (#0)"));
}

TEST_F(RuntimeRun, NullArguments) {
  Status noModel(smelt_model_run(nullptr, call.inputs, 2, call.outputs, 1));
  EXPECT_EQ(smelt_status_code(noModel.get()), SMELT_ERR_INVALID_ARGUMENT);

  Status noInputs(smelt_model_run(model.get(), nullptr, 2, call.outputs, 1));
  EXPECT_EQ(smelt_status_code(noInputs.get()), SMELT_ERR_INVALID_ARGUMENT);

  Status noOutputs(smelt_model_run(model.get(), call.inputs, 2, nullptr, 1));
  EXPECT_EQ(smelt_status_code(noOutputs.get()), SMELT_ERR_INVALID_ARGUMENT);

  call.inputs[1].dims = nullptr;
  Status noDims = call.run(model.get());
  EXPECT_EQ(smelt_status_code(noDims.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(noDims), "input 'y' (#1)"));

  call.inputs[1].dims = kYDims;
  call.inputs[0].data = nullptr;
  Status noData = call.run(model.get());
  EXPECT_EQ(smelt_status_code(noData.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(noData), "input 'x' (#0)"));
}

// A model "sum": s: float32[] = sum(a: float32[?]), using a 256-byte,
// 128-aligned workspace that it checks it received. It copies `a` into the
// workspace (up to 64 floats) and sums the copy after yielding the thread,
// so two runs sharing one workspace at once would see each other's data.
const int64_t kDynamic[] = {SMELT_DYNAMIC_DIM};
const smelt_tensor_info kSumIn[] = {{"a", SMELT_DTYPE_FLOAT32, 1, kDynamic}};
const smelt_tensor_info kSumOut[] = {{"s", SMELT_DTYPE_FLOAT32, 0, nullptr}};

std::atomic<void *> lastWorkspace{nullptr};

int32_t sumEntry(const smelt_call *call) {
  if (!call->workspace || call->workspace_size < 256 ||
      reinterpret_cast<uintptr_t>(call->workspace) % 128 != 0)
    return SMELT_ENTRY_SMALL_WORKSPACE;
  float *copy = static_cast<float *>(call->workspace);
  const float *a = static_cast<const float *>(call->inputs[0]);
  int64_t n = call->input_dims[0][0];
  if (n > 64)
    return SMELT_ENTRY_SMALL_WORKSPACE;
  for (int64_t i = 0; i < n; ++i)
    copy[i] = a[i];
  std::this_thread::yield();
  float sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += copy[i];
  *static_cast<float *>(call->outputs[0]) = sum;
  lastWorkspace.store(call->workspace);
  return SMELT_ENTRY_OK;
}

smelt_model_info sumInfo() {
  smelt_model_info info = makeInfo(kSumIn, 1, kSumOut, 1, sumEntry);
  info.workspace_size = 256;
  info.workspace_align = 128;
  return info;
}

TEST(RuntimeRunLinked, DynamicInputDimsAndWorkspace) {
  smelt_model_info info = sumInfo();
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  for (int64_t n : {0, 1, 5}) {
    std::vector<float> a(static_cast<size_t>(n), 2.0f);
    const int64_t dims[] = {n};
    smelt_tensor input = view(a.data(), SMELT_DTYPE_FLOAT32, 1, dims);
    smelt_tensor output = {nullptr, 0, 0, nullptr};
    Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
    ASSERT_EQ(status, nullptr) << message(status);
    ASSERT_NE(output.data, nullptr);
    EXPECT_EQ(output.rank, 0);
    EXPECT_EQ(*static_cast<float *>(output.data), 2.0f * n);
    smelt_free(output.data);
  }
}

/// Runs the sum model on {1, 2, 3}; its result, or NaN on failure.
float runSum(smelt_model *model, void *workspace = nullptr, size_t size = 0,
             Status *failure = nullptr) {
  float a[3] = {1, 2, 3}, s = 0;
  const int64_t dims[] = {3};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, dims);
  smelt_tensor output = view(&s, SMELT_DTYPE_FLOAT32, 0, nullptr);
  Status status(workspace || failure
                    ? smelt_model_run_with_workspace(model, &input, 1, &output, 1, workspace, size)
                    : smelt_model_run(model, &input, 1, &output, 1));
  float result = status ? NAN : s;
  if (failure)
    *failure = std::move(status);
  return result;
}

TEST(RuntimeRunLinked, WorkspaceIsKeptBetweenRuns) {
  smelt_model_info info = sumInfo();
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(smelt_model_workspace_size(model.get()), 256u);
  EXPECT_EQ(smelt_model_workspace_align(model.get()), 128u);
  ASSERT_EQ(runSum(model.get()), 6.0f);
  void *first = lastWorkspace.load();
  ASSERT_EQ(runSum(model.get()), 6.0f);
  EXPECT_EQ(lastWorkspace.load(), first);
}

TEST(RuntimeRunLinked, CallerWorkspace) {
  smelt_model_info info = sumInfo();
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  alignas(128) static unsigned char arena[512];
  EXPECT_EQ(runSum(model.get(), arena, sizeof arena), 6.0f);
  EXPECT_EQ(lastWorkspace.load(), arena);

  Status failure;
  EXPECT_TRUE(std::isnan(runSum(model.get(), arena, 255, &failure)));
  EXPECT_EQ(smelt_status_code(failure.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(failure), "needs a workspace of 256 bytes, got 255 bytes"))
      << message(failure);
  EXPECT_TRUE(std::isnan(runSum(model.get(), arena + 64, 256, &failure)));
  EXPECT_TRUE(contains(message(failure), "needs its workspace aligned to 128 bytes"))
      << message(failure);
  EXPECT_TRUE(std::isnan(runSum(model.get(), nullptr, 0, &failure)));
  EXPECT_TRUE(contains(message(failure), "needs a workspace of 256 bytes, got 0 bytes"))
      << message(failure);
}

// A model "grow": s = sum(a: float32[?]) like "sum", but, as a model with
// dynamic dims does, it plans 256 bytes and needs 256 + 64 * n in all: it
// reports that need and uses the bytes past the 256 when it was given them
// (else it would allocate them itself; here it notes that it had to).
std::atomic<uint64_t> lastWorkspaceSize{0};
std::atomic<int> ownAllocations{0};

int32_t growEntry(const smelt_call *call) {
  int64_t n = call->input_dims[0][0];
  uint64_t needed = 256 + 64 * static_cast<uint64_t>(n);
  if (call->workspace_needed)
    *call->workspace_needed = needed;
  if (!call->workspace || call->workspace_size < 256)
    return SMELT_ENTRY_SMALL_WORKSPACE;
  lastWorkspace.store(call->workspace);
  lastWorkspaceSize.store(call->workspace_size);
  if (call->workspace_size < needed)
    ++ownAllocations;
  else
    memset(static_cast<char *>(call->workspace) + 256, 0, needed - 256);
  const float *a = static_cast<const float *>(call->inputs[0]);
  float sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += a[i];
  *static_cast<float *>(call->outputs[0]) = sum;
  return SMELT_ENTRY_OK;
}

/// Runs the grow model on n twos; its result, or NaN on failure.
float runGrow(smelt_model *model, int64_t n) {
  std::vector<float> a(static_cast<size_t>(n), 2.0f);
  float s = 0;
  const int64_t dims[] = {n};
  smelt_tensor input = view(a.data(), SMELT_DTYPE_FLOAT32, 1, dims);
  smelt_tensor output = view(&s, SMELT_DTYPE_FLOAT32, 0, nullptr);
  Status status(smelt_model_run(model, &input, 1, &output, 1));
  return status ? NAN : s;
}

TEST(RuntimeRunLinked, KeptWorkspaceGrowsToWhatRunsNeeded) {
  smelt_model_info info = makeInfo(kSumIn, 1, kSumOut, 1, growEntry);
  info.workspace_size = 256;
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(smelt_model_workspace_needed(model.get()), 256u);
  ownAllocations = 0;
  // The first run of 10 finds the workspace made at open too small...
  ASSERT_EQ(runGrow(model.get(), 10), 20.0f);
  EXPECT_EQ(lastWorkspaceSize.load(), 256u);
  EXPECT_EQ(ownAllocations.load(), 1);
  EXPECT_EQ(smelt_model_workspace_needed(model.get()), 256u + 640u);
  // ...the next gets one that large, and keeps it for smaller runs.
  ASSERT_EQ(runGrow(model.get(), 10), 20.0f);
  EXPECT_GE(lastWorkspaceSize.load(), 256u + 640u);
  void *grown = lastWorkspace.load();
  ASSERT_EQ(runGrow(model.get(), 3), 6.0f);
  EXPECT_EQ(lastWorkspace.load(), grown);
  EXPECT_EQ(ownAllocations.load(), 1);
  EXPECT_EQ(smelt_model_workspace_needed(model.get()), 256u + 640u);
  // A larger run grows it once more.
  ASSERT_EQ(runGrow(model.get(), 20), 40.0f);
  ASSERT_EQ(runGrow(model.get(), 20), 40.0f);
  EXPECT_GE(lastWorkspaceSize.load(), 256u + 1280u);
  EXPECT_EQ(ownAllocations.load(), 2);
  EXPECT_EQ(smelt_model_workspace_needed(model.get()), 256u + 1280u);
}

TEST(RuntimeRunConcurrent, RunsNeverShareAWorkspace) {
  smelt_model_info info = sumInfo();
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<float> a(64, static_cast<float>(t + 1));
      const int64_t dims[] = {64};
      for (int iter = 0; iter < 2000; ++iter) {
        float s = 0;
        smelt_tensor input = view(a.data(), SMELT_DTYPE_FLOAT32, 1, dims);
        smelt_tensor output = view(&s, SMELT_DTYPE_FLOAT32, 0, nullptr);
        Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
        if (status || s != 64.0f * static_cast<float>(t + 1))
          ++failures;
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(RuntimeRunLinked, NegativeDynamicDimIsRejected) {
  smelt_model_info info = sumInfo();
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float a[1] = {};
  const int64_t dims[] = {-1};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, dims);
  float s = 0;
  smelt_tensor output = view(&s, SMELT_DTYPE_FLOAT32, 0, nullptr);
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_SHAPE);
  EXPECT_EQ(message(status), "input 'a' (#0): expected shape [?] but got [-1]");
}

// A model whose entry point always fails.
const int64_t kVec4[] = {4};
const smelt_tensor_info kVecIn[] = {{"a", SMELT_DTYPE_FLOAT32, 1, kVec4}};
const smelt_tensor_info kVecOut[] = {{"b", SMELT_DTYPE_FLOAT32, 1, kVec4}};

int32_t failingEntry(const smelt_call *) { return 7; }

TEST(RuntimeRunLinked, EntryFailureFreesAllocatedOutputs) {
  smelt_model_info info = makeInfo(kVecIn, 1, kVecOut, 1, failingEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float a[4] = {};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, kVec4);
  smelt_tensor output = {nullptr, 0, 0, nullptr};
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_EXECUTION);
  EXPECT_TRUE(contains(message(status), "code 7"));
  EXPECT_EQ(output.data, nullptr);
}

// A model whose run-time check fails (as compiled models report dims that do
// not broadcast): a shape error carrying the model's message.
int32_t failedCheckEntry(const smelt_call *call) {
  if (call->check_message)
    *call->check_message = "node 'Add_0' (Add): input dims do not broadcast";
  return SMELT_ENTRY_CHECK_FAILED;
}

TEST(RuntimeRunLinked, FailedCheckIsAShapeErrorWithTheModelsMessage) {
  smelt_model_info info = makeInfo(kVecIn, 1, kVecOut, 1, failedCheckEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float a[4] = {};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, kVec4);
  smelt_tensor output = {nullptr, 0, 0, nullptr};
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_SHAPE);
  EXPECT_TRUE(contains(message(status), "node 'Add_0' (Add): input dims do not broadcast"));
  EXPECT_EQ(output.data, nullptr);
}

// A model that reports an output shape other than its signature's.
int32_t wrongShapeEntry(const smelt_call *call) {
  call->output_dims[0][0] = 5;
  return SMELT_ENTRY_OK;
}

TEST(RuntimeRunLinked, ReportedShapeMustMatchSignature) {
  smelt_model_info info = makeInfo(kVecIn, 1, kVecOut, 1, wrongShapeEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float a[4] = {}, b[4] = {};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, kVec4);
  smelt_tensor output = view(b, SMELT_DTYPE_FLOAT32, 1, kVec4);
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_EXECUTION);
  EXPECT_TRUE(contains(message(status), "output 'b' (#0)"));
}

// Zero-element tensors hold no data: a NULL input pointer is fine, and a
// runtime-allocated zero-byte output is still a valid, freeable pointer.
const int64_t kEmptyIn[] = {2, 0};
const int64_t kEmptyOut[] = {0, 3};
const smelt_tensor_info kEmptyInInfo[] = {{"a", SMELT_DTYPE_FLOAT32, 2, kEmptyIn}};
const smelt_tensor_info kEmptyOutInfo[] = {{"b", SMELT_DTYPE_INT64, 2, kEmptyOut}};

int32_t emptyEntry(const smelt_call *call) {
  return call->outputs[0] ? SMELT_ENTRY_OK : SMELT_ENTRY_BAD_ABI;
}

TEST(RuntimeRunLinked, ZeroElementTensors) {
  smelt_model_info info = makeInfo(kEmptyInInfo, 1, kEmptyOutInfo, 1, emptyEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  smelt_tensor input = view(nullptr, SMELT_DTYPE_FLOAT32, 2, kEmptyIn);
  smelt_tensor output = {nullptr, 0, 0, nullptr};
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  ASSERT_EQ(status, nullptr) << message(status);
  EXPECT_NE(output.data, nullptr);
  EXPECT_EQ(output.dtype, SMELT_DTYPE_INT64);
  ASSERT_EQ(output.rank, 2);
  EXPECT_EQ(output.dims[0], 0);
  EXPECT_EQ(output.dims[1], 3);
  smelt_free(output.data);

  // A caller-owned zero-element output needs no storage either: any pointer
  // (here one past a dummy) is accepted and never written.
  int64_t dummy = 0;
  smelt_tensor into = view(&dummy + 1, SMELT_DTYPE_INT64, 2, kEmptyOut);
  Status again(smelt_model_run(model.get(), &input, 1, &into, 1));
  ASSERT_EQ(again, nullptr) << message(again);
}

/// A model whose output [n] has dynamic dims: it asks for its buffer through
/// alloc_output once it knows n (here: the input's length) and doubles x.
static int32_t dynamicEntry(const smelt_call *call) {
  int64_t n = call->input_dims[0][0];
  void *buffer = call->alloc_output(call->alloc_ctx, 0, static_cast<uint64_t>(n) * sizeof(float));
  if (!buffer)
    return SMELT_ENTRY_OUT_OF_MEMORY;
  call->outputs[0] = buffer;
  for (int64_t i = 0; i < n; ++i)
    static_cast<float *>(buffer)[i] = 2 * static_cast<const float *>(call->inputs[0])[i];
  call->output_dims[0][0] = n;
  return SMELT_ENTRY_OK;
}

TEST(RuntimeRunLinked, DynamicOutputIsAllocatedThroughTheModel) {
  const smelt_tensor_info in[] = {{"a", SMELT_DTYPE_FLOAT32, 1, kDynamic}};
  const smelt_tensor_info out[] = {{"b", SMELT_DTYPE_FLOAT32, 1, kDynamic}};
  smelt_model_info info = makeInfo(in, 1, out, 1, dynamicEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float a[5] = {1, 2, 3, 4, 5};
  const int64_t dims[] = {5};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, dims);
  smelt_tensor output = {nullptr, 0, 0, nullptr};
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  ASSERT_EQ(status.get(), nullptr) << message(status);
  ASSERT_NE(output.data, nullptr);
  ASSERT_EQ(output.rank, 1);
  EXPECT_EQ(output.dims[0], 5);
  EXPECT_EQ(static_cast<float *>(output.data)[4], 10.0f);
  smelt_free(output.data);
}

TEST(RuntimeRunLinked, OutputTooLargeToAllocateNamesTheModel) {
  // 2^44 floats (64 TiB): no allocator gives that much.
  const int64_t hugeDims[] = {int64_t{1} << 22, int64_t{1} << 22};
  const smelt_tensor_info out[] = {{"huge", SMELT_DTYPE_FLOAT32, 2, hugeDims}};
  smelt_model_info info = makeInfo(kVecIn, 1, out, 1, failingEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float a[4] = {1, 2, 3, 4};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, kVec4);
  smelt_tensor output = {nullptr, 0, 0, nullptr};
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_OUT_OF_MEMORY);
  EXPECT_TRUE(contains(message(status), "model 'linked': output 'huge' (#0): cannot allocate "
                                        "70368744177664 bytes"))
      << message(status);
  EXPECT_EQ(output.data, nullptr);
}

TEST(RuntimeRunLinked, DynamicOutputRejectsCallerBuffer) {
  const smelt_tensor_info out[] = {{"b", SMELT_DTYPE_FLOAT32, 1, kDynamic}};
  smelt_model_info info = makeInfo(kVecIn, 1, out, 1, failingEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float a[4] = {}, b[4] = {};
  smelt_tensor input = view(a, SMELT_DTYPE_FLOAT32, 1, kVec4);
  smelt_tensor output = view(b, SMELT_DTYPE_FLOAT32, 1, kVec4);
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(status), "output 'b' (#0) has dynamic dims"));
}

// A model "count": n: int64[] = number of elements in s: seq<float32>. Its
// entry point records that it ran, so tests can tell a refused call.
const int64_t kRowsOf2[] = {SMELT_DYNAMIC_DIM, 2};
const smelt_tensor_info kSeqIn[] = {
    {"s", SMELT_DTYPE_FLOAT32, 1, kDynamic, SMELT_ROLE_SEQUENCE_DATA, 0},
    {"s", SMELT_DTYPE_INT64, 2, kRowsOf2, SMELT_ROLE_SEQUENCE_SHAPES, 0},
};
const smelt_tensor_info kCountOut[] = {{"n", SMELT_DTYPE_INT64, 0, nullptr}};
std::atomic<int> countCalls{0};

int32_t countEntry(const smelt_call *call) {
  ++countCalls;
  *static_cast<int64_t *>(call->outputs[0]) = call->input_dims[1][0];
  return SMELT_ENTRY_OK;
}

/// Runs "count" on a sequence given as data length and shape rows.
Status runCount(smelt_model *model, int64_t dataLength, std::vector<int64_t> rows,
                int64_t *count) {
  std::vector<float> data(static_cast<size_t>(dataLength));
  const int64_t dataDims[] = {dataLength};
  const int64_t shapeDims[] = {static_cast<int64_t>(rows.size() / 2), 2};
  smelt_tensor inputs[] = {view(data.data(), SMELT_DTYPE_FLOAT32, 1, dataDims),
                           view(rows.data(), SMELT_DTYPE_INT64, 2, shapeDims)};
  smelt_tensor output = view(count, SMELT_DTYPE_INT64, 0, nullptr);
  return Status(smelt_model_run(model, inputs, 2, &output, 1));
}

TEST(RuntimeRunSequence, ShapesMustDescribeTheData) {
  smelt_model_info info = makeInfo(kSeqIn, 2, kCountOut, 1, countEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  int64_t count = -1;
  Status ok = runCount(model.get(), 10, {2, 3, 2, 2}, &count);
  ASSERT_EQ(ok, nullptr) << message(ok);
  EXPECT_EQ(count, 2);
  Status empty = runCount(model.get(), 0, {}, &count);
  ASSERT_EQ(empty, nullptr) << message(empty);
  EXPECT_EQ(count, 0);

  int before = countCalls;
  for (std::vector<int64_t> rows : std::vector<std::vector<int64_t>>{
           {2, 3, 2, 3},                             // 12 elements, not 10
           {2, 3},                                   // 6
           {2, 7, -1, 2},                            // negative dim
           {INT64_MAX, INT64_MAX, INT64_MAX, 2}}) {  // overflows
    Status bad = runCount(model.get(), 10, rows, &count);
    EXPECT_EQ(smelt_status_code(bad.get()), SMELT_ERR_SHAPE);
    EXPECT_EQ(message(bad), "input 's' (#0): the sequence's shapes (#1) do not describe "
                            "its 10 data elements (negative dims, or another element count)");
  }
  EXPECT_EQ(countCalls, before);
}

TEST(RuntimeRunSequence, EachSlotIsCheckedLikeATensor) {
  smelt_model_info info = makeInfo(kSeqIn, 2, kCountOut, 1, countEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float data[4] = {};
  int32_t rows[2] = {2, 2};
  const int64_t dataDims[] = {4}, shapeDims[] = {1, 2}, wideDims[] = {1, 3};
  smelt_tensor inputs[] = {view(data, SMELT_DTYPE_FLOAT32, 1, dataDims),
                           view(rows, SMELT_DTYPE_INT32, 2, shapeDims)};
  int64_t count = 0;
  smelt_tensor output = view(&count, SMELT_DTYPE_INT64, 0, nullptr);
  Status dtype(smelt_model_run(model.get(), inputs, 2, &output, 1));
  EXPECT_EQ(smelt_status_code(dtype.get()), SMELT_ERR_DTYPE);
  EXPECT_EQ(message(dtype), "input 's' (#1): expected dtype int64 but got int32");

  int64_t rows64[3] = {2, 2, 1};
  inputs[1] = view(rows64, SMELT_DTYPE_INT64, 2, wideDims);
  Status shape(smelt_model_run(model.get(), inputs, 2, &output, 1));
  EXPECT_EQ(smelt_status_code(shape.get()), SMELT_ERR_SHAPE);
  EXPECT_EQ(message(shape), "input 's' (#1): expected shape [?,2] but got [1,3]");
}

// A model "bytes": n: int64[] = total byte length of w: string[?,2]. Like
// "count", it records that it ran.
const int64_t kPairs[] = {SMELT_DYNAMIC_DIM, 2};
const smelt_tensor_info kStringIn[] = {
    {"w", SMELT_DTYPE_UINT8, 1, kDynamic, SMELT_ROLE_STRING_BYTES, 0},
    {"w", SMELT_DTYPE_INT64, 2, kPairs, SMELT_ROLE_STRING_LENGTHS, 0},
};
std::atomic<int> bytesCalls{0};

int32_t bytesEntry(const smelt_call *call) {
  ++bytesCalls;
  *static_cast<int64_t *>(call->outputs[0]) = call->input_dims[0][0];
  return SMELT_ENTRY_OK;
}

/// Runs "bytes" on `byteCount` bytes split by `lengths` (pairs of strings).
Status runBytes(smelt_model *model, int64_t byteCount, std::vector<int64_t> lengths,
                int64_t *total) {
  std::vector<uint8_t> bytes(static_cast<size_t>(byteCount), 'a');
  const int64_t bytesDims[] = {byteCount};
  const int64_t lengthsDims[] = {static_cast<int64_t>(lengths.size() / 2), 2};
  smelt_tensor inputs[] = {view(bytes.data(), SMELT_DTYPE_UINT8, 1, bytesDims),
                           view(lengths.data(), SMELT_DTYPE_INT64, 2, lengthsDims)};
  smelt_tensor output = view(total, SMELT_DTYPE_INT64, 0, nullptr);
  return Status(smelt_model_run(model, inputs, 2, &output, 1));
}

TEST(RuntimeRunStrings, LengthsMustAddUpToTheBytes) {
  smelt_model_info info = makeInfo(kStringIn, 2, kCountOut, 1, bytesEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  int64_t total = -1;
  Status ok = runBytes(model.get(), 10, {3, 0, 2, 5}, &total);
  ASSERT_EQ(ok, nullptr) << message(ok);
  EXPECT_EQ(total, 10);
  Status empty = runBytes(model.get(), 0, {}, &total);
  ASSERT_EQ(empty, nullptr) << message(empty);
  EXPECT_EQ(total, 0);

  int before = bytesCalls;
  for (std::vector<int64_t> lengths : std::vector<std::vector<int64_t>>{
           {3, 0, 2, 4},                    // 9 bytes, not 10
           {3, 0, 2, 6},                    // 11
           {-1, 11, 0, 0},                  // negative length
           {INT64_MAX, INT64_MAX, 12, 0}}) { // wraps around to 10
    Status bad = runBytes(model.get(), 10, lengths, &total);
    EXPECT_EQ(smelt_status_code(bad.get()), SMELT_ERR_SHAPE);
    EXPECT_EQ(message(bad), "input 'w' (#0): the string lengths (#1) do not add up to its 10 "
                            "bytes (negative lengths, or another total)");
  }
  EXPECT_EQ(bytesCalls, before);
}

TEST(RuntimeRunStrings, EachSlotIsCheckedLikeATensor) {
  smelt_model_info info = makeInfo(kStringIn, 2, kCountOut, 1, bytesEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  uint8_t bytes[4] = {};
  int32_t lengths[2] = {2, 2};
  const int64_t bytesDims[] = {4}, lengthsDims[] = {1, 2};
  smelt_tensor inputs[] = {view(bytes, SMELT_DTYPE_UINT8, 1, bytesDims),
                           view(lengths, SMELT_DTYPE_INT32, 2, lengthsDims)};
  int64_t total = 0;
  smelt_tensor output = view(&total, SMELT_DTYPE_INT64, 0, nullptr);
  Status dtype(smelt_model_run(model.get(), inputs, 2, &output, 1));
  EXPECT_EQ(smelt_status_code(dtype.get()), SMELT_ERR_DTYPE);
  EXPECT_EQ(message(dtype), "input 'w' (#1): expected dtype int64 but got int32");
}

TEST(RuntimeRunConcurrent, FourThreadsShareOneModel) {
  Model model = openModel(SMELT_FIXTURE_MODEL_PATH);
  ASSERT_NE(model, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int iter = 0; iter < 2000; ++iter) {
        FixtureCall call;
        for (int k = 0; k < 6; ++k)
          call.x[k] = static_cast<float>(t * 1000 + iter + k);
        call.y[0] = t;
        bool allocate = iter % 2 == 0;
        if (allocate)
          call.outputs[0] = smelt_tensor{nullptr, 0, 0, nullptr};
        Status status = call.run(model.get());
        if (status) {
          ++failures;
          continue;
        }
        const float *z = static_cast<const float *>(call.outputs[0].data);
        for (int k = 0; k < 6; ++k)
          if (z[k] != call.x[k] + static_cast<float>(call.y[k % 3]))
            ++failures;
        if (allocate)
          smelt_free(call.outputs[0].data);
      }
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
