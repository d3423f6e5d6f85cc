"""The luma graph (``crispcall export --luma``): a luma student's network alone, for RGB frames
on the native runtime. Its input ``luma`` is the frame's BT.601 luma (1 x 1 x H x W uint8,
what OpenCV's RGB-to-grey conversion gives); its outputs ``lift`` and ``drop`` (same shape,
uint8) are the correction in levels, its positive and its negative part. An INT8 graph gives
them coded instead (:data:`CODED_OUTPUTS`): its last layer's uint8 output as it is, ``codes``,
and the two 256-entry tables that map a code to its lift and its drop, which OpenCV applies
(``cv2.LUT``) at a fraction of the cost of dequantizing, negating and quantizing again in the
graph. OpenCV does the colour
work around it, on uint8 with saturation: the frame plus ``lift``, minus ``drop``, on R, G and B
alike, which is the frame graph's ``clip(frame + correction)`` (one part is 0 wherever the other
is not). The frame graph does that work in float inside ONNX Runtime, a pass or more over every
value of the frame for each step; here it costs about a millisecond at 1080p.

A frame graph's luma graph is kept beside it as its twin (:func:`luma_twin`); the runtime's
:class:`~crispcall.runtime.Sharpener` runs the twin when there is one.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

INPUT = "luma"
OUTPUTS = ("lift", "drop")
CODED_OUTPUTS = ("codes", "lift_table", "drop_table")


def luma_twin(path: Path) -> Path:
    """Where the luma graph of a frame graph is kept: ``<stem>-luma.onnx`` beside it."""
    return path.with_name(f"{path.stem}-luma.onnx")


def takes_luma(session) -> bool:
    """Whether an ONNX Runtime session's graph is a luma graph."""
    outputs = tuple(o.name for o in session.get_outputs())
    return [i.name for i in session.get_inputs()] == [INPUT] and outputs in (OUTPUTS, CODED_OUTPUTS)


def luma_feeds(frame: np.ndarray) -> dict[str, np.ndarray]:
    """The luma graph's feed for one H x W x 3 uint8 RGB frame."""
    return {INPUT: cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[None, None]}


def correction_parts(outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The correction's parts, ``lift`` and ``drop`` (H x W uint8), from a luma graph's
    outputs in either form: the two planes, or the codes through the two tables."""
    if len(outputs) == len(CODED_OUTPUTS):
        codes, lift_table, drop_table = outputs
        return cv2.LUT(codes[0, 0], lift_table), cv2.LUT(codes[0, 0], drop_table)
    lift, drop = outputs
    return lift[0, 0], drop[0, 0]


def signed_correction(lift: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """The correction in levels (int16) from its two parts."""
    return lift.astype(np.int16) - drop


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
    return apply_correction(frame, *correction_parts(session.run(None, luma_feeds(frame))), out)
