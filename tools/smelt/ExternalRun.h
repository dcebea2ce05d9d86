//===- ExternalRun.h - run a model through another program ------*- C++ -*-===//
//
// `smelt run --exec CMD`: the model's code runs in CMD (smelt-runner under
// qemu-aarch64, or on a board over ssh), not in this process. Input slots go
// out as .npy files, output slots come back as .npy files (see
// tools/smelt-runner/smelt-runner.c for the protocol).
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_TOOLS_SMELT_EXTERNALRUN_H
#define SMELT_TOOLS_SMELT_EXTERNALRUN_H

#include "tools/smelt/TensorIO.h"

#include <string>
#include <vector>

namespace smelt {

/// Runs `command` (words separated by spaces, the program first) as
///   COMMAND LIBRARY OUTDIR IN_0.npy ... IN_n.npy
/// with the input slots written to a temporary folder, and reads the
/// `numOutputs` output slots back from OUTDIR/out_N.npy, named by
/// `outputNames`. False with `error` set (the command's own message when it
/// fails) otherwise.
bool runExternally(const std::string &command, const std::string &library,
                   const std::vector<HostTensor> &inputs,
                   const std::vector<std::string> &outputNames,
                   const std::vector<int32_t> &outputDtypes, std::vector<HostTensor> &outputs,
                   std::string &error);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_EXTERNALRUN_H
