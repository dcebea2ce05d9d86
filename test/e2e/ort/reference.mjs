// reference.mjs - expected outputs from ONNX Runtime (onnxruntime-node).
//
// usage: node reference.mjs MODEL.onnx OUT_DIR SEED NAME=d0,d1,... [NAME=...]
// Fills each named float32 input with seeded uniform values in [-1, 1), runs
// ONNX Runtime on the CPU and writes OUT_DIR/input_N.pb and output_N.pb
// (onnx.TensorProto) in the layout of an ONNX test_data_set folder, so that
// `smelt run LIB --check OUT_DIR` compares Smelt against ONNX Runtime.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(process.env.ORT_NODE_MODULES + '/');
const ort = require('onnxruntime-node');

const [modelPath, outDir, seedText, ...shapeSpecs] = process.argv.slice(2);

// mulberry32: a small seeded generator, so inputs are the same every run.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function varint(n) {
  const bytes = [];
  let v = BigInt(n);
  while (v >= 0x80n) { bytes.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}
const field = (num, wire) => varint((num << 3) | wire);
const lengthDelimited = (num, buf) => Buffer.concat([field(num, 2), varint(buf.length), buf]);

// onnx.TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
const ONNX_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float64: 11 };
function tensorProto(name, tensor) {
  const parts = tensor.dims.map((d) => Buffer.concat([field(1, 0), varint(d)]));
  parts.push(Buffer.concat([field(2, 0), varint(ONNX_TYPE[tensor.type])]));
  parts.push(lengthDelimited(8, Buffer.from(name, 'utf8')));
  const data = tensor.data;
  parts.push(lengthDelimited(9, Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
  return Buffer.concat(parts);
}

const random = generator(Number(seedText));
const feeds = {};
for (const spec of shapeSpecs) {
  const [name, dimsText] = spec.split('=');
  const dims = dimsText.split(',').map(Number);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; ++i) data[i] = random() * 2 - 1;
  feeds[name] = new ort.Tensor('float32', data, dims);
}
// SMELT_ORT_GRAPH_OPTIMIZATION=disabled keeps ONNX Runtime from fusing
// QDQ groups into its integer kernels, whose u8s8 products saturate on
// x86-64 CPUs without VNNI (AVX2 only): the float ops it runs instead are
// exact for power-of-two scales.
const graphOptimizationLevel = process.env.SMELT_ORT_GRAPH_OPTIMIZATION || 'all';
const session = await ort.InferenceSession.create(modelPath,
                                                  { executionProviders: ['cpu'], graphOptimizationLevel });
const results = await session.run(feeds);
fs.mkdirSync(outDir, { recursive: true });
session.inputNames.forEach((name, i) =>
  fs.writeFileSync(path.join(outDir, `input_${i}.pb`), tensorProto(name, feeds[name])));
session.outputNames.forEach((name, i) =>
  fs.writeFileSync(path.join(outDir, `output_${i}.pb`), tensorProto(name, results[name])));
