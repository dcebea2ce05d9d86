"""Row-major .npy files for the tool tests' Python references (no numpy
here: the format is a short header and the raw values). float32 by
default; bool, uint8, int8, int32 and int64 for the integer tests.

As a script, writes one 1-D file: npy_io.py OUT.npy DESCR V0,V1,...
(for instance `npy_io.py shape.npy '<i8' 4,2`), with `--scalar` a 0-D
file of one value, or with `--fill V --shape D0,D1,...` an array of any
shape holding V everywhere."""
import ast
import struct

# .npy dtype -> struct format character.
FORMATS = {"<f4": "f", "|b1": "?", "|u1": "B", "|i1": "b", "<i4": "i", "<i8": "q"}


def write_npy(path, shape, values, descr="<f4"):
    """Writes `values` (a flat row-major sequence) as an array of `shape`."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, tuple(shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (len(values), FORMATS[descr]), *values))


def read_npy(path):
    """The shape and the flat row-major values of a .npy file of one of FORMATS."""
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + length].decode())
    assert header["descr"] in FORMATS and not header["fortran_order"], header
    count = 1
    for d in header["shape"]:
        count *= d
    fmt = FORMATS[header["descr"]]
    size = struct.calcsize(fmt)
    return header["shape"], struct.unpack("<%d%s" % (count, fmt), data[10 + length:10 + length + size * count])


def write_filled_npy(path, shape, descr, value):
    """Writes an array of `shape` whose every element is `value`, written
    straight from bytes (large arrays too)."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, tuple(shape))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    count = 1
    for d in shape:
        count *= d
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<" + FORMATS[descr], value) * count)


if __name__ == "__main__":
    import sys
    if "--fill" in sys.argv:
        # npy_io.py OUT.npy DESCR --fill VALUE --shape D0,D1,...
        out, descr = sys.argv[1:3]
        value = int(sys.argv[sys.argv.index("--fill") + 1])
        shape = [int(d) for d in sys.argv[sys.argv.index("--shape") + 1].split(",")]
        write_filled_npy(out, shape, descr, value)
        sys.exit(0)
    scalar = "--scalar" in sys.argv
    out, descr, text = [a for a in sys.argv[1:] if a != "--scalar"]
    parse = float if descr == "<f4" else int
    values = [parse(v) for v in text.split(",")] if text else []
    write_npy(out, [] if scalar else [len(values)], values, descr)
