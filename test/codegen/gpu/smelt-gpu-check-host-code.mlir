// RUN: smelt-opt %s --split-input-file --smelt-gpu-check-host-code --verify-diagnostics

// Host code may build the shape operand of a reshape: that buffer never
// reaches a kernel, so it lives on the host.
module attributes {gpu.container_module} {
  func.func @host_shape(%in: memref<8xf32>, %n: index) -> memref<2x4xf32> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    %shape = memref.alloc() : memref<2xindex>
    memref.store %c2, %shape[%c0] : memref<2xindex>
    memref.store %c4, %shape[%c1] : memref<2xindex>
    %r = memref.reshape %in(%shape) : (memref<8xf32>, memref<2xindex>) -> memref<2x4xf32>
    return %r : memref<2x4xf32>
  }
}

// -----

// A value the host reads from a buffer a kernel wrote is device memory.
module attributes {gpu.container_module} {
  func.func @read_back(%out: memref<1xf32>) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %tmp = memref.alloc() : memref<1xf32>
    gpu.launch_func @kernels::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%tmp : memref<1xf32>)
    // expected-error @below {{the GPU path does not run this on the device yet ('memref.load' stays in host code)}}
    %v = memref.load %tmp[%c0] : memref<1xf32>
    return %v : f32
  }
  gpu.module @kernels {
    gpu.func @fill(%b: memref<1xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// An input is device memory too.
func.func @read_input(%in: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' stays in host code}}
  %v = memref.load %in[%c0] : memref<4xf32>
  return %v : f32
}
