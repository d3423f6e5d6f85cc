"""RLFN (Kong et al., CVPRW 2022): residual local feature network with enhanced spatial
attention; NTIRE 2022 efficient-SR runtime winner. Input RGB on the 0-255 scale."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def conv(cin: int, cout: int, k: int, stride: int = 1, padding: int | None = None) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, k, stride, padding=k // 2 if padding is None else padding)


class EnhancedSpatialAttention(nn.Module):
    """ESA: a strided, max-pooled branch predicts a per-pixel gate."""

    def __init__(self, channels: int, inner: int = 16):
        super().__init__()
        self.conv1 = conv(channels, inner, 1)
        self.conv_f = conv(inner, inner, 1)
        self.conv2 = conv(inner, inner, 3, stride=2, padding=0)
        self.conv3 = conv(inner, inner, 3)
        self.conv4 = conv(inner, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        reduced = self.conv1(x)
        pooled = F.max_pool2d(self.conv2(reduced), kernel_size=7, stride=3)
        context = F.interpolate(self.conv3(pooled), size=x.shape[2:], mode="bilinear", align_corners=False)
        return x * torch.sigmoid(self.conv4(context + self.conv_f(reduced)))


class ResidualLocalFeatureBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.c1_r = conv(channels, channels, 3)
        self.c2_r = conv(channels, channels, 3)
        self.c3_r = conv(channels, channels, 3)
        self.c5 = conv(channels, channels, 1)
        self.esa = EnhancedSpatialAttention(channels)
        self.act = nn.LeakyReLU(0.05, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act(self.c3_r(self.act(self.c2_r(self.act(self.c1_r(x))))))
        return self.esa(self.c5(out + x))


def identity_block(channels: int, gate: float = 2.0) -> ResidualLocalFeatureBlock:
    """A block that starts as the identity, to deepen a trained RLFN (``crispcall train grow``):
    its last 3x3 convolution is zero, so the 1x1 one sees the block's input alone, and the
    attention's gate is the constant sigmoid(``gate``) (its last convolution's weights zero),
    which the 1x1 convolution divides out. The gate stays short of saturation so that it learns."""
    block = ResidualLocalFeatureBlock(channels)
    with torch.no_grad():
        nn.init.zeros_(block.c3_r.weight)
        nn.init.zeros_(block.c3_r.bias)
        block.c5.weight.copy_(torch.eye(channels).view(channels, channels, 1, 1) / torch.sigmoid(torch.tensor(gate)))
        nn.init.zeros_(block.c5.bias)
        nn.init.zeros_(block.esa.conv4.weight)
        nn.init.constant_(block.esa.conv4.bias, gate)
    return block


class RLFN(nn.Module):
    """Args: channels (52 for RLFN, 48 for RLFN-S), blocks, scale."""

    def __init__(self, channels: int = 52, blocks: int = 6, scale: int = 2):
        super().__init__()
        self.conv_1 = conv(3, channels, 3)
        for i in range(1, blocks + 1):
            self.add_module(f"block_{i}", ResidualLocalFeatureBlock(channels))
        self.blocks = blocks
        self.conv_2 = conv(channels, channels, 3)
        self.upsampler = nn.Sequential(conv(channels, 3 * scale * scale, 3), nn.PixelShuffle(scale))

    @property
    def feature_channels(self) -> int:
        return self.conv_1.out_channels

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
        """The output and the named features after every block (a student's feature alignment
        picks those at its own taps' relative depths)."""
        feature = self.conv_1(x)
        out, features = feature, []
        for i in range(1, self.blocks + 1):
            out = getattr(self, f"block_{i}")(out)
            features.append((f"block{i}", out))
        return self.upsampler(self.conv_2(out) + feature), features

    def forward(self, x: torch.Tensor, with_features: bool = False):
        """The output, or (output, features) with ``with_features``."""
        out, features = self.forward_features(x)
        return (out, features) if with_features else out


class RLFNUpscaler(RLFN):
    """RLFN as a teacher: super-resolution on the received frame, RGB in [0, 1] in and out
    (the published network works on the 0-255 scale). Same state dict as :class:`RLFN`, so
    fine-tuning starts from the published x2 weights (``crispcall train import-rlfn``), and an
    x3 one from an x2 one (``crispcall train rescale``).

    Args: channels (52 for RLFN, 48 for RLFN-S), blocks, scale.
    """

    size_multiple = 1

    def __init__(self, channels: int = 52, blocks: int = 6, scale: int = 2):
        super().__init__(channels, blocks, scale)
        self.scale = scale

    def forward(self, x: torch.Tensor, with_features: bool = False):
        """The output in [0, 1], or (output, features) with ``with_features``: the features
        stay on the published network's 0-255 scale (feature alignment normalises each by its
        energy)."""
        out, features = self.forward_features(x * 255.0)
        return (out / 255.0, features) if with_features else out / 255.0
