"""Inputs and references for conv-kernels.test: fixed-pattern f32 .npy
inputs of Inputs/conv-kernels.onnxtxt, and a check of Smelt's outputs
against float64 convolutions computed here from the ONNX definitions."""
import itertools
import sys

from npy_io import read_npy, write_npy

SHAPES = {
    "x": (1, 4, 6, 42), "w": (8, 4, 3, 3), "b": (8,),
    "a": (1, 1, 100), "wa": (6, 1, 32),
    "t": (2, 5, 3, 4), "wt": (5, 3, 2, 3), "bt": (3,),
    "d": (1, 6, 8, 36), "wd": (6, 1, 3, 3), "bd": (6,),
    "e": (1, 3, 7, 7), "we": (3, 1, 3, 3), "be": (3,),
}


def value(name, index):
    """A small exact binary fraction, different for every input and element."""
    seed = sum((i + 1) * (7 + 4 * d) for d, i in enumerate(index)) + 3 * len(name) + ord(name[0])
    return (seed % 17 - 8) / 16.0


def tensor(name):
    shape = SHAPES[name]
    return {index: value(name, index) for index in itertools.product(*map(range, shape))}


def write_tensor(path, shape, data):
    write_npy(path, shape, [data[i] for i in itertools.product(*map(range, shape))])


def read_tensor(path):
    shape, values = read_npy(path)
    return shape, dict(zip(itertools.product(*map(range, shape)), values))


def conv(x, xs, w, ws, b, stride):
    """ONNX Conv, no padding or dilation, one group, any number of spatial dims."""
    out = (xs[0], ws[0]) + tuple((xs[2 + i] - ws[2 + i]) // stride[i] + 1
                                 for i in range(len(xs) - 2))
    y = {}
    for o in itertools.product(*map(range, out)):
        s = b[(o[1],)] if b else 0.0
        for c in range(xs[1]):
            for k in itertools.product(*map(range, ws[2:])):
                pos = tuple(o[2 + i] * stride[i] + k[i] for i in range(len(k)))
                s += x[(o[0], c) + pos] * w[(o[1], c) + k]
        y[o] = s
    return out, y


def depthwise(x, xs, w, ws, b, stride, pad):
    """ONNX Conv with group = channels (one 2-D filter each), zero padding."""
    out = (xs[0], xs[1]) + tuple((xs[2 + i] + 2 * pad - ws[2 + i]) // stride + 1 for i in range(2))
    y = {}
    for o in itertools.product(*map(range, out)):
        s = b[(o[1],)]
        for kh, kw in itertools.product(range(ws[2]), range(ws[3])):
            h, v = o[2] * stride + kh - pad, o[3] * stride + kw - pad
            if 0 <= h < xs[2] and 0 <= v < xs[3]:
                s += x[(o[0], o[1], h, v)] * w[(o[1], 0, kh, kw)]
        y[o] = s
    return out, y


def conv_transpose(x, xs, w, ws, b, stride):
    """ONNX ConvTranspose without pads: y[n, f, i*s + k] += x[n, c, i] * w[c, f, k]."""
    spatial = len(xs) - 2
    out = (xs[0], ws[1]) + tuple(stride[i] * (xs[2 + i] - 1) + ws[2 + i] for i in range(spatial))
    y = {o: (b[(o[1],)] if b else 0.0) for o in itertools.product(*map(range, out))}
    for n, c, f in itertools.product(range(xs[0]), range(xs[1]), range(ws[1])):
        for i in itertools.product(*map(range, xs[2:])):
            for k in itertools.product(*map(range, ws[2:])):
                pos = tuple(i[d] * stride[d] + k[d] for d in range(spatial))
                y[(n, f) + pos] += x[(n, c) + i] * w[(c, f) + k]
    return out, y


def references():
    t = {name: tensor(name) for name in SHAPES}
    s = SHAPES
    return {
        "y": conv(t["x"], s["x"], t["w"], s["w"], t["b"], (1, 1)),
        "ya": conv(t["a"], s["a"], t["wa"], s["wa"], None, (8,)),
        "yt": conv_transpose(t["t"], s["t"], t["wt"], s["wt"], t["bt"], (2, 3)),
        "yd": depthwise(t["d"], s["d"], t["wd"], s["wd"], t["bd"], 1, 1),
        "yd2": depthwise(t["d"], s["d"], t["wd"], s["wd"], t["bd"], 2, 0),
        "ye": depthwise(t["e"], s["e"], t["we"], s["we"], t["be"], 1, 1),
    }


if sys.argv[1] == "inputs":
    for name, shape in SHAPES.items():
        write_tensor("%s/%s.npy" % (sys.argv[2], name), shape, tensor(name))
else:
    for name, (shape, expected) in references().items():
        got_shape, got = read_tensor("%s/%s.npy" % (sys.argv[2], name))
        assert tuple(got_shape) == shape, (name, got_shape, shape)
        worst = max(abs(got[i] - v) / max(1.0, abs(v)) for i, v in expected.items())
        # f32 sums of at most 36 products of exact binary fractions.
        print("%s: max relative error %.3g: %s" % (name, worst, "ok" if worst < 1e-5 else "MISMATCH"))
