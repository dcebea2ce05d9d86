//===- RunCommand.cpp - smelt run: execute a compiled model ---------------===//
//
// Loads a compiled library through the runtime's C API, feeds it tensors from
// .pb/.npy files (or an ONNX test_data_set folder) and prints, saves or checks
// the outputs.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/Commands.h"
#include "tools/smelt/TensorIO.h"

#include "smelt/runtime.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace fs = std::filesystem;

namespace smelt {

namespace {

int fail(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

/// Files named prefix_N.pb in `dir`, ordered by N.
std::vector<std::string> numberedFiles(const std::string &dir, const std::string &prefix) {
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix + "_", 0) == 0 && name.size() > 3 &&
        name.compare(name.size() - 3, 3, ".pb") == 0)
      found.push_back({std::atoi(name.c_str() + prefix.size() + 1), entry.path().string()});
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> files;
  for (auto &f : found)
    files.push_back(f.second);
  return files;
}

std::string formatDims(const std::vector<int64_t> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

void printTensor(const HostTensor &t) {
  std::printf("%s: %s %s\n", t.name.c_str(), smelt_dtype_name(t.dtype), formatDims(t.dims).c_str());
  int64_t n = t.numElements(), shown = std::min<int64_t>(n, 32);
  std::printf("  [");
  for (int64_t i = 0; i < shown; ++i)
    std::printf("%s%.7g", i ? ", " : "", elementAsDouble(t, i));
  std::printf("%s]\n", n > shown ? ", ..." : "");
}

/// ONNX's backend test data up to ONNX 1.12 stores bfloat16 tensors in the
/// .pb files with data_type UINT16 and the same bits (numpy has no bfloat16).
/// Where the model wants bfloat16 and the file says uint16, the file's tensor
/// is read as bfloat16: the bytes are already right, only the label differs.
void relabelTestDataBfloat16(HostTensor &t, int32_t wanted) {
  if (wanted == SMELT_DTYPE_BFLOAT16 && t.dtype == SMELT_DTYPE_UINT16)
    t.dtype = SMELT_DTYPE_BFLOAT16;
}

struct ModelCloser {
  void operator()(smelt_model *m) const { smelt_model_close(m); }
};

} // namespace

int runCommand(const RunOptions &options) {
  smelt_model *raw = nullptr;
  if (smelt_status *status = smelt_model_open(options.library.c_str(), &raw)) {
    std::string message = smelt_status_message(status);
    smelt_status_free(status);
    return fail(message);
  }
  std::unique_ptr<smelt_model, ModelCloser> model(raw);
  size_t numInputs = smelt_model_num_inputs(raw), numOutputs = smelt_model_num_outputs(raw);

  // Gather input files: NAME=FILE binds by name, FILE by position.
  std::vector<HostTensor> inputs(numInputs);
  std::vector<bool> bound(numInputs, false);
  std::vector<std::string> specs = options.inputs;
  if (!options.checkDir.empty())
    for (const std::string &f : numberedFiles(options.checkDir, "input"))
      specs.push_back(f);
  size_t position = 0;
  for (const std::string &spec : specs) {
    size_t eq = spec.find('=');
    std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    HostTensor t;
    std::string error;
    if (!readTensorFile(path, t, error))
      return fail(error);
    int index = -1;
    if (eq != std::string::npos) {
      index = smelt_model_find_input(raw, spec.substr(0, eq).c_str());
      if (index < 0)
        return fail("the model has no input named '" + spec.substr(0, eq) + "'");
    } else {
      index = t.name.empty() ? -1 : smelt_model_find_input(raw, t.name.c_str());
      if (index < 0 || bound[index]) {
        while (position < numInputs && bound[position])
          ++position;
        index = static_cast<int>(position);
      }
    }
    if (index >= static_cast<int>(numInputs))
      return fail("more input files than the model has inputs (" + std::to_string(numInputs) + ")");
    t.name = smelt_model_input(raw, index)->name;
    relabelTestDataBfloat16(t, smelt_model_input(raw, index)->dtype);
    inputs[index] = std::move(t);
    bound[index] = true;
  }
  for (size_t i = 0; i < numInputs; ++i)
    if (!bound[i])
      return fail(std::string("no value given for input '") + smelt_model_input(raw, i)->name + "'");

  std::vector<smelt_tensor> in(numInputs), out(numOutputs);
  for (size_t i = 0; i < numInputs; ++i)
    in[i] = {inputs[i].data.data(), inputs[i].dtype, static_cast<int32_t>(inputs[i].dims.size()),
             inputs[i].dims.data()};
  for (size_t i = 0; i < numOutputs; ++i)
    out[i] = {nullptr, 0, 0, nullptr}; // The runtime allocates.
  if (smelt_status *status = smelt_model_run(raw, in.data(), numInputs, out.data(), numOutputs)) {
    std::string message = smelt_status_message(status);
    smelt_status_free(status);
    return fail(message);
  }
  std::vector<HostTensor> outputs(numOutputs);
  for (size_t i = 0; i < numOutputs; ++i) {
    HostTensor &t = outputs[i];
    t.name = smelt_model_output(raw, i)->name;
    t.dtype = out[i].dtype;
    t.dims.assign(out[i].dims, out[i].dims + out[i].rank);
    const char *data = static_cast<const char *>(out[i].data);
    t.data.assign(data, data + t.numElements() * smelt_dtype_size(t.dtype));
    smelt_free(out[i].data);
  }

  int status = 0;
  if (options.print || (options.checkDir.empty() && options.outputDir.empty()))
    for (const HostTensor &t : outputs)
      printTensor(t);
  if (!options.outputDir.empty()) {
    for (const HostTensor &t : outputs) {
      std::string error, name = t.name;
      std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c) && c != '_'; }, '_');
      if (!writeTensorFile(options.outputDir + "/" + name + ".npy", t, error))
        return fail(error);
    }
  }
  if (!options.checkDir.empty()) {
    std::vector<std::string> expected = numberedFiles(options.checkDir, "output");
    if (expected.size() != numOutputs)
      return fail("'" + options.checkDir + "' holds " + std::to_string(expected.size()) +
                  " expected outputs, the model has " + std::to_string(numOutputs));
    for (size_t i = 0; i < numOutputs; ++i) {
      HostTensor want;
      std::string error;
      if (!readTensorFile(expected[i], want, error))
        return fail(error);
      relabelTestDataBfloat16(want, outputs[i].dtype);
      Comparison c = compareTensors(outputs[i], want, options.rtol, options.atol);
      if (!c.message.empty()) {
        std::printf("output '%s': FAIL %s (got %s %s, expected %s %s)\n", outputs[i].name.c_str(),
                    c.message.c_str(), smelt_dtype_name(outputs[i].dtype),
                    formatDims(outputs[i].dims).c_str(), smelt_dtype_name(want.dtype),
                    formatDims(want.dims).c_str());
      } else if (!c.ok) {
        std::printf("output '%s': FAIL %lld of %lld elements differ, max abs error %.3g "
                    "(first at %lld: got %.9g, expected %.9g; rtol %g, atol %g)\n",
                    outputs[i].name.c_str(), static_cast<long long>(c.mismatches),
                    static_cast<long long>(want.numElements()), c.maxAbsError,
                    static_cast<long long>(c.firstMismatch),
                    elementAsDouble(outputs[i], c.firstMismatch),
                    elementAsDouble(want, c.firstMismatch), options.rtol, options.atol);
      } else {
        std::printf("output '%s': ok (max abs error %.3g)\n", outputs[i].name.c_str(), c.maxAbsError);
      }
      if (!c.ok)
        status = 1;
    }
  }
  return status;
}

} // namespace smelt
