// device_test.cpp - GPU models, run against a fake CUDA driver.
//
// ctest puts the fake driver (fake_cuda.c, built as libcuda.so.1) on
// LD_LIBRARY_PATH, so the runtime's dlopen finds it: it runs the fixture's
// kernels on the host and fails the driver function FAKE_CUDA_FAIL names.
// The tests check the outputs of the "positives" model
// (fixture_device_model.h), the code and message of every failure (the
// driver function and error named), that a failed run leaves no output
// allocated, and that nothing stays on the "GPU" once a model is closed.
// RuntimeDeviceNoDriver runs without the fake (ctest
// runtime-device-no-driver).
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "fixture_device_model.h"
#include "test_util.h"

using namespace smelt_test;

struct CUctx_st;    // the CUDA driver's context handle
struct CUstream_st; // and its stream handle

namespace {

const int64_t kVec8[] = {8};

/// One run of "positives": x in, y into the caller's buffer (or, with
/// `allocateY`, the runtime's), p always the runtime's.
struct PositivesCall {
  float x[8] = {-2, -1, 0, 1, 2, 3, 4, 5};
  float y[8] = {};
  smelt_tensor input = view(x, SMELT_DTYPE_FLOAT32, 1, kVec8);
  smelt_tensor outputs[2] = {view(y, SMELT_DTYPE_FLOAT32, 1, kVec8), {nullptr, 0, 0, nullptr}};

  explicit PositivesCall(bool allocateY = false) {
    if (allocateY)
      outputs[0] = {nullptr, 0, 0, nullptr};
  }
  ~PositivesCall() {
    if (outputs[0].data != y)
      smelt_free(outputs[0].data);
    smelt_free(outputs[1].data);
  }
  Status run(smelt_model *model) {
    __atomic_store_n(&smelt_test_device_last_count, -1, __ATOMIC_RELAXED);
    return Status(smelt_model_run(model, &input, 1, outputs, 2));
  }
  const float *yData() const { return static_cast<const float *>(outputs[0].data); }
  const float *pData() const { return static_cast<const float *>(outputs[1].data); }
};

/// Opens `info`; the status, with the model (or null) in `model`.
Status open(const smelt_model_info &info, Model &model) {
  smelt_model *raw = nullptr;
  Status status(smelt_model_from_info(&info, &raw));
  model.reset(raw);
  return status;
}

class RuntimeDevice : public ::testing::Test {
protected:
  void SetUp() override {
    clearEnvironment();
    // The library the runtime loads too (found the same way), for its
    // counters.
    driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(driver, nullptr) << "no fake CUDA driver on LD_LIBRARY_PATH: " << dlerror();
    liveAllocations = function<int()>("fake_cuda_live_allocations");
    liveModules = function<int()>("fake_cuda_live_modules");
    contextRetains = function<int()>("fake_cuda_context_retains");
    contextDepth = function<int()>("fake_cuda_context_depth");
    resetCounts = function<void()>("fake_cuda_reset");
    ASSERT_TRUE(liveAllocations && liveModules && contextRetains && contextDepth && resetCounts)
        << "libcuda.so.1 on LD_LIBRARY_PATH is not the fake driver";
  }
  void TearDown() override {
    clearEnvironment();
    if (driver)
      dlclose(driver);
  }

  static void clearEnvironment() {
    for (const char *name : {"FAKE_CUDA_FAIL", "FAKE_CUDA_FAIL_AFTER", "FAKE_CUDA_CC",
                             "FAKE_CUDA_DEVICES", "SMELT_CUDA_DEVICE"})
      unsetenv(name);
  }

  template <typename F> F *function(const char *name) {
    return reinterpret_cast<F *>(dlsym(driver, name));
  }

  /// From now on, call number `nth` (from 0) of the driver's `function`
  /// fails, or every call when `nth` is -1.
  void failCall(const char *function, int nth = -1) {
    setenv("FAKE_CUDA_FAIL", function, 1);
    if (nth >= 0)
      setenv("FAKE_CUDA_FAIL_AFTER", std::to_string(nth).c_str(), 1);
    else
      unsetenv("FAKE_CUDA_FAIL_AFTER");
    resetCounts();
  }
  void failNothing() {
    unsetenv("FAKE_CUDA_FAIL");
    unsetenv("FAKE_CUDA_FAIL_AFTER");
  }

  /// Runs with y allocated by the runtime and expects failure `code` with
  /// `part` in its message, no output left, and `live` device allocations
  /// (what the open made) as before.
  void expectRunFailure(smelt_model *model, int code, const std::string &part, int live) {
    PositivesCall call(/*allocateY=*/true);
    Status status = call.run(model);
    EXPECT_STREQ(smelt_code_name(smelt_status_code(status.get())), smelt_code_name(code));
    EXPECT_TRUE(contains(message(status), part));
    EXPECT_EQ(call.outputs[0].data, nullptr);
    EXPECT_EQ(call.outputs[1].data, nullptr);
    EXPECT_EQ(liveAllocations(), live);
    EXPECT_EQ(contextDepth(), 0);
  }

