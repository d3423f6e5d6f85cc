"""Grow a trained student deeper: its fused head, blocks and tail, then new dense blocks after
the last one that start as the identity (their second convolution zero), so training goes on
from the trained network's output instead of from scratch (session 19: the dense bodies trained
from scratch lost most of their ReLUs, docs/models/student.md).

With TAIL_HIDDEN, its tail grows a hidden layer of that many channels (model.tail_hidden,
session 23) that starts as the trained tail: the tail's planes t come out as ReLU(t) and
ReLU(-t), the 1 x 1 convolution after them takes the second from the first, and the other
hidden channels start with fresh incoming weights and zero outgoing ones. From a student with a
hidden layer already, a larger TAIL_HIDDEN widens it the same way (session 24).

Usage: python scripts/grow_student.py SOURCE.pt OUT.pt BLOCKS [TAIL_HIDDEN]
The result is a plain (fused) student; train it with model.rep=false, model.blocks=BLOCKS (and
model.tail_hidden=TAIL_HIDDEN). BLOCKS equal to the source's gives it fused, to fine-tune with
plain convolutions (5x faster).
"""

import sys
from pathlib import Path

import torch
from torch import nn

from crispcall.models.io import load_network, write_weights
from crispcall.models.student import Student


def grow(source: Path, out: Path, blocks: int, tail_hidden: int = 0) -> None:
    trained = load_network(source, "student").fuse()
    if blocks < len(trained.body):
        raise SystemExit(f"{source} has {len(trained.body)} blocks already")
    planes = trained.last.out_channels
    hidden = trained.config.get("tail_hidden") or 0
    tail_hidden = tail_hidden or hidden
    if tail_hidden and (trained.refine is not None or tail_hidden < max(hidden, 2 * planes)):
        raise SystemExit(f"a hidden tail layer needs a plain or narrower one and at least {2 * planes} channels")
    torch.manual_seed(0)
    config = {**trained.config, "blocks": blocks, "tail_hidden": tail_hidden}
    if config.get("dilations"):  # the new blocks undilated
        config["dilations"] = [*config["dilations"], *[1] * (blocks - len(trained.body))]
    grown = Student(**config)
    grown.head = trained.head
    with torch.no_grad():
        if hidden:  # a wider hidden layer: the new channels' outgoing weights start at zero
            grown.tail.weight[:hidden], grown.tail.bias[:hidden] = trained.tail.weight, trained.tail.bias
            grown.tail_out.weight[:, :hidden], grown.tail_out.bias[:] = trained.tail_out.weight, trained.tail_out.bias
        elif tail_hidden:
            grown.tail.weight[: 2 * planes] = torch.cat([trained.tail.weight, -trained.tail.weight])
            grown.tail.bias[: 2 * planes] = torch.cat([trained.tail.bias, -trained.tail.bias])
            identity = torch.eye(planes).view(planes, planes, 1, 1)
            grown.tail_out.weight[:, : 2 * planes] = torch.cat([identity, -identity], 1)
        else:
            grown.tail = trained.tail
    for index, block in enumerate(trained.body):
        grown.body[index] = block
    for block in grown.body[len(trained.body) :]:
        nn.init.zeros_(block.conv2.weight)
        nn.init.zeros_(block.conv2.bias)
    write_weights(out, "student", grown, {"model": grown.config})
    print(f"wrote {out}: {len(trained.body)} trained blocks and {blocks - len(trained.body)} new ones")


if __name__ == "__main__":
    grow(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
