"""Inputs and a reference for data-tiling.test: fixed-pattern f32 .npy
operands of C = A x W and a check of Smelt's C against a float64 product."""
import ast
import struct
import sys

M, K, N = 64, 160, 40


def a_value(i, k):
    return ((i * 7 + k * 3) % 11 - 5) / 8.0


def w_value(k, j):
    return ((k * 5 + j * 2) % 13 - 6) / 16.0


def write_npy(path, rows, cols, value):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % (rows * cols),
                            *[value(r, c) for r in range(rows) for c in range(cols)]))


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + length].decode())
    assert header["descr"] == "<f4" and not header["fortran_order"], header
    count = 1
    for d in header["shape"]:
        count *= d
    return header["shape"], struct.unpack("<%df" % count, data[10 + length:10 + length + 4 * count])


if sys.argv[1] == "inputs":
    write_npy(sys.argv[2], M, K, a_value)
    write_npy(sys.argv[3], K, N, w_value)
else:
    shape, c = read_npy(sys.argv[2])
    assert tuple(shape) == (M, N), shape
    worst = 0.0
    for i in range(M):
        for j in range(N):
            expected = sum(a_value(i, k) * w_value(k, j) for k in range(K))
            worst = max(worst, abs(c[i * N + j] - expected) / max(1.0, abs(expected)))
    # f32 accumulation of 160 products of exact binary fractions: far below.
    print("max relative error %.3g: %s" % (worst, "ok" if worst < 1e-5 else "MISMATCH"))
