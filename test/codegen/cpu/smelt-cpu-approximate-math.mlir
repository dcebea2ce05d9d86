// RUN: smelt-opt %s --smelt-cpu-approximate-math | FileCheck %s

// f32 exp, log, tanh and erf, scalar or vector, become inline arithmetic:
// no math call is left for LLVM to turn into a libm call per element.
// CHECK-LABEL: func.func @approximated
// CHECK-NOT:   math.exp
// CHECK-NOT:   math.log
// CHECK-NOT:   math.tanh
// CHECK-NOT:   math.erf
// CHECK:       math.fma {{.*}} : vector<16xf32>
// CHECK:       return
func.func @approximated(%x: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>, f32, f32, vector<16xf32>) {
  %e = math.exp %x : f32
  %ev = math.exp %v : vector<16xf32>
  %l = math.log %x : f32
  %t = math.tanh %x : f32
  %r = math.erf %v : vector<16xf32>
  return %e, %ev, %l, %t, %r : f32, vector<16xf32>, f32, f32, vector<16xf32>
}

// f64 keeps the library function (upstream's polynomials are for f32), and
// functions outside the list stay as they are.
// CHECK-LABEL: func.func @kept
// CHECK:       math.exp %{{.+}} : f64
// CHECK:       math.sin %{{.+}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f32) {
  %e = math.exp %x : f64
  %s = math.sin %y : f32
  return %e, %s : f64, f32
}

// f32 to bf16 rounds to nearest even with integer operations (no
// __truncsfbf2 call where the CPU has no conversion instruction), and bf16
// to f32 is a shift.
// CHECK-LABEL: func.func @bfloat16
// CHECK-NOT:   arith.truncf
// CHECK-NOT:   arith.extf
// CHECK:       arith.bitcast %{{.+}} : f32 to i32
// CHECK:       arith.shrui
// CHECK:       arith.trunci %{{.+}} : i32 to i16
// CHECK:       arith.bitcast %{{.+}} : i16 to bf16
// CHECK:       arith.shli
// CHECK:       return
func.func @bfloat16(%x: f32, %y: bf16) -> (bf16, f32) {
  %t = arith.truncf %x : f32 to bf16
  %e = arith.extf %y : bf16 to f32
  return %t, %e : bf16, f32
}
