#!/usr/bin/env node
// check-random.mjs - check the outputs of a random generator by what ONNX fixes.
//
// Random operators cannot reproduce the reference's numpy draws, so their
// cases are checked on: determinism (two runs of the compiled model on the
// same inputs wrote byte-identical NAME.npy files), the shape and dtype of
// every expected output (SET/output_N.pb, matched by its name field), and
// the range of the values:
//   uniform LOW HIGH  every value in [LOW, HIGH)
//   bernoulli         every value 0 or 1
//   normal            every value finite
// Prints one line per output and exits 1 on the first failed check (with a
// one-line reason on stdout), 2 on bad usage.
//
// usage: node check-random.mjs CHECK [ARGS] SET RUN1 RUN2
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function fail(message) {
  process.stdout.write(`FAIL ${message}\n`);
  process.exit(1);
}

// --- TensorProto: dims (1), data_type (2) and name (8) only. ---
function readVarint(buf, pos) {
  let value = 0n, shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [value, pos];
    shift += 7n;
  }
}

function readTensorHeader(buf) {
  const dims = [];
  let name = '', dataType = 0, pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n), wire = Number(key & 7n);
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(buf, pos);
      if (field === 1) dims.push(Number(BigInt.asIntN(64, v)));
      if (field === 2) dataType = Number(v);
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      const end = pos + Number(len);
      if (field === 1)
        for (let p = pos; p < end;) {
          let v;
          [v, p] = readVarint(buf, p);
          dims.push(Number(BigInt.asIntN(64, v)));
        }
      else if (field === 8) name = buf.subarray(pos, end).toString('utf8');
      pos = end;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return { name, dataType, dims };
}

// ONNX TensorProto data types and the .npy descr smelt writes for them.
const kDescr = {
  1: '<f4', 2: '|u1', 3: '|i1', 4: '<u2', 5: '<i2', 6: '<i4', 7: '<i8', 9: '|b1', 10: '<f2',
  11: '<f8', 12: '<u4', 13: '<u8',
};

// --- .npy: descr, shape and the values as numbers. ---
function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function readNpy(bytes) {
  if (bytes.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error('bad magic');
  const v1 = bytes[6] === 1;
  const headerLen = v1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = v1 ? 10 : 12;
  const header = bytes.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error('bad header');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const data = bytes.subarray(start + headerLen);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const readers = {
    '<f2': [2, (o) => halfToFloat(view.getUint16(o, true))],
    '<f4': [4, (o) => view.getFloat32(o, true)], '<f8': [8, (o) => view.getFloat64(o, true)],
    '|i1': [1, (o) => view.getInt8(o)], '|u1': [1, (o) => view.getUint8(o)],
    '|b1': [1, (o) => view.getUint8(o)], '<i2': [2, (o) => view.getInt16(o, true)],
    '<u2': [2, (o) => view.getUint16(o, true)], '<i4': [4, (o) => view.getInt32(o, true)],
    '<u4': [4, (o) => view.getUint32(o, true)],
    '<i8': [8, (o) => Number(view.getBigInt64(o, true))],
    '<u8': [8, (o) => Number(view.getBigUint64(o, true))],
  };
  const reader = readers[descr];
  if (!reader) throw new Error(`unsupported dtype ${descr}`);
  const [size, read] = reader;
  const values = [];
  for (let o = 0; o + size <= data.length; o += size) values.push(read(o));
  return { descr, shape, values };
}

// --- the checks ---
const args = process.argv.slice(2);
const check = args.shift();
const ranges = {
  uniform: (v, [low, high]) => v >= low && v < high,
  bernoulli: (v) => v === 0 || v === 1,
  normal: (v) => Number.isFinite(v),
};
const arity = { uniform: 2, bernoulli: 0, normal: 0 };
if (!(check in ranges) || args.length !== arity[check] + 3) {
  process.stderr.write('usage: node check-random.mjs uniform LOW HIGH|bernoulli|normal SET RUN1 RUN2\n');
  process.exit(2);
}
const bounds = args.splice(0, arity[check]).map(Number);
const [set, run1, run2] = args;

const expected = readdirSync(set).filter((f) => /^output_\d+\.pb$/.test(f)).sort();
if (expected.length === 0) fail(`no output_N.pb in ${set}`);
const written = readdirSync(run1).filter((f) => f.endsWith('.npy'));
for (const file of expected) {
  const want = readTensorHeader(readFileSync(join(set, file)));
  // Match by name; an unnamed expected output of a single-output model is that output.
  const npyName = want.name ? `${want.name}.npy` : written.length === 1 ? written[0] : '';
  if (!npyName || !existsSync(join(run1, npyName))) fail(`${file}: no output '${want.name}' written`);
  const first = readFileSync(join(run1, npyName));
  if (!existsSync(join(run2, npyName))) fail(`${npyName}: missing in the second run`);
  if (!first.equals(readFileSync(join(run2, npyName))))
    fail(`${npyName}: two runs on the same inputs differ (not deterministic)`);
  let got;
  try {
    got = readNpy(first);
  } catch (e) {
    fail(`${npyName}: ${e.message}`);
  }
  if (got.descr !== kDescr[want.dataType])
    fail(`${npyName}: dtype ${got.descr}, expected ${kDescr[want.dataType] ?? want.dataType}`);
  if (got.shape.join(',') !== want.dims.join(','))
    fail(`${npyName}: shape (${got.shape}), expected (${want.dims})`);
  const bad = got.values.findIndex((v) => !ranges[check](v, bounds));
  if (bad >= 0) fail(`${npyName}: element ${bad} = ${got.values[bad]} is out of range for ${check}`);
  process.stdout.write(`ok ${npyName}: ${check}, ${got.descr} (${got.shape}), deterministic\n`);
}
