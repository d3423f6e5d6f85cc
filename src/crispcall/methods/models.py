"""Our own networks as registry methods: exported files run by :class:`crispcall.runtime.Sharpener`
(ONNX Runtime by default; no PyTorch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crispcall.methods.base import Method, MethodUnavailable
from crispcall.paths import weights_dir
from crispcall.runtime import Sharpener

# name -> file under the weights folder (the TFLite twin has the same stem)
MODEL_FILES = {
    "teacher": "teacher.onnx",
    "student": "student.onnx",
    "student-int8": "student-int8.onnx",
    "student-dense": "student-dense.onnx",
    "student-scratch": "student-scratch.onnx",
}


class ModelMethod(Method):
    """A same-size restorer: the degraded frame in, the restored frame out."""

    def __init__(self, name: str, path: Path, threads: int, backend: str | None = None):
        if not path.is_file():
            raise MethodUnavailable(f"method {name!r} needs {path} (see docs/models/)")
        self.name = name
        try:
            self.sharpener = Sharpener(path, backend, threads)
        except ImportError as error:
            raise MethodUnavailable(str(error)) from error
        self.macs_per_pixel, self.precision = self.sharpener.backend.macs_per_pixel, self.sharpener.backend.precision

    def run(self, image: np.ndarray) -> np.ndarray:
        return self.sharpener(image)


def create_model_method(name: str, threads: int, backend: str | None = None) -> Method:
    path = weights_dir() / MODEL_FILES[name]
    if backend == "tflite":
        path = path.with_suffix(".tflite")
    return ModelMethod(name if backend is None else f"{name}@{backend}", path, threads, backend)
