"""Baselines: the degraded input itself and an OpenCV unsharp mask."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import cv2
import numpy as np

from crispcall.degrade.checks import check_rgb
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
