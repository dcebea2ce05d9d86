// RUN: smelt-opt %s --split-input-file --smelt-cpu-tile-and-vectorize | FileCheck %s

// AVX2-class target (256-bit vectors): 4x16 register tiles. The accumulators
// are loaded once per tile, carried through the K loop in registers (one
// B row load and four broadcast FMAs per step) and stored once.
// CHECK-LABEL: func.func @matmul_avx2
// CHECK:       scf.for %[[N:.+]] = %{{.+}} to %{{.+}} step %c16
// CHECK:         scf.for %[[M:.+]] = %{{.+}} to %{{.+}} step %c4
// CHECK-COUNT-4:   vector.load %{{.+}} : memref<8x32xf32>, vector<16xf32>
// CHECK:           scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<4x16xf32>)
// CHECK:             vector.load %{{.+}} : memref<64x32xf32>, vector<16xf32>
// CHECK-COUNT-4:     vector.fma {{.+}} : vector<16xf32>
// CHECK:             scf.yield
// CHECK-COUNT-4:   vector.store %{{.+}} : memref<8x32xf32>, vector<16xf32>
// CHECK-NOT:   linalg.matmul
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @matmul_avx2(%a: memref<8x64xf32>, %b: memref<64x32xf32>, %c: memref<8x32xf32>) {
    linalg.matmul ins(%a, %b : memref<8x64xf32>, memref<64x32xf32>) outs(%c : memref<8x32xf32>)
    return
  }
}

// -----

// AVX-512-class target (512-bit vectors, 32 registers): 8 rows of 32 floats
// (16 accumulator registers).
// CHECK-LABEL: func.func @matmul_avx512
// CHECK:         scf.for {{.+}} -> (vector<8x32xf32>)
// CHECK-COUNT-8:   vector.fma {{.+}} : vector<32xf32>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @matmul_avx512(%a: memref<8x16xf32>, %b: memref<16x64xf32>, %c: memref<8x64xf32>) {
    linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x64xf32>) outs(%c : memref<8x64xf32>)
    return
  }
}

// -----

// Sizes that the register tile does not divide: the peeled edge tiles of a
// static matmul have static sizes too, so they become smaller vector kernels
// (2 rows; 4 columns) instead of scalar loops.
// CHECK-LABEL: func.func @edges
// CHECK:       scf.for {{.+}} -> (vector<4x16xf32>)
// CHECK:       scf.for {{.+}} -> (vector<2x16xf32>)
// CHECK:       scf.for {{.+}} -> (vector<4x4xf32>)
// CHECK:       scf.for {{.+}} -> (vector<2x4xf32>)
// CHECK-NOT:   linalg.matmul
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @edges(%a: memref<6x64xf32>, %b: memref<64x20xf32>, %c: memref<6x20xf32>) {
    linalg.matmul ins(%a, %b : memref<6x64xf32>, memref<64x20xf32>) outs(%c : memref<6x20xf32>)
    return
  }
}

// -----

// Register tiles are a power of two wide, the peeled last one included.
// Two rows of 96 columns are tiles of 64 and 32 (a row of six vectors is
// assembled lane by lane by LLVM); 24 columns are a tile of 16 and one of
// 8 (one and a half vectors would be shuffled element by element).
// CHECK-LABEL: func.func @power_of_two_widths
// CHECK:       scf.for {{.+}} -> (vector<2x64xf32>)
// CHECK:       scf.for {{.+}} -> (vector<2x32xf32>)
// CHECK-NOT:   vector<2x96xf32>
// CHECK-LABEL: func.func @vector_and_a_half
// CHECK:       scf.for {{.+}} -> (vector<16x16xf32>)
// CHECK:       scf.for {{.+}} -> (vector<16x8xf32>)
// CHECK-NOT:   vector<16x24xf32>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @power_of_two_widths(%a: memref<2x96xf32>, %b: memref<96x96xf32>, %c: memref<2x96xf32>) {
    linalg.matmul ins(%a, %b : memref<2x96xf32>, memref<96x96xf32>) outs(%c : memref<2x96xf32>)
    return
  }
  func.func @vector_and_a_half(%a: memref<32x24xf32>, %b: memref<24x24xf32>, %c: memref<32x24xf32>) {
    linalg.matmul ins(%a, %b : memref<32x24xf32>, memref<24x24xf32>) outs(%c : memref<32x24xf32>)
    return
  }
}

// -----

