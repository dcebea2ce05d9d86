// RUN: smelt-opt %s --split-input-file --verify-diagnostics --onnx-to-plain-tensors | FileCheck %s

// A sequence crossing the function boundary becomes its data and shapes
// tensors, both named as the value and marked with their ABI role. The
// element rank (2) comes from the inserted tensor; inserting at the back
// concatenates its flattened data and its dims as one more row.
// CHECK-LABEL: func.func @insert_at_back
// CHECK-SAME: (%[[DATA:.+]]: tensor<?xf32> {onnx.name = "s", smelt.abi_role = "sequence_data"}, %[[SHAPES:.+]]: tensor<?x2xi64> {onnx.name = "s", smelt.abi_role = "sequence_shapes"}, %[[T:.+]]: tensor<2x3xf32> {onnx.name = "t"})
// CHECK-SAME: -> (tensor<?xf32> {onnx.name = "out", smelt.abi_role = "sequence_data"}, tensor<?x2xi64> {onnx.name = "out", smelt.abi_role = "sequence_shapes"})
// CHECK: %[[FLAT:.+]] = "onnx.Reshape"(%[[T]], %{{.+}}) {{.*}} -> tensor<?xf32>
// CHECK: %[[DIMS:.+]] = "onnx.Shape"(%[[T]]) {{.*}} -> tensor<2xi64>
// CHECK: %[[ROW:.+]] = "onnx.Unsqueeze"(%[[DIMS]], %{{.+}}) {{.*}} -> tensor<1x2xi64>
// CHECK: %[[D:.+]] = "onnx.Concat"(%[[DATA]], %[[FLAT]]) <{axis = 0 : i64}>
// CHECK: %[[S:.+]] = "onnx.Concat"(%[[SHAPES]], %[[ROW]]) <{axis = 0 : i64}>
// CHECK: return %[[D]], %[[S]] : tensor<?xf32>, tensor<?x2xi64>
func.func @insert_at_back(%s: !onnx.seq<tensor<*xf32>> {onnx.name = "s"}, %t: tensor<2x3xf32> {onnx.name = "t"}) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "out"}) {
  %none = onnx.NoValue
  %0 = "onnx.SequenceInsert"(%s, %t, %none) : (!onnx.seq<tensor<*xf32>>, tensor<2x3xf32>, none) -> !onnx.seq<tensor<*xf32>>
  return %0 : !onnx.seq<tensor<*xf32>>
}

// -----

// SequenceAt at a run-time position: the position is normalized against the
// count (rows of shapes), the element's span in data comes from the running
// sum of element sizes, and the slice is reshaped to its row (allowzero, so
// a 0 dim stays 0). SequenceLength is the number of rows.
// CHECK-LABEL: func.func @at
// CHECK-SAME: (%[[DATA:.+]]: tensor<?xi64> {{.+}}, %[[SHAPES:.+]]: tensor<?x1xi64> {{.+}}, %[[P:.+]]: tensor<i32>
// CHECK: %[[N:.+]] = "onnx.Shape"(%[[SHAPES]]) <{end = 1 : i64, start = 0 : i64}>
// CHECK: %[[COUNT:.+]] = "onnx.Squeeze"(%[[N]]
// CHECK: %[[P64:.+]] = "onnx.Cast"(%[[P]]) <{to = 7 : i64}>
// CHECK: %[[NEG:.+]] = "onnx.Less"(%[[P64]]
// CHECK: %[[WRAP:.+]] = "onnx.Add"(%[[P64]], %[[COUNT]])
// CHECK: %[[POS:.+]] = "onnx.Where"(%[[NEG]], %[[WRAP]], %[[P64]])
// CHECK: %[[SIZES:.+]] = "onnx.ReduceProd"(%[[SHAPES]]) <{axes = array<i64: 1>, keepdims = 0 : i64}>
// CHECK: %[[ENDS:.+]] = "onnx.CumSum"(%[[SIZES]]
// CHECK: %[[OFFSETS:.+]] = "onnx.Concat"(%{{.+}}, %[[ENDS]])
// CHECK-DAG: "onnx.Gather"(%[[OFFSETS]], %[[POS]])
// CHECK-DAG: %[[FLAT:.+]] = "onnx.Slice"(%[[DATA]],
// CHECK: %[[ROW:.+]] = "onnx.Gather"(%[[SHAPES]], %[[POS]]) <{axis = 0 : i64}> {{.*}} -> tensor<1xi64>
// CHECK: %[[E:.+]] = "onnx.Reshape"(%[[FLAT]], %[[ROW]]) <{allowzero = 1 : i64}>
// CHECK: %[[LEN:.+]] = "onnx.Squeeze"
// CHECK: return %[[E]], %[[LEN]]
func.func @at(%s: !onnx.seq<tensor<?xi64>> {onnx.name = "s"}, %p: tensor<i32> {onnx.name = "p"}) -> (tensor<?xi64> {onnx.name = "e"}, tensor<i64> {onnx.name = "n"}) {
  %0 = "onnx.SequenceAt"(%s, %p) : (!onnx.seq<tensor<?xi64>>, tensor<i32>) -> tensor<?xi64>
  %1 = "onnx.SequenceLength"(%s) : (!onnx.seq<tensor<?xi64>>) -> tensor<i64>
  return %0, %1 : tensor<?xi64>, tensor<i64>
}

