"""Synthetic content made on the spot, for checks and showcases that need no data folder: a
frame with smooth regions and edges, and the demo's scene (a slide beside a face) filmed with a
slow pan and zoom."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from crispcall.data.screens import render_screen
from crispcall.errors import Unavailable

FRAME_SIZE = (960, 480)  # width, height of the demo clip
FRAMES = 60
SCENE = (1536, 768)  # the scene the camera pans over, same 2:1 shape


def synthetic_frame(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A deterministic test frame with smooth regions and edges (content does not change the
    cost of a CNN, but keeps codecs and early-outs honest)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (max(2, height // 16), max(2, width // 16), 3), dtype=np.uint8)
    frame = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    cv2.putText(
        frame,
        "crispcall bench",
        (width // 10, height // 2),
        cv2.FONT_HERSHEY_SIMPLEX,
        height / 400,
        (255, 255, 255),
        max(1, height // 300),
    )
    return frame


@dataclass
class DemoClip:
    clean: list[np.ndarray]
    windows: list[tuple[float, float, float, float]]  # x0, y0, width, height in the scene


def build_scene() -> np.ndarray:
    """The slide (left two thirds) beside the astronaut and scikit-image's printed text."""
    try:
        from skimage import data
    except ImportError as error:
        raise Unavailable("the demo needs scikit-image: pip install 'crispcall[demo]'") from error
    width, height = SCENE
    scene = np.full((height, width, 3), 235, np.uint8)
    slide, _text = render_screen(np.random.default_rng(7), "slide", (1024, 768))
    scene[:, :1024] = slide
    scene[0:512, 1024:1536] = data.astronaut()
    text = np.repeat(data.text()[:, :, None], 3, axis=2)  # 172 x 448, grey
    scene[564:736, 1056:1504] = text
    return scene


def build_clip(frames: int = FRAMES, size: tuple[int, int] = FRAME_SIZE) -> DemoClip:
    """A slow pan and zoom over the scene: the window shrinks to 80% and drifts right.
    ``size`` (width, height) sets the frames; a shape other than 2:1 films a band of the scene."""
    scene = build_scene()
    width, height = SCENE
    clean, windows = [], []
    for index in range(frames):
        t = index / max(1, frames - 1)
        zoom = 1.0 - 0.2 * t
        w = width * zoom
        h = min(height, w * size[1] / size[0])
        x0, y0 = (width - w) * (0.2 + 0.6 * t), (height - h) * 0.5
        # An affine warp keeps the motion sub-pixel smooth (integer crops would judder).
        matrix = np.array([[size[0] / w, 0, -x0 * size[0] / w], [0, size[1] / h, -y0 * size[1] / h]])
        clean.append(cv2.warpAffine(scene, matrix, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT))
        windows.append((x0, y0, w, h))
    return DemoClip(clean, windows)
