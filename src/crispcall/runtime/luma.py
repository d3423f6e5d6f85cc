"""The luma graph (``crispcall export --luma``): a luma student's network alone, for RGB frames
on the native runtime. Its input ``luma`` is the frame's BT.601 luma (1 x 1 x H x W uint8,
what OpenCV's RGB-to-grey conversion gives); its output ``correction`` (same shape, uint8) is
the correction in levels plus :data:`OFFSET`, rounded and saturated: -128 to +127 levels, one
``QuantizeLinear`` in the FP32 graph and, in the INT8 one, the last layer's own uint8 output
(its quantization fixed to that scale and offset). OpenCV does the colour work around it, on
uint8 with saturation: the correction's positive part (``correction - 128``) added to R, G and
B alike, its negative part (``128 - correction``) taken away, which is the frame graph's
``clip(frame + correction)`` (one part is 0 wherever the other is not). The frame graph does
that work in float inside ONNX Runtime, a pass or more over every value of the frame for each
step; here it costs about a millisecond at 1080p.

A frame graph's luma graph is kept beside it as its twin (:func:`luma_twin`); the runtime's
:class:`~crispcall.runtime.Sharpener` runs the twin when there is one.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

INPUT = "luma"
OUTPUT = "correction"
OFFSET = 128  # the code of a zero correction


def luma_twin(path: Path) -> Path:
    """Where the luma graph of a frame graph is kept: ``<stem>-luma.onnx`` beside it."""
    return path.with_name(f"{path.stem}-luma.onnx")


def takes_luma(session) -> bool:
    """Whether an ONNX Runtime session's graph is a luma graph."""
    return [i.name for i in session.get_inputs()] == [INPUT] and [o.name for o in session.get_outputs()] == [OUTPUT]


def luma_feeds(frame: np.ndarray) -> dict[str, np.ndarray]:
    """The luma graph's feed for one H x W x 3 uint8 RGB frame."""
    return {INPUT: cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[None, None]}


def correction_parts(correction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The correction's positive and negative parts (H x W uint8: ``lift`` and ``drop``) from
    a luma graph's output (1 x 1 x H x W), by two saturating subtractions."""
    plane = correction[0, 0]
    return cv2.subtract(plane, OFFSET), cv2.subtract(OFFSET, plane)


def signed_correction(correction: np.ndarray) -> np.ndarray:
    """A luma graph's output as the correction in levels (int16)."""
    return correction.astype(np.int16) - OFFSET


def apply_correction(
    frame: np.ndarray, lift: np.ndarray, drop: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """``frame`` (H x W x 3 uint8) with the correction's parts (H x W uint8) added to and taken
    from R, G and B alike, saturating; written into ``out`` when given."""
    out = np.empty_like(frame) if out is None else out
    cv2.add(frame, cv2.cvtColor(lift, cv2.COLOR_GRAY2RGB), dst=out)
    return cv2.subtract(out, cv2.cvtColor(drop, cv2.COLOR_GRAY2RGB), dst=out)


def run_luma(session, frame: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A luma graph's ONNX Runtime ``session`` on one RGB frame: the sharpened frame."""
    [correction] = session.run([OUTPUT], luma_feeds(frame))
    return apply_correction(frame, *correction_parts(correction), out)