// -----

// An optional tensor is a presence flag and its value with dynamic dims
// (dims 0 when absent).
// CHECK-LABEL: func.func @optional
// CHECK-SAME: (%[[HAS:.+]]: tensor<i1> {onnx.name = "o", smelt.abi_role = "optional_present"}, %[[V:.+]]: tensor<?xf32> {onnx.name = "o"})
// CHECK: %[[C:.+]] = tensor.cast %[[V]] : tensor<?xf32> to tensor<4xf32>
// CHECK: return %[[HAS]], %[[C]]
func.func @optional(%o: !onnx.opt<tensor<4xf32>> {onnx.name = "o"}) -> (tensor<i1> {onnx.name = "has"}, tensor<4xf32> {onnx.name = "v"}) {
  %0 = "onnx.OptionalHasElement"(%o) : (!onnx.opt<tensor<4xf32>>) -> tensor<i1>
  %1 = "onnx.OptionalGetElement"(%o) : (!onnx.opt<tensor<4xf32>>) -> tensor<4xf32>
  return %0, %1 : tensor<i1>, tensor<4xf32>
}

// -----

// A Loop carries a growing sequence as two carried tensors; the empty
// sequence it starts from has 0 rows of the rank the inserted tensor gives.
// CHECK-LABEL: func.func @loop_grows
// CHECK: %[[ZERO:.+]] = arith.constant 0 : index
// CHECK: %[[D0:.+]] = tensor.empty(%[[ZERO]]) : tensor<?xf32>
// CHECK: %[[S0:.+]] = tensor.empty(%[[ZERO]]) : tensor<?x1xi64>
// CHECK: %[[L:.+]]:2 = "onnx.Loop"(%{{.+}}, %{{.+}}, %[[D0]], %[[S0]])
// CHECK: ^bb0(%{{.+}}: tensor<i64>, %[[C:.+]]: tensor<i1>, %[[D:.+]]: tensor<?xf32>, %[[S:.+]]: tensor<?x1xi64>):
// CHECK: %[[ND:.+]] = "onnx.Concat"(%[[D]],
// CHECK: %[[NS:.+]] = "onnx.Concat"(%[[S]],
// CHECK: onnx.Yield %[[C]], %[[ND]], %[[NS]] : tensor<i1>, tensor<?xf32>, tensor<?x1xi64>
// CHECK: -> (tensor<?xf32>, tensor<?x1xi64>)
// CHECK: return %[[L]]#0, %[[L]]#1
func.func @loop_grows(%n: tensor<i64> {onnx.name = "n"}, %x: tensor<5xf32> {onnx.name = "x"}) -> (!onnx.seq<tensor<*xf32>> {onnx.name = "out"}) {
  %none = onnx.NoValue
  %empty = "onnx.SequenceEmpty"() : () -> !onnx.seq<tensor<*xf32>>
  %0 = "onnx.Loop"(%n, %none, %empty) ({
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %s: !onnx.seq<tensor<*xf32>>):
    %1 = "onnx.SequenceInsert"(%s, %x, %none) : (!onnx.seq<tensor<*xf32>>, tensor<5xf32>, none) -> !onnx.seq<tensor<*xf32>>
    onnx.Yield %c, %1 : tensor<i1>, !onnx.seq<tensor<*xf32>>
  }) : (tensor<i64>, none, !onnx.seq<tensor<*xf32>>) -> !onnx.seq<tensor<*xf32>>
  return %0 : !onnx.seq<tensor<*xf32>>
}

