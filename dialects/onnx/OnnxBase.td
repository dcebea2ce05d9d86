//===- OnnxBase.td - the onnx dialect, its types and shared constraints ---===//
//
// The `onnx` dialect mirrors the standard-domain ONNX operators at one canonical
// opset (see OnnxDialect.h: kCanonicalOpset). The operator records themselves are
// generated from libonnx's schema registry by tools/onnx-ods-gen; this file holds
// what the generator builds on: the dialect, its non-tensor types, the attribute
// kinds and the few ops that are not ONNX operators (NoValue, Yield).
//
//===----------------------------------------------------------------------===//

#ifndef SMELT_ONNX_BASE_TD
#define SMELT_ONNX_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let summary = "ONNX operators at the canonical opset";
  let description = [{
    One op per standard-domain ONNX operator, with the operator's inputs as
    operands (a missing optional input is the `none` value of `onnx.NoValue`),
    its attributes under their ONNX names and its graph attributes as regions.
  }];
  let cppNamespace = "::smelt::onnx";
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class Onnx_Type<string name, string typeMnemonic> : TypeDef<Onnx_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def Onnx_StringType : Onnx_Type<"String", "string"> {
  let summary = "ONNX string element";
}

def Onnx_SeqType : Onnx_Type<"Seq", "seq"> {
  let summary = "ONNX sequence of tensors";
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

def Onnx_OptType : Onnx_Type<"Opt", "opt"> {
  let summary = "ONNX optional value";
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

def Onnx_String : Type<CPred<"::llvm::isa<::smelt::onnx::StringType>($_self)">, "onnx string">;
def Onnx_AnySeq : Type<CPred<"::llvm::isa<::smelt::onnx::SeqType>($_self)">, "onnx sequence">;
def Onnx_AnyOpt : Type<CPred<"::llvm::isa<::smelt::onnx::OptType>($_self)">, "onnx optional">;

// ONNX INT attributes are signed 64-bit values.
def Onnx_IntAttr : TypedSignlessIntegerAttrBase<I64, "int64_t", "64-bit signed integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

class Onnx_Op<string mnemonic, list<Trait> traits = []> : Op<Onnx_Dialect, mnemonic, traits>;

// Checks what ODS cannot express per op: operands and results bound to one ONNX
// type parameter ("T") share an element type, and variadic arity limits.
def Onnx_SchemaVerified : NativeOpTrait<"SchemaVerified"> {
  let cppNamespace = "::smelt::onnx";
}

// Base of every generated ONNX operator record.
class Onnx_SchemaOp<string mnemonic, list<Trait> traits = []>
    : Onnx_Op<mnemonic, traits # [Onnx_SchemaVerified]>;

def Onnx_NoValueOp : Onnx_Op<"NoValue", [Pure, ConstantLike]> {
  let summary = "the absent value of an optional input or output";
  let results = (outs NoneType:$none);
  let assemblyFormat = "attr-dict";
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, $_builder.getNoneType()); }]>];
  let hasFolder = 1;
}

def Onnx_YieldOp : Onnx_Op<"Yield", [Pure, Terminator, ReturnLike]> {
  let summary = "returns the outputs of a subgraph (If, Loop, Scan bodies)";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // SMELT_ONNX_BASE_TD
