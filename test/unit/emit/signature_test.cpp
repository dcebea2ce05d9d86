//===- signature_test.cpp - slot roles from func @main to P_info and .h ---===//
//
// captureSignature reads each slot's `smelt.abi_role`, string roles included
// (and refuses unknown ones with a diagnostic), emitModelAbi stores the role in P_info, and the
// generated header names each slot's graph value and role.
//
//===----------------------------------------------------------------------===//
#include "compiler/emit/AbiEmitter.h"
#include "compiler/emit/HeaderEmitter.h"
#include "compiler/emit/Signature.h"

#include "smelt/model_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalAlias.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

/// An opt<seq<float>> input, a float input and a seq<int64> output.
constexpr const char *kGrouped = R"mlir(
module attributes {onnx.graph_name = "g", onnx.opset = 17 : i64} {
  func.func private @main(
      tensor<i1> {onnx.name = "o", smelt.abi_role = "optional_present"},
      tensor<?xf32> {onnx.name = "o", smelt.abi_role = "sequence_data"},
      tensor<?x2xi64> {onnx.name = "o", smelt.abi_role = "sequence_shapes"},
      tensor<3xf32> {onnx.name = "x"})
      -> (tensor<?xi64> {onnx.name = "r", smelt.abi_role = "sequence_data"},
          tensor<?x?xi64> {onnx.name = "r", smelt.abi_role = "sequence_shapes"})
}
)mlir";

class Signature : public ::testing::Test {
protected:
  Signature() { context.loadDialect<mlir::func::FuncDialect>(); }

  /// Captures the signature of `text`, collecting diagnostics in `errors`.
  mlir::FailureOr<smelt::ModelSignature> capture(const std::string &text) {
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      errors += d.str() + "\n";
      return mlir::success();
    });
    mlir::OwningOpRef<mlir::ModuleOp> module =
        mlir::parseSourceString<mlir::ModuleOp>(text, &context);
    if (!module)
      return mlir::failure();
    return smelt::captureSignature(*module);
  }

  mlir::MLIRContext context;
  std::string errors;
};

TEST_F(Signature, ReadsRoles) {
  auto sig = capture(kGrouped);
  ASSERT_TRUE(mlir::succeeded(sig)) << errors;
  ASSERT_EQ(sig->inputs.size(), 4u);
  EXPECT_EQ(sig->inputs[0].role, SMELT_ROLE_OPTIONAL_PRESENT);
  EXPECT_EQ(sig->inputs[1].role, SMELT_ROLE_SEQUENCE_DATA);
  EXPECT_EQ(sig->inputs[2].role, SMELT_ROLE_SEQUENCE_SHAPES);
  EXPECT_EQ(sig->inputs[3].role, SMELT_ROLE_TENSOR);
  EXPECT_EQ(sig->inputs[2].name, "o");
  ASSERT_EQ(sig->outputs.size(), 2u);
  EXPECT_EQ(sig->outputs[0].role, SMELT_ROLE_SEQUENCE_DATA);
  EXPECT_EQ(sig->outputs[1].role, SMELT_ROLE_SEQUENCE_SHAPES);
}

TEST_F(Signature, ReadsStringRoles) {
  // A string tensor crosses as its UTF-8 bytes plus an int64 tensor of its
  // shape holding each string's length.
  auto sig = capture(R"mlir(
    func.func private @main(
        tensor<?xui8> {onnx.name = "s", smelt.abi_role = "string_bytes"},
        tensor<2x?xi64> {onnx.name = "s", smelt.abi_role = "string_lengths"})
  )mlir");
  ASSERT_TRUE(mlir::succeeded(sig)) << errors;
  ASSERT_EQ(sig->inputs.size(), 2u);
  EXPECT_EQ(sig->inputs[0].role, SMELT_ROLE_STRING_BYTES);
  EXPECT_EQ(sig->inputs[0].dtype, SMELT_DTYPE_UINT8);
  EXPECT_EQ(sig->inputs[1].role, SMELT_ROLE_STRING_LENGTHS);
  EXPECT_EQ(sig->inputs[1].dims, std::vector<int64_t>({2, SMELT_DYNAMIC_DIM}));
  std::string header = smelt::emitCHeader(*sig, "g", {});
  for (const char *line : {" *  input  s: [?] uint8 (string_bytes)\n",
                           " *  input  s: [2,?] int64 (string_lengths)\n"})
    EXPECT_NE(header.find(line), std::string::npos) << line << "\nin:\n" << header;
}

