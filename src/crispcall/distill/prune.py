"""Structured channel pruning of a trained student.

Every block adds back to the same residual stream, so a channel of the stream is one unit:
removing it removes the head's filter, each block's depthwise filter and the matching rows and
columns of every dense or pointwise convolution, and the tail's input column. Channels are
ranked by the L2 norm of all the (fused) weights that touch them; the weakest are removed,
and the result is a plain student (``rep=False``) of the smaller width, to be fine-tuned by
distillation (``train.init``).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from crispcall.errors import InputError
from crispcall.models.io import read_weights, write_weights
from crispcall.models.student import Student


def _stream_convs(model: Student) -> list[nn.Conv2d]:
    """The body's convolutions from and to the stream (all of them in a fused student)."""
    return [m for m in model.body.modules() if isinstance(m, nn.Conv2d)]


def channel_importance(model: Student) -> torch.Tensor:
    """Squared L2 norm of every fused weight that reads or writes each stream channel."""
    score = model.head.weight.square().sum((1, 2, 3)) + model.tail.weight.square().sum((0, 2, 3))
    for conv in _stream_convs(model):
        weight = conv.weight.square()
        if conv.groups > 1:  # depthwise: one filter per channel
            score = score + weight.sum((1, 2, 3))
        else:
            score = score + weight.sum((1, 2, 3)) + weight.sum((0, 2, 3))
    return score


@torch.no_grad()
def prune_student(model: Student, keep: int) -> Student:
    """A plain student of width ``keep`` holding the strongest channels of fused ``model``."""
    if any(not isinstance(m, nn.Conv2d) for m in (model.head, model.tail)):
        raise InputError("prune a fused student (Student.fuse())")
    if model.config["attention"] == "channel":
        raise InputError("pruning a student with channel attention is not supported")
    if not 4 <= keep <= model.channels:
        raise InputError(f"keep must be in [4, {model.channels}], got {keep}")
    kept = channel_importance(model).argsort(descending=True)[:keep].sort().values
    pruned = Student(**{**model.config, "channels": keep, "rep": False})
    shapes = {name: value.shape for name, value in pruned.state_dict().items()}
    state = {}
    for name, value in model.state_dict().items():
        # Stream channels sit on axis 0 (outputs) and/or axis 1 (inputs) of every tensor.
        for axis in (0, 1):
            if value.dim() > axis and value.shape[axis] != shapes[name][axis]:
                value = value.index_select(axis, kept)
        state[name] = value
    pruned.load_state_dict(state)
    return pruned.eval()


def save_pruned(model: Student, source: str | Path, path: str | Path) -> Path:
    """Write ``model`` in the format of ``crispcall train`` (so ``train.init`` and
    ``crispcall export`` read it), with the config of the ``source`` weights it came from."""
    config = {**read_weights(source, "student")["config"], "model": model.config}
    return write_weights(path, "student", model, config, pruned_from=str(source))
