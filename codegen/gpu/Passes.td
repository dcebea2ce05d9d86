//===- Passes.td - NVIDIA GPU code generation passes -----------------------===//
#ifndef SMELT_CODEGEN_GPU_PASSES_TD
#define SMELT_CODEGEN_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SmeltGpuLaunchParallelLoops : Pass<"smelt-gpu-launch-parallel-loops", "mlir::func::FuncOp"> {
  let summary = "Run each outermost scf.parallel as a gpu.launch with one thread per iteration";
  let description = [{
    Input: bufferized loops (linalg ops converted to scf.parallel, reduction
    dims as scf.for inside). Output: every outermost scf.parallel becomes a
    1-D gpu.launch of `block-size` threads per block and as many blocks as
    the iteration count needs, guarded so that an empty loop launches
    nothing. Each thread takes one iteration: its linear index
    (blockIdx.x * blockDim.x + threadIdx.x), when below the count,
    delinearized with the innermost dim fastest, so that neighbouring
    threads touch neighbouring elements.
  }];
  let options = [Option<"blockSize", "block-size", "int64_t", "256", "Threads per block">];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect"];
}

def SmeltGpuSerialOpsAsLoops : Pass<"smelt-gpu-serial-ops-as-loops", "mlir::func::FuncOp"> {
  let summary = "Give ops and loops without parallel dims a parallel loop of one iteration";
  let description = [{
    Input: bufferized functions. A linalg op without parallel dims (a
    reduction to a scalar) would become scf.for loops in host code, and a
    memref.copy a call on the host; both must run on the device. Output:
    memref.copy becomes linalg.copy, and a linalg op without parallel dims
    sits in an scf.parallel of one iteration, which
    smelt-gpu-launch-parallel-loops runs as a kernel of one thread. So does
    an outermost scf.for or scf.while of scalar code over buffer elements
    (an index check, a scan, NonMaxSuppression's selection): nothing in it
    becomes a kernel of its own or allocates. Its scalar results pass
    through one-element buffers that host code reads back.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect"];
}

def SmeltGpuMergeKernelModules : Pass<"smelt-gpu-merge-kernel-modules", "mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one gpu.module";
  let description = [{
    gpu-kernel-outlining makes one gpu.module per kernel. A model loads one
    module on the device, so the kernels move into a single gpu.module
    @kernels, each gpu.func renamed after its old module
    (@main_kernel_3::@main_kernel becomes @kernels::@main_kernel_3), and
    every gpu.launch_func follows. A model without kernels gets an empty
    @kernels.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def SmeltGpuHostAccessAsCopies : Pass<"smelt-gpu-host-access-as-copies", "mlir::ModuleOp"> {
  let summary = "Host reads and writes of single device elements as copies";
  let description = [{
    After the kernels are outlined, host code still reads a few values
    that kernels computed (a run-time check's verdict, a shape read from a
    tensor) and writes a few. Outside loops, each memref.load of a device
    buffer (DeviceBuffers.h) becomes a gpu.memcpy of that one element into
    a host buffer (memref.alloca) and a load from it; each memref.store,
    a store into a host buffer and a gpu.memcpy to the device. The shape
    operand of a memref.reshape, which the host reads, is copied into a host
    buffer first when it lives on the device (a planned workspace slot, a
    constant). Accesses inside host loops are left alone (one copy per element would be no
    GPU code); smelt-gpu-check-host-code refuses them.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::memref::MemRefDialect"];
}

def SmeltGpuCheckHostCode : Pass<"smelt-gpu-check-host-code", "mlir::ModuleOp"> {
  let summary = "Refuse computation that stayed in host code";
  let description = [{
    After the kernels are outlined, host functions may only allocate,
    view and reshape buffers, compute sizes and launch kernels. Buffers a
    kernel touches, and the function's arguments, live on the device; the
    others (the shape operands of memref.reshape) on the host, where host
    code may read and write them. A load or store of a device buffer, a
    copy or a loop over buffer elements left in a host function is an error
    that names the op and its node: the GPU path does not run that
    computation yet.
  }];
}

def SmeltGpuDeviceMemory : Pass<"smelt-gpu-device-memory", "mlir::ModuleOp"> {
  let summary = "Allocate the buffers kernels touch on the device";
  let description = [{
    After the kernels are outlined, every memref.alloc of a host function
    whose buffer a kernel touches (DeviceBuffers.h) becomes a gpu.alloc, and
    the memref.dealloc that frees it (directly, or through the base buffer
    of its view) a gpu.dealloc; host-only buffers stay memref.alloc. The
    planned workspace needs none of this: it arrives in device memory. The
    constant globals host code uses are listed in the module attribute
    `smelt.device_constants`: the emitter puts their data on the device, and
    host code addresses the device copy. A global that is not constant is
    an error.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def SmeltGpuDeviceCallsToLlvm : Pass<"smelt-gpu-device-calls-to-llvm", "mlir::ModuleOp"> {
  let summary = "Host code's launches, copies and device buffers as calls";
  let description = [{
    Input: host functions with synchronous gpu.launch_func, gpu.memcpy,
    gpu.alloc and gpu.dealloc, and the kernels in one gpu.binary of PTX.
    Output: LLVM dialect calls of __smelt_device_launch, _copy, _alloc and
    _release (DeviceSymbols.h), which the emitter defines over the
    smelt_device_api of the call. A launch passes the kernel's index (in
    the order host code first launches each), its grid and block sizes as
    three i32 each, and an array pointing at each parameter's value, with
    memrefs expanded into descriptor fields as the NVVM kernel takes them;
    the arrays live in stack slots at the top of the function. A copy
    passes both buffers' first bytes and the byte count (only contiguous
    buffers). The PTX moves to the module attribute `smelt.device_image`,
    the kernel names to `smelt.device_kernels`, the architecture to
    `smelt.device_arch`, and the gpu.binary is erased. Other ops and types
    are left for the rest of the lowering (unrealized casts stand between).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SmeltGpuKernelsOnHost : Pass<"smelt-gpu-kernels-on-host", "mlir::ModuleOp"> {
  let summary = "Keep only the kernels, as host functions (for tests without a GPU)";
  let description = [{
    Input: host functions and the kernels in one gpu.module. Output: only
    the kernels, each a func.func of the same name taking its own arguments
    and then twelve index values: the block id, thread id, block size and
    grid size in x, y and z, which replace gpu.block_id, gpu.thread_id,
    gpu.block_dim and gpu.grid_dim. Lowered like host code, with a wrapper
    that runs every thread of a launch in turn (compiler/emit), they stand
    in for the PTX when a test driver runs a GPU model on the CPU. Kernels
    with barriers, shared or private memory have no such form (an error).
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // SMELT_CODEGEN_GPU_PASSES_TD
