// RUN: smelt-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(smelt-cpu-parallel-tiles))' | FileCheck %s

// An elementwise op of 131072 iterations: its first dim of extent > 1 (the
// 64 channels) is cut into 16 tiles of 4, in a loop marked for the threads.
// CHECK-LABEL: func.func @elementwise
// CHECK-DAG:     %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG:     %[[C64:.+]] = arith.constant 64 : index
// CHECK:         scf.for %[[C:.+]] = %{{.+}} to %[[C64]] step %[[C4]] {
// CHECK:           memref.subview %{{.+}}[0, %[[C]], 0, 0] [1, 4, 64, 32] [1, 1, 1, 1]
// CHECK:           linalg.generic
// CHECK-SAME:        outs(%{{.+}} : memref<1x4x64x32xf32, strided<[131072, 2048, 32, 1], offset: ?>>)
// CHECK:         } {smelt.parallel}
#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
func.func @elementwise(%x: memref<1x64x64x32xf32>, %y: memref<1x64x64x32xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x64x64x32xf32>) outs(%y : memref<1x64x64x32xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.maximumf %a, %a : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A row reduction: the reduced dim is never split, so every output element
// sums its row in the same order on any thread. 100 rows need tiles of at
// least 7 for 16 tiles or fewer; 10 is the first size from there that
// divides 100, so all 10 tiles are the same size.
// CHECK-LABEL: func.func @rows
// CHECK-DAG:     %[[C10:.+]] = arith.constant 10 : index
// CHECK:         scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C10]] {
// CHECK:           linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "reduction"]
// CHECK:         } {smelt.parallel}
#in = affine_map<(i, j) -> (i, j)>
#out = affine_map<(i, j) -> (i)>
func.func @rows(%x: memref<100x2048xf32>, %y: memref<100xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<100x2048xf32>) outs(%y : memref<100xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left alone: too small to pay for waking threads, a fill, and an op inside
// a loop that already runs on the threads.
// CHECK-LABEL: func.func @untouched
// CHECK-NOT:     scf.for {{.*}}smelt.parallel
// CHECK:         linalg.generic
// CHECK:         linalg.fill
// CHECK:         scf.for
// CHECK:           linalg.generic
// CHECK:         } {smelt.parallel}
// CHECK-NOT:     smelt.parallel
#id = affine_map<(i, j) -> (i, j)>
func.func @untouched(%x: memref<64x64xf32>, %y: memref<64x64xf32>, %big: memref<512x512xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<64x64xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%big : memref<512x512xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%big : memref<512x512xf32>) outs(%big : memref<512x512xf32>) {
    ^bb0(%a: f32, %b: f32):
      linalg.yield %a : f32
    }
  } {smelt.parallel}
  return
}
