"""Size and cost of a network: parameters and multiply-accumulates per frame."""

from __future__ import annotations

import torch
from torch import nn

from crispcall.errors import InputError


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def conv_macs(model: nn.Module, height: int = 1080, width: int = 1920, divisor: int = 2) -> int:
    """Multiply-accumulates of every convolution for one ``height`` x ``width`` frame.

    Counted with forward hooks on a frame ``divisor`` times smaller per side, then scaled by
    ``divisor``^2: exact for fully convolutional networks, whose cost grows with the pixels.
    Counted on the frame itself where the smaller one's sides are not multiples of the network's
    ``size_multiple`` (an unshuffle-8 student at 1080 lines), padded up to that multiple where
    the frame's are not either (the runtime pads it so: 1080 lines for a 16-line multiple).
    """
    multiple = int(getattr(model, "size_multiple", 1))
    if (height // divisor) % multiple or (width // divisor) % multiple:
        divisor = 1
    if height % (2 * divisor) or width % (2 * divisor):
        raise InputError(f"{height}x{width} must divide by {2 * divisor} on each side")
    total = 0

    def count(module: nn.Conv2d | nn.ConvTranspose2d, inputs: tuple[torch.Tensor], output: torch.Tensor) -> None:
        nonlocal total
        kernel = module.kernel_size[0] * module.kernel_size[1]
        if isinstance(module, nn.ConvTranspose2d):  # every input value meets every weight of its group
            total += inputs[0].numel() * module.out_channels // module.groups * kernel
        else:
            total += output.numel() * module.in_channels // module.groups * kernel

    convs = (nn.Conv2d, nn.ConvTranspose2d)
    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, convs)]
    try:
        was_training = model.training
        padded = [-(-side // divisor // multiple) * multiple for side in (height, width)]
        model.eval()(torch.zeros(1, 3, *padded))
        model.train(was_training)
    finally:
        for hook in hooks:
            hook.remove()
    return total * divisor * divisor