// -----

// SequenceMap is a Loop over the elements: each iteration takes element i,
// runs the body on it and appends the body's output.
// CHECK-LABEL: func.func @map
// CHECK-SAME: (%[[DATA:.+]]: tensor<?xf32> {{.+}}, %[[SHAPES:.+]]: tensor<?x1xi64> {{.+}}, %[[Y:.+]]: tensor<1xf32>
// CHECK: %[[N:.+]] = "onnx.Squeeze"
// CHECK: "onnx.Loop"(%[[N]],
// CHECK: ^bb0(%[[I:.+]]: tensor<i64>, %{{.+}}: tensor<i1>, %[[OD:.+]]: tensor<?xf32>, %[[OS:.+]]: tensor<?x1xi64>):
// CHECK: %[[E:.+]] = "onnx.Reshape"(%{{.+}}) <{allowzero = 1 : i64}>
// CHECK: %[[SUM:.+]] = "onnx.Add"(%[[E]], %[[Y]])
// CHECK: "onnx.Concat"(%[[OD]],
// CHECK: "onnx.Concat"(%[[OS]],
// CHECK-NOT: onnx.SequenceMap
func.func @map(%s: !onnx.seq<tensor<?xf32>> {onnx.name = "s"}, %y: tensor<1xf32> {onnx.name = "y"}) -> (!onnx.seq<tensor<?xf32>> {onnx.name = "out"}) {
  %0 = "onnx.SequenceMap"(%s, %y) ({
  ^bb0(%e: tensor<?xf32>, %b: tensor<1xf32>):
    %1 = "onnx.Add"(%e, %b) : (tensor<?xf32>, tensor<1xf32>) -> tensor<?xf32>
    onnx.Yield %1 : tensor<?xf32>
  }) : (!onnx.seq<tensor<?xf32>>, tensor<1xf32>) -> !onnx.seq<tensor<?xf32>>
  return %0 : !onnx.seq<tensor<?xf32>>
}

// -----

// SplitToSequence with a run-time split is a Loop over the split sizes: step i
// slices between the running sums of the sizes and appends the slice. Before
// it, a run-time check that the sizes are not negative and cover the axis.
// CHECK-LABEL: func.func @split
// CHECK-SAME: (%[[X:.+]]: tensor<?x4xf32> {{.+}}, %[[SPLIT:.+]]: tensor<2xi64>
// CHECK: %[[DIMS:.+]] = "onnx.Shape"(%[[X]])
// CHECK: %[[DIM:.+]] = "onnx.Gather"(%[[DIMS]],
// CHECK: %[[ENDS:.+]] = "onnx.CumSum"(%[[SPLIT]],
// CHECK: %[[BOUNDS:.+]] = "onnx.Concat"(%{{.+}}, %[[ENDS]])
// CHECK: %[[SUM:.+]] = "onnx.ReduceSum"(%[[SPLIT]],
// CHECK: %[[LOW:.+]] = "onnx.ReduceMin"(%[[SPLIT]])
// CHECK: %[[COVERS:.+]] = "onnx.Equal"(%[[SUM]], %[[DIM]])
// CHECK: %[[POSITIVE:.+]] = "onnx.GreaterOrEqual"(%[[LOW]],
// CHECK: %[[VALID:.+]] = "onnx.And"(%[[COVERS]], %[[POSITIVE]])
// CHECK: %[[HOLDS:.+]] = tensor.extract %[[VALID]][]
// CHECK: cf.assert %[[HOLDS]], "node '<unnamed>' (SplitToSequence): the split sizes must be non-negative and sum to the size of the split axis"
// CHECK: "onnx.Loop"
// CHECK: ^bb0(%[[I:.+]]: tensor<i64>, %{{.+}}: tensor<i1>, %[[D:.+]]: tensor<?xf32>, %[[S:.+]]: tensor<?x2xi64>):
// CHECK: %[[NEXT:.+]] = "onnx.Add"(%[[I]],
// CHECK: %[[START:.+]] = "onnx.Gather"(%[[BOUNDS]], %[[I]])
// CHECK: %[[END:.+]] = "onnx.Gather"(%[[BOUNDS]], %[[NEXT]])
// CHECK: %[[PART:.+]] = "onnx.Slice"(%[[X]], {{.+}}) : {{.+}} -> tensor<?x4xf32>
// CHECK: "onnx.Concat"(%[[D]],
// CHECK: "onnx.Concat"(%[[S]],
// CHECK-NOT: onnx.SplitToSequence
func.func @split(%x: tensor<?x4xf32> {onnx.name = "x"}, %s: tensor<2xi64> {onnx.name = "s"}) -> (!onnx.seq<tensor<?x4xf32>> {onnx.name = "out"}) {
  %0 = "onnx.SplitToSequence"(%x, %s) {axis = 0 : i64} : (tensor<?x4xf32>, tensor<2xi64>) -> !onnx.seq<tensor<?x4xf32>>
  return %0 : !onnx.seq<tensor<?x4xf32>>
}

