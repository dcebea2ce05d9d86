// RUN: smelt-opt %s --smelt-cpu-outline-kernels=min-function-ops=0 | FileCheck %s
// RUN: smelt-opt %s --smelt-cpu-outline-kernels | FileCheck %s --check-prefix=SMALL

// Each top-level loop nest of a large entry function moves into a private
// noinline function: its arguments are the values it uses from outside
// (constants are cloned in), its results the loop's.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.+]]: memref<8xf32>, %[[Y:.+]]: memref<8xf32>, %[[N:.+]]: index)
// CHECK: %[[SUM:.+]] = call @main_kernel{{.*}}(%[[X]]) : (memref<8xf32>) -> f32
// CHECK: call @main_kernel{{.*}}(%[[N]], %[[SUM]], %[[Y]]) : (index, f32, memref<8xf32>) -> ()
// CHECK-NOT: scf.for
// CHECK: return
// CHECK-DAG: func.func private @main_kernel{{.*}}(%{{.+}}: memref<8xf32>) -> f32 attributes {passthrough = ["noinline"]}
// CHECK-DAG: func.func private @main_kernel{{.*}}(%{{.+}}: index, %{{.+}}: f32, %{{.+}}: memref<8xf32>) attributes {passthrough = ["noinline"]}
// CHECK-DAG: arith.constant 0.000000e+00 : f32
// CHECK-DAG: scf.for {{.+}} iter_args
// A function under the threshold stays whole.
// SMALL-LABEL: func.func @main
// SMALL-NOT: call
// SMALL: scf.for
// SMALL: scf.for
// SMALL-NOT: func.func private
func.func @main(%x: memref<8xf32>, %y: memref<8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> (f32) {
    %v = memref.load %x[%i] : memref<8xf32>
    %a = arith.addf %acc, %v : f32
    scf.yield %a : f32
  }
  scf.for %i = %c0 to %n step %c1 {
    memref.store %sum, %y[%i] : memref<8xf32>
  }
  return
}
