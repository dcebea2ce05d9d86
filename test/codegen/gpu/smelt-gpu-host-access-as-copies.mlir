// RUN: smelt-opt %s --smelt-gpu-host-access-as-copies -split-input-file | FileCheck %s

// The host reads one element a kernel wrote: it is copied into a host
// buffer of one element first. A write to a device buffer goes the other
// way. The shape buffer of a reshape is the host's and stays as it is.
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%[[OUT:.+]]: memref<2x3xf32>, %[[N:.+]]: index)
// CHECK:       %[[FLAG:.+]] = memref.alloc() : memref<i1>
// CHECK:       gpu.launch_func @kernels::@check
// CHECK:       %[[HOSTFLAG:.+]] = memref.alloca() : memref<i1>
// CHECK:       gpu.memcpy %[[HOSTFLAG]], %[[FLAG]] : memref<i1>, memref<i1>
// CHECK:       %[[VERDICT:.+]] = memref.load %[[HOSTFLAG]][] : memref<i1>
// CHECK:       cf.assert %[[VERDICT]]
// CHECK:       %[[HOSTVALUE:.+]] = memref.alloca() : memref<1x1xf32>
// CHECK:       %[[ELEMENT:.+]] = memref.subview %[[OUT]][%{{.+}}, %[[N]]] [1, 1] [1, 1]
// CHECK:       memref.store %{{.+}}, %[[HOSTVALUE]][%{{.+}}, %{{.+}}] : memref<1x1xf32>
// CHECK:       gpu.memcpy %[[ELEMENT]], %[[HOSTVALUE]]
// CHECK:       %[[SHAPE:.+]] = memref.alloc() : memref<1xindex>
// CHECK-NEXT:  memref.store %{{.+}}, %[[SHAPE]][%{{.+}}] : memref<1xindex>
module attributes {gpu.container_module} {
  func.func @main(%out: memref<2x3xf32>, %n: index) -> memref<6xf32> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c6 = arith.constant 6 : index
    %one = arith.constant 1.0 : f32
    %flag = memref.alloc() : memref<i1>
    gpu.launch_func @kernels::@check blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%flag : memref<i1>)
    %verdict = memref.load %flag[] : memref<i1>
    cf.assert %verdict, "a check failed"
    memref.store %one, %out[%c1, %n] : memref<2x3xf32>
    %shape = memref.alloc() : memref<1xindex>
    memref.store %c6, %shape[%c0] : memref<1xindex>
    %flat = memref.reshape %out(%shape) : (memref<2x3xf32>, memref<1xindex>) -> memref<6xf32>
    return %flat : memref<6xf32>
  }
  gpu.module @kernels {
    gpu.func @check(%b: memref<i1>) kernel {
      gpu.return
    }
  }
}

// -----

// A shape operand in device memory (a planned workspace slot a kernel
// wrote) is copied into a host buffer, which the reshape then reads; the
// buffer sits at the top of the function, so that a reshape in a loop does
// not grow the stack.
// CHECK-LABEL: func.func @device_shape
// CHECK-SAME:    (%[[X:.+]]: memref<2x3xf32>, %[[WS:.+]]: memref<64xi8>)
// CHECK-NEXT:  %[[HOSTSHAPE:.+]] = memref.alloca() : memref<1xi64>
// CHECK:       %[[SHAPE:.+]] = memref.view %[[WS]]
// CHECK:       gpu.launch_func @kernels2::@shape_of
// CHECK:       gpu.memcpy %[[HOSTSHAPE]], %[[SHAPE]] : memref<1xi64>, memref<1xi64>
// CHECK:       memref.reshape %[[X]](%[[HOSTSHAPE]])
module attributes {gpu.container_module} {
  func.func @device_shape(%x: memref<2x3xf32>, %ws: memref<64xi8>) -> memref<6xf32> {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %shape = memref.view %ws[%c0][] : memref<64xi8> to memref<1xi64>
    gpu.launch_func @kernels2::@shape_of blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%shape : memref<1xi64>)
    %flat = memref.reshape %x(%shape) : (memref<2x3xf32>, memref<1xi64>) -> memref<6xf32>
    return %flat : memref<6xf32>
  }
  gpu.module @kernels2 {
    gpu.func @shape_of(%s: memref<1xi64>) kernel {
      gpu.return
    }
  }
}
