// RUN: smelt-opt %s --split-input-file --smelt-cpu-plan-memory | FileCheck %s

// Three 256-byte buffers in a chain of copies. %a and %b are both live when
// %b is filled, as are %b and %c; %a is dead by the time %c is allocated,
// so %c reuses its bytes: 512 bytes for 768 bytes of buffers.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 768 : i64, buffers = 3 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 512 : i64}}
// CHECK:       func.func @main(%[[IN:.+]]: memref<64xf32>, %[[OUT:.+]]: memref<64xf32>, %[[WS:.+]]: memref<512xi8> {smelt.workspace})
// CHECK-NOT:   memref.alloc
// CHECK:       %[[ZERO:.+]] = arith.constant 0 : index
// CHECK:       %[[A:.+]] = memref.view %[[WS]][%[[ZERO]]][] : memref<512xi8> to memref<64xf32>
// CHECK:       linalg.copy ins(%[[IN]] : memref<64xf32>) outs(%[[A]] : memref<64xf32>)
// CHECK:       %[[SECOND:.+]] = arith.constant 256 : index
// CHECK:       memref.view %[[WS]][%[[SECOND]]][] : memref<512xi8> to memref<64xf32>
// CHECK:       %[[ZERO2:.+]] = arith.constant 0 : index
// CHECK:       memref.view %[[WS]][%[[ZERO2]]][] : memref<512xi8> to memref<64xf32>
func.func @main(%in: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%a : memref<64xf32>)
  %b = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  linalg.copy ins(%a : memref<64xf32>) outs(%b : memref<64xf32>)
  %c = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  linalg.copy ins(%b : memref<64xf32>) outs(%c : memref<64xf32>)
  linalg.copy ins(%c : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// An elementwise op that reads %a for the last time writes %b over it: same
// size, same index in every iteration. The workspace is one buffer.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 512 : i64, buffers = 2 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 1 : i64, run_time_buffers = 0 : i64, size = 256 : i64}}
// CHECK:       %[[OFF_A:.+]] = arith.constant 0 : index
// CHECK:       %[[A:.+]] = memref.view %{{.+}}[%[[OFF_A]]][] : memref<256xi8> to memref<8x8xf32>
// CHECK:       %[[OFF_B:.+]] = arith.constant 0 : index
// CHECK:       %[[B:.+]] = memref.view %{{.+}}[%[[OFF_B]]][] : memref<256xi8> to memref<8x8xf32>
// CHECK:       linalg.generic
// CHECK-SAME:  ins(%[[A]] : memref<8x8xf32>) outs(%[[B]] : memref<8x8xf32>)
#id = affine_map<(i, j) -> (i, j)>
func.func @main(%in: memref<8x8xf32>, %out: memref<8x8xf32>) {
  %a = memref.alloc() : memref<8x8xf32>
  linalg.copy ins(%in : memref<8x8xf32>) outs(%a : memref<8x8xf32>)
  %b = memref.alloc() : memref<8x8xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  }
  linalg.copy ins(%b : memref<8x8xf32>) outs(%out : memref<8x8xf32>)
  return
}

// -----

// Not in place: %a is read transposed (element (j, i) for output (i, j)),
// so writing over it would clobber elements still to be read.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 512 : i64, buffers = 2 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 512 : i64}}
#id = affine_map<(i, j) -> (i, j)>
#t = affine_map<(i, j) -> (j, i)>
func.func @main(%in: memref<8x8xf32>, %out: memref<8x8xf32>) {
  %a = memref.alloc() : memref<8x8xf32>
  linalg.copy ins(%in : memref<8x8xf32>) outs(%a : memref<8x8xf32>)
  %b = memref.alloc() : memref<8x8xf32>
  linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  linalg.copy ins(%b : memref<8x8xf32>) outs(%out : memref<8x8xf32>)
  return
}

// -----

// A view keeps its buffer alive: %a is last touched through %half, after
// %b is filled, so the two cannot share bytes.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 512 : i64, buffers = 2 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 512 : i64}}
func.func @main(%in: memref<64xf32>, %out: memref<32xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%a : memref<64xf32>)
  %half = memref.subview %a[32] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1], offset: 32>>
  %b = memref.alloc() : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%b : memref<64xf32>)
  %bhalf = memref.subview %b[0] [32] [1] : memref<64xf32> to memref<32xf32, strided<[1]>>
  linalg.add ins(%half, %bhalf : memref<32xf32, strided<[1], offset: 32>>, memref<32xf32, strided<[1]>>)
             outs(%out : memref<32xf32>)
  return
}

// -----

