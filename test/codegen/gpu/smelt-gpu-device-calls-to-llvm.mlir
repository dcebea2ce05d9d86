// RUN: smelt-opt %s --smelt-gpu-device-calls-to-llvm -split-input-file -verify-diagnostics | FileCheck %s

// The PTX moves into module attributes, with the kernels numbered in the
// order host code first launches them.
// CHECK:       module attributes {smelt.device_arch = "sm_90", smelt.device_image = "PTX TEXT", smelt.device_kernels = ["fill", "scale"]}
// CHECK-NOT:   gpu.binary
// Stack slots for the parameters, their pointers and the sizes sit at the
// top of the function, once per launch.
// CHECK-LABEL: func.func @main
// CHECK-DAG:   llvm.alloca %{{.+}} x !llvm.struct<(ptr, ptr, i64, i64, i64)>
// CHECK-DAG:   llvm.alloca %{{.+}} x !llvm.struct<(ptr, ptr, i64, i64, i64, i64)>
// CHECK-DAG:   llvm.alloca %{{.+}} x !llvm.ptr
// CHECK-DAG:   llvm.alloca %{{.+}} x i32
// CHECK:       memref.alloca() : memref<1xf32>
// A copy passes both buffers' first bytes and the byte count: the element
// size (taken as LLVM lays the element out) times the element count.
// CHECK:       %[[END:.+]] = llvm.getelementptr %{{.+}}[1] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK-NEXT:  %[[SIZE:.+]] = llvm.ptrtoint %[[END]] : !llvm.ptr to i64
// CHECK-NEXT:  %[[COUNT:.+]] = llvm.extractvalue %{{.+}}[3, 0]
// CHECK-NEXT:  %[[BYTES:.+]] = llvm.mul %[[SIZE]], %[[COUNT]] : i64
// CHECK-NEXT:  llvm.call @__smelt_device_copy(%{{.+}}, %{{.+}}, %[[BYTES]]) : (!llvm.ptr, !llvm.ptr, i64) -> ()
// A device buffer comes from the device allocation.
// CHECK:       %[[BUF:.+]] = llvm.call @__smelt_device_alloc(%{{.+}}) : (i64) -> !llvm.ptr
// The first launch: the buffer's descriptor fields are the parameters,
// each slot's address in the pointer array.
// CHECK:       %[[SLOT0:.+]] = llvm.getelementptr %{{.+}}[0, 0]
// CHECK-NEXT:  llvm.store %{{.+}}, %[[SLOT0]] : !llvm.ptr, !llvm.ptr
// CHECK-NEXT:  %[[ENTRY0:.+]] = llvm.getelementptr %[[POINTERS:.+]][0]
// CHECK-NEXT:  llvm.store %[[SLOT0]], %[[ENTRY0]] : !llvm.ptr, !llvm.ptr
// CHECK:       llvm.trunc %{{.+}} : i64 to i32
// CHECK:       %[[FILL:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT:  %[[NOSHARED:.+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT:  llvm.call @__smelt_device_launch(%[[FILL]], %{{.+}}, %{{.+}}, %[[NOSHARED]], %[[POINTERS]]) : (i32, !llvm.ptr, !llvm.ptr, i32, !llvm.ptr) -> ()
// CHECK:       %[[SCALE:.+]] = llvm.mlir.constant(1 : i32) : i32
// CHECK-NEXT:  llvm.mlir.constant(0 : i32) : i32
// CHECK-NEXT:  llvm.call @__smelt_device_launch(%[[SCALE]],
// CHECK:       llvm.call @__smelt_device_launch
// CHECK:       llvm.call @__smelt_device_release(%{{.+}}) : (!llvm.ptr) -> ()
// CHECK-NOT:   gpu.
module attributes {gpu.container_module} {
  gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = "PTX TEXT">]
  func.func @main(%in: memref<4xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    %host = memref.alloca() : memref<1xf32>
    %first = memref.subview %in[0] [1] [1] : memref<4xf32> to memref<1xf32, strided<[1]>>
    gpu.memcpy %host, %first : memref<1xf32>, memref<1xf32, strided<[1]>>
    %buffer = gpu.alloc (%n) : memref<?xf32>
    gpu.launch_func @kernels::@fill blocks in (%n, %c1, %c1) threads in (%c1, %c1, %c1) args(%buffer : memref<?xf32>)
    gpu.launch_func @kernels::@scale blocks in (%n, %c1, %c1) threads in (%c1, %c1, %c1) args(%buffer : memref<?xf32>, %n : index)
    gpu.launch_func @kernels::@fill blocks in (%n, %c1, %c1) threads in (%c1, %c1, %c1) args(%buffer : memref<?xf32>)
    gpu.dealloc %buffer : memref<?xf32>
    return
  }
}

// -----

// A copy of index elements counts them at the host's index width.
// CHECK-LABEL: func.func @index_copy
// CHECK:       %[[END:.+]] = llvm.getelementptr %{{.+}}[1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK:       %[[SIZE:.+]] = llvm.ptrtoint %[[END]] : !llvm.ptr to i64
// CHECK:       %[[BYTES:.+]] = llvm.mul %[[SIZE]], %{{.+}} : i64
// CHECK:       llvm.call @__smelt_device_copy(%{{.+}}, %{{.+}}, %[[BYTES]])
module attributes {gpu.container_module} {
  gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_80">, assembly = "PTX">]
  func.func @index_copy(%device: memref<2xindex>) {
    %host = memref.alloca() : memref<2xindex>
    gpu.memcpy %host, %device : memref<2xindex>, memref<2xindex>
    return
  }
}

// -----

// The kernels come as one PTX binary, or not at all.
// expected-error @below {{expected the kernels in one gpu.binary, found 0}}
module attributes {gpu.container_module} {
  func.func @none() {
    return
  }
}
