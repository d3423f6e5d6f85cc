"""Quantization-aware training matched to ONNX Runtime's QDQ scheme.

:func:`crispcall.quant.ptq.quantize_onnx` quantizes every convolution as ONNX Runtime's
``quantize_static`` does: activations (the input and the output of each convolution) per
tensor, uint8, asymmetric, from their min/max; weights per output channel, symmetric, in
[-64, 64] (:data:`crispcall.quant.WEIGHT_QMAX`, right on CPUs without VNNI).
:class:`FakeQuantConv` rounds the same tensors the same way during fine-tuning, so the weights
learn to live with that rounding (straight-through gradients). The fine-tuned weights are then
plain floats again (:func:`strip_qat`) and go through the same calibration as PTQ.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.ao.quantization import FakeQuantize, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver

from crispcall.models.blocks import replace_modules
from crispcall.quant import WEIGHT_QMAX


def activation_fake_quant() -> FakeQuantize:
    return FakeQuantize(
        observer=MovingAverageMinMaxObserver,
        quant_min=0,
        quant_max=255,
        dtype=torch.quint8,
        qscheme=torch.per_tensor_affine,
        reduce_range=False,
    )


def weight_fake_quant() -> FakeQuantize:
    return FakeQuantize(
        observer=MovingAveragePerChannelMinMaxObserver,
        quant_min=-WEIGHT_QMAX,
        quant_max=WEIGHT_QMAX,
        dtype=torch.qint8,
        qscheme=torch.per_channel_symmetric,
        ch_axis=0,
    )


class FakeQuantConv(nn.Module):
    """``conv`` with its input, weights and output rounded as the INT8 graph will round them."""

    def __init__(self, conv: nn.Conv2d):
        super().__init__()
        self.conv = conv
        self.input_quant, self.output_quant = activation_fake_quant(), activation_fake_quant()
        self.weight_quant = weight_fake_quant()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.weight_quant(self.conv.weight)
        return self.output_quant(self.conv._conv_forward(self.input_quant(x), weight, self.conv.bias))


def prepare_qat(model: nn.Module, side: int = 64) -> nn.Module:
    """Wrap every ``nn.Conv2d`` of a fused (plain-convolution) network in place; returns it.

    One forward pass on a grey frame of ``side`` pixels sizes the weight observers'
    per-channel buffers, so that copies (the training loop's EMA) share their shapes from the
    start; the activation ranges are then forgotten, so the first real batch sets them."""
    replace_modules(model, nn.Conv2d, FakeQuantConv)
    with torch.no_grad():
        model(torch.full((1, 3, side, side), 0.5))
    for module in model.modules():
        if isinstance(module, FakeQuantConv):
            module.input_quant.activation_post_process.reset_min_max_vals()
            module.output_quant.activation_post_process.reset_min_max_vals()
    return model


def strip_qat(model: nn.Module) -> nn.Module:
    """Undo :func:`prepare_qat` in place, keeping the fine-tuned float weights; returns it."""
    return replace_modules(model, FakeQuantConv, lambda wrapped: wrapped.conv)
