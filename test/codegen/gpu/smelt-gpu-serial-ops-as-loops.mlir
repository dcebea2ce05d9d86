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

// A loop of scalar code over buffer elements (an index check) moves into a
// parallel loop of one iteration; its result passes through a one-element
// buffer that host code loads afterwards.
// CHECK-LABEL: func.func @check
// CHECK:       %[[SLOT:.+]] = memref.alloc() : memref<i1>
// CHECK:       scf.parallel
// CHECK:         %[[ALL:.+]] = scf.for
// CHECK:         memref.store %[[ALL]], %[[SLOT]][] : memref<i1>
// CHECK:       %[[VERDICT:.+]] = memref.load %[[SLOT]][] : memref<i1>
// CHECK:       cf.assert %[[VERDICT]]
func.func @check(%indices: memref<3xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %true = arith.constant true
  %limit = arith.constant 5 : i64
  %all = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %true) -> (i1) {
    %x = memref.load %indices[%i] : memref<3xi64>
    %ok = arith.cmpi slt, %x, %limit : i64
    %both = arith.andi %acc, %ok : i1
    scf.yield %both : i1
  }
  cf.assert %all, "an index is out of range"
  return
}

// A loop that runs other ops per iteration stays in host code: each of
// them becomes a kernel of its own (a parallel loop, later).
// CHECK-LABEL: func.func @per_step
// CHECK-NOT:   scf.parallel
// CHECK:       scf.for
// CHECK-NEXT:    linalg.generic
func.func @per_step(%state: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c3 step %c1 {
    linalg.generic {indexing_maps = [affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
        outs(%state : memref<4xf32>) {
    ^bb0(%x: f32):
      %y = arith.addf %x, %x : f32
      linalg.yield %y : f32
    }
  }
  return
}