// A batched contraction generic (MatMul with batch dims): one batch at a
// time, then the same register tile.
// CHECK-LABEL: func.func @batched
// CHECK:       scf.for %{{.+}} = %c0 to %c2 step %c1
// CHECK:         scf.for {{.+}} -> (vector<1x4x16xf32>)
// CHECK-COUNT-4:   vector.fma {{.+}} : vector<16xf32>
// CHECK-NOT:   linalg.generic
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#bm = affine_map<(b, m, n, k) -> (b, k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @batched(%a: memref<2x8x16xf32>, %b: memref<2x16x32xf32>, %c: memref<2x8x32xf32>) {
    linalg.generic {indexing_maps = [#a, #bm, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x8x16xf32>, memref<2x16x32xf32>) outs(%c : memref<2x8x32xf32>) {
    ^bb0(%x: f32, %y: f32, %z: f32):
      %p = arith.mulf %x, %y : f32
      %s = arith.addf %z, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// Large enough for cache blocking: N in blocks of 256, K in blocks of
// 16 KiB / (16 columns * 4 bytes) = 256, M in blocks of 128.
// CHECK-LABEL: func.func @blocked
// CHECK:       scf.for %{{.+}} = %c0 to %c512 step %c256
// CHECK:         scf.for %{{.+}} = %c0 to %c512 step %c256
// CHECK:           scf.for %{{.+}} = %c0 to %c256 step %c128
// CHECK:             scf.for {{.+}} step %c16
// CHECK:               scf.for {{.+}} step %c4
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @blocked(%a: memref<256x512xf32>, %b: memref<512x512xf32>, %c: memref<256x512xf32>) {
    linalg.matmul ins(%a, %b : memref<256x512xf32>, memref<512x512xf32>) outs(%c : memref<256x512xf32>)
    return
  }
}

// -----

// No vector kernel for integer products yet, nor for dynamic shapes: untouched.
// CHECK-LABEL: func.func @untouched
// CHECK-NEXT:  linalg.matmul
// CHECK-NEXT:  linalg.matmul
// CHECK-NEXT:  return
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @untouched(%a: memref<4x16xi32>, %b: memref<16x32xi32>, %c: memref<4x32xi32>,
                       %d: memref<?x16xf32>, %e: memref<16x32xf32>, %f: memref<?x32xf32>) {
    linalg.matmul ins(%a, %b : memref<4x16xi32>, memref<16x32xi32>) outs(%c : memref<4x32xi32>)
    linalg.matmul ins(%d, %e : memref<?x16xf32>, memref<16x32xf32>) outs(%f : memref<?x32xf32>)
    return
  }
}

// -----

// Static copies (slices, pads, im2col rows) become vector row copies in
// chunks of four registers (32 floats with 256-bit vectors): a 70-float row
// is two full chunks and a 6-float tail, each one load and one store.
// CHECK-LABEL: func.func @copy_rows
// CHECK:       scf.for %{{.+}} = %c0 to %c3 step %c1
// CHECK:         scf.for %{{.+}} = %c0 to %c64 step %c32
// CHECK:           vector.load %{{.+}} : memref<3x80xf32>, vector<32xf32>
// CHECK:           vector.store %{{.+}} : memref<3x70xf32>, vector<32xf32>
// CHECK:         vector.load %{{.+}} : memref<3x80xf32>, vector<6xf32>
// CHECK:         vector.store %{{.+}} : memref<3x70xf32>, vector<6xf32>
// CHECK-NOT:   linalg.copy
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @copy_rows(%a: memref<3x80xf32>, %b: memref<3x70xf32>) {
    %s = memref.subview %a[0, 5] [3, 70] [1, 1] : memref<3x80xf32> to memref<3x70xf32, strided<[80, 1], offset: 5>>
    linalg.copy ins(%s : memref<3x70xf32, strided<[80, 1], offset: 5>>) outs(%b : memref<3x70xf32>)
    return
  }
}

// -----

// A copy big enough for the threads (here 512 x 512 floats, packing an
// activation) is first cut into 16 tiles of rows in a loop marked parallel,
// then each tile into vector row copies, as above.
// CHECK-LABEL: func.func @copy_for_threads
// CHECK:       scf.for %{{.+}} = %c0 to %c512 step %c32 {
// CHECK:         scf.for %{{.+}} = %c0 to %c32 step %c1
// CHECK:           scf.for %{{.+}} = %c0 to %c512 step %c32
// CHECK:             vector.load %{{.+}} : memref<512x512xf32>, vector<32xf32>
// CHECK:             vector.store %{{.+}} : memref<512x512xf32>, vector<32xf32>
// CHECK:       } {smelt.parallel}
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @copy_for_threads(%a: memref<512x512xf32>, %b: memref<512x512xf32>) {
    linalg.copy ins(%a : memref<512x512xf32>) outs(%b : memref<512x512xf32>)
    return
  }
}

// -----

// Operands in the memory plan's workspace (views at byte offsets) and an
// edge row: the accumulators of the full tiles and of the edge row stay in
// registers across the K loop, since the C view's bytes [0, 1152) miss the
// A and B views' bytes.
// CHECK-LABEL: func.func @workspace_views
// CHECK:       scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<4x16xf32>)
// CHECK-NOT:     vector.store
// CHECK:         scf.yield
// CHECK-COUNT-4: vector.store %{{.+}} : memref<9x32xf32>, vector<16xf32>
// CHECK:       scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x16xf32>)
// CHECK-NOT:     vector.store
// CHECK:         scf.yield
// CHECK:       vector.store %{{.+}} : memref<9x32xf32>, vector<16xf32>
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @workspace_views(%ws: memref<16384xi8>) {
    %c0 = arith.constant 0 : index
    %c2048 = arith.constant 2048 : index
    %c8192 = arith.constant 8192 : index
    %c = memref.view %ws[%c0][] : memref<16384xi8> to memref<9x32xf32>
    %a = memref.view %ws[%c2048][] : memref<16384xi8> to memref<9x64xf32>
    %b = memref.view %ws[%c8192][] : memref<16384xi8> to memref<64x32xf32>
    linalg.matmul ins(%a, %b : memref<9x64xf32>, memref<64x32xf32>) outs(%c : memref<9x32xf32>)
    return
  }
}

