//===- Passes.td - Smelt's target-independent passes ----------------------===//
#ifndef SMELT_PASSES_TD
#define SMELT_PASSES_TD

include "mlir/Pass/PassBase.td"

def OnnxInferShapes : Pass<"onnx-infer-shapes", "mlir::func::FuncOp"> {
  let summary = "Refine result types with libonnx's per-operator inference functions";
  let description = [{
    Input: onnx ops whose result types may be unranked or partly dynamic.
    Output: every result type refined by what the op's libonnx schema
    inference function derives from its operand types, attributes and
    constant operands; the function's result types follow its returned
    values. Types are only refined, never widened; a contradiction between a
    declared and an inferred shape is an error at the op. Ops with regions
    (If, Loop, Scan) are left as they are.
  }];
  let dependentDialects = ["::smelt::onnx::OnnxDialect"];
}

def OnnxFoldConstants : Pass<"onnx-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluate small onnx computations whose inputs are constants";
  let description = [{
    Input: onnx ops. Output: every op with a static result of at most
    `max-elements` elements whose inputs are onnx.Constant (or, for Shape and
    Size, whose input is statically shaped) replaced by one onnx.Constant:
    Shape, Size, Identity, Reshape, Flatten, Squeeze, Unsqueeze, Cast,
    ConstantOfShape, Add, Sub, Mul, Div, Mod, Max, Min, Neg, Abs, Equal, Less,
    Greater, Not, Where, Concat, Gather, Slice, Range. Integer division by
    zero and out-of-range indices are left for run time. An If whose
    condition is a constant is replaced by the branch it takes. Between
    rounds, result types are refined as onnx-infer-shapes does, and rounds
    repeat until nothing changes (shape code folds step by step).
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", "1 << 16",
           "Largest result, in elements, the pass materializes">
  ];
  let dependentDialects = ["::smelt::onnx::OnnxDialect"];
}

def OnnxFuseQuantized : Pass<"onnx-fuse-quantized", "mlir::func::FuncOp"> {
  let summary = "Fuse QDQ groups into QLinearConv and QLinearMatMul";
  let description = [{
    Input: onnx ops. Output: every Conv whose X and W are DequantizeLinear
    outputs of 8-bit tensors (X's scale per tensor, W's per tensor or per
    filter along axis 0), whose bias is absent or an int32
    DequantizeLinear with zero point 0 and the constant scale x_scale *
    w_scale, and whose only user is a per-tensor 8-bit QuantizeLinear, is
    replaced with its attributes by one QLinearConv of the quantized
    tensors; likewise MatMul (B's scale per tensor or per column of a 2-D
    B) by QLinearMatMul. Absent zero points become zero constants of the
    tensor's type. The DequantizeLinear ops stay for any other users.
  }];
  let dependentDialects = ["::smelt::onnx::OnnxDialect"];
}

def OnnxResolveSequences : Pass<"onnx-resolve-sequences", "mlir::func::FuncOp"> {
  let summary = "Replace sequences with known positions by the tensors they hold";
  let description = [{
    Input: onnx sequence ops (SequenceEmpty, SequenceConstruct, SequenceInsert,
    SequenceErase, SequenceAt, SequenceLength, ConcatFromSequence,
    SplitToSequence) in the function body. Output: wherever every position is
    a constant and the sequence stays inside the body, the ops are replaced by
    the element tensors, constants, Concat (with Unsqueeze for new_axis) and
    Split (with Squeeze for keepdims=0) of a statically shaped input. Other
    sequence ops are left unchanged.
  }];
  let dependentDialects = ["::smelt::onnx::OnnxDialect"];
}

def OnnxToPlainTensors : Pass<"onnx-to-plain-tensors", "mlir::func::FuncOp"> {
  let summary = "Represent sequences, optionals and string tensors by plain tensors";
  let description = [{
    Input: onnx sequence and optional values that onnx-resolve-sequences left
    (run-time positions, values carried by Loop or returned by If, values at
    the function boundary), and string tensors. Output: only numeric tensor
    types. A sequence is a 1-D data tensor (its elements flattened and
    concatenated) and an int64 [count, element rank] shapes tensor; an
    optional is a bool scalar `present` and its value's tensors; a string
    tensor is a 1-D ui8 tensor of its UTF-8 bytes (row-major, concatenated)
    and an int64 tensor of its shape holding each string's byte length.
    Sequence ops become Slice, Concat, Gather, Reshape, CumSum and ReduceProd
    on those tensors; SequenceMap, SplitToSequence and ConcatFromSequence
    become Loops; StringNormalizer becomes byte comparisons, Compress and
    ASCII case mapping; Cast from strings becomes a linalg.generic that parses
    each string's bytes. If and Loop results, Loop-carried values and func
    @main's arguments and results are expanded part by part, the latter marked
    with a `smelt.abi_role` attribute ("sequence_data", "sequence_shapes",
    "optional_present", "string_bytes", "string_lengths") and the value's
    `onnx.name`. Element ranks come from the tensors that enter or leave each
    sequence.
  }];
  let dependentDialects = ["::smelt::onnx::OnnxDialect", "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect", "::mlir::cf::ControlFlowDialect"];
}

def SmeltChannelsLast : Pass<"smelt-channels-last", "mlir::func::FuncOp"> {
  let summary = "Run 2-D convolutions and the ops between them channels last (NHWC)";
  let description = [{
    Input: linalg on tensors. Output: every static f32 2-D convolution of
    group 1 (linalg.conv_2d_nchw_fchw; not 1-D ones, whose input height is
    1) as linalg.conv_2d_nhwc_hwcf, every
    depthwise one as linalg.depthwise_conv_2d_nhwc_hwc, their filters
    transposed (constants: folded later), and the transposes this puts
    around them moved through pads, fills, broadcasts and elementwise or
    pooling generics until pairs cancel: generics between convolutions are
    rebuilt with their loops in NHWC order, so that a per-channel operand
    is read along the innermost loop. Transposes remain only where values
    enter or leave the channels-last region.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def SmeltFuseElementwise : Pass<"smelt-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of elementwise linalg ops, never into reductions";
  let description = [{
    Input: linalg on tensors. Output: elementwise linalg.generic producers
    with a single use fused into their elementwise consumers, reshapes
    moved across elementwise ops by expansion, and linalg ops on constants
    folded, as upstream's linalg-fuse-elementwise-ops does, except that no
    op with reduction loops (matmul, convolution, reductions) takes part:
    those keep their own iteration space, so a contraction stays a
    contraction for the kernel strategy and no elementwise work is repeated
    per reduction step.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertOnnxToLinalg : Pass<"convert-onnx-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower onnx ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Input: onnx ops with statically shaped tensor types. Output: no onnx ops;
    named linalg ops where one fits (matmul, batch_matmul, transpose, fill,
    reduce), linalg.generic otherwise, tensor ops for data movement. An op
    without a lowering fails the pass with an error naming the op and its node.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::bufferization::BufferizationDialect", "::mlir::scf::SCFDialect",
    "::mlir::cf::ControlFlowDialect", "::mlir::vector::VectorDialect"
  ];
}

#endif // SMELT_PASSES_TD
