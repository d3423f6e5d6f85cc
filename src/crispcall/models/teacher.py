"""Teacher: an SRResNet-style same-size restorer, the quality ceiling the student learns from.

Residual blocks without batch norm (as EDSR and BasicSR's MSRResNet), optional RCAN channel
attention, a pixel-unshuffle x2 stem so the body runs at half resolution, pixel-shuffle back,
and a global residual: the network predicts the correction to the degraded frame.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from crispcall.errors import InputError
from crispcall.models.blocks import ChannelAttention


class ResidualBlock(nn.Module):
    """conv-ReLU-conv (+ channel attention), scaled and added back; no batch norm."""

    def __init__(self, channels: int, attention: bool, res_scale: float):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.attention = ChannelAttention(channels) if attention else nn.Identity()
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.res_scale * self.attention(self.conv2(F.relu(self.conv1(x), inplace=True)))


class Teacher(nn.Module):
    """Same-size restoration network.

    Args:
        channels: width of the body.
        blocks: number of residual blocks.
        attention: RCAN-style channel attention in every block.
        res_scale: scale of each block's residual branch (EDSR uses 0.1 for wide, deep nets).
        feature_taps: how many evenly spaced body depths :meth:`forward_features` returns
            (the student's feature distillation aligns to them).

    Input and output: N x 3 x H x W RGB in [0, 1], H and W even.
    """

    def __init__(
        self,
        channels: int = 64,
        blocks: int = 16,
        attention: bool = False,
        res_scale: float = 1.0,
        feature_taps: int = 4,
    ):
        super().__init__()
        if blocks < 1 or channels < 4:
            raise InputError(f"need blocks >= 1 and channels >= 4, got {blocks} and {channels}")
        self.head = nn.Sequential(nn.PixelUnshuffle(2), nn.Conv2d(12, channels, 3, padding=1))
        self.body = nn.ModuleList(ResidualBlock(channels, attention, res_scale) for _ in range(blocks))
        self.body_conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.tail = nn.Sequential(nn.Conv2d(channels, 12, 3, padding=1), nn.PixelShuffle(2))
        taps = min(feature_taps, blocks)
        self.tap_after = {round((i + 1) * blocks / taps) - 1 for i in range(taps)}
        self.size_multiple = 2

    @property
    def feature_channels(self) -> int:
        return self.body_conv.out_channels

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
        """The restored frame and the named half-resolution features at the tapped depths."""
        head = self.head(x)
        features = []
        out = head
        for index, block in enumerate(self.body):
            out = block(out)
            if index in self.tap_after:
                features.append((f"block{index + 1}", out))
        out = self.body_conv(out) + head
        return x + self.tail(out), features

    def forward(self, x: torch.Tensor, with_features: bool = False):
        """The restored frame, or (frame, features) with ``with_features`` (the call DDP sees)."""
        out, features = self.forward_features(x)
        return (out, features) if with_features else out
