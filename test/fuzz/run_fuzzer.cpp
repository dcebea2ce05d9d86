//===- run_fuzzer.cpp - libFuzzer target: smelt_model_run's argument checks ===//
//
// Feeds smelt_model_run (and its workspace variant) arbitrary caller views
// for a handful of compiled models: wrong counts, dtypes, ranks and dims,
// NULL pointers, string lengths and sequence shapes that do not add up, index
// inputs out of range. Every call must either succeed or return a status;
// under ASan any read or write past a buffer is a finding.
//
// The harness keeps to the documented caller contract: a data buffer is
// always as large as the dims claimed for it (the runtime cannot check
// that), or NULL when those dims are too large to allocate here. Buffers end
// where an inaccessible page begins, so that a model (not instrumented by
// ASan) reading or writing past one faults in the input that made it. Set
// SMELT_FUZZ_TRACE to print each call's views. Models come from
// SMELT_FUZZ_MODELS, a ':'-separated list of compiled libraries.
//
//===----------------------------------------------------------------------===//
#include "smelt/runtime.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr size_t kMaxBufferBytes = size_t(1) << 20;

std::vector<smelt_model *> &models() {
  static auto *list = new std::vector<smelt_model *>; // Outlives static destructors.
  return *list;
}

void closeModels() {
  for (smelt_model *model : models())
    smelt_model_close(model);
  models().clear();
}

// Dims for one view: the signature's (dynamic ones drawn small), or any.
std::vector<int64_t> drawDims(FuzzedDataProvider &in, const smelt_tensor_info *info) {
  std::vector<int64_t> dims;
  bool followSignature = info && in.ConsumeBool();
  int32_t rank = followSignature ? info->rank : in.ConsumeIntegralInRange<int32_t>(0, 9);
  for (int32_t d = 0; d < rank; ++d) {
    if (followSignature && info->dims[d] != SMELT_DYNAMIC_DIM && in.ConsumeProbability<float>() < 0.9f)
      dims.push_back(info->dims[d]);
    else if (in.ConsumeBool())
      dims.push_back(in.ConsumeIntegralInRange<int64_t>(0, 6));
    else
      dims.push_back(in.ConsumeIntegral<int64_t>());
  }
  return dims;
}

// Bytes a view of `dims` needs, or SIZE_MAX when that is beyond the cap.
size_t bytesFor(int32_t dtype, const std::vector<int64_t> &dims) {
  size_t elementSize = smelt_dtype_size(dtype), bytes = elementSize ? elementSize : 1;
  for (int64_t d : dims) {
    if (d < 0)
      return SIZE_MAX;
    if (d != 0 && bytes > kMaxBufferBytes / static_cast<uint64_t>(d))
      return SIZE_MAX;
    bytes *= static_cast<size_t>(d);
  }
  return bytes;
}

/// `size` bytes that end where an inaccessible page begins.
class GuardedBuffer {
public:
  explicit GuardedBuffer(size_t size) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    mapped_ = (size + page - 1) / page * page + page;
    base_ = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED)
      std::abort();
    char *guard = static_cast<char *>(base_) + mapped_ - page;
    mprotect(guard, page, PROT_NONE);
    data_ = reinterpret_cast<unsigned char *>(guard) - size;
  }
  GuardedBuffer(const GuardedBuffer &) = delete;
  GuardedBuffer &operator=(const GuardedBuffer &) = delete;
  ~GuardedBuffer() { munmap(base_, mapped_); }
  unsigned char *data() const { return data_; }

private:
  void *base_;
  size_t mapped_;
  unsigned char *data_;
};

// One caller view with the storage it points to.
struct View {
  std::vector<int64_t> dims;
  std::unique_ptr<GuardedBuffer> data;
  smelt_tensor tensor{};
};

void fillView(FuzzedDataProvider &in, const smelt_tensor_info *info, bool callerData, View &view) {
  int32_t dtype = info && in.ConsumeProbability<float>() < 0.9f
                      ? info->dtype
                      : in.ConsumeIntegralInRange<int32_t>(-1, 17);
  view.dims = drawDims(in, info);
  size_t bytes = bytesFor(dtype, view.dims);
  if (callerData && bytes != SIZE_MAX) {
    // A zero-byte view still gets a (non-NULL, inaccessible) pointer.
    view.data = std::make_unique<GuardedBuffer>(bytes);
    std::vector<unsigned char> fill = in.ConsumeBytes<unsigned char>(bytes);
    if (!fill.empty())
      std::memcpy(view.data->data(), fill.data(), fill.size());
  }
  view.tensor.data = view.data ? view.data->data() : nullptr;
  view.tensor.dtype = dtype;
  view.tensor.rank = static_cast<int32_t>(view.dims.size());
  if (in.ConsumeProbability<float>() < 0.05f) {
    // A rank the data was not sized for. Up to 64 its dims exist (the
    // contract: `rank` entries); beyond, the runtime must refuse the rank
    // (it allows 16) before it reads a dim.
    view.tensor.rank = in.ConsumeIntegral<int32_t>();
    if (view.tensor.rank >= 0 && view.tensor.rank <= 64)
      view.dims.resize(static_cast<size_t>(view.tensor.rank), in.ConsumeIntegral<int64_t>());
  }
  view.tensor.dims = view.dims.empty() && in.ConsumeBool() ? nullptr : view.dims.data();
}

