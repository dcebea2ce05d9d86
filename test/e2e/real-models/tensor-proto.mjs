// tensor-proto.mjs - seeded random data and onnx.TensorProto encoding for test data.
//
// The same mulberry32 generator and TensorProto writer as ../ort/reference.mjs,
// extended to every dtype ONNX Runtime hands back (integers, bool, float16/64),
// so ONNX Runtime's tensors can be written as input_N.pb / output_N.pb of an
// ONNX test_data_set folder that `smelt run LIB --check DIR` reads.

/// mulberry32: a small seeded generator returning uniform numbers in [0, 1).
export function generator(seed) {
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
  let v = BigInt.asUintN(64, BigInt(n));
  while (v >= 0x80n) { bytes.push(Number(v & 0x7fn) | 0x80); v >>= 7n; }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}
const field = (num, wire) => varint((num << 3) | wire);
const lengthDelimited = (num, buf) => Buffer.concat([field(num, 2), varint(buf.length), buf]);

/// onnx.TensorProto.DataType of each onnxruntime-node tensor type.
export const ONNX_TYPE = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13,
};

/// Typed array constructor for each onnxruntime-node tensor type.
export const ARRAY_TYPE = {
  float32: Float32Array, uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array,
  int16: Int16Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array,
  float16: Uint16Array, float64: Float64Array, uint32: Uint32Array, uint64: BigUint64Array,
};

/// Encodes {type, dims, data} (an ort.Tensor) as onnx.TensorProto:
/// dims = 1, data_type = 2, name = 8, raw_data = 9.
export function tensorProto(name, tensor) {
  if (!(tensor.type in ONNX_TYPE)) throw new Error(`${name}: cannot encode dtype ${tensor.type}`);
  const parts = tensor.dims.map((d) => Buffer.concat([field(1, 0), varint(d)]));
  parts.push(Buffer.concat([field(2, 0), varint(ONNX_TYPE[tensor.type])]));
  parts.push(lengthDelimited(8, Buffer.from(name, 'utf8')));
  const data = tensor.data;
  parts.push(lengthDelimited(9, Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
  return Buffer.concat(parts);
}
