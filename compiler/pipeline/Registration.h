//===- Registration.h - register Smelt's dialects and passes ----*- C++ -*-===//
//
// One place that knows every dialect and external interface model the
// compiler uses, so the driver, smelt-opt and the tests load the same set.
//
//===----------------------------------------------------------------------===//
#ifndef SMELT_COMPILER_PIPELINE_REGISTRATION_H
#define SMELT_COMPILER_PIPELINE_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace smelt {

/// Adds our dialects, the upstream dialects we lower through, and the
/// interface models bufferization and LLVM translation need.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers Smelt's passes and pipelines and the upstream passes, once per
/// process: smelt-opt parses them from its command line, and the pipeline
/// builders parse the upstream steps they use by name.
void registerAllPasses();

} // namespace smelt

#endif // SMELT_COMPILER_PIPELINE_REGISTRATION_H
