// RUN: smelt-opt %s --smelt-gpu-merge-kernel-modules | FileCheck %s

// Two outlined kernels, each in a module of its own, end up in one module
// @kernels, named after their old modules; the launches follow.
// CHECK:       module attributes {gpu.container_module}
// CHECK:       gpu.launch_func @kernels::@first_kernel
// CHECK:       gpu.launch_func @kernels::@second_kernel
// CHECK:       gpu.module @kernels {
// CHECK:         gpu.func @first_kernel(%{{.+}}: memref<4xf32>) kernel
// CHECK:         gpu.func @second_kernel(%{{.+}}: memref<4xf32>) kernel
// CHECK-NOT:   gpu.module
module attributes {gpu.container_module} {
  func.func @main(%buffer: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @first_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%buffer : memref<4xf32>)
    gpu.launch_func @second_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%buffer : memref<4xf32>)
    return
  }
  gpu.module @first_kernel {
    gpu.func @main_kernel(%b: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @second_kernel {
    gpu.func @main_kernel(%b: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
