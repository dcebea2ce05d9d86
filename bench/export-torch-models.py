#!/usr/bin/env python3
"""export-torch-models.py - the benchmark set's PyTorch architectures as ONNX.

usage: python3 bench/export-torch-models.py OUT_DIR [NAME...]

Builds each architecture with seeded random weights (no downloads: Debian's
python3-torch and python3-torchvision), exports it with torch.onnx (opset 17,
static shapes, eval mode) to OUT_DIR/NAME.onnx and writes its multiply-add
count times two (convolutions and linear layers, counted with forward hooks
on one run; the attention products counted where the model computes them)
to OUT_DIR/NAME.gflop. Nothing is written to the repository: run-bench.sh
calls this for its torch: rows. Names: resnet50, mobilenet_v2,
mobilenet_v3_small, efficientnet_b0, ssdlite_detector, bert_encoder,
gpt2_decoder.
"""
import math
import os
import sys

import torch
from torch import nn


class SelfAttention(nn.Module):
    """Multi-head self-attention written out (MatMul, Softmax), with an
    optional causal mask; counts its own two products."""

    def __init__(self, width, heads, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.products = 0

    def forward(self, x):
        batch, tokens, width = x.shape
        q, k, v = self.qkv(x).split(width, dim=2)
        shape = (batch, tokens, self.heads, width // self.heads)
        q, k, v = (t.reshape(shape).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(2, 3) / math.sqrt(width // self.heads)
        if self.causal:
            mask = torch.ones(tokens, tokens, dtype=torch.bool).triu(1)
            scores = scores.masked_fill(mask, float("-inf"))
        y = scores.softmax(dim=-1) @ v
        self.products = 2 * batch * tokens * tokens * width
        return self.out(y.transpose(1, 2).reshape(batch, tokens, width))


class Block(nn.Module):
    """A transformer layer: post-norm (BERT) or pre-norm (GPT-2)."""

    def __init__(self, width, heads, causal):
        super().__init__()
        self.attention = SelfAttention(width, heads, causal)
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))
        self.pre_norm = causal

    def forward(self, x):
        if self.pre_norm:
            x = x + self.attention(self.norm1(x))
            return x + self.mlp(self.norm2(x))
        x = self.norm1(x + self.attention(x))
        return self.norm2(x + self.mlp(x))


class Transformer(nn.Module):
    """Token and position embeddings, layers, and a head: BERT-class encoder
    (MiniLM sizes: 6 layers of 384, 12 heads) or GPT-2-class decoder."""

    def __init__(self, vocab, tokens, width, heads, layers, causal):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.positions = nn.Parameter(torch.randn(1, tokens, width) * 0.02)
        self.blocks = nn.ModuleList(Block(width, heads, causal) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab if causal else width)

    def forward(self, ids):
        x = self.tokens(ids) + self.positions
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


class Detector(nn.Module):
    """SSDLite320 with a MobileNetV3-Large backbone (torchvision's
    ssdlite320_mobilenet_v3_large) on a batch of one 320x320 image: its
    normalization, backbone, heads, box decoding, score filtering and
    per-class NMS (NonMaxSuppression in the graph); returns the kept
    boxes, scores and labels."""

    def __init__(self):
        super().__init__()
        import torchvision
        self.model = torchvision.models.detection.ssdlite320_mobilenet_v3_large(
            weights=None, weights_backbone=None)

    def forward(self, images):
        detections = self.model(list(images))[0]
        return detections["boxes"], detections["scores"], detections["labels"]


def torchvision_model(name):
    import torchvision
    return getattr(torchvision.models, name)(weights=None), (torch.randn(1, 3, 224, 224),), ["image"]


MODELS = {
    "resnet50": lambda: torchvision_model("resnet50"),
    "mobilenet_v2": lambda: torchvision_model("mobilenet_v2"),
    "mobilenet_v3_small": lambda: torchvision_model("mobilenet_v3_small"),
    "efficientnet_b0": lambda: torchvision_model("efficientnet_b0"),
    "ssdlite_detector": lambda: (Detector(), (torch.rand(1, 3, 320, 320),), ["images"]),
    "bert_encoder": lambda: (Transformer(30522, 128, 384, 12, 6, causal=False),
                             (torch.randint(0, 30522, (1, 128)),), ["input_ids"]),
    "gpt2_decoder": lambda: (Transformer(8192, 128, 512, 8, 6, causal=True),
                             (torch.randint(0, 8192, (1, 128)),), ["input_ids"]),
}


OUTPUT_NAMES = {"ssdlite_detector": ["boxes", "scores", "labels"]}


def count_flops(model, inputs):
    """2 x multiply-adds of the convolutions, linear layers and attention."""
    total = [0]

    def hook(module, args, output):
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups
            for k in module.kernel_size:
                per_output *= k
            total[0] += 2 * output.numel() * per_output
        elif isinstance(module, nn.Linear):
            total[0] += 2 * output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(*inputs)
    for h in handles:
        h.remove()
    total[0] += sum(m.products for m in model.modules() if isinstance(m, SelfAttention))
    return total[0]


def export(name, out_dir):
    torch.manual_seed(1)
    model, inputs, input_names = MODELS[name]()
    model.eval()
    flops = count_flops(model, inputs)
    path = os.path.join(out_dir, name + ".onnx")
    with torch.no_grad():
        torch.onnx.export(model, inputs, path, input_names=input_names,
                          output_names=OUTPUT_NAMES.get(name, ["output"]),
                          opset_version=17, do_constant_folding=True)
    with open(os.path.join(out_dir, name + ".gflop"), "w") as f:
        f.write("%.9f\n" % (flops / 1e9))
    print("%s: %.3f GFLOP -> %s" % (name, flops / 1e9, path))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    names = sys.argv[2:] or list(MODELS)
    for name in names:
        if name not in MODELS:
            sys.exit("export-torch-models.py: unknown model '%s' (known: %s)" % (name, ", ".join(MODELS)))
        export(name, out_dir)


if __name__ == "__main__":
    main()
