"""Inputs and exact references for byte-kernels.test: integer .npy inputs of
Inputs/byte-matmul.onnxtxt spread over the whole byte range (extremes
included, where a dot-product instruction could saturate or overflow), and
a check of Smelt's int32 outputs against MatMulInteger computed here from
the ONNX definition."""
import sys

from npy_io import read_npy, write_npy

# name: (shape, .npy dtype, lowest, highest)
INPUTS = {
    "a": ((2, 64, 96), "|u1", 0, 255), "b": ((96, 80), "|i1", -128, 127), "az": ((), "|u1", 0, 255),
    "c": ((50, 70), "|i1", -128, 127), "d": ((70, 33), "|u1", 0, 255),
    "cz": ((1,), "|i1", -128, 127), "dz": ((33,), "|u1", 0, 255),
}


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def values(name):
    """Deterministic values covering [lowest, highest]; every eighth element an extreme."""
    shape, _, lowest, highest = INPUTS[name]
    span = highest - lowest + 1
    out = []
    for i in range(count(shape)):
        if i % 8 == 0:
            out.append(highest if (i // 8) % 2 else lowest)
        else:
            out.append(lowest + (i * 2654435761 + 97 * len(name)) % span)
    return out


def matmul_integer(a, a_rows, depth, b, cols, a_zero, b_zero):
    """sum_k (a[m, k] - a_zero) * (b[k, n] - b_zero[n]), row-major."""
    return [sum((a[m * depth + k] - a_zero) * (b[k * cols + n] - b_zero[n]) for k in range(depth))
            for m in range(a_rows) for n in range(cols)]


def references():
    v = {name: values(name) for name in INPUTS}
    y = matmul_integer(v["a"], 128, 96, v["b"], 80, v["az"][0], [0] * 80)
    z = matmul_integer(v["c"], 50, 70, v["d"], 33, v["cz"][0], v["dz"])
    return {"y": ((2, 64, 80), y), "z": ((50, 33), z)}


if sys.argv[1] == "inputs":
    for name, (shape, descr, _, _) in INPUTS.items():
        write_npy("%s/%s.npy" % (sys.argv[2], name), shape, values(name), descr)
else:
    for name, (shape, expected) in references().items():
        got_shape, got = read_npy("%s/%s.npy" % (sys.argv[2], name))
        wrong = sum(1 for x, y in zip(got, expected) if x != y)
        ok = tuple(got_shape) == shape and wrong == 0
        print("%s: %d of %d elements differ: %s" % (name, wrong, len(expected), "ok" if ok else "FAIL"))
