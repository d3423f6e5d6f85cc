"""Concealment repair: a small network that re-fills the macroblocks a decoder lost and
concealed, in front of a teacher that runs on the received frame."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from crispcall.degrade.loss import BLOCK
from crispcall.errors import InputError


class ConcealmentRepair(nn.Module):
    """A residual U-Net on the received frame (RGB in [0, 1]). A concealed 16x16 block is
    filled from the rows above and below it only; inpainting it from all sides needs context
    from well beyond its edges, which two stride-2 levels with dilated convolutions give
    (about 60 px of receptive field) at little cost. Codecs lose whole macroblocks on the
    16-pixel grid from the frame's top-left corner, so the correction passes through a gate
    that is one number per macroblock (from its mean features), fitted in training to the
    blocks that were lost: a block that was received keeps its pixels instead of taking a
    small correction everywhere. The last convolution starts at zero, so an untrained repair
    passes the frame through unchanged. Trained by ``crispcall train repair`` on received
    patches that lose blocks, against the patch before the loss.

    Args:
        channels: features at full resolution; 1.5x and 2x that at the half and quarter levels.
        dilations: dilation of each 3x3 convolution at the quarter level.
    """

    size_multiple = BLOCK
    scale = 1
    on_received = True

    def __init__(self, channels: int = 32, dilations: tuple[int, ...] = (1, 2, 4, 1)):
        super().__init__()
        half, quarter = channels * 3 // 2, channels * 2
        self.head = nn.Conv2d(3, channels, 3, padding=1)
        self.down1 = nn.Conv2d(channels, half, 3, stride=2, padding=1)
        self.down2 = nn.Conv2d(half, quarter, 3, stride=2, padding=1)
        self.body = nn.ModuleList(nn.Conv2d(quarter, quarter, 3, padding=d, dilation=d) for d in dilations)
        self.up2 = nn.Conv2d(quarter, half * 4, 1)
        self.up1 = nn.Conv2d(half, channels * 4, 1)
        self.tail = nn.Conv2d(channels, 3, 3, padding=1)
        self.gate = nn.Sequential(nn.Conv2d(channels, 16, 1), nn.LeakyReLU(0.1), nn.Conv2d(16, 1, 1))
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)
        self.act = nn.LeakyReLU(0.1, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mend(x)[0]

    def mend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The mended frame, and the gate's logit for each macroblock (N x 1 x H/16 x W/16:
        whether it was lost), which training also fits to the blocks it lost."""
        full = self.act(self.head(x))
        half = self.act(self.down1(full))
        quarter = self.act(self.down2(half))
        for conv in self.body:
            quarter = self.act(conv(quarter)) + quarter
        half = self.act(F.pixel_shuffle(self.up2(quarter), 2)) + half
        full = self.act(F.pixel_shuffle(self.up1(half), 2)) + full
        lost = self.gate(F.avg_pool2d(full, BLOCK))
        gate = F.interpolate(torch.sigmoid(lost), scale_factor=BLOCK, mode="nearest")
        return x + gate * self.tail(full), lost


class Repaired(nn.Module):
    """``network`` on the frame ``repair`` has mended: what the call delivered, its concealed
    blocks re-filled first. ``scale`` is the network's; ``size_multiple`` covers both.

    Args:
        network: the restoring network, an upscaler of the received frame (``scale`` > 1).
        repair: a :class:`ConcealmentRepair`.
    """

    def __init__(self, network: nn.Module, repair: ConcealmentRepair):
        super().__init__()
        self.scale = int(getattr(network, "scale", 1))
        if self.scale == 1:
            raise InputError("the repair mends the frame the call delivered: its network must upscale it (x2)")
        self.network, self.repair = network, repair
        self.size_multiple = math.lcm(int(getattr(network, "size_multiple", 1)), repair.size_multiple)

    @property
    def feature_channels(self) -> int:
        return self.network.feature_channels

    def forward(self, x: torch.Tensor, with_features: bool = False):
        """The output, or (output, the network's features) with ``with_features``."""
        mended = self.repair(x)
        return self.network(mended, with_features=True) if with_features else self.network(mended)
