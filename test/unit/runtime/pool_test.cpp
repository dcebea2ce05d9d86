// pool_test.cpp - the runtime's thread pool as a model sees it: the
// parallel_for callback in smelt_call, and the thread count settings.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "test_util.h"

using namespace smelt_test;

namespace {

constexpr int64_t kIterations = 1000;
/// The length of the model's loop (at most kIterations).
int64_t loopLength = kIterations;

/// What the model below saw during its last run.
struct Seen {
  bool hadPool = false;
  std::atomic<int> chunks{0};
  std::vector<std::atomic<int>> hits = std::vector<std::atomic<int>>(kIterations);
  std::mutex lock;
  std::vector<int64_t> chunkSizes; ///< Guarded by lock.
};
Seen *seen;

void countIterations(void *ctx, int64_t begin, int64_t end) {
  auto *counts = static_cast<std::vector<std::atomic<int>> *>(ctx);
  seen->chunks++;
  {
    std::lock_guard<std::mutex> guard(seen->lock);
    seen->chunkSizes.push_back(end - begin);
  }
  for (int64_t i = begin; i < end; ++i)
    (*counts)[static_cast<size_t>(i)]++;
}

/// A loop nested in a chunk finds the pool busy and runs right there.
void nestedLoop(void *ctx, int64_t begin, int64_t end) {
  const auto *call = static_cast<const smelt_call *>(ctx);
  for (int64_t i = begin; i < end; ++i)
    call->parallel_for(call->parallel_ctx, i * 10, i * 10 + 10, countIterations, &seen->hits);
}

/// A model with no inputs and one float output that runs a parallel loop of
/// loopLength iterations through the call's parallel_for, if it has one.
const smelt_tensor_info kOut[] = {{"y", SMELT_DTYPE_FLOAT32, 0, nullptr}};
bool nested = false;

int32_t loopEntry(const smelt_call *call) {
  seen->hadPool = call->parallel_for != nullptr;
  if (!call->parallel_for)
    countIterations(&seen->hits, 0, loopLength);
  else if (nested)
    call->parallel_for(call->parallel_ctx, 0, loopLength / 10, nestedLoop, (void *)call);
  else
    call->parallel_for(call->parallel_ctx, 0, loopLength, countIterations, &seen->hits);
  *static_cast<float *>(call->outputs[0]) = 1;
  return SMELT_ENTRY_OK;
}

class RuntimePool : public ::testing::Test {
protected:
  void TearDown() override { Status(smelt_set_num_threads(0)); }

  /// Runs the loop model on `threads` threads; every iteration must run once.
  void runOn(int threads) {
    ASSERT_EQ(Status(smelt_set_num_threads(threads)), nullptr);
    EXPECT_EQ(smelt_get_num_threads(), threads);
    Seen state;
    seen = &state;
    smelt_model_info info = makeInfo(nullptr, 0, kOut, 1, loopEntry);
    Model model = modelFromInfo(info);
    ASSERT_NE(model, nullptr);
    float y = 0;
    smelt_tensor out = view(&y, SMELT_DTYPE_FLOAT32, 0, nullptr);
    Status status(smelt_model_run(model.get(), nullptr, 0, &out, 1));
    ASSERT_EQ(status, nullptr) << message(status);
    for (int64_t i = 0; i < kIterations; ++i)
      ASSERT_EQ(state.hits[static_cast<size_t>(i)].load(), i < loopLength ? 1 : 0)
          << "iteration " << i;
    EXPECT_EQ(state.hadPool, threads > 1);
    chunks = state.chunks.load();
    chunkSizes = state.chunkSizes;
    std::sort(chunkSizes.begin(), chunkSizes.end(), std::greater<>());
  }
  int chunks = 0;
  std::vector<int64_t> chunkSizes; ///< Largest first.
};

TEST_F(RuntimePool, OneThreadMeansNoCallback) {
  runOn(1);
  EXPECT_EQ(chunks, 1);
}

// The first three quarters of a loop in one contiguous chunk per thread,
// the last quarter in two small chunks per thread, each chunk taken by
// whichever thread is free (pool.c): every iteration runs exactly once.
TEST_F(RuntimePool, OneChunkPerThreadAndATail) {
  for (int threads : {2, 3, 8}) {
    runOn(threads);
    EXPECT_EQ(chunks, 3 * threads) << threads << " threads";
    int64_t head = 0;
    for (int i = 0; i < threads; ++i)
      head += chunkSizes[static_cast<size_t>(i)];
    EXPECT_EQ(head, kIterations - kIterations / 4) << threads << " threads";
  }
}

// Under 8 iterations per thread a loop has no tail; under one per thread,
// one chunk per iteration.
TEST_F(RuntimePool, ShortLoopsHaveNoTail) {
  for (int64_t length : {int64_t{15}, int64_t{2}, int64_t{1}}) {
    loopLength = length;
    runOn(2);
    EXPECT_EQ(chunks, length < 2 ? 1 : 2) << length << " iterations";
  }
  loopLength = kIterations;
}

TEST_F(RuntimePool, NestedLoopsRunInsideTheirChunk) {
  nested = true;
  runOn(4);
  nested = false;
  EXPECT_EQ(chunks, kIterations / 10); // each inner loop in one piece
}

TEST_F(RuntimePool, ThreadCountIsChecked) {
  Status negative(smelt_set_num_threads(-1));
  EXPECT_EQ(smelt_status_code(negative.get()), SMELT_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(message(negative), "-1 is outside [0, 256]")) << message(negative);
  EXPECT_NE(Status(smelt_set_num_threads(257)), nullptr);
  ASSERT_EQ(Status(smelt_set_num_threads(0)), nullptr);
  EXPECT_GE(smelt_get_num_threads(), 1);
}

} // namespace
