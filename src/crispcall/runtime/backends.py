"""Inference backends for exported frame graphs: uint8 1 x H x W x 3 in, uint8 out.

ONNX Runtime is the default and needs nothing beyond the base install; it also runs a luma
student's luma graph (:mod:`crispcall.runtime.luma`), with OpenCV doing the colour work around
it. OpenVINO (extra ``openvino``) reads the same ONNX frame graphs; TFLite files (extra
``tflite``) run in the LiteRT interpreter with XNNPACK. A TFLite graph has a fixed frame size
(litert-torch exports static shapes), which :attr:`Backend.fixed_size` states so that the
caller tiles to it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from crispcall.errors import InputError
from crispcall.runtime.luma import run_luma, takes_luma
from crispcall.runtime.metadata import MACS_KEY, PRECISION_KEY, RADIUS_KEY, SCALE_KEY, SIZE_MULTIPLE_KEY

BACKENDS = ("onnxruntime", "openvino", "tflite")


class Backend:
    """One loaded model. ``size_multiple``: the sides it needs; ``radius``: its receptive
    radius in input pixels (``None``: global, tiles cannot be exact); ``fixed_size``: the
    (height, width) every call must have, or ``None`` for any size; ``macs_per_pixel``: its
    convolution MACs per input pixel (``None`` when the file does not say); ``precision``:
    ``fp32`` or ``int8``; ``scale``: output side over input side (2 for an x2 network);
    ``luma``: the file is a luma graph (:mod:`crispcall.runtime.luma`), run on RGB frames all
    the same."""

    size_multiple: int = 1
    radius: int | None = None
    fixed_size: tuple[int, int] | None = None
    macs_per_pixel: float | None = None
    precision: str = "fp32"
    scale: int = 1
    luma: bool = False

    def run(self, batch: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``batch``: 1 x H x W x 3 uint8, C-contiguous. Writes into ``out`` when given."""
        raise NotImplementedError


def _read_metadata(backend: Backend, metadata: dict[str, str]) -> None:
    backend.size_multiple = int(metadata.get(SIZE_MULTIPLE_KEY, 1))
    radius = metadata.get(RADIUS_KEY)
    backend.radius = int(radius) if radius is not None else None
    macs = metadata.get(MACS_KEY)
    backend.macs_per_pixel = float(macs) if macs is not None else None
    backend.precision = metadata.get(PRECISION_KEY, "fp32")
    backend.scale = int(metadata.get(SCALE_KEY, 1))


def _check_frame_graph(path: Path, dtype: str, shape: list) -> None:
    if dtype not in ("tensor(uint8)", "uint8") or len(shape) != 4 or shape[-1] != 3:
        raise InputError(
            f"{path} is not a frame graph (uint8 1 x H x W x 3 input; got {dtype} {shape}): "
            "export it with `crispcall export`"
        )