TEST_F(Signature, RefusesUnknownRoles) {
  auto unknown = capture(R"mlir(
    func.func private @main(tensor<?xf32> {onnx.name = "s", smelt.abi_role = "sequence"})
  )mlir");
  EXPECT_TRUE(mlir::failed(unknown));
  EXPECT_NE(errors.find("input #0 ('s') has smelt.abi_role \"sequence\"; expected one of "
                        "\"sequence_data\", \"sequence_shapes\", \"optional_present\", "
                        "\"string_bytes\", \"string_lengths\" (or none for a tensor)"),
            std::string::npos)
      << errors;

  errors.clear();
  auto notString = capture(R"mlir(
    func.func private @main() -> (tensor<f32> {onnx.name = "y", smelt.abi_role = 1 : i32})
  )mlir");
  EXPECT_TRUE(mlir::failed(notString));
  EXPECT_NE(errors.find("output #0 ('y') has smelt.abi_role 1 : i32"), std::string::npos)
      << errors;
}

TEST_F(Signature, HeaderNamesValueAndRole) {
  auto sig = capture(kGrouped);
  ASSERT_TRUE(mlir::succeeded(sig)) << errors;
  std::string header = smelt::emitCHeader(*sig, "g", {});
  for (const char *line : {" *  input  o: [] bool (optional_present)\n",
                           " *  input  o: [?] float32 (sequence_data)\n",
                           " *  input  o: [?,2] int64 (sequence_shapes)\n",
                           " *  input  x: [3] float32\n",
                           " *  output r: [?] int64 (sequence_data)\n",
                           " *  output r: [?,?] int64 (sequence_shapes)\n"})
    EXPECT_NE(header.find(line), std::string::npos) << line << "\nin:\n" << header;
}

TEST_F(Signature, TypedEntryParametersStayDistinct) {
  // All dims static, so the header declares the typed entry point; the two
  // slots of "o" must not become two parameters of one name.
  smelt::ModelSignature sig;
  sig.graphName = "g";
  sig.inputs = {{"o", SMELT_DTYPE_BOOL, {}, SMELT_ROLE_OPTIONAL_PRESENT},
                {"o", SMELT_DTYPE_FLOAT32, {2}, SMELT_ROLE_TENSOR}};
  sig.outputs = {{"y", SMELT_DTYPE_FLOAT32, {2}, SMELT_ROLE_TENSOR}};
  std::string header = smelt::emitCHeader(sig, "g", {});
  EXPECT_NE(header.find("int32_t g_run(const bool *o_optional_present, const float *o, float *y, "
                        "void *workspace);"),
            std::string::npos)
      << header;
}

TEST_F(Signature, WorkspacePlanReachesInfoHeaderAndEntries) {
  smelt::ModelSignature sig;
  sig.graphName = "g";
  sig.inputs = {{"x", SMELT_DTYPE_FLOAT32, {2}, SMELT_ROLE_TENSOR}};
  sig.outputs = {{"y", SMELT_DTYPE_FLOAT32, {2}, SMELT_ROLE_TENSOR}};
  smelt::WorkspacePlan plan;
  plan.size = 4096;
  plan.align = 64;
  std::string header = smelt::emitCHeader(sig, "g", plan);
  for (const char *line : {"#define G_WORKSPACE_SIZE 4096u\n", "#define G_WORKSPACE_ALIGN 64u\n",
                           "int32_t g_run(const float *x, float *y, void *workspace);\n"})
    EXPECT_NE(header.find(line), std::string::npos) << line << "\nin:\n" << header;

  // The lowered model takes the arena after its outputs.
  llvm::LLVMContext llvmContext;
  llvm::Module module("m", llvmContext);
  auto *ptr = llvm::PointerType::get(llvmContext, 0);
  llvm::Function *model = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(llvmContext), {ptr, ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, "model", module);
  llvm::IRBuilder<>(llvm::BasicBlock::Create(llvmContext, "entry", model)).CreateRetVoid();
  ASSERT_FALSE(llvm::errorToBool(smelt::emitModelAbi(module, "model", sig, "g",
                                                     /*barePointers=*/true, false, plan)));
  auto *info = llvm::cast<llvm::ConstantStruct>(
      module.getGlobalVariable("g_info")->getInitializer());
  EXPECT_EQ(llvm::cast<llvm::ConstantInt>(info->getOperand(6))->getZExtValue(), 4096u);
  EXPECT_EQ(llvm::cast<llvm::ConstantInt>(info->getOperand(7))->getZExtValue(), 64u);
  EXPECT_EQ(module.getFunction("g_run")->arg_size(), 3u);

  // Without a plan the model takes no arena, but g_run still does.
  llvm::Module bare("m", llvmContext);
  llvm::Function *noArena = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(llvmContext), {ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, "model", bare);
  llvm::IRBuilder<>(llvm::BasicBlock::Create(llvmContext, "entry", noArena)).CreateRetVoid();
  ASSERT_FALSE(llvm::errorToBool(
      smelt::emitModelAbi(bare, "model", sig, "g", /*barePointers=*/true, false, {})));
  EXPECT_EQ(bare.getFunction("g_run")->arg_size(), 3u);
  // A plan the lowered function does not take is an internal error, not a crash.
  llvm::Module mismatch("m", llvmContext);
  llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(llvmContext), {ptr, ptr}, false),
      llvm::GlobalValue::ExternalLinkage, "model", mismatch);
  llvm::Error error =
      smelt::emitModelAbi(mismatch, "model", sig, "g", /*barePointers=*/true, false, plan);
  EXPECT_EQ(llvm::toString(std::move(error)),
            "model function takes 2 pointers, signature has 2 values and a workspace");
}