// -----

// A C view that overlaps the B view (not something the memory plan makes,
// but nothing proves otherwise): every K step reads and writes C in memory.
// CHECK-LABEL: func.func @overlapping_views
// CHECK:       scf.for
// CHECK-NOT:     iter_args
// CHECK:         vector.store %{{.+}} : memref<8x32xf32>, vector<16xf32>
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @overlapping_views(%ws: memref<16384xi8>, %a: memref<8x64xf32>) {
    %c0 = arith.constant 0 : index
    %c512 = arith.constant 512 : index
    %c = memref.view %ws[%c0][] : memref<16384xi8> to memref<8x32xf32>
    %b = memref.view %ws[%c512][] : memref<16384xi8> to memref<64x32xf32>
    linalg.matmul ins(%a, %b : memref<8x64xf32>, memref<64x32xf32>) outs(%c : memref<8x32xf32>)
    return
  }
}

// -----

// A transpose that keeps the innermost dim in place (packing B into panels:
// [K][N/16][16] -> [N/16][K][16]) is a row copy: 16-float vector loads and
// stores. One that moves it stays a loop nest.
// CHECK-LABEL: func.func @panel_copy
// CHECK:       scf.for
// CHECK:         scf.for
// CHECK:           vector.load %{{.+}} : memref<64x3x16xf32>, vector<16xf32>
// CHECK:           vector.store %{{.+}} : memref<3x64x16xf32>, vector<16xf32>
// CHECK:       linalg.transpose ins(%{{.+}} : memref<16x8xf32>)
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @panel_copy(%b: memref<64x3x16xf32>, %p: memref<3x64x16xf32>, %c: memref<16x8xf32>, %d: memref<8x16xf32>) {
    linalg.transpose ins(%b : memref<64x3x16xf32>) outs(%p : memref<3x64x16xf32>) permutation = [1, 0, 2]
    linalg.transpose ins(%c : memref<16x8xf32>) outs(%d : memref<8x16xf32>) permutation = [1, 0]
    return
  }
}

// -----

