// dynamic-quant.mjs - writes an ONNX text model quantized the way ONNX
// Runtime's dynamic quantizer rewrites a BERT-class MatMul: the activation
// is quantized at run time (DynamicQuantizeLinear: uint8, scale and zero
// point from its own range), multiplied with constant int8 weights
// (MatMulInteger, both zero points), and the int32 product is scaled back
// (Cast, Mul by activation scale times weight scale, per tensor and per
// column), then a bias is added. Two such layers in a row with a GELU-like
// Tanh between them, as in an encoder's feed-forward block. The weights are
// generated here, every one different from its neighbours.
//
// With --float-reference it writes the same model with each MatMulInteger
// as a float MatMul of the zero-point-corrected integers: every partial sum
// is an integer below 2^24, so float arithmetic gives the exact integer
// product. ONNX Runtime runs that one as the reference, since its own
// MatMulInteger saturates u8s8 products on x86-64 CPUs without VNNI.
//
// usage: node dynamic-quant.mjs OUT.onnxtxt [--float-reference]
import fs from 'node:fs';

const floatReference = process.argv[3] === '--float-reference';

const ints = (count, mod, offset) =>
  Array.from({ length: count }, (_, i) => (((i + offset) * 7919) % mod) - (mod >> 1)).join(',');
const floats = (count, scale, offset) =>
  Array.from({ length: count }, (_, i) => ((((i + offset) * 104729) % 97) / 97 * scale).toFixed(6)).join(',');
// One quantized layer, as ONNX Runtime's quantizer writes it: `out` is the
// float result of input `x` times weights w<n> plus bias b<n>.
const integerProduct = (x, n) => `  m${n} = MatMulInteger (${x}_q, w${n}, ${x}_z, w${n}_zero)
  m${n}f = Cast <to = 1> (m${n})`;
const floatProduct = (x, n) => `  ${x}_qf = Cast <to = 1> (${x}_q)
  ${x}_zf = Cast <to = 1> (${x}_z)
  ${x}_c = Sub (${x}_qf, ${x}_zf)
  w${n}_f = Cast <to = 1> (w${n})
  w${n}_zf = Cast <to = 1> (w${n}_zero)
  w${n}_c = Sub (w${n}_f, w${n}_zf)
  m${n}f = MatMul (${x}_c, w${n}_c)`;
const layer = (x, n, out) => `  ${x}_q, ${x}_s, ${x}_z = DynamicQuantizeLinear (${x})
${(floatReference ? floatProduct : integerProduct)(x, n)}
  s${n} = Mul (${x}_s, w${n}_scale)
  h${n} = Mul (m${n}f, s${n})
  ${out} = Add (h${n}, b${n})`;
const model = `<
  ir_version: 8,
  opset_import: ["" : 17]
>
dynamic_quant (float[4, 16, 64] x) => (float[4, 16, 32] y)
<int8[64, 96] w1 = {${ints(64 * 96, 255, 3)}},
 float w1_scale = {0.0123},
 int8 w1_zero = {0},
 float[96] b1 = {${floats(96, 0.5, 1)}},
 int8[96, 32] w2 = {${ints(96 * 32, 251, 5)}},
 float[32] w2_scale = {${floats(32, 0.02, 7)}},
 int8[32] w2_zero = {${ints(32, 7, 2)}},
 float[32] b2 = {${floats(32, 0.25, 9)}}>
{
${layer('x', 1, 'a1')}
  t1 = Tanh (a1)
${layer('t1', 2, 'y')}
}
`;
fs.writeFileSync(process.argv[2], model);
