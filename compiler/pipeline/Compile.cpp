//===- Compile.cpp - compile one ONNX model to an output file -------------===//
#include "compiler/pipeline/Compile.h"

#include "codegen/cpu/CpuTarget.h"
#include "codegen/cpu/WorkspacePlan.h"
#include "compiler/emit/HeaderEmitter.h"
#include "compiler/emit/Linker.h"
#include "compiler/emit/Signature.h"
#include "codegen/gpu/DeviceSymbols.h"
#include "codegen/gpu/GpuPipeline.h"
#include "compiler/pipeline/Pipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "smelt/runtime.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

namespace smelt {

bool parseEmitKind(llvm::StringRef text, EmitKind &kind) {
  std::optional<EmitKind> parsed = llvm::StringSwitch<std::optional<EmitKind>>(text)
                                       .Case("onnx", EmitKind::Onnx)
                                       .Case("linalg", EmitKind::Linalg)
                                       .Case("mlir", EmitKind::Mlir)
                                       .Case("llvm", EmitKind::Llvm)
                                       .Case("asm", EmitKind::Asm)
                                       .Case("obj", EmitKind::Obj)
                                       .Case("so", EmitKind::Shared)
                                       .Case("ptx", EmitKind::Ptx)
                                       .Case("host-kernels", EmitKind::HostKernels)
                                       .Default(std::nullopt);
  if (parsed)
    kind = *parsed;
  return parsed.has_value();
}

namespace {

/// Symbols of the runtime's API begin with this; model symbols never do.
constexpr llvm::StringLiteral kReservedPrefix = "smelt_";

/// The default symbol prefix: a C identifier from the output file's stem,
/// without a shared library's "lib" ("models/mnist-8.o" -> "mnist_8",
/// "libmodel.so" -> "model"), kept clear of the runtime's names.
std::string prefixFromPath(llvm::StringRef path, bool sharedLibrary) {
  llvm::StringRef stem = llvm::sys::path::stem(path);
  if (sharedLibrary && stem.size() > 3)
    stem.consume_front("lib");
  std::string prefix;
  for (char c : stem)
    prefix += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (prefix.empty() || std::isdigit(static_cast<unsigned char>(prefix[0])) ||
      llvm::StringRef(prefix).starts_with(kReservedPrefix) || prefix == "smelt")
    prefix = "model_" + prefix;
  return prefix;
}

/// Checks a user-given --name: a C identifier outside the runtime's names.
LogicalResult checkSymbolPrefix(llvm::StringRef prefix, Location loc) {
  bool identifier = !prefix.empty() && !std::isdigit(static_cast<unsigned char>(prefix[0])) &&
                    llvm::all_of(prefix, [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                    });
  if (!identifier)
    return emitError(loc) << "--name '" << prefix << "' is not a C identifier";
  if (prefix.starts_with(kReservedPrefix) || prefix == "smelt")
    return emitError(loc) << "--name '" << prefix << "': names beginning with '"
                          << kReservedPrefix << "' belong to the runtime's API";
  return success();
}

/// Writes `bytes` to `path` atomically; "-" is standard output.
LogicalResult writeOutput(llvm::StringRef path, llvm::StringRef bytes, Location loc) {
  if (path == "-") {
    llvm::outs() << bytes;
    llvm::outs().flush();
    return success();
  }
  std::string error;
  if (!writeFileAtomically(path, bytes, error))
    return emitError(loc) << error;
  return success();
}

/// The --report lines: where the model's memory goes.
/// The buffers of run-time size: placed in one block per run, or left to
/// the heap one by one.
void printRunTimeBuffers(const WorkspacePlan &plan, llvm::raw_ostream &os) {
  if (plan.runTimeBuffers)
    os << "run-time arena: " << plan.runTimeBuffers
       << " buffers of run-time size placed at the entry, in the workspace past its planned "
          "bytes when it is large enough, else one allocation per run\n";
  os << "heap buffers: " << plan.heapBuffers << " (" << plan.dynamicBuffers
     << " with sizes known only at run time)\n";
}

void printReport(const WorkspacePlan &plan, bool dynamicDims, llvm::raw_ostream &os) {
  if (!plan.planned || (dynamicDims && plan.size == 0)) {
    os << "workspace: none planned: the model has dynamic dims, so its intermediate values "
          "are allocated at run time\n";
    printRunTimeBuffers(plan, os);
    return;
  }
  uint64_t arena = plan.size;
  os << "workspace: " << arena << " bytes (align " << plan.align << ")";
  os << " for " << plan.buffers << " intermediate buffers of " << plan.bufferBytes
     << " bytes in all";
  if (plan.bufferBytes)
    os << llvm::format(" (%.0f%%)", 100.0 * static_cast<double>(arena) /
                                        static_cast<double>(plan.bufferBytes));
  os << "; " << plan.inPlace << " written in place over a dying input";
  if (dynamicDims)
    os << "; the model has dynamic dims: a run whose caller gives no workspace allocates one";
  os << "\n";
  printRunTimeBuffers(plan, os);
}

/// How the model is compiled, for its metadata: the compiler, the resolved
/// target and the options that shape the code, spelled as on the command line.
BuildInfo buildInfo(const CompileOptions &options, const CpuTarget &target) {
  BuildInfo build;
  build.compiler = "smelt " SMELT_VERSION_STRING;
  build.triple = target.triple;
  build.cpu = target.cpu;
  build.isa = requiredIsa(target);
  std::string &text = build.options;
  text = "-O" + std::to_string(options.target.optLevel);
  for (const auto &[name, dims] : options.import.inputShapes) {
    text += " --shape " + name + "=";
    for (size_t i = 0; i < dims.size(); ++i)
      text += (i ? "," : "") + std::to_string(dims[i]);
  }
  if (options.import.symbolicInputDims)
    text += " --dynamic-dims";
  for (auto [flag, value] : {std::pair{"--target", &options.target.triple},
                             std::pair{"--cpu", &options.target.cpu},
                             std::pair{"--features", &options.target.features}})
    if (!value->empty())
      text += std::string(" ") + flag + " " + *value;
  if (options.device == Device::Cuda)
    text += " --device cuda --gpu " + options.gpuChip;
  return build;
}

/// The --report line on memory a device needs for the model: flash (code,
/// constants with the weights, initialized data; from the object's allocated
/// sections) and RAM (data, the workspace, and the static input and output
/// buffers; dynamic ones are left out and said so).
void printFootprint(llvm::StringRef objectBytes, const ModelSignature &signature,
                    const WorkspacePlan &plan, llvm::raw_ostream &os) {
  auto object = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(objectBytes, "model.o"));
  if (!object) {
    llvm::consumeError(object.takeError());
    return;
  }
  uint64_t code = 0, constants = 0, data = 0;
  for (const llvm::object::SectionRef &section : (*object)->sections()) {
    auto *elf = llvm::dyn_cast<llvm::object::ELFObjectFileBase>(object->get());
    uint64_t flags = elf ? llvm::object::ELFSectionRef(section).getFlags() : 0;
    if (!(flags & llvm::ELF::SHF_ALLOC))
      continue;
    if (section.isText())
      code += section.getSize();
    else if (flags & llvm::ELF::SHF_WRITE)
      data += section.getSize();
    else
      constants += section.getSize();
  }
  uint64_t io = 0;
  bool dynamicIo = false;
  for (const auto *slots : {&signature.inputs, &signature.outputs})
    for (const TensorSignature &slot : *slots) {
      if (llvm::any_of(slot.dims, [](int64_t d) { return d < 0; })) {
        dynamicIo = true;
        continue;
      }
      io += slot.numElements() * smelt_dtype_size(slot.dtype);
    }
  // Initialized writable data (the signature's pointers) needs both: its
  // image in flash, its copy in RAM.
  os << "flash: " << code + constants + data << " bytes (code " << code
     << ", constants and weights " << constants << ", data " << data << "); RAM: "
     << data + plan.size + io << " bytes (workspace " << plan.size << ", inputs and outputs "
     << io << (dynamicIo ? " without those of run-time size" : "") << ", data " << data << ")\n";
}

std::string printToString(const llvm::Module &module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os, nullptr);
  return text;
}

