"""Student: a tiny same-size restorer for real-time use, taught by the teacher.

A pixel-unshuffle stem (x2, x4 or x8) so the body runs at reduced resolution, a few residual
blocks of re-parameterisable convolutions (depthwise-separable, dense or mixed), optional channel or
spatial attention, pixel-shuffle back and a global residual. In luma mode the network sees
and corrects only Y (BT.601); the correction is added to R, G and B alike, which is exactly a
change of Y with Cb and Cr kept, so colour takes no network cost at all.

Training-time blocks have several linear branches (ECBSR, RepVGG); :meth:`Student.fuse`
collapses each into one plain convolution for inference with the same output.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from crispcall.errors import InputError
from crispcall.models.blocks import ChannelAttention, RepConv, replace_modules, space_to_depth

BT601 = (0.299, 0.587, 0.114)


def make_conv(
    in_channels: int, out_channels: int, kernel_size: int, groups: int, rep: bool, dilation: int = 1
) -> nn.Module:
    """A RepConv for training, or the plain convolution it fuses into (the only one dilated)."""
    if rep:
        if dilation != 1:
            raise InputError("dilated convolutions have no re-parameterisable form: set rep to false")
        return RepConv(in_channels, out_channels, kernel_size, groups)
    padding = dilation * (kernel_size // 2)
    return nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding, groups=groups, dilation=dilation)


class SpatialAttention(nn.Module):
    """CBAM's spatial gate: a 7x7 convolution over the channel mean and max, then a sigmoid."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, 7, padding=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)
        return x * torch.sigmoid(self.conv(pooled))


def make_attention(kind: str | None, channels: int) -> nn.Module:
    if kind is None or kind == "none":
        return nn.Identity()
    if kind == "channel":
        return ChannelAttention(channels, reduction=4)
    if kind == "spatial":
        return SpatialAttention()
    raise InputError(f"attention must be none, channel or spatial, got {kind!r}")


def activation(x: torch.Tensor, negative_slope: float) -> torch.Tensor:
    """ReLU, leaky where ``negative_slope`` is above 0."""
    return F.leaky_relu(x, negative_slope) if negative_slope else F.relu(x)


