// check-model.mjs - reference outputs from ONNX Runtime for a real model.
//
// usage: node check-model.mjs MODEL OUT_DIR SEED [--steps N] [--carry OUT=IN,...] SPEC...
//   SPEC   NAME=DIMS[:TYPE[:LO..HI | :VALUE]]
//          DIMS comma-separated ('' for a scalar); TYPE an onnxruntime-node
//          dtype (default float32); LO..HI seeded uniform values (integers
//          inclusive, floats in [LO, HI); default -1..1); VALUE fills every
//          element with one number (a sample rate, a zero state).
//   --steps N      run the model N times (default 1), one test_data_set per run
//   --carry OUT=IN feed output OUT of run k into input IN of run k+1 (recurrent
//                  state); run 0 takes IN from its SPEC
// Every graph input needs a SPEC. Writes OUT_DIR/test_data_set_K/input_N.pb and
// output_N.pb (onnx.TensorProto, inputs and outputs in the session's order), so
// `smelt run LIB --check OUT_DIR/test_data_set_K` checks Smelt step by step
// against ONNX Runtime on exactly the inputs ONNX Runtime saw.
// onnxruntime-node is loaded from $ORT_NODE_MODULES.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { generator, tensorProto, ARRAY_TYPE } from './tensor-proto.mjs';

const require = createRequire(process.env.ORT_NODE_MODULES + '/');
const ort = require('onnxruntime-node');

function usage(message) {
  console.error(`check-model.mjs: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 3) usage('usage: MODEL OUT_DIR SEED [--steps N] [--carry OUT=IN,...] SPEC...');
const [modelPath, outDir, seedText] = args.splice(0, 3);
let steps = 1;
const carry = [];
const specs = new Map();
while (args.length) {
  const arg = args.shift();
  if (arg === '--steps') {
    steps = Number(args.shift());
    if (!Number.isInteger(steps) || steps < 1) usage('--steps needs a positive integer');
  } else if (arg === '--carry') {
    for (const pair of (args.shift() ?? '').split(',')) {
      const [output, input] = pair.split('=');
      if (!output || !input) usage(`--carry wants OUT=IN, got '${pair}'`);
      carry.push({ output, input });
    }
  } else {
    specs.set(...parseSpec(arg));
  }
}

function parseSpec(text) {
  const eq = text.indexOf('=');
  if (eq <= 0) usage(`bad input spec '${text}'`);
  const [dimsText, type = 'float32', values = '-1..1'] = text.slice(eq + 1).split(':');
  if (!(type in ARRAY_TYPE)) usage(`${text}: unknown dtype '${type}'`);
  const dims = dimsText === '' ? [] : dimsText.split(',').map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) usage(`${text}: bad dims`);
  const range = values.split('..').map(Number);
  if (range.some(Number.isNaN) || range.length > 2) usage(`${text}: bad values '${values}'`);
  return [text.slice(0, eq), { dims, type, range }];
}

const random = generator(Number(seedText));

function makeTensor({ dims, type, range }) {
  const count = dims.reduce((a, b) => a * b, 1);
  const data = new ARRAY_TYPE[type](count);
  const integer = !type.startsWith('float');
  const [lo, hi] = range;
  for (let i = 0; i < count; ++i) {
    let v = range.length === 1 ? lo : lo + random() * (hi - lo + (integer ? 1 : 0));
    if (integer) v = Math.min(Math.floor(v), hi ?? v);
    data[i] = data instanceof BigInt64Array || data instanceof BigUint64Array ? BigInt(v) : v;
  }
  return new ort.Tensor(type, data, dims);
}

const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
for (const name of session.inputNames)
  if (!specs.has(name)) usage(`no spec for graph input '${name}' (inputs: ${session.inputNames.join(', ')})`);
for (const name of specs.keys())
  if (!session.inputNames.includes(name)) usage(`'${name}' is not a graph input`);
for (const { output, input } of carry) {
  if (!session.outputNames.includes(output)) usage(`--carry: '${output}' is not a graph output`);
  if (!session.inputNames.includes(input)) usage(`--carry: '${input}' is not a graph input`);
}

let previous = null;
for (let step = 0; step < steps; ++step) {
  const feeds = {};
  for (const name of session.inputNames) feeds[name] = makeTensor(specs.get(name));
  if (previous)
    for (const { output, input } of carry) feeds[input] = previous[output];
  const results = await session.run(feeds);
  const dir = path.join(outDir, `test_data_set_${step}`);
  fs.mkdirSync(dir, { recursive: true });
  session.inputNames.forEach((name, i) =>
    fs.writeFileSync(path.join(dir, `input_${i}.pb`), tensorProto(name, feeds[name])));
  session.outputNames.forEach((name, i) =>
    fs.writeFileSync(path.join(dir, `output_${i}.pb`), tensorProto(name, results[name])));
  previous = results;
}