// The two branches of an scf.if never run together: their buffers share
// bytes.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 512 : i64, buffers = 2 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 256 : i64}}
func.func @main(%c: i1, %in: memref<64xf32>, %out: memref<64xf32>) {
  scf.if %c {
    %t = memref.alloc() : memref<64xf32>
    linalg.copy ins(%in : memref<64xf32>) outs(%t : memref<64xf32>)
    linalg.copy ins(%t : memref<64xf32>) outs(%out : memref<64xf32>)
  } else {
    %e = memref.alloc() : memref<64xf32>
    linalg.copy ins(%in : memref<64xf32>) outs(%e : memref<64xf32>)
    linalg.copy ins(%e : memref<64xf32>) outs(%out : memref<64xf32>)
  }
  return
}

// -----

// A buffer yielded by a branch lives as long as the scf.if's result; both
// branches' buffers and %u are live together when %u is filled.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 768 : i64, buffers = 3 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 768 : i64}}
// CHECK:       scf.if
// CHECK:         memref.view
// CHECK:         scf.yield
// CHECK:         memref.view
// CHECK:         scf.yield
func.func @main(%c: i1, %in: memref<64xf32>, %out: memref<64xf32>) {
  %r = scf.if %c -> memref<64xf32> {
    %t = memref.alloc() : memref<64xf32>
    linalg.copy ins(%in : memref<64xf32>) outs(%t : memref<64xf32>)
    scf.yield %t : memref<64xf32>
  } else {
    %e = memref.alloc() : memref<64xf32>
    linalg.copy ins(%in : memref<64xf32>) outs(%e : memref<64xf32>)
    scf.yield %e : memref<64xf32>
  }
  %u = memref.alloc() : memref<64xf32>
  linalg.copy ins(%r : memref<64xf32>) outs(%u : memref<64xf32>)
  linalg.copy ins(%u : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// A buffer used inside a loop lives for the whole loop; two buffers of the
// loop body that are used one after the other share bytes (each iteration
// is done with both before the next begins).
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 768 : i64, buffers = 3 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 512 : i64}}
func.func @main(%in: memref<64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %o = memref.alloc() : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%o : memref<64xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    %t1 = memref.alloc() : memref<64xf32>
    linalg.copy ins(%o : memref<64xf32>) outs(%t1 : memref<64xf32>)
    linalg.copy ins(%t1 : memref<64xf32>) outs(%out : memref<64xf32>)
    %t2 = memref.alloc() : memref<64xf32>
    linalg.copy ins(%out : memref<64xf32>) outs(%t2 : memref<64xf32>)
    linalg.copy ins(%t2 : memref<64xf32>) outs(%o : memref<64xf32>)
  }
  linalg.copy ins(%o : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// A buffer carried from one iteration to the next would need two slots: it
// stays on the heap.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, dynamic_buffers = 0 : i64, heap_buffers = 1 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 0 : i64}}
// CHECK:       scf.for
// CHECK:         memref.alloc() : memref<64xf32>
func.func @main(%in: memref<64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%b = %in) -> memref<64xf32> {
    %n = memref.alloc() : memref<64xf32>
    linalg.copy ins(%b : memref<64xf32>) outs(%n : memref<64xf32>)
    scf.yield %n : memref<64xf32>
  }
  linalg.copy ins(%r : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// Left to the heap: a size the model reads from memory (counted apart), a
// buffer returned to the caller, and a buffer inside scf.forall (one per
// concurrent iteration). Nothing is planned, so the signature is unchanged.
// A zero-element buffer becomes a zero-byte alloca.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, dynamic_buffers = 1 : i64, heap_buffers = 3 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 0 : i64}}
// CHECK:       func.func @main(%{{.+}}: memref<1xindex>, %{{.+}}: memref<4xf32>) -> memref<8xf32> {
// CHECK:       memref.alloc(%{{.+}}) : memref<?xf32>
// CHECK:       memref.alloca() : memref<0x4xf32>
// CHECK:       memref.alloc() : memref<8xf32>
// CHECK:       scf.forall
// CHECK:         memref.alloc() : memref<4xf32>
func.func @main(%sizes: memref<1xindex>, %out: memref<4xf32>) -> memref<8xf32> {
  %cst = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %n = memref.load %sizes[%c0] : memref<1xindex>
  %dyn = memref.alloc(%n) : memref<?xf32>
  linalg.fill ins(%cst : f32) outs(%dyn : memref<?xf32>)
  %empty = memref.alloc() : memref<0x4xf32>
  linalg.fill ins(%cst : f32) outs(%empty : memref<0x4xf32>)
  %ret = memref.alloc() : memref<8xf32>
  linalg.fill ins(%cst : f32) outs(%ret : memref<8xf32>)
  scf.forall (%i) in (2) {
    %tmp = memref.alloc() : memref<4xf32>
    linalg.fill ins(%cst : f32) outs(%tmp : memref<4xf32>)
    linalg.copy ins(%tmp : memref<4xf32>) outs(%out : memref<4xf32>)
  }
  return %ret : memref<8xf32>
}

// -----

// A function that returns a buffer and allocates one of a run-time size (a
// model with dynamic dims): its three static intermediates are planned as
// anywhere else (512 bytes for 768: %t3 reuses %t1's bytes), in the arena
// it now takes as its last argument (the entry point passes the caller's
// workspace, or one it allocates for the run). The returned buffer stays an
// allocation of its own; the one of a run-time size is a view of the block
// placed at its entry: past the 512 planned bytes of the workspace, which
// has the caller's size, when it has room there, else allocated. The
// function reports the 512 bytes plus the block's.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 768 : i64, buffers = 3 : i64, dynamic_buffers = 0 : i64, heap_buffers = 1 : i64, in_place = 0 : i64, run_time_buffers = 1 : i64, size = 512 : i64}}
// CHECK:       func.func @dynamic(%[[IN:.+]]: memref<64xf32>, %[[N:.+]]: index, %[[WS:.+]]: memref<?xi8> {smelt.workspace}, %[[NEEDED:.+]]: memref<1xi64> {smelt.workspace_needed}) -> memref<64xf32> {
// CHECK:         %[[TOTAL:.+]] = arith.select %{{.+}}, %c4611686018427387904_i64, %{{.+}} : i64
// CHECK:         %[[PLANNED:.+]] = arith.constant 512 : i64
// CHECK:         %[[NEED:.+]] = arith.addi %[[PLANNED]], %[[TOTAL]] : i64
// CHECK:         memref.store %[[NEED]], %[[NEEDED]][%{{.+}}] : memref<1xi64>
// CHECK:         %[[GIVEN:.+]] = memref.dim %[[WS]], %{{.+}} : memref<?xi8>
// CHECK:         %[[GIVEN64:.+]] = arith.index_castui %[[GIVEN]] : index to i64
// CHECK:         %[[ENOUGH:.+]] = arith.cmpi ule, %[[PLANNED]], %[[GIVEN64]] : i64
// CHECK:         %[[LEFT:.+]] = arith.subi %[[GIVEN64]], %[[PLANNED]] : i64
// CHECK:         %[[ROOM:.+]] = arith.select %[[ENOUGH]], %[[LEFT]], %{{.+}} : i64
// CHECK:         %[[SIZE:.+]] = arith.index_castui %[[TOTAL]] : i64 to index
// CHECK:         %[[FITS:.+]] = arith.cmpi ule, %[[TOTAL]], %[[ROOM]] : i64
// CHECK:         %[[BLOCK:.+]] = scf.if %[[FITS]] -> (memref<?xi8>) {
// CHECK:           %[[PAST:.+]] = arith.index_castui %[[PLANNED]] : i64 to index
// CHECK:           %[[TAIL:.+]] = memref.view %[[WS]][%[[PAST]]][%[[SIZE]]] : memref<?xi8> to memref<?xi8>
// CHECK:           scf.yield %[[TAIL]] : memref<?xi8>
// CHECK:         } else {
// CHECK:           %[[OWN:.+]] = memref.alloc(%[[SIZE]]) {alignment = 64 : i64} : memref<?xi8>
// CHECK:           scf.yield %[[OWN]] : memref<?xi8>
// CHECK:         }
// CHECK:         memref.view %[[WS]][%{{.+}}][] : memref<?xi8> to memref<64xf32>
// CHECK:         memref.view %[[BLOCK]][%{{.+}}][%[[N]]] : memref<?xi8> to memref<?xf32>
// CHECK:         %[[RESULT:.+]] = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
// CHECK:         return %[[RESULT]] : memref<64xf32>
func.func @dynamic(%in: memref<64xf32>, %n: index) -> memref<64xf32> {
  %t1 = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%t1 : memref<64xf32>)
  %t2 = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  linalg.copy ins(%t1 : memref<64xf32>) outs(%t2 : memref<64xf32>)
  %t3 = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  linalg.copy ins(%t2 : memref<64xf32>) outs(%t3 : memref<64xf32>)
  %d = memref.alloc(%n) : memref<?xf32>
  %result = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  linalg.copy ins(%t3 : memref<64xf32>) outs(%result : memref<64xf32>)
  return %result : memref<64xf32>
}

// -----

// Buffers whose sizes follow from the arguments' dims: code at the entry
// computes each one's bytes (4 * n, checked for overflow, rounded up to 64),
// places them first fit in program order and allocates one block. %a and
// %b meet, so %b's offset is searched among 0 and %a's end; %c meets only
// %b and may take %a's bytes. A size that overflows asks for 2^62 bytes,
// which neither the workspace nor an allocation can give. With nothing
// planned, the whole workspace may hold the block.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, dynamic_buffers = 0 : i64, heap_buffers = 0 : i64, in_place = 0 : i64, run_time_buffers = 3 : i64, size = 0 : i64}}
// CHECK:       func.func @chain(%[[IN:.+]]: memref<?xf32>, %[[OUT:.+]]: memref<?xf32>, %[[WS:.+]]: memref<?xi8> {smelt.workspace}, %{{.+}}: memref<1xi64> {smelt.workspace_needed}) {
// CHECK:         %[[N:.+]] = memref.dim %[[IN]], %{{.+}} : memref<?xf32>
// CHECK:         %[[N64:.+]] = arith.index_castui %[[N]] : index to i64
// CHECK:         %[[BYTES:.+]], %[[HIGH:.+]] = arith.mului_extended %{{.+}}, %[[N64]] : i64
// CHECK:         arith.cmpi ne, %[[HIGH]]
// CHECK:         arith.cmpi ugt, %[[BYTES]]
// CHECK:         arith.andi %{{.+}}, %c-64_i64
// CHECK:         arith.minui
// CHECK:         arith.select
// CHECK:         %[[TOTAL:.+]] = arith.select %{{.+}}, %c4611686018427387904_i64, %{{.+}} : i64
// CHECK:         memref.store
// CHECK:         %[[SIZE:.+]] = arith.index_castui %[[TOTAL]] : i64 to index
// CHECK:         %[[BLOCK:.+]] = scf.if %{{.+}} -> (memref<?xi8>) {
// CHECK:           memref.view %[[WS]][%{{.+}}][%[[SIZE]]] : memref<?xi8> to memref<?xi8>
// CHECK:         } else {
// CHECK:           memref.alloc(%[[SIZE]]) {alignment = 64 : i64} : memref<?xi8>
// CHECK:         }
// CHECK-NOT:     memref.alloc
// CHECK:         %[[A:.+]] = memref.view %[[BLOCK]][%{{.+}}][%{{.+}}] : memref<?xi8> to memref<?xf32>
// CHECK:         linalg.copy ins(%[[IN]] : memref<?xf32>) outs(%[[A]] : memref<?xf32>)
// CHECK:         memref.view %[[BLOCK]]
// CHECK:         memref.view %[[BLOCK]]
func.func @chain(%in: memref<?xf32>, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %in, %c0 : memref<?xf32>
  %a = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%in : memref<?xf32>) outs(%a : memref<?xf32>)
  %b = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%a : memref<?xf32>) outs(%b : memref<?xf32>)
  %c = memref.alloc(%n) : memref<?xf32>
  linalg.copy ins(%b : memref<?xf32>) outs(%c : memref<?xf32>)
  linalg.copy ins(%c : memref<?xf32>) outs(%out : memref<?xf32>)
  return
}

