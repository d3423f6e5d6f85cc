"""``Sharpener``: RGB uint8 frames of any size in, sharpened RGB uint8 frames out.

The frame path is: check, pad the bottom/right edge to the network's side multiple (only when
the sides do not divide), run the graph (which casts, scales and changes layout itself), crop.
A frame whose sides already divide and that fits whole goes through with no copy at all: the
backend reads the caller's array and writes into the output array directly.

Frames too large for memory, and every frame on a fixed-size backend (TFLite), run in tiles
that overlap by the network's receptive radius, recorded in the model file at export. Tile
origins sit on the side multiple, so every tile sees exactly the pixels the whole frame would
show it, and the tiled output equals the whole-frame output: no seams.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from crispcall.degrade.ops import pad_to_multiple
from crispcall.errors import InputError
from crispcall.runtime.backends import Backend, load_backend
from crispcall.runtime.luma import luma_twin

# Frames above this many pixels are tiled by default (4K UHD runs whole).
WHOLE_FRAME_PIXELS = 3840 * 2160
DEFAULT_TILE = 1024
# Overlap for networks that see the whole frame (global pooling): tiles then only approximate.
FALLBACK_RADIUS = 32


def check_frame(frame: np.ndarray) -> np.ndarray:
    """``frame`` if it is a non-empty H x W x 3 uint8 array, else a ``ValueError`` or
    ``TypeError`` that says what to do."""
    if not isinstance(frame, np.ndarray):
        raise TypeError(f"frame must be a numpy array, got {type(frame).__name__}")
    if frame.size == 0:
        raise InputError(f"frame is empty (shape {frame.shape})")
    if frame.dtype != np.uint8:
        raise InputError(f"frame must be uint8 (0-255), got {frame.dtype}")
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] in (1, 2, 4)):
        raise InputError(
            f"frame must be H x W x 3 RGB, got shape {frame.shape}; convert grey or RGBA with "
            "crispcall.runtime.to_rgb, or use Sharpener.sharpen_image"
        )
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise InputError(f"frame must be H x W x 3 RGB, got shape {frame.shape}")
    return frame


def to_rgb(image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Grey (H x W or H x W x 1), grey + alpha, RGB or RGBA uint8 as (RGB, alpha or None)."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        raise InputError("image must be a non-empty uint8 numpy array")
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 2, 3, 4):
        raise InputError(f"image must be grey, grey + alpha, RGB or RGBA; got shape {image.shape}")
    colour = image[..., :-1] if image.shape[2] in (2, 4) else image
    alpha = image[..., -1] if image.shape[2] in (2, 4) else None
    if colour.shape[2] == 1:
        colour = np.repeat(colour, 3, axis=2)
    return np.ascontiguousarray(colour), alpha


def spans(length: int, core: int, radius: int, window: int | None = None) -> list[tuple[int, int, int, int]]:
    """Tiles along one axis as (core start, core end, window start, window end): cores of
    ``core`` pixels cover [0, length); each window adds ``radius`` on both sides, clipped to
    the frame, or, for a fixed ``window`` size (``length >= window``), is shifted inside it."""
    if window is not None and length == window:
        return [(0, length, 0, length)]
    tiles = []
    for start in range(0, length, core):
        end = min(start + core, length)
        if window is None:
            low, high = max(0, start - radius), min(length, end + radius)
        else:
            low = min(max(0, start - radius), length - window)
            high = low + window
        tiles.append((start, end, low, high))
    return tiles


class Sharpener:
    """Sharpens RGB uint8 frames with an exported model.

    Args:
        model: an ONNX file from ``crispcall export`` (or a ``.tflite`` one from
            ``crispcall export --format tflite``).
        backend: ``onnxruntime`` (default), ``openvino`` or ``tflite``.
        threads: intra-op threads (default: the CPU count, at most 4).
        tile: core tile side in pixels; ``None`` runs frames whole up to 4K UHD and tiles
            larger ones by 1024. Fixed-size (TFLite) models always tile to their size.
        luma: on ONNX Runtime, run the file's luma twin instead when there is one
            (:func:`~crispcall.runtime.luma.luma_twin`: the same network with the colour work
            done by OpenCV; equal to the frame graph's output to within rounding).
    """

    def __init__(
        self,
        model: str | Path,
        backend: str | None = None,
        threads: int | None = None,
        tile: int | None = None,
        luma: bool = True,
    ):
        threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        twin = luma_twin(Path(model))
        if luma and backend in (None, "onnxruntime") and Path(model).suffix == ".onnx" and twin.is_file():
            model = twin
        self.model = Path(model)
        self.backend: Backend = load_backend(model, backend, threads)
        self.multiple = self.backend.size_multiple
        radius = self.backend.radius if self.backend.radius is not None else FALLBACK_RADIUS
        self.radius = -(-radius // self.multiple) * self.multiple
        if tile is not None and (tile < self.multiple or tile % self.multiple):
            raise InputError(f"tile must be a positive multiple of {self.multiple}, got {tile}")
        self.tile: tuple[int, int] | None = (tile, tile) if tile is not None else None
        fixed = self.backend.fixed_size
        if fixed is not None:  # cores per axis: the file's frame size less the overlap on both sides
            cores = [(side - 2 * self.radius) // self.multiple * self.multiple for side in fixed]
            if min(cores) < self.multiple:
                raise InputError(f"{model}: frame size {fixed} leaves no room inside a {self.radius}-pixel overlap")
            self.tile = (min(cores[0], tile or cores[0]), min(cores[1], tile or cores[1]))

    def __call__(self, frame: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Sharpen one H x W x 3 uint8 RGB frame; write into ``out`` (the output's shape,
        uint8, C-contiguous) when given, so a video loop can reuse one buffer."""
        height, width = check_frame(frame).shape[:2]
        fixed = self.backend.fixed_size
        padded = pad_to_multiple(frame, self.multiple, "edge")
        if fixed is not None and (padded.shape[0] < fixed[0] or padded.shape[1] < fixed[1]):
            grow = ((0, max(0, fixed[0] - padded.shape[0])), (0, max(0, fixed[1] - padded.shape[1])), (0, 0))
            padded = np.pad(padded, grow, mode="edge")
        tile = self.tile
        if tile is None and height * width > WHOLE_FRAME_PIXELS:
            tile = (DEFAULT_TILE, DEFAULT_TILE)
        if out is not None and (out.dtype != np.uint8 or not out.flags.c_contiguous):
            raise InputError("out must be a C-contiguous uint8 array")
        if tile is None:
            if padded is frame and out is not None:
                self.backend.run(np.ascontiguousarray(frame)[None], out[None])
                return out
            result = self.backend.run(np.ascontiguousarray(padded)[None])[0]
        else:
            result = self._tiled(padded, tile)
        scale = result.shape[0] // padded.shape[0]
        result = result[: height * scale, : width * scale]
        if out is None:
            return result if result.flags.c_contiguous else np.ascontiguousarray(result)
        out[...] = result
        return out

    def _tiled(self, padded: np.ndarray, tile: tuple[int, int]) -> np.ndarray:
        fixed = self.backend.fixed_size
        rows = spans(padded.shape[0], tile[0], self.radius, fixed[0] if fixed else None)
        cols = spans(padded.shape[1], tile[1], self.radius, fixed[1] if fixed else None)
        result: np.ndarray | None = None
        scale = 1
        for top, bottom, win_top, win_bottom in rows:
            for left, right, win_left, win_right in cols:
                window = np.ascontiguousarray(padded[win_top:win_bottom, win_left:win_right])
                sharp = self.backend.run(window[None])[0]
                if result is None:
                    scale = sharp.shape[0] // window.shape[0]
                    result = np.empty((padded.shape[0] * scale, padded.shape[1] * scale, 3), np.uint8)
                y, x = (top - win_top) * scale, (left - win_left) * scale
                result[top * scale : bottom * scale, left * scale : right * scale] = sharp[
                    y : y + (bottom - top) * scale, x : x + (right - left) * scale
                ]
        assert result is not None
        return result

    def sharpen_image(self, image: Image.Image) -> Image.Image:
        """Sharpen a Pillow image of any common mode (:func:`sharpen_pil`)."""
        return sharpen_pil(image, self)


def sharpen_pil(image: Image.Image, sharpen: Callable[[np.ndarray], np.ndarray]) -> Image.Image:
    """Run ``sharpen`` (RGB uint8 frames in and out) on a Pillow image of any common mode:
    grey stays grey, alpha is kept as it is (resized with the image if ``sharpen`` enlarges)."""
    if not isinstance(image, Image.Image):
        raise TypeError(f"image must be a PIL.Image, got {type(image).__name__}")
    grey = image.mode in ("1", "L", "LA", "I", "I;16", "F")
    has_alpha = image.mode in ("LA", "RGBA", "PA") or (image.mode == "P" and "transparency" in image.info)
    colour, alpha = to_rgb(np.asarray(image.convert("RGBA" if has_alpha else "RGB")))
    sharp = sharpen(colour)
    if alpha is not None and sharp.shape[:2] != alpha.shape:
        alpha = np.asarray(Image.fromarray(alpha).resize(sharp.shape[1::-1], Image.BICUBIC))
    result = Image.fromarray(sharp)
    if alpha is not None:
        result.putalpha(Image.fromarray(alpha))
    return result.convert("LA" if has_alpha else "L") if grey else result
