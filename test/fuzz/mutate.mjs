// mutate.mjs - seeded structural mutations of an ONNX text model.
//
// usage: node mutate.mjs SEED_MODEL.onnxtxt OUT_DIR SEED COUNT
// Each mutant replaces one to three integers (dims, attribute values,
// initializer sizes) with awkward values (0, -1, huge, ...) or swaps operator
// names, which reaches the importer, libonnx's inference and the lowering
// with the kind of inconsistent models a hostile file can hold.
import fs from 'node:fs';
import path from 'node:path';

const [src, outDir, seedText, countText] = process.argv.slice(2);
const text = fs.readFileSync(src, 'utf8');
const ops = ['Relu', 'Add', 'MatMul', 'Gemm', 'Conv', 'MaxPool', 'Reshape', 'Transpose', 'Concat',
             'Softmax', 'Flatten', 'Sigmoid', 'Gather', 'Slice', 'ReduceSum', 'Squeeze', 'Unsqueeze',
             'Split', 'Pad', 'Resize', 'LSTM', 'Where', 'Expand', 'Tile', 'TopK', 'Einsum', 'NonZero',
             'AveragePool', 'ConvTranspose', 'DepthToSpace', 'Range', 'CumSum', 'OneHot'];
const values = [0, 1, -1, 2, 3, 7, 64, 100000, -5, 2 ** 40];

let state = Number(seedText) >>> 0;
function random() { // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

// Mutate the body only (after the header), where dims, attributes and ops live.
const body = text.indexOf('>\n') + 2;
const numbers = [...text.matchAll(/-?\d+/g)].filter((m) => m.index >= body);
const names = [...text.matchAll(new RegExp(`\\b(${ops.join('|')})\\b`, 'g'))];

fs.mkdirSync(outDir, { recursive: true });
for (let i = 0; i < Number(countText); ++i) {
  let mutant = text;
  const edits = 1 + Math.floor(random() * 3);
  const chosen = [];
  for (let e = 0; e < edits; ++e)
    chosen.push(random() < 0.6 ? { m: pick(numbers), v: String(pick(values)) }
                               : { m: pick(names), v: pick(ops) });
  // Apply from the end so earlier offsets stay valid.
  chosen.sort((a, b) => b.m.index - a.m.index);
  let last = Infinity;
  for (const { m, v } of chosen) {
    if (m.index + m[0].length > last) continue;
    mutant = mutant.slice(0, m.index) + v + mutant.slice(m.index + m[0].length);
    last = m.index;
  }
  fs.writeFileSync(path.join(outDir, `m${String(i).padStart(3, '0')}.onnxtxt`), mutant);
}
