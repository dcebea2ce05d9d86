//===- BenchCommand.cpp - smelt bench: time a compiled model --------------===//
//
// Loads a compiled library through the runtime's C API, feeds it inputs from
// files (bound as `smelt run` binds them) or seeded random values, and times
// smelt_model_run on one thread: a few warm-up runs, then timed runs until
// both --runs and --seconds are reached. Reports median, min and mean.
//
// Static outputs get caller buffers allocated once, so the timed loop
// measures the model rather than malloc; outputs with dynamic dims can only
// be allocated by the runtime, and are freed after every run.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/Commands.h"
#include "tools/smelt/OpenModel.h"
#include "tools/smelt/ModelInputs.h"
#include "tools/smelt/RandomInputs.h"

#include "smelt/runtime.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <numeric>

namespace smelt {

namespace {

/// Stops a run that was asked for "at least 2 seconds" on a model that takes
/// microseconds from collecting millions of samples.
constexpr size_t kMaxTimedRuns = 10000;

int fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

struct AlignedFree {
  void operator()(void *p) const { std::free(p); }
};

bool hasDynamicDim(const smelt_tensor_info &slot) {
  return std::count(slot.dims, slot.dims + slot.rank, SMELT_DYNAMIC_DIM) > 0;
}

/// Output views for every run: a static output points at a buffer owned by
/// `buffers`; a dynamic one has data NULL, for the runtime to allocate.
/// False if a buffer cannot be allocated.
bool makeOutputs(const smelt_model_info &info, std::vector<smelt_tensor> &outputs,
                 std::vector<std::unique_ptr<void, AlignedFree>> &buffers) {
  outputs.resize(info.num_outputs);
  for (size_t i = 0; i < info.num_outputs; ++i) {
    const smelt_tensor_info &slot = info.outputs[i];
    outputs[i] = {nullptr, slot.dtype, slot.rank, slot.dims};
    if (hasDynamicDim(slot))
      continue;
    size_t bytes = smelt_dtype_size(slot.dtype);
    for (int32_t d = 0; d < slot.rank; ++d)
      bytes *= static_cast<size_t>(slot.dims[d]);
    // 64-byte aligned like the runtime's own buffers; aligned_alloc wants a
    // size that is a multiple of the alignment (and non-zero).
    buffers.emplace_back(std::aligned_alloc(64, std::max<size_t>(64, (bytes + 63) / 64 * 64)));
    if (!buffers.back())
      return false;
    outputs[i].data = buffers.back().get();
  }
  return true;
}

/// Resident set size of this process now, in bytes (0 if unknown).
double residentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  if (!(statm >> pages >> resident))
    return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

/// Peak resident set size of this process so far, in bytes.
double peakResidentBytes() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

/// Opening the model plus its first run, and memory above the process's
/// footprint before the model was opened.
struct Costs {
  double firstRunMs = 0;
  double rssGrowthMb = 0;
};

struct Timings {
  double medianMs = 0, minMs = 0, meanMs = 0;
};

Timings summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  Timings t;
  t.medianMs = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  t.minMs = ms.front();
  t.meanMs = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(n);
  return t;
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// The human line, and the JSON where --json asks for it; the exit status.
int printResults(const BenchOptions &options, const std::vector<double> &ms, const Costs &costs) {
  Timings t = summarize(ms);
  // With the JSON on stdout, the human line moves to stderr so that stdout
  // stays one parseable object.
  bool jsonToStdout = options.jsonPath == "-";
  std::fprintf(jsonToStdout ? stderr : stdout,
               "%s: %zu runs on %d thread%s, median %.4g ms, min %.4g ms, mean %.4g ms\n",
               options.library.c_str(), ms.size(), smelt_get_num_threads(),
               smelt_get_num_threads() == 1 ? "" : "s", t.medianMs, t.minMs, t.meanMs);
  if (options.jsonPath.empty())
    return 0;
  char numbers[256];
  std::snprintf(numbers, sizeof numbers,
                "\"runs\": %zu, \"median_ms\": %.6g, \"min_ms\": %.6g, \"mean_ms\": %.6g, "
                "\"warmup\": %d, \"threads\": %d, \"first_run_ms\": %.6g, \"rss_growth_mb\": %.6g",
                ms.size(), t.medianMs, t.minMs, t.meanMs, options.warmup, smelt_get_num_threads(),
                costs.firstRunMs, costs.rssGrowthMb);
  std::string json = "{\"model\": " + jsonString(options.library) + ", " + numbers + "}\n";
  if (jsonToStdout) {
    std::fputs(json.c_str(), stdout);
    return 0;
  }
  FILE *file = std::fopen(options.jsonPath.c_str(), "w");
  bool written = file && std::fputs(json.c_str(), file) >= 0;
  if (file && std::fclose(file) != 0)
    written = false;
  return written ? 0 : fail("cannot write '" + options.jsonPath + "'");
}

} // namespace

int benchCommand(const BenchOptions &options) {
  std::string error;
  using Clock = std::chrono::steady_clock;
  auto msSince = [](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  double rssBefore = residentBytes();
  Clock::time_point openStart = Clock::now();
  OwnedModel model = openModel(options.library, options.threads, options.device, error);
  if (!model)
    return fail(error);
  Costs costs;
  costs.firstRunMs = msSince(openStart);
  smelt_model *raw = model.get();
  const smelt_model_info *info = smelt_model_get_info(raw);
  std::vector<SlotGroup> inGroups;
  if (!groupSlots(info->inputs, info->num_inputs, inGroups, error))
    return fail(error);

  std::vector<std::optional<HostValue>> given;
  if (!readInputFiles(options.inputs, inGroups, given, error))
    return fail(error);
  std::mt19937_64 rng(options.seed);
  std::vector<HostValue> inputs(inGroups.size());
  for (size_t i = 0; i < inGroups.size(); ++i) {
    if (given[i])
      inputs[i] = std::move(*given[i]);
    else if (!randomInput(inGroups[i], rng, inputs[i], error))
      return fail(error);
  }
  std::vector<HostTensor> inSlots;
  if (!packInputs(std::move(inputs), inGroups, inSlots, error))
    return fail(error);
  std::vector<smelt_tensor> in = tensorViews(inSlots);
  std::vector<std::unique_ptr<void, AlignedFree>> buffers;
  std::vector<smelt_tensor> outTemplate;
  if (!makeOutputs(*info, outTemplate, buffers))
    return fail("out of memory for the outputs");

  std::vector<smelt_tensor> out;
  auto runOnce = [&]() -> bool {
    out = outTemplate; // The runtime overwrites the views of dynamic outputs.
    if (smelt_status *status = smelt_model_run(raw, in.data(), in.size(), out.data(), out.size())) {
      error = smelt_status_message(status);
      smelt_status_free(status);
      return false;
    }
    for (size_t i = 0; i < out.size(); ++i)
      if (!outTemplate[i].data)
        smelt_free(out[i].data);
    return true;
  };

  // The first run is one of the warm-up runs (there is always one).
  Clock::time_point firstStart = Clock::now();
  if (!runOnce())
    return fail(error);
  costs.firstRunMs += msSince(firstStart);
  for (int i = 1; i < options.warmup; ++i)
    if (!runOnce())
      return fail(error);
  std::vector<double> ms;
  Clock::time_point start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  while (ms.size() < kMaxTimedRuns &&
         (ms.size() < static_cast<size_t>(options.runs) || elapsed() < options.seconds)) {
    Clock::time_point before = Clock::now();
    if (!runOnce())
      return fail(error);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
  }
  costs.rssGrowthMb = (peakResidentBytes() - rssBefore) / (1024.0 * 1024.0);
  return printResults(options, ms, costs);
}

} // namespace smelt