  /// No device memory, module or context left, and no context current.
  void expectNothingOnTheGpu() {
    EXPECT_EQ(liveAllocations(), 0);
    EXPECT_EQ(liveModules(), 0);
    EXPECT_EQ(contextRetains(), 0);
    EXPECT_EQ(contextDepth(), 0);
  }

  void *driver = nullptr;
  int (*liveAllocations)() = nullptr;
  int (*liveModules)() = nullptr;
  int (*contextRetains)() = nullptr;
  int (*contextDepth)() = nullptr;
  void (*resetCounts)() = nullptr;
};

void expectPositives(const PositivesCall &call) {
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(call.yData()[i], 2 * call.x[i] - 3) << "y[" << i << "]";
  const smelt_tensor &p = call.outputs[1];
  ASSERT_NE(p.data, nullptr);
  EXPECT_EQ(p.dtype, SMELT_DTYPE_FLOAT32);
  ASSERT_EQ(p.rank, 1);
  ASSERT_EQ(p.dims[0], 4);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(call.pData()[i], 1.0f + 2 * i) << "p[" << i << "]";
}

TEST_F(RuntimeDevice, RunsOnTheGpu) {
  {
    Model model = modelFromInfo(smelt_test_device_model);
    ASSERT_NE(model, nullptr);
    // The constants and the first run's workspace, in the GPU's context.
    EXPECT_EQ(liveAllocations(), 2);
    EXPECT_EQ(liveModules(), 1);
    EXPECT_EQ(contextRetains(), 1);

    PositivesCall first;
    Status status = first.run(model.get());
    ASSERT_EQ(status, nullptr) << message(status);
    expectPositives(first);
    EXPECT_EQ(smelt_test_device_last_count, 4);
    // Every buffer of the run is gone; the workspace stays for the next.
    EXPECT_EQ(liveAllocations(), 2);
    EXPECT_EQ(contextDepth(), 0);

    void *workspace = smelt_test_device_last_workspace;
    PositivesCall second;
    Status again = second.run(model.get());
    ASSERT_EQ(again, nullptr) << message(again);
    expectPositives(second);
    EXPECT_EQ(smelt_test_device_last_workspace, workspace);
  }
  expectNothingOnTheGpu();
}

TEST_F(RuntimeDevice, AllocatesHostOutputs) {
  Model model = modelFromInfo(smelt_test_device_model);
  ASSERT_NE(model, nullptr);
  PositivesCall call(/*allocateY=*/true);
  Status status = call.run(model.get());
  ASSERT_EQ(status, nullptr) << message(status);
  ASSERT_NE(call.outputs[0].data, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(call.outputs[0].data) % 64, 0u);
  EXPECT_EQ(call.outputs[0].dims, smelt_model_output(model.get(), 0)->dims);
  expectPositives(call);
}

TEST_F(RuntimeDevice, EmptyDynamicOutput) {
  Model model = modelFromInfo(smelt_test_device_model);
  ASSERT_NE(model, nullptr);
  PositivesCall call;
  for (float &x : call.x)
    x = -1;
  Status status = call.run(model.get());
  ASSERT_EQ(status, nullptr) << message(status);
  EXPECT_EQ(smelt_test_device_last_count, 0);
  ASSERT_NE(call.outputs[1].data, nullptr);
  ASSERT_EQ(call.outputs[1].rank, 1);
  EXPECT_EQ(call.outputs[1].dims[0], 0);
}

TEST_F(RuntimeDevice, CallerWorkspaceIsDeviceMemory) {
  Model model = modelFromInfo(smelt_test_device_model);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(smelt_model_workspace_size(model.get()), 128u);
  EXPECT_EQ(smelt_model_workspace_align(model.get()), 128u);
  // Any pointer is device memory to the fake (as it is to a GPU with
  // unified memory); a real caller passes what cuMemAlloc gave.
  alignas(128) static unsigned char arena[128];
  PositivesCall call;
  Status status(smelt_model_run_with_workspace(model.get(), &call.input, 1, call.outputs, 2,
                                               arena, sizeof arena));
  ASSERT_EQ(status, nullptr) << message(status);
  expectPositives(call);
  EXPECT_EQ(smelt_test_device_last_workspace, arena);

  PositivesCall small;
  Status refused(smelt_model_run_with_workspace(model.get(), &small.input, 1, small.outputs, 2,
                                                arena, 64));
  EXPECT_EQ(smelt_status_code(refused.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(refused), "needs a workspace of 128 bytes")) << message(refused);
}

TEST_F(RuntimeDevice, RunsConcurrently) {
  {
    Model model = modelFromInfo(smelt_test_device_model);
    ASSERT_NE(model, nullptr);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        for (int iter = 0; iter < 200; ++iter) {
          PositivesCall call;
          Status status = call.run(model.get());
          if (status || call.pData()[3] != 7.0f || call.yData()[0] != -7.0f)
            ++failures;
        }
      });
    for (std::thread &thread : threads)
      thread.join();
    EXPECT_EQ(failures.load(), 0);
  }
  expectNothingOnTheGpu();
}

