#!/usr/bin/env node
// pb-dims.mjs - print the name and dims of serialized ONNX TensorProto files.
//
// For each FILE prints one line "NAME<TAB>d0,d1,..." (NAME may be empty, a
// rank-0 tensor prints no dims). Only TensorProto's dims (field 1, int64,
// packed or not) and name (field 8) are decoded; every other field is
// skipped by its wire type, so the data itself is never interpreted. A file
// that is not a well-formed message prints "<TAB>?" and makes the exit
// status 1; the remaining files are still printed.
//
// usage: node pb-dims.mjs FILE...
import { readFileSync } from 'node:fs';

function readVarint(buf, pos) {
  let value = 0n, shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [value, pos];
    shift += 7n;
    if (shift > 63n) throw new Error('varint too long');
  }
}

// int64 fields are two's complement in 64 bits.
const asInt64 = (v) => BigInt.asIntN(64, v);

function tensorDims(buf) {
  const dims = [];
  let name = '', pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const field = Number(key >> 3n), wire = Number(key & 7n);
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(buf, pos);
      if (field === 1) dims.push(asInt64(v));
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      const end = pos + Number(len);
      if (end > buf.length) throw new Error('truncated field');
      if (field === 1) {
        for (let p = pos; p < end;) {
          let v;
          [v, p] = readVarint(buf, p);
          dims.push(asInt64(v));
        }
      } else if (field === 8) {
        name = buf.subarray(pos, end).toString('utf8');
      }
      pos = end;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
    if (pos > buf.length) throw new Error('truncated field');
  }
  return { name, dims };
}

let status = 0;
for (const file of process.argv.slice(2)) {
  try {
    const { name, dims } = tensorDims(readFileSync(file));
    process.stdout.write(`${name}\t${dims.join(',')}\n`);
  } catch (e) {
    process.stderr.write(`pb-dims: ${file}: ${e.message}\n`);
    process.stdout.write('\t?\n');
    status = 1;
  }
}
process.exit(status);
