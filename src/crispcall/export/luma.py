"""The luma graph of a luma student (``crispcall export --luma``; :mod:`crispcall.runtime.luma`
says what it takes and gives): the network alone, uint8 luma in, the correction out as uint8
codes offset by 128.

The input's 1/255 is folded into the head's weights and the output's 255 into the last
convolution's, so the graph holds no full-resolution float work but the cast in and one
``QuantizeLinear`` out (saturating, rounding). Its INT8 form has none at all: the uint8 luma
feeds the quantized stem directly and the last layer's uint8 output is the graph's
(:func:`crispcall.quant.ptq.quantize_onnx` fixes both ends' quantization to match).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from torch import nn

from crispcall.data.scene import synthetic_frame
from crispcall.errors import CheckFailed
from crispcall.export.onnx import MATCH_SHARE, OPSET, frame_metadata, require_luma, save_graph
from crispcall.files import written_whole
from crispcall.metrics.quality import share_within
from crispcall.runtime.luma import INPUT, OFFSET, OUTPUT, luma_feeds, signed_correction


class LumaLevels(nn.Module):
    """A fused luma student on uint8 luma (1 x 1 x H x W): its correction in levels (float)."""

    def __init__(self, student: nn.Module, stem: str = "strided"):
        super().__init__()
        require_luma(student, "luma graph")
        student = copy.deepcopy(student).fuse()
        last = student.last
        with torch.no_grad():
            student.head.weight /= 255.0
            last.weight *= 255.0
            last.bias *= 255.0
        self.student, self.stem = student, stem

    def forward(self, luma: torch.Tensor) -> torch.Tensor:
        return self.student.correction(luma.float(), self.stem)[0]


def _append_offset(graph) -> None:
    """Turn the traced graph's float output ``levels`` into the uint8 output ``correction``:
    rounded, offset by :data:`~crispcall.runtime.luma.OFFSET` and saturated."""
    from onnx import TensorProto, helper

    graph.node.extend(
        [
            helper.make_node(
                "Constant", [], ["unit_scale"], value=helper.make_tensor("s", TensorProto.FLOAT, [], [1.0])
            ),
            helper.make_node(
                "Constant", [], ["offset"], value=helper.make_tensor("z", TensorProto.UINT8, [], [OFFSET])
            ),
            helper.make_node("QuantizeLinear", ["levels", "unit_scale", "offset"], [OUTPUT]),
        ]
    )
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info(OUTPUT, TensorProto.UINT8, [1, 1, "height", "width"]))


def export_luma(
    model: nn.Module, path: str | Path, check_size: tuple[int, int] = (64, 96), to_quantize: bool = False
) -> Path:
    """Write the luma ``model`` as its luma graph with the frame graph's metadata, and check it:
    on a test frame, at least :data:`MATCH_SHARE` of its correction within 1 level of PyTorch's.
    Written under a temporary name and renamed once checked. ``to_quantize`` writes the form
    INT8 quantization starts from (the student's ``space_to_depth`` stem)."""
    import onnx
    import onnxruntime as ort
    import onnxslim

    path = Path(path)
    model = model.eval()
    levels = LumaLevels(model, "space_to_depth" if to_quantize else "strided").eval()
    height, width = check_size
    with written_whole(path) as partial:
        torch.onnx.export(
            levels, (torch.zeros(1, 1, height, width, dtype=torch.uint8),), str(partial), input_names=[INPUT],
            output_names=["levels"], dynamic_axes={name: {2: "height", 3: "width"} for name in (INPUT, "levels")},
            opset_version=OPSET, dynamo=False,
        )  # fmt: skip
        graph = onnxslim.slim(onnx.load(str(partial)))
        _append_offset(graph.graph)
        save_graph(graph, frame_metadata(model), partial)
        session = ort.InferenceSession(str(partial), providers=["CPUExecutionProvider"])
        feeds = luma_feeds(synthetic_frame(width, height))
        [got] = session.run([OUTPUT], feeds)
        with torch.no_grad():
            expected = np.clip(np.round(levels(torch.from_numpy(feeds[INPUT])).numpy()), -OFFSET, 255 - OFFSET)
        share = share_within(signed_correction(got), expected.astype(np.int16))
        if share < MATCH_SHARE:
            raise CheckFailed(f"luma export of {path.name}: only {share:.1%} of levels within 1 of PyTorch")
    return path
