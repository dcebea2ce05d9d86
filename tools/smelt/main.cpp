//===- main.cpp - the smelt command-line driver ---------------------------===//
//
//   smelt compile model.onnx -o libmodel.so [--emit=...] [-O0..3] [--shape N=d,...]
//   smelt run libmodel.so [-i NAME=FILE]... [--check DIR] [--rtol R --atol A] [-o DIR] [--device D]
//   smelt bench libmodel.so [-i NAME=FILE]... [--warmup N] [--runs N] [--seconds S] [--json FILE]
//               [--device D]
//   smelt inspect model.onnx|libmodel.so|model.o [--json]
//
// The only place that prints diagnostics and chooses exit codes.
//
//===----------------------------------------------------------------------===//
#include "compiler/pipeline/Compile.h"
#include "compiler/pipeline/Registration.h"
#include "tools/smelt/Commands.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

int compileCommand(smelt::CompileOptions options, const std::vector<std::string> &shapes,
                   const std::string &emit, int optLevel) {
  std::string error;
  for (const std::string &spec : shapes)
    if (!smelt::parseShapeSpec(spec, options.import, error)) {
      std::fprintf(stderr, "error: %s\n", error.c_str());
      return 1;
    }
  if (!emit.empty() && !smelt::parseEmitKind(emit, options.emit)) {
    std::fprintf(stderr, "error: unknown --emit kind '%s'\n", emit.c_str());
    return 1;
  }
  if (emit.empty()) {
    llvm::StringRef out(options.output);
    options.emit = out.ends_with(".o") ? smelt::EmitKind::Obj
                   : out.ends_with(".s") ? smelt::EmitKind::Asm
                   : out.ends_with(".ll") ? smelt::EmitKind::Llvm
                   : out.ends_with(".ptx") ? smelt::EmitKind::Ptx
                   : out.ends_with(".mlir") ? smelt::EmitKind::Mlir
                                            : smelt::EmitKind::Shared;
  }
  options.target.optLevel = static_cast<unsigned>(optLevel);

  mlir::DialectRegistry registry;
  smelt::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading(); // Compile one model at a time; no thread pool to start.
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return mlir::succeeded(smelt::compileModel(options, context)) ? 0 : 1;
}

} // namespace

