"""ONNX export of an image-to-image network, simplified and verified against PyTorch.

Every exported graph takes and gives what a video frame is: RGB uint8, 1 x H x W x 3 (NHWC).
The cast, the scaling and the layout change run inside the graph, where ONNX Runtime does
them in one pass, instead of as NumPy copies around it. The file carries what a runtime needs
in its metadata (:mod:`crispcall.runtime.metadata`): the side multiple the network needs and
the receptive radius that tiles must overlap by.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from crispcall.data.scene import synthetic_frame
from crispcall.errors import CheckFailed, InputError
from crispcall.files import written_whole
from crispcall.metrics.quality import share_within
from crispcall.runtime.backends import load_backend
from crispcall.runtime.metadata import MACS_KEY, RADIUS_KEY, SCALE_KEY, SIZE_MULTIPLE_KEY

OPSET = 17
# FP32 export must match PyTorch on at least this share of pixels to within 1/255.
MATCH_SHARE = 0.99


class FrameIO(nn.Module):
    """Wraps a network on NCHW float RGB in [0, ``value_range``] so it takes and gives uint8
    NHWC frames; rounding is half up, as ``(x + 0.5).astype(uint8)`` after clipping. A network
    with its own ``forward_frame`` (the student's, which avoids full-resolution layout
    changes) is used through that unless ``generic`` (kept to measure what it saves); with
    ``to_quantize``, in the form its INT8 graph runs fastest (the student's ``space_to_depth``
    stem)."""

    def __init__(self, net: nn.Module, value_range: float = 1.0, generic: bool = False, to_quantize: bool = False):
        super().__init__()
        self.net, self.factor, self.generic = net, value_range / 255.0, generic
        self.stem = "space_to_depth" if to_quantize else "strided"

    def forward(self, frame: torch.Tensor) -> torch.Tensor:
        if hasattr(self.net, "forward_frame") and not self.generic:
            return self.net.forward_frame(frame, self.stem)
        x = frame.permute(0, 3, 1, 2).float() * self.factor
        y = self.net(x) / self.factor
        return (y.clamp(0.0, 255.0) + 0.5).to(torch.uint8).permute(0, 2, 3, 1)


def require_luma(model: nn.Module, graph: str) -> None:
    """An ``InputError`` unless ``model`` is a luma student: ``graph`` (the I420 graph, the luma
    graph) carries only a luma correction."""
    if getattr(model, "color", None) != "luma":
        raise InputError(f"the {graph} needs a luma student (model.color: luma)")


def save_graph(graph, metadata: dict[str, str], path: Path) -> None:
    """Check a slimmed ONNX model and save it to ``path`` with ``metadata`` (what
    :func:`frame_metadata` states), without its recorded intermediate shapes: some are stale after
    slimming (a luma DepthToSpace noted with 3 channels) and ONNX Runtime infers them anyway."""
    import onnx

    del graph.graph.value_info[:]
    for key, value in metadata.items():
        graph.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))


def run_frame(wrapped: FrameIO, frame: np.ndarray) -> np.ndarray:
    """PyTorch's output for one H x W x 3 uint8 frame (the reference exports are checked against)."""
    with torch.no_grad():
        return wrapped(torch.from_numpy(np.ascontiguousarray(frame))[None])[0].numpy()


def size_multiple(model: nn.Module) -> int:
    """The side multiple the network needs (pixel-unshuffle factor); 1 when it states none."""
    return int(getattr(model, "size_multiple", 1))


def frame_metadata(model: nn.Module, value_range: float = 1.0) -> dict[str, str]:
    """What the exported file states about the network (:mod:`crispcall.runtime.metadata`): its
    side multiple, its receptive radius (when local), its convolution MACs per input pixel and,
    for a network that enlarges the received frame, its scale."""
    from crispcall.models.complexity import conv_macs

    # Counted on a 1920x1080 input: unpadded convolutions (waifu2x's) make small frames misleading.
    macs = conv_macs(model, 1080, 1920) / (1920 * 1080)
    metadata = {SIZE_MULTIPLE_KEY: str(size_multiple(model)), MACS_KEY: f"{macs:.1f}"}
    if int(getattr(model, "scale", 1)) != 1:
        metadata[SCALE_KEY] = str(model.scale)
    radius = receptive_radius(model, value_range)
    return metadata if radius is None else {**metadata, RADIUS_KEY: str(radius)}


def receptive_radius(model: nn.Module, value_range: float = 1.0, side: int = 160) -> int | None:
    """How far, in input pixels, an output pixel can see, rounded up to the side multiple;
    ``None`` when it sees (nearly) the whole frame, as global pooling does.

    Measured, not derived: the gradient of a central block of outputs with respect to the
    input, summed over a few random frames (so no ReLU hides a path), is non-zero exactly on
    the receptive field. Tiles that overlap by this much give the whole-frame output."""
    multiple = size_multiple(model)
    frames = (torch.rand(2, 3, side, side) * value_range).requires_grad_(True)
    centre = side // 2 // multiple * multiple
    out = model(frames)
    scale = out.shape[-1] // side
    block = slice(centre * scale, (centre + multiple) * scale)
    (grad,) = torch.autograd.grad(out[..., block, block].sum(), frames)
    support = grad.abs().sum((0, 1)) > 0
    rows, cols = np.nonzero(support.numpy())
    if rows.min() == 0 or cols.min() == 0 or rows.max() == side - 1 or cols.max() == side - 1:
        return None
    reach = max(centre - rows.min(), centre - cols.min(), max(rows.max(), cols.max()) + 1 - centre - multiple, 0)
    return int(math.ceil(reach / multiple) * multiple)


def export_onnx(
    model: nn.Module,
    path: str | Path,
    value_range: float = 1.0,
    check_size: tuple[int, int] = (64, 96),
    generic: bool = False,
    to_quantize: bool = False,
) -> Path:
    """Write ``model`` (eval mode) as an ONNX graph on uint8 NHWC frames with dynamic height
    and width, simplify it with onnxslim, record its size multiple and receptive radius, then
    run the file with ONNX Runtime on a test frame: at least :data:`MATCH_SHARE` of values
    must be within 1/255 of PyTorch's. The file is written under a temporary name and renamed
    only once verified, so a failed export leaves nothing behind. ``generic`` exports the
    NCHW wrapper even for a network with its own frame path; ``to_quantize`` writes the FP32
    graph that INT8 quantization starts from (:class:`FrameIO`)."""
    import onnx
    import onnxslim

    path = Path(path)
    model = model.eval()
    metadata = frame_metadata(model, value_range)
    wrapped = FrameIO(model, value_range, generic, to_quantize).eval()
    # A natural-looking frame, not uniform noise: some published peers (PAN) blow up on noise.
    frame = synthetic_frame(check_size[1], check_size[0])
    with written_whole(path) as partial:
        torch.onnx.export(
            wrapped,
            (torch.from_numpy(frame)[None],),
            str(partial),
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {1: "height", 2: "width"}, "output": {1: "out_height", 2: "out_width"}},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and gives a plain graph
        )
        save_graph(onnxslim.slim(onnx.load(str(partial))), metadata, partial)
        got = load_backend(partial, "onnxruntime", threads=2).run(frame[None])[0]
        share = share_within(got, run_frame(wrapped, frame))
        if share < MATCH_SHARE:
            raise CheckFailed(f"ONNX export of {path.name}: only {share:.1%} of values within 1/255 of PyTorch")
    return path
