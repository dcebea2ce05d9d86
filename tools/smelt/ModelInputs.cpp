//===- ModelInputs.cpp - graph inputs for smelt run and bench -------------===//
#include "tools/smelt/ModelInputs.h"

namespace smelt {

namespace {

int findGroup(const std::vector<SlotGroup> &groups, const std::string &name) {
  for (size_t i = 0; i < groups.size(); ++i)
    if (groups[i].name == name)
      return static_cast<int>(i);
  return -1;
}

} // namespace

void relabelTestDataBfloat16(HostValue &value, int32_t wanted) {
  for (HostTensor &t : value.tensors)
    if (wanted == SMELT_DTYPE_BFLOAT16 && t.dtype == SMELT_DTYPE_UINT16)
      t.dtype = SMELT_DTYPE_BFLOAT16;
}

bool readInputFiles(const std::vector<std::string> &specs, const std::vector<SlotGroup> &groups,
                    std::vector<std::optional<HostValue>> &values, std::string &error) {
  values.assign(groups.size(), std::nullopt);
  size_t position = 0;
  for (const std::string &spec : specs) {
    size_t eq = spec.find('=');
    std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    HostValue value;
    int index = -1;
    if (eq != std::string::npos) {
      index = findGroup(groups, spec.substr(0, eq));
      if (index < 0) {
        error = "the model has no input named '" + spec.substr(0, eq) + "'";
        return false;
      }
      if (!readValueFile(path, groups[index], value, error))
        return false;
    } else {
      while (position < groups.size() && values[position])
        ++position;
      if (position >= groups.size()) {
        error =
            "more input files than the model has inputs (" + std::to_string(groups.size()) + ")";
        return false;
      }
      if (!readValueFile(path, groups[position], value, error))
        return false;
      index = static_cast<int>(position);
      // A file that names an input (an ONNX test_data_set's input_N.pb does)
      // goes there, so files may come in any order.
      int named = value.name.empty() ? -1 : findGroup(groups, value.name);
      if (named >= 0 && !values[named] && groups[named].kind() == groups[index].kind())
        index = named;
    }
    value.name = groups[index].name;
    relabelTestDataBfloat16(value, groups[index].dtype);
    values[index] = std::move(value);
  }
  return true;
}

bool packInputs(std::vector<HostValue> &&values, const std::vector<SlotGroup> &groups,
                std::vector<HostTensor> &slots, std::string &error) {
  slots.clear();
  for (size_t i = 0; i < groups.size(); ++i)
    if (!packValue(std::move(values[i]), groups[i], slots, error)) {
      error = "input " + error;
      return false;
    }
  return true;
}

std::vector<smelt_tensor> tensorViews(std::vector<HostTensor> &slots) {
  std::vector<smelt_tensor> views(slots.size());
  for (size_t i = 0; i < slots.size(); ++i)
    views[i] = {slots[i].data.data(), slots[i].dtype, static_cast<int32_t>(slots[i].dims.size()),
                slots[i].dims.data()};
  return views;
}

} // namespace smelt
