//===- RunCommand.cpp - smelt run: execute a compiled model ---------------===//
//
// Loads a compiled library through the runtime's C API, feeds it graph values
// from .pb/.npy files (or an ONNX test_data_set folder: input_N.pb is the N-th
// graph input, however many ABI slots it spans) and prints, saves or checks
// the outputs. Packing values into slots is ValueIO's job.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/Commands.h"
#include "tools/smelt/ValueIO.h"

#include "smelt/runtime.h"

#include <algorithm>
#include <cctype>
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

/// ONNX's backend test data up to ONNX 1.12 stores bfloat16 tensors in the
/// .pb files with data_type UINT16 and the same bits (numpy has no bfloat16).
/// Where the model wants bfloat16 and the file says uint16, the file's tensor
/// is read as bfloat16: the bytes are already right, only the label differs.
void relabelTestDataBfloat16(HostValue &value, int32_t wanted) {
  for (HostTensor &t : value.tensors)
    if (wanted == SMELT_DTYPE_BFLOAT16 && t.dtype == SMELT_DTYPE_UINT16)
      t.dtype = SMELT_DTYPE_BFLOAT16;
}

int findGroup(const std::vector<SlotGroup> &groups, const std::string &name) {
  for (size_t i = 0; i < groups.size(); ++i)
    if (groups[i].name == name)
      return static_cast<int>(i);
  return -1;
}

/// A file name for a value: tensors as NAME.npy; strings, sequences and
/// optionals (which .npy cannot hold) as NAME.pb.
std::string outputFileName(const HostValue &value) {
  std::string name = value.name;
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c) && c != '_'; },
                  '_');
  return name + (value.optional || value.sequence || value.strings ? ".pb" : ".npy");
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
  const smelt_model_info *info = smelt_model_get_info(raw);
  size_t numInputs = info->num_inputs, numOutputs = info->num_outputs;
  std::vector<SlotGroup> inGroups, outGroups;
  std::string error;
  if (!groupSlots(info->inputs, numInputs, inGroups, error) ||
      !groupSlots(info->outputs, numOutputs, outGroups, error))
    return fail(error);

  // Gather one file per graph input (not per slot): NAME=FILE binds by name;
  // FILE binds by the name stored in it if that names an unbound input of
  // the same kind, else to the next unbound input.
  std::vector<HostValue> inputs(inGroups.size());
  std::vector<bool> bound(inGroups.size(), false);
  std::vector<std::string> specs = options.inputs;
  if (!options.checkDir.empty())
    for (const std::string &f : numberedFiles(options.checkDir, "input"))
      specs.push_back(f);
  size_t position = 0;
  for (const std::string &spec : specs) {
    size_t eq = spec.find('=');
    std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    HostValue value;
    int index = -1;
    if (eq != std::string::npos) {
      index = findGroup(inGroups, spec.substr(0, eq));
      if (index < 0)
        return fail("the model has no input named '" + spec.substr(0, eq) + "'");
      if (!readValueFile(path, inGroups[index], value, error))
        return fail(error);
    } else {
      while (position < inGroups.size() && bound[position])
        ++position;
      if (position >= inGroups.size())
        return fail("more input files than the model has inputs (" +
                    std::to_string(inGroups.size()) + ")");
      if (!readValueFile(path, inGroups[position], value, error))
        return fail(error);
      index = static_cast<int>(position);
      int named = value.name.empty() ? -1 : findGroup(inGroups, value.name);
      if (named >= 0 && !bound[named] && inGroups[named].kind() == inGroups[index].kind())
        index = named;
    }
    value.name = inGroups[index].name;
    relabelTestDataBfloat16(value, inGroups[index].dtype);
    inputs[index] = std::move(value);
    bound[index] = true;
  }
  for (size_t i = 0; i < inGroups.size(); ++i)
    if (!bound[i])
      return fail("no value given for input '" + inGroups[i].name + "'");

  std::vector<HostTensor> inSlots;
  for (size_t i = 0; i < inGroups.size(); ++i)
    if (!packValue(inputs[i], inGroups[i], inSlots, error))
      return fail("input " + error);
  std::vector<smelt_tensor> in(numInputs), out(numOutputs);
  for (size_t i = 0; i < numInputs; ++i)
    in[i] = {inSlots[i].data.data(), inSlots[i].dtype,
             static_cast<int32_t>(inSlots[i].dims.size()), inSlots[i].dims.data()};
  for (size_t i = 0; i < numOutputs; ++i)
    out[i] = {nullptr, 0, 0, nullptr}; // The runtime allocates.
  if (smelt_status *status = smelt_model_run(raw, in.data(), numInputs, out.data(), numOutputs)) {
    std::string message = smelt_status_message(status);
    smelt_status_free(status);
    return fail(message);
  }
  std::vector<HostTensor> outSlots(numOutputs);
  for (size_t i = 0; i < numOutputs; ++i) {
    HostTensor &t = outSlots[i];
    t.name = info->outputs[i].name;
    t.dtype = out[i].dtype;
    t.dims.assign(out[i].dims, out[i].dims + out[i].rank);
    const char *data = static_cast<const char *>(out[i].data);
    t.data.assign(data, data + t.numElements() * smelt_dtype_size(t.dtype));
    smelt_free(out[i].data);
  }
  std::vector<HostValue> outputs(outGroups.size());
  for (size_t i = 0; i < outGroups.size(); ++i)
    if (!unpackValue(outGroups[i], &outSlots[outGroups[i].first], outputs[i], error))
      return fail("output " + error);

  int status = 0;
  if (options.print || (options.checkDir.empty() && options.outputDir.empty()))
    for (const HostValue &value : outputs)
      std::fputs(formatValue(value).c_str(), stdout);
  if (!options.outputDir.empty())
    for (const HostValue &value : outputs)
      if (!writeValueFile(options.outputDir + "/" + outputFileName(value), value, error))
        return fail(error);
  if (!options.checkDir.empty()) {
    std::vector<std::string> expected = numberedFiles(options.checkDir, "output");
    if (expected.size() != outputs.size())
      return fail("'" + options.checkDir + "' holds " + std::to_string(expected.size()) +
                  " expected outputs, the model has " + std::to_string(outputs.size()));
    for (size_t i = 0; i < outputs.size(); ++i) {
      HostValue want;
      if (!readValueFile(expected[i], outGroups[i], want, error))
        return fail(error);
      relabelTestDataBfloat16(want, outGroups[i].dtype);
      ValueCheck c = checkValue(outputs[i], want, options.rtol, options.atol);
      if (c.ok)
        std::printf("output '%s': ok (max abs error %.3g)\n", outputs[i].name.c_str(),
                    c.maxAbsError);
      else
        std::printf("output '%s': FAIL %s\n", outputs[i].name.c_str(), c.failure.c_str());
      if (!c.ok)
        status = 1;
    }
  }
  return status;
}

} // namespace smelt
