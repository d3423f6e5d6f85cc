"""Pixel-level degradations on H x W x 3 uint8 RGB frames.

Every op is pure: it returns a new array and takes its randomness from a
``numpy.random.Generator`` passed in, so a seed fixes the result.
"""

from __future__ import annotations

import cv2
import numpy as np

from crispcall.degrade.checks import check_choice, check_range, check_rgb
from crispcall.errors import InputError

INTERPOLATIONS = {
    "nearest": cv2.INTER_NEAREST,
    "bilinear": cv2.INTER_LINEAR,
    "bicubic": cv2.INTER_CUBIC,
    "area": cv2.INTER_AREA,
    "lanczos": cv2.INTER_LANCZOS4,
}


def resize(image: np.ndarray, size: tuple[int, int], kernel: str = "bilinear") -> np.ndarray:
    """Resize to ``size`` = (width, height) with one of :data:`INTERPOLATIONS`."""
    check_rgb(image)
    check_choice(kernel, "kernel", tuple(INTERPOLATIONS))
    width, height = size
    if width < 1 or height < 1:
        raise InputError(f"size must be positive, got {size}")
    return cv2.resize(image, (int(width), int(height)), interpolation=INTERPOLATIONS[kernel])


CROP_MULTIPLE = 12  # BENCHMARK.md crops test images to multiples of 12: every scale divides them


def crop_to_multiple(image: np.ndarray, multiple: int = CROP_MULTIPLE) -> np.ndarray:
    """Keep the top-left part whose sides are multiples of ``multiple``."""
    height, width = image.shape[:2]
    return image[: height - height % multiple, : width - width % multiple]


def pad_to_multiple(image: np.ndarray, multiple: int = 2, mode: str = "reflect") -> np.ndarray:
    """Pad rows and columns at the bottom/right until both sides divide by ``multiple``
    (``numpy.pad`` mode); ``image`` itself when they already do."""
    height, width = image.shape[:2]
    extra_h, extra_w = -height % multiple, -width % multiple
    if not (extra_h or extra_w):
        return image
    return np.pad(image, ((0, extra_h), (0, extra_w), (0, 0)), mode=mode)


def downscale(image: np.ndarray, scale: float, kernel: str = "area") -> np.ndarray:
    """Shrink by ``scale`` (>= 1); sides are rounded to the nearest pixel, at least 2."""
    check_rgb(image)
    check_range(scale, "scale", 1.0, 16.0)
    height, width = image.shape[:2]
    size = (max(2, round(width / scale)), max(2, round(height / scale)))
    return resize(image, size, kernel)


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Isotropic Gaussian blur; the kernel spans +-3 sigma."""
    check_rgb(image)
    check_range(sigma, "sigma", 0.0, 20.0)
    if sigma == 0:
        return image.copy()
    return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, borderType=cv2.BORDER_REFLECT_101)


def motion_kernel(length: int, angle: float) -> np.ndarray:
    """A normalised linear motion-blur kernel: a line of ``length`` px at ``angle`` degrees."""
    if length < 1:
        raise InputError(f"length must be >= 1, got {length}")
    size = length if length % 2 == 1 else length + 1
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, (size - length) // 2 : (size - length) // 2 + length] = 1.0
    rotation = cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (size, size), flags=cv2.INTER_LINEAR)
    return kernel / kernel.sum()


def motion_blur(image: np.ndarray, length: int, angle: float) -> np.ndarray:
    """Linear motion blur of ``length`` px along ``angle`` degrees (0 = horizontal)."""
    check_rgb(image)
    check_range(angle, "angle", -360.0, 360.0)
    if length < 1:
        raise InputError(f"length must be >= 1, got {length}")
    return cv2.filter2D(image, -1, motion_kernel(length, angle), borderType=cv2.BORDER_REFLECT_101)


def gaussian_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Add i.i.d. Gaussian noise of standard deviation ``sigma`` (0-255 scale), per channel."""
    check_rgb(image)
    check_range(sigma, "sigma", 0.0, 100.0)
    noise = rng.normal(0.0, sigma, image.shape).astype(np.float32)
    return np.clip(np.rint(image.astype(np.float32) + noise), 0, 255).astype(np.uint8)


def poisson_noise(image: np.ndarray, peak: float, rng: np.random.Generator) -> np.ndarray:
    """Shot noise: pixel values are Poisson counts with ``peak`` photons at full white."""
    check_rgb(image)
    check_range(peak, "peak", 1.0, 1e6)
    counts = rng.poisson(image.astype(np.float64) * (peak / 255.0))
    return np.clip(np.rint(counts * (255.0 / peak)), 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as baseline JPEG at ``quality`` (1-100), 4:2:0 chroma."""
    check_rgb(image)
    check_range(quality, "quality", 1, 100)
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("OpenCV failed to encode JPEG")
    return cv2.cvtColor(cv2.imdecode(data, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
