"""Writes an ONNX text model whose If nodes nest DEPTH deep (hostile-models.test)."""
import sys

depth, path = int(sys.argv[1]), sys.argv[2]
body = "y = Neg(x)"
for _ in range(depth):
    body = ("y = If (c) <then_branch = t () => (float[2] y) { %s }, "
            "else_branch = e () => (float[2] y) { y = Neg(x) }>" % body)
with open(path, "w") as out:
    out.write('< ir_version: 8, opset_import: ["" : 17] >\n')
    out.write("g (bool c, float[2] x) => (float[2] y) { %s }\n" % body)
