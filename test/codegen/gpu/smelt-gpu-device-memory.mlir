// RUN: smelt-opt %s --smelt-gpu-device-memory -split-input-file -verify-diagnostics | FileCheck %s

// A buffer a kernel touches is allocated on the device and freed there,
// also when the deallocation frees the base of a view. A buffer only the
// host uses stays on the host. The weights host code passes to kernels
// are listed for the emitter, which puts them on the device.
// CHECK:       module attributes {gpu.container_module, smelt.device_constants = [@weights]}
// CHECK-LABEL: func.func @main
// CHECK:       %[[T:.+]] = gpu.alloc (%{{.+}}) : memref<?xf32>
// CHECK:       %[[HOST:.+]] = memref.alloc() : memref<2xindex>
// CHECK:       %[[W:.+]] = memref.get_global @weights : memref<4xf32>
// CHECK:       gpu.launch_func @kernels::@scale {{.+}} args(%[[T]] : memref<?xf32>, %[[W]] : memref<4xf32>)
// CHECK:       %[[BASE:.+]], %{{.+}}, %{{.+}}, %{{.+}} = memref.extract_strided_metadata %[[T]]
// CHECK:       gpu.dealloc %[[BASE]] : memref<f32>
// CHECK:       memref.dealloc %[[HOST]] : memref<2xindex>
// CHECK-NOT:   memref.alloc
module attributes {gpu.container_module} {
  memref.global "private" constant @weights : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
  func.func @main(%n: index) {
    %c1 = arith.constant 1 : index
    %t = memref.alloc(%n) : memref<?xf32>
    %host = memref.alloc() : memref<2xindex>
    %w = memref.get_global @weights : memref<4xf32>
    gpu.launch_func @kernels::@scale blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%t : memref<?xf32>, %w : memref<4xf32>)
    %base, %offset, %size, %stride = memref.extract_strided_metadata %t : memref<?xf32> -> memref<f32>, index, index, index
    memref.dealloc %base : memref<f32>
    memref.dealloc %host : memref<2xindex>
    return
  }
  gpu.module @kernels {
    gpu.func @scale(%t: memref<?xf32>, %w: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// Kernels cannot share a global that host code may change.
module attributes {gpu.container_module} {
  memref.global "private" @state : memref<4xf32> = dense<0.0>
  func.func @mutable() {
    // expected-error @below {{the GPU path keeps only constant globals on the device}}
    %s = memref.get_global @state : memref<4xf32>
    return
  }
}