/// Writes `module` as text, weights elided (--emit=mlir|linalg|onnx).
LogicalResult writeModuleText(ModuleOp module, const CompileOptions &options) {
  OpPrintingFlags flags;
  flags.elideLargeResourceString();
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os, flags);
  return writeOutput(options.output, text, module.getLoc());
}

/// The lowered module as LLVM IR, assembly, an object file and its header,
/// or a shared library, as --emit asks.
LogicalResult writeNativeCode(ModuleOp module, const CompileOptions &options,
                              const ModelSignature &signature, const WorkspacePlan &workspace) {
  Location loc = module.getLoc();
  EmitKind emit = options.emit;
  std::string prefix = options.symbolPrefix;
  if (prefix.empty())
    prefix = prefixFromPath(options.output, emit == EmitKind::Shared);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateToLlvmIr(
      module, llvmContext, signature, prefix, options.target, emit == EmitKind::Shared);
  if (!llvmModule)
    return failure();
  if (emit == EmitKind::Llvm)
    return writeOutput(options.output, printToString(*llvmModule), loc);

  std::string bytes, error;
  CodeKind kind = emit == EmitKind::Asm ? CodeKind::Assembly : CodeKind::Object;
  if (failed(emitNativeCode(*llvmModule, options.target, kind, bytes, error)))
    return emitError(loc) << error;
  if (emit == EmitKind::Asm)
    return writeOutput(options.output, bytes, loc);
  if (options.report)
    printFootprint(bytes, signature, workspace, llvm::errs());
  if (emit == EmitKind::Obj) {
    llvm::SmallString<256> header(options.output);
    llvm::sys::path::replace_extension(header, ".h");
    std::string device = options.device == Device::Cuda ? "cuda " + options.gpuChip : "";
    if (failed(writeOutput(header, emitCHeader(signature, prefix, workspace, device), loc)))
      return failure();
    return writeOutput(options.output, bytes, loc);
  }
  if (!linkSharedLibrary(bytes, signature.build.triple, options.output, error))
    return emitError(loc) << error;
  return success();
}

