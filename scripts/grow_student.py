"""Grow a trained student deeper: its fused head, blocks and tail, then new dense blocks after
the last one that start as the identity (their second convolution zero), so training goes on
from the trained network's output instead of from scratch (session 19: the dense bodies trained
from scratch lost most of their ReLUs, docs/models/student.md).

Usage: python scripts/grow_student.py SOURCE.pt OUT.pt BLOCKS
The result is a plain (fused) student; train it with model.rep=false and model.blocks=BLOCKS.
BLOCKS equal to the source's gives it fused, to fine-tune with plain convolutions (5x faster).
"""

import sys
from pathlib import Path

import torch
from torch import nn

from crispcall.models.io import load_network, write_weights
from crispcall.models.student import Student


def grow(source: Path, out: Path, blocks: int) -> None:
    trained = load_network(source, "student").fuse()
    if blocks < len(trained.body):
        raise SystemExit(f"{source} has {len(trained.body)} blocks already")
    torch.manual_seed(0)
    grown = Student(**{**trained.config, "blocks": blocks})
    grown.head, grown.tail = trained.head, trained.tail
    for index, block in enumerate(trained.body):
        grown.body[index] = block
    for block in grown.body[len(trained.body) :]:
        nn.init.zeros_(block.conv2.weight)
        nn.init.zeros_(block.conv2.bias)
    write_weights(out, "student", grown, {"model": grown.config})
    print(f"wrote {out}: {len(trained.body)} trained blocks and {blocks - len(trained.body)} new ones")


if __name__ == "__main__":
    grow(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
