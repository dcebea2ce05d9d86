//===- RunCommand.cpp - smelt run: execute a compiled model ---------------===//
//
// Loads a compiled library through the runtime's C API (or, with --exec,
// hands it to another program: ExternalRun.h), feeds it graph values
// from .pb/.npy files (or an ONNX test_data_set folder: input_N.pb is the N-th
// graph input, however many ABI slots it spans) and prints, saves or checks
// the outputs. Binding files to inputs is ModelInputs' job, packing values
// into slots ValueIO's.
//
//===----------------------------------------------------------------------===//
#include "tools/smelt/Commands.h"
#include "tools/smelt/OpenModel.h"
#include "tools/smelt/ExternalRun.h"
#include "tools/smelt/Manifest.h"
#include "tools/smelt/ModelInputs.h"

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

/// A file name for a value: tensors as NAME.npy; strings, sequences and
/// optionals (which .npy cannot hold) as NAME.pb.
std::string outputFileName(const HostValue &value) {
  std::string name = value.name;
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c) && c != '_'; },
                  '_');
  return name + (value.optional || value.sequence || value.strings ? ".pb" : ".npy");
}

/// Runs the opened model on `inSlots` in this process; the runtime allocates
/// the outputs, copied into `outSlots`.
bool runInProcess(smelt_model *model, std::vector<HostTensor> &inSlots,
                  std::vector<HostTensor> &outSlots, std::string &error) {
  const smelt_model_info *info = smelt_model_get_info(model);
  size_t numOutputs = info->num_outputs;
  std::vector<smelt_tensor> in = tensorViews(inSlots), out(numOutputs);
  for (size_t i = 0; i < numOutputs; ++i)
    out[i] = {nullptr, 0, 0, nullptr}; // The runtime allocates.
  if (smelt_status *status =
          smelt_model_run(model, in.data(), in.size(), out.data(), numOutputs)) {
    error = smelt_status_message(status);
    smelt_status_free(status);
    return false;
  }
  outSlots.assign(numOutputs, HostTensor());
  for (size_t i = 0; i < numOutputs; ++i) {
    HostTensor &t = outSlots[i];
    t.name = info->outputs[i].name;
    t.dtype = out[i].dtype;
    t.dims.assign(out[i].dims, out[i].dims + out[i].rank);
    const char *data = static_cast<const char *>(out[i].data);
    t.data.assign(data, data + t.numElements() * smelt_dtype_size(t.dtype));
    smelt_free(out[i].data);
  }
  return true;
}

} // namespace

int runCommand(const RunOptions &options) {
  std::string error;
  // In process, the runtime describes the model; with --exec, whose code
  // may be for another machine, its manifest does.
  OwnedModel model;
  ManifestSignature manifest;
  const smelt_tensor_info *inInfos, *outInfos;
  size_t numInputs, numOutputs;
  if (options.exec.empty()) {
    model = openModel(options.library, options.threads, options.device, error);
    if (!model)
      return fail(error);
    const smelt_model_info *info = smelt_model_get_info(model.get());
    inInfos = info->inputs, outInfos = info->outputs;
    numInputs = info->num_inputs, numOutputs = info->num_outputs;
  } else {
    if (!readManifestSignature(options.library, manifest, error))
      return fail(error);
    inInfos = manifest.inputs.data(), outInfos = manifest.outputs.data();
    numInputs = manifest.inputs.size(), numOutputs = manifest.outputs.size();
  }
  std::vector<SlotGroup> inGroups, outGroups;
  if (!groupSlots(inInfos, numInputs, inGroups, error) ||
      !groupSlots(outInfos, numOutputs, outGroups, error))
    return fail(error);

  // One file per graph input (not per slot); an ONNX test_data_set's
  // input_N.pb files come after the -i files.
  std::vector<std::string> specs = options.inputs;
  if (!options.checkDir.empty())
    for (const std::string &f : numberedFiles(options.checkDir, "input"))
      specs.push_back(f);
  std::vector<std::optional<HostValue>> given;
  if (!readInputFiles(specs, inGroups, given, error))
    return fail(error);
  std::vector<HostValue> inputs;
  for (size_t i = 0; i < inGroups.size(); ++i) {
    if (!given[i])
      return fail("no value given for input '" + inGroups[i].name + "'");
    inputs.push_back(std::move(*given[i]));
  }

  std::vector<HostTensor> inSlots, outSlots;
  if (!packInputs(std::move(inputs), inGroups, inSlots, error))
    return fail(error);
  if (options.exec.empty()) {
    if (!runInProcess(model.get(), inSlots, outSlots, error))
      return fail(error);
  } else {
    std::vector<std::string> names;
    std::vector<int32_t> dtypes;
    for (size_t i = 0; i < numOutputs; ++i) {
      names.push_back(outInfos[i].name);
      dtypes.push_back(outInfos[i].dtype);
    }
    if (!runExternally(options.exec, options.library, inSlots, names, dtypes, outSlots, error))
      return fail(error);
  }
  std::vector<HostValue> outputs(outGroups.size());
  for (size_t i = 0; i < outGroups.size(); ++i)
    if (!unpackValue(outGroups[i], &outSlots[outGroups[i].first], outputs[i], error))
      return fail("output " + error);

  int status = 0;
  if (options.print || (options.checkDir.empty() && options.outputDir.empty()))
    for (const HostValue &value : outputs)
      std::fputs(formatValue(value).c_str(), stdout);
  if (!options.outputDir.empty()) {
    // The folder the user named, and its parents, once the run succeeded.
    std::error_code ec;
    std::filesystem::create_directories(options.outputDir, ec);
    if (ec || !std::filesystem::is_directory(options.outputDir))
      return fail("cannot create the output folder '" + options.outputDir + "'" +
                  (ec ? ": " + ec.message() : ": a file of that name exists"));
    for (const HostValue &value : outputs)
      if (!writeValueFile(options.outputDir + "/" + outputFileName(value), value, error))
        return fail(error);
  }
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
