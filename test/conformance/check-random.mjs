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
//   dropout           Dropout in training mode, given the inputs SET/input_0.pb
//                     (x), input_1.pb (ratio, default 0.5) and input_2.pb
//                     (training_mode, default false): the first output is, per
//                     element, 0 or x / (1 - ratio) (x itself when not
//                     training), and a second output (the mask) is true
//                     exactly where a nonzero value was kept
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

// --- TensorProto: dims (1), data_type (2), name (8) and the data fields
// float_data (4), int32_data (5), int64_data (7), raw_data (9), double_data (10). ---
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
  const dims = [], ints = [], floats = [];
  let name = '', dataType = 0, pos = 0, raw = null;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n), wire = Number(key & 7n);
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(buf, pos);
      if (field === 1) dims.push(Number(BigInt.asIntN(64, v)));
      if (field === 2) dataType = Number(v);
      if (field === 5 || field === 7) ints.push(Number(BigInt.asIntN(64, v)));
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
      else if (field === 9) raw = buf.subarray(pos, end);
      else if (field === 4) for (let p = pos; p + 4 <= end; p += 4) floats.push(buf.readFloatLE(p));
      else if (field === 10) for (let p = pos; p + 8 <= end; p += 8) floats.push(buf.readDoubleLE(p));
      else if (field === 5 || field === 7)
        for (let p = pos; p < end;) {
          let v;
          [v, p] = readVarint(buf, p);
          ints.push(Number(BigInt.asIntN(64, v)));
        }
      pos = end;
    } else if (wire === 1) {
      if (field === 10) floats.push(buf.readDoubleLE(pos));
      pos += 8;
    } else if (wire === 5) {
      if (field === 4) floats.push(buf.readFloatLE(pos));
      pos += 4;
    }
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return { name, dataType, dims, raw, ints, floats };
}

// The values of a TensorProto of float, double, bool or integer type, as numbers.
function tensorValues(t) {
  if (t.raw) {
    const size = { 1: 4, 11: 8, 9: 1, 2: 1, 3: 1, 6: 4, 7: 8 }[t.dataType];
    if (!size) throw new Error(`unsupported raw dtype ${t.dataType}`);
    const values = [];
    for (let o = 0; o + size <= t.raw.length; o += size) {
      if (t.dataType === 1) values.push(t.raw.readFloatLE(o));
      else if (t.dataType === 11) values.push(t.raw.readDoubleLE(o));
      else if (t.dataType === 6) values.push(t.raw.readInt32LE(o));
      else if (t.dataType === 7) values.push(Number(t.raw.readBigInt64LE(o)));
      else if (t.dataType === 3) values.push(t.raw.readInt8(o));
      else values.push(t.raw[o]);
    }
    return values;
  }
  return t.floats.length ? t.floats : t.ints;
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
  dropout: () => true, // checked against the inputs below
};
const arity = { uniform: 2, bernoulli: 0, normal: 0, dropout: 0 };
if (!(check in ranges) || args.length !== arity[check] + 3) {
  process.stderr.write('usage: node check-random.mjs uniform LOW HIGH|bernoulli|normal|dropout SET RUN1 RUN2\n');
  process.exit(2);
}
const bounds = args.splice(0, arity[check]).map(Number);
const [set, run1, run2] = args;

const expected = readdirSync(set).filter((f) => /^output_\d+\.pb$/.test(f)).sort();
const outputs = []; // the values of each expected output, in order
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
  outputs.push({ name: npyName, values: got.values });
  process.stdout.write(`ok ${npyName}: ${check}, ${got.descr} (${got.shape}), deterministic\n`);
}

if (check === 'dropout') {
  const input = (k, fallback) => {
    const file = join(set, `input_${k}.pb`);
    return existsSync(file) ? tensorValues(readTensorHeader(readFileSync(file))) : fallback;
  };
  const x = input(0, null);
  const ratio = input(1, [0.5])[0];
  const training = input(2, [0])[0] !== 0;
  if (!x) fail(`no input_0.pb in ${set}`);
  const [y, mask] = outputs;
  if (y.values.length !== x.length) fail(`${y.name}: ${y.values.length} values for ${x.length} inputs`);
  const close = (a, b) => Math.abs(a - b) <= 1e-6 + 1e-5 * Math.abs(b);
  let dropped = 0;
  for (let i = 0; i < x.length; ++i) {
    const v = y.values[i];
    const kept = training ? close(v, x[i] / (1 - ratio)) : close(v, x[i]);
    if (!kept && !(training && v === 0))
      fail(`${y.name}: element ${i} = ${v} is neither 0 nor x / (1 - ratio) = ${x[i] / (1 - ratio)}`);
    if (!kept) ++dropped;
    // The mask is true where the value was kept; where x is 0 both readings agree.
    if (mask && x[i] !== 0 && Boolean(mask.values[i]) !== kept)
      fail(`${mask.name}: element ${i} = ${mask.values[i]} disagrees with ${y.name}`);
    if (mask && !training && !mask.values[i]) fail(`${mask.name}: element ${i} is false outside training`);
  }
  process.stdout.write(`ok dropout: ratio ${ratio}, training ${training}, ${dropped} of ${x.length} dropped\n`);
}
