"""The four test presets of BENCHMARK.md, for images (intra frames) and clips (one stream).

Random choices come from the generator passed in; :func:`preset_rng` builds the one the
benchmark fixes for a file name.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from crispcall.degrade.checks import check_choice, check_rgb
from crispcall.degrade.codec import encode_decode_frames, encode_decode_image
from crispcall.degrade.loss import transmission_loss
from crispcall.degrade.ops import gaussian_noise, motion_blur
from crispcall.errors import InputError


@dataclass(frozen=True)
class Preset:
    """One test degradation; steps run in the order of the fields.

    Args:
        scale: integer down/up factor (INTER_AREA down, bilinear up).
        motion_length: linear motion blur length in px before the downscale (0: none);
            its angle is drawn uniformly in [0, 180).
        noise_sigma: Gaussian noise sigma (0-255 scale) at low resolution (0: none).
        crf: libx264 CRF at low resolution, yuv420p (None: no codec).
        loss_rate: probability that each 16x16 low-resolution block is lost and concealed
            by vertical interpolation (0: none).
    """

    scale: int
    motion_length: int = 0
    noise_sigma: float = 0.0
    crf: int | None = None
    loss_rate: float = 0.0


PRESETS: dict[str, Preset] = {
    "x2": Preset(scale=2),
    "call": Preset(scale=2, noise_sigma=2.0, crf=30),
    "poor": Preset(scale=3, motion_length=7, noise_sigma=3.0, crf=36),
    "lossy": Preset(scale=2, noise_sigma=2.0, crf=30, loss_rate=0.03),
}
CLIP_GOP = 60


@dataclass(frozen=True)
class Degraded:
    """A degraded frame: ``low`` is what the call delivered, ``frame`` is it upscaled back."""

    low: np.ndarray
    frame: np.ndarray
    scale: int

    def shown(self, enlarged: np.ndarray) -> np.ndarray:
        """``enlarged`` (``low`` enlarged by a network's own factor) at the size of ``frame``:
        resized bilinearly when the factors differ, as a player would finish the job."""
        height, width = self.frame.shape[:2]
        if enlarged.shape[:2] == (height, width):
            return enlarged
        return cv2.resize(enlarged, (width, height), interpolation=cv2.INTER_LINEAR)


def preset_rng(file_name: str) -> np.random.Generator:
    """The generator BENCHMARK.md fixes for a file: seeded by the CRC32 of its name."""
    return np.random.default_rng(zlib.crc32(file_name.encode()))


def get_preset(name: str) -> Preset:
    check_choice(name, "preset", tuple(PRESETS))
    return PRESETS[name]


def _low_size(image: np.ndarray, scale: int) -> tuple[int, int]:
    height, width = image.shape[:2]
    if height // scale < 2 or width // scale < 2:
        raise InputError(f"image of size {(height, width)} is too small for scale {scale}")
    return width // scale, height // scale


def _before_codec(image: np.ndarray, preset: Preset, angle: float, rng: np.random.Generator) -> np.ndarray:
    if preset.motion_length:
        image = motion_blur(image, preset.motion_length, angle)
    low = cv2.resize(image, _low_size(image, preset.scale), interpolation=cv2.INTER_AREA)
    if preset.noise_sigma:
        low = gaussian_noise(low, preset.noise_sigma, rng)
    return low


def _after_codec(low: np.ndarray, preset: Preset, size: tuple[int, int], rng: np.random.Generator) -> Degraded:
    if preset.loss_rate:
        low = transmission_loss(low, preset.loss_rate, rng, "blocks", "interpolate")
    frame = cv2.resize(low, size, interpolation=cv2.INTER_LINEAR)
    return Degraded(low=low, frame=frame, scale=preset.scale)


def apply_preset(image: np.ndarray, preset: str | Preset, rng: np.random.Generator) -> Degraded:
    """Degrade one image with a preset (H.264 as a single intra frame)."""
    check_rgb(image)
    preset = get_preset(preset) if isinstance(preset, str) else preset
    angle = rng.uniform(0.0, 180.0) if preset.motion_length else 0.0
    low = _before_codec(image, preset, angle, rng)
    if preset.crf is not None:
        low = encode_decode_image(low, "h264", crf=preset.crf)
    return _after_codec(low, preset, (image.shape[1], image.shape[0]), rng)


def apply_preset_clip(
    frames: Iterable[np.ndarray], preset: str | Preset, rng: np.random.Generator, fps: int = 30
) -> Iterator[Degraded]:
    """Degrade a clip with a preset: one H.264 stream (GOP 60, no B-frames).

    The motion-blur angle is drawn once per clip; noise and loss are drawn per frame.
    Frames are yielded one at a time so a long clip never sits in memory twice.
    """
    preset = get_preset(preset) if isinstance(preset, str) else preset
    angle = rng.uniform(0.0, 180.0) if preset.motion_length else 0.0
    sizes: list[tuple[int, int]] = []

    def lows() -> Iterator[np.ndarray]:
        for index, image in enumerate(frames):
            check_rgb(image, f"frames[{index}]")
            sizes.append((image.shape[1], image.shape[0]))
            yield _before_codec(image, preset, angle, rng)

    decoded = (
        encode_decode_frames(lows(), "h264", crf=preset.crf, gop=CLIP_GOP, fps=fps)
        if preset.crf is not None
        else lows()
    )
    for index, low in enumerate(decoded):
        yield _after_codec(low, preset, sizes[index], rng)