//===----------------------------------------------------------------------===//
// Opening: every failure names the step and the driver's error, and leaves
// nothing behind.
//===----------------------------------------------------------------------===//

struct OpenFailure {
  const char *variable, *value; // the environment that breaks the open
  const char *nth;              // FAKE_CUDA_FAIL_AFTER, or null
  int code;
  const char *message;          // a part of the message
};

TEST_F(RuntimeDevice, OpenFailures) {
  const OpenFailure cases[] = {
      {"FAKE_CUDA_FAIL", "cuInit", nullptr, SMELT_ERR_DEVICE,
       "model 'positives': cannot start the CUDA driver: CUDA driver: cuInit failed: "
       "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)"},
      {"FAKE_CUDA_DEVICES", "0", nullptr, SMELT_ERR_DEVICE,
       "model 'positives' runs on an NVIDIA GPU, but the CUDA driver finds none"},
      {"SMELT_CUDA_DEVICE", "1", nullptr, SMELT_ERR_DEVICE,
       "model 'positives': SMELT_CUDA_DEVICE=1 names no GPU: the CUDA driver finds 1 "
       "(numbered from 0)"},
      {"SMELT_CUDA_DEVICE", "gpu0", nullptr, SMELT_ERR_DEVICE,
       "SMELT_CUDA_DEVICE=gpu0 names no GPU"},
      {"FAKE_CUDA_CC", "7.5", nullptr, SMELT_ERR_DEVICE,
       "model 'positives' was compiled for sm_80, but GPU 0 (Fake GPU) is sm_75; recompile "
       "with --gpu sm_75"},
      {"FAKE_CUDA_FAIL", "cuDevicePrimaryCtxRetain", nullptr, SMELT_ERR_DEVICE,
       "cannot retain the GPU's context: CUDA driver: cuDevicePrimaryCtxRetain failed: "
       "CUDA_ERROR_UNKNOWN (unknown error)"},
      {"FAKE_CUDA_FAIL", "cuModuleLoadDataEx", nullptr, SMELT_ERR_DEVICE,
       "model 'positives': the GPU code (PTX for sm_80) does not load on GPU 0: CUDA driver: "
       "cuModuleLoadDataEx failed: CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed); JIT "
       "log: ptxas fatal   : (fake) Unresolved extern function 'fake_missing'"},
      {"FAKE_CUDA_FAIL", "cuMemAlloc_v2", "0", SMELT_ERR_OUT_OF_MEMORY,
       "model 'positives': cannot copy its 8 bytes of constants to the GPU: CUDA driver: "
       "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
      {"FAKE_CUDA_FAIL", "cuMemAlloc_v2", "1", SMELT_ERR_OUT_OF_MEMORY,
       "cannot allocate a 128-byte workspace on GPU 0: CUDA driver: cuMemAlloc_v2 failed"},
      {"FAKE_CUDA_FAIL", "cuMemcpy", "0", SMELT_ERR_DEVICE,
       "cannot copy its 8 bytes of constants to the GPU: CUDA driver: cuMemcpy failed"},
  };
  for (const OpenFailure &c : cases) {
    SCOPED_TRACE(std::string(c.variable) + "=" + c.value);
    setenv(c.variable, c.value, 1);
    if (c.nth)
      setenv("FAKE_CUDA_FAIL_AFTER", c.nth, 1);
    resetCounts();
    Model model;
    Status status = open(smelt_test_device_model, model);
    EXPECT_EQ(model, nullptr);
    EXPECT_STREQ(smelt_code_name(smelt_status_code(status.get())), smelt_code_name(c.code));
    EXPECT_TRUE(contains(message(status), c.message));
    expectNothingOnTheGpu();
    clearEnvironment();
  }
}

TEST_F(RuntimeDevice, PicksTheGpuSmeltCudaDeviceNames) {
  setenv("FAKE_CUDA_DEVICES", "2", 1);
  setenv("SMELT_CUDA_DEVICE", "1", 1);
  setenv("FAKE_CUDA_CC", "7.0", 1);
  Model model;
  Status status = open(smelt_test_device_model, model);
  EXPECT_TRUE(contains(message(status), "but GPU 1 (Fake GPU) is sm_70"));

  unsetenv("FAKE_CUDA_CC");
  status = open(smelt_test_device_model, model);
  ASSERT_EQ(status, nullptr) << message(status);
  PositivesCall call;
  Status ran = call.run(model.get());
  ASSERT_EQ(ran, nullptr) << message(ran);
  expectPositives(call);
}

TEST_F(RuntimeDevice, ArchitectureRules) {
  // PTX for sm_80 runs on newer GPUs (the driver compiles it for them)...
  setenv("FAKE_CUDA_CC", "9.0", 1);
  Model model;
  Status newer = open(smelt_test_device_model, model);
  EXPECT_EQ(newer, nullptr) << message(newer);
  model.reset();

  // ...but architecture-specific PTX only on its own.
  smelt_device_code code = smelt_test_device_code;
  code.arch = "sm_90a";
  smelt_model_info info = smelt_test_device_model;
  info.device = &code;
  setenv("FAKE_CUDA_CC", "10.0", 1);
  Status specific = open(info, model);
  EXPECT_EQ(smelt_status_code(specific.get()), SMELT_ERR_DEVICE);
  EXPECT_TRUE(contains(message(specific),
                       "compiled for sm_90a, but GPU 0 (Fake GPU) is sm_100; recompile with "
                       "--gpu sm_100"));
  setenv("FAKE_CUDA_CC", "9.0", 1);
  Status same = open(info, model);
  EXPECT_EQ(same, nullptr) << message(same);
}

TEST_F(RuntimeDevice, MissingKernel) {
  const char *const names[] = {"affine", "mark", "count", "compact", "softmax"};
  smelt_device_code code = smelt_test_device_code;
  code.kernel_names = names;
  code.num_kernels = 5;
  smelt_model_info info = smelt_test_device_model;
  info.device = &code;
  Model model;
  Status status = open(info, model);
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_DEVICE);
  EXPECT_EQ(message(status),
            "model 'positives': kernel 'softmax' (#4) is not in its GPU code: CUDA driver: "
            "cuModuleGetFunction failed: CUDA_ERROR_NOT_FOUND (named symbol not found)");
  expectNothingOnTheGpu();
}

