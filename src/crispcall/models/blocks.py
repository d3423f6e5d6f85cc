"""Building blocks shared by crispcall's networks: channel attention, the re-parameterisable
convolution, module replacement (used by fusing and by quantization-aware training), the
pixel-unshuffle that exports as ONNX's SpaceToDepth, the sub-pixel head of one scale carried to
another, and the geometric self-ensemble."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from crispcall.errors import InputError


class _SpaceToDepth(torch.autograd.Function):
    """``F.pixel_unshuffle`` in PyTorch, one ``SpaceToDepth`` node in ONNX."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, factor: int) -> torch.Tensor:
        ctx.factor = factor
        return F.pixel_unshuffle(x, factor)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return F.pixel_shuffle(grad, ctx.factor), None

    @staticmethod
    def symbolic(graph, x, factor: int):
        return graph.op("SpaceToDepth", x, blocksize_i=factor)


def space_to_depth(x: torch.Tensor, factor: int) -> torch.Tensor:
    """``F.pixel_unshuffle(x, factor)`` of one plane (N x 1 x H x W), exported as ONNX's
    ``SpaceToDepth``, which ONNX Runtime runs on uint8 in one pass where the traced unshuffle is
    a six-axis transpose. (For several planes the two order channels differently.)"""
    return _SpaceToDepth.apply(x, factor)


def replace_modules(model: nn.Module, kind: type[nn.Module], make: Callable[[nn.Module], nn.Module]) -> nn.Module:
    """Replace every submodule of type ``kind`` by ``make(submodule)``, in place; returns ``model``."""
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, kind):
                setattr(module, name, make(child))
    return model


class RepConv(nn.Module):
    """A k x k convolution trained as a sum of linear branches, fused into one for inference.

    Branches: the k x k convolution; a 1 x 1 convolution; for dense convolutions (groups=1)
    with k > 1, ECBSR's 1 x 1 expansion followed by k x k; an identity when shapes allow.
    Only depthwise (groups == in == out) or dense (groups == 1) convolutions are supported.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        kernel_size: k (odd).
        groups: 1 (dense) or in_channels (depthwise).
        expansion: width of the 1 x 1 -> k x k branch, as a multiple of out_channels.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, groups: int = 1, expansion: int = 2):
        super().__init__()
        if kernel_size % 2 == 0:
            raise InputError(f"kernel_size must be odd, got {kernel_size}")
        if groups not in (1, in_channels) or (groups > 1 and out_channels != in_channels):
            raise InputError("RepConv supports dense (groups=1) or depthwise (groups=in=out) convolutions")
        self.in_channels, self.out_channels, self.kernel_size, self.groups = (
            in_channels,
            out_channels,
            kernel_size,
            groups,
        )
        self.main = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, groups=groups)
        self.point = nn.Conv2d(in_channels, out_channels, 1, groups=groups) if kernel_size > 1 else None
        self.expand = None
        if groups == 1 and kernel_size > 1:
            hidden = expansion * out_channels
            self.expand = nn.Sequential(nn.Conv2d(in_channels, hidden, 1), nn.Conv2d(hidden, out_channels, kernel_size))
        self.identity = in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.main(x)
        if self.point is not None:
            out = out + self.point(x)
        if self.expand is not None:
            first, second = self.expand
            mid = first(x)
            # Pad with the 1x1's bias (what a zero input gives), so the branch is exactly linear
            # in x with zero padding and fuses into one k x k convolution (ECBSR's trick).
            pad = self.kernel_size // 2
            mid = F.pad(mid - first.bias.view(1, -1, 1, 1), (pad, pad, pad, pad)) + first.bias.view(1, -1, 1, 1)
            out = out + second(mid)
        if self.identity:
            out = out + x
        return out

    @torch.no_grad()
    def fused(self) -> nn.Conv2d:
        """One plain convolution with the same output as the training-time branches."""
        k, pad = self.kernel_size, self.kernel_size // 2
        weight, bias = self.main.weight.clone(), self.main.bias.clone()
        if self.point is not None:
            weight += F.pad(self.point.weight, (pad, pad, pad, pad))
            bias += self.point.bias
        if self.expand is not None:
            first, second = self.expand
            weight += torch.einsum("omhw,mi->oihw", second.weight, first.weight[:, :, 0, 0])
            bias += second.bias + torch.einsum("omhw,m->o", second.weight, first.bias)
        if self.identity:
            per_group = self.in_channels // self.groups
            index = torch.arange(self.out_channels)
            weight[index, index % per_group, pad, pad] += 1.0
        conv = nn.Conv2d(self.in_channels, self.out_channels, k, padding=pad, groups=self.groups).to(weight)
        conv.weight.copy_(weight)
        conv.bias.copy_(bias)
        return conv


class ChannelAttention(nn.Module):
    """RCAN's squeeze-and-excitation: global average, bottleneck MLP, sigmoid gate."""

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        hidden = max(4, channels // reduction)
        self.gate = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(channels, hidden, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(x)


def subpixel_weights(scale_from: int, scale_to: int) -> torch.Tensor:
    """``scale_to x scale_from``: each of ``scale_to`` sub-pixel positions across one input pixel
    as a linear mix of the ``scale_from`` positions of a pixel-shuffle head, clamped to that pixel."""
    centres = (torch.arange(scale_to, dtype=torch.float64) + 0.5) * scale_from / scale_to - 0.5
    centres = centres.clamp(0, scale_from - 1)
    lower = centres.floor().long()
    upper = (lower + 1).clamp(max=scale_from - 1)
    mix = torch.zeros(scale_to, scale_from, dtype=torch.float64)
    rows = torch.arange(scale_to)
    mix[rows, lower] += 1 - (centres - lower)
    mix[rows, upper] += centres - lower
    return mix


def regrid_subpixel_head(
    weight: torch.Tensor, bias: torch.Tensor, scale_from: int, scale_to: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """A convolution feeding ``nn.PixelShuffle(scale_from)`` turned into one feeding
    ``nn.PixelShuffle(scale_to)``: each new sub-pixel's filter interpolates linearly between the
    old ones (:func:`subpixel_weights`), so an x3 head starts where an x2 network's output would be
    within each pixel, for fine-tuning rather than from noise."""
    mix = subpixel_weights(scale_from, scale_to).to(weight.dtype)
    channels = weight.shape[0] // scale_from**2

    def regrid(values: torch.Tensor) -> torch.Tensor:
        grid = values.reshape(channels, scale_from, scale_from, *values.shape[1:])
        return torch.einsum("yi,xj,cij...->cyx...", mix, mix, grid).reshape(channels * scale_to**2, *values.shape[1:])

    return regrid(weight), regrid(bias)


class SelfEnsemble(nn.Module):
    """A network's output averaged over the 8 flips and rotations of its input (EDSR's geometric
    self-ensemble): each output is turned back before the mean. Eight times the cost, for
    precomputed targets only; ``scale`` and ``size_multiple`` are the network's.

    Args:
        model: any image-to-image network (same-size or x``scale``).
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        self.scale = getattr(model, "scale", 1)
        self.size_multiple = getattr(model, "size_multiple", 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # The 8 symmetries as flips then an optional transpose (not rot90, which ONNX lacks);
        # each is its own inverse once the order is reversed.
        total = 0
        for flipped in ((), (2,), (3,), (2, 3)):
            for transposed in (False, True):
                view = x.flip(flipped) if flipped else x
                out = self.model(view.transpose(2, 3) if transposed else view)
                out = out.transpose(2, 3) if transposed else out
                total = total + (out.flip(flipped) if flipped else out)
        return total / 8
