// RUN: smelt-opt %s --split-input-file --smelt-cpu-prefetch-weights | FileCheck %s

// A direct convolution's kernel: 16-channel blocks of a filter of 768 KiB,
// each swept by 7 rows. The row loop's first iteration is peeled; there,
// each filter row load is preceded by prefetches of its two lines in the
// next channel block (after the last block, the next panel's first one),
// clamped to the filter. The other six rows are unchanged.
// CHECK-LABEL: func.func @conv_like
// CHECK: %[[W:.+]] = memref.get_global @filter : memref<4x3x512x32xf32>
// CHECK: scf.for %[[P:.+]] = %c0 to %c4 step %c1 {
// CHECK: scf.for %[[CB:.+]] = %c0 to %c512 step %c16 {
// CHECK: scf.for %[[ROW:.+]] = %c0 to %[[ONE:.+]] step %c1 {
// CHECK: scf.for %[[T:.+]] = %c0 to %c3
// CHECK: scf.for %[[CI:.+]] = %c0 to %c16
// CHECK: %[[NEXT:.+]] = arith.addi %[[CB]], %c16 : index
// CHECK: %[[WRAPS:.+]] = arith.cmpi sge, %[[NEXT]], %c512 : index
// CHECK: %[[NEXTCB:.+]] = arith.select %[[WRAPS]], %c0, %[[NEXT]] : index
// CHECK: %[[NEXTP1:.+]] = arith.addi %[[P]], %c1 : index
// CHECK: %[[NEXTP:.+]] = arith.select %[[WRAPS]], %[[NEXTP1]], %[[P]] : index
// CHECK: arith.muli %[[NEXTP]], %c49152
// CHECK: arith.muli %[[T]], %c16384
// CHECK: %[[C:.+]] = affine.apply #{{.+}}()[%[[NEXTCB]], %[[CI]]]
// CHECK: arith.muli %[[C]], %c32
// CHECK: %[[FLAT:.+]] = memref.collapse_shape %[[W]] {{\[\[}}0, 1, 2, 3]] : memref<4x3x512x32xf32> into memref<196608xf32>
// CHECK: %[[AT0:.+]] = arith.minsi %{{.+}}, %c196607 : index
// CHECK: memref.prefetch %[[FLAT]][%[[AT0]]], read, locality<3>, data : memref<196608xf32>
// CHECK: %[[AT1:.+]] = arith.minsi %{{.+}}, %c196607 : index
// CHECK: memref.prefetch %[[FLAT]][%[[AT1]]], read, locality<3>, data : memref<196608xf32>
// CHECK-NOT: memref.prefetch
// CHECK: vector.load %[[W]][%[[P]], %[[T]], %{{.+}}, %c0]
// CHECK: scf.for %{{.+}} = %[[ONE]] to %c7 step %c1 {
// CHECK-NOT: memref.prefetch
// CHECK: return
#add = affine_map<()[s0, s1] -> (s0 + s1)>
memref.global "private" constant @filter : memref<4x3x512x32xf32> = dense<1.0>
func.func @conv_like(%in: memref<7x3x512xf32>, %out: memref<7x4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c7 = arith.constant 7 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %w = memref.get_global @filter : memref<4x3x512x32xf32>
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %cb = %c0 to %c512 step %c16 {
      scf.for %row = %c0 to %c7 step %c1 {
        %init = vector.load %out[%row, %p, %c0] : memref<7x4x32xf32>, vector<32xf32>
        %sum = scf.for %t = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<32xf32>) {
          %tap = scf.for %ci = %c0 to %c16 step %c1 iter_args(%a = %acc) -> (vector<32xf32>) {
            %c = affine.apply #add()[%cb, %ci]
            %b = vector.load %w[%p, %t, %c, %c0] : memref<4x3x512x32xf32>, vector<32xf32>
            %x = memref.load %in[%row, %t, %c] : memref<7x3x512xf32>
            %xs = vector.broadcast %x : f32 to vector<32xf32>
            %f = vector.fma %b, %xs, %a : vector<32xf32>
            scf.yield %f : vector<32xf32>
          }
          scf.yield %tap : vector<32xf32>
        }
        vector.store %sum, %out[%row, %p, %c0] : memref<7x4x32xf32>, vector<32xf32>
      }
    }
  }
  return
}

// -----