//===----------------------------------------------------------------------===//
// Running: failures of the driver during a run.
//===----------------------------------------------------------------------===//

TEST_F(RuntimeDevice, AllocationFailuresAreOutOfMemory) {
  Model model = modelFromInfo(smelt_test_device_model);
  ASSERT_NE(model, nullptr);
  int live = liveAllocations();
  // The run allocates x's copy, y, the model's mask (alloc), then p
  // (alloc_output), in that order.
  const char *where[] = {"input 'x' (#0): cannot allocate it on the GPU",
                         "output 'y' (#0): cannot allocate it on the GPU",
                         "out of GPU memory during the run: cannot allocate 8 bytes on GPU 0",
                         "out of GPU memory during the run: cannot allocate 16 bytes on GPU 0"};
  for (int nth = 0; nth < 4; ++nth) {
    SCOPED_TRACE(nth);
    failCall("cuMemAlloc_v2", nth);
    expectRunFailure(model.get(), SMELT_ERR_OUT_OF_MEMORY,
                     std::string(where[nth]) +
                         ": CUDA driver: cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of "
                         "memory)",
                     live);
  }
}

TEST_F(RuntimeDevice, LaunchFailureIsADeviceError) {
  Model model = modelFromInfo(smelt_test_device_model);
  ASSERT_NE(model, nullptr);
  int live = liveAllocations();
  failCall("cuLaunchKernel", 0);
  expectRunFailure(model.get(), SMELT_ERR_DEVICE,
                   "model 'positives': kernel 'affine' (#0) on 2x1x1 blocks of 4x1x1 threads: "
                   "CUDA driver: cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED (unspecified "
                   "launch failure)", live);
  // The kernels after it were skipped: the count read back is the zeros
  // a failed copy gives.
  EXPECT_EQ(smelt_test_device_last_count, 0);
  failCall("cuLaunchKernel", 2);
  expectRunFailure(model.get(), SMELT_ERR_DEVICE, "kernel 'count' (#2) on 1x1x1 blocks", live);

  // The failure belonged to that run only.
  failNothing();
  PositivesCall call;
  Status status = call.run(model.get());
  ASSERT_EQ(status, nullptr) << message(status);
  expectPositives(call);
}

