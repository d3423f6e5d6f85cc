"""IMDN family (Hui et al., ACM MM 2019): information multi-distillation networks.

``IMDN``: the full model (6 blocks with contrast-aware channel attention).
``IMDNRTC``: the "AI in RTC 2019" winner, 12 channels, 5 blocks without attention.
``IMDNRTE``: the "AI in RTE 2020" runner-up, a stride-2 stem and 6 wide-split blocks at half
resolution, bias-free, expecting input on the 0-255 scale.
State-dict layouts follow the published checkpoints.
"""

from __future__ import annotations

import torch
from torch import nn


def conv(cin: int, cout: int, k: int, stride: int = 1, bias: bool = True) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride, padding=k // 2, bias=bias)


def split_off(x: torch.Tensor, keep: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Split channels into the ``keep`` distilled ones and the rest."""
    return x[:, :keep], x[:, keep:]


class ContrastChannelAttention(nn.Module):
    """Channel attention driven by each channel's standard deviation plus its mean."""

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        self.conv_du = nn.Sequential(
            nn.Conv2d(channels, channels // reduction, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels // reduction, channels, 1),
            nn.Sigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = (x - mean).pow(2).mean(dim=(2, 3), keepdim=True).sqrt()
        return x * self.conv_du(std + mean)


class DistillationBlock(nn.Module):
    """Three distillation steps of 3x3 convs, a fourth conv, then 1x1 fusion and a residual.

    Args:
        channels: block width; a quarter is distilled at each step.
        attention: apply contrast-aware channel attention before fusion (full IMDN).
    """

    def __init__(self, channels: int, attention: bool):
        super().__init__()
        self.keep = channels // 4
        rest = channels - self.keep
        self.c1 = conv(channels, channels, 3)
        self.c2 = conv(rest, channels, 3)
        self.c3 = conv(rest, channels, 3)
        self.c4 = conv(rest, self.keep, 3)
        self.act = nn.LeakyReLU(0.05, inplace=True)
        self.c5 = conv(channels, channels, 1)
        self.cca = ContrastChannelAttention(channels) if attention else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d1, r1 = split_off(self.act(self.c1(x)), self.keep)
        d2, r2 = split_off(self.act(self.c2(r1)), self.keep)
        d3, r3 = split_off(self.act(self.c3(r2)), self.keep)
        out = torch.cat([d1, d2, d3, self.c4(r3)], dim=1)
        if self.cca is not None:
            out = self.cca(out)
        return self.c5(out) + x


class IMDN(nn.Module):
    """Full IMDN. Args: channels, blocks, scale. RGB input in [0, 1]."""

    def __init__(self, channels: int = 64, blocks: int = 6, scale: int = 2):
        super().__init__()
        self.fea_conv = conv(3, channels, 3)
        for i in range(1, blocks + 1):
            self.add_module(f"IMDB{i}", DistillationBlock(channels, attention=True))
        self.blocks = blocks
        self.c = nn.Sequential(conv(channels * blocks, channels, 1), nn.LeakyReLU(0.05, inplace=True))
        self.LR_conv = conv(channels, channels, 3)
        self.upsampler = nn.Sequential(conv(channels, 3 * scale * scale, 3), nn.PixelShuffle(scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feature = self.fea_conv(x)
        outs, out = [], feature
        for i in range(1, self.blocks + 1):
            out = getattr(self, f"IMDB{i}")(out)
            outs.append(out)
        return self.upsampler(self.LR_conv(self.c(torch.cat(outs, dim=1))) + feature)


class _Shortcut(nn.Module):
    def __init__(self, sub: nn.Module):
        super().__init__()
        self.sub = sub

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.sub(x)


class IMDNRTC(nn.Module):
    """IMDN_RTC. Args: channels, blocks, scale. RGB input in [0, 1]."""

    def __init__(self, channels: int = 12, blocks: int = 5, scale: int = 2):
        super().__init__()
        body = [DistillationBlock(channels, attention=False) for _ in range(blocks)]
        self.model = nn.Sequential(
            conv(3, channels, 3),
            _Shortcut(nn.Sequential(*body, conv(channels, channels, 1))),
            conv(channels, 3 * scale * scale, 3),
            nn.PixelShuffle(scale),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class WideDistillationBlock(nn.Module):
    """IMDN_RTE's block: five distillation steps of ReLU 3x3 convs, bias-free."""

    def __init__(self, channels: int):
        super().__init__()
        self.keep = channels // 4
        rest = channels - self.keep
        self.c1 = conv(channels, channels, 3, bias=False)
        self.c2 = conv(rest, channels, 3, bias=False)
        self.c3 = conv(rest, channels, 3, bias=False)
        self.c4 = conv(rest, rest, 3, bias=False)
        self.c5 = conv(rest - self.keep, rest - self.keep, 3, bias=False)
        self.c6 = conv(self.keep, self.keep, 3, bias=False)
        self.c7 = conv(self.keep * 6, channels, 1, bias=False)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d1, r1 = split_off(self.act(self.c1(x)), self.keep)
        d2, r2 = split_off(self.act(self.c2(r1)), self.keep)
        d3, r3 = split_off(self.act(self.c3(r2)), self.keep)
        d4, r4 = split_off(self.act(self.c4(r3)), self.keep)
        d5, r5 = split_off(self.act(self.c5(r4)), self.keep)
        out = torch.cat([d1, d2, d3, d4, d5, self.act(self.c6(r5))], dim=1)
        return self.c7(out) + x


class IMDNRTE(nn.Module):
    """IMDN_RTE. Args: channels, blocks, scale. RGB input on the 0-255 scale."""

    def __init__(self, channels: int = 20, blocks: int = 6, scale: int = 2):
        super().__init__()
        self.fea_conv = nn.Sequential(
            conv(3, channels, 3), nn.ReLU(inplace=True), conv(channels, channels, 3, stride=2, bias=False)
        )
        for i in range(1, blocks + 1):
            self.add_module(f"block{i}", WideDistillationBlock(channels))
        self.blocks = blocks
        self.LR_conv = conv(channels, channels, 1, bias=False)
        up = scale * 2  # the stem halved the resolution
        self.upsampler = nn.Sequential(conv(channels, 3 * up * up, 3), nn.PixelShuffle(up))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feature = self.fea_conv(x)
        out = feature
        for i in range(1, self.blocks + 1):
            out = getattr(self, f"block{i}")(out)
        return self.upsampler(self.LR_conv(out) + feature)
