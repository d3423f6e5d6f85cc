"""waifu2x's ``upconv_7`` network (nagadomi/waifu2x, MIT), and a same-size teacher built on it.

``UpConv7`` is the published x2 network exactly: six unpadded 3x3 convolutions
(16-32-64-128-128-256 channels, LeakyReLU 0.1), then a 4x4 stride-2 transposed convolution
with padding 3. It consumes 7 pixels of context per side: an ``n`` x ``n`` input padded by 7
gives ``2n`` x ``2n``. :func:`read_ncnn_upconv7` loads the ncnn export that
``shared/peers/waifu2x`` holds, so the port can be checked against the ncnn peer.

``UpConv7Teacher`` turns it into a same-size restorer, the form the student learns from: the
received frame upscaled to display size goes in, a frame of that size comes out. A
pixel-unshuffle x2 stem replaces the x2 area downscale the peer would need, initialised to be
exactly that downscale followed by the first convolution, so the pretrained network starts
where the peer stands and fine-tuning may use the detail an area average throws away.

``UpConv7Upscaler`` is the other form a teacher may take: the published x2 network on the
received low-resolution frame itself, as the x2 peers run (no stem to learn, nothing lost to
the upscale a player made).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from crispcall.errors import InputError

CHANNELS = (3, 16, 32, 64, 128, 128, 256)
CONTEXT = 7  # pixels per side that the six unpadded convolutions and the transposed one consume
NCNN_FP16_TAG = 0x01306B47


class UpConv7(nn.Module):
    """waifu2x ``upconv_7``: RGB in [0, 1], N x 3 x (h + 14) x (w + 14) in, N x 3 x 2h x 2w out.

    Args:
        in_channels: channels of the first convolution's input (3 for the published network;
            the teacher's unshuffle stem gives 12).
    """

    def __init__(self, in_channels: int = 3):
        super().__init__()
        widths = (in_channels, *CHANNELS[1:])
        self.convs = nn.ModuleList(nn.Conv2d(a, b, 3) for a, b in pairwise(widths))
        self.up = nn.ConvTranspose2d(CHANNELS[-1], 3, 4, stride=2, padding=3)

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
        """The output and the activations after every convolution (named ``conv1``..``conv6``)."""
        features = []
        for index, conv in enumerate(self.convs):
            x = F.leaky_relu(conv(x), 0.1)
            features.append((f"conv{index + 1}", x))
        return self.up(x), features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[0]


def read_ncnn_upconv7(bin_path: str | Path) -> dict[str, torch.Tensor]:
    """The state dict of :class:`UpConv7` from waifu2x-ncnn-vulkan's ``.bin`` weights.

    ncnn stores each layer's weights as float16 behind a 4-byte tag, then its biases as plain
    float32. Convolution weights are out x in x 3 x 3, as PyTorch's; the transposed
    convolution's are out x in x 4 x 4, which PyTorch wants as in x out (no spatial flip).
    """
    raw = Path(bin_path).read_bytes()
    state: dict[str, torch.Tensor] = {}
    offset = 0

    def take(count: int, dtype: type, name: str) -> np.ndarray:
        nonlocal offset
        size = count * np.dtype(dtype).itemsize
        if offset + size > len(raw):
            raise InputError(f"{bin_path}: truncated at {name} (not a waifu2x upconv_7 ncnn file)")
        values = np.frombuffer(raw, dtype, count, offset)
        offset += size
        return values

    layers = [(f"convs.{i}", CHANNELS[i + 1], CHANNELS[i], 3) for i in range(6)] + [("up", 3, CHANNELS[-1], 4)]
    for name, out_channels, in_channels, kernel in layers:
        (tag,) = take(1, np.uint32, name)
        if int(tag) != NCNN_FP16_TAG:
            raise InputError(f"{bin_path}: {name} is not stored as ncnn float16 (tag {int(tag):#x})")
        weight = take(out_channels * in_channels * kernel * kernel, np.float16, name).astype(np.float32)
        weight = weight.reshape(out_channels, in_channels, kernel, kernel)
        if name == "up":
            weight = weight.transpose(1, 0, 2, 3)
        state[f"{name}.weight"] = torch.from_numpy(np.ascontiguousarray(weight))
        state[f"{name}.bias"] = torch.from_numpy(take(out_channels, np.float32, name).copy())
    if offset != len(raw):
        raise InputError(f"{bin_path}: {len(raw) - offset} bytes left over (not a waifu2x upconv_7 ncnn file)")
    return state


class _OnUpConv7(nn.Module):
    """What both forms share: a stem, 7 pixels of replicated context, then :class:`UpConv7`."""

    def __init__(self, in_channels: int = 3):
        super().__init__()
        self.net = UpConv7(in_channels)

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return x

    @property
    def feature_channels(self) -> int:
        return CHANNELS[-1]

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
        return self.net.forward_features(F.pad(self.stem(x), (CONTEXT,) * 4, mode="replicate"))

    def forward(self, x: torch.Tensor, with_features: bool = False):
        """The output frame, or (frame, features) with ``with_features``."""
        out, features = self.forward_features(x)
        return (out, features) if with_features else out


class UpConv7Upscaler(_OnUpConv7):
    """x2 super-resolution on the received frame: replicate-pad 7, :class:`UpConv7`.

    Input: N x 3 x h x w RGB in [0, 1], the low-resolution frame the call delivered; output
    N x 3 x 2h x 2w. The published network as it stands, so fine-tuning starts from the peer.
    """

    scale = 2
    size_multiple = 1

    def load_upconv7(self, state: dict[str, torch.Tensor]) -> UpConv7Upscaler:
        """Start from published ``UpConv7`` weights (:func:`read_ncnn_upconv7`)."""
        self.net.load_state_dict(state)
        return self


class UpConv7Teacher(_OnUpConv7):
    """Same-size restorer: pixel-unshuffle x2, replicate-pad 7, :class:`UpConv7`.

    Input and output: N x 3 x H x W RGB in [0, 1], H and W even. See the module docstring.
    """

    size_multiple = 2

    def __init__(self):
        super().__init__(in_channels=12)

    def load_upconv7(self, state: dict[str, torch.Tensor]) -> UpConv7Teacher:
        """Start from published ``UpConv7`` weights (:func:`read_ncnn_upconv7`): the stem's
        first convolution sees each colour's four unshuffled phases with a quarter of the
        weight, which is the x2 area average the published network was fed."""
        state = dict(state)
        first = state["convs.0.weight"]
        state["convs.0.weight"] = first.repeat_interleave(4, dim=1) / 4.0
        self.net.load_state_dict(state)
        return self

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        return F.pixel_unshuffle(x, 2)
