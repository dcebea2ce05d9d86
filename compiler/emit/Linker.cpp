//===- Linker.cpp - object file to shared library -------------------------===//
//
// LLD's ELF driver links in process; if it fails, the system compiler driver
// (`cc -shared`) is tried before giving up.
//
// The compiled model only needs libc (malloc/free) and libm (expf, ...); the
// target's libm is found in the usual library folders (a cross sysroot for
// another architecture) and recorded as DT_NEEDED, so the library loads
// without the caller linking libm itself.
//
//===----------------------------------------------------------------------===//
#include "compiler/emit/Linker.h"

#include "lld/Common/Driver.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

LLD_HAS_DRIVER(elf)

namespace smelt {

namespace {

/// A file next to `output` that is removed when this object dies.
struct ScratchFile {
  std::string path;
  explicit ScratchFile(llvm::StringRef output, llvm::StringRef suffix) {
    llvm::SmallString<256> model(output);
    model += ".%%%%%%";
    model += suffix;
    llvm::SmallString<256> unique;
    llvm::sys::fs::createUniquePath(model, unique, /*MakeAbsolute=*/false);
    path = std::string(unique);
  }
  ~ScratchFile() { llvm::sys::fs::remove(path); }
};

/// The target's libm.so.6: in the host's library folders when the target is
/// the host's architecture, else in a Debian cross sysroot
/// (/usr/<arch>-linux-gnu/lib, from libc6-<arch>-cross) or multiarch folder.
/// Empty when there is none: the model then takes libm's functions from the
/// process it is loaded into (the runtime links libm).
std::string findLibm(const llvm::Triple &target) {
  std::string arch = target.getArchName().str();
  llvm::SmallVector<std::string> dirs;
  if (target.getArch() == llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch())
    dirs = {"/lib/" + arch + "-linux-gnu", "/usr/lib/" + arch + "-linux-gnu", "/lib64",
            "/usr/lib64", "/lib", "/usr/lib"};
  else
    dirs = {"/usr/" + arch + "-linux-gnu/lib", "/usr/lib/" + arch + "-linux-gnu",
            "/lib/" + arch + "-linux-gnu"};
  for (const std::string &dir : dirs) {
    std::string candidate = dir + "/libm.so.6";
    if (llvm::sys::fs::exists(candidate))
      return candidate;
  }
  return "";
}

/// Fallback when LLD's library fails: the system compiler driver as linker.
bool linkWithSystemCompiler(const std::string &object, const std::string &library) {
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return false;
  llvm::SmallVector<llvm::StringRef> args = {*cc,    "-shared", "-Wl,-z,noexecstack", "-o",
                                             library, object,    "-lm"};
  return llvm::sys::ExecuteAndWait(*cc, args) == 0;
}

} // namespace

bool writeFileAtomically(llvm::StringRef path, llvm::StringRef bytes, std::string &error) {
  ScratchFile temp(path, ".tmp");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(temp.path, ec, llvm::sys::fs::OF_None);
    if (ec) {
      error = "cannot write '" + path.str() + "': " + ec.message();
      return false;
    }
    os << bytes;
    os.close();
    if (os.has_error()) {
      error = "cannot write '" + path.str() + "': " + os.error().message();
      os.clear_error();
      return false;
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp.path, path)) {
    error = "cannot write '" + path.str() + "': " + ec.message();
    return false;
  }
  return true;
}

bool linkSharedLibrary(llvm::StringRef objectBytes, llvm::StringRef triple,
                       llvm::StringRef output, std::string &error) {
  llvm::Triple target(triple);
  bool hostArch = target.getArch() == llvm::Triple(llvm::sys::getDefaultTargetTriple()).getArch();
  ScratchFile object(output, ".o");
  ScratchFile library(output, ".so.tmp");
  if (!writeFileAtomically(object.path, objectBytes, error))
    return false;
  std::string libm = findLibm(target);
  std::vector<const char *> args = {"ld.lld", "-shared", "--build-id", "-z", "noexecstack",
                                    "-z", "relro", "-z", "now", "--gc-sections",
                                    "-o", library.path.c_str(), object.path.c_str()};
  if (!libm.empty())
    args.push_back(libm.c_str());
  std::string diagnostics;
  llvm::raw_string_ostream errs(diagnostics), outs(diagnostics);
  lld::Result result = lld::lldMain(args, outs, errs, {{lld::Gnu, &lld::elf::link}});
  // The system compiler only links for the host's architecture.
  if (result.retCode != 0 && (!hostArch || !linkWithSystemCompiler(object.path, library.path))) {
    error = "linking '" + output.str() + "' failed: " + diagnostics;
    return false;
  }
  if (std::error_code ec = llvm::sys::fs::rename(library.path, output)) {
    error = "cannot write '" + output.str() + "': " + ec.message();
    return false;
  }
  return true;
}

} // namespace smelt
