"""Our own networks as registry methods: exported files run by :class:`crispcall.runtime.Sharpener`
(ONNX Runtime by default; no PyTorch)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from crispcall.degrade.presets import Degraded
from crispcall.methods.base import Method, MethodUnavailable
from crispcall.paths import weights_dir
from crispcall.runtime import Sharpener
from crispcall.runtime.i420 import I420Sharpener, i420_twin
from crispcall.sysinfo import cpu_flags

# name -> file under the weights folder (the TFLite twin has the same stem)
MODEL_FILES = {
    "teacher": "teacher.onnx",
    "student": "student.onnx",
    "student-int8": "student-int8.onnx",
    "student-int8-avx2": "student-int8-avx2.onnx",
    "student-lite": "student-lite.onnx",
    "student-web": "student-web.onnx",
    "student-dense": "student-dense.onnx",
    "student-scratch": "student-scratch.onnx",
}


# CPU flags under which ONNX Runtime's INT8 convolutions take the VNNI or AMX kernels: several times
# the speed of AVX2's alone (session 60: 104-159 GMAC/s on an AVX2 EPYC, about 1,000 on an AMX Xeon).
INT8_DOT_PRODUCT_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")


def default_model(backend: str | None = None, flags: list[str] | None = None) -> str:
    """The registry name of the default restorer on ``backend`` (None: ONNX Runtime) on a CPU with
    ``flags`` (default: this one's, :func:`crispcall.sysinfo.cpu_flags`): ``student-int8``, or on
    ONNX Runtime on x86 CPUs with AVX2 but no VNNI or AMX, where that file is slower than issue
    15's speed budget, ``student-int8-avx2`` (four mixed blocks: 6.3 GMAC a 1080p frame against
    10.6)."""
    flags = cpu_flags() if flags is None else flags
    avx2_alone = "avx2" in flags and not set(INT8_DOT_PRODUCT_FLAGS) & set(flags)
    return "student-int8-avx2" if avx2_alone and backend in (None, "onnxruntime") else "student-int8"


def call_scale_twin(path: Path, call_scale: int) -> Path:
    """Where an enlarger's twin for calls at another scale is kept: ``<stem>-x<scale>.onnx``
    beside it (``teacher-x3.onnx``: the teacher's twin for calls that arrive at a third of the
    display size, an x2 or an x3 network; an x2 one's output is resized as every x2 peer's is)."""
    return path.with_name(f"{path.stem}-x{call_scale}{path.suffix}")


class ModelMethod(Method):
    """One of our exported networks: a same-size restorer (the upscaled frame in, a frame of
    that size out), or, when the file states a scale, an enlarger of the received frame. On
    ONNX Runtime, RGB frames go through the file's luma twin when it has one (the
    :class:`~crispcall.runtime.Sharpener` default), and a same-size file with an I420 twin
    (:func:`~crispcall.runtime.i420.i420_twin`) also runs on decoded planes through it. An
    enlarger with twins for other call scales (:func:`call_scale_twin`) runs the twin of a
    frame's scale in :meth:`restore`."""

    def __init__(self, name: str, path: Path, threads: int, backend_name: str | None = None):
        if not path.is_file():
            raise MethodUnavailable(f"method {name!r} needs {path} (see docs/models/)")
        self.name = name
        try:
            self.sharpener = Sharpener(path, backend_name, threads)
        except ImportError as error:
            raise MethodUnavailable(str(error)) from error
        backend, self.graph = self.sharpener.backend, str(self.sharpener.model)
        self.macs_per_pixel, self.precision, self.scale = backend.macs_per_pixel, backend.precision, backend.scale
        self.low_input = self.scale > 1
        twin = i420_twin(path)
        has_twin = twin.is_file() and backend_name in (None, "onnxruntime") and not self.low_input
        self._twin, self._threads = (twin if has_twin else None), threads
        self._backend_name = backend_name
        self._scale_twins: dict[int, Sharpener | None] = {}

    def _scale_twin(self, call_scale: int) -> Sharpener | None:
        """The runner of this enlarger's twin for calls at ``call_scale``, loaded on first use;
        None where it has none."""
        if call_scale not in self._scale_twins:
            twin = call_scale_twin(Path(self.sharpener.model), call_scale)
            found = twin.is_file()
            self._scale_twins[call_scale] = Sharpener(twin, self._backend_name, self._threads) if found else None
        return self._scale_twins[call_scale]

    @functools.cached_property
    def i420(self) -> I420Sharpener | None:
        """The I420 twin's runner, loaded on first use (crispcall video, bench --planes), not by
        every method an eval creates."""
        return None if self._twin is None else I420Sharpener(self._twin, self._threads)

    def run(self, image: np.ndarray) -> np.ndarray:
        return self.sharpener(image)

    def restore(self, degraded: Degraded) -> np.ndarray:
        twin = self._scale_twin(degraded.scale) if self.low_input and degraded.scale != self.scale else None
        return super().restore(degraded) if twin is None else degraded.shown(twin(degraded.low))


def create_model_method(name: str, threads: int, backend: str | None = None) -> Method:
    path = weights_dir() / MODEL_FILES[name]
    if backend == "tflite":
        path = path.with_suffix(".tflite")
    return ModelMethod(name if backend is None else f"{name}@{backend}", path, threads, backend)
