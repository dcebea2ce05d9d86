//===- ObjectEmitter.cpp - LLVM dialect to native code --------------------===//
#include "compiler/emit/ObjectEmitter.h"

#include "compiler/emit/AbiEmitter.h"
#include "compiler/emit/HostKernels.h"
#include "compiler/emit/ThreadLocalAccess.h"

#include "codegen/cpu/CpuTarget.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

namespace smelt {

namespace {

std::unique_ptr<llvm::TargetMachine> createTargetMachine(const TargetOptions &options,
                                                         std::string &error,
                                                         CpuTarget *resolved = nullptr) {
  mlir::FailureOr<CpuTarget> cpu =
      resolveCpuTarget(options.triple, options.cpu, options.features, error);
  if (mlir::failed(cpu))
    return nullptr;
  if (resolved)
    *resolved = *cpu;
  llvm::Triple triple(cpu->triple);
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  llvm::CodeGenOptLevel level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                        : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu->cpu, cpu->features, llvm::TargetOptions(),
      options.pic ? llvm::Reloc::PIC_ : llvm::Reloc::Static, std::nullopt, level));
  if (!machine)
    error = "cannot create a target machine for " + triple.str();
  return machine;
}

void optimize(llvm::Module &module, llvm::TargetMachine &machine, unsigned optLevel) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = optLevel >= 2;
  tuning.SLPVectorization = optLevel >= 2;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager pm = optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                                             : builder.buildPerModuleDefaultPipeline(level);
  pm.run(module, mam);
}

} // namespace

namespace {

/// The LLVM IR of `module` for `target`, or null after a diagnostic; the
/// resolved target in `machine` and `cpu`.
std::unique_ptr<llvm::Module> translate(mlir::ModuleOp module, llvm::LLVMContext &context,
                                        const TargetOptions &target,
                                        std::unique_ptr<llvm::TargetMachine> &machine,
                                        CpuTarget &cpu) {
  std::unique_ptr<llvm::Module> llvmModule = mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule) {
    module.emitError() << "translation to LLVM IR failed";
    return nullptr;
  }
  std::string error;
  machine = createTargetMachine(target, error, &cpu);
  if (!machine) {
    module.emitError() << error;
    return nullptr;
  }
  llvmModule->setTargetTriple(machine->getTargetTriple());
  llvmModule->setDataLayout(machine->createDataLayout());
  return llvmModule;
}

/// Target attributes on every function, so the optimizer vectorizes for
/// the CPU, then LLVM's optimization pipeline.
void optimizeForTarget(llvm::Module &llvmModule, llvm::TargetMachine &machine,
                       const CpuTarget &cpu, unsigned optLevel) {
  bool bareMetal = machine.getTargetTriple().getOS() == llvm::Triple::UnknownOS;
  for (llvm::Function &f : llvmModule) {
    if (f.isDeclaration())
      continue;
    // Firmware links no unwinder: model code throws nothing, so it needs no
    // unwind tables (whose personality routine would pull one in).
    if (bareMetal)
      f.addFnAttr(llvm::Attribute::NoUnwind);
    f.addFnAttr("target-cpu", machine.getTargetCPU());
    // SVE of a known width: the backend does fixed-width vectors with SVE
    // instructions (vscale is the width in 128-bit granules).
    if (cpu.sveBits)
      f.addFnAttr(llvm::Attribute::getWithVScaleRangeArgs(f.getContext(), cpu.sveBits / 128,
                                                          cpu.sveBits / 128));
    if (!machine.getTargetFeatureString().empty())
      f.addFnAttr("target-features", machine.getTargetFeatureString());
  }
  optimize(llvmModule, machine, optLevel);
}

/// Whether the LLVM IR that translation and the emitters built is valid;
/// else an internal error on `module` (the optimizer and the backend
/// assume valid IR and would miscompile or crash on anything else).
bool verified(const llvm::Module &llvmModule, mlir::ModuleOp module) {
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (!llvm::verifyModule(llvmModule, &os))
    return true;
  module.emitError() << "internal error: the generated LLVM IR is invalid: "
                     << llvm::StringRef(problems).split('\n').first;
  return false;
}

} // namespace

std::unique_ptr<llvm::Module> translateToLlvmIr(mlir::ModuleOp module, llvm::LLVMContext &context,
                                                const ModelSignature &signature,
                                                llvm::StringRef prefix,
                                                const TargetOptions &target, bool sharedLibrary) {
  std::unique_ptr<llvm::TargetMachine> machine;
  CpuTarget cpu;
  std::unique_ptr<llvm::Module> llvmModule = translate(module, context, target, machine, cpu);
  if (!llvmModule)
    return nullptr;
  std::optional<DeviceImage> device = deviceImage(module);
  if (llvm::Error err = emitModelAbi(*llvmModule, "main", signature, prefix,
                                       /*barePointers=*/!signature.hasDynamicDims(),
                                       sharedLibrary, getWorkspacePlan(module),
                                       device ? &*device : nullptr)) {
    module.emitError() << llvm::toString(std::move(err));
    return nullptr;
  }
  routeThreadLocalAccess(*llvmModule);
  emitRequiredIsa(*llvmModule, prefix, signature.build.isa, sharedLibrary);
  if (!verified(*llvmModule, module))
    return nullptr;
  optimizeForTarget(*llvmModule, *machine, cpu, target.optLevel);
  return llvmModule;
}

std::unique_ptr<llvm::Module> translateHostKernels(mlir::ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   const TargetOptions &target) {
  std::unique_ptr<llvm::TargetMachine> machine;
  CpuTarget cpu;
  std::unique_ptr<llvm::Module> llvmModule = translate(module, context, target, machine, cpu);
  if (!llvmModule)
    return nullptr;
  emitHostKernelLaunchers(*llvmModule);
  if (!verified(*llvmModule, module))
    return nullptr;
  optimizeForTarget(*llvmModule, *machine, cpu, target.optLevel);
  return llvmModule;
}

mlir::LogicalResult emitNativeCode(llvm::Module &module, const TargetOptions &target,
                                   CodeKind kind, std::string &bytes, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> machine = createTargetMachine(target, error);
  if (!machine)
    return mlir::failure();
  llvm::raw_string_ostream os(bytes);
  llvm::buffer_ostream stream(os);
  llvm::legacy::PassManager pm;
  auto fileType = kind == CodeKind::Object ? llvm::CodeGenFileType::ObjectFile
                                           : llvm::CodeGenFileType::AssemblyFile;
  if (machine->addPassesToEmitFile(pm, stream, nullptr, fileType)) {
    error = "the target cannot emit this file type";
    return mlir::failure();
  }
  pm.run(module);
  return mlir::success();
}

} // namespace smelt
