// packed-filters.mjs - writes an ONNX text model whose convolutions have
// constant filters large enough to be packed at compile time as
// [F/n0][KH][KW][C][n0] panels (smelt-cpu-data-tiling packs filters over
// 256 KiB): a 3x3 convolution (64 x 128 x 3 x 3, 288 KiB) with a bias and a
// ReLU fused into its tiles, the same filters with stride 2, and a strided
// 1x1 convolution (640 x 128, 320 KiB), a 1x1 head of 546 filters with a
// bias (280 KiB; 546 is no multiple of the panel width, so its last panel
// is padded with zero filters, as in SSDLite's class heads), and a ResNet bottleneck block
// (1x1, padded 3x3 with packed filters, 1x1, residual Add and ReLU) whose
// ReLUs write buffers other than their convolutions'. Every weight differs from its neighbours, so
// a misplaced panel shows. The weights are generated here, not stored in
// the repository (the constant folder keeps tensors this large as they are).
//
// usage: node packed-filters.mjs OUT.onnxtxt
import fs from 'node:fs';

const weights = (count, offset = 0) =>
  Array.from({ length: count }, (_, i) => ((((i + offset) * 7919) % 211) - 105) / 4096).join(',');
const bias = Array.from({ length: 64 }, (_, i) => (i / 64).toString()).join(',');
const model = `<
  ir_version: 8,
  opset_import: ["" : 17]
>
packed_filters (float[1, 128, 9, 9] x) => (float[1, 64, 9, 9] y, float[1, 64, 5, 5] z, float[1, 640, 5, 5] p, float[1, 128, 9, 9] r, float[1, 546, 9, 9] h)
<float[64, 128, 3, 3] w = {${weights(64 * 128 * 9)}},
 float[64] b = {${bias}},
 float[640, 128, 1, 1] pw = {${weights(640 * 128)}},
 float[546, 128, 1, 1] hw = {${weights(546 * 128, 19)}},
 float[546] hb = {${weights(546, 23)}},
 float[128, 128, 1, 1] w1 = {${weights(128 * 128, 3)}},
 float[128, 128, 3, 3] w2 = {${weights(128 * 128 * 9, 5)}},
 float[128, 128, 1, 1] w3 = {${weights(128 * 128, 7)}},
 float[128] b1 = {${weights(128, 11)}}, float[128] b2 = {${weights(128, 13)}},
 float[128] b3 = {${weights(128, 17)}}>
{
  a1 = Conv (x, w1, b1)
  r1 = Relu (a1)
  a2 = Conv <pads = [1, 1, 1, 1]> (r1, w2, b2)
  r2 = Relu (a2)
  a3 = Conv (r2, w3, b3)
  s = Add (a3, x)
  r = Relu (s)
  yc = Conv <pads = [1, 1, 1, 1]> (x, w, b)
  y = Relu (yc)
  z = Conv <pads = [1, 1, 1, 1], strides = [2, 2]> (x, w)
  p = Conv <strides = [2, 2]> (x, pw)
  h = Conv (x, hw, hb)
}
`;
fs.writeFileSync(process.argv[2], model);
