// RUN: smelt-opt %s --smelt-gpu-serial-ops-as-loops | FileCheck %s

// A copy becomes linalg.copy (a kernel later, not a host memcpy), and a
// reduction to a scalar, which has no parallel dim, runs inside a parallel
// loop of one iteration (a kernel of one thread). Ops with parallel dims
// are left as they are.
// CHECK-LABEL: func.func @serial
// CHECK-NOT:   memref.copy
// CHECK:       linalg.copy ins(%{{.+}} : memref<8xf32>) outs(%{{.+}} : memref<8xf32>)
// CHECK:       %[[ZERO:.+]] = arith.constant 0 : index
// CHECK:       %[[ONE:.+]] = arith.constant 1 : index
// CHECK:       scf.parallel (%{{.+}}) = (%[[ZERO]]) to (%[[ONE]]) step (%[[ONE]]) {
// CHECK-NEXT:    linalg.reduce
// CHECK:       }
// CHECK:       linalg.generic
// CHECK-NOT:   scf.parallel
func.func @serial(%in: memref<8xf32>, %tmp: memref<8xf32>, %sum: memref<f32>, %out: memref<8xf32>) {
  memref.copy %in, %tmp : memref<8xf32> to memref<8xf32>
  linalg.reduce ins(%tmp : memref<8xf32>) outs(%sum : memref<f32>) dimensions = [0]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%tmp : memref<8xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  }
  return
}
