//===- BufferAliasing.h - which buffers may share memory --------*- C++ -*-===//
//
// What the memory plan guarantees, as a question any kernel pass can ask:
// distinct function arguments, allocations and globals never overlap, and
// two views of the workspace overlap only where their byte ranges do.
// Upstream's alias analysis sees every view of the workspace as one buffer.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_BUFFERALIASING_H
#define SMELT_CODEGEN_CPU_BUFFERALIASING_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <utility>

namespace smelt {

/// Where a buffer's memory comes from: the function argument or allocation
/// at the root of its views and, for a view of a byte buffer at a constant
/// offset (the memory plan's workspace), the bytes of the root it covers.
struct MemoryRoot {
  mlir::Value root;
  mlir::Attribute global; ///< for a memref.get_global: its symbol
  bool known = false;     ///< a function argument, an allocation or a global
  std::optional<std::pair<int64_t, int64_t>> bytes;
};

/// The root of `buffer`'s views, and the bytes of it that `buffer` covers
/// where they are known.
MemoryRoot rootOf(mlir::Value buffer);

/// Whether two buffers may share memory.
bool mayOverlap(const MemoryRoot &a, const MemoryRoot &b);
inline bool mayOverlap(mlir::Value a, mlir::Value b) { return mayOverlap(rootOf(a), rootOf(b)); }

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_BUFFERALIASING_H
