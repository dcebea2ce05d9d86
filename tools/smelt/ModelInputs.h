//===- ModelInputs.h - graph inputs for smelt run and bench -----*- C++ -*-===//
//
// The input side shared by `smelt run` and `smelt bench`: binding -i specs
// (NAME=FILE or FILE) to a model's graph inputs, and packing the values into
// the ABI slot tensors that smelt_model_run takes. Reading each file and
// packing each value is ValueIO's job; this file only decides which file
// feeds which input.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_MODELINPUTS_H
#define SMELT_TOOLS_SMELT_MODELINPUTS_H

#include "tools/smelt/ValueIO.h"

#include "smelt/runtime.h"

#include <optional>
#include <string>
#include <vector>

namespace smelt {

/// Reads one file per graph input named by `specs`, in order: NAME=FILE binds
/// by name; FILE binds by the name stored in it if that names an unbound input
/// of the same kind, else to the next unbound input. `values` gets one entry
/// per group, left empty for inputs no spec names. False with `error` set for
/// an unknown name, an unreadable file or more files than inputs.
bool readInputFiles(const std::vector<std::string> &specs, const std::vector<SlotGroup> &groups,
                    std::vector<std::optional<HostValue>> &values, std::string &error);

/// ONNX's backend test data up to ONNX 1.12 stores bfloat16 tensors in the
/// .pb files with data_type UINT16 and the same bits (numpy has no bfloat16).
/// Where the model wants bfloat16 and the file says uint16, the tensors are
/// relabelled bfloat16: the bytes are already right, only the label differs.
void relabelTestDataBfloat16(HostValue &value, int32_t wanted);

/// Packs one value per group into `slots` (packValue, in signature order),
/// moving the tensors out of `values`: inputs are held once, not twice.
bool packInputs(std::vector<HostValue> &&values, const std::vector<SlotGroup> &groups,
                std::vector<HostTensor> &slots, std::string &error);

/// smelt_tensor views of `slots`, valid while `slots` is unchanged.
std::vector<smelt_tensor> tensorViews(std::vector<HostTensor> &slots);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_MODELINPUTS_H
