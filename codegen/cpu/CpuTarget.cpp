//===- CpuTarget.cpp - the CPU a model is compiled for --------------------===//
#include "codegen/cpu/CpuTarget.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <memory>

using namespace mlir;

namespace smelt {

namespace {

void initializeTargets() {
  static bool done = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)done;
}

/// The widest vector register usable for f32 arithmetic on `sti`.
unsigned vectorBitsOf(const llvm::Triple &triple, const llvm::MCSubtargetInfo &sti) {
  if (triple.isX86()) {
    if (sti.checkFeatures("+avx512f"))
      return 512;
    if (sti.checkFeatures("+avx"))
      return 256;
    return 128;
  }
  // 32-bit ARM without NEON or MVE (Cortex-M0..M7): scalar floats only.
  if (triple.isARM() || triple.isThumb())
    return sti.checkFeatures("+neon") || sti.checkFeatures("+mve.fp") ? 128 : 32;
  // NEON and most other SIMD units: 128 bits (SVE's width is only known at
  // run time; fixed 128-bit code runs on every SVE machine).
  return 128;
}

/// The SVE vector width of AArch64 CPUs where it is wider than NEON's 128
/// bits; 0 for the others (NEON code, which every SVE machine runs too).
/// SVE's width is a property of the implementation, not of the ISA, so code
/// that relies on it needs the CPU named.
unsigned sveBitsOf(const llvm::Triple &triple, llvm::StringRef cpu,
                   const llvm::MCSubtargetInfo &sti) {
  if (!triple.isAArch64() || !sti.checkFeatures("+sve"))
    return 0;
  return llvm::StringSwitch<unsigned>(cpu)
      .Case("a64fx", 512)
      .Case("neoverse-v1", 256)
      .Default(0);
}

/// AVX-512 has 32 zmm registers, AVX/SSE 16; AArch64 has 32 NEON registers.
unsigned vectorRegistersOf(const llvm::Triple &triple, const llvm::MCSubtargetInfo &sti) {
  if (triple.isX86())
    return sti.checkFeatures("+avx512f") ? 32 : 16;
  return triple.isAArch64() ? 32 : 16;
}

bool hasVectorFma(const llvm::Triple &triple, const llvm::MCSubtargetInfo &sti) {
  if (triple.isX86())
    return sti.checkFeatures("+fma") || sti.checkFeatures("+avx512f");
  return triple.isAArch64() || (triple.isARM() && sti.checkFeatures("+neon,+vfp4"));
}

} // namespace

FailureOr<CpuTarget> resolveCpuTarget(llvm::StringRef tripleName, llvm::StringRef cpuName,
                                      llvm::StringRef userFeatures, std::string &error) {
  initializeTargets();
  bool hostTriple = tripleName.empty();
  llvm::Triple triple(llvm::Triple::normalize(
      hostTriple ? llvm::StringRef(llvm::sys::getDefaultTargetTriple()) : tripleName));
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return failure();
  bool hostCpu = cpuName.empty() || cpuName == "native";
  CpuTarget result;
  result.triple = triple.str();
  result.cpu = hostCpu ? (hostTriple ? llvm::sys::getHostCPUName().str() : "generic")
                       : cpuName.str();
  llvm::SubtargetFeatures features;
  if (hostCpu && hostTriple)
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      features.AddFeature(name, enabled);
  if (!userFeatures.empty())
    features.AddFeature(userFeatures);
  result.features = features.getString();
  // Checked on a generic description first: LLVM only warns (on stderr)
  // about an unknown CPU and goes on with the generic one.
  std::unique_ptr<llvm::MCSubtargetInfo> probe(target->createMCSubtargetInfo(triple, "", ""));
  if (probe && !probe->isCPUStringValid(result.cpu)) {
    error = "'" + result.cpu + "' is not a CPU of " + result.triple + " (for instance: ";
    llvm::ArrayRef<llvm::SubtargetSubTypeKV> cpus = probe->getAllProcessorDescriptions();
    for (size_t i = 0; i < cpus.size() && i < 8; ++i)
      error += (i ? ", " : "") + std::string(cpus[i].Key);
    error += ")";
    return failure();
  }
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, result.cpu, result.features));
  if (!sti) {
    error = "cannot describe CPU '" + result.cpu + "' of " + result.triple;
    return failure();
  }
  for (const llvm::SubtargetFeatureKV &feature : sti->getAllProcessorFeatures())
    if (sti->checkFeatures(std::string("+") + feature.Key))
      result.enabledFeatures.push_back(feature.Key);
  result.sveBits = sveBitsOf(triple, result.cpu, *sti);
  result.vectorBits = result.sveBits ? result.sveBits : vectorBitsOf(triple, *sti);
  result.vectorRegisters = vectorRegistersOf(triple, *sti);
  result.hasFma = hasVectorFma(triple, *sti);
  result.indexBits = triple.isArch64Bit() ? 64 : 32;
  return result;
}