/// --emit=host-kernels: the kernels as a library for this CPU.
LogicalResult writeHostKernels(ModuleOp module, const CompileOptions &options) {
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateHostKernels(module, llvmContext, options.target);
  if (!llvmModule)
    return failure();
  std::string bytes, error;
  if (failed(emitNativeCode(*llvmModule, options.target, CodeKind::Object, bytes, error)) ||
      !linkSharedLibrary(bytes, llvmModule->getTargetTriple().str(), options.output, error))
    return emitError(module.getLoc()) << error;
  return success();
}

} // namespace

/// --device cuda: the linalg stage, then the GPU backend. Writes the
/// kernels' PTX, the IR, or a library whose host code launches them.
LogicalResult compileForGpu(ModuleOp module, const CompileOptions &options,
                            const ModelSignature &signature) {
  Location loc = module.getLoc();
  if (!isKnownGpuChip(options.gpuChip))
    return emitError(loc) << "--gpu: '" << options.gpuChip
                          << "' is not an NVIDIA architecture (sm_70 to sm_121, e.g. sm_80, sm_90)";
  EmitKind emit = options.emit;
  bool library = emit == EmitKind::Shared || emit == EmitKind::Obj || emit == EmitKind::Llvm ||
                 emit == EmitKind::Asm;
  if (library && signature.hasDynamicDims())
    return emitError(loc) << "--device cuda: a library needs every input dim fixed (--shape "
                             "name=d0,d1,...); the host code of models with dynamic dims is not "
                             "written yet (--emit=ptx compiles their kernels)";
  Stage last = emit == EmitKind::Onnx     ? Stage::Onnx
               : emit == EmitKind::Linalg ? Stage::Linalg
                                          : Stage::Llvm;
  GpuPipelineOptions gpu;
  gpu.chip = options.gpuChip;
  gpu.hostCode = library;
  gpu.kernelsOnHost = emit == EmitKind::HostKernels;
  if (last > Stage::Onnx &&
      failed(runPipeline(module, Stage::Linalg, Stage::Linalg, {}, options.printIrAfter)))
    return failure();
  // A failure in the NVVM backend (no CUDA toolkit for libdevice, say)
  // would otherwise print every kernel along with the message.
  module.getContext()->printOpOnDiagnostic(false);
  if (last == Stage::Llvm &&
      failed(runPipeline(module, Stage::Llvm, Stage::Llvm, {}, options.printIrAfter, &gpu)))
    return failure();
  if (emit == EmitKind::HostKernels)
    return writeHostKernels(module, options);
  if (!library && emit != EmitKind::Ptx)
    return writeModuleText(module, options);
  FailureOr<std::string> ptx = kernelPtx(module);
  if (failed(ptx))
    return failure();
  if (emit == EmitKind::Ptx)
    return writeOutput(options.output, *ptx, loc);
  WorkspacePlan workspace = getWorkspacePlan(module);
  if (workspace.heapBuffers || module.lookupSymbol(kDeviceAllocFn))
    return emitError(loc) << "--device cuda: " << workspace.heapBuffers
                          << " of the model's buffers are not in the planned workspace (sizes "
                             "known only at run time, or buffers the plan cannot place); device "
                             "memory allocated at run time is not managed yet";
  if (options.report)
    printReport(workspace, /*dynamicDims=*/false, llvm::errs());
  return writeNativeCode(module, options, signature, workspace);
}

