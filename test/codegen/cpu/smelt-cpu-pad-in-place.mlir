// RUN: smelt-opt %s --split-input-file --smelt-cpu-pad-in-place | FileCheck %s

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A ReLU whose only user is a zero pad: the padded tensor is filled right
// before the ReLU, and the ReLU's result inserted into its interior (which
// empty-tensor elimination then lets the ReLU write directly).
// CHECK-LABEL: func.func @relu_then_pad
// CHECK:       %[[EMPTY:.+]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK:       %[[FILLED:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<1x6x6x8xf32>)
// CHECK:       %[[RELU:.+]] = linalg.generic
// CHECK:         arith.maximumf
// CHECK:       %[[PADDED:.+]] = tensor.insert_slice %[[RELU]] into %[[FILLED]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK-NOT:   tensor.pad
// CHECK:       return %[[PADDED]]
func.func @relu_then_pad(%x: tensor<1x4x4x8xf32>) -> tensor<1x6x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x8xf32>) outs(%empty : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %padded = tensor.pad %relu low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %padded : tensor<1x6x6x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// Pads of a function argument and of a value with other users stay pads.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-2: tensor.pad
func.func @kept(%x: tensor<1x4x4x8xf32>) -> (tensor<1x6x6x8xf32>, tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  %empty = tensor.empty() : tensor<1x4x4x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x4x8xf32>) outs(%empty : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %b = tensor.pad %relu low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %a, %b, %relu : tensor<1x6x6x8xf32>, tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>

// A convolution's activation, then a zero pad: the activation overwrites
// the convolution's output (its init is now that output), and the fill moves
// before the convolution's chain (the bias broadcast that initializes it),
// so that empty-tensor elimination can hand the whole chain the padded
// interior: one buffer, not the output and the padded copy.
// CHECK-LABEL: func.func @conv_activation_then_pad
// CHECK:       %[[PEMPTY:.+]] = tensor.empty() : tensor<1x6x6x8xf32>
// CHECK:       %[[FILLED:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[PEMPTY]] : tensor<1x6x6x8xf32>)
// CHECK:       %[[INIT:.+]] = linalg.generic
// CHECK-SAME:    ins(%{{.+}} : tensor<8xf32>)
// CHECK:       %[[CONV:.+]] = linalg.conv_2d_nhwc_hwcf {{.+}} outs(%[[INIT]] : tensor<1x4x4x8xf32>)
// CHECK:       %[[ACT:.+]] = linalg.generic
// CHECK-SAME:    ins(%[[CONV]] : tensor<1x4x4x8xf32>) outs(%[[CONV]] : tensor<1x4x4x8xf32>)
// CHECK:         arith.minimumf
// CHECK:       %[[PADDED:.+]] = tensor.insert_slice %[[ACT]] into %[[FILLED]][0, 1, 1, 0] [1, 4, 4, 8] [1, 1, 1, 1]
// CHECK:       return %[[PADDED]]
func.func @conv_activation_then_pad(%x: tensor<1x4x4x3xf32>, %w: tensor<1x1x3x8xf32>,
                                    %b: tensor<8xf32>) -> tensor<1x6x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x8xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<8xf32>) outs(%empty : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x4x8xf32>
  %conv = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x4x4x3xf32>, tensor<1x1x3x8xf32>) outs(%init : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %empty2 = tensor.empty() : tensor<1x4x4x8xf32>
  %act = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x4x4x8xf32>) outs(%empty2 : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    %c = arith.minimumf %r, %six : f32
    linalg.yield %c : f32
  } -> tensor<1x4x4x8xf32>
  %padded = tensor.pad %act low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %padded : tensor<1x6x6x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// An activation whose input has another user cannot overwrite it: the fill
// stays right before the activation, which keeps its own init.
// CHECK-LABEL: func.func @input_shared
// CHECK:       %[[CONV:.+]] = linalg.conv_2d_nhwc_hwcf
// CHECK:       %[[FILLED:.+]] = linalg.fill
// CHECK:       %[[ACT:.+]] = linalg.generic
// CHECK-SAME:    ins(%[[CONV]] : tensor<1x4x4x8xf32>) outs(%{{.+}} : tensor<1x4x4x8xf32>)
// CHECK-NOT:     outs(%[[CONV]]
// CHECK:       tensor.insert_slice %[[ACT]] into %[[FILLED]]
func.func @input_shared(%x: tensor<1x4x4x3xf32>, %w: tensor<1x1x3x8xf32>)
    -> (tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<1x4x4x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %conv = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x4x4x3xf32>, tensor<1x1x3x8xf32>) outs(%init : tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  %empty2 = tensor.empty() : tensor<1x4x4x8xf32>
  %act = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%conv : tensor<1x4x4x8xf32>) outs(%empty2 : tensor<1x4x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %zero : f32
    linalg.yield %r : f32
  } -> tensor<1x4x4x8xf32>
  %padded = tensor.pad %act low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  return %padded, %conv : tensor<1x6x6x8xf32>, tensor<1x4x4x8xf32>
}
