"""Baselines: the degraded input itself and an OpenCV unsharp mask."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import cv2
import numpy as np

from crispcall.degrade.checks import check_rgb
from crispcall.errors import InputError
from crispcall.methods.base import Method

UNSHARP_FILE = "unsharp.json"


class InputMethod(Method):
    """The degraded frame as the call shows it: no restoration."""

    name = "input"

    def run(self, image: np.ndarray) -> np.ndarray:
        return check_rgb(image)


@dataclass(frozen=True)
class UnsharpParams:
    sigma: float
    amount: float


def unsharp_mask(image: np.ndarray, params: UnsharpParams) -> np.ndarray:
    """``image + amount * (image - gaussian(image, sigma))``, saturated to uint8."""
    check_rgb(image)
    blurred = cv2.GaussianBlur(image, (0, 0), params.sigma)
    return cv2.addWeighted(image, 1.0 + params.amount, blurred, -params.amount, 0.0)


def load_unsharp_params() -> UnsharpParams:
    """The parameters ``crispcall tune-unsharp`` chose on training images."""
    record = json.loads(resources.files("crispcall.methods").joinpath(UNSHARP_FILE).read_text())
    return UnsharpParams(sigma=record["sigma"], amount=record["amount"])


class UnsharpMethod(Method):
    """OpenCV unsharp mask with the tuned parameters in ``unsharp.json``."""

    name = "unsharp"

    def __init__(self, params: UnsharpParams | None = None):
        self.params = params or load_unsharp_params()

    def run(self, image: np.ndarray) -> np.ndarray:
        return unsharp_mask(image, self.params)


def tune_unsharp(
    images: list[np.ndarray],
    names: list[str],
    preset: str = "call",
    sigmas: tuple[float, ...] = (0.5, 0.8, 1.0, 1.5, 2.0, 3.0),
    amounts: tuple[float, ...] = (0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5),
) -> dict:
    """Grid-search sigma and amount for the best mean PSNR under ``preset``.

    ``images`` must be training images (never the test sets); ``names`` seed the preset's
    random draws as BENCHMARK.md does. Returns the chosen parameters and their scores.
    """
    from crispcall.degrade.presets import apply_preset, preset_rng
    from crispcall.metrics import psnr

    if not images:
        raise InputError("tune_unsharp needs at least one image")
    degraded = [apply_preset(img, preset, preset_rng(name)) for img, name in zip(images, names, strict=True)]
    baseline = float(np.mean([psnr(d.frame, img) for d, img in zip(degraded, images, strict=True)]))
    best: dict | None = None
    for sigma in sigmas:
        for amount in amounts:
            params = UnsharpParams(sigma, amount)
            score = float(
                np.mean([psnr(unsharp_mask(d.frame, params), img) for d, img in zip(degraded, images, strict=True)])
            )
            if best is None or score > best["psnr"]:
                best = {"sigma": sigma, "amount": amount, "psnr": score}
    assert best is not None
    return {
        **best,
        "input_psnr": baseline,
        "gain_db": best["psnr"] - baseline,
        "preset": preset,
        "n_images": len(images),
        "grid": {"sigma": list(sigmas), "amount": list(amounts)},
    }


def tune_unsharp_on_folders(roots: list[Path], limit: int, preset: str = "call") -> dict:
    """:func:`tune_unsharp` on ``limit`` images spread evenly over the training folders
    ``roots`` (only those are read), refused when the folders overlap the test data."""
    from crispcall.data.folders import ImageFolder, check_no_overlap
    from crispcall.degrade.ops import crop_to_multiple
    from crispcall.paths import test_data_dir

    check_no_overlap(roots, [d for d in [test_data_dir()] if d])
    paths = ImageFolder.scan(roots).paths
    chosen = list(ImageFolder(paths[:: max(1, len(paths) // limit)][:limit]))
    record = tune_unsharp([crop_to_multiple(img) for _p, img in chosen], [p.name for p, _img in chosen], preset)
    return {**record, "train": [str(root) for root in roots]}