TEST_F(Signature, InfoCarriesRoles) {
  auto sig = capture(kGrouped);
  ASSERT_TRUE(mlir::succeeded(sig)) << errors;
  // A stand-in for the lowered model: one bare pointer per slot.
  llvm::LLVMContext llvmContext;
  llvm::Module module("m", llvmContext);
  std::vector<llvm::Type *> params(6, llvm::PointerType::get(llvmContext, 0));
  llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(llvmContext), params, false),
      llvm::GlobalValue::ExternalLinkage, "model", module);
  ASSERT_FALSE(llvm::errorToBool(
      smelt::emitModelAbi(module, "model", *sig, "p", /*barePointers=*/true,
                          /*sharedLibrary=*/false, {})));

  auto *info = module.getGlobalVariable("p_info");
  ASSERT_NE(info, nullptr);
  auto *infoInit = llvm::cast<llvm::ConstantStruct>(info->getInitializer());
  EXPECT_EQ(llvm::cast<llvm::ConstantInt>(infoInit->getOperand(0))->getZExtValue(),
            SMELT_ABI_VERSION);
  auto *inputs = llvm::cast<llvm::GlobalVariable>(infoInit->getOperand(4));
  auto *slots = llvm::cast<llvm::ConstantArray>(inputs->getInitializer());
  ASSERT_EQ(slots->getNumOperands(), 4u);
  const int64_t roles[] = {SMELT_ROLE_OPTIONAL_PRESENT, SMELT_ROLE_SEQUENCE_DATA,
                           SMELT_ROLE_SEQUENCE_SHAPES, SMELT_ROLE_TENSOR};
  for (unsigned i = 0; i < 4; ++i) {
    auto *slot = llvm::cast<llvm::ConstantStruct>(slots->getOperand(i));
    // name, dtype, rank, dims, role, reserved, dim_names, doc_string
    ASSERT_EQ(slot->getNumOperands(), 8u);
    EXPECT_EQ(llvm::cast<llvm::ConstantInt>(slot->getOperand(4))->getSExtValue(), roles[i]);
    EXPECT_EQ(llvm::cast<llvm::ConstantInt>(slot->getOperand(5))->getSExtValue(), 0);
  }
}

TEST_F(Signature, OnlyAbiSymbolsAreExportedAndBoundLocally) {
  auto sig = capture(kGrouped);
  ASSERT_TRUE(mlir::succeeded(sig)) << errors;
  for (bool shared : {false, true}) {
    llvm::LLVMContext llvmContext;
    llvm::Module module("m", llvmContext);
    std::vector<llvm::Type *> params(6, llvm::PointerType::get(llvmContext, 0));
    llvm::Function *model = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(llvmContext), params, false),
        llvm::GlobalValue::ExternalLinkage, "model", module);
    llvm::IRBuilder<>(llvm::BasicBlock::Create(llvmContext, "entry", model)).CreateRetVoid();
    ASSERT_FALSE(llvm::errorToBool(
        smelt::emitModelAbi(module, "model", *sig, "p", /*barePointers=*/true, shared, {})));
    // Protected entry points: a same-named function of the runtime or of
    // another model in the process cannot interpose on the model's calls.
    for (const char *name : {"p_entry", "p_run"}) {
      llvm::GlobalValue *symbol = module.getNamedValue(name);
      ASSERT_NE(symbol, nullptr) << name;
      EXPECT_TRUE(symbol->hasExternalLinkage()) << name;
      EXPECT_EQ(symbol->getVisibility(), llvm::GlobalValue::ProtectedVisibility) << name;
      EXPECT_TRUE(symbol->isDSOLocal()) << name;
    }
    // Data stays default-visible so executables may copy-relocate it.
    ASSERT_NE(module.getGlobalVariable("p_info"), nullptr);
    EXPECT_TRUE(module.getGlobalVariable("p_info")->hasExternalLinkage());
    EXPECT_TRUE(module.getFunction("model")->hasInternalLinkage());
    // The well-known name exists in shared libraries only, as P_info itself.
    llvm::GlobalAlias *alias = module.getNamedAlias(SMELT_MODEL_INFO_SYMBOL);
    EXPECT_EQ(alias != nullptr, shared);
    if (alias) {
      EXPECT_EQ(alias->getAliasee(), module.getGlobalVariable("p_info"));
    }
  }
}

} // namespace
