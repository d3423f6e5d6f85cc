"""ONNX export of a same-size restoration network, verified against PyTorch after writing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from crispcall.bench.runner import bench_frame

OPSET = 17
TOLERANCE = 0.01  # on the 0-255 scale: float32 reordering in deep nets reaches ~2e-3


class ByteScale(nn.Module):
    """Wraps a network that works on RGB in [0, ``value_range``] so the graph takes and gives
    float32 RGB on the 0-255 scale, the convention of
    :class:`crispcall.methods.onnx_runner.OnnxRunner`."""

    def __init__(self, net: nn.Module, value_range: float = 1.0):
        super().__init__()
        self.net, self.factor = net, value_range / 255.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x * self.factor) / self.factor


def export_onnx(
    model: nn.Module, path: str | Path, value_range: float = 1.0, check_size: tuple[int, int] = (64, 96)
) -> Path:
    """Write ``model`` (eval mode) as ONNX with dynamic height and width, then run the file
    with ONNX Runtime on a test frame and require it to match PyTorch to within
    :data:`TOLERANCE` (0-255 scale).
    The file is written under a temporary name and renamed only once verified."""
    import onnxruntime as ort

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    wrapped = ByteScale(model.eval(), value_range).eval()
    # A natural-looking frame, not uniform noise: some published peers (PAN) blow up on noise.
    frame = bench_frame(check_size[1], check_size[0])
    example = torch.from_numpy(frame).permute(2, 0, 1)[None].float()
    try:
        torch.onnx.export(
            wrapped,
            (example,),
            str(partial),
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "out_height", 3: "out_width"}},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and gives a plain graph
        )
        with torch.no_grad():
            expected = wrapped(example).numpy()
        session = ort.InferenceSession(str(partial), providers=["CPUExecutionProvider"])
        (got,) = session.run(None, {"input": example.numpy()})
        error = float(np.max(np.abs(got - expected)))
        if error > TOLERANCE:
            raise RuntimeError(f"ONNX export of {path.name} differs from PyTorch by {error:.2e}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
