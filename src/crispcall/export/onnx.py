"""ONNX export of a same-size restoration network, verified against PyTorch after writing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

OPSET = 17


class ByteScale(nn.Module):
    """Wraps a [0, 1] network so the graph takes and gives float32 RGB on the 0-255 scale,
    the convention of :class:`crispcall.methods.onnx_runner.OnnxRunner`."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x / 255.0) * 255.0


def export_onnx(model: nn.Module, path: str | Path, check_size: tuple[int, int] = (64, 96)) -> Path:
    """Write ``model`` (eval mode) as ONNX with dynamic height and width, then run the file
    with ONNX Runtime on a random frame and require it to match PyTorch to 1e-3 (0-255 scale).
    The file is written under a temporary name and renamed only once verified."""
    import onnxruntime as ort

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    wrapped = ByteScale(model.eval()).eval()
    example = torch.rand(1, 3, *check_size) * 255
    try:
        torch.onnx.export(
            wrapped,
            (example,),
            str(partial),
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}},
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and gives a plain graph
        )
        with torch.no_grad():
            expected = wrapped(example).numpy()
        session = ort.InferenceSession(str(partial), providers=["CPUExecutionProvider"])
        (got,) = session.run(None, {"input": example.numpy()})
        error = float(np.max(np.abs(got - expected)))
        if error > 1e-3:
            raise RuntimeError(f"ONNX export of {path.name} differs from PyTorch by {error:.2e}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