def onnx_metadata(path: Path) -> dict[str, str]:
    """The custom metadata of an ONNX file."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.get_modelmeta().custom_metadata_map


@functools.cache
def _register_shared_cpu_arena() -> None:
    import onnxruntime as ort

    info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
    ort.create_and_register_allocator(info, ort.OrtArenaCfg(0, -1, -1, -1))  # ONNX Runtime's defaults


def session_options(threads: int):
    """ONNX Runtime's options for a frame graph: every graph optimisation, ``threads`` for
    each operator, operators one after the other (a frame graph is a chain), and one CPU arena
    for all sessions of the process: each session's own arena would keep the memory of its
    largest frame, and ``crispcall eval`` holds many models, which then kept the sum of their
    peaks rather than about the largest one (docs/RESULTS.md, session 41)."""
    import onnxruntime as ort

    _register_shared_cpu_arena()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.use_env_allocators", "1")
    return options


def _not_a_model(path: Path, backend: str, error: Exception) -> InputError:
    return InputError(f"{path} is not a model {backend} can load: {str(error).strip().splitlines()[-1]}")


class OnnxRuntimeBackend(Backend):
    def __init__(self, path: Path, threads: int):
        import onnxruntime as ort
        from onnxruntime.capi import onnxruntime_pybind11_state as state

        try:
            self.session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])
        except (state.InvalidProtobuf, state.InvalidGraph, state.Fail, state.NotImplemented) as error:
            raise _not_a_model(path, "ONNX Runtime", error) from error
        graph_input = self.session.get_inputs()[0]
        self.luma = takes_luma(self.session)
        if not self.luma:
            _check_frame_graph(path, graph_input.type, graph_input.shape)
        self.input_name, self.output_name = graph_input.name, self.session.get_outputs()[0].name
        _read_metadata(self, self.session.get_modelmeta().custom_metadata_map)

    def run(self, batch: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if self.luma:
            return run_luma(self.session, batch[0], None if out is None else out[0])[None]
        if out is None:
            return self.session.run([self.output_name], {self.input_name: batch})[0]
        # Bind both ends to the caller's arrays: no copy in or out of the session.
        binding = self.session.io_binding()
        binding.bind_cpu_input(self.input_name, batch)
        binding.bind_output(self.output_name, "cpu", 0, np.uint8, out.shape, out.ctypes.data)
        self.session.run_with_iobinding(binding)
        return out


class OpenVinoBackend(Backend):
    def __init__(self, path: Path, threads: int):
        try:
            import openvino as ov
        except ImportError as error:
            raise ImportError("the openvino backend needs: pip install 'crispcall[openvino]'") from error
        core = ov.Core()
        try:
            model = core.read_model(str(path))
        except RuntimeError as error:
            raise _not_a_model(path, "OpenVINO", error) from error
        graph_input = model.inputs[0]
        dtype = "uint8" if graph_input.element_type == ov.Type.u8 else str(graph_input.element_type)
        shape = [dim.get_length() if dim.is_static else None for dim in graph_input.partial_shape]
        _check_frame_graph(path, dtype, shape)
        # OpenVINO does not surface ONNX metadata_props; ONNX Runtime (a base dependency) does.
        _read_metadata(self, onnx_metadata(path))
        # f32 explicitly: on CPUs with bf16 or fp16 units OpenVINO would otherwise lower precision.
        config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"}
        self.request = core.compile_model(model, "CPU", config).create_infer_request()

    def run(self, batch: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        result = self.request.infer({0: batch}, share_inputs=True)[0]
        if out is None:
            return result
        out[...] = result
        return out


def tflite_sidecar(path: Path) -> Path:
    """The JSON beside a ``.tflite`` file with what its flatbuffer does not carry."""
    return path.with_name(path.name + ".json")


class TfliteBackend(Backend):
    def __init__(self, path: Path, threads: int):
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as error:
            raise ImportError("the tflite backend needs: pip install 'crispcall[tflite]'") from error
        try:
            self.interpreter = Interpreter(str(path), num_threads=threads)
        except ValueError as error:
            raise _not_a_model(path, "LiteRT", error) from error
        self.interpreter.allocate_tensors()
        details = self.interpreter.get_input_details()[0]
        _check_frame_graph(path, np.dtype(details["dtype"]).name, list(details["shape"]))
        self.input_index = details["index"]
        self.output_index = self.interpreter.get_output_details()[0]["index"]
        self.fixed_size = (int(details["shape"][1]), int(details["shape"][2]))
        sidecar = tflite_sidecar(path)
        _read_metadata(self, json.loads(sidecar.read_text()) if sidecar.is_file() else {})

    def run(self, batch: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        self.interpreter.set_tensor(self.input_index, batch)
        self.interpreter.invoke()
        result = self.interpreter.get_tensor(self.output_index)
        if out is None:
            return result
        out[...] = result
        return out


def load_backend(path: str | Path, backend: str | None = None, threads: int = 2) -> Backend:
    """Load ``path`` with ``backend`` (default: ``tflite`` for ``.tflite`` files, else
    ``onnxruntime``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such model file: {path}")
    if backend is None:
        backend = "tflite" if path.suffix == ".tflite" else "onnxruntime"
    if backend not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
    if (backend == "tflite") != (path.suffix == ".tflite"):
        raise InputError(f"backend {backend} cannot run {path.name}")
    if threads < 1:
        raise InputError(f"threads must be >= 1, got {threads}")
    kind = {"onnxruntime": OnnxRuntimeBackend, "openvino": OpenVinoBackend, "tflite": TfliteBackend}[backend]
    return kind(path, threads)