// -----

// A size divided by an argument could trap if computed before the checks
// that run first, so it is not moved to the entry: the buffer keeps an
// allocation of its own.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, dynamic_buffers = 1 : i64, heap_buffers = 1 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 0 : i64}}
// CHECK:       arith.divui
// CHECK:       memref.alloc(%{{.+}}) : memref<?xf32>
func.func @divided(%in: memref<?xf32>, %k: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %in, %c0 : memref<?xf32>
  %q = arith.divui %n, %k : index
  %a = memref.alloc(%q) : memref<?xf32>
  linalg.copy ins(%in : memref<?xf32>) outs(%a : memref<?xf32>)
  linalg.copy ins(%a : memref<?xf32>) outs(%out : memref<?xf32>)
  return
}

// -----

// A size read through a reshape whose shape is stored in memory first is
// not moved to the entry (the shape is not written there yet): the buffer
// keeps an allocation of its own.
// CHECK-LABEL: module attributes {smelt.workspace = {align = 64 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, dynamic_buffers = 1 : i64, heap_buffers = 1 : i64, in_place = 0 : i64, run_time_buffers = 0 : i64, size = 0 : i64}}
// CHECK:       memref.store
// CHECK:       memref.reshape
// CHECK:       memref.alloc(%{{.+}}) : memref<?xf32>
func.func @reshaped(%in: memref<?xf32>, %shape: memref<1xindex>, %n: index, %out: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  memref.store %n, %shape[%c0] : memref<1xindex>
  %r = memref.reshape %in(%shape) : (memref<?xf32>, memref<1xindex>) -> memref<?xf32>
  %m = memref.dim %r, %c0 : memref<?xf32>
  %a = memref.alloc(%m) : memref<?xf32>
  linalg.copy ins(%r : memref<?xf32>) outs(%a : memref<?xf32>)
  linalg.copy ins(%a : memref<?xf32>) outs(%out : memref<?xf32>)
  return
}
