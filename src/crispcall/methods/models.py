"""Our own networks as registry methods: ONNX files run by ONNX Runtime (no PyTorch)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from crispcall.degrade.checks import check_rgb
from crispcall.degrade.ops import pad_to_multiple
from crispcall.methods.base import Method, MethodUnavailable
from crispcall.methods.onnx_runner import OnnxRunner

# name -> file under the weights folder
MODEL_FILES = {"teacher": "teacher.onnx", "student": "student.onnx", "student-scratch": "student-scratch.onnx"}
# Our networks take sides divisible by their pixel-unshuffle factor (2 or 4).
SIZE_MULTIPLE = 4


def weights_dir() -> Path:
    """``$CRISPCALL_WEIGHTS``, else the repository's ``weights/`` beside ``src/``."""
    env = os.environ.get("CRISPCALL_WEIGHTS")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "weights"


class OnnxModelMethod(Method):
    """A same-size restorer: the degraded frame in, the restored frame out (sides padded to
    :data:`SIZE_MULTIPLE` and cropped back)."""

    def __init__(self, name: str, path: Path, threads: int):
        if not path.is_file():
            raise MethodUnavailable(f"method {name!r} needs {path} (see docs/models/{name}.md)")
        self.name = name
        self.runner = OnnxRunner(path, threads)

    def run(self, image: np.ndarray) -> np.ndarray:
        height, width = check_rgb(image).shape[:2]
        return self.runner.rgb_to_rgb(pad_to_multiple(image, SIZE_MULTIPLE))[:height, :width]


def create_model_method(name: str, threads: int) -> Method:
    return OnnxModelMethod(name, weights_dir() / MODEL_FILES[name], threads)
