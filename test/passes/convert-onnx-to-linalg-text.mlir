// RUN: smelt-opt %s --split-input-file --convert-onnx-to-linalg | FileCheck %s

// Bigrams with skips: one counting generic over (row, entry, skip, start)
// with the skip and start dims reduced, then the scatter to the output columns.
// CHECK-LABEL: func.func @tfidf_bigrams
// CHECK-SAME: (%[[X:.+]]: tensor<2x6xi32>)
// CHECK: %[[POOL:.+]] = arith.constant dense<{{\[\[}}2, 3], [5, 4]]> : tensor<2x2xi64>
// CHECK: %[[COUNT:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.+}} : tensor<2x2xi64>)
// CHECK: tensor.extract %[[X]]
// CHECK: tensor.extract %[[POOL]]
// CHECK: arith.cmpi eq
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK: tensor.extract %[[COUNT]]
// CHECK: arith.sitofp
// CHECK: return %[[Y]] : tensor<2x3xf32>
// CHECK-NOT: onnx.
func.func @tfidf_bigrams(%x: tensor<2x6xi32>) -> tensor<2x3xf32> {
  %0 = "onnx.TfIdfVectorizer"(%x) <{max_gram_length = 2 : i64, max_skip_count = 2 : i64, min_gram_length = 2 : i64, mode = "TF", ngram_counts = array<i64: 0, 2>, ngram_indexes = array<i64: 0, 1, 1, 2>, pool_int64s = array<i64: 7, 8, 2, 3, 5, 4>}> : (tensor<2x6xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// TFIDF weighs each column's count; a 1-D input is one row.
// CHECK-LABEL: func.func @tfidf_weighted
// CHECK: %[[W:.+]] = arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: linalg.generic {{.*}} ins(%[[W]]
// CHECK: arith.mulf
// CHECK: tensor.collapse_shape
func.func @tfidf_weighted(%x: tensor<4xi64>) -> tensor<2xf32> {
  %0 = "onnx.TfIdfVectorizer"(%x) <{max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TFIDF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 1, 0>, pool_int64s = array<i64: 3, 9>, weights = array<f32: 0.5, 2.0>}> : (tensor<4xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Dynamic rows and length: the counts and output are sized by the run-time
// rows, the (skip, start) span by the run-time length, which also bounds the
// n-gram positions; the output width stays static.
// CHECK-LABEL: func.func @tfidf_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?xi64>)
// CHECK-DAG: %[[ROWS:.+]] = tensor.dim %[[X]], %c0 : tensor<?x?xi64>
// CHECK-DAG: %[[LEN:.+]] = tensor.dim %[[X]], %c1 : tensor<?x?xi64>
// CHECK: %[[LAST:.+]] = arith.subi %[[LEN]], %{{.+}} : index
// CHECK: tensor.empty(%[[ROWS]]) : tensor<?x2xi64>
// CHECK: tensor.empty(%[[LEN]]) : tensor<3x?xi1>
// CHECK: linalg.generic
// CHECK: arith.cmpi ult, %{{.+}}, %[[LEN]] : index
// CHECK: arith.minui %{{.+}}, %[[LAST]] : index
// CHECK: tensor.empty(%[[ROWS]]) : tensor<?x3xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: return %[[R]] : tensor<?x3xf32>
func.func @tfidf_dynamic(%x: tensor<?x?xi64>) -> tensor<?x3xf32> {
  %0 = "onnx.TfIdfVectorizer"(%x) <{max_gram_length = 2 : i64, max_skip_count = 2 : i64, min_gram_length = 2 : i64, mode = "TF", ngram_counts = array<i64: 0, 2>, ngram_indexes = array<i64: 0, 1, 1, 2>, pool_int64s = array<i64: 1, 2, 3, 4, 5, 6>}> : (tensor<?x?xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
