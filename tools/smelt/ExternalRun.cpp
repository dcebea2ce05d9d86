//===- ExternalRun.cpp - run a model through another program --------------===//
#include "tools/smelt/ExternalRun.h"

#include "smelt/runtime.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace smelt {

namespace {

/// .npy has no bfloat16: its bit patterns travel as uint16.
HostTensor asNpyDtype(HostTensor tensor) {
  if (tensor.dtype == SMELT_DTYPE_BFLOAT16)
    tensor.dtype = SMELT_DTYPE_UINT16;
  return tensor;
}

/// A temporary folder, removed with everything in it.
struct TempDir {
  llvm::SmallString<256> path;
  ~TempDir() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
};

} // namespace

bool runExternally(const std::string &command, const std::string &library,
                   const std::vector<HostTensor> &inputs,
                   const std::vector<std::string> &outputNames,
                   const std::vector<int32_t> &outputDtypes, std::vector<HostTensor> &outputs,
                   std::string &error) {
  llvm::SmallVector<llvm::StringRef> words;
  llvm::StringRef(command).split(words, ' ', -1, /*KeepEmpty=*/false);
  if (words.empty()) {
    error = "--exec: no command given";
    return false;
  }
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName(words[0]);
  if (!program) {
    error = "--exec: cannot find program '" + words[0].str() + "'";
    return false;
  }
  TempDir dir;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("smelt-exec", dir.path)) {
    error = "--exec: cannot create a temporary folder: " + ec.message();
    return false;
  }
  auto inDir = [&](const std::string &name) {
    llvm::SmallString<256> p(dir.path);
    llvm::sys::path::append(p, name);
    return std::string(p);
  };
  std::vector<std::string> args(words.begin(), words.end());
  args[0] = *program;
  args.push_back(library);
  args.push_back(std::string(dir.path));
  for (size_t i = 0; i < inputs.size(); ++i) {
    args.push_back(inDir("in_" + std::to_string(i) + ".npy"));
    if (!writeTensorFile(args.back(), asNpyDtype(inputs[i]), error))
      return false;
  }
  std::string messages = inDir("stderr.txt");
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, std::nullopt,
                                                llvm::StringRef(messages)};
  std::string launchError;
  int status = llvm::sys::ExecuteAndWait(*program, argRefs, std::nullopt, redirects, 0, 0,
                                         &launchError);
  if (status != 0) {
    auto text = llvm::MemoryBuffer::getFile(messages);
    std::string said = text ? llvm::StringRef((*text)->getBuffer()).trim().str() : "";
    error = said.empty() ? "--exec: '" + command + "' failed" +
                               (launchError.empty() ? "" : ": " + launchError) +
                               " (status " + std::to_string(status) + ")"
                         : said;
    return false;
  }
  outputs.assign(outputNames.size(), HostTensor());
  for (size_t i = 0; i < outputNames.size(); ++i) {
    if (!readTensorFile(inDir("out_" + std::to_string(i) + ".npy"), outputs[i], error))
      return false;
    if (outputDtypes[i] == SMELT_DTYPE_BFLOAT16 && outputs[i].dtype == SMELT_DTYPE_UINT16)
      outputs[i].dtype = SMELT_DTYPE_BFLOAT16;
    outputs[i].name = outputNames[i];
  }
  return true;
}

} // namespace smelt
