"""A thin ONNX Runtime session for image-to-image networks (NCHW float32, 0-255 scale)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort

from crispcall.degrade.checks import check_rgb


class OnnxRunner:
    """Runs an ONNX model whose input and output are float32 NCHW RGB on the 0-255 scale."""

    def __init__(self, path: str | Path, threads: int = 2):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def rgb_to_rgb(self, image: np.ndarray) -> np.ndarray:
        nchw = check_rgb(image).transpose(2, 0, 1)[None].astype(np.float32)
        (out,) = self.session.run(None, {self.input_name: nchw})
        return np.clip(out[0].transpose(1, 2, 0) + 0.5, 0, 255).astype(np.uint8)
