//===- OpenModel.h - a compiled model opened for smelt run and bench -*- C++ -*-===//
#ifndef SMELT_TOOLS_SMELT_OPENMODEL_H
#define SMELT_TOOLS_SMELT_OPENMODEL_H

#include "smelt/runtime.h"

#include <memory>
#include <string>

namespace smelt {

struct ModelCloser {
  void operator()(smelt_model *m) const { smelt_model_close(m); }
};
using OwnedModel = std::unique_ptr<smelt_model, ModelCloser>;

/// The message for a model compiled for one device and asked to run on the
/// other (`device` is "cpu" or "cuda").
inline std::string wrongDevice(const std::string &path, const std::string &device) {
  return device == "cuda" ? path + " was compiled for the CPU; compile it with --device cuda to "
                                   "run it on the GPU"
                          : path + " was compiled for the GPU; compile it with --device cpu to "
                                   "run it on the CPU";
}

/// Opens the library at `path` through the runtime, with runs on `threads`
/// threads (0: the runtime's default); null with the runtime's message in
/// `error` when it cannot. With `device` ("cpu" or "cuda"), a model
/// compiled for the other one is refused.
inline OwnedModel openModel(const std::string &path, int threads, const std::string &device,
                            std::string &error) {
  if (smelt_status *status = smelt_set_num_threads(threads)) {
    error = smelt_status_message(status);
    smelt_status_free(status);
    return nullptr;
  }
  smelt_model *raw = nullptr;
  if (smelt_status *status = smelt_model_open(path.c_str(), &raw)) {
    // Only a GPU model fails with SMELT_ERR_DEVICE (no driver, no GPU...):
    // asked for the CPU, say what is wrong with the request instead.
    bool gpuModel = smelt_status_code(status) == SMELT_ERR_DEVICE;
    error = gpuModel && device == "cpu" ? wrongDevice(path, device) : smelt_status_message(status);
    smelt_status_free(status);
    return nullptr;
  }
  OwnedModel model(raw);
  bool gpuModel = smelt_model_get_info(raw)->device != nullptr;
  if (!device.empty() && gpuModel != (device == "cuda")) {
    error = wrongDevice(path, device);
    return nullptr;
  }
  return model;
}

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_OPENMODEL_H