TEST_F(RuntimeDevice, CopyFailures) {
  Model model = modelFromInfo(smelt_test_device_model);
  ASSERT_NE(model, nullptr);
  int live = liveAllocations();
  // The copies of a run: x to the GPU, the model's bias copy (device to
  // device), its read-back of the count, then y and p back to the host.
  failCall("cuMemcpy", 0);
  expectRunFailure(model.get(), SMELT_ERR_DEVICE,
                   "input 'x' (#0): cannot copy it to the GPU: CUDA driver: cuMemcpy failed: "
                   "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)", live);
  failCall("cuMemcpy", 2);
  expectRunFailure(model.get(), SMELT_ERR_DEVICE,
                   "model 'positives': a copy of 4 bytes: CUDA driver: cuMemcpy failed", live);
  EXPECT_EQ(smelt_test_device_last_count, 0); // the host destination got zeros
  failCall("cuMemcpy", 3);
  expectRunFailure(model.get(), SMELT_ERR_DEVICE,
                   "output 'y' (#0): cannot copy it from the GPU: CUDA driver: cuMemcpy failed",
                   live);
  failCall("cuMemcpy", 4);
  expectRunFailure(model.get(), SMELT_ERR_DEVICE, "output 'p' (#1): cannot copy it from", live);
}

TEST_F(RuntimeDevice, AsynchronousFailureSurfacesAtTheEnd) {
  Model model = modelFromInfo(smelt_test_device_model);
  ASSERT_NE(model, nullptr);
  failCall("cuCtxSynchronize");
  expectRunFailure(model.get(), SMELT_ERR_DEVICE,
                   "model 'positives': the GPU failed while running the model: CUDA driver: "
                   "cuCtxSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS", liveAllocations());
}

// Models written in this file: one that launches a kernel it does not
// have, and one that launches and then rejects its inputs.
const smelt_tensor_info kVecIn[] = {{"x", SMELT_DTYPE_FLOAT32, 1, kVec8, 0, 0, nullptr, ""}};
const smelt_tensor_info kVecOut[] = {{"y", SMELT_DTYPE_FLOAT32, 1, kVec8, 0, 0, nullptr, ""}};

int32_t launchEntry(const smelt_call *call, uint32_t kernel) {
  const uint32_t one[3] = {1, 1, 1};
  void *x = call->inputs[0], *total = call->outputs[0];
  uint32_t n = 8;
  void *params[] = {&x, &total, &n};
  call->device->launch(call->device->ctx, kernel, one, one, 0, params);
  return SMELT_ENTRY_OK;
}

int32_t launchesKernel7(const smelt_call *call) { return launchEntry(call, 7); }

int32_t launchesThenRejects(const smelt_call *call) {
  launchEntry(call, 2);
  *call->check_message = "dims do not broadcast";
  return SMELT_ENTRY_CHECK_FAILED;
}

smelt_model_info linkedGpuModel(smelt_entry_fn entry) {
  smelt_model_info info = makeInfo(kVecIn, 1, kVecOut, 1, entry);
  info.device = &smelt_test_device_code;
  return info;
}

TEST_F(RuntimeDevice, KernelOutOfRangeIsTheModelsError) {
  smelt_model_info info = linkedGpuModel(launchesKernel7);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float x[8] = {}, y[8] = {};
  smelt_tensor input = view(x, SMELT_DTYPE_FLOAT32, 1, kVec8);
  smelt_tensor output = view(y, SMELT_DTYPE_FLOAT32, 1, kVec8);
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_EXECUTION);
  EXPECT_EQ(message(status), "model 'linked' launched kernel #7, but has 4 kernels");
}

