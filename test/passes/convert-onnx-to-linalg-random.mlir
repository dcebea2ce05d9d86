// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg --verify-diagnostics | FileCheck %s

// RandomUniform: one generic with no inputs; each element hashes its linear
// index with SplitMix64 (key + (i + 1) * golden gamma, two xor-shift-multiply
// rounds), takes the top 53 bits as u in [0, 1), computes low + u (high - low)
// in f64 and keeps the rounded value in [low, high). The key of seed 7 is a
// fixed constant: equal seeds give equal values in every compilation.
// CHECK-LABEL: func.func @uniform_seeded
// CHECK: %[[GEN:.+]] = linalg.generic
// CHECK-NOT: ins(
// CHECK-SAME: outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: %[[I0:.+]] = arith.index_cast %{{.+}} : index to i64
// CHECK: %[[ROW:.+]] = arith.muli %[[I0]], %c3_i64
// CHECK: %[[LIN:.+]] = arith.addi %[[ROW]], %{{.+}} : i64
// CHECK: %[[CTR:.+]] = arith.addi %[[LIN]], %c1_i64
// CHECK: %[[STEP:.+]] = arith.muli %[[CTR]], %c-7046029254386353131_i64
// CHECK: arith.addi %c-289814306270020754_i64, %[[STEP]]
// CHECK: arith.muli %{{.+}}, %c-4658895280553007687_i64
// CHECK: arith.muli %{{.+}}, %c-7723592293110705685_i64
// CHECK: %[[TOP:.+]] = arith.shrui %{{.+}}, %c11_i64
// CHECK: %[[U53:.+]] = arith.uitofp %[[TOP]] : i64 to f64
// CHECK: %[[U:.+]] = arith.mulf %[[U53]], %cst{{.*}} : f64
// CHECK: %[[V:.+]] = arith.truncf %{{.+}} : f64 to f32
// CHECK: %[[BELOW:.+]] = arith.constant 1.99999988 : f32
// CHECK: %[[C:.+]] = arith.minimumf %[[V]], %[[BELOW]]
// CHECK: arith.maximumf %[[C]], %cst{{.*}} : f32
// CHECK: return %[[GEN]]
func.func @uniform_seeded() -> tensor<2x3xf32> {
  %0 = "onnx.RandomUniform"() {low = -1.0 : f32, high = 2.0 : f32, seed = 7.0 : f32, shape = array<i64: 2, 3>} : () -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Without a seed the key comes from a fixed default seed and the node name:
// differently named nodes draw different streams, deterministically.
// CHECK-LABEL: func.func @unseeded_by_name
// CHECK: linalg.generic
// CHECK: arith.addi %c3154866396951242014_i64
// CHECK: linalg.generic
// CHECK: arith.addi %c-1195120096511280287_i64
func.func @unseeded_by_name(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = "onnx.RandomUniformLike"(%x) : (tensor<4xf32>) -> tensor<4xf32> loc("a")
  %1 = "onnx.RandomUniformLike"(%x) : (tensor<4xf32>) -> tensor<4xf32> loc("b")
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// RandomNormalLike: Box-Muller on draws 2i and 2i + 1 (1 - u keeps the log
// finite), mean + scale * z; the shape comes from the input, the type from
// dtype.
// CHECK-LABEL: func.func @normal_like
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<4xf64>)
// CHECK: %[[FIRST:.+]] = arith.muli %{{.+}}, %c2_i64
// CHECK: %[[SECOND:.+]] = arith.addi %[[FIRST]], %c1_i64
// CHECK: %[[U1:.+]] = arith.subf %cst{{.*}}, %{{.+}} : f64
// CHECK: %[[LOG:.+]] = math.log %[[U1]]
// CHECK: %[[R:.+]] = math.sqrt
// CHECK: %[[COS:.+]] = math.cos
// CHECK: %[[Z:.+]] = arith.mulf %[[R]], %[[COS]]
// CHECK: %[[SZ:.+]] = arith.mulf %[[Z]], %cst{{.*}}
// CHECK: %[[OUT:.+]] = arith.addf %cst{{.*}}, %[[SZ]]
// CHECK-NOT: arith.truncf
// CHECK: linalg.yield %[[OUT]] : f64
func.func @normal_like(%x: tensor<4xi32>) -> tensor<4xf64> {
  %0 = "onnx.RandomNormalLike"(%x) {dtype = 11 : i64, mean = 1.0 : f32, scale = 2.0 : f32} : (tensor<4xi32>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// RandomNormal with an f16 result rounds the f64 value.
// CHECK-LABEL: func.func @normal_f16
// CHECK: math.log
// CHECK: arith.truncf %{{.+}} : f64 to f16
func.func @normal_f16() -> tensor<3xf16> {
  %0 = "onnx.RandomNormal"() {dtype = 10 : i64, seed = 1.0 : f32, shape = array<i64: 3>} : () -> tensor<3xf16>
  return %0 : tensor<3xf16>
}

// -----

// Bernoulli: 1 where u < p, else 0, in the output type.
// CHECK-LABEL: func.func @bernoulli
// CHECK-SAME: %[[P:[^:]+]]: tensor<2x5xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[P]] : tensor<2x5xf32>) outs(%{{.+}} : tensor<2x5xi1>)
// CHECK: ^bb0(%[[IN:.+]]: f32, %{{.+}}: i1)
// CHECK: %[[PD:.+]] = arith.extf %[[IN]] : f32 to f64
// CHECK: %[[U:.+]] = arith.mulf %{{.+}}, %cst{{.*}} : f64
// CHECK: %[[HIT:.+]] = arith.cmpf olt, %[[U]], %[[PD]]
// CHECK: arith.select %[[HIT]], %true, %false : i1
func.func @bernoulli(%p: tensor<2x5xf32>) -> tensor<2x5xi1> {
  %0 = "onnx.Bernoulli"(%p) {dtype = 9 : i64} : (tensor<2x5xf32>) -> tensor<2x5xi1>
  return %0 : tensor<2x5xi1>
}

// -----

// Multinomial: row max and sum of exp(x - max) in f64, then over (b, s, c)
// the number of classes whose running sum stays <= u(b, s) * total, clamped
// to the last class and cast to the output type.
// CHECK-LABEL: func.func @multinomial
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x5xf32>
// CHECK: %[[MAX:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2x5xf32>) outs(%{{.+}} : tensor<2xf64>)
// CHECK: arith.maximumf
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[X]], %[[MAX]] : tensor<2x5xf32>, tensor<2xf64>)
// CHECK: math.exp
// CHECK: %[[PICK:.+]]:2 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[MAX]], %[[SUM]]
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<2x3xf64>, tensor<2x3xi64>)
// CHECK: %[[BELOW:.+]] = arith.cmpf ole
// CHECK: arith.extui %[[BELOW]] : i1 to i64
// CHECK: linalg.generic {{.*}} ins(%[[PICK]]#1 : tensor<2x3xi64>) outs(%{{.+}} : tensor<2x3xi32>)
// CHECK: %[[C:.+]] = arith.minsi %{{.+}}, %c4_i64
// CHECK: arith.trunci %[[C]] : i64 to i32
func.func @multinomial(%x: tensor<2x5xf32>) -> tensor<2x3xi32> {
  %0 = "onnx.Multinomial"(%x) {sample_size = 3 : i64, seed = 2.0 : f32} : (tensor<2x5xf32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @uniform_low_above_high() -> tensor<2xf32> {
  // expected-error @+2 {{node '<unnamed>' (RandomUniform): low 3.000000e+00 exceeds high 1.000000e+00}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.RandomUniform"() {low = 3.0 : f32, high = 1.0 : f32, shape = array<i64: 2>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @multinomial_samples(%x: tensor<2x5xf32>) -> tensor<2x4xi32> {
  // expected-error @+2 {{node '<unnamed>' (Multinomial): input must be [batch, classes] and output [batch, sample_size]}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Multinomial"(%x) {sample_size = 3 : i64} : (tensor<2x5xf32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

// RandomUniformLike with dynamic dims: the result sizes and the linear
// index's strides come from the input at run time.
// CHECK-LABEL: func.func @uniform_like_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x3xf32>)
// CHECK: %[[N:.+]] = tensor.dim %[[X]], %{{.+}}
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[EMPTY]] : tensor<?x3xf32>)
// CHECK: %[[ROW:.+]] = linalg.index 0 : index
// CHECK: %[[COL:.+]] = linalg.index 1 : index
// CHECK: arith.muli %{{.+}}, %c3_i64 : i64
func.func @uniform_like_dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = "onnx.RandomUniformLike"(%x) : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Bernoulli with a dynamic input: the result takes its size from the input.
// CHECK-LABEL: func.func @bernoulli_dynamic
// CHECK-SAME: (%[[P:.+]]: tensor<?xf64>)
// CHECK: %[[N:.+]] = tensor.dim %[[P]], %{{.+}}
// CHECK: %[[EMPTY:.+]] = tensor.empty(%[[N]]) : tensor<?xf64>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[P]] : tensor<?xf64>) outs(%[[EMPTY]] : tensor<?xf64>)
// CHECK: arith.cmpf olt
func.func @bernoulli_dynamic(%p: tensor<?xf64>) -> tensor<?xf64> {
  %0 = "onnx.Bernoulli"(%p) : (tensor<?xf64>) -> tensor<?xf64>
  return %0 : tensor<?xf64>
}
