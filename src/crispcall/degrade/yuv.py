"""I420 frames (planar 4:2:0 YUV, BT.601 limited range, as decoders give them and Chromium's
fake camera reads them) to and from RGB, with OpenCV's conversions. Odd sides have chroma planes
of ceil(side / 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from crispcall.errors import InputError

if TYPE_CHECKING:
    import av

FULL_RANGE = 2  # a frame's color_range for full-range (JPEG) levels, AVCOL_RANGE_JPEG


def i420_planes(data: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of Y, U and V in a tightly packed I420 buffer."""
    chroma_w, chroma_h = (width + 1) // 2, (height + 1) // 2
    luma, expected = width * height, width * height + 2 * chroma_w * chroma_h
    if data.size != expected:
        raise InputError(f"an I420 frame of {width}x{height} has {expected} bytes, not {data.size}")
    y = data[:luma].reshape(height, width)
    u = data[luma : luma + chroma_w * chroma_h].reshape(chroma_h, chroma_w)
    v = data[luma + chroma_w * chroma_h :].reshape(chroma_h, chroma_w)
    return y, u, v


def planes_to_rgb(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """RGB from I420 planes; odd sides are padded to even for the conversion and cropped back."""
    height, width = y.shape
    even_w, even_h = width + width % 2, height + height % 2
    if (even_w, even_h) != (width, height):
        y = np.pad(y, ((0, even_h - height), (0, even_w - width)), mode="edge")
    packed = np.concatenate([y.ravel(), u.ravel(), v.ravel()]).reshape(even_h * 3 // 2, even_w)
    return cv2.cvtColor(packed, cv2.COLOR_YUV2RGB_I420)[:height, :width]


def video_frame_rgb(frame: av.VideoFrame) -> np.ndarray:
    """RGB of a decoded PyAV ``VideoFrame``: limited-range yuv420p through :func:`planes_to_rgb`,
    as every I420 frame here; other formats through PyAV. PyAV's own yuv420p-to-rgb24 path
    (swscale, whatever the interpolation) darkens every frame by about 1.2 levels of 255, which
    no codec and no browser does."""
    if frame.format.name != "yuv420p" or frame.color_range == FULL_RANGE:
        return frame.to_ndarray(format="rgb24")
    planes = (np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width] for p in frame.planes)
    return planes_to_rgb(*planes)


def i420_to_rgb(data: np.ndarray, width: int, height: int) -> np.ndarray:
    """An I420 buffer as RGB."""
    return planes_to_rgb(*i420_planes(data, width, height))


def rgb_to_i420(frame: np.ndarray) -> np.ndarray:
    """An RGB frame with even sides as one I420 buffer."""
    height, width = frame.shape[:2]
    if height % 2 or width % 2:
        raise InputError(f"4:2:0 needs even sides, got {width}x{height}")
    return cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).ravel()


def rgb_luma(frame: np.ndarray) -> np.ndarray:
    """The Y plane a 4:2:0 encoder sees (an odd side loses its last row or column)."""
    height, width = (side - side % 2 for side in frame.shape[:2])
    return rgb_to_i420(np.ascontiguousarray(frame[:height, :width]))[: height * width].reshape(height, width)


def upscale_planes(y: np.ndarray, u: np.ndarray, v: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, ...]:
    """The planes at display ``size`` (height, width; chroma at half, rounded up), each upscaled
    bilinearly, as a player scales them."""
    height, width = size
    chroma = ((width + 1) // 2, (height + 1) // 2)
    luma = cv2.resize(y, (width, height), interpolation=cv2.INTER_LINEAR)
    return luma, *(cv2.resize(c, chroma, interpolation=cv2.INTER_LINEAR) for c in (u, v))
