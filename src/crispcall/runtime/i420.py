"""The I420 graph's inputs (``crispcall export --i420`` writes the graph; ``web/sharpen-worker.js``,
``crispcall bench``, ``crispcall video`` and the tests feed it): the received frame's ``y``, ``u``
and ``v`` planes as 1 x 1 x h x w uint8 and the display ``size`` (height, width) as int64.

:class:`I420Sharpener` runs it natively on a decoded frame at its own size: the planes a decoder
hands out go in and come out as an encoder takes them, with no RGB on the way (the colour
conversions both ways and the RGB work of the frame graph are skipped; chroma is passed on
untouched)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crispcall.degrade.yuv import i420_planes, rgb_to_i420
from crispcall.errors import InputError

INPUTS = ("y", "u", "v", "size")


def i420_feeds(y: np.ndarray, u: np.ndarray, v: np.ndarray, display: tuple[int, int]) -> dict[str, np.ndarray]:
    """The graph's feeds for one received frame's planes (2-D uint8) shown at ``display``
    (height, width)."""
    *planes, size = INPUTS
    feeds = {name: plane[None, None] for name, plane in zip(planes, (y, u, v), strict=True)}
    return feeds | {size: np.array(display, np.int64)}


def same_size_feeds(frame: np.ndarray) -> dict[str, np.ndarray]:
    """The graph's feeds for an RGB frame (even sides) taken to I420 and shown at its own size
    (what ``crispcall video`` runs)."""
    height, width = frame.shape[:2]
    return i420_feeds(*i420_planes(rgb_to_i420(frame), width, height), (height, width))


def takes_i420(session) -> bool:
    """Whether an ONNX Runtime session's graph takes the I420 graph's inputs (other frame
    graphs take RGB)."""
    return set(INPUTS) <= {i.name for i in session.get_inputs()}


def is_i420_graph(path: Path) -> bool:
    """Whether an ONNX file is an I420 graph (:func:`takes_i420`)."""
    import onnxruntime as ort

    return takes_i420(ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]))


def i420_twin(path: Path) -> Path:
    """Where the I420 graph of an RGB frame graph is kept: ``<stem>-i420.onnx`` beside it."""
    return path.with_name(f"{path.stem}-i420.onnx")


class I420Sharpener:
    """An I420 graph on decoded frames shown at their own size.

    Args:
        path: an ``.onnx`` file from ``crispcall export --i420``.
        threads: ONNX Runtime's intra-op threads.

    Call it with a yuv420p frame as one H * 3 / 2 x W uint8 array (Y, then U, then V: what PyAV's
    ``to_ndarray(format="yuv420p")`` gives and ``VideoFrame.from_ndarray`` takes); H and W must
    be multiples of :attr:`multiple` (:meth:`fits`)."""

    def __init__(self, path: Path, threads: int):
        import onnxruntime as ort

        from crispcall.runtime.backends import onnx_metadata, session_options
        from crispcall.runtime.metadata import SIZE_MULTIPLE_KEY

        self.session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])
        if not takes_i420(self.session):
            raise InputError(f"{path} is not an I420 graph (crispcall export --i420)")
        self.multiple = int(onnx_metadata(path).get(SIZE_MULTIPLE_KEY, 1))

    def fits(self, height: int, width: int) -> bool:
        """Whether frames of this size can run (sides multiples of the network's, so even too)."""
        step = max(self.multiple, 2)
        return height % step == 0 and width % step == 0

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        rows, width = frame.shape
        height = rows * 2 // 3
        if frame.dtype != np.uint8 or rows * 2 % 3 or not self.fits(height, width):
            raise InputError(f"need a uint8 yuv420p frame with sides multiples of {self.multiple}, got {frame.shape}")
        planes = i420_planes(frame.reshape(-1), width, height)
        return self.session.run(None, i420_feeds(*planes, (height, width)))[0].reshape(rows, width)
