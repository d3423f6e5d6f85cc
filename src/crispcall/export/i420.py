"""The student as a web call's frame path runs it: a decoded frame's I420 planes in, an I420
frame at the display size out (``crispcall export --i420``; the browser's ``web/crispcall.js``).

A decoder hands out I420 (BT.601, limited range). The student corrects only luma, and its
correction, added to R, G and B alike, changes Y by the same amount and leaves U and V as they
are; so the graph never forms RGB. It upscales the three planes from the received size to the
display size (bilinear, rounded: what a player shows), maps Y to the full-range luma the student
was trained on, ``(Y - 16) / 219``, adds ``219 x`` the correction to Y, and returns the planes
one after the other, ready for ``new VideoFrame(buffer, {format: "I420"})``.

Inputs: ``y`` 1 x 1 x h x w, ``u`` and ``v`` 1 x 1 x ceil(h/2) x ceil(w/2) (uint8), ``size`` the
display height and width (int64, 2; multiples of the student's unshuffle factor). Output:
``i420``, H*W + 2 * ceil(H/2) * ceil(W/2) uint8.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from crispcall.data.scene import synthetic_frame
from crispcall.degrade.yuv import i420_planes, rgb_to_i420
from crispcall.errors import CheckFailed, InputError
from crispcall.export.onnx import MATCH_SHARE, OPSET, frame_metadata, require_luma, save_graph
from crispcall.files import written_whole
from crispcall.metrics.quality import share_within
from crispcall.runtime.i420 import INPUTS, i420_feeds


def planes_student(student: nn.Module) -> nn.Module:
    """A copy of the fused luma ``student`` whose correction of ``Y - 16`` (0-255 scale) is
    ``219 x`` its correction of ``(Y - 16) / 219``, plus 0.5 (the rounding): the head's weights
    take the 1/219 and the last convolution the 219 and the 0.5, which spares the graph three
    passes over the display-size plane (a few milliseconds a 720p frame in WebAssembly)."""
    folded = copy.deepcopy(student)
    if not all(isinstance(conv, nn.Conv2d) for conv in (folded.head, folded.last)):
        raise InputError("the I420 graph folds its scaling into a fused student: fuse() it first")
    with torch.no_grad():
        folded.head.weight /= 219.0
        folded.last.weight *= 219.0
        folded.last.bias.mul_(219.0).add_(0.5)
    return folded


class I420Correction(nn.Module):
    """The student's luma correction applied to upscaled, rounded planes (float, 0-255)."""

    def __init__(self, student: nn.Module, stem: str = "strided"):
        super().__init__()
        require_luma(student, "I420 graph")
        self.student, self.stem = planes_student(student), stem

    def forward(self, y: torch.Tensor, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        correction, _ = self.student.correction(y - 16.0, self.stem)
        corrected = (y + correction).clamp(0.0, 255.0).to(torch.uint8)
        return torch.cat([corrected.reshape(-1), u.to(torch.uint8).reshape(-1), v.to(torch.uint8).reshape(-1)])


def _prepend_upscale(graph) -> None:
    """Turn the traced graph's float inputs ``y_up``, ``u_up``, ``v_up`` into the bilinear,
    rounded upscale of uint8 inputs ``y``, ``u``, ``v`` to ``size`` (chroma: half, rounded up)."""
    from onnx import TensorProto, helper

    *planes, size = INPUTS
    nodes = [
        helper.make_node("Constant", [], ["one_one"], value=helper.make_tensor("c", TensorProto.INT64, [2], [1, 1])),
        helper.make_node("Constant", [], ["one"], value=helper.make_tensor("c", TensorProto.INT64, [1], [1])),
        helper.make_node("Constant", [], ["two"], value=helper.make_tensor("c", TensorProto.INT64, [1], [2])),
        helper.make_node("Constant", [], ["half"], value=helper.make_tensor("c", TensorProto.FLOAT, [], [0.5])),
        helper.make_node("Concat", ["one_one", size], ["luma_sizes"], axis=0),
        helper.make_node("Add", [size, "one"], ["size_plus_one"]),
        helper.make_node("Div", ["size_plus_one", "two"], ["chroma_size"]),
        helper.make_node("Concat", ["one_one", "chroma_size"], ["chroma_sizes"], axis=0),
    ]
    for plane, sizes in zip(planes, ("luma_sizes", "chroma_sizes", "chroma_sizes"), strict=True):
        nodes += [
            helper.make_node("Cast", [plane], [f"{plane}_float"], to=TensorProto.FLOAT),
            helper.make_node(
                "Resize",
                [f"{plane}_float", "", "", sizes],
                [f"{plane}_resized"],
                mode="linear",
                coordinate_transformation_mode="half_pixel",
            ),
            helper.make_node("Add", [f"{plane}_resized", "half"], [f"{plane}_offset"]),
            helper.make_node("Floor", [f"{plane}_offset"], [f"{plane}_up"]),
        ]
    traced = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + traced)
    del graph.input[:]
    graph.input.extend(
        [
            helper.make_tensor_value_info(planes[0], TensorProto.UINT8, [1, 1, "height", "width"]),
            *(
                helper.make_tensor_value_info(name, TensorProto.UINT8, [1, 1, "chroma_height", "chroma_width"])
                for name in planes[1:]
            ),
            helper.make_tensor_value_info(size, TensorProto.INT64, [2]),
        ]
    )


