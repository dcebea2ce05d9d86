// RUN: smelt-opt %s --smelt-fuse-elementwise | FileCheck %s

#id = affine_map<(n, c, h, w) -> (n, c, h, w)>
#gate = affine_map<(n, c, h, w) -> (n, c, 0, 0)>

// SiLU: the Sigmoid's elements are each read once by the Mul, so the two
// become one op (one pass over memory, no intermediate tensor).
// CHECK-LABEL: func.func @silu
// CHECK:       linalg.generic
// CHECK:         math.exp
// CHECK:         arith.mulf
// CHECK-NOT:   linalg.generic
func.func @silu(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    %x1 = math.exp %n : f32
    %d = arith.addf %x1, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x4x8x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

// A squeeze-and-excitation gate: the Sigmoid over [1, 4, 1, 1] is
// broadcast over 8x8 pixels by the Mul. Fused, it would run 64 times per
// channel; it stays a separate op over the 4 gate values.
// CHECK-LABEL: func.func @gate
// CHECK:       %[[GATE:.+]] = linalg.generic
// CHECK-SAME:    ins(%{{.+}} : tensor<1x4x1x1xf32>)
// CHECK:         math.exp
// CHECK:       linalg.generic
// CHECK-SAME:    ins(%{{.+}}, %[[GATE]] : tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>)
// CHECK-NOT:     math.exp
// CHECK:         arith.mulf
func.func @gate(%x: tensor<1x4x8x8xf32>, %g: tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %one = arith.constant 1.0 : f32
  %eg = tensor.empty() : tensor<1x4x1x1xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g : tensor<1x4x1x1xf32>) outs(%eg : tensor<1x4x1x1xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    %x1 = math.exp %n : f32
    %d = arith.addf %x1, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x4x1x1xf32>
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #gate, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}
