"""Input validation shared by every degradation op."""

from __future__ import annotations

import numpy as np

from crispcall.errors import InputError


def check_rgb(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Return ``image`` if it is an H x W x 3 uint8 array, else raise ``ValueError`` naming it."""
    if not isinstance(image, np.ndarray):
        raise InputError(f"{name} must be a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise InputError(f"{name} must have dtype uint8, got {image.dtype}")
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(f"{name} must have shape (H, W, 3), got {image.shape}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise InputError(f"{name} must be at least 2x2 pixels, got {image.shape[:2]}")
    return image


def check_range(value: float, name: str, low: float, high: float) -> float:
    """Raise ``ValueError`` naming ``name`` unless ``low <= value <= high``."""
    if not (low <= value <= high):
        raise InputError(f"{name} must be in [{low}, {high}], got {value}")
    return value


def check_choice(value: str, name: str, choices: tuple[str, ...] | list[str]) -> str:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value
