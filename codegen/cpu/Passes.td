//===- Passes.td - CPU code generation passes ------------------------------===//
#ifndef SMELT_CODEGEN_CPU_PASSES_TD
#define SMELT_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SmeltCpuConvToMatmul : Pass<"smelt-cpu-conv-to-matmul", "mlir::func::FuncOp"> {
  let summary = "Rewrite 2-D NCHW convolutions as im2col and a matrix product";
  let description = [{
    Input: linalg on tensors; the module may carry `smelt.cpu_target`.
    Output: every linalg.conv_2d_nchw_fchw that KernelStrategy gives a
    ConvStrategy (static shapes, f32, a bounded im2col matrix) becomes an
    im2col matrix built from KH*KW strided tensor.extract_slice /
    insert_slice pairs (none for 1x1 stride-1 kernels) and a contraction
    generic of the filters (F x C*KH*KW) with
    that matrix into the output viewed as N x F x OH*OW, between
    tensor.collapse_shape / expand_shape ops. Other convolutions are left
    as they are.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SmeltCpuResultBuffers : Pass<"smelt-cpu-result-buffers", "mlir::func::FuncOp"> {
  let summary = "Return a distinct allocation of the result's shape in every position";
  let description = [{
    Input: bufferized functions, before buffer-results-to-out-params.
    Output: a returned reshape (memref.collapse_shape / expand_shape) of a
    static identity-layout allocation of the function returns a new
    allocation of the result's shape instead, the old allocation's users
    seeing the inverse reshape of it; a buffer returned in more than one
    position is returned once, each later position a fresh copy of it
    (memref.alloc + memref.copy). The out-parameter conversion then
    replaces each returned allocation by its out-parameter, so results are
    computed in the caller's buffers instead of copied there (upstream
    cannot do that for a reshape, and crashes when one allocation fills two
    positions).
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def SmeltCpuDirectConv : Pass<"smelt-cpu-direct-conv", "mlir::func::FuncOp"> {
  let summary = "Run convolutions as contractions over a strided view of the input";
  let description = [{
    Input: linalg on buffers. Every linalg.conv_2d_nchw_fchw that
    KernelStrategy marks direct (static f32 shapes, unit width stride, rows
    of at least a vector, not 1x1) becomes a contraction linalg.generic of
    the filters (f, c, kh, kw) with a memref.reinterpret_cast of the input
    to [N, C, KH, KW, OH, OW] whose kh/oh and kw/ow dims overlap in memory
    (the im2col matrix as a view, no copy), accumulated into the output.
    Inputs without static strides keep the convolution. Every
    linalg.depthwise_conv_2d_nchw_chw with static f32 shapes, a unit width
    stride and rows of at least 4 columns becomes a multiply-accumulate
    generic over (n, c, oh, ow, kh, kw) with the same view of its input;
    other depthwise convolutions become their generic loop nest.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect"];
}

def SmeltCpuDataTiling : Pass<"smelt-cpu-data-tiling", "mlir::func::FuncOp"> {
  let summary = "Matrix products on packed panels (linalg.pack + linalg.mmt4d)";
  let description = [{
    Input: linalg on tensors; the module may carry `smelt.cpu_target`.
    Output: every linalg.matmul that KernelStrategy gives DataTiles (static
    f32, large enough) becomes linalg.mmt4d on A packed as m0 x 1 panels,
    B packed (transposed) as n0 x 1 panels and C as m0 x n0 tiles, where
    m0 x n0 is the target's register tile, followed by a linalg.unpack into
    the product's shape (padding with zeros where M or N is not a multiple
    of the tile). A fill of C becomes a fill of the packed C. Packs of
    constants (weights, also behind reshapes) are folded into packed
    constants at compile time; the packs and unpacks left (activations)
    are lowered to pads, reshapes and linalg.transpose copies.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SmeltCpuCloneSharedInits : Pass<"smelt-cpu-clone-shared-inits", "mlir::func::FuncOp"> {
  let summary = "Give each product its own copy of a constant init shared with others";
  let description = [{
    Input: linalg on tensors. A fill, or an all-parallel generic whose
    tensor inputs are constants (a bias broadcast), whose result is the
    init (the overwritten output, directly or through one reshape) of
    several destination-style ops is cloned right before each of them but
    the first, which keeps the original; where other ops also read the
    value, every overwriting user gets a clone. Bufferization then needs
    no copy of the shared value per product.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def SmeltCpuPadInPlace : Pass<"smelt-cpu-pad-in-place", "mlir::func::FuncOp"> {
  let summary = "Let producers write padded values into the padded buffer";
  let description = [{
    Input: linalg on tensors. A static tensor.pad with a constant padding
    value whose source is the only use of a destination-style op's result
    in the same block becomes a linalg.fill of a tensor.empty of the padded
    shape, made right before that producer, and a tensor.insert_slice of
    the source into the filled tensor at the low padding. Empty-tensor
    elimination then makes the producer compute into the padded tensor's
    interior, and bufferization copies nothing.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SmeltCpuByteKernels : Pass<"smelt-cpu-byte-kernels", "mlir::func::FuncOp"> {
  let summary = "Packed byte products of quantized MatMuls on dot-product instructions";
  let description = [{
    Input: bufferized linalg ops; the module may carry `smelt.cpu_target`.
    Output: every packed byte product (the linalg.generic
    smelt-cpu-data-tiling makes of a quantized MatMul: loops (m1, n1, k1,
    m0, n0, k0), body `out + ext(a) * ext(b)`, one extension unsigned and
    the other signed, on i8 panels and an i32
    output) whose tiles are the target's ByteTiles becomes a micro-kernel:
    an n1 loop marked `smelt.parallel`, an m1 loop, and a k1 loop carrying
    the m0 x n0 tile of C in i32 vectors; each step loads each B vector
    once and updates the accumulators with the target's dot-product
    instruction (`llvm.call_intrinsic` of vpdpbusd or vpmaddwd on x86, a
    widened multiply-add elsewhere). Other ops are untouched.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def SmeltCpuTileAndVectorize : Pass<"smelt-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Register-blocked vector kernels for contractions";
  let description = [{
    Input: bufferized linalg ops; the module may carry `smelt.cpu_target`
    (see CpuTarget.h; without it a generic 128-bit target). Output: every
    contraction that KernelStrategy gives a strategy (static f32 matmul,
    batched matmul, Gemm) is tiled for the caches and for registers; each
    full register tile is vector code whose accumulators stay in registers
    across the reduction (loads and stores hoisted out of the K loop, FMAs
    on broadcast A elements and B rows, 1-D vector loads and stores only).
    Edge tiles stay linalg ops with dynamic sizes for the loop lowering.
    Static linalg.copy ops (slices, pads, im2col) become row copies of
    vectors of up to 64 lanes' worth of elements. Elementwise generics and
    reductions along their last loop (KernelStrategy's chooseRowTiles) are
    split between threads where big enough, then vectorized a chunk of a
    row at a time (static tail); row reductions carry a vector of partial
    results across the row and reduce its lanes once per row. Other ops are
    untouched.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def SmeltCpuPrefetchWeights : Pass<"smelt-cpu-prefetch-weights", "mlir::func::FuncOp"> {
  let summary = "Prefetch the next block of weights that are streamed from memory";
  let description = [{
    Input: vector kernels on buffers (after smelt-cpu-tile-and-vectorize).
    For each vector.load of a constant global over 256 KiB (a weight that
    is read from memory every run) inside a block loop whose IV it uses,
    with loops in between whose IVs it does not use (the sweeps of one
    block by several register tiles), the outermost of those sweep loops
    gets its first iteration peeled (it needs a static trip count of at
    least two). In the first iteration each such load is preceded by a
    memref.prefetch (read, locality 3) of every cache line it reads in the
    block loop's next iteration; after the block loop's last iteration, in
    the first iteration of the next iteration of the loop around it that
    the load uses. Prefetches go through a one-dimensional view of the
    weight, clamped to its last element. Other loads are untouched.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def SmeltCpuMarkTileFusion : Pass<"smelt-cpu-mark-tile-fusion", "mlir::func::FuncOp"> {
  let summary = "Pick the elementwise ops that run inside a contraction's tiles";
  let description = [{
    Input: linalg on buffers, after smelt-cpu-direct-conv. For each static
    contraction or window kernel with a strategy whose reduction is not split
    into cache blocks (each register tile then computes whole sums), finds
    its prologue (the last op before it that writes its whole output: an
    elementwise op such as the bias broadcast or a zero fill, whose inputs
    are other buffers) and its epilogue (the first op after it that touches
    its output: an elementwise op that reads each output element once, at
    its own position, and writes in place or to a buffer the contraction
    does not read). No op in between may touch their buffers (the memory
    plan's views are told apart by their byte ranges). A neighbour over the
    uncollapsed output of a 1x1 convolution's matrix product gets its loops
    collapsed the same way.
    Output: the contraction is marked `smelt.fusion_group = N`, its
    neighbours `smelt.fused_prologue = N` and `smelt.fused_epilogue = N`;
    smelt-cpu-tile-and-vectorize clones them around each register tile and
    erases them. Other kernel passes leave marked neighbours alone.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::memref::MemRefDialect"];
}

def SmeltCpuCollapseContiguousLoops
    : Pass<"smelt-cpu-collapse-contiguous-loops", "mlir::func::FuncOp"> {
  let summary = "Merge adjacent loops that walk every operand contiguously";
  let description = [{
    Input: bufferized linalg.generic ops without a vector kernel, whose
    operands are indexed by loops or the constant 0. Output: each run of
    adjacent loops of one iterator type that every operand either ignores or
    indexes as adjacent, contiguous dims (outer stride = inner extent x inner
    stride) becomes one loop over memref.collapse_shape views. An
    elementwise op over [1, 1152, 7, 7] becomes one loop of 56448 that LLVM
    vectorizes, not loops of 7. Memory is visited in the same order.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::memref::MemRefDialect"];
}

def SmeltCpuParallelTiles : Pass<"smelt-cpu-parallel-tiles", "mlir::func::FuncOp"> {
  let summary = "Split big loop nests without a vector kernel into tiles for the threads";
  let description = [{
    Input: bufferized linalg ops; contractions already tiled (their tile
    loops marked `smelt.parallel`). Output: every static linalg op outside
    such a loop that KernelStrategy's chooseParallelTiles picks (enough
    iterations, a parallel dim that indexes every output) is tiled along
    that one dim into at most 16 tiles, in an scf.for marked
    `smelt.parallel`. Fills, copies and small ops are unchanged.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"];
}

def SmeltCpuOutlineParallelLoops : Pass<"smelt-cpu-outline-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Hand loops with independent iterations to the runtime's threads";
  let description = [{
    Input: bufferized functions where scf.for loops without results whose
    iterations are independent carry `smelt.parallel` (set by the pass that
    tiled them). Output: each outermost such loop becomes a call
    `__smelt_parallel_for(count : i64, @body, ctx : !llvm.ptr)` to a private
    declaration that the model emitter defines; the new private function
    `@<func>_parallel(ctx, begin : i64, end : i64)` runs iterations
    [begin, end) of the old body. ctx is a stack array of i64 slots (in the
    entry block) holding every value the body uses from outside: scalars,
    and for each memref (static sizes and strides only) its aligned pointer
    and offset, from which the body rebuilds the descriptor. Constants are
    cloned into the body. Loops that use other values from outside stay
    serial. All `smelt.parallel` attributes are removed.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def SmeltCpuOutlineKernels : Pass<"smelt-cpu-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Split a large model function into one function per kernel";
  let description = [{
    Input: bufferized functions. Output: in each public function of more
    than `min-function-ops` operations, every top-level operation with
    regions (a loop nest, a linalg op, an scf.if...) becomes a call to a new
    private function `@<func>_kernel` that holds it, marked noinline. Its
    arguments are the values the operation uses from outside, except
    constants, which are cloned in; its results are the operation's. LLVM's
    function passes (dominator trees, scalar evolution, register
    allocation) grow faster than linearly with a function's size: a
    detector's thousands of loop nests in one function took minutes to
    compile. Small functions stay as they are.
  }];
  let options = [
    Option<"minFunctionOps", "min-function-ops", "int64_t", /*default=*/"3000",
           "Split only functions with more operations than this">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def SmeltCpuInnermostContiguous : Pass<"smelt-cpu-innermost-contiguous", "mlir::func::FuncOp"> {
  let summary = "Order the loops of kernel-less generics for LLVM's loop vectorizer";
  let description = [{
    Input: linalg.generic ops that will become loop nests. Output: in each
    generic whose first output's last index is a parallel loop that no
    operand uses outside its last index (convolutions with groups, pooling,
    elementwise ops over transposed layouts...), that loop is interchanged
    to be the innermost one, so the loop nest ends in a long loop of
    contiguous stores. Others are unchanged; results are identical (the
    order of each reduction is kept).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SmeltCpuApproximateMath : Pass<"smelt-cpu-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Inline polynomial approximations of f32 math functions";
  let description = [{
    Input: math dialect ops. Output: math.exp, expm1, log, log1p, log2, tanh
    and erf on f32 (scalars or vectors) replaced by upstream's polynomial
    approximations in arith ops, so loops around them vectorize instead of
    calling libm per element. Other functions and element types are
    unchanged. Conversions between f32 and bf16 become integer operations
    (upstream's bf16 expansion: no __truncsfbf2 call where the CPU has no
    conversion instruction).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def SmeltCpuLowerCopies : Pass<"smelt-cpu-lower-copies", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy into linalg.copy so copies become loops";
  let description = [{
    Input: bufferized IR with memref.copy ops. Output: the same copies as
    linalg.copy, which convert-linalg-to-loops turns into plain loops. Without
    it, copies between non-contiguous (strided) memrefs lower to calls of
    `memrefCopy`, a function of MLIR's runner library that compiled models
    must not depend on.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SmeltCpuFillPadBorders : Pass<"smelt-cpu-fill-pad-borders", "mlir::func::FuncOp"> {
  let summary = "Fill only the border of a padded buffer, not all of it";
  let description = [{
    Input: bufferized pads: a fill of a static buffer (linalg.fill, or a
    linalg.map without inputs yielding an outside value) followed by a
    linalg.copy into a static, unit-stride window of that buffer. Output:
    the fill replaced by fills of the slabs around the window (two per dim,
    empty ones omitted), so the interior is written once, by the copy.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::memref::MemRefDialect"];
}

def SmeltCpuOutputInPlace : Pass<"smelt-cpu-output-in-place", "mlir::func::FuncOp"> {
  let summary = "Let the last elementwise op write over its input in the output buffer";
  let description = [{
    Input: bufferized functions whose outputs are out-parameters (after
    buffer-results-to-out-params). An elementwise linalg.generic (parallel
    loops, an identity map for its init, which it does not read) that
    writes an out-parameter the function uses nowhere else, and reads with
    an identity map (through reshapes) a static identity-layout allocation
    of as many elements that nothing uses after it: the allocation becomes
    a reshape of the out-parameter, and the generic writes over its input
    in place. The input's producer then writes the caller's buffer: one
    buffer and one pass over memory less (a bias added to the unpacked
    logits of a language model's head).
  }];
}

def SmeltCpuPlanMemory : Pass<"smelt-cpu-plan-memory", "mlir::ModuleOp"> {
  let summary = "Place a static model's intermediate buffers in one workspace arena";
  let description = [{
    Input: bufferized public functions with memref.alloc ops and no
    deallocations yet. Output: every alloc with a static shape and identity
    layout whose buffer does not escape (returned, yielded, passed to a call)
    and that is not inside an scf.forall / scf.parallel body becomes a
    memref.view at a compile-time offset into a new trailing argument
    `memref<N x i8> {smelt.workspace}`. Buffers whose live ranges (in
    top-level ops, through views) overlap get disjoint bytes; an elementwise
    generic writes its output over an input of the same size it reads for
    the last time at the same index. Offsets and N are multiples of 64.
    Zero-element allocs become zero-byte allocas; other allocs stay. The
    module gets `smelt.workspace = {size, align, buffer_bytes, buffers,
    in_place, heap_buffers}`; a function with nothing to plan is unchanged.
    Functions with dynamic dims get the same plan for their statically
    sized buffers (the model's entry point hands them the caller's
    workspace, or allocates one for the run when the caller gives none).
    Their allocs whose sizes follow from the arguments become views of one
    block placed at the entry: the workspace argument is then
    `memref<? x i8>` (the caller's size), the block is a view of it past
    the N planned bytes where it fits and an alloc otherwise (scf.if), and
    a last argument `memref<1xi64> {smelt.workspace_needed}` receives N plus
    the block's bytes.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def SmeltCpuFlattenEmptyArgs : Pass<"smelt-cpu-flatten-empty-args", "mlir::ModuleOp"> {
  let summary = "Give zero-element memref arguments the type memref<0xT>";
  let description = [{
    Input: bufferized functions whose arguments may be zero-element memrefs
    such as memref<20x0x5xf32>. The identity layout of such a type has
    dynamic strides, so the bare-pointer calling convention cannot lower it.
    Output: every such argument has type memref<0xT> (still one pointer, never
    dereferenced), and the body uses a zero-byte memref.alloca of the original
    type instead. Fails on a function with callers.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def SmeltCpuFlattenGlobals : Pass<"smelt-cpu-flatten-globals", "mlir::ModuleOp"> {
  let summary = "Give constant buffers of rank 2 and more a one-dimensional global";
  let description = [{
    Input: memref.global ops with static identity-layout shapes and an
    initial value (the weights), and their memref.get_global users.
    Output: each such global of rank 2 or more holds the same elements as a
    memref<N x T>, and every memref.get_global of it is followed by a
    memref.expand_shape back to the type its users had. The LLVM translation
    turns a global of rank r into nested arrays, one LLVM constant per
    innermost row: weights packed into one-element rows became millions of
    constants (GPT-2: 90 s and 2 GB in the LLVM context). A one-dimensional
    global is one constant made from the buffer's bytes.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def SmeltCpuBarePointerEntry : Pass<"smelt-cpu-bare-pointer-entry", "mlir::ModuleOp"> {
  let summary = "Give public functions the bare-pointer calling convention";
  let description = [{
    Input: bufferized functions. Output: every public func.func carries
    `llvm.bareptr`, so convert-func-to-llvm passes its (statically shaped)
    memrefs as plain pointers, while private helpers (such as the
    deallocation helper, whose memrefs have dynamic sizes) keep descriptors.
  }];
}

def SmeltCpuLowerChecks : Pass<"smelt-cpu-lower-checks", "mlir::ModuleOp"> {
  let summary = "Turn run-time checks (cf.assert) into a recorded failure message";
  let description = [{
    Input: the module in the LLVM dialect except for cf ops, with cf.assert
    ops that guard run-time conditions (e.g. dims that must broadcast).
    Output: no cf.assert. Each one stores a pointer to its message (a
    private constant string) into the thread-local global
    `__smelt_check_failure` when its condition is false and nothing was
    recorded before; execution continues (the lowerings keep indices in
    bounds). The model's entry points clear that global before running the
    model and return SMELT_ENTRY_CHECK_FAILED with the message when it is set
    afterwards, instead of aborting the process as cf.assert would.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SmeltCpuVectorToLlvm : Pass<"smelt-cpu-vector-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower the vector dialect to LLVM with the target's index width";
  let description = [{
    Input: vector ops on memrefs (after vector-to-scf). Output: the same
    module with the vector ops in the LLVM dialect: first lowered to
    1-D vector ops (contractions as outer products, transfers of rank 1,
    masks, shape casts, transposes, broadcasts, gathers), then converted with
    a type converter whose `index` has the target's width (smelt.cpu_target's
    index_bits: 32 on Cortex-M), so memref descriptors agree with the other
    conversions. MLIR's convert-vector-to-llvm always converts with 64-bit
    indices; the pipeline uses it for 64-bit targets and this pass for
    32-bit ones.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect", "mlir::tensor::TensorDialect"];
}

def SmeltCpuCheckLlvm : Pass<"smelt-cpu-check-llvm", "mlir::ModuleOp"> {
  let summary = "Fail if any op is left outside the LLVM dialect";
  let description = [{
    Input: the module after the conversions to the LLVM dialect. Output: the
    same module, or a failure with one error per op that is not in the LLVM
    dialect (the conversions are partial and leave such ops silently).
  }];
}

#endif // SMELT_CODEGEN_CPU_PASSES_TD