// A direct convolution (smelt-cpu-direct-conv's contraction over strided
// views of an input and an output that share the workspace at disjoint
// bytes) on an AVX-512-class target: 16 filters x 16 columns per register
// tile (56 columns: a 32-wide tile would leave a 24-wide edge, which vector
// lowering shuffles element by element; 16 leaves 8; the tile then takes
// 16 rows, not 8, to keep 16 FMA chains in flight), the accumulators
// carried in registers through the c, kh and kw loops, each step one input
// row load and sixteen broadcast FMAs.
// CHECK-LABEL: func.func @direct_conv
// CHECK:       scf.for %{{.+}} = %c0 to %c48 step %c16
// CHECK:         scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x16x16xf32>)
// CHECK:           scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x16x16xf32>)
// CHECK:             scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x16x16xf32>)
// CHECK:               vector.load %{{.+}} : memref<1x8x3x3x8x56xf32, strided<[4640, 580, 58, 1, 58, 1]>>, vector<16xf32>
// CHECK-COUNT-16:      vector.fma {{.+}} : vector<16xf32>
// CHECK:         vector<1x1x16x8xf32>
// CHECK-NOT:   linalg.generic
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d2, d4, d5, d6)>
#v = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d5, d6, d1, d3)>
#o = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @direct_conv(%ws: memref<47232xi8>, %f: memref<16x8x3x3xf32>) {
    %c0 = arith.constant 0 : index
    %c18560 = arith.constant 18560 : index
    %in = memref.view %ws[%c0][] : memref<47232xi8> to memref<1x8x10x58xf32>
    %out = memref.view %ws[%c18560][] : memref<47232xi8> to memref<1x16x8x56xf32>
    %window = memref.reinterpret_cast %in to offset: [0], sizes: [1, 8, 3, 3, 8, 56], strides: [4640, 580, 58, 1, 58, 1]
        : memref<1x8x10x58xf32> to memref<1x8x3x3x8x56xf32, strided<[4640, 580, 58, 1, 58, 1]>>
    %rows = memref.reinterpret_cast %out to offset: [0], sizes: [1, 8, 16, 56], strides: [7168, 56, 448, 1]
        : memref<1x16x8x56xf32> to memref<1x8x16x56xf32, strided<[7168, 56, 448, 1]>>
    linalg.generic {indexing_maps = [#w, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%f, %window : memref<16x8x3x3xf32>, memref<1x8x3x3x8x56xf32, strided<[4640, 580, 58, 1, 58, 1]>>)
        outs(%rows : memref<1x8x16x56xf32, strided<[7168, 56, 448, 1]>>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// A direct depthwise convolution (smelt-cpu-direct-conv's generic over the
// input view) on an AVX-512-class target: one channel at a time (the loop
// the threads share), 8 output rows x 32 columns in registers across kh
// and kw, each step eight row loads and FMAs with one broadcast weight,
// row by row (no elementwise reassembly of the rows); 34 columns leave a
// 2-wide edge tile.
// CHECK-LABEL: func.func @depthwise
// CHECK:       scf.for %[[C:.+]] = %c0 to %c8 step %c1 {
// CHECK:         scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x8x32xf32>)
// CHECK:           scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x8x32xf32>)
// CHECK:             %[[W:.+]] = memref.load %{{.+}}[%[[C]], %{{.+}}, %{{.+}}] : memref<8x3x3xf32>
// CHECK-COUNT-8:     vector.load %{{.+}} : memref<1x8x3x3x8x34xf32, strided<[2880, 360, 36, 1, 36, 1]>>, vector<32xf32>
// CHECK-NOT:         vector.to_elements
// CHECK-COUNT-8:     vector.fma %{{.+}} : vector<32xf32>
// CHECK:         iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x8x2xf32>)
// CHECK-NOT:   linalg.generic
#dw = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d5)>
#dv = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d5, d2, d3)>
#do = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @depthwise(%in: memref<1x8x10x36xf32>, %f: memref<8x3x3xf32>, %out: memref<1x8x8x34xf32>) {
    %window = memref.reinterpret_cast %in to offset: [0], sizes: [1, 8, 3, 3, 8, 34], strides: [2880, 360, 36, 1, 36, 1]
        : memref<1x8x10x36xf32> to memref<1x8x3x3x8x34xf32, strided<[2880, 360, 36, 1, 36, 1]>>
    linalg.generic {indexing_maps = [#dw, #dv, #do], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
        ins(%f, %window : memref<8x3x3xf32>, memref<1x8x3x3x8x34xf32, strided<[2880, 360, 36, 1, 36, 1]>>)
        outs(%out : memref<1x8x8x34xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// N fits in one cache block (64 columns) and K does not (512 rows): the M
// blocks come first, so that the outermost block loop, over a parallel dim,
// is the one shared between threads (K first would leave it serial).
// CHECK-LABEL: func.func @narrow_n
// CHECK:       scf.for %{{.+}} = %c0 to %c256 step %c128 {
// CHECK:         scf.for %{{.+}} = %c0 to %c512 step %c128 {
// CHECK:           scf.for %{{.+}} = %c0 to %c64 step %c32 {
// CHECK:       } {smelt.parallel}
// CHECK-NEXT:  return
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @narrow_n(%a: memref<256x512xf32>, %b: memref<512x64xf32>, %c: memref<256x64xf32>) {
    linalg.matmul ins(%a, %b : memref<256x512xf32>, memref<512x64xf32>) outs(%c : memref<256x64xf32>)
    return
  }
}

// -----

// Elementwise ops become vector code a chunk of a row at a time: a softmax's
// exp(x - max) over rows of 100 with 256-bit vectors is 6 chunks of two
// vectors (the row's max broadcast to the chunk) and a static tail of 4.
// CHECK-LABEL: func.func @elementwise_rows
// CHECK:       scf.for %{{.+}} = %c0 to %c6 step %c1
// CHECK:         scf.for %{{.+}} = %c0 to %c96 step %c16
// CHECK:           vector.load %{{.+}} : memref<6x100xf32>, vector<16xf32>
// CHECK:           vector.broadcast %{{.+}} : vector<1xf32> to vector<16xf32>
// CHECK:           arith.subf %{{.+}} : vector<16xf32>
// CHECK:           math.exp %{{.+}} : vector<16xf32>
// CHECK:           vector.store %{{.+}} : memref<6x100xf32>, vector<16xf32>
// CHECK:         vector.load %{{.+}} : memref<6x100xf32>, vector<4xf32>
// CHECK:         math.exp %{{.+}} : vector<4xf32>
// CHECK-NOT:   linalg.generic
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @elementwise_rows(%x: memref<6x100xf32>, %m: memref<6xf32>, %y: memref<6x100xf32>) {
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>],
                    iterator_types = ["parallel", "parallel"]}
      ins(%x, %m : memref<6x100xf32>, memref<6xf32>) outs(%y : memref<6x100xf32>) {
    ^bb0(%a: f32, %b: f32, %out: f32):
      %d = arith.subf %a, %b : f32
      %e = math.exp %d : f32
      linalg.yield %e : f32
    }
    return
  }
}

// -----

// Row reductions keep a vector of partial results across the row (lane j
// sums elements j, j + 16, ...; 512-bit vectors, rows of 768 in chunks of
// two vectors) and reduce the lanes once per row, into the running value.
// A sum of squares (a variance) is one FMA per chunk; a max
// starts its lanes at -inf.
// CHECK-LABEL: func.func @row_reductions
// CHECK-DAG:   %[[NEG_INF:.+]] = arith.constant dense<0xFF800000> : vector<32xf32>
// CHECK-DAG:   %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<32xf32>
// CHECK:       scf.for %[[ROW:.+]] = %c0 to %c4 step %c1
// CHECK:         %[[SUM:.+]] = scf.for %{{.+}} = %c0 to %c768 step %c32 iter_args(%[[LANES:.+]] = %[[ZERO]]) -> (vector<32xf32>)
// CHECK:           %[[CHUNK:.+]] = vector.load %{{.+}} : memref<4x768xf32>, vector<32xf32>
// CHECK:           %[[NEXT:.+]] = arith.addf %[[CHUNK]], %[[LANES]] : vector<32xf32>
// CHECK:           scf.yield %[[NEXT]]
// CHECK:         vector.reduction <add>, %[[SUM]], %{{.+}} : vector<32xf32> into f32
// CHECK:       scf.for
// CHECK:         scf.for {{.+}} -> (vector<32xf32>)
// CHECK:           %[[D:.+]] = arith.subf %{{.+}} : vector<32xf32>
// CHECK:           vector.fma %[[D]], %[[D]], %{{.+}} : vector<32xf32>
// CHECK:         vector.reduction <add>
// CHECK:       scf.for
// CHECK:         scf.for {{.+}} iter_args(%{{.+}} = %[[NEG_INF]]) -> (vector<32xf32>)
// CHECK:           arith.maximumf %{{.+}} : vector<32xf32>
// CHECK:         vector.reduction <maximumf>
#rows = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @row_reductions(%x: memref<4x768xf32>, %mean: memref<4xf32>, %sum: memref<4xf32>,
                            %var: memref<4xf32>, %max: memref<4xf32>) {
    linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x768xf32>) outs(%sum : memref<4xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#rows, #row, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x, %mean : memref<4x768xf32>, memref<4xf32>) outs(%var : memref<4xf32>) {
    ^bb0(%a: f32, %m: f32, %acc: f32):
      %d = arith.subf %a, %m : f32
      %sq = arith.mulf %d, %d : f32
      %s = arith.addf %acc, %sq : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x768xf32>) outs(%max : memref<4xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.maximumf %acc, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// Integer and multi-output reductions: the byte row sums of quantized
// products (u8 extended to i32) keep i32 lanes; the min and max of
// DynamicQuantizeLinear, two reductions of one loop, each keep their own
// lanes (+inf and -inf) and are reduced once after it. A quantizing
// elementwise op (f32 in, u8 out) is vector code too.
// CHECK-LABEL: func.func @integer_and_paired_reductions
// CHECK-DAG:   %[[IZERO:.+]] = arith.constant dense<0> : vector<32xi32>
// CHECK:       scf.for %{{.+}} = %c0 to %c4 step %c1
// CHECK:         %[[ISUM:.+]] = scf.for {{.+}} iter_args(%[[IL:.+]] = %[[IZERO]]) -> (vector<32xi32>)
// CHECK:           %[[B:.+]] = vector.load %{{.+}} : memref<4x768xi8>, vector<32xi8>
// CHECK:           %[[W:.+]] = arith.extui %[[B]] : vector<32xi8> to vector<32xi32>
// CHECK:           arith.addi %[[W]], %[[IL]] : vector<32xi32>
// CHECK:         vector.reduction <add>, %[[ISUM]], %{{.+}} : vector<32xi32> into i32
// CHECK:       %[[RANGE:.+]]:{{[0-9]+}} = scf.for {{.+}} -> ({{.*}}vector<32xf32>, vector<32xf32>)
// CHECK-NOT:     vector.reduction
// CHECK-DAG:     arith.minimumf %{{.+}} : vector<32xf32>
// CHECK-DAG:     arith.maximumf %{{.+}} : vector<32xf32>
// CHECK:         scf.yield
// CHECK-DAG:   vector.reduction <maximumf>
// CHECK-DAG:   vector.reduction <minimumf>
// CHECK:       scf.for
// CHECK:         math.roundeven %{{.+}} : vector<32xf32>
// CHECK:         arith.fptoui %{{.+}} : vector<32xf32> to vector<32xi8>
#rows = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#all = affine_map<(i) -> (i)>
#none = affine_map<(i) -> ()>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @integer_and_paired_reductions(%a: memref<4x768xi8>, %sums: memref<4xi32>,
      %x: memref<3072xf32>, %min: memref<f32>, %max: memref<f32>, %q: memref<3072xi8>) {
    linalg.generic {indexing_maps = [#rows, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4x768xi8>) outs(%sums : memref<4xi32>) {
    ^bb0(%v: i8, %acc: i32):
      %w = arith.extui %v : i8 to i32
      %s = arith.addi %acc, %w : i32
      linalg.yield %s : i32
    }
    linalg.generic {indexing_maps = [#all, #none, #none], iterator_types = ["reduction"]}
      ins(%x : memref<3072xf32>) outs(%min, %max : memref<f32>, memref<f32>) {
    ^bb0(%v: f32, %lo: f32, %hi: f32):
      %l = arith.minimumf %lo, %v : f32
      %h = arith.maximumf %hi, %v : f32
      linalg.yield %l, %h : f32, f32
    }
    linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel"]}
      ins(%x : memref<3072xf32>) outs(%q : memref<3072xi8>) {
    ^bb0(%v: f32, %out: i8):
      %r = math.roundeven %v : f32
      %c = arith.fptoui %r : f32 to i8
      linalg.yield %c : i8
    }
    return
  }
}

// -----

// A math function without a vector form (acosh becomes a libm call per
// element) keeps the op a loop nest: untouched.
// CHECK-LABEL: func.func @libm_rows
// CHECK-NEXT:  linalg.generic
// CHECK:         math.acosh %{{.+}} : f32
module attributes {smelt.cpu_target = {vector_bits = 256 : i64, fma = true}} {
  func.func @libm_rows(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                    iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x64xf32>) outs(%y : memref<4x64xf32>) {
    ^bb0(%a: f32, %out: f32):
      %r = math.acosh %a : f32
      linalg.yield %r : f32
    }
    return
  }
}

// -----

// Column reductions: the reductions come after the last parallel loop,
// which is the innermost index of every operand (channels-last pooling
// over a window view, a sum over an outer axis). Every other loop steps by
// one, the row in chunks of a vector, and the chunk of the output stays in
// a register across the reduction loops: loaded before them, updated with
// one vector op per step, stored after.
// CHECK-LABEL: func.func @column_reductions
// CHECK:       scf.for %[[C:.+]] = %c0 to %c64 step %c16
// CHECK:         %[[INIT:.+]] = vector.load %{{.+}}[%c0, %c0, %c0, %[[C]]] : memref<1x1x1x64xf32>, vector<16xf32>
// CHECK:         scf.for %{{.+}} = %c0 to %c7 step %c1 iter_args
// CHECK:           scf.for %{{.+}} = %c0 to %c7 step %c1 iter_args
// CHECK:             vector.load %{{.+}} : memref<1x7x1x7x1x64xf32, strided<[3136, 448, 448, 64, 64, 1]>>, vector<16xf32>
// CHECK:             arith.addf %{{.+}} : vector<16xf32>
// CHECK:         vector.store %{{.+}}, %{{.+}}[%c0, %c0, %c0, %[[C]]] : memref<1x1x1x64xf32>, vector<16xf32>
// CHECK:       scf.for %{{.+}} = %c0 to %c32 step %c1
// CHECK:         scf.for %{{.+}} = %c0 to %c48 step %c16
// CHECK:           scf.for %{{.+}} = %c0 to %c12 step %c1 iter_args
// CHECK:             arith.maximumf %{{.+}} : vector<16xf32>
#pool_in = affine_map<(n, h, w, c, kh, kw) -> (n, kh, h, kw, w, c)>
#pool_taps = affine_map<(n, h, w, c, kh, kw) -> (kh, kw)>
#pool_out = affine_map<(n, h, w, c, kh, kw) -> (n, h, w, c)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @column_reductions(%in: memref<1x7x1x7x1x64xf32, strided<[3136, 448, 448, 64, 64, 1]>>,
                               %taps: memref<7x7xf32>, %out: memref<1x1x1x64xf32>,
                               %x: memref<32x12x48xf32>, %max: memref<32x48xf32>) {
    linalg.generic {indexing_maps = [#pool_in, #pool_taps, #pool_out],
                    iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
        ins(%in, %taps : memref<1x7x1x7x1x64xf32, strided<[3136, 448, 448, 64, 64, 1]>>, memref<7x7xf32>)
        outs(%out : memref<1x1x1x64xf32>) {
    ^bb0(%a: f32, %t: f32, %o: f32):
      %s = arith.addf %o, %a : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [affine_map<(i, j, k) -> (i, k, j)>, affine_map<(i, j, k) -> (i, j)>],
                    iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%x : memref<32x12x48xf32>) outs(%max : memref<32x48xf32>) {
    ^bb0(%a: f32, %o: f32):
      %m = arith.maximumf %o, %a : f32
      linalg.yield %m : f32
    }
    return
  }
}

// -----

// Rows that the chunk does not divide: the chunk loop (outside the
// reduction loops) is peeled, so the last chunk is a static tail, and all
// of them are vector code: 240 channels in 7 chunks of 32 and 16, 120 in 7
// of 16 and 8 (MobileNet V3's average pools ran as scalar loops when every
// chunk had an unknown size).
// CHECK-LABEL: func.func @column_reductions_uneven_rows
// CHECK:       scf.for %[[C:.+]] = %c0 to %c224 step %c32
// CHECK:         vector.load %{{.+}}[%c0, %c0, %c0, %[[C]]] : memref<1x1x1x240xf32>, vector<32xf32>
// CHECK:               arith.addf %{{.+}} : vector<32xf32>
// CHECK:       vector.load %{{.+}}[%c0, %c0, %c0, %c224] : memref<1x1x1x240xf32>, vector<16xf32>
// CHECK:             arith.addf %{{.+}} : vector<16xf32>
// CHECK:       scf.for %[[D:.+]] = %c0 to %c112 step %c16
// CHECK:         vector.load %{{.+}}[%c0, %c0, %c0, %[[D]]] : memref<1x1x1x120xf32>, vector<16xf32>
// CHECK:       vector.load %{{.+}}[%c0, %c0, %c0, %c112] : memref<1x1x1x120xf32>, vector<8xf32>
// CHECK:             arith.addf %{{.+}} : vector<8xf32>
// CHECK-NOT:   linalg.generic
#pool_in = affine_map<(n, h, w, c, kh, kw) -> (n, kh, h, kw, w, c)>
#pool_taps = affine_map<(n, h, w, c, kh, kw) -> (kh, kw)>
#pool_out = affine_map<(n, h, w, c, kh, kw) -> (n, h, w, c)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @column_reductions_uneven_rows(
      %in: memref<1x14x1x14x1x240xf32>, %taps: memref<14x14xf32>, %out: memref<1x1x1x240xf32>,
      %in2: memref<1x14x1x14x1x120xf32>, %out2: memref<1x1x1x120xf32>) {
    linalg.generic {indexing_maps = [#pool_in, #pool_taps, #pool_out],
                    iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
        ins(%in, %taps : memref<1x14x1x14x1x240xf32>, memref<14x14xf32>)
        outs(%out : memref<1x1x1x240xf32>) {
    ^bb0(%a: f32, %t: f32, %o: f32):
      %s = arith.addf %o, %a : f32
      linalg.yield %s : f32
    }
    linalg.generic {indexing_maps = [#pool_in, #pool_taps, #pool_out],
                    iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
        ins(%in2, %taps : memref<1x14x1x14x1x120xf32>, memref<14x14xf32>)
        outs(%out2 : memref<1x1x1x120xf32>) {
    ^bb0(%a: f32, %t: f32, %o: f32):
      %s = arith.addf %o, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// Blocks for two threads, of at most 128 rows and 256 columns: N = 672 in
// four parallel blocks of 160 (two per thread) and 32 columns after them,
// M = 196 in two blocks of 96 and 4 rows (not 256 + 256 + 160 columns and
// 128 + 68 rows: the second thread idle for a third of the work). The
// cache loops are peeled, so the last blocks are static register tiles
// (4 rows of 32 columns), all vector code: no tile of unknown size is left
// to a scalar loop nest. M = 3136 in 28 blocks of 112 rows in tiles of 16
// needs no peeling; its tiles are static too.
// CHECK-LABEL: func.func @partial_cache_blocks
// CHECK:       scf.for %{{.+}} = %c0 to %c640 step %c160 {
// CHECK:         scf.for %{{.+}} = %c0 to %c192 step %c96 {
// CHECK:           scf.for %{{.+}} = %c0 to %c96 step %c8
// CHECK:             scf.for {{.+}} -> (vector<8x32xf32>)
// CHECK:         scf.for {{.+}} -> (vector<4x32xf32>)
// CHECK:       } {smelt.parallel}
// CHECK:       scf.for %{{.+}} = %c0 to %c192 step %c96 {
// CHECK:         scf.for {{.+}} -> (vector<8x32xf32>)
// CHECK:       scf.for {{.+}} -> (vector<4x32xf32>)
// CHECK:       scf.for %{{.+}} = %c0 to %c3136 step %c112 {
// CHECK:         scf.for {{.+}} -> (vector<16x16xf32>)
// CHECK:       } {smelt.parallel}
// CHECK-NOT:   linalg.matmul
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @partial_cache_blocks(%a: memref<196x112xf32>, %b: memref<112x672xf32>, %c: memref<196x672xf32>,
                                  %d: memref<3136x24xf32>, %e: memref<24x16xf32>, %f: memref<3136x16xf32>) {
    linalg.matmul ins(%a, %b : memref<196x112xf32>, memref<112x672xf32>) outs(%c : memref<196x672xf32>)
    linalg.matmul ins(%d, %e : memref<3136x24xf32>, memref<24x16xf32>) outs(%f : memref<3136x16xf32>)
    return
  }
}

// -----

// Packed panels (mmt4d): 25 M panels of 8 rows in cache blocks of at most
// 16 panels become two balanced blocks (13 and 12), both iterations of the
// one parallel loop: a short last block is just fewer panels, so nothing is
// peeled into a serial loop nest after it.
// CHECK-LABEL: func.func @mmt4d_balanced_blocks
// CHECK:       scf.for %[[B:.+]] = %c0 to %c25 step %c13
// CHECK:         %[[PANELS:.+]] = affine.min
// CHECK:         scf.for %{{.+}} = %c0 to %[[PANELS]] step %c1
// CHECK:           scf.for {{.+}} -> (vector<1x1x8x32xf32>)
// CHECK-COUNT-8:     vector.fma {{.+}} : vector<32xf32>
// CHECK:       } {smelt.parallel}
// CHECK-NOT:   scf.for
// CHECK:       return
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @mmt4d_balanced_blocks(%a: memref<25x64x8x1xf32>, %b: memref<2x64x32x1xf32>, %c: memref<25x2x8x32xf32>) {
    linalg.mmt4d ins(%a, %b : memref<25x64x8x1xf32>, memref<2x64x32x1xf32>) outs(%c : memref<25x2x8x32xf32>)
    return
  }
}

// -----

// A channels-last 3x3 convolution with packed filters (512 channels, 7x7
// outputs, filters in [F/32][KH][KW][C][32] panels) on an AVX-512-class
// target. Its taps panel for all channels (3 x 3 x 512 x 32 floats, 576 KiB)
// exceeds L2, so the channels are blocked by 16 (18 KiB, in L1) under the
// filter panel loop, and every output row then sweeps that block: panels
// outermost, then channel blocks, then rows, each register tile 7 outputs
// x 32 filters carried through kh, kw and 16 channels.
// CHECK-LABEL: func.func @packed_filter_conv
// CHECK:       scf.for %{{.+}} = %c0 to %c16 step %c1
// CHECK:         scf.for %{{.+}} = %c0 to %c512 step %c16
// CHECK:           scf.for %{{.+}} = %c0 to %c7 step %c1
// CHECK:             scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x7x1x32xf32>)
// CHECK:               scf.for {{.+}} iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x7x1x32xf32>)
// CHECK:                 scf.for %{{.+}} = %c0 to %c16 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (vector<1x1x7x1x32xf32>)
// CHECK:                   vector.load %{{.+}} : memref<16x3x3x512x32xf32>, vector<32xf32>
// CHECK-COUNT-7:           vector.fma {{.+}} : vector<32xf32>
// CHECK-NOT:   linalg.generic
#pw_win = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d5, d1, d6, d2, d7)>
#pw_w = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d5, d6, d7, d4)>
#pw_out = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @packed_filter_conv(%win: memref<1x3x7x3x7x512xf32, strided<[41472, 4608, 4608, 512, 512, 1]>>,
                                %w: memref<16x3x3x512x32xf32>, %out: memref<1x7x7x16x32xf32>) {
    linalg.generic {indexing_maps = [#pw_win, #pw_w, #pw_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
        ins(%win, %w : memref<1x3x7x3x7x512xf32, strided<[41472, 4608, 4608, 512, 512, 1]>>, memref<16x3x3x512x32xf32>)
        outs(%out : memref<1x7x7x16x32xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// A batch-1 Linear layer (M = 1, N in one cache block) would have the K
// loop outermost, serial: N is cut into blocks for the threads instead,
// six of 160 columns (three per thread on two), then the last 40 columns
// (a tile of 32 and one of 8).
// CHECK-LABEL: func.func @gemv
// CHECK:       scf.for %{{.+}} = %c0 to %c960 step %c160 {
// CHECK:         scf.for %{{.+}} = %c0 to %c1024 step %c128 {
// CHECK:           scf.for {{.+}} -> (vector<1x32xf32>)
// CHECK:       } {smelt.parallel}
// CHECK:       scf.for %{{.+}} = %c0 to %c1024 step %c128 {
// CHECK:         scf.for {{.+}} -> (vector<1x32xf32>)
// CHECK:         scf.for {{.+}} -> (vector<1x8xf32>)
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @gemv(%x: memref<1x1024xf32>, %w: memref<1024x1000xf32>, %y: memref<1x1000xf32>) {
    linalg.matmul ins(%x, %w : memref<1x1024xf32>, memref<1024x1000xf32>) outs(%y : memref<1x1000xf32>)
    return
  }
}

// -----

// A channels-last 1x1 convolution whose filters (64 x 384, 96 KiB) fit the
// L2 panel budget whole: one N block, so the threads share the 14 output
// rows (seven each on two). In blocks of 256 filters it ran one parallel
// block, then the other 128 filters on one thread.
// CHECK-LABEL: func.func @pointwise_conv
// CHECK:       scf.for %{{.+}} = %c0 to %c14 step %c1 {
// CHECK:         scf.for %{{.+}} = %c0 to %c384 step %c32 {
// CHECK:           scf.for {{.+}} -> (vector<1x1x8x32xf32>)
// CHECK:           scf.for {{.+}} -> (vector<1x1x6x32xf32>)
// CHECK:       } {smelt.parallel}
// CHECK-NEXT:  return
#in = affine_map<(n, oh, ow, f, c) -> (n, oh, ow, c)>
#w = affine_map<(n, oh, ow, f, c) -> (c, f)>
#out = affine_map<(n, oh, ow, f, c) -> (n, oh, ow, f)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @pointwise_conv(%x: memref<1x14x14x64xf32>, %w: memref<64x384xf32>, %y: memref<1x14x14x384xf32>) {
    linalg.generic {indexing_maps = [#in, #w, #out],
                    iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
        ins(%x, %w : memref<1x14x14x64xf32>, memref<64x384xf32>) outs(%y : memref<1x14x14x384xf32>) {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %o, %p : f32
      linalg.yield %s : f32
    }
    return
  }
}

// -----

// 32768 elements: too few iterations of an add to be worth waking threads,
// but an exp costs each one as much as tens of adds (kMathIterationCost),
// so the exp's rows are shared between the threads and the add's are not.
// CHECK-LABEL: func.func @math_rows
// CHECK:       scf.for %{{.+}} = %c0 to %c32 step %c2 {
// CHECK:         math.exp %{{.+}} : vector<32xf32>
// CHECK:       } {smelt.parallel}
// CHECK:       scf.for %{{.+}} = %c0 to %c32 step %c1 {
// CHECK:         arith.addf %{{.+}} : vector<32xf32>
// CHECK-NOT:   smelt.parallel
// CHECK:       return
#id = affine_map<(i, j) -> (i, j)>
module attributes {smelt.cpu_target = {vector_bits = 512 : i64, vector_registers = 32 : i64, fma = true}} {
  func.func @math_rows(%x: memref<32x1024xf32>, %y: memref<32x1024xf32>, %z: memref<32x1024xf32>) {
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<32x1024xf32>) outs(%y : memref<32x1024xf32>) {
    ^bb0(%a: f32, %o: f32):
      %e = math.exp %a : f32
      linalg.yield %e : f32
    }
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<32x1024xf32>) outs(%z : memref<32x1024xf32>) {
    ^bb0(%a: f32, %o: f32):
      %s = arith.addf %a, %a : f32
      linalg.yield %s : f32
    }
    return
  }
}
