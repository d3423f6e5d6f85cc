"""Our own networks as registry methods: ONNX files run by ONNX Runtime (no PyTorch)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from crispcall.degrade.checks import check_rgb
from crispcall.degrade.ops import pad_to_even
from crispcall.methods.base import Method, MethodUnavailable
from crispcall.methods.onnx_runner import OnnxRunner

# name -> file under the weights folder
MODEL_FILES = {"teacher": "teacher.onnx"}


def weights_dir() -> Path:
    """``$CRISPCALL_WEIGHTS``, else the repository's ``weights/`` beside ``src/``."""
    env = os.environ.get("CRISPCALL_WEIGHTS")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "weights"


class OnnxModelMethod(Method):
    """A same-size restorer: the degraded frame in, the restored frame out (odd sides padded)."""

    def __init__(self, name: str, path: Path, threads: int):
        if not path.is_file():
            raise MethodUnavailable(f"method {name!r} needs {path} (see docs/models/{name}.md)")
        self.name = name
        self.runner = OnnxRunner(path, threads)

    def run(self, image: np.ndarray) -> np.ndarray:
        height, width = check_rgb(image).shape[:2]
        return self.runner.rgb_to_rgb(pad_to_even(image))[:height, :width]


def create_model_method(name: str, threads: int) -> Method:
    return OnnxModelMethod(name, weights_dir() / MODEL_FILES[name], threads)