// -----

// ConcatFromSequence at run time is a Loop that concatenates element i onto
// the result so far, starting from element 0 cut to length 0 along the axis;
// with new_axis each element first gets a unit dim at the axis.
// CHECK-LABEL: func.func @concat
// CHECK: %[[FIRST:.+]] = "onnx.Reshape"({{.+}}) <{allowzero = 1 : i64}>
// CHECK: %[[INIT:.+]] = "onnx.Slice"(%[[FIRST]], {{.+}}) : {{.+}} -> tensor<?x?xf32>
// CHECK: %[[R:.+]] = "onnx.Loop"(%{{.+}}, %{{.+}}, %[[INIT]])
// CHECK: ^bb0(%[[I:.+]]: tensor<i64>, %[[C:.+]]: tensor<i1>, %[[ACC:.+]]: tensor<?x?xf32>):
// CHECK: %[[E:.+]] = "onnx.Reshape"({{.+}}) <{allowzero = 1 : i64}>
// CHECK: %[[NEXT:.+]] = "onnx.Concat"(%[[ACC]], %[[E]]) <{axis = 0 : i64}>
// CHECK: onnx.Yield %[[C]], %[[NEXT]]
// CHECK: %[[CAST:.+]] = tensor.cast %[[R]] : tensor<?x?xf32> to tensor<?x4xf32>
// CHECK: "onnx.Unsqueeze"
// CHECK: "onnx.Loop"
// CHECK: "onnx.Unsqueeze"
// CHECK: "onnx.Concat"
// CHECK: return %[[CAST]]
// CHECK-NOT: onnx.ConcatFromSequence
func.func @concat(%s: !onnx.seq<tensor<?x4xf32>> {onnx.name = "s"}) -> (tensor<?x4xf32> {onnx.name = "c"}, tensor<?x?x4xf32> {onnx.name = "st"}) {
  %0 = "onnx.ConcatFromSequence"(%s) {axis = 0 : i64} : (!onnx.seq<tensor<?x4xf32>>) -> tensor<?x4xf32>
  %1 = "onnx.ConcatFromSequence"(%s) {axis = 0 : i64, new_axis = 1 : i64} : (!onnx.seq<tensor<?x4xf32>>) -> tensor<?x?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x?x4xf32>
}

// -----

