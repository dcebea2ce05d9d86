// RUN: smelt-opt %s --split-input-file --smelt-cpu-outline-parallel-loops | FileCheck %s

// A loop over 4 column blocks of an output, marked parallel: it becomes a
// call that hands 4 iterations to __smelt_parallel_for. The body function
// runs iterations [begin, end) and rebuilds the two memrefs it uses from
// their aligned pointers and offsets in the frame; the constant is cloned.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %[[IN:.+]]: memref<8x64xf32>, %[[OUT:.+]]: memref<8x64xf32>)
// CHECK:         %[[SLOTS:.+]] = llvm.mlir.constant(4 : i64) : i64
// CHECK:         %[[FRAME:.+]] = llvm.alloca %[[SLOTS]] x i64 : (i64) -> !llvm.ptr
// CHECK:         memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK:         memref.extract_strided_metadata %[[IN]]
// CHECK:         memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK:         %[[COUNT:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK-COUNT-4: llvm.store
// CHECK:         %[[BODY:.+]] = constant @main_parallel : (!llvm.ptr, i64, i64) -> ()
// CHECK:         call @__smelt_parallel_for(%[[COUNT]], %[[BODY]], %[[FRAME]])
// CHECK-NOT:     scf.for
// CHECK:         return
// The body is never inlined into the serial path (a second copy of the
// kernel).
// CHECK-LABEL: func.func private @main_parallel(
// CHECK-SAME:      %[[CTX:.+]]: !llvm.ptr, %[[BEGIN:.+]]: i64, %[[END:.+]]: i64)
// CHECK-SAME:      attributes {passthrough = ["noinline"]}
// CHECK:         llvm.load
// CHECK:         builtin.unrealized_conversion_cast %{{.+}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<8x64xf32>
// CHECK:         %[[B:.+]] = arith.index_castui %[[BEGIN]] : i64 to index
// CHECK:         %[[E:.+]] = arith.index_castui %[[END]] : i64 to index
// CHECK:         scf.for %[[I:.+]] = %[[B]] to %[[E]]
// CHECK:           arith.muli %[[I]]
// CHECK:           memref.subview
// CHECK:           linalg.copy
// CHECK:       func.func private @__smelt_parallel_for(i64, (!llvm.ptr, i64, i64) -> (), !llvm.ptr)
func.func @main(%in: memref<8x64xf32>, %out: memref<8x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %j = %c0 to %c64 step %c16 {
    %a = memref.subview %in[0, %j] [8, 16] [1, 1] : memref<8x64xf32> to memref<8x16xf32, strided<[64, 1], offset: ?>>
    %b = memref.subview %out[0, %j] [8, 16] [1, 1] : memref<8x64xf32> to memref<8x16xf32, strided<[64, 1], offset: ?>>
    linalg.copy ins(%a : memref<8x16xf32, strided<[64, 1], offset: ?>>) outs(%b : memref<8x16xf32, strided<[64, 1], offset: ?>>)
  } {smelt.parallel}
  return
}

// -----

// A memref with dynamic sizes cannot be rebuilt from a pointer: the loop
// stays serial, without its mark, and nothing is declared.
// CHECK-LABEL: func.func @main(
// CHECK:         scf.for
// CHECK-NOT:     smelt.parallel
// CHECK-NOT:     __smelt_parallel_for
func.func @main(%in: memref<?x64xf32>, %out: memref<?x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %j = %c0 to %c64 step %c16 {
    %a = memref.subview %in[0, %j] [4, 16] [1, 1] : memref<?x64xf32> to memref<4x16xf32, strided<[64, 1], offset: ?>>
    %b = memref.subview %out[0, %j] [4, 16] [1, 1] : memref<?x64xf32> to memref<4x16xf32, strided<[64, 1], offset: ?>>
    linalg.copy ins(%a : memref<4x16xf32, strided<[64, 1], offset: ?>>) outs(%b : memref<4x16xf32, strided<[64, 1], offset: ?>>)
  } {smelt.parallel}
  return
}
