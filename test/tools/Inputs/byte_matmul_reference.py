"""Inputs and exact references for byte-kernels.test: integer .npy inputs of
Inputs/byte-matmul.onnxtxt spread over the whole byte range (extremes
included, where a dot-product instruction could saturate or overflow), and
a check of Smelt's int32 outputs against MatMulInteger computed here from
the ONNX definition. It also writes a model whose int8 matrix is a weight
(an initializer spread the same way), which code generation packs, and on
AVX2 widens, at compile time."""
import sys

from npy_io import read_npy, write_npy

# name: (shape, .npy dtype, lowest, highest)
INPUTS = {
    "a": ((2, 64, 96), "|u1", 0, 255), "b": ((96, 80), "|i1", -128, 127), "az": ((), "|u1", 0, 255),
    "c": ((50, 70), "|i1", -128, 127), "d": ((70, 33), "|u1", 0, 255),
    "cz": ((1,), "|i1", -128, 127), "dz": ((33,), "|u1", 0, 255),
    "x": ((1, 8, 10, 12), "|u1", 0, 255), "w": ((16, 8, 3, 3), "|i1", -128, 127),
    "xz": ((), "|u1", 0, 255), "wz": ((16,), "|i1", -128, 127),
    "p": ((2, 16, 9, 9), "|u1", 0, 255), "q": ((32, 16, 3, 3), "|u1", 0, 255),
    "pz": ((), "|u1", 0, 255), "qz": ((), "|u1", 0, 255),
}
# The weight of the constant model (t = MatMulInteger(a, k, az)).
WEIGHTS = {"k": ((96, 16), "|i1", -128, 127)}


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def values(name):
    """Deterministic values covering [lowest, highest]; every eighth element an extreme."""
    shape, _, lowest, highest = {**INPUTS, **WEIGHTS}[name]
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


def conv_integer(x, x_shape, x_zero, w, w_shape, w_zero, stride, pad):
    """ConvInteger (one group): padding holds x's zero point, so it adds 0."""
    n_, c_, h_, w_ = x_shape
    f_, _, kh_, kw_ = w_shape
    oh_ = (h_ + 2 * pad - kh_) // stride + 1
    ow_ = (w_ + 2 * pad - kw_) // stride + 1
    out = []
    for n in range(n_):
        for f in range(f_):
            for oh in range(oh_):
                for ow in range(ow_):
                    total = 0
                    for c in range(c_):
                        for kh in range(kh_):
                            for kw in range(kw_):
                                ih, iw = oh * stride + kh - pad, ow * stride + kw - pad
                                if 0 <= ih < h_ and 0 <= iw < w_:
                                    xv = x[((n * c_ + c) * h_ + ih) * w_ + iw]
                                    wv = w[((f * c_ + c) * kh_ + kh) * kw_ + kw]
                                    total += (xv - x_zero) * (wv - w_zero[f])
                    out.append(total)
    return (n_, f_, oh_, ow_), out


def references():
    v = {name: values(name) for name in INPUTS}
    y = matmul_integer(v["a"], 128, 96, v["b"], 80, v["az"][0], [0] * 80)
    z = matmul_integer(v["c"], 50, 70, v["d"], 33, v["cz"][0], v["dz"])
    u = conv_integer(v["x"], INPUTS["x"][0], v["xz"][0], v["w"], INPUTS["w"][0], v["wz"], 1, 1)
    q = conv_integer(v["p"], INPUTS["p"][0], v["pz"][0], v["q"], INPUTS["q"][0], v["qz"] * 32, 2, 0)
    t = matmul_integer(v["a"], 128, 96, values("k"), 16, v["az"][0], [0] * 16)
    return {"y": ((2, 64, 80), y), "z": ((50, 33), z), "u": u, "v": q, "t": ((2, 64, 16), t)}


def constant_model():
    """The text of the model whose MatMulInteger reads the weight k."""
    shape, _, _, _ = WEIGHTS["k"]
    weight = ", ".join(str(x) for x in values("k"))
    return ("<\n  ir_version: 8,\n  opset_import: [\"\" : 13]\n>\n"
            "byte_matmul_constant (uint8[2, 64, 96] a, uint8 az) => (int32[2, 64, 16] t)\n"
            "<int8[%d, %d] k = {%s}>\n{\n  t = MatMulInteger (a, k, az)\n}\n"
            % (shape[0], shape[1], weight))


if sys.argv[1] == "inputs":
    for name, (shape, descr, _, _) in INPUTS.items():
        write_npy("%s/%s.npy" % (sys.argv[2], name), shape, values(name), descr)
    with open("%s/constant.onnxtxt" % sys.argv[2], "w") as model:
        model.write(constant_model())
else:
    # check DIR NAME...: the outputs NAME... of one of the two models.
    expected_outputs = references()
    for name in sys.argv[3:]:
        shape, expected = expected_outputs[name]
        got_shape, got = read_npy("%s/%s.npy" % (sys.argv[2], name))
        wrong = sum(1 for x, y in zip(got, expected) if x != y)
        ok = tuple(got_shape) == shape and wrong == 0
        print("%s: %d of %d elements differ: %s" % (name, wrong, len(expected), "ok" if ok else "FAIL"))