LogicalResult compileModel(const CompileOptions &options, MLIRContext &context) {
  OwningOpRef<ModuleOp> module = importOnnxFile(options.input, options.import, &context);
  if (!module)
    return failure();
  Location loc = module->getLoc();
  if (options.output == "-" && (options.emit == EmitKind::Shared || options.emit == EmitKind::Obj))
    return emitError(loc) << "-o -: a shared library or object file cannot go to standard "
                             "output (text kinds can: --emit=asm|llvm|mlir|linalg|onnx)";
  if (!options.symbolPrefix.empty() && failed(checkSymbolPrefix(options.symbolPrefix, loc)))
    return failure();
  // The onnx stage settles the signature: sequences and optionals at the
  // boundary become several tensors there.
  if (failed(runPipeline(*module, Stage::Onnx, Stage::Onnx, {}, options.printIrAfter)))
    return failure();
  FailureOr<ModelSignature> signature = captureSignature(*module);
  if (failed(signature))
    return failure();

  EmitKind emit = options.emit;
  // The signature is captured; LLVM translation has no use for the names.
  if (emit >= EmitKind::Mlir)
    module->walk([](func::FuncOp func) {
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        func.setArgAttrs(i, ArrayRef<NamedAttribute>{});
      for (unsigned i = 0; i < func.getNumResults(); ++i)
        func.setResultAttrs(i, ArrayRef<NamedAttribute>{});
    });
  Stage last = emit == EmitKind::Onnx ? Stage::Onnx
               : emit == EmitKind::Linalg ? Stage::Linalg
                                          : Stage::Llvm;
  // Codegen decides tile sizes and vector widths from the target in the IR.
  std::string targetError;
  FailureOr<CpuTarget> target = resolveCpuTarget(options.target.triple, options.target.cpu,
                                                 options.target.features, targetError);
  if (failed(target))
    return emitError(loc) << "--target/--cpu: " << targetError;
  setCpuTarget(*module, *target);
  signature->build = buildInfo(options, *target);
  if (options.device == Device::Cuda)
    return compileForGpu(*module, options, *signature);
  if (emit == EmitKind::Ptx || emit == EmitKind::HostKernels)
    return emitError(loc) << "--emit=ptx and --emit=host-kernels need --device cuda";
  bool bareMetal = llvm::Triple(target->triple).getOS() == llvm::Triple::UnknownOS;
  if (bareMetal) {
    // Firmware: an object linked into the image, every size known at
    // compile time (there is no heap to allocate outputs from).
    if (emit == EmitKind::Shared)
      return emitError(loc) << "--target " << target->triple
                            << " is bare metal: there are no shared libraries; use --emit=obj "
                               "(an object file and its header, linked into the firmware)";
    auto dynamic = [](const TensorSignature &t) {
      return llvm::any_of(t.dims, [](int64_t d) { return d < 0; });
    };
    if (llvm::any_of(signature->inputs, dynamic))
      return emitError(loc) << "--target " << target->triple
                            << " is bare metal: every input dim must be fixed with --shape "
                               "(firmware has no heap for results of run-time size)";
    if (llvm::any_of(signature->outputs, dynamic))
      return emitError(loc) << "--target " << target->triple
                            << " is bare metal, but the model's outputs have sizes known only "
                               "at run time (firmware has no heap to allocate them)";
  }
  CpuPipelineOptions cpu;
  cpu.barePointers = !signature->hasDynamicDims();
  cpu.indexBits = target->indexBits;
  if (last > Stage::Onnx && failed(runPipeline(*module, Stage::Linalg, last, cpu, options.printIrAfter)))
    return failure();
  WorkspacePlan workspace = getWorkspacePlan(*module);
  if (bareMetal && workspace.heapBuffers)
    // Sizes read from the input data (a run-time Reduce axes, Unique, STFT
    // frames) cannot be planned; such a model is still firmware, with a heap.
    emitWarning(loc) << "--target " << target->triple << " is bare metal, but "
                     << workspace.heapBuffers << " of the model's buffers ("
                     << workspace.dynamicBuffers
                     << " with sizes that depend on input data) are taken from malloc "
                        "at run time: the firmware needs a heap for this model";
  if (options.report && last == Stage::Llvm)
    printReport(workspace, signature->hasDynamicDims(), llvm::errs());
  if (emit == EmitKind::Onnx || emit == EmitKind::Linalg || emit == EmitKind::Mlir)
    return writeModuleText(*module, options); // Weights stay out of textual dumps.
  return writeNativeCode(*module, options, *signature, workspace);
}

} // namespace smelt
