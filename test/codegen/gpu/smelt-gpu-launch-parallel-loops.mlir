// RUN: smelt-opt %s --smelt-gpu-launch-parallel-loops=block-size=128 | FileCheck %s

// A 2-D parallel loop of 6 x n iterations becomes one 1-D launch: the host
// counts the iterations, launches ceil(count / 128) blocks of 128 threads
// only when there is at least one, and each thread takes the iteration of
// its linear index, the innermost dim fastest.
// CHECK-LABEL: func.func @scale
// CHECK-SAME:    (%[[IN:.+]]: memref<6x?xf32>, %[[OUT:.+]]: memref<6x?xf32>, %[[N:.+]]: index)
// CHECK-NOT:   scf.parallel
// CHECK:       %[[ROWS:.+]] = arith.ceildivui %{{.+}}, %{{.+}} : index
// CHECK:       %[[ROWS_TOTAL:.+]] = arith.muli %{{.+}}, %[[ROWS]] : index
// CHECK:       %[[COLS:.+]] = arith.ceildivui %{{.+}}, %{{.+}} : index
// CHECK:       %[[TOTAL:.+]] = arith.muli %[[ROWS_TOTAL]], %[[COLS]] : index
// CHECK:       %[[THREADS:.+]] = arith.constant 128 : index
// CHECK:       %[[BLOCKS:.+]] = arith.ceildivui %[[TOTAL]], %[[THREADS]] : index
// CHECK:       %[[ANY:.+]] = arith.cmpi ugt, %[[TOTAL]], %{{.+}} : index
// CHECK:       scf.if %[[ANY]] {
// CHECK:         gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[BLOCKS]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%[[BDX:.+]] = %[[THREADS]],
// CHECK:           %[[BASE:.+]] = arith.muli %[[BX]], %[[BDX]] : index
// CHECK:           %[[LINEAR:.+]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK:           %[[INSIDE:.+]] = arith.cmpi ult, %[[LINEAR]], %[[TOTAL]] : index
// CHECK:           scf.if %[[INSIDE]] {
// CHECK:             %[[J:.+]] = arith.remui %[[LINEAR]], %[[COLS]] : index
// CHECK:             %[[REST:.+]] = arith.divui %[[LINEAR]], %[[COLS]] : index
// CHECK:             %[[COL:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK:             %[[ROW:.+]] = arith.addi %{{.+}}, %{{.+}} : index
// CHECK:             memref.load %[[IN]][%[[ROW]], %[[COL]]] : memref<6x?xf32>
// CHECK:             memref.store %{{.+}}, %[[OUT]][%[[ROW]], %[[COL]]] : memref<6x?xf32>
// CHECK:           gpu.terminator
func.func @scale(%in: memref<6x?xf32>, %out: memref<6x?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c6, %n) step (%c1, %c1) {
    %x = memref.load %in[%i, %j] : memref<6x?xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %out[%i, %j] : memref<6x?xf32>
    scf.reduce
  }
  return
}

// A reduction loop inside the parallel one stays sequential in the thread.
// CHECK-LABEL: func.func @row_sums
// CHECK:       gpu.launch
// CHECK:         scf.for
// CHECK-NOT:   scf.parallel
func.func @row_sums(%in: memref<4x8xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c8 step %c1 {
      %x = memref.load %in[%i, %k] : memref<4x8xf32>
      %acc = memref.load %out[%i] : memref<4xf32>
      %s = arith.addf %acc, %x : f32
      memref.store %s, %out[%i] : memref<4xf32>
    }
    scf.reduce
  }
  return
}