TEST_F(RuntimeDevice, DeviceFailureOutranksTheEntryPointsVerdict) {
  smelt_model_info info = linkedGpuModel(launchesThenRejects);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float x[8] = {}, y[8] = {};
  smelt_tensor input = view(x, SMELT_DTYPE_FLOAT32, 1, kVec8);
  smelt_tensor output = view(y, SMELT_DTYPE_FLOAT32, 1, kVec8);
  Status rejected(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(rejected.get()), SMELT_ERR_SHAPE);
  EXPECT_EQ(message(rejected), "model 'linked': dims do not broadcast");

  // What the entry point decided after the failure rests on zeros.
  failCall("cuLaunchKernel");
  Status failed(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(smelt_status_code(failed.get()), SMELT_ERR_DEVICE);
  EXPECT_TRUE(contains(message(failed), "cuLaunchKernel failed"));
}

//===----------------------------------------------------------------------===//
// CPU models never touch the driver.
//===----------------------------------------------------------------------===//

int32_t cpuEntry(const smelt_call *call) {
  if (call->device)
    return SMELT_ENTRY_BAD_ABI;
  const float *x = static_cast<const float *>(call->inputs[0]);
  float *y = static_cast<float *>(call->outputs[0]);
  for (int i = 0; i < 8; ++i)
    y[i] = x[i] + 1;
  return SMELT_ENTRY_OK;
}

TEST_F(RuntimeDevice, CpuModelIsUnaffected) {
  failCall("cuInit"); // a driver that would fail if it were used
  smelt_model_info info = makeInfo(kVecIn, 1, kVecOut, 1, cpuEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8] = {};
  smelt_tensor input = view(x, SMELT_DTYPE_FLOAT32, 1, kVec8);
  smelt_tensor output = view(y, SMELT_DTYPE_FLOAT32, 1, kVec8);
  Status status(smelt_model_run(model.get(), &input, 1, &output, 1));
  ASSERT_EQ(status, nullptr) << message(status);
  EXPECT_EQ(y[7], 9.0f);
  expectNothingOnTheGpu();
}

//===----------------------------------------------------------------------===//
// smelt_model_run_on_stream: the caller's device memory and stream.
//===----------------------------------------------------------------------===//

// The driver's handle types as the fake (and cuda.h) declare them: called
// through pointers of another type, -fsanitize=function would stop the test.
using CUcontext = CUctx_st *;
using CUstream = CUstream_st *;
using CUdeviceptr = unsigned long long;

/// The caller's side of a device run: what a program using the CUDA runtime
/// has, through the (fake) driver: device buffers and a stream on a GPU's
/// primary context.
class CallerGpu {
public:
  CallerGpu(void *driver, int device) : device(device) {
    auto fn = [&](auto &f, const char *name) {
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(dlsym(driver, name));
      return f != nullptr;
    };
    ready = fn(init, "cuInit") && fn(retain, "cuDevicePrimaryCtxRetain") &&
            fn(release, "cuDevicePrimaryCtxRelease_v2") && fn(push, "cuCtxPushCurrent_v2") &&
            fn(pop, "cuCtxPopCurrent_v2") && fn(memAlloc, "cuMemAlloc_v2") &&
            fn(memFree, "cuMemFree_v2") && fn(streamCreate, "cuStreamCreate") &&
            fn(streamDestroy, "cuStreamDestroy_v2") && fn(work, "fake_cuda_stream_work") &&
            init(0) == 0 && retain(&context, device) == 0;
  }
  ~CallerGpu() {
    enter();
    for (CUdeviceptr buffer : buffers)
      memFree(buffer);
    for (CUstream stream : streams)
      streamDestroy(stream);
    leave();
    if (context)
      release(device);
  }
  /// `bytes` of device memory (host memory to the fake, so tests read and
  /// write it directly), freed with this object.
  float *alloc(size_t bytes) {
    CUdeviceptr buffer = 0;
    enter();
    int r = memAlloc(&buffer, bytes);
    leave();
    if (r != 0)
      return nullptr;
    buffers.push_back(buffer);
    return reinterpret_cast<float *>(static_cast<uintptr_t>(buffer));
  }
  CUstream stream() {
    CUstream stream = nullptr;
    enter();
    streamCreate(&stream, 0);
    leave();
    streams.push_back(stream);
    return stream;
  }

  bool ready = false;
  unsigned (*work)(CUstream) = nullptr; // launches and copies on a stream

private:
  void enter() { push(context); }
  void leave() {
    CUcontext popped;
    pop(&popped);
  }

  int device;
  CUcontext context = nullptr;
  std::vector<CUdeviceptr> buffers;
  std::vector<CUstream> streams;
  int (*init)(unsigned) = nullptr;
  int (*retain)(CUcontext *, int) = nullptr;
  int (*release)(int) = nullptr;
  int (*push)(CUcontext) = nullptr;
  int (*pop)(CUcontext *) = nullptr;
  int (*memAlloc)(CUdeviceptr *, size_t) = nullptr;
  int (*memFree)(CUdeviceptr) = nullptr;
  int (*streamCreate)(CUstream *, unsigned) = nullptr;
  int (*streamDestroy)(CUstream) = nullptr;
};

/// One stream run of "affine": x and y views of the given memory.
struct AffineCall {
  smelt_tensor input, output;
  AffineCall(float *x, float *y)
      : input(view(x, SMELT_DTYPE_FLOAT32, 1, kVec8)),
        output(view(y, SMELT_DTYPE_FLOAT32, 1, kVec8)) {}
  Status run(smelt_model *model, CUstream stream) {
    return Status(smelt_model_run_on_stream(model, &input, 1, &output, 1, stream));
  }
};

TEST_F(RuntimeDevice, RunsOnTheCallersMemoryAndStream) {
  {
    Model model = modelFromInfo(smelt_test_device_affine_model);
    ASSERT_NE(model, nullptr);
    CallerGpu gpu(driver, 0);
    ASSERT_TRUE(gpu.ready);
    float *x = gpu.alloc(32), *y = gpu.alloc(32);
    ASSERT_TRUE(x && y);
    for (int i = 0; i < 8; ++i)
      x[i] = static_cast<float>(i - 2);
    CUstream stream = gpu.stream();
    int live = liveAllocations(); // the model's and the caller's

    AffineCall call(x, y);
    Status status = call.run(model.get(), stream);
    ASSERT_EQ(status, nullptr) << message(status);
    for (int i = 0; i < 8; ++i)
      EXPECT_EQ(y[i], 2 * x[i] - 3) << "y[" << i << "]";
    // Everything went on the stream: the bias there and back, the kernel.
    EXPECT_EQ(gpu.work(stream), 3u);
    // In place: no device copy of x or y.
    EXPECT_EQ(liveAllocations(), live);
    EXPECT_EQ(contextDepth(), 0);

    // The default streams work too.
    for (uintptr_t handle : {0, 1, 2}) { // NULL, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD
      CUstream special = reinterpret_cast<CUstream>(handle);
      std::fill(y, y + 8, 0.0f);
      Status again = call.run(model.get(), special);
      ASSERT_EQ(again, nullptr) << message(again);
      EXPECT_EQ(y[7], 7.0f);
    }
    EXPECT_EQ(gpu.work(stream), 3u);
  }
  expectNothingOnTheGpu();
}

TEST_F(RuntimeDevice, StreamRunChecksEveryBuffer) {
  setenv("FAKE_CUDA_DEVICES", "2", 1);
  {
    Model model = modelFromInfo(smelt_test_device_affine_model);
    ASSERT_NE(model, nullptr);
    CallerGpu gpu(driver, 0), other(driver, 1);
    ASSERT_TRUE(gpu.ready && other.ready);
    float *x = gpu.alloc(32), *y = gpu.alloc(32), *small = gpu.alloc(16);
    float *elsewhere = other.alloc(32);
    float host[8] = {};
    int live = liveAllocations();
    auto expectRefused = [&](Status status, int code, const std::string &part) {
      EXPECT_STREQ(smelt_code_name(smelt_status_code(status.get())), smelt_code_name(code));
      EXPECT_TRUE(contains(message(status), part)) << message(status);
      EXPECT_EQ(liveAllocations(), live);
      EXPECT_EQ(contextDepth(), 0);
    };
    expectRefused(AffineCall(host, y).run(model.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "model 'affine': input 'x' (#0) at ");
    expectRefused(AffineCall(host, y).run(model.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "is not GPU memory (smelt_model_run_on_stream takes device pointers");
    expectRefused(AffineCall(x, host).run(model.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "output 'y' (#0) at ");
    expectRefused(AffineCall(x, small).run(model.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "output 'y' (#0) takes 32 bytes, but its GPU allocation has 16 from ");
    expectRefused(AffineCall(x + 4, y).run(model.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "input 'x' (#0) takes 32 bytes, but its GPU allocation has 16 from ");
    expectRefused(AffineCall(elsewhere, y).run(model.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "input 'x' (#0) is memory of GPU 1, but the model runs on GPU 0");
    expectRefused(AffineCall(x, y).run(model.get(), other.stream()), SMELT_ERR_INVALID_ARGUMENT,
                  "belongs to another CUDA context than the primary context of GPU 0");
    AffineCall noOutput(x, nullptr);
    expectRefused(noOutput.run(model.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "output 'y' (#0): data is NULL, but smelt_model_run_on_stream writes into "
                  "the caller's device buffers");
    AffineCall wrongShape(x, y);
    const int64_t four[] = {4};
    wrongShape.input.dims = four;
    expectRefused(wrongShape.run(model.get(), nullptr), SMELT_ERR_SHAPE,
                  "input 'x' (#0): expected shape [8] but got [4]");

    // Models it does not run: a dynamic output, the CPU.
    Model positives = modelFromInfo(smelt_test_device_model);
    ASSERT_NE(positives, nullptr);
    live = liveAllocations();
    smelt_tensor outputs[2] = {view(y, SMELT_DTYPE_FLOAT32, 1, kVec8), {nullptr, 0, 0, nullptr}};
    smelt_tensor input = view(x, SMELT_DTYPE_FLOAT32, 1, kVec8);
    expectRefused(Status(smelt_model_run_on_stream(positives.get(), &input, 1, outputs, 2, nullptr)),
                  SMELT_ERR_INVALID_ARGUMENT,
                  "model 'positives': output 'p' (#1) has dynamic dims, but "
                  "smelt_model_run_on_stream writes into buffers the caller sized");
    smelt_model_info info = makeInfo(kVecIn, 1, kVecOut, 1, cpuEntry);
    Model cpu = modelFromInfo(info);
    ASSERT_NE(cpu, nullptr);
    expectRefused(AffineCall(x, y).run(cpu.get(), nullptr), SMELT_ERR_INVALID_ARGUMENT,
                  "runs on the CPU: smelt_model_run_on_stream is for models compiled with "
                  "--device cuda");
    expectRefused(Status(smelt_model_run_on_stream(nullptr, &input, 1, outputs, 1, nullptr)),
                  SMELT_ERR_INVALID_ARGUMENT, "smelt_model_run_on_stream: model must not be NULL");
  }
  expectNothingOnTheGpu();
}

TEST_F(RuntimeDevice, StreamRunFailuresNameTheDriverCall) {
  {
    Model model = modelFromInfo(smelt_test_device_affine_model);
    ASSERT_NE(model, nullptr);
    CallerGpu gpu(driver, 0);
    ASSERT_TRUE(gpu.ready);
    float *x = gpu.alloc(32), *y = gpu.alloc(32);
    CUstream stream = gpu.stream();
    int live = liveAllocations();
    const struct {
      const char *function;
      int nth, code;
      const char *message;
    } failures[] = {
        {"cuMemcpyAsync", 0, SMELT_ERR_DEVICE,
         "model 'affine': a copy of 4 bytes: CUDA driver: cuMemcpyAsync failed: "
         "CUDA_ERROR_ILLEGAL_ADDRESS"},
        // The wait for the bias read back, then the one at the end.
        {"cuStreamSynchronize", 0, SMELT_ERR_DEVICE,
         "a copy of 4 bytes: CUDA driver: cuStreamSynchronize failed"},
        {"cuStreamSynchronize", 1, SMELT_ERR_DEVICE,
         "the GPU failed while running the model: CUDA driver: cuStreamSynchronize failed"},
        {"cuLaunchKernel", 0, SMELT_ERR_DEVICE,
         "kernel 'affine' (#0) on 2x1x1 blocks of 4x1x1 threads: CUDA driver: cuLaunchKernel "
         "failed: CUDA_ERROR_LAUNCH_FAILED"},
        {"cuPointerGetAttribute", 0, SMELT_ERR_INVALID_ARGUMENT, "is not GPU memory"},
        {"cuMemGetAddressRange_v2", 0, SMELT_ERR_DEVICE,
         "input 'x' (#0): CUDA driver: cuMemGetAddressRange_v2 failed"},
        {"cuStreamGetCtx", 0, SMELT_ERR_INVALID_ARGUMENT, ": CUDA driver: cuStreamGetCtx failed"},
    };
    for (const auto &failure : failures) {
      SCOPED_TRACE(failure.function);
      failCall(failure.function, failure.nth);
      Status status = AffineCall(x, y).run(model.get(), stream);
      EXPECT_STREQ(smelt_code_name(smelt_status_code(status.get())),
                   smelt_code_name(failure.code));
      EXPECT_TRUE(contains(message(status), failure.message)) << message(status);
      EXPECT_EQ(liveAllocations(), live);
      EXPECT_EQ(contextDepth(), 0);
    }
    failNothing();
    Status status = AffineCall(x, y).run(model.get(), stream);
    EXPECT_EQ(status, nullptr) << message(status);
  }
  expectNothingOnTheGpu();
}

//===----------------------------------------------------------------------===//
// Without a driver (ctest runtime-device-no-driver: no fake on the path).
//===----------------------------------------------------------------------===//

TEST(RuntimeDeviceNoDriver, ExplainsWhatIsMissing) {
  if (void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    dlclose(driver);
    GTEST_SKIP() << "a CUDA driver (real or fake) is on the library path";
  }
  smelt_model *raw = nullptr;
  Status status(smelt_model_from_info(&smelt_test_device_model, &raw));
  EXPECT_EQ(raw, nullptr);
  EXPECT_EQ(smelt_status_code(status.get()), SMELT_ERR_DEVICE);
  EXPECT_TRUE(contains(message(status),
                       "model 'positives' runs on an NVIDIA GPU and needs the NVIDIA driver "
                       "(libcuda.so.1), which cannot be loaded: libcuda.so.1: cannot open"));

  // CPU models run as ever.
  smelt_model_info info = makeInfo(kVecIn, 1, kVecOut, 1, cpuEntry);
  Model model = modelFromInfo(info);
  ASSERT_NE(model, nullptr);
  float x[8] = {}, y[8] = {};
  smelt_tensor input = view(x, SMELT_DTYPE_FLOAT32, 1, kVec8);
  smelt_tensor output = view(y, SMELT_DTYPE_FLOAT32, 1, kVec8);
  Status ran(smelt_model_run(model.get(), &input, 1, &output, 1));
  EXPECT_EQ(ran, nullptr) << message(ran);
}

} // namespace