size_t drawCount(FuzzedDataProvider &in, size_t expected) {
  return in.ConsumeProbability<float>() < 0.9f ? expected : in.ConsumeIntegralInRange<size_t>(0, 6);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  smelt_status *status = smelt_set_num_threads(1);
  smelt_status_free(status);
  std::stringstream paths(SMELT_FUZZ_MODELS);
  for (std::string path; std::getline(paths, path, ':');) {
    smelt_model *model = nullptr;
    if (smelt_status *open = smelt_model_open(path.c_str(), &model)) {
      std::fprintf(stderr, "run_fuzzer: %s\n", smelt_status_message(open));
      std::abort();
    }
    models().push_back(model);
  }
  std::atexit(closeModels); // Before the leak check that runs at exit.
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  smelt_model *model = models()[in.ConsumeIntegralInRange<size_t>(0, models().size() - 1)];
  size_t numInputs = drawCount(in, smelt_model_num_inputs(model));
  size_t numOutputs = drawCount(in, smelt_model_num_outputs(model));

  std::vector<View> inputs(numInputs), outputs(numOutputs);
  for (size_t i = 0; i < numInputs; ++i)
    fillView(in, smelt_model_input(model, i), /*callerData=*/in.ConsumeProbability<float>() < 0.95f,
             inputs[i]);
  for (size_t i = 0; i < numOutputs; ++i)
    fillView(in, smelt_model_output(model, i), /*callerData=*/in.ConsumeBool(), outputs[i]);

  std::vector<smelt_tensor> inputViews, outputViews;
  for (View &view : inputs)
    inputViews.push_back(view.tensor);
  for (View &view : outputs)
    outputViews.push_back(view.tensor);
  // Outputs the runtime allocates are recognised by data changing from NULL.
  std::vector<void *> callerBuffers;
  for (smelt_tensor &view : outputViews)
    callerBuffers.push_back(view.data);

  if (std::getenv("SMELT_FUZZ_TRACE")) // Triage: what a crash input asks for.
    for (const auto *views : {&inputs, &outputs})
      for (const View &view : *views) {
        std::fprintf(stderr, "%s dtype %d rank %d dims", views == &inputs ? "in" : "out",
                     view.tensor.dtype, view.tensor.rank);
        for (int64_t d : view.dims)
          std::fprintf(stderr, " %lld", static_cast<long long>(d));
        std::fprintf(stderr, "%s data %s\n", view.tensor.dims ? "" : " (NULL)",
                     view.tensor.data ? "set" : "NULL");
      }

  smelt_status *status;
  if (in.ConsumeBool()) {
    status = smelt_model_run(model, inputViews.data(), numInputs, outputViews.data(), numOutputs);
  } else {
    // A workspace of any size, 64-byte aligned or not, before a guard page.
    size_t workspaceSize = in.ConsumeIntegralInRange<size_t>(0, kMaxBufferBytes);
    size_t misalign = in.ConsumeBool() ? 0 : in.ConsumeIntegralInRange<size_t>(1, 63);
    GuardedBuffer block((workspaceSize + misalign + 63) / 64 * 64); // Starts 64-byte aligned.
    status = smelt_model_run_with_workspace(model, inputViews.data(), numInputs, outputViews.data(),
                                            numOutputs, block.data() + misalign, workspaceSize);
  }
  if (status) {
    if (smelt_status_code(status) == SMELT_OK || !smelt_status_message(status))
      std::abort(); // A status is only returned for a failure, with a message.
    smelt_status_free(status);
  }
  for (size_t i = 0; i < numOutputs; ++i)
    if (outputViews[i].data != callerBuffers[i]) {
      if (status)
        std::abort(); // On failure no output is left allocated.
      smelt_free(outputViews[i].data);
    }
  return 0;
}
