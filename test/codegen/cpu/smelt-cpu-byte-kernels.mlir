// RUN: smelt-opt %s --split-input-file --smelt-cpu-byte-kernels | FileCheck %s

// AVX512-VNNI: 8 rows x 32 columns (two vectors of 16 i32) of C stay in
// registers across the 5 steps of the reduction; each step loads B's 2 x 64
// bytes once, broadcasts 4 bytes of each A row and issues vpdpbusd. The
// column-panel loop is outermost and marked for the threads.
// CHECK-LABEL: func.func @vnni
// CHECK-DAG:   %[[A:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : memref<2x5x8x4xi8> into memref<2x5x32xi8>
// CHECK-DAG:   %[[B:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : memref<3x5x32x4xi8> into memref<3x5x128xi8>
// CHECK-DAG:   %[[C:.+]] = memref.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : memref<2x3x8x32xi32> into memref<2x3x256xi32>
// CHECK:       scf.for %[[N1:.+]] = %{{.+}} to %{{.+}} step
// CHECK:         scf.for %[[M1:.+]] = %{{.+}} to %{{.+}} step
// CHECK-COUNT-16: vector.load %[[C]][%[[M1]], %[[N1]], %{{.+}}] : memref<2x3x256xi32>, vector<16xi32>
// CHECK:           scf.for %[[K1:.+]] = {{.+}} iter_args(
// CHECK-COUNT-2:     vector.load %[[B]][%[[N1]], %[[K1]], %{{.+}}] : memref<3x5x128xi8>, vector<64xi8>
// CHECK:             %[[ROW:.+]] = vector.load %[[A]][%[[M1]], %[[K1]], %{{.+}}] : memref<2x5x32xi8>, vector<4xi8>
// CHECK:             %[[WORD:.+]] = vector.bitcast %[[ROW]] : vector<4xi8> to vector<1xi32>
// CHECK:             %[[BC:.+]] = vector.broadcast %{{.+}} : i32 to vector<16xi32>
// CHECK:             %[[BYTES:.+]] = vector.bitcast %[[BC]] : vector<16xi32> to vector<64xi8>
// CHECK:             llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[BYTES]], %{{.+}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK-COUNT-15:    llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK:             scf.yield
// CHECK-COUNT-16: vector.store %{{.+}}, %[[C]][%[[M1]], %[[N1]], %{{.+}}] : memref<2x3x256xi32>, vector<16xi32>
// CHECK:       } {smelt.parallel}
// CHECK-NOT:   linalg.generic
#pa = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, k1, m0, k0)>
#pb = affine_map<(m1, n1, k1, m0, n0, k0) -> (n1, k1, n0, k0)>
#pc = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, n1, m0, n0)>
module attributes {smelt.cpu_target = {triple = "x86_64-unknown-linux-gnu", vector_bits = 512 : i64, vector_registers = 32 : i64, enabled_features = "avx2 avx512f avx512bw avx512vnni"}} {
  func.func @vnni(%a: memref<2x5x8x4xi8>, %b: memref<3x5x32x4xi8>, %c: memref<2x3x8x32xi32>) {
    linalg.generic {indexing_maps = [#pa, #pb, #pc], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<2x5x8x4xi8>, memref<3x5x32x4xi8>) outs(%c : memref<2x3x8x32xi32>) {
    ^bb0(%x: i8, %w: i8, %acc: i32):
      %xe = arith.extui %x : i8 to i32
      %we = arith.extsi %w : i8 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    }
    return
  }
}

// -----

// AVX2 without VNNI: vpmaddwd on pairs that smelt-cpu-data-tiling widened
// to i16 when it packed them (exact: no saturation), 4 rows x 16 columns.
// Each step loads B's two vectors of pairs as they are and broadcasts each
// A row's pair as one 32-bit word: nothing is widened in the loop.
// CHECK-LABEL: func.func @avx2
// CHECK:       scf.for
// CHECK:         scf.for
// CHECK-COUNT-8: vector.load %{{.+}} : memref<2x3x64xi32>, vector<8xi32>
// CHECK:           scf.for
// CHECK:             %[[COLS:.+]] = vector.load %{{.+}} : memref<3x5x32xi16>, vector<16xi16>
// CHECK:             vector.load %{{.+}} : memref<3x5x32xi16>, vector<16xi16>
// CHECK:             %[[PAIR:.+]] = vector.load %{{.+}} : memref<2x5x8xi16>, vector<2xi16>
// CHECK:             %[[WORD:.+]] = vector.bitcast %[[PAIR]] : vector<2xi16> to vector<1xi32>
// CHECK:             %[[BC:.+]] = vector.broadcast %{{.+}} : i32 to vector<8xi32>
// CHECK:             %[[A:.+]] = vector.bitcast %[[BC]] : vector<8xi32> to vector<16xi16>
// CHECK:             %[[DOT:.+]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[A]], %[[COLS]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK:             arith.addi %{{.+}}, %[[DOT]] : vector<8xi32>
// CHECK-COUNT-7:     llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// CHECK-NOT:         arith.ext
// CHECK:             scf.yield
// CHECK-COUNT-8: vector.store %{{.+}} : memref<2x3x64xi32>, vector<8xi32>
// CHECK:       } {smelt.parallel}
#pa = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, k1, m0, k0)>
#pb = affine_map<(m1, n1, k1, m0, n0, k0) -> (n1, k1, n0, k0)>
#pc = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, n1, m0, n0)>
module attributes {smelt.cpu_target = {triple = "x86_64-unknown-linux-gnu", vector_bits = 256 : i64, vector_registers = 16 : i64, enabled_features = "avx avx2 fma"}} {
  func.func @avx2(%a: memref<2x5x4x2xi16>, %b: memref<3x5x16x2xi16>, %c: memref<2x3x4x16xi32>) {
    linalg.generic {indexing_maps = [#pa, #pb, #pc], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<2x5x4x2xi16>, memref<3x5x16x2xi16>) outs(%c : memref<2x3x4x16xi32>) {
    ^bb0(%x: i16, %w: i16, %acc: i32):
      %xe = arith.extui %x : i16 to i32
      %we = arith.extsi %w : i16 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    }
    return
  }
}

// -----

// The same product on bytes is not the AVX2 kernel's layout (it takes the
// pairs widened): it is left to the loop lowering.
// CHECK-LABEL: func.func @avx2_bytes
// CHECK-NOT:   llvm.call_intrinsic
// CHECK:       linalg.generic
#pa = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, k1, m0, k0)>
#pb = affine_map<(m1, n1, k1, m0, n0, k0) -> (n1, k1, n0, k0)>
#pc = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, n1, m0, n0)>
module attributes {smelt.cpu_target = {triple = "x86_64-unknown-linux-gnu", vector_bits = 256 : i64, vector_registers = 16 : i64, enabled_features = "avx avx2 fma"}} {
  func.func @avx2_bytes(%a: memref<2x5x4x2xi8>, %b: memref<3x5x16x2xi8>, %c: memref<2x3x4x16xi32>) {
    linalg.generic {indexing_maps = [#pa, #pb, #pc], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<2x5x4x2xi8>, memref<3x5x16x2xi8>) outs(%c : memref<2x3x4x16xi32>) {
    ^bb0(%x: i8, %w: i8, %acc: i32):
      %xe = arith.extui %x : i8 to i32
      %we = arith.extsi %w : i8 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    }
    return
  }
}

// -----

// Any other target (here 128-bit AArch64): one byte of the reduction a
// step, widened to i32 and multiplied, 8 rows x 8 columns.
// CHECK-LABEL: func.func @widen
// CHECK:             %[[BYTE:.+]] = vector.load %{{.+}} : memref<2x5x8xi8>, vector<1xi8>
// CHECK:             %[[X:.+]] = vector.extract %[[BYTE]][0] : i8 from vector<1xi8>
// CHECK:             %[[XW:.+]] = arith.extui %[[X]] : i8 to i32
// CHECK:             %[[XB:.+]] = vector.broadcast %[[XW]] : i32 to vector<4xi32>
// CHECK:             %[[W:.+]] = arith.extsi %{{.+}} : vector<4xi8> to vector<4xi32>
// CHECK:             %[[P:.+]] = arith.muli %[[XB]], %[[W]] : vector<4xi32>
// CHECK:             arith.addi %{{.+}}, %[[P]] : vector<4xi32>
// CHECK-NOT:         llvm.call_intrinsic
#pa = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, k1, m0, k0)>
#pb = affine_map<(m1, n1, k1, m0, n0, k0) -> (n1, k1, n0, k0)>
#pc = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, n1, m0, n0)>
module attributes {smelt.cpu_target = {triple = "aarch64-unknown-linux-gnu", vector_bits = 128 : i64, vector_registers = 32 : i64, enabled_features = "neon"}} {
  func.func @widen(%a: memref<2x5x8x1xi8>, %b: memref<3x5x8x1xi8>, %c: memref<2x3x8x8xi32>) {
    linalg.generic {indexing_maps = [#pa, #pb, #pc], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<2x5x8x1xi8>, memref<3x5x8x1xi8>) outs(%c : memref<2x3x8x8xi32>) {
    ^bb0(%x: i8, %w: i8, %acc: i32):
      %xe = arith.extui %x : i8 to i32
      %we = arith.extsi %w : i8 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    }
    return
  }
}

// -----

// A packed product whose tiles are not the target's (here 4-byte groups on
// a target without VNNI) is left to the loop lowering.
// CHECK-LABEL: func.func @other_tiles
// CHECK:       linalg.generic
// CHECK-NOT:   scf.for
#pa = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, k1, m0, k0)>
#pb = affine_map<(m1, n1, k1, m0, n0, k0) -> (n1, k1, n0, k0)>
#pc = affine_map<(m1, n1, k1, m0, n0, k0) -> (m1, n1, m0, n0)>
module attributes {smelt.cpu_target = {triple = "x86_64-unknown-linux-gnu", vector_bits = 256 : i64, vector_registers = 16 : i64, enabled_features = "avx avx2 fma"}} {
  func.func @other_tiles(%a: memref<2x5x4x4xi8>, %b: memref<3x5x16x4xi8>, %c: memref<2x3x4x16xi32>) {
    linalg.generic {indexing_maps = [#pa, #pb, #pc], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]}
        ins(%a, %b : memref<2x5x4x4xi8>, memref<3x5x16x4xi8>) outs(%c : memref<2x3x4x16xi32>) {
    ^bb0(%x: i8, %w: i8, %acc: i32):
      %xe = arith.extui %x : i8 to i32
      %we = arith.extsi %w : i8 to i32
      %p = arith.muli %xe, %we : i32
      %s = arith.addi %acc, %p : i32
      linalg.yield %s : i32
    }
    return
  }
}
