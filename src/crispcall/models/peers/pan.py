"""PAN (Zhao et al., ECCVW 2020): pixel-attention network with SC-PA blocks. RGB in [0, 1]."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class PixelAttention(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(self.conv(x))


class PixelAttentionConv(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.k2 = nn.Conv2d(channels, channels, 1)
        self.k3 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.k4 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.k4(self.k3(x) * torch.sigmoid(self.k2(x)))


class SelfCalibratedBlock(nn.Module):
    """SC-PA: one half of the channels through a plain conv, the other through PA-conv."""

    def __init__(self, channels: int):
        super().__init__()
        half = channels // 2
        self.conv1_a = nn.Conv2d(channels, half, 1, bias=False)
        self.conv1_b = nn.Conv2d(channels, half, 1, bias=False)
        self.k1 = nn.Sequential(nn.Conv2d(half, half, 3, padding=1, bias=False))
        self.PAConv = PixelAttentionConv(half)
        self.conv3 = nn.Conv2d(channels, channels, 1, bias=False)
        self.act = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.act(self.k1(self.act(self.conv1_a(x))))
        b = self.act(self.PAConv(self.act(self.conv1_b(x))))
        return self.conv3(torch.cat([a, b], dim=1)) + x


class PAN(nn.Module):
    """Args: channels (trunk), up_channels (reconstruction), blocks, scale (2 or 3)."""

    def __init__(self, channels: int = 40, up_channels: int = 24, blocks: int = 16, scale: int = 2):
        super().__init__()
        self.scale = scale
        self.conv_first = nn.Conv2d(3, channels, 3, padding=1)
        self.SCPA_trunk = nn.Sequential(*[SelfCalibratedBlock(channels) for _ in range(blocks)])
        self.trunk_conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.upconv1 = nn.Conv2d(channels, up_channels, 3, padding=1)
        self.att1 = PixelAttention(up_channels)
        self.HRconv1 = nn.Conv2d(up_channels, up_channels, 3, padding=1)
        self.conv_last = nn.Conv2d(up_channels, 3, 3, padding=1)
        self.act = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feature = self.conv_first(x)
        feature = feature + self.trunk_conv(self.SCPA_trunk(feature))
        feature = self.upconv1(F.interpolate(feature, scale_factor=self.scale, mode="nearest"))
        feature = self.act(self.HRconv1(self.act(self.att1(feature))))
        skip = F.interpolate(x, scale_factor=self.scale, mode="bilinear", align_corners=False)
        return self.conv_last(feature) + skip
