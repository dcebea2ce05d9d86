//===- WorkspacePlan.h - the static memory plan of a compiled model -*- C++ -*-===//
//
// smelt-cpu-plan-memory places a model's statically sized intermediate
// buffers at offsets in one workspace arena and records the outcome on the module as
// the `smelt.workspace` attribute. The emitter reads it back to fill P_info,
// the generated header and the compile report.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_CODEGEN_CPU_WORKSPACEPLAN_H
#define SMELT_CODEGEN_CPU_WORKSPACEPLAN_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>

namespace smelt {

/// Alignment of the workspace and of every buffer in it: a cache line, and
/// the widest vector (AVX-512) the kernels load.
inline constexpr uint64_t kWorkspaceAlign = 64;

struct WorkspacePlan {
  bool planned = false;       ///< false: no plan (dynamic dims), all on the heap
  uint64_t size = 0;          ///< bytes of the arena (0: the model needs none)
  uint64_t align = kWorkspaceAlign;
  uint64_t bufferBytes = 0;   ///< sum of the planned buffers' sizes
  uint64_t buffers = 0;       ///< buffers placed in the arena
  uint64_t inPlace = 0;       ///< of those, written over an input that dies
  uint64_t heapBuffers = 0;   ///< buffers left to malloc (dynamic size, escaping)
  uint64_t dynamicBuffers = 0; ///< of those, buffers whose size is known only at run time
  uint64_t runTimeBuffers = 0; ///< buffers of run-time size sharing one block per run (RunTimeArena.h)
};

/// Name of the module attribute that holds the plan.
inline constexpr const char *kWorkspacePlanAttr = "smelt.workspace";
/// Marks the function argument that receives the arena.
inline constexpr const char *kWorkspaceArgAttr = "smelt.workspace";
/// Marks the memref<1xi64> argument that receives the bytes of workspace a
/// run needed (functions with a run-time block only, RunTimeArena.h).
inline constexpr const char *kWorkspaceNeededArgAttr = "smelt.workspace_needed";

void setWorkspacePlan(mlir::ModuleOp module, const WorkspacePlan &plan);
/// The plan recorded on `module`; an empty plan (size 0) when there is none.
WorkspacePlan getWorkspacePlan(mlir::ModuleOp module);

} // namespace smelt

#endif // SMELT_CODEGEN_CPU_WORKSPACEPLAN_H
