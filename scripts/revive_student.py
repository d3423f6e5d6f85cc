"""Give a trained student's dead ReLU channels back (session 22). Each block's dead inner
channels get fresh incoming weights and zero outgoing ones, which leaves the block's output as
it was. The head's dead channels get small fresh weights and a small positive bias, so they fire
(and gradient reaches them) again while changing the body's input only a little: the residual
stream has no zero outgoing weights to give them, as every block reads and writes it.

Usage: python scripts/revive_student.py CACHE SOURCE.pt OUT.pt
The result is a plain (fused) student; train it with model.rep=false.
"""

import sys
from pathlib import Path

import torch
from dead_relus import dead_channels, training_inputs
from torch import nn

from crispcall.models.io import load_network, write_weights

HEAD_SCALE = 0.01  # of the revived head channels' weights and bias: alive, and a small change


def revive(cache: str, source: Path, out: Path) -> None:
    model = load_network(source, "student").fuse().eval()
    if model.linear_head:
        raise SystemExit(f"{source} has a linear head: no dead channels there to revive")
    masks = dead_channels(model, training_inputs(cache))
    torch.manual_seed(0)
    with torch.no_grad():
        dead = masks["head"]
        model.head.weight[dead] = torch.randn_like(model.head.weight[dead]) * HEAD_SCALE
        model.head.bias[dead] = HEAD_SCALE
        for index, block in enumerate(model.body):
            dead = masks[f"block{index + 1}"]
            fresh = torch.empty_like(block.conv1.weight)
            nn.init.kaiming_normal_(fresh, nonlinearity="relu")
            block.conv1.weight[dead] = fresh[dead]
            block.conv1.bias[dead] = 0.0
            block.conv2.weight[:, dead] = 0.0
    write_weights(out, "student", model, {"model": model.config})
    counts = ", ".join(f"{name} {int(mask.sum())}" for name, mask in masks.items())
    print(f"wrote {out}: dead channels revived: {counts}")


if __name__ == "__main__":
    revive(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
