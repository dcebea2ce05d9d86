//===- Commands.h - the smelt driver's subcommands --------------*- C++ -*-===//
#ifndef SMELT_TOOLS_SMELT_COMMANDS_H
#define SMELT_TOOLS_SMELT_COMMANDS_H

#include <cstdint>
#include <string>
#include <vector>

namespace smelt {

struct RunOptions {
  std::string library;
  std::vector<std::string> inputs; ///< "NAME=FILE" or "FILE" (by position), one per graph input
  std::string checkDir;            ///< an ONNX test_data_set folder
  std::string outputDir;           ///< where to save outputs (.npy, or .pb for non-tensors)
  double rtol = 1e-3;
  double atol = 1e-7;
  bool print = false;
  int threads = 0;                 ///< smelt_set_num_threads; 0: SMELT_NUM_THREADS or all CPUs
  std::string device;              ///< "cpu" or "cuda": where the model must run; "": where
                                   ///< it was compiled for
  std::string exec;                ///< run the model through this program (ExternalRun.h)
};

/// `smelt run`: exit status 0 on success (and on a passing --check).
int runCommand(const RunOptions &options);

struct BenchOptions {
  std::string library;
  std::vector<std::string> inputs; ///< as RunOptions::inputs; inputs not named get random values
  int warmup = 3;                  ///< untimed runs first
  int runs = 10;                   ///< at least this many timed runs...
  double seconds = 2;              ///< ...and until this much time has passed
  uint64_t seed = 1;               ///< for the random inputs
  std::string jsonPath;            ///< write the results as JSON here; "-" for stdout
  int threads = 0;                 ///< as RunOptions::threads
  std::string device;              ///< as RunOptions::device
};

/// `smelt bench`: times the model; exit status 0 on success.
int benchCommand(const BenchOptions &options);

/// `smelt inspect`: on an ONNX model, prints its metadata, inputs, outputs,
/// opsets, op histogram and unsupported ops; on a compiled library or object
/// (an ELF file), what its manifest records. `json`: as JSON instead.
int inspectCommand(const std::string &path, bool json);

/// `smelt inspect` on a compiled library or object file.
int inspectLibrary(const std::string &path, bool json);

} // namespace smelt

#endif // SMELT_TOOLS_SMELT_COMMANDS_H
