"""Row-major float32 .npy files for the tool tests' Python references
(no numpy here: the format is a short header and the raw values)."""
import ast
import struct


def write_npy(path, shape, values):
    """Writes `values` (a flat row-major sequence) as a float32 array of `shape`."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (tuple(shape),)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%df" % len(values), *values))


def read_npy(path):
    """The shape and the flat row-major values of a float32 .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + length].decode())
    assert header["descr"] == "<f4" and not header["fortran_order"], header
    count = 1
    for d in header["shape"]:
        count *= d
    return header["shape"], struct.unpack("<%df" % count, data[10 + length:10 + length + 4 * count])
