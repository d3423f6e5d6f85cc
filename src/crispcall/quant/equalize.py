"""Cross-layer equalization (Nagel et al., "Data-Free Quantization Through Weight Equalization
and Bias Correction", ICCV 2019) of a convolution, a ReLU and the convolution after it.

ReLU(s x) = s ReLU(x) for s > 0, so channel k of the first convolution may be divided by s_k and
the second convolution's input column k multiplied by it without changing the function. INT8
rounds the hidden tensor per tensor (one step for every channel) and the second convolution's
weights per output channel (one step for each row): a channel whose activations are small beside
the others', or whose outgoing weights are small beside its row's, loses its precision. s_k
shares the two: the geometric mean of the channel's activation peak as a share of the tensor's
and its weight column's peak as a share of its rows'.

Session 24: a student's tail grown with a hidden layer (``Student(tail_hidden=...)``) carries
its old correction through channels whose 1x1 weights are +-1, beside new channels whose
weights, mostly below 7-bit rows' step of 1/64, round to zero.
"""

from __future__ import annotations

import torch
from torch import nn


def channel_scales(peaks: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Per hidden channel, the factor ``s`` that divides the first convolution's output channel
    and multiplies the second's input column: ``peaks`` are the hidden channels' activation
    peaks (after the ReLU), ``weight`` the second convolution's (out x in x k x k). A channel
    that never fires keeps 1."""
    share = peaks / peaks.max()
    column = weight.abs().amax(dim=(2, 3))  # out x in
    column_share = (column / column.amax(dim=1, keepdim=True).clamp(min=1e-12)).amax(dim=0)
    scales = (share / column_share.clamp(min=1e-12)).sqrt()
    return torch.where((peaks > 0) & (column_share > 0), scales, torch.ones_like(scales))


@torch.no_grad()
def equalize_pair(first: nn.Conv2d, second: nn.Conv2d, peaks: torch.Tensor) -> torch.Tensor:
    """Rescale ``first`` -> ReLU -> ``second`` in place (same function, see the module's
    docstring) given the hidden channels' activation ``peaks``; returns the scales applied."""
    scales = channel_scales(peaks, second.weight)
    first.weight /= scales.view(-1, 1, 1, 1)
    if first.bias is not None:
        first.bias /= scales
    second.weight *= scales.view(1, -1, 1, 1)
    return scales


@torch.no_grad()
def activation_peaks(model: nn.Module, conv: nn.Conv2d, inputs: list[torch.Tensor]) -> torch.Tensor:
    """Each output channel's largest value after a ReLU when ``model`` runs on ``inputs``."""
    peaks: list[torch.Tensor] = []

    def record(_module: nn.Module, _args: tuple, out: torch.Tensor) -> None:
        peaks.append(out.clamp(min=0).amax(dim=(0, 2, 3)))

    hook = conv.register_forward_hook(record)
    try:
        for x in inputs:
            model(x)
    finally:
        hook.remove()
    return torch.stack(peaks).amax(dim=0)


def equalize_tail(student: nn.Module, inputs: list[torch.Tensor]) -> nn.Module:
    """Equalize a fused student's tail and its hidden layer (``tail_hidden``), in place, on the
    activations of ``inputs`` (N x 3 x H x W in [0, 1]); a student without one is left as is.
    Returns it. Only the tail: in session 24's ad hoc trials, equalizing the blocks' pairs as
    well made the INT8 graphs agree less with FP32, on the plain-tail student and on the
    hidden-tail one alike."""
    if getattr(student, "tail_out", None) is not None:
        equalize_pair(student.tail, student.tail_out, activation_peaks(student, student.tail, inputs))
    return student