class StudentBlock(nn.Module):
    """Residual block: separable (depthwise k x k, ReLU, pointwise 1 x 1), dense (k x k, ReLU,
    k x k) or mixed (dense k x k, ReLU, pointwise 1 x 1), then optional attention, added back to
    the input; the first k x k convolution dilated by ``dilation``. Mixed spends the MACs where
    INT8 kernels run near the CPU's peak (dense convolutions) instead of the memory-bound
    depthwise one."""

    def __init__(
        self,
        channels: int,
        kind: str,
        attention: str | None,
        rep: bool,
        negative_slope: float = 0.0,
        dilation: int = 1,
    ):
        super().__init__()
        self.negative_slope = negative_slope
        if kind == "separable":
            self.conv1 = make_conv(channels, channels, 3, channels, rep, dilation)
            self.conv2 = make_conv(channels, channels, 1, 1, rep)
        elif kind in ("dense", "mixed"):
            self.conv1 = make_conv(channels, channels, 3, 1, rep, dilation)
            self.conv2 = make_conv(channels, channels, 3 if kind == "dense" else 1, 1, rep)
        else:
            raise InputError(f"block must be separable, dense or mixed, got {kind!r}")
        self.attention = make_attention(attention, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.attention(self.conv2(activation(self.conv1(x), self.negative_slope)))


class Student(nn.Module):
    """Tiny same-size restoration network.

    Args:
        channels: width of the body.
        blocks: number of residual blocks.
        unshuffle: pixel-unshuffle factor of the stem (2, 4 or 8); the body runs at 1/unshuffle.
            8 is for the browser's one WebAssembly thread: a quarter of 4's positions, so the
            same MACs a frame buy four times the work a position.
        block: ``separable`` (depthwise + pointwise), ``dense`` (two k x k convolutions) or
            ``mixed`` (a k x k convolution, then a pointwise one).
        attention: ``none``, ``channel`` or ``spatial`` in every block.
        color: ``luma`` (restore Y only) or ``rgb``.
        rep: train-time re-parameterisable branches; False builds the fused, plain network
            (what :meth:`fuse` returns), e.g. to load fused or pruned weights.
        feature_taps: how many evenly spaced body depths :meth:`forward_features` returns.
        head_kernel: side of the head's convolution on the unshuffled planes (1 or 3).
        tail_kernel: side of the tail's convolution (1 or 3). At unshuffle 2 the head reads
            and the tail writes only 4 planes, on a grid 4 times the size of unshuffle 4's:
            3 x 3 there are poor matrix products for ONNX Runtime's INT8 kernels, 1 x 1 cost a
            ninth (session 17's shape runs).
        refine: channels of a last stage on the grid of half the unshuffle (unshuffle 4 only;
            0: none): the tail makes ``refine`` planes there (pixel-shuffle x2), a ReLU and one
            k x k convolution make the correction's planes, then the last pixel-shuffle. Finer
            detail (text) for less than a body on that grid costs.
        negative_slope: above 0, every ReLU is a leaky one with this slope (as in FSRCNN's
            PReLUs, IMDN's and RLFN's LeakyReLU 0.05, waifu2x's 0.1); 0: plain ReLUs, which
            INT8 folds into the convolution, where a LeakyReLU is a pass of its own (3-4 ms a
            1080p frame, session 19).
        linear_head: no activation after the head (as EDSR's and RLFN's heads): the head is the
            only road from the input to the body, and a ReLU there kills channels for good
            (56% of session 20's student's head never fired). Free at inference.
        tail_hidden: channels of a hidden layer in the tail (0: none): the tail's k x k
            convolution makes ``tail_hidden`` channels, then a ReLU and a 1 x 1 convolution make
            the correction's planes, so each position's 16 output pixels come from a small MLP
            on the body's features instead of one linear map (not with ``refine``).
        dilations: the dilation of each block's first convolution (one per block; None: all 1),
            e.g. 1, 2, 3 repeated (hybrid dilated convolution, which leaves no grid unseen): a
            wider view for the same MACs. Only with ``rep`` false.

    Input and output: N x 3 x H x W RGB in [0, 1], H and W multiples of ``unshuffle``.
    """

    def __init__(
        self,
        channels: int = 16,
        blocks: int = 4,
        unshuffle: int = 4,
        block: str = "separable",
        attention: str | None = None,
        color: str = "luma",
        rep: bool = True,
        feature_taps: int = 2,
        refine: int = 0,
        head_kernel: int = 3,
        tail_kernel: int = 3,
        negative_slope: float = 0.0,
        linear_head: bool = False,
        tail_hidden: int = 0,
        dilations: list[int] | None = None,
    ):
        super().__init__()
        if dilations is not None and (len(dilations) != blocks or min(dilations) < 1):
            raise InputError(f"dilations must be {blocks} numbers >= 1, one per block, got {dilations}")
        if unshuffle not in (2, 4, 8):
            raise InputError(f"unshuffle must be 2, 4 or 8, got {unshuffle}")
        if color not in ("luma", "rgb"):
            raise InputError(f"color must be luma or rgb, got {color!r}")
        if blocks < 1 or channels < 4:
            raise InputError(f"need blocks >= 1 and channels >= 4, got {blocks} and {channels}")
        if head_kernel not in (1, 3) or tail_kernel not in (1, 3):
            raise InputError(f"head and tail kernels must be 1 or 3, got {head_kernel} and {tail_kernel}")
        if refine and unshuffle != 4:
            raise InputError(f"refine needs unshuffle 4, got {unshuffle}")
        if refine and tail_hidden:
            raise InputError("refine and tail_hidden are two kinds of last stage: choose one")
        self.channels, self.unshuffle, self.color = channels, unshuffle, color
        self.negative_slope, self.linear_head = negative_slope, linear_head
        # The constructor's arguments, to rebuild a variant (fused, pruned) of this network.
        self.config = {
            "channels": channels,
            "blocks": blocks,
            "unshuffle": unshuffle,
            "block": block,
            "attention": attention,
            "color": color,
            "rep": rep,
            "feature_taps": feature_taps,
            "refine": refine,
            "head_kernel": head_kernel,
            "tail_kernel": tail_kernel,
            "negative_slope": negative_slope,
            "linear_head": linear_head,
            "tail_hidden": tail_hidden,
            "dilations": dilations,
        }
        self.size_multiple = unshuffle
        colors = 1 if color == "luma" else 3
        planes = colors * unshuffle * unshuffle
        self.register_buffer("luma_weights", torch.tensor(BT601).view(1, 3, 1, 1), persistent=False)
        self.head = make_conv(planes, channels, head_kernel, 1, rep)
        self.body = nn.ModuleList(
            StudentBlock(channels, block, attention, rep, negative_slope, dilation)
            for dilation in (dilations or [1] * blocks)
        )
        self.tail = make_conv(channels, tail_hidden or (refine * 4 if refine else planes), tail_kernel, 1, rep)
        self.tail_out = make_conv(tail_hidden, planes, 1, 1, rep) if tail_hidden else None
        self.refine = make_conv(refine, colors * 4, 3, 1, rep) if refine else None
        if rep and refine:
            self.refine.identity = False  # an identity branch would pass its input on at step 0
        # Start as the identity (zero correction): random corrections at step 0 are large
        # enough to derail the first hundreds of steps.
        final = self.last
        last = [final] if not rep else [final.main]
        if rep and final.expand is not None:  # (k > 1: the 1x1 and expansion branches too)
            last += [final.point, final.expand[1]]
        for conv in last:  # (the expansion's first 1x1 keeps its weights, or its branch could never move)
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)
        taps = min(feature_taps, blocks)
        self.tap_after = {round((i + 1) * blocks / taps) - 1 for i in range(taps)}

    @property
    def last(self) -> nn.Module:
        """The convolution that makes the correction (the tail, or the stage after it)."""
        return next(conv for conv in (self.refine, self.tail_out, self.tail) if conv is not None)

    def source_planes(self, x: torch.Tensor) -> torch.Tensor:
        """What the network reads of RGB frames ``x``: their Y plane (BT.601), or RGB itself."""
        return (x * self.luma_weights).sum(1, keepdim=True) if self.color == "luma" else x

    def embed(self, source: torch.Tensor, stem: str = "unshuffle") -> torch.Tensor:
        """The body's input for ``source`` planes (Y, or RGB) in [0, 1]: the pixel-unshuffle, the
        head and its activation (none with ``linear_head``).

        ``stem`` says how the pixel-unshuffle and the head's k x k convolution run; every form
        gives the same sums. ``unshuffle`` (training): the unshuffle, then the head.
        ``strided`` (the FP32 inference graph): one convolution on the full-resolution planes
        (kernel k * r, stride r, padding r * (k // 2); the head's weights rearranged), without
        the unshuffle's strided copy. ``space_to_depth`` (the INT8 graph): the unshuffle as ONNX's
        SpaceToDepth, which moves quantized luma in one pass; ONNX Runtime's INT8 kernels run
        the strided convolution on one plane several times slower than this."""
        r = self.unshuffle
        if stem == "strided":
            head = self.head if isinstance(self.head, nn.Conv2d) else self.head.fused()
            out_ch, _, k, _ = head.weight.shape
            # weight[o, c * r * r + a * r + b, i, j] -> weight[o, c, i * r + a, j * r + b]
            weight = (
                head.weight.reshape(out_ch, -1, r, r, k, k).permute(0, 1, 4, 2, 5, 3).reshape(out_ch, -1, k * r, k * r)
            )
            out = F.conv2d(source, weight, head.bias, stride=r, padding=r * (k // 2))
        elif stem in ("unshuffle", "space_to_depth"):
            one_plane = self.color == "luma"  # SpaceToDepth orders several planes' channels otherwise
            unshuffle = space_to_depth if stem == "space_to_depth" and one_plane else F.pixel_unshuffle
            out = self.head(unshuffle(source, r))
        else:
            raise InputError(f"stem must be unshuffle, strided or space_to_depth, got {stem!r}")
        return out if self.linear_head else activation(out, self.negative_slope)

    def correction(
        self, source: torch.Tensor, stem: str = "unshuffle"
    ) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
        """The correction for ``source`` planes (Y, or RGB) in [0, 1], at full resolution, and
        the named body features at the tapped depths; ``stem`` as :meth:`embed` takes it."""
        r, out = self.unshuffle, self.embed(source, stem)
        features = []
        for index, block in enumerate(self.body):
            out = block(out)
            if index in self.tap_after:
                features.append((f"block{index + 1}", out))
        if self.tail_out is not None:
            return F.pixel_shuffle(self.tail_out(activation(self.tail(out), self.negative_slope)), r), features
        if self.refine is None:
            return F.pixel_shuffle(self.tail(out), r), features
        finer = activation(F.pixel_shuffle(self.tail(out), 2), self.negative_slope)
        return F.pixel_shuffle(self.refine(finer), 2), features

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[tuple[str, torch.Tensor]]]:
        """The restored frame and the named body features at the tapped depths."""
        correction, features = self.correction(self.source_planes(x))
        # A one-channel correction broadcasts over R, G and B: Y changes, Cb and Cr do not.
        return x + correction, features

    def forward_frame(self, frame: torch.Tensor, stem: str = "strided") -> torch.Tensor:
        """The inference graph: uint8 1 x H x W x 3 frames in and out, the same arithmetic as
        :meth:`forward` (rounding half up), laid out for ONNX Runtime's CPU kernels: no
        full-resolution RGB plane changes layout, and no element-wise op broadcasts over a
        last axis of 1 or 3 (ONNX Runtime walks such axes element by element). In luma mode Y
        is a matrix product over the channel axis, the stem runs in the form ``stem`` names
        (:meth:`correction`: ``strided`` for the FP32 graph, ``space_to_depth`` for the graph
        to quantize), the correction is scaled and rounded on its one plane, and it reaches R,
        G and B through a rank-1 matrix product."""
        x = frame.float()
        if self.color == "luma":
            source = (x @ (self.luma_weights.view(3, 1) / 255.0)).permute(0, 3, 1, 2)
            correction, _ = self.correction(source, stem)
            spread = (correction * 255.0 + 0.5).permute(0, 2, 3, 1) @ x.new_ones(1, 3)
        else:
            correction, _ = self.correction(x.permute(0, 3, 1, 2) / 255.0, stem)
            spread = correction.permute(0, 2, 3, 1) * 255.0 + 0.5
        return (x + spread).clamp(0.0, 255.0).to(torch.uint8)

    def forward(self, x: torch.Tensor, with_features: bool = False):
        """The restored frame, or (frame, features) with ``with_features`` (the call DDP sees)."""
        out, features = self.forward_features(x)
        return (out, features) if with_features else out

    def fuse(self) -> Student:
        """Replace every RepConv by its fused convolution, in place; returns self."""
        replace_modules(self, RepConv, RepConv.fused)
        self.config["rep"] = False
        return self
