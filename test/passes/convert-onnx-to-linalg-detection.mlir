// RUN: smelt-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-linalg | FileCheck %s

// NonZero counts first, then fills an exactly-sized [rank, nnz] tensor.
// CHECK-LABEL: func.func @nonzero
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf32>) -> tensor<2x?xi64>
// CHECK: %[[N:.+]] = scf.for {{.+}} -> (index)
// CHECK: tensor.extract %[[X]]
// CHECK: %[[INIT:.+]] = tensor.empty(%[[N]]) : tensor<2x?xi64>
// CHECK: %[[FILL:.+]]:2 = scf.for {{.+}} iter_args(%{{.+}} = %[[INIT]], {{.+}}) -> (tensor<2x?xi64>, index)
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: return %[[FILL]]#0 : tensor<2x?xi64>
// CHECK-NOT: onnx.
func.func @nonzero(%x: tensor<2x3xf32>) -> tensor<2x?xi64> {
  %0 = "onnx.NonZero"(%x) : (tensor<2x3xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// A static result type from shape inference: the dynamic value is cast to it.
// CHECK-LABEL: func.func @nonzero_static
// CHECK: %[[V:.+]]:2 = scf.for
// CHECK: %[[C:.+]] = tensor.cast %[[V]]#0 : tensor<1x?xi64> to tensor<1x2xi64>
// CHECK: return %[[C]]
func.func @nonzero_static(%x: tensor<3xi32>) -> tensor<1x2xi64> {
  %0 = "onnx.NonZero"(%x) : (tensor<3xi32>) -> tensor<1x2xi64>
  return %0 : tensor<1x2xi64>
}

// -----

// NMS: a [batches*classes*boxes, 3] output buffer, per-box float scratch
// (rows: the geometry of every box, then per position in min0 order the
// selected ones, the sorted min0s and prefix max0s), index slots (the order,
// then the class's candidates; each box's position; the sorts' spare room)
// and their integer sort keys. Per batch the geometry and the order are
// computed once; per class the candidates above the threshold are sorted by
// score, then visited while left and the class has room; a candidate is
// compared with the selected boxes in its window only, until a step has a
// suppressor. Both sorts are radix sorts of the floats' ordered bits, a byte
// per pass: all four bytes counted in one sweep, each count turned into its
// bucket's first slot, then a move per byte. The buffer is sliced to the
// count.
// CHECK-LABEL: func.func @nms
// CHECK-SAME: %[[B:[^:]+]]: tensor<1x6x4xf32>, %[[S:[^:]+]]: tensor<1x1x6xf32>, %[[M:[^:]+]]: tensor<1xi64>
// CHECK: tensor.extract %[[M]]
// CHECK-DAG: %[[BUF:.+]] = tensor.empty() : tensor<6x3xi64>
// CHECK-DAG: %[[SCRATCH:.+]] = tensor.empty() : tensor<12x6xf32>
// CHECK-DAG: %[[SLOTS:.+]] = tensor.empty() : tensor<18xindex>
// CHECK-DAG: %[[KEYS:.+]] = tensor.empty() : tensor<12xi32>
// CHECK-DAG: %[[COUNTS:.+]] = tensor.empty() : tensor<1024xindex>
// CHECK: %[[LOOP:.+]]:6 = scf.for {{.+}} iter_args(%{{.+}} = %[[BUF]], %{{.+}} = %{{.+}}, %{{.+}} = %[[SLOTS]], %{{.+}} = %[[KEYS]], %{{.+}} = %[[COUNTS]], %[[SCR:.+]] = %[[SCRATCH]])
// CHECK: %[[GEOM:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[SCR]]) -> (tensor<12x6xf32>)
// CHECK: tensor.extract %[[B]]
// Per batch, the boxes by min0 (NaN last, as +inf): each box's key, its
// bits with the sign bit set, or all flipped for a negative min0 ...
// CHECK: %[[MIN0:.+]]:2 = scf.for {{.+}} -> (tensor<18xindex>, tensor<12xi32>)
// CHECK: arith.cmpf uno
// CHECK: %[[BITS:.+]] = arith.bitcast %{{.+}} : f32 to i32
// CHECK: %[[SIGN:.+]] = arith.shrsi %[[BITS]], %c31_i32
// CHECK: %[[FLIP:.+]] = arith.ori %[[SIGN]], %c-2147483648_i32
// CHECK: arith.xori %[[BITS]], %[[FLIP]]
// ... then the counts of all four bytes (zeroed, counted, first slots) ...
// CHECK: %[[ZEROED:.+]] = scf.for %{{.+}} = %{{.+}} to %c1024 {{.+}} -> (tensor<1024xindex>)
// CHECK: %[[COUNTED:.+]] = scf.for %{{.+}} = %{{.+}} to %c6 {{.+}} iter_args(%{{.+}} = %[[ZEROED]]) -> (tensor<1024xindex>)
// CHECK: arith.shrui %{{.+}}, %c0_i32
// CHECK: arith.shrui %{{.+}}, %c8_i32
// CHECK: arith.shrui %{{.+}}, %c16_i32
// CHECK: arith.shrui %{{.+}}, %c24_i32
// CHECK: %[[FIRST:.+]]:5 = scf.for %{{.+}} = %{{.+}} to %c256 {{.+}} iter_args(%{{.+}} = %[[COUNTED]], {{.+}}) -> (tensor<1024xindex>, index, index, index, index)
// ... and four moves, the lowest byte first, each moving all six entries
// to the spare room (slots from 2 x 6, keys from 6) or back.
// CHECK: %[[PASS0:.+]]:3 = scf.for %{{.+}} = %{{.+}} to %c6 {{.+}} iter_args(%{{.+}} = %[[MIN0]]#0, %{{.+}} = %[[MIN0]]#1, %{{.+}} = %[[FIRST]]#0) -> (tensor<18xindex>, tensor<12xi32>, tensor<1024xindex>)
// CHECK: arith.shrui %{{.+}}, %c0_i32
// CHECK: %[[SLOT:.+]] = tensor.extract %{{.+}}[%{{.+}}] : tensor<1024xindex>
// CHECK: tensor.insert %{{.+}} into %{{.+}}[%{{.+}}] : tensor<18xindex>
// CHECK: arith.addi %c6, %[[SLOT]]
// CHECK: %[[PASS1:.+]]:3 = scf.for {{.+}} iter_args(%{{.+}} = %[[PASS0]]#0, %{{.+}} = %[[PASS0]]#1, %{{.+}} = %[[PASS0]]#2) -> (tensor<18xindex>, tensor<12xi32>, tensor<1024xindex>)
// CHECK: arith.shrui %{{.+}}, %c8_i32
// CHECK: %[[PASS2:.+]]:3 = scf.for {{.+}} iter_args(%{{.+}} = %[[PASS1]]#0, %{{.+}} = %[[PASS1]]#1, %{{.+}} = %[[PASS1]]#2) -> (tensor<18xindex>, tensor<12xi32>, tensor<1024xindex>)
// CHECK: arith.shrui %{{.+}}, %c16_i32
// CHECK: %[[PASS3:.+]]:3 = scf.for {{.+}} iter_args(%{{.+}} = %[[PASS2]]#0, %{{.+}} = %[[PASS2]]#1, %{{.+}} = %[[PASS2]]#2) -> (tensor<18xindex>, tensor<12xi32>, tensor<1024xindex>)
// CHECK: arith.shrui %{{.+}}, %c24_i32
// Positions: box -> position in slot 6 + box, sorted min0s in row 10,
// prefix max0s in row 11, no box selected (a NaN min0 in row 5).
// CHECK: %[[INDEX:.+]]:3 = scf.for {{.+}} iter_args(%{{.+}} = %[[PASS3]]#0, {{.+}}) -> (tensor<18xindex>, tensor<12x6xf32>, f32)
// CHECK: tensor.insert %{{.+}} into %{{.+}}[%c5{{.*}}, %{{.+}}] : tensor<12x6xf32>
// CHECK: tensor.insert %{{.+}} into %{{.+}}[%c10, %{{.+}}] : tensor<12x6xf32>
// CHECK: tensor.insert %{{.+}} into %{{.+}}[%c11, %{{.+}}] : tensor<12x6xf32>
// CHECK: scf.for {{.+}} iter_args({{.+}}, %{{.+}} = %[[INDEX]]#0, %{{.+}} = %[[PASS3]]#1, %{{.+}} = %[[PASS3]]#2, %{{.+}} = %[[INDEX]]#1)
// The candidates, keyed by score, higher first (the key's bits flipped):
// CHECK: %[[CANDS:.+]]:3 = scf.for {{.+}} -> (tensor<18xindex>, tensor<12xi32>, index)
// CHECK: tensor.extract %[[S]]
// CHECK: arith.cmpf ogt
// CHECK: %[[KEY:.+]] = arith.xori %{{.+}}, %{{.+}} : i32
// CHECK: arith.xori %[[KEY]], %c-1_i32
// CHECK: scf.for %{{.+}} = %{{.+}} to %c1024
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[CANDS]]#2
// CHECK: scf.for %{{.+}} = %{{.+}} to %c256
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[CANDS]]#2 {{.+}} iter_args(%{{.+}} = %[[CANDS]]#0, %{{.+}} = %[[CANDS]]#1, {{.+}})
// CHECK: arith.shrui %{{.+}}, %c16_i32
// CHECK: %[[ORDER:.+]]:3 = scf.for %{{.+}} = %{{.+}} to %[[CANDS]]#2
// CHECK: arith.shrui %{{.+}}, %c24_i32
// Visited in that order while candidates are left and the class has room:
// CHECK: scf.while
// CHECK: arith.cmpi ult, %{{.+}}, %[[CANDS]]#2
// CHECK: arith.cmpi slt
// CHECK: tensor.extract %[[ORDER]]#0
// The window of positions that can intersect the candidate: the first prefix
// max0 above its min0, the first sorted min0 not below its max0.
// CHECK: %[[BEGIN:.+]]:2 = scf.while
// CHECK: tensor.extract %{{.+}}[%c11, %{{.+}}]
// CHECK: arith.cmpf ogt
// CHECK: %[[END:.+]]:2 = scf.while
// CHECK: tensor.extract %{{.+}}[%c10, %{{.+}}]
// CHECK: arith.cmpf olt
// The selected boxes in the window, 16 positions per step, the last masked:
// CHECK: scf.while (%{{.+}} = %[[BEGIN]]#0
// CHECK: arith.cmpi ult, %{{.+}}, %[[END]]#0
// CHECK: ^bb0(%[[FIRST:[^:]+]]: index, %{{[^:]+}}: i1):
// CHECK-NEXT: %[[LEFT:.+]] = arith.subi %[[END]]#0, %[[FIRST]] : index
// CHECK-NEXT: %[[LIVE:.+]] = vector.create_mask %[[LEFT]] : vector<16xi1>
// CHECK-COUNT-4: vector.transfer_read %{{.+}}[%{{.+}}, %[[FIRST]]], %{{.+}}, %[[LIVE]] : tensor<12x6xf32>, vector<16xf32>
// Four comparisons rule out a step before the IoU:
// CHECK: %[[OVERLAP:.+]] = vector.reduction <or>, %{{.+}} : vector<16xi1> into i1
// CHECK: scf.if %[[OVERLAP]]
// CHECK: vector.transfer_read %{{.+}}[%c9, %[[FIRST]]]
// CHECK: arith.divf {{.+}} : vector<16xf32>
// CHECK: vector.reduction <or>, %{{.+}} : vector<16xi1> into i1
// CHECK: arith.addi %[[FIRST]], %c16
// CHECK: scf.if
// After the class, its selected boxes leave their positions:
// CHECK: scf.for
// CHECK: tensor.insert %{{.+}} into %{{.+}}[%c5{{.*}}, %{{.+}}] : tensor<12x6xf32>
// CHECK: %[[SEL:.+]] = tensor.extract_slice %[[LOOP]]#0[0, 0] [%[[LOOP]]#1, 3] [1, 1] : tensor<6x3xi64> to tensor<?x3xi64>
// CHECK: return %[[SEL]]
func.func @nms(%b: tensor<1x6x4xf32>, %s: tensor<1x1x6xf32>, %m: tensor<1xi64>, %i: tensor<1xf32>, %t: tensor<1xf32>) -> tensor<?x3xi64> {
  %0 = "onnx.NonMaxSuppression"(%b, %s, %m, %i, %t) {center_point_box = 1 : i64} : (tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// Absent optional inputs: max_output_boxes_per_class defaults to 0.
// CHECK-LABEL: func.func @nms_defaults
// CHECK: tensor.extract_slice
// CHECK-NOT: onnx.NonMaxSuppression
func.func @nms_defaults(%b: tensor<?x?x4xf32>, %s: tensor<?x?x?xf32>) -> tensor<?x3xi64> {
  %none = "onnx.NoValue"() : () -> none
  %0 = "onnx.NonMaxSuppression"(%b, %s, %none, %none, %none) : (tensor<?x?x4xf32>, tensor<?x?x?xf32>, none, none, none) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// Unique along an axis: Y gathers the unique slices; all four results are
// data dependent and cast to the inferred static types.
// CHECK-LABEL: func.func @unique
// CHECK-SAME: (%[[X:.+]]: tensor<3x3xf32>)
// CHECK: %[[OUTS:.+]]:3 = scf.for {{.+}} -> (tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK: tensor.extract %[[OUTS]]#0
// CHECK: tensor.extract %[[X]]
// CHECK: -> tensor<?x3xf32>
// CHECK-DAG: %[[YC:.+]] = tensor.cast %[[Y]] : tensor<?x3xf32> to tensor<2x3xf32>
// CHECK-DAG: %[[IC:.+]] = tensor.cast %[[OUTS]]#0 : tensor<?xi64> to tensor<2xi64>
// CHECK-DAG: %[[VC:.+]] = tensor.cast %[[OUTS]]#2 : tensor<?xi64> to tensor<3xi64>
// CHECK-DAG: %[[CC:.+]] = tensor.cast %[[OUTS]]#1 : tensor<?xi64> to tensor<2xi64>
// CHECK: return %[[YC]], %[[IC]], %[[VC]], %[[CC]]
func.func @unique(%x: tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>) {
  %y, %i, %v, %c = "onnx.Unique"(%x) {axis = 0 : i64, sorted = 1 : i64} : (tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>)
  return %y, %i, %v, %c : tensor<2x3xf32>, tensor<2xi64>, tensor<3xi64>, tensor<2xi64>
}

// -----

// Unique without an axis flattens the input first.
// CHECK-LABEL: func.func @unique_flat
// CHECK: tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<2x?xi32> into tensor<?xi32>
// CHECK: return {{.+}} : tensor<?xi32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>
func.func @unique_flat(%x: tensor<2x?xi32>) -> (tensor<?xi32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) {
  %y, %i, %v, %c = "onnx.Unique"(%x) {sorted = 0 : i64} : (tensor<2x?xi32>) -> (tensor<?xi32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
  return %y, %i, %v, %c : tensor<?xi32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>
}

// -----

// GridSample: one generic over the output gathering from X.
// CHECK-LABEL: func.func @gridsample
// CHECK-SAME: (%[[X:.+]]: tensor<1x1x4x4xf32>, %[[G:.+]]: tensor<1x2x2x2xf32>)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<1x1x2x2xf32>)
// CHECK: tensor.extract %[[G]]
// CHECK: math.roundeven
// CHECK: tensor.extract %[[X]]
// CHECK-NOT: onnx.GridSample
func.func @gridsample(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %0 = "onnx.GridSample"(%x, %g) {mode = "nearest", padding_mode = "border", align_corners = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Bicubic samples a 4x4 neighbourhood.
// CHECK-LABEL: func.func @gridsample_bicubic
// CHECK: linalg.generic
// CHECK-COUNT-16: tensor.extract %arg0
func.func @gridsample_bicubic(%x: tensor<1x1x3x2xf32>, %g: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  %0 = "onnx.GridSample"(%x, %g) {mode = "bicubic", padding_mode = "reflection", align_corners = 0 : i64} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

// Det: per batch matrix, LU with partial pivoting (pivot search, row swap,
// elimination) on a 2x2 slice.
// CHECK-LABEL: func.func @det
// CHECK-SAME: (%[[X:.+]]: tensor<3x2x2xf32>) -> tensor<3xf32>
// CHECK: %[[R:.+]] = scf.for {{.+}} -> (tensor<3xf32>)
// CHECK: %[[A:.+]] = tensor.extract_slice %[[X]][%{{.+}}, 0, 0] [1, 2, 2] [1, 1, 1] : tensor<3x2x2xf32> to tensor<2x2xf32>
// CHECK: scf.for {{.+}} iter_args(%{{.+}} = %[[A]], {{.+}}) -> (tensor<2x2xf32>, f32)
// CHECK: math.absf
// CHECK: arith.divf
// CHECK: return %[[R]]
func.func @det(%x: tensor<3x2x2xf32>) -> tensor<3xf32> {
  %0 = "onnx.Det"(%x) : (tensor<3x2x2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// ReverseSequence: a gather with the time index reversed below the length.
// CHECK-LABEL: func.func @reverse
// CHECK-SAME: (%[[X:.+]]: tensor<4x?xf32>, %[[L:.+]]: tensor<?xi64>)
// CHECK: %[[D:.+]] = tensor.dim %[[X]], %{{.+}}
// CHECK: %[[E:.+]] = tensor.empty(%[[D]]) : tensor<4x?xf32>
// CHECK: linalg.generic {{.+}} outs(%[[E]] : tensor<4x?xf32>)
// CHECK: %[[T:.+]] = linalg.index 0
// CHECK: %[[B:.+]] = linalg.index 1
// CHECK: tensor.extract %[[L]][%[[B]]]
// CHECK: arith.cmpi slt, %[[T]]
// CHECK: tensor.extract %[[X]]
func.func @reverse(%x: tensor<4x?xf32>, %l: tensor<?xi64>) -> tensor<4x?xf32> {
  %0 = "onnx.ReverseSequence"(%x, %l) {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x?xf32>, tensor<?xi64>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @reverse_same_axes(%x: tensor<4x4xf32>, %l: tensor<4xi64>) -> tensor<4x4xf32> {
  // expected-error @+2 {{node '<unnamed>' (ReverseSequence): batch_axis and time_axis must be 0 and 1}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.ReverseSequence"(%x, %l) {batch_axis = 0 : i64, time_axis = 0 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @det_not_square(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+2 {{node '<unnamed>' (Det): matrices must be square}}
  // expected-error @+1 {{failed to legalize}}
  %0 = "onnx.Det"(%x) : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Dynamic dims: the output takes N and C from X and its spatial sizes from
// the grid; X's height and width are read at run time (as a float) for denormalizing
// and clamping the sample coordinates.
// CHECK-LABEL: func.func @gridsample_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?x?xf32>, %[[G:.+]]: tensor<?x?x?x2xf32>)
// CHECK: tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: arith.sitofp
// CHECK: %[[W:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?x?xf32>
// CHECK: %[[WI:.+]] = arith.index_cast %[[W]] : index to i64
// CHECK: %[[WF:.+]] = arith.sitofp %[[WI]] : i64 to f32
// CHECK: %[[N:.+]] = tensor.dim %[[X]]
// CHECK: %[[C:.+]] = tensor.dim %[[X]]
// CHECK: %[[OH:.+]] = tensor.dim %[[G]]
// CHECK: %[[OW:.+]] = tensor.dim %[[G]]
// CHECK: %[[E:.+]] = tensor.empty(%[[N]], %[[C]], %[[OH]], %[[OW]]) : tensor<?x?x?x?xf32>
// CHECK: linalg.generic
// CHECK-SAME: outs(%[[E]] : tensor<?x?x?x?xf32>)
// CHECK: arith.addf %[[WF]], %{{.+}} : f32
// CHECK: tensor.extract %[[X]]
func.func @gridsample_dynamic(%x: tensor<?x?x?x?xf32>, %g: tensor<?x?x?x2xf32>) -> tensor<?x?x?x?xf32> {
  %0 = "onnx.GridSample"(%x, %g) {mode = "nearest", padding_mode = "border", align_corners = 1 : i64} : (tensor<?x?x?x?xf32>, tensor<?x?x?x2xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// Dynamic dims: the batch count is the product of the batch dims read at
// run time, and each matrix slice takes its size from x.
// CHECK-LABEL: func.func @det_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?xf32>)
// CHECK: %[[B:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?xf32>
// CHECK: %[[N:.+]] = arith.muli %{{.+}}, %[[B]] : index
// CHECK: %[[M:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x?x?xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?xf32>
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[N]] {{.*}} iter_args(%{{.+}} = %[[E]])
// CHECK: tensor.extract_slice %[[X]][{{.+}}] [1, %[[M]], %[[M]]] [1, 1, 1] : tensor<?x?x?xf32> to tensor<?x?xf32>
func.func @det_dynamic(%x: tensor<?x?x?xf32>) -> tensor<?xf32> {
  %0 = "onnx.Det"(%x) : (tensor<?x?x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
