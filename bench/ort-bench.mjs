// ort-bench.mjs - time ONNX Runtime, the way `smelt bench` times Smelt.
//
// usage: node ort-bench.mjs MODEL DATA_SET_DIR WARMUP RUNS SECONDS [THREADS]
// Feeds the model the input_N.pb files of DATA_SET_DIR (an ONNX
// test_data_set, as check-model.mjs writes it, so that Smelt gets the very
// same inputs), then runs it WARMUP times untimed and times runs until at
// least RUNS runs and SECONDS seconds (at most 10000 runs), like smelt bench.
// The session uses THREADS (default 1) intra-op threads, one inter-op thread,
// sequential execution
// and graphOptimizationLevel 'all'. Prints smelt bench's JSON object:
// {"model", "runs", "median_ms", "min_ms", "mean_ms", "warmup", "threads",
// "first_run_ms" (session creation + first run), "rss_growth_mb" (peak RSS
// above the RSS before the session was created)}. The first run is one of
// the warm-up runs.
// Times include onnxruntime-node's per-call cost (N-API, output tensors),
// tens of microseconds that only matter for the smallest models.
// onnxruntime-node is loaded from $ORT_NODE_MODULES.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ONNX_TYPE, ARRAY_TYPE } from '../test/e2e/real-models/tensor-proto.mjs';

const require = createRequire(process.env.ORT_NODE_MODULES + '/');
const ort = require('onnxruntime-node');

const MAX_TIMED_RUNS = 10000;

const args = process.argv.slice(2);
if (args.length !== 5 && args.length !== 6) {
  console.error('usage: node ort-bench.mjs MODEL DATA_SET_DIR WARMUP RUNS SECONDS [THREADS]');
  process.exit(2);
}
const [modelPath, dataDir] = args;
const [warmup, runs, seconds] = args.slice(2, 5).map(Number);
const threads = args.length === 6 ? Number(args[5]) : 1;

/// Decodes the onnx.TensorProto fields tensor-proto.mjs writes: dims (1),
/// data_type (2), name (8), raw_data (9); other fields are skipped.
function readTensorProto(buf) {
  let pos = 0;
  const varint = () => {
    let v = 0n, shift = 0n, byte;
    do {
      byte = buf[pos++];
      v |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    return v;
  };
  const dims = [];
  let dataType = 0, name = '', raw = Buffer.alloc(0);
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) {
      const v = varint();
      if (field === 1) dims.push(Number(BigInt.asIntN(64, v)));
      else if (field === 2) dataType = Number(v);
    } else if (wire === 2) {
      const length = Number(varint());
      const bytes = buf.subarray(pos, pos + length);
      pos += length;
      if (field === 8) name = bytes.toString('utf8');
      else if (field === 9) raw = bytes;
      else if (field === 1) throw new Error('packed dims are not supported');
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  const type = Object.keys(ONNX_TYPE).find((t) => ONNX_TYPE[t] === dataType);
  if (!type) throw new Error(`${name}: unsupported data_type ${dataType}`);
  const TypedArray = ARRAY_TYPE[type];
  // Copy into a fresh buffer: typed arrays need aligned offsets.
  const bytes = new Uint8Array(raw);
  const data = new TypedArray(bytes.buffer, 0, bytes.length / TypedArray.BYTES_PER_ELEMENT);
  return { name, tensor: new ort.Tensor(type, data, dims) };
}

// Memory and first-inference cost are measured from here: session creation
// plus the first run, and the peak RSS above the RSS before the session.
const rssBefore = process.memoryUsage().rss;
const createStart = process.hrtime.bigint();
const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
/// Tensors of DATA_SET_DIR's PREFIX_N.pb files by name.
function readTensors(prefix) {
  const tensors = {};
  for (const file of fs.readdirSync(dataDir).filter((f) => f.match(`^${prefix}_\\d+\\.pb$`))) {
    const { name, tensor } = readTensorProto(fs.readFileSync(path.join(dataDir, file)));
    tensors[name] = tensor;
  }
  return tensors;
}
const feeds = readTensors('input');
for (const name of session.inputNames)
  if (!(name in feeds)) throw new Error(`no input_N.pb in ${dataDir} holds graph input '${name}'`);
// Outputs go to buffers allocated once (the reference outputs, whose shapes
// are the outputs'), as smelt bench does for static outputs: otherwise every
// run allocates fresh arrays and the garbage collector shows up in the times.
const fetches = readTensors('output');

await session.run(feeds, fetches);
const firstRunMs = Number(process.hrtime.bigint() - createStart) / 1e6;
for (let i = 1; i < warmup; ++i) await session.run(feeds, fetches);
const ms = [];
const start = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
while (ms.length < MAX_TIMED_RUNS && (ms.length < runs || elapsed() < seconds)) {
  const before = process.hrtime.bigint();
  await session.run(feeds, fetches);
  ms.push(Number(process.hrtime.bigint() - before) / 1e6);
}
ms.sort((a, b) => a - b);
const n = ms.length;
const median = n % 2 ? ms[(n - 1) / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
const mean = ms.reduce((a, b) => a + b, 0) / n;
console.log(JSON.stringify({
  model: modelPath, runs: n, median_ms: median, min_ms: ms[0], mean_ms: mean, warmup, threads,
  first_run_ms: firstRunMs,
  rss_growth_mb: (process.resourceUsage().maxRSS * 1024 - rssBefore) / 1048576,
}));
