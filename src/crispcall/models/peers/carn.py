"""CARN-M (Ahn et al., ECCV 2018): cascading residual network, mobile variant with
group convolutions and weight sharing inside each block. RGB in [0, 1], mean-shifted by
1x1 convs stored in the checkpoint. Only the x2 head is built."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class _Conv1x1Relu(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 1), nn.ReLU(inplace=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class EfficientResidual(nn.Module):
    """Two grouped 3x3 convs and a 1x1, with a residual and ReLU after it."""

    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, groups=groups),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, padding=1, groups=groups),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.body(x) + x)


def _cascade(x: torch.Tensor, units: list[nn.Module], fusions: list[nn.Module]) -> torch.Tensor:
    """CARN's cascade: each unit's output is concatenated to all before it and fused by 1x1."""
    stacked, out = x, x
    for unit, fuse in zip(units, fusions, strict=True):
        stacked = torch.cat([stacked, unit(out)], dim=1)
        out = fuse(stacked)
    return out


class CascadingBlock(nn.Module):
    """One shared residual unit applied three times in a local cascade."""

    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.b1 = EfficientResidual(channels, groups)
        self.c1 = _Conv1x1Relu(channels * 2, channels)
        self.c2 = _Conv1x1Relu(channels * 3, channels)
        self.c3 = _Conv1x1Relu(channels * 4, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _cascade(x, [self.b1] * 3, [self.c1, self.c2, self.c3])


class _MeanShift(nn.Module):
    def __init__(self):
        super().__init__()
        self.shifter = nn.Conv2d(3, 3, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shifter(x)


class _Upsample(nn.Module):
    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, 4 * channels, 3, padding=1, groups=groups), nn.ReLU(inplace=True), nn.PixelShuffle(2)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class _Upsamplers(nn.Module):
    def __init__(self, channels: int, groups: int):
        super().__init__()
        self.up2 = _Upsample(channels, groups)


class CARNM(nn.Module):
    """Args: channels, groups. The checkpoint's x3/x4 heads are ignored on load."""

    def __init__(self, channels: int = 64, groups: int = 4):
        super().__init__()
        self.sub_mean, self.add_mean = _MeanShift(), _MeanShift()
        self.entry = nn.Conv2d(3, channels, 3, padding=1)
        self.b1 = CascadingBlock(channels, groups)
        self.b2 = CascadingBlock(channels, groups)
        self.b3 = CascadingBlock(channels, groups)
        self.c1 = _Conv1x1Relu(channels * 2, channels)
        self.c2 = _Conv1x1Relu(channels * 3, channels)
        self.c3 = _Conv1x1Relu(channels * 4, channels)
        self.upsample = _Upsamplers(channels, groups)
        self.exit = nn.Conv2d(channels, 3, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = _cascade(self.entry(self.sub_mean(x)), [self.b1, self.b2, self.b3], [self.c1, self.c2, self.c3])
        return self.add_mean(self.exit(self.upsample.up2(out)))