def graph_upscale(planes: tuple[np.ndarray, ...], display: tuple[int, int]) -> list[torch.Tensor]:
    """The planes as the graph upscales them (ONNX Resize: bilinear, half-pixel, then rounded),
    to check the graph's network against PyTorch's. OpenCV's fixed-point bilinear, what the
    runtime shows, differs by a level here and there, which a sharpening network amplifies."""
    height, width = display
    chroma = ((height + 1) // 2, (width + 1) // 2)
    return [
        torch.floor(F.interpolate(torch.from_numpy(p[None, None]).float(), size=size, mode="bilinear") + 0.5)
        for p, size in zip(planes, (display, chroma, chroma), strict=True)
    ]


def export_i420(
    model: nn.Module, path: str | Path, check_size: tuple[int, int] = (48, 64), to_quantize: bool = False
) -> Path:
    """Write the fused luma ``model`` as the I420 graph (module docstring) with the frame graph's
    metadata, and check it: on a test frame received at ``check_size`` and shown at twice that,
    at least :data:`MATCH_SHARE` of its values are within 1/255 of PyTorch's on the planes
    upscaled as the graph does (:func:`graph_upscale`). Written under a temporary name and
    renamed once checked.

    For the small corrections a trained student makes, the result equals the RGB frame graph's
    on the frame a player shows, taken to I420, to within 2/255 on 99% of values (the tests
    check it); a large correction that pushes a colour channel out of range is clipped in Y
    here and per channel there. ``to_quantize`` writes the form INT8 quantization starts from
    (the student's ``space_to_depth`` stem, as for frame graphs)."""
    import onnx
    import onnxruntime as ort
    import onnxslim

    path = Path(path)
    model = model.eval()
    core = I420Correction(model, "space_to_depth" if to_quantize else "strided").eval()
    height, width = check_size
    display = (2 * height, 2 * width)
    y, u, v = (torch.zeros(1, 1, h, w) for h, w in [display, (height, width), (height, width)])
    with written_whole(path) as partial, tempfile.TemporaryDirectory() as scratch:
        traced = Path(scratch) / "core.onnx"
        dynamic = {"y_up": {2: "H", 3: "W"}, "u_up": {2: "CH", 3: "CW"}, "v_up": {2: "CH", 3: "CW"}}
        torch.onnx.export(
            core, (y, u, v), str(traced), input_names=["y_up", "u_up", "v_up"], output_names=["i420"],
            dynamic_axes={**dynamic, "i420": {0: "bytes"}}, opset_version=OPSET, dynamo=False,
        )  # fmt: skip
        graph = onnx.load(str(traced))
        _prepend_upscale(graph.graph)
        graph = onnxslim.slim(graph)
        save_graph(graph, frame_metadata(model), partial)
        session = ort.InferenceSession(str(partial), providers=["CPUExecutionProvider"])
        planes = i420_planes(rgb_to_i420(synthetic_frame(width, height)), width, height)
        got = session.run(None, i420_feeds(*planes, display))[0]
        with torch.no_grad():
            expected = core(*graph_upscale(planes, display)).numpy()
        share = share_within(got, expected)
        if share < MATCH_SHARE:
            raise CheckFailed(f"I420 export of {path.name}: only {share:.1%} of values within 1/255 of PyTorch")
    return path
