"""The I420 graph's inputs (``crispcall export --i420`` writes the graph; ``web/sharpen-worker.js``,
``crispcall bench`` and the tests feed it): the received frame's ``y``, ``u`` and ``v`` planes as
1 x 1 x h x w uint8 and the display ``size`` (height, width) as int64."""

from __future__ import annotations

from pathlib import Path

import numpy as np

INPUTS = ("y", "u", "v", "size")


def i420_feeds(y: np.ndarray, u: np.ndarray, v: np.ndarray, display: tuple[int, int]) -> dict[str, np.ndarray]:
    """The graph's feeds for one received frame's planes (2-D uint8) shown at ``display``
    (height, width)."""
    *planes, size = INPUTS
    feeds = {name: plane[None, None] for name, plane in zip(planes, (y, u, v), strict=True)}
    return feeds | {size: np.array(display, np.int64)}


def is_i420_graph(path: Path) -> bool:
    """Whether an ONNX file takes the I420 graph's inputs (other frame graphs take RGB)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return set(INPUTS) <= {i.name for i in session.get_inputs()}