// An If returning an optional yields its parts from each branch: an absent
// value is a false flag and an empty tensor.
// CHECK-LABEL: func.func @if_optional
// CHECK-SAME: -> (tensor<i1> {onnx.name = "o", smelt.abi_role = "optional_present"}, tensor<?xf32> {onnx.name = "o"})
// CHECK: %[[R:.+]]:2 = "onnx.If"
// CHECK: %[[NO:.+]] = "onnx.Constant"() <{value = dense<false> : tensor<i1>}>
// CHECK: %[[EMPTY:.+]] = tensor.empty(%{{.+}}) : tensor<?xf32>
// CHECK: onnx.Yield %[[NO]], %[[EMPTY]]
// CHECK: %[[YES:.+]] = "onnx.Constant"() <{value = dense<true> : tensor<i1>}>
// CHECK: %[[X:.+]] = tensor.cast %{{.+}} : tensor<3xf32> to tensor<?xf32>
// CHECK: onnx.Yield %[[YES]], %[[X]]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @if_optional(%c: tensor<i1> {onnx.name = "c"}, %x: tensor<3xf32> {onnx.name = "x"}) -> (!onnx.opt<tensor<3xf32>> {onnx.name = "o"}) {
  %0 = "onnx.If"(%c) ({
    %none = onnx.NoValue
    %1 = "onnx.Optional"(%none) {type = tensor<3xf32>} : (none) -> !onnx.opt<tensor<3xf32>>
    onnx.Yield %1 : !onnx.opt<tensor<3xf32>>
  }, {
    %1 = "onnx.Optional"(%x) : (tensor<3xf32>) -> !onnx.opt<tensor<3xf32>>
    onnx.Yield %1 : !onnx.opt<tensor<3xf32>>
  }) : (tensor<i1>) -> !onnx.opt<tensor<3xf32>>
  return %0 : !onnx.opt<tensor<3xf32>>
}

// -----

// Elements of different ranks in one sequence cannot be laid out as rows of
// one shapes tensor.
func.func @mixed_ranks(%x: tensor<f32>, %y: tensor<2xf32>) -> !onnx.seq<tensor<*xf32>> {
  %none = onnx.NoValue
  %0 = "onnx.SequenceConstruct"(%x) : (tensor<f32>) -> !onnx.seq<tensor<*xf32>>
  // expected-error @+1 {{node '<unnamed>' (SequenceInsert): sequence elements of rank 1 meet elements of rank 0}}
  %1 = "onnx.SequenceInsert"(%0, %y, %none) : (!onnx.seq<tensor<*xf32>>, tensor<2xf32>, none) -> !onnx.seq<tensor<*xf32>>
  return %1 : !onnx.seq<tensor<*xf32>>
}

// -----

// A string tensor is its UTF-8 bytes, concatenated row-major, and an int64
// tensor of its shape holding each string's byte length. Ops that only
// reshape act on the lengths; the bytes stay as they are. A constant is laid
// out at compile time.
// CHECK-LABEL: func.func @string_reshape_constant
// CHECK-SAME: (%[[BYTES:.+]]: tensor<?xui8> {onnx.name = "x", smelt.abi_role = "string_bytes"}, %[[LENGTHS:.+]]: tensor<2x3xi64> {onnx.name = "x", smelt.abi_role = "string_lengths"})
// CHECK: %[[FLAT:.+]] = "onnx.Reshape"(%[[LENGTHS]], %{{.+}}) {{.*}} -> tensor<6xi64>
// CHECK-DAG: %[[CB:.+]] = "onnx.Constant"() <{value = dense<[97, 98]> : tensor<2xui8>}>
// CHECK-DAG: %[[CL:.+]] = "onnx.Constant"() <{value = dense<[2, 0]> : tensor<2xi64>}>
// CHECK: %[[CAST:.+]] = tensor.cast %[[CB]] : tensor<2xui8> to tensor<?xui8>
// CHECK: return %[[BYTES]], %[[FLAT]], %[[CAST]], %[[CL]]
func.func @string_reshape_constant(%x: tensor<2x3x!onnx.string> {onnx.name = "x"}) -> (tensor<6x!onnx.string> {onnx.name = "flat"}, tensor<2x!onnx.string> {onnx.name = "c"}) {
  %shape = "onnx.Constant"() {value = dense<6> : tensor<1xi64>} : () -> tensor<1xi64>
  %0 = "onnx.Reshape"(%x, %shape) : (tensor<2x3x!onnx.string>, tensor<1xi64>) -> tensor<6x!onnx.string>
  %1 = "onnx.Constant"() {value = dense<["ab", ""]> : tensor<2x!onnx.string>} : () -> tensor<2x!onnx.string>
  return %0, %1 : tensor<6x!onnx.string>, tensor<2x!onnx.string>
}

// -----