/// LLVM's code generator reports what it cannot handle (an instruction it
/// cannot select for a target, say) as a fatal error and aborts. Report it
/// like any error instead: a message naming the cause and exit status 1.
void reportLlvmFatalError(void *, const char *reason, bool) {
  std::fprintf(stderr, "error: LLVM's code generator failed: %s (an internal error; please "
                       "report it with the model and the smelt command line)\n", reason);
  std::fflush(stderr);
  std::_Exit(1);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::install_fatal_error_handler(reportLlvmFatalError);
  CLI::App app{"smelt - ahead-of-time compiler for ONNX models"};
  app.set_version_flag("--version", "smelt " SMELT_VERSION_STRING);
  app.require_subcommand(1);

  smelt::CompileOptions compile;
  std::vector<std::string> shapes;
  std::string emit;
  int optLevel = 2;
  CLI::App *compileCmd = app.add_subcommand("compile", "Compile an ONNX model to native code");
  compileCmd->add_option("model", compile.input, "Input model (.onnx, or .onnxtxt text syntax)")
      ->required()
      ->check(CLI::ExistingFile);
  compileCmd->add_option("-o,--output", compile.output, "Output file")->required();
  compileCmd->add_option("--emit", emit,
                         "Output kind: so (default), obj (+ .h), asm, llvm, mlir, linalg, onnx; "
                         "ptx (--device cuda); host-kernels (--device cuda: the kernels for "
                         "this CPU, for testing the GPU path without a GPU)");
  compileCmd->add_option("--shape", shapes, "Fix an input's dims: NAME=d0,d1,...");
  compileCmd->add_flag("--dynamic-dims", compile.import.symbolicInputDims,
                       "Leave every input dim symbolic (shapes known only at run time)");
  compileCmd->add_option("-O", optLevel, "Optimization level 0-3")->check(CLI::Range(0, 3));
  compileCmd->add_option("--target", compile.target.triple, "Target triple (default: host)");
  compileCmd->add_option("--cpu", compile.target.cpu, "Target CPU (default: host)");
  compileCmd->add_flag("--report", compile.report,
                       "Print the memory plan: workspace size, sum of the buffers it holds, "
                       "buffers left to the heap");
  compileCmd->add_option("--features", compile.target.features, "Target features (+avx2,...)");
  std::string device = "cpu";
  compileCmd->add_option("--device", device, "Where the model runs: cpu (default) or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  compileCmd->add_option("--gpu", compile.gpuChip,
                         "--device cuda: the NVIDIA architecture (default sm_80; sm_90...)");
  compileCmd->add_option("--print-ir-after", compile.printIrAfter,
                         "Print the IR to stderr after this pass (its smelt-opt name, e.g. "
                         "smelt-cpu-tile-and-vectorize), weights elided: for debugging");
  compileCmd->add_option("--name", compile.symbolPrefix,
                         "Symbol prefix of the entry points: a C identifier not beginning "
                         "with smelt_ (default: the output's stem, without a .so's lib)");

  smelt::RunOptions run;
  CLI::App *runCmd = app.add_subcommand("run", "Run a compiled model");
  runCmd->add_option("library", run.library, "Compiled model (.so)")->required();
  runCmd->add_option("-i,--input", run.inputs,
                     "Input value: NAME=FILE or FILE (.pb or .npy; a sequence or optional as "
                     "a .pb SequenceProto or OptionalProto)");
  runCmd->add_option("--check", run.checkDir,
                     "ONNX test_data_set folder: take inputs, compare outputs")
      ->check(CLI::ExistingDirectory);
  runCmd->add_option("--rtol", run.rtol,
                     "Relative tolerance for --check of float outputs (default 1e-3; integers "
                     "and booleans are compared exactly)");
  runCmd->add_option("--atol", run.atol,
                     "Absolute tolerance for --check of float outputs (default 1e-7)");
  runCmd->add_option("-o,--output-dir", run.outputDir,
                     "Save outputs here (created if missing): tensors as NAME.npy, sequences "
                     "and optionals as NAME.pb");
  runCmd->add_flag("--print", run.print, "Print outputs");
  runCmd->add_option("--exec", run.exec,
                     "Run the model's code in this program instead of in smelt, e.g. "
                     "\"qemu-aarch64 -L /usr/aarch64-linux-gnu smelt-runner\" for a library "
                     "built with --target aarch64-linux-gnu (it gets LIBRARY OUTDIR IN.npy...; "
                     "see tools/smelt-runner)");
  runCmd->add_option("--threads", run.threads,
                     "Threads for the run (default: SMELT_NUM_THREADS or all CPUs)")
      ->check(CLI::Range(1, 256));
  runCmd->add_option("--device", run.device,
                     "Where the model must run: cpu or cuda (default: what it was compiled for; "
                     "the GPU is SMELT_CUDA_DEVICE, default 0)")
      ->check(CLI::IsMember({"cpu", "cuda"}));

  smelt::BenchOptions bench;
  CLI::App *benchCmd = app.add_subcommand("bench", "Time a compiled model");
  benchCmd->add_option("library", bench.library, "Compiled model (.so)")->required();
  benchCmd->add_option("-i,--input", bench.inputs,
                       "Input value: NAME=FILE or FILE, as for run; inputs without one get "
                       "seeded random values");
  benchCmd->add_option("--warmup", bench.warmup, "Untimed runs first (default 3)")
      ->check(CLI::Range(0, 10000));
  benchCmd->add_option("--runs", bench.runs, "At least this many timed runs (default 10)")
      ->check(CLI::Range(1, 10000));
  benchCmd->add_option("--seconds", bench.seconds,
                       "Keep running until this much time has passed (default 2; at most "
                       "10000 runs)")
      ->check(CLI::Range(0.0, 3600.0));
  benchCmd->add_option("--seed", bench.seed, "Seed of the random inputs (default 1)");
  benchCmd->add_option("--json", bench.jsonPath, "Also write the results as JSON ('-': stdout)");
  benchCmd->add_option("--threads", bench.threads,
                       "Threads for the runs (default: SMELT_NUM_THREADS or all CPUs)")
      ->check(CLI::Range(1, 256));
  benchCmd->add_option("--device", bench.device, "Where the model must run, as for run")
      ->check(CLI::IsMember({"cpu", "cuda"}));

  std::string inspectModel;
  bool inspectJson = false;
  CLI::App *inspectCmd =
      app.add_subcommand("inspect", "Describe an ONNX model or a compiled library");
  inspectCmd
      ->add_option("model", inspectModel,
                   "ONNX model (.onnx, .onnxtxt), or a library or object file smelt compiled")
      ->required()
      ->check(CLI::ExistingFile);
  inspectCmd->add_flag("--json", inspectJson, "Print the description as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // --help and --version exit 0; every usage error exits 1.
    return app.exit(e) == 0 ? 0 : 1;
  }
  if (compileCmd->parsed()) {
    compile.device = device == "cuda" ? smelt::Device::Cuda : smelt::Device::Cpu;
    return compileCommand(compile, shapes, emit, optLevel);
  }
  if (runCmd->parsed())
    return smelt::runCommand(run);
  if (benchCmd->parsed())
    return smelt::benchCommand(bench);
  return smelt::inspectCommand(inspectModel, inspectJson);
}
