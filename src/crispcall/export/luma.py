"""The luma graph of a luma student (``crispcall export --luma``; :mod:`crispcall.runtime.luma`
says what it takes and gives): the network alone, uint8 luma in, the correction's positive and
negative parts out as uint8 levels.

The input's 1/255 is folded into the head's weights and the output's 255 into the last
convolution's, so the graph holds no full-resolution float work but the cast in and the two
``QuantizeLinear`` nodes out (saturating, rounding: each part in one pass). Its INT8 form
(:func:`code_parts`) has none at all: the uint8 luma feeds the quantized stem directly and the
last layer's uint8 output leaves as it is, with the tables that decode it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from torch import nn

from crispcall.data.scene import synthetic_frame
from crispcall.errors import CheckFailed
from crispcall.export.onnx import MATCH_SHARE, OPSET, frame_metadata, require_luma, save_graph, share_within
from crispcall.files import written_whole
from crispcall.quant.ptq import drop_unused
from crispcall.runtime.luma import CODED_OUTPUTS, INPUT, OUTPUTS, correction_parts, luma_feeds, signed_correction


class LumaLevels(nn.Module):
    """A fused luma student on uint8 luma (1 x 1 x H x W): its correction in levels (float)."""

    def __init__(self, student: nn.Module, stem: str = "strided"):
        super().__init__()
        require_luma(student, "luma graph")
        student = copy.deepcopy(student).fuse()
        last = student.refine if student.refine is not None else student.tail
        with torch.no_grad():
            student.head.weight /= 255.0
            last.weight *= 255.0
            last.bias *= 255.0
        self.student, self.stem = student, stem

    def forward(self, luma: torch.Tensor) -> torch.Tensor:
        return self.student.correction(luma.float(), self.stem)[0]


def _append_parts(graph) -> None:
    """Turn the traced graph's float output ``levels`` into its rounded, saturated positive and
    negative parts as uint8 outputs ``lift`` and ``drop``."""
    from onnx import TensorProto, helper

    lift, drop = OUTPUTS
    unit = [
        helper.make_node("Constant", [], ["unit_scale"], value=helper.make_tensor("s", TensorProto.FLOAT, [], [1.0])),
        helper.make_node("Constant", [], ["unit_zero"], value=helper.make_tensor("z", TensorProto.UINT8, [], [0])),
        helper.make_node("QuantizeLinear", ["levels", "unit_scale", "unit_zero"], [lift]),
        helper.make_node("Neg", ["levels"], ["negated"]),
        helper.make_node("QuantizeLinear", ["negated", "unit_scale", "unit_zero"], [drop]),
    ]
    graph.node.extend(unit)
    del graph.output[:]
    graph.output.extend(
        helper.make_tensor_value_info(name, TensorProto.UINT8, [1, 1, "height", "width"]) for name in OUTPUTS
    )


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
        _append_parts(graph.graph)
        save_graph(graph, frame_metadata(model), partial)
        session = ort.InferenceSession(str(partial), providers=["CPUExecutionProvider"])
        feeds = luma_feeds(synthetic_frame(width, height))
        got = signed_correction(*session.run(list(OUTPUTS), feeds))
        with torch.no_grad():
            expected = np.clip(np.round(levels(torch.from_numpy(feeds[INPUT])).numpy()), -255, 255)
        share = share_within(got, expected.astype(np.int16))
        if share < MATCH_SHARE:
            raise CheckFailed(f"luma export of {path.name}: only {share:.1%} of levels within 1 of PyTorch")
    return path


def code_parts(path: str | Path, check_size: tuple[int, int] = (64, 96)) -> Path:
    """Rewrite the INT8 luma graph at ``path`` (QDQ, as :func:`~crispcall.quant.ptq.quantize_onnx`
    writes it) to give its correction coded (:data:`~crispcall.runtime.luma.CODED_OUTPUTS`):
    the uint8 levels its last quantization makes, and two 256-entry tables that map each code
    to the ``lift`` and ``drop`` the graph computed from it (dequantize, negate, quantize at unit
    scale). Checked on a test frame: the parts must be the same to the level."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    path = Path(path)
    model = onnx.load(str(path))
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    values = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    values |= {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant"}
    # lift = Q(DQ(codes)) and drop = Q(Neg(DQ(codes))), at unit scale
    unit_lift = producer[OUTPUTS[0]]
    dequantize = producer[unit_lift.input[0]]
    if unit_lift.op_type != "QuantizeLinear" or dequantize.op_type != "DequantizeLinear":
        raise CheckFailed(f"{path.name} is not an INT8 luma graph (its lift is not requantized levels)")
    codes, scale, zero = dequantize.input[0], values[dequantize.input[1]], values[dequantize.input[2]]
    levels = (np.arange(256, dtype=np.float32) - np.float32(zero)) * np.float32(scale)
    tables = {
        "lift_table": np.clip(np.rint(levels), 0, 255).astype(np.uint8),
        "drop_table": np.clip(np.rint(-levels), 0, 255).astype(np.uint8),
    }
    # Basic optimizations only: ONNX Runtime 1.30's QDQ clean-up breaks this graph where the
    # levels' quantization happens to be the unit one (an untrained, all-positive tail).
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    reference = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    after_codes = {dequantize.output[0]}  # the nodes that decode the codes in the graph
    for node in graph.node:
        if any(name in after_codes for name in node.input):
            after_codes.update(node.output)
    kept = [n for n in graph.node if not set(n.output) & after_codes]
    for node in kept:  # the codes leave under their name, with no copy
        node.input[:] = [CODED_OUTPUTS[0] if name == codes else name for name in node.input]
        node.output[:] = [CODED_OUTPUTS[0] if name == codes else name for name in node.output]
    kept += [
        helper.make_node("Constant", [], [name], value=numpy_helper.from_array(table, name))
        for name, table in tables.items()
    ]
    del graph.node[:]
    graph.node.extend(kept)
    del graph.output[:]
    graph.output.extend(
        [
            helper.make_tensor_value_info(CODED_OUTPUTS[0], TensorProto.UINT8, [1, 1, "height", "width"]),
            *(helper.make_tensor_value_info(name, TensorProto.UINT8, [256]) for name in tables),
        ]
    )
    drop_unused(graph)
    height, width = check_size
    feeds = luma_feeds(synthetic_frame(width, height))
    expected = reference.run(list(OUTPUTS), feeds)
    with written_whole(path) as partial:
        onnx.save(model, str(partial))
        got = correction_parts(ort.InferenceSession(str(partial), providers=["CPUExecutionProvider"]).run(None, feeds))
        if not all(np.array_equal(g, e[0, 0]) for g, e in zip(got, expected, strict=True)):
            raise CheckFailed(f"coding the parts of {path.name} changed them")
    return path
