// test_util.h - RAII wrappers and helpers shared by the runtime's unit tests.
//
// Statuses and models are held in unique_ptrs so a failing assertion never
// leaks, which keeps the suite clean under valgrind.
#ifndef SMELT_TEST_UNIT_RUNTIME_TEST_UTIL_H
#define SMELT_TEST_UNIT_RUNTIME_TEST_UTIL_H

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "smelt/runtime.h"

namespace smelt_test {

struct StatusDeleter {
  void operator()(smelt_status *s) const { smelt_status_free(s); }
};
/// Owns a smelt_status; null means success.
using Status = std::unique_ptr<smelt_status, StatusDeleter>;

struct ModelDeleter {
  void operator()(smelt_model *m) const { smelt_model_close(m); }
};
/// Owns a smelt_model.
using Model = std::unique_ptr<smelt_model, ModelDeleter>;

/// The status' message, or "ok".
inline std::string message(const Status &s) {
  return smelt_status_message(s.get());
}

/// Succeeds if `text` contains `part`; the failure message shows both.
inline ::testing::AssertionResult contains(const std::string &text,
                                           const std::string &part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not contain \"" << part << "\"";
}

/// Opens the model at `path`, failing the test if it does not open.
inline Model openModel(const char *path) {
  smelt_model *model = nullptr;
  Status status(smelt_model_open(path, &model));
  EXPECT_EQ(status, nullptr) << message(status);
  return Model(model);
}

/// Wraps a linked-in model, failing the test if its info is refused.
inline Model modelFromInfo(const smelt_model_info &info) {
  smelt_model *model = nullptr;
  Status status(smelt_model_from_info(&info, &model));
  EXPECT_EQ(status, nullptr) << message(status);
  return Model(model);
}

/// A signature for a model linked into the test, ABI fields filled in.
inline smelt_model_info makeInfo(const smelt_tensor_info *inputs,
                                 uint32_t numInputs,
                                 const smelt_tensor_info *outputs,
                                 uint32_t numOutputs, smelt_entry_fn entry) {
  smelt_model_info info = {};
  info.abi_version = SMELT_ABI_VERSION;
  info.num_inputs = numInputs;
  info.num_outputs = numOutputs;
  info.onnx_opset = 17;
  info.inputs = inputs;
  info.outputs = outputs;
  info.model_name = "linked";
  info.producer = "test";
  info.entry = entry;
  return info;
}

/// A tensor view over caller-owned data.
inline smelt_tensor view(void *data, int32_t dtype, int32_t rank,
                         const int64_t *dims) {
  return smelt_tensor{data, dtype, rank, dims};
}

} // namespace smelt_test

#endif // SMELT_TEST_UNIT_RUNTIME_TEST_UTIL_H