// StringNormalizer: a string is a stopword when its length matches and the
// bytes read from its start (ASCII-lowered: case-insensitive) equal the
// word's; the kept lengths and, through each byte's owning string, the kept
// bytes are compressed; an empty result becomes one empty string; then the
// ASCII letters are upper-cased.
// CHECK-LABEL: func.func @normalize
// CHECK-SAME: (%[[BYTES:.+]]: tensor<?xui8> {{.+}}, %[[LENGTHS:.+]]: tensor<1x3xi64>
// CHECK: %[[L:.+]] = "onnx.Reshape"(%[[LENGTHS]], {{.+}}) -> tensor<?xi64>
// CHECK: %[[LOWERED:.+]] = "onnx.Where"
// CHECK: %[[ENDS:.+]] = "onnx.CumSum"(%[[L]],
// CHECK: %[[STARTS:.+]] = "onnx.Sub"(%[[ENDS]], %[[L]])
// CHECK: %[[SAMELEN:.+]] = "onnx.Equal"(%[[L]],
// CHECK: %[[READ:.+]] = "onnx.Gather"
// CHECK: %[[WORD:.+]] = "onnx.Constant"() <{value = dense<{{\[\[}}109, 111, 110]]> : tensor<1x3xui8>}>
// CHECK: "onnx.Equal"(%[[READ]], %[[WORD]])
// CHECK: "onnx.ReduceMin"
// CHECK: %[[STOP:.+]] = "onnx.And"(%{{.+}}, %[[SAMELEN]])
// CHECK: %[[KEEP:.+]] = "onnx.Not"(%[[STOP]])
// CHECK: %[[KEPT:.+]] = "onnx.Compress"(%[[L]], %[[KEEP]])
// CHECK: "onnx.ScatterElements"({{.+}}) <{axis = 0 : i64, reduction = "add"}>
// CHECK: %[[KEEPBYTE:.+]] = "onnx.Gather"(%[[KEEP]],
// CHECK: %[[KEPTBYTES:.+]] = "onnx.Compress"(%[[BYTES]], %[[KEEPBYTE]])
// CHECK: %[[OUTL:.+]] = "onnx.Concat"(%[[KEPT]],
// CHECK: "onnx.GreaterOrEqual"(%[[KEPTBYTES]],
// CHECK: "onnx.Sub"(%[[KEPTBYTES]],
// CHECK: %[[UPPER:.+]] = "onnx.Where"
// CHECK: %[[ROW:.+]] = "onnx.Unsqueeze"(%[[OUTL]],
// CHECK: return %[[UPPER]], %[[ROW]] : tensor<?xui8>, tensor<1x?xi64>
func.func @normalize(%x: tensor<1x3x!onnx.string> {onnx.name = "x"}) -> (tensor<1x?x!onnx.string> {onnx.name = "y"}) {
  %0 = "onnx.StringNormalizer"(%x) {case_change_action = "UPPER", is_case_sensitive = 0 : i64, stopwords = ["Mon"]} : (tensor<1x3x!onnx.string>) -> tensor<1x?x!onnx.string>
  return %0 : tensor<1x?x!onnx.string>
}

// -----

// Cast from strings parses each string (sign, digits, '.', exponent, or
// nan/inf/infinity) in a loop over its bytes into f64, then casts to the
// target type; the bytes are read as int32 with 8 bytes of padding.
// CHECK-LABEL: func.func @parse_strings
// CHECK-SAME: (%[[BYTES:.+]]: tensor<?xui8> {{.+}}, %[[LENGTHS:.+]]: tensor<2x3xi64> {{.+}})
// CHECK: %[[TEXT:.+]] = "onnx.Concat"(%[[BYTES]], %{{.+}}) {{.+}} -> tensor<?xui8>
// CHECK: %[[WIDE:.+]] = "onnx.Cast"(%[[TEXT]]) <{to = 6 : i64}>
// CHECK: %[[PARSED:.+]] = linalg.generic
// CHECK: scf.for
// CHECK: tensor.extract %[[WIDE]]
// CHECK: math.powf
// CHECK: %[[SHAPED:.+]] = "onnx.Reshape"(%[[PARSED]], %{{.+}}) {{.+}} -> tensor<2x3xf64>
// CHECK: %[[OUT:.+]] = "onnx.Cast"(%[[SHAPED]]) <{to = 1 : i64}> : (tensor<2x3xf64>) -> tensor<2x3xf32>
// CHECK: return %[[OUT]]
func.func @parse_strings(%x: tensor<2x3x!onnx.string> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) {
  %0 = "onnx.Cast"(%x) {to = 1 : i64} : (tensor<2x3x!onnx.string>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