// A packed matrix product's kernel: B panels of 1 MiB read one element at
// a time through a rank-reducing subview, 32 loads a step. Within each K
// block the panel loop is the block loop and the M tiles sweep it; the 32
// loads of one step are one group, prefetched as their two lines, once.
// After the last panel of a block comes the first panel of the next block.
// CHECK-LABEL: func.func @mmt4d_like
// CHECK: scf.for %[[KB:.+]] = %c0 to %c512 step %c128 {
// CHECK: scf.for %[[N:.+]] = %c0 to %c16 step %c1 {
// CHECK: scf.for %{{.+}} = %c0 to %{{.+}} step %c1 {
// CHECK: scf.for %[[K:.+]] = %c0 to %c128 step %c1
// CHECK: %[[NEXT:.+]] = arith.addi %[[N]], %c1 : index
// CHECK: %[[WRAPS:.+]] = arith.cmpi sge, %[[NEXT]], %c16 : index
// CHECK: arith.select %[[WRAPS]], %c0, %[[NEXT]] : index
// CHECK: %[[NEXTKB:.+]] = arith.addi %[[KB]], %c128 : index
// CHECK: arith.select %[[WRAPS]], %[[NEXTKB]], %[[KB]] : index
// CHECK-COUNT-2: memref.prefetch %{{.+}}[%{{.+}}], read, locality<3>, data : memref<262144xf32>
// CHECK-NOT: memref.prefetch
// CHECK: return
#add2 = affine_map<()[s0, s1] -> (s0 + s1)>
memref.global "private" constant @panels : memref<16x512x32x1xf32> = dense<2.0>
func.func @mmt4d_like(%a: memref<16x512x8xf32>, %out: memref<16x16x8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  %c512 = arith.constant 512 : index
  %w = memref.get_global @panels : memref<16x512x32x1xf32>
  scf.for %kb = %c0 to %c512 step %c128 {
    scf.for %n = %c0 to %c16 step %c1 {
      scf.for %m = %c0 to %c16 step %c1 {
        %init = vector.load %out[%m, %n, %c0, %c0] : memref<16x16x8x32xf32>, vector<32xf32>
        %sum = scf.for %ks = %c0 to %c128 step %c1 iter_args(%acc = %init) -> (vector<32xf32>) {
          %k = affine.apply #add2()[%kb, %ks]
          %row = memref.subview %w[0, 0, 0, 0] [16, 512, 32, 1] [1, 1, 1, 1] : memref<16x512x32x1xf32> to memref<16x512x32xf32, strided<[16384, 32, 1]>>
          %b0 = vector.load %row[%n, %k, %c0] : memref<16x512x32xf32, strided<[16384, 32, 1]>>, vector<16xf32>
          %b1 = vector.load %row[%n, %k, %c16] : memref<16x512x32xf32, strided<[16384, 32, 1]>>, vector<16xf32>
          %b = vector.insert_strided_slice %b1, %acc {offsets = [16], strides = [1]} : vector<16xf32> into vector<32xf32>
          %bb = vector.insert_strided_slice %b0, %b {offsets = [0], strides = [1]} : vector<16xf32> into vector<32xf32>
          %x = memref.load %a[%m, %k, %c0] : memref<16x512x8xf32>
          %xs = vector.broadcast %x : f32 to vector<32xf32>
          %f = vector.fma %bb, %xs, %acc : vector<32xf32>
          scf.yield %f : vector<32xf32>
        }
        vector.store %sum, %out[%m, %n, %c0, %c0] : memref<16x16x8x32xf32>, vector<32xf32>
      }
    }
  }
  return
}

// -----

// Left alone: a weight that fits L2 (64 KiB), a big buffer that is not a
// constant (an operand packed at run time, here an argument), and a
// streamed weight whose load uses every loop around it (no sweep reads a
// block twice).
// CHECK-LABEL: func.func @not_streamed
// CHECK-NOT: memref.prefetch
// CHECK-NOT: scf.for %{{.+}} = %c0 to %c1 step
// CHECK: return
#add3 = affine_map<()[s0, s1] -> (s0 + s1)>
memref.global "private" constant @small : memref<512x32xf32> = dense<1.0>
memref.global "private" constant @big : memref<4096x32xf32> = dense<1.0>
func.func @not_streamed(%out: memref<8x32xf32>, %out2: memref<4096x32xf32>, %packed: memref<4096x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %c4096 = arith.constant 4096 : index
  %small = memref.get_global @small : memref<512x32xf32>
  %big = memref.get_global @big : memref<4096x32xf32>
  scf.for %kb = %c0 to %c512 step %c16 {
    scf.for %m = %c0 to %c8 step %c1 {
      %init = vector.load %out[%m, %c0] : memref<8x32xf32>, vector<32xf32>
      %sum = scf.for %ks = %c0 to %c16 step %c1 iter_args(%acc = %init) -> (vector<32xf32>) {
        %k = affine.apply #add3()[%kb, %ks]
        %b = vector.load %small[%k, %c0] : memref<512x32xf32>, vector<32xf32>
        %p = vector.load %packed[%k, %c0] : memref<4096x32xf32>, vector<32xf32>
        %f = arith.addf %b, %acc : vector<32xf32>
        %g = arith.addf %p, %f : vector<32xf32>
        scf.yield %g : vector<32xf32>
      }
      vector.store %sum, %out[%m, %c0] : memref<8x32xf32>, vector<32xf32>
    }
  }
  scf.for %i = %c0 to %c4096 step %c1 {
    %b = vector.load %big[%i, %c0] : memref<4096x32xf32>, vector<32xf32>
    vector.store %b, %out2[%i, %c0] : memref<4096x32xf32>, vector<32xf32>
  }
  return
}
