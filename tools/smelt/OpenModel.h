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

/// Opens the library at `path` through the runtime, with runs on `threads`
/// threads (0: the runtime's default); null with the runtime's message in
/// `error` when it cannot.
inline OwnedModel openModel(const std::string &path, int threads, std::string &error) {
  if (smelt_status *status = smelt_set_num_threads(threads)) {
    error = smelt_status_message(status);
    smelt_status_free(status);
    return nullptr;
  }
  smelt_model *raw = nullptr;
  if (smelt_status *status = smelt_model_open(path.c_str(), &raw)) {
    error = smelt_status_message(status);
    smelt_status_free(status);
    return nullptr;
  }
  return OwnedModel(raw);
}

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_OPENMODEL_H