std::string requiredIsa(const CpuTarget &target) {
  std::string isa = llvm::Triple(target.triple).getArchName().str();
  for (const std::string &feature : target.enabledFeatures)
    isa += " " + feature;
  if (target.sveBits)
    isa += " sve-vector-bits=" + std::to_string(target.sveBits);
  return isa;
}

void setCpuTarget(ModuleOp module, const CpuTarget &target) {
  Builder b(module.getContext());
  module->setAttr(kCpuTargetAttrName,
                  b.getDictionaryAttr({
                      b.getNamedAttr("triple", b.getStringAttr(target.triple)),
                      b.getNamedAttr("cpu", b.getStringAttr(target.cpu)),
                      b.getNamedAttr("features", b.getStringAttr(target.features)),
                      b.getNamedAttr("enabled_features",
                                     b.getStringAttr(llvm::join(target.enabledFeatures, " "))),
                      b.getNamedAttr("vector_bits", b.getI64IntegerAttr(target.vectorBits)),
                      b.getNamedAttr("sve_bits", b.getI64IntegerAttr(target.sveBits)),
                      b.getNamedAttr("vector_registers",
                                     b.getI64IntegerAttr(target.vectorRegisters)),
                      b.getNamedAttr("index_bits", b.getI64IntegerAttr(target.indexBits)),
                      b.getNamedAttr("fma", b.getBoolAttr(target.hasFma)),
                  }));
}

CpuTarget getCpuTarget(Operation *op) {
  CpuTarget target;
  auto module = op->getParentOfType<ModuleOp>();
  if (!module && isa<ModuleOp>(op))
    module = cast<ModuleOp>(op);
  auto dict = module ? module->getAttrOfType<DictionaryAttr>(kCpuTargetAttrName) : nullptr;
  if (!dict)
    return target;
  if (auto s = dict.getAs<StringAttr>("triple"))
    target.triple = s.str();
  if (auto s = dict.getAs<StringAttr>("cpu"))
    target.cpu = s.str();
  if (auto s = dict.getAs<StringAttr>("features"))
    target.features = s.str();
  if (auto s = dict.getAs<StringAttr>("enabled_features")) {
    SmallVector<StringRef> names;
    s.getValue().split(names, ' ', -1, /*KeepEmpty=*/false);
    for (StringRef name : names)
      target.enabledFeatures.push_back(name.str());
  }
  if (auto i = dict.getAs<IntegerAttr>("vector_bits"))
    target.vectorBits = i.getInt();
  if (auto i = dict.getAs<IntegerAttr>("sve_bits"))
    target.sveBits = i.getInt();
  if (auto i = dict.getAs<IntegerAttr>("vector_registers"))
    target.vectorRegisters = i.getInt();
  if (auto i = dict.getAs<IntegerAttr>("index_bits"))
    target.indexBits = i.getInt();
  if (auto b = dict.getAs<BoolAttr>("fma"))
    target.hasFma = b.getValue();
  return target;
}

} // namespace smelt
