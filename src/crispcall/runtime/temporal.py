"""A cheap temporal filter against flicker: blend with the previous output where nothing moved.

Per pixel, the weight of the previous output is ``strength * (1 - |dY| / threshold)``, clipped
at 0, where dY is the change of the *received* frame's luma since the previous frame: static
areas (a wall, a slide) keep their previous sharpening, moving ones take the new frame as is.
All of it is OpenCV on whole planes.
"""

from __future__ import annotations

import cv2
import numpy as np

from crispcall.errors import InputError


class TemporalBlend:
    """Call with (received frame, sharpened frame) in stream order; ``reset`` between clips.

    Args:
        strength: weight of the previous output where the input did not change (0 to 1).
        threshold: luma change (0-255) at which the previous output stops counting.
    """

    def __init__(self, strength: float = 0.5, threshold: float = 8.0):
        if not 0.0 <= strength < 1.0 or threshold <= 0:
            raise InputError("strength must be in [0, 1) and threshold positive")
        self.strength, self.threshold = strength, threshold
        self.reset()

    def reset(self) -> None:
        self.previous_grey: np.ndarray | None = None
        self.previous_out: np.ndarray | None = None

    def __call__(self, received: np.ndarray, sharp: np.ndarray) -> np.ndarray:
        grey = cv2.cvtColor(received, cv2.COLOR_RGB2GRAY)
        out = sharp
        if self.previous_out is not None and self.previous_out.shape == sharp.shape:
            change = cv2.absdiff(grey, self.previous_grey).astype(np.float32)
            keep = np.clip(1.0 - change / self.threshold, 0.0, 1.0) * self.strength
            out = cv2.blendLinear(self.previous_out, sharp, keep, 1.0 - keep)
        self.previous_grey, self.previous_out = grey, out
        return out
