"""Structured pruning of a trained student: narrower (channels) or shallower and cheaper (blocks
and kernels).

Every block adds back to the same residual stream, so a channel of the stream is one unit:
removing it removes the head's filter, each block's depthwise filter and the matching rows and
columns of every dense or pointwise convolution, and the tail's input column. Channels are
ranked by the L2 norm of all the (fused) weights that touch them; the weakest are removed,
and the result is a plain student (``rep=False``) of the smaller width, to be fine-tuned by
distillation (``train.init``).

Shrinking keeps the first blocks, and may make each block's second convolution and the tail's
convolution 1 x 1. Each new 1 x 1 convolution starts as the least-squares fit of what the layer
it replaces computed, on frames run through the shrunk network itself (so each fit sees the
errors of the ones before it); a 1 x 1 tail is fitted to the full network's tail output, so it
takes on as much of the dropped blocks' work as one linear map can.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from crispcall.data.cache import read_cache
from crispcall.errors import InputError
from crispcall.models.io import read_weights, write_weights
from crispcall.models.student import Student, activation
from crispcall.train.loop import as_played, to_tensor


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


def fit_pointwise(inputs: torch.Tensor, targets: torch.Tensor, ridge: float = 1e-4) -> nn.Conv2d:
    """The 1 x 1 convolution closest in least squares to ``targets`` from ``inputs`` (both
    N x C x H x W), with a little ridge so channels that never fire get no weight."""
    x = inputs.permute(0, 2, 3, 1).reshape(-1, inputs.shape[1]).double()
    y = targets.permute(0, 2, 3, 1).reshape(-1, targets.shape[1]).double()
    x = torch.cat([x, torch.ones_like(x[:, :1])], 1)
    gram = x.T @ x / len(x)
    solution = torch.linalg.solve(gram + ridge * torch.eye(len(gram), dtype=gram.dtype), x.T @ y / len(x))
    conv = nn.Conv2d(inputs.shape[1], targets.shape[1], 1)
    conv.weight.data = solution[:-1].T.float()[:, :, None, None].contiguous()
    conv.bias.data = solution[-1].float()
    return conv


def fit_frames(cache: str | Path, samples: int = 256) -> torch.Tensor:
    """``samples`` patches of a pair cache as the student sees them (N x 3 x H x W in [0, 1]),
    the same ones every time."""
    degraded, clean, _ = read_cache(cache)
    if len(degraded) < samples:
        raise InputError(f"{cache} holds {len(degraded)} pairs, fewer than the {samples} the fits take")
    picks = np.random.default_rng(0).choice(len(degraded), samples, replace=False)
    return to_tensor(as_played(degraded[picks], clean.shape[1]), torch.device("cpu"))


@torch.no_grad()
def shrink_student(model: Student, frames: torch.Tensor, blocks: int, block: str, tail_kernel: int) -> Student:
    """A plain student with the first ``blocks`` blocks of fused ``model``, blocks of kind
    ``block`` (``mixed`` from ``dense``: the second convolution 1 x 1) and a tail of side
    ``tail_kernel``; every layer that changes starts as a least-squares fit on ``frames``."""
    if any(not isinstance(m, nn.Conv2d) for m in (model.head, model.tail)):
        raise InputError("shrink a fused student (Student.fuse())")
    if not 1 <= blocks <= len(model.body):
        raise InputError(f"blocks must be in [1, {len(model.body)}], got {blocks}")
    kind, side = model.config["block"], model.config["tail_kernel"]
    if block != kind and (kind, block) != ("dense", "mixed"):
        raise InputError(f"a {kind} student keeps {kind} blocks (a dense one may turn mixed), got {block}")
    if tail_kernel > side or model.refine is not None or model.color != "luma":
        raise InputError("shrinking keeps or narrows the tail's kernel, of a luma student without a refine stage")
    config = {**model.config, "blocks": blocks, "block": block, "tail_kernel": tail_kernel, "rep": False}
    if config.get("dilations"):  # the first blocks' own
        config["dilations"] = config["dilations"][:blocks]
    small = Student(**config)
    small.head, small.tail_out = model.head, model.tail_out
    features = stream = model.embed(model.source_planes(frames))
    for trained in model.body:
        stream = trained(stream)
    for trained, new in zip(model.body[:blocks], small.body, strict=True):
        new.conv1 = trained.conv1
        if block == kind:
            new.conv2 = trained.conv2
        else:
            hidden = activation(trained.conv1(features), model.negative_slope)
            new.conv2 = fit_pointwise(hidden, trained.conv2(hidden))
        features = new(features)
    small.tail = model.tail if tail_kernel == side else fit_pointwise(features, model.tail(stream))
    return small.eval()


def save_pruned(model: Student, source: str | Path, path: str | Path) -> Path:
    """Write ``model`` in the format of ``crispcall train`` (so ``train.init`` and
    ``crispcall export`` read it), with the config of the ``source`` weights it came from."""
    config = {**read_weights(source, "student")["config"], "model": model.config}
    return write_weights(path, "student", model, config, pruned_from=str(source))
