//===- IsolatedLibonnx.cpp - libonnx's routines in a child process --------===//
#include "compiler/import/IsolatedLibonnx.h"
#include "compiler/import/ModelLoader.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMELT_HAS_SANITIZER 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define SMELT_HAS_SANITIZER 1
#endif
#ifdef SMELT_HAS_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

using namespace mlir;

namespace smelt {
namespace {

/// Initializer bytes above this stay in the parent: inference reads the
/// values of small integer tensors (shapes, axes) only.
constexpr size_t kStashedBytes = 64 * 1024;

using Stash = std::vector<std::pair<std::string, std::string>>; // name, raw_data

Stash stashLargeInitializers(::onnx::ModelProto &model) {
  Stash stash;
  for (auto &init : *model.mutable_graph()->mutable_initializer())
    if (init.raw_data().size() > kStashedBytes) {
      stash.emplace_back(init.name(), std::string());
      stash.back().second.swap(*init.mutable_raw_data());
    }
  return stash;
}

/// Puts stashed bytes back into the initializers of `model` that have them
/// no more (an initializer the work dropped is not referenced any more).
void restoreInitializers(::onnx::ModelProto &model, Stash &stash) {
  llvm::StringMap<std::string *> byName;
  for (auto &[name, data] : stash)
    byName[name] = &data;
  for (auto &init : *model.mutable_graph()->mutable_initializer()) {
    auto it = byName.find(init.name());
    if (it != byName.end() && it->second && init.raw_data().empty()) {
      init.mutable_raw_data()->swap(*it->second);
      it->second = nullptr;
    }
  }
}

bool writeAll(int fd, const std::string &bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string readAll(int fd) {
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return bytes;
    bytes.append(buffer, static_cast<size_t>(n));
  }
}

#ifdef SMELT_HAS_SANITIZER
void exitQuietly() { ::_exit(70); }
#endif

/// The child: runs the work and writes a status byte (0: the model follows,
/// 1: an error message follows). Crashes end it by their signal, without
/// the handlers a sanitizer or fuzzer installed in the parent (which would
/// report the parent's input as a crash of its own).
[[noreturn]] void runChild(int fd, ::onnx::ModelProto &model,
                           llvm::function_ref<std::string(::onnx::ModelProto &)> work) {
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP})
    std::signal(signal, SIG_DFL);
#ifdef SMELT_HAS_SANITIZER
  __sanitizer_set_death_callback(exitQuietly);
#endif
  std::string message;
  try {
    message = work(model);
  } catch (const std::exception &e) {
    message = e.what();
  } catch (...) {
    message = "an unknown error";
  }
  std::string out(1, message.empty() ? '\0' : '\1');
  if (message.empty()) {
    if (!model.AppendToString(&out))
      out = std::string(1, '\1') + "cannot serialize the model";
  } else {
    out += message;
  }
  ::_exit(writeAll(fd, out) ? 0 : 71);
}

/// Forks, runs `work` on `model` in the child and parses what it leaves
/// into `result`. Returns "" on success, else the error to report.
std::string runInChild(::onnx::ModelProto &model,
                       llvm::function_ref<std::string(::onnx::ModelProto &)> work,
                       llvm::StringRef what, ::onnx::ModelProto &result) {
  int pipeFds[2];
  if (::pipe(pipeFds) != 0)
    return (what + ": cannot create a pipe: " + std::strerror(errno)).str();
  // Nothing buffered may be written twice, by both processes.
  llvm::outs().flush();
  std::fflush(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    return (what + ": cannot start a child process: " + std::strerror(errno)).str();
  }
  if (child == 0) {
    ::close(pipeFds[0]);
    runChild(pipeFds[1], model, work);
  }
  ::close(pipeFds[1]);
  std::string reply = readAll(pipeFds[0]);
  ::close(pipeFds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }

  std::string message;
  llvm::raw_string_ostream os(message);
  if (WIFSIGNALED(status))
    os << what << " crashed on this model (signal " << WTERMSIG(status) << ", "
       << strsignal(WTERMSIG(status))
       << "): the model is malformed in a way Smelt does not check yet";
  else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || reply.empty())
    os << what << " failed in its child process (exit status "
       << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";
  else if (reply[0] != '\0')
    os << llvm::StringRef(reply).drop_front();
  else if (!parseBinaryModel(llvm::StringRef(reply).drop_front(), result))
    os << what << ": cannot read back the model its child process wrote";
  return message;
}

} // namespace

LogicalResult runIsolated(::onnx::ModelProto &model,
                          llvm::function_ref<std::string(::onnx::ModelProto &)> work,
                          llvm::StringRef what, Location loc) {
  Stash stash = stashLargeInitializers(model);
  ::onnx::ModelProto result;
  std::string error = runInChild(model, work, what, result);
  if (!error.empty()) {
    restoreInitializers(model, stash);
    return emitError(loc) << error;
  }
  restoreInitializers(result, stash);
  model = std::move(result);
  return success();
}

} // namespace smelt
