"""Inputs and a reference for data-tiling.test: fixed-pattern f32 .npy
operands of C = A x W and a check of Smelt's C against a float64 product."""
import sys

from npy_io import read_npy, write_npy

M, K, N = 64, 160, 168


def a_value(i, k):
    return ((i * 7 + k * 3) % 11 - 5) / 8.0


def w_value(k, j):
    return ((k * 5 + j * 2) % 13 - 6) / 16.0


def write_matrix(path, rows, cols, value):
    write_npy(path, (rows, cols), [value(r, c) for r in range(rows) for c in range(cols)])


if sys.argv[1] == "inputs":
    write_matrix(sys.argv[2], M, K, a_value)
    write_matrix(sys.argv[3], K, N, w_value)
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
