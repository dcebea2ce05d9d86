//===- ThreadLocalAccess.h - reach thread-locals through a real call -*- C++ -*-===//
//
// A model keeps a few thread-local pointers (the running call's parallel_for
// and pool, the failed check's message). In a shared library they are
// general-dynamic TLS: each access calls __tls_get_addr. LLVM's x86-64
// lowering of that call assumes it preserves xmm16-31 (zmm16-31), but it is
// an ordinary function: on a thread's first access glibc allocates the
// thread's block (malloc, memcpy, whose AVX-512 variants use those
// registers), and sanitizer interceptors use them too. A model that kept a
// vector live across the access then read a clobbered value (found under
// ASan: input pointers held in zmm16 became 0xbebebebe...). Routing every
// access through a small noinline function makes the caller see an ordinary
// call, across which no caller-saved register stays live.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_EMIT_THREADLOCALACCESS_H
#define SMELT_COMPILER_EMIT_THREADLOCALACCESS_H

#include "llvm/IR/Module.h"

namespace smelt {

/// Replaces every instruction-level use of a thread-local global of `module`
/// with a call to a noinline accessor `<global>.address()` returning its
/// address for the calling thread. On a bare-metal target (no OS in the
/// triple: firmware, one thread) the globals stop being thread-local instead.
void routeThreadLocalAccess(llvm::Module &module);

} // namespace smelt

#endif // SMELT_COMPILER_EMIT_THREADLOCALACCESS_H
