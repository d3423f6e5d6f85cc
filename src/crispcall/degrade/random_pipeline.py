"""The wide random degradation that makes training pairs.

All ranges live in one config, ``train.yaml`` beside this file (or a YAML of the same
shape passed in). Steps: blur at full resolution, downscale, noise, compression,
transmission loss, upscale back to the input size. An optional ``full_size_share`` is the
share of samples the call delivers at full size (scale 1: codec and noise only), as real
calls send small cameras even at 150-300 kbps.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from crispcall.degrade.checks import check_rgb
from crispcall.degrade.codec import encode_decode_image
from crispcall.degrade.loss import transmission_loss
from crispcall.degrade.ops import (
    INTERPOLATIONS,
    downscale,
    gaussian_blur,
    gaussian_noise,
    jpeg,
    motion_blur,
    poisson_noise,
    resize,
)
from crispcall.errors import InputError

CODECS = ("h264", "vp8", "jpeg", "none")


@dataclass(frozen=True)
class TrainingDegradation:
    """Validated ranges of the random pipeline; see ``train.yaml`` for each field."""

    config: dict[str, Any]

    @classmethod
    def load(cls, path: str | Path | None = None) -> TrainingDegradation:
        """Read the YAML at ``path``, or the packaged ``train.yaml`` when None."""
        if path is None:
            text = resources.files("crispcall.degrade").joinpath("train.yaml").read_text()
        else:
            text = Path(path).read_text()
        config = yaml.safe_load(text)
        cls._validate(config)
        return cls(config)

    @staticmethod
    def _validate(config: dict[str, Any]) -> None:
        def pair(value: Any, name: str) -> None:
            if not (isinstance(value, list) and len(value) == 2 and value[0] <= value[1]):
                raise InputError(f"{name} must be a [low, high] range, got {value!r}")

        for key in ("scale", "down_kernels", "up_kernels", "blur", "noise", "compression", "loss"):
            if key not in config:
                raise InputError(f"degradation config is missing {key!r}")
        pair(config["scale"], "scale")
        if config["scale"][0] < 1:
            raise InputError(f"scale must be >= 1, got {config['scale']}")
        for key in ("down_kernels", "up_kernels"):
            unknown = set(config[key]) - set(INTERPOLATIONS)
            if unknown:
                raise InputError(f"{key} has unknown kernels {sorted(unknown)}")
        for name in ("gaussian_sigma", "motion_length"):
            pair(config["blur"][name], f"blur.{name}")
        for name in ("gaussian_sigma", "poisson_peak"):
            pair(config["noise"][name], f"noise.{name}")
        weights = config["compression"]["weights"]
        if set(weights) - set(CODECS) or not sum(weights.values()) > 0:
            raise InputError(f"compression.weights must weigh {CODECS}, got {weights}")
        for name in ("h264_crf", "vp8_crf", "jpeg_quality"):
            pair(config["compression"][name], f"compression.{name}")
        pair(config["loss"]["rate"], "loss.rate")
        if not 0 <= config.get("full_size_share", 0) <= 1:
            raise InputError(f"full_size_share must be in [0, 1], got {config['full_size_share']}")

    @property
    def fixed_scale(self) -> int | None:
        """The scale every draw uses when the config fixes one integer scale, else None."""
        low, high = self.config["scale"]
        if self.config.get("full_size_share", 0) > 0:
            return None
        return int(low) if low == high and float(low).is_integer() else None

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        """Degrade ``image``; return the degraded frame (same size) and the choices made."""
        low, record = self.low_resolution(image, rng)
        record["up"] = str(rng.choice(self.config["up_kernels"]))
        return resize(low, (image.shape[1], image.shape[0]), record["up"]), record

    def low_resolution(self, image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, Any]]:
        """Every step but the final upscale: the frame the call delivered, and the choices made."""
        check_rgb(image)
        c = self.config
        record: dict[str, Any] = {}

        def uniform(bounds: list[float]) -> float:
            return float(rng.uniform(bounds[0], bounds[1]))

        def integer(bounds: list[int]) -> int:
            return int(rng.integers(bounds[0], bounds[1] + 1))

        blur, noise, comp, loss = c["blur"], c["noise"], c["compression"], c["loss"]
        out = image
        if rng.random() < blur["probability"]:
            if rng.random() < blur["motion_share"]:
                record["motion"] = (integer(blur["motion_length"]), uniform([0.0, 180.0]))
                out = motion_blur(out, *record["motion"])
            else:
                record["blur_sigma"] = uniform(blur["gaussian_sigma"])
                out = gaussian_blur(out, record["blur_sigma"])
        # Optional, so that configs without it draw exactly as before (their caches reproduce).
        full_size = "full_size_share" in c and rng.random() < c["full_size_share"]
        record["scale"] = 1.0 if full_size else uniform(c["scale"])
        record["down"] = str(rng.choice(c["down_kernels"]))
        out = downscale(out, record["scale"], record["down"])
        if rng.random() < noise["probability"]:
            if rng.random() < noise["poisson_share"]:
                record["poisson_peak"] = uniform(noise["poisson_peak"])
                out = poisson_noise(out, record["poisson_peak"], rng)
            else:
                record["noise_sigma"] = uniform(noise["gaussian_sigma"])
                out = gaussian_noise(out, record["noise_sigma"], rng)
        names = list(comp["weights"])
        weights = np.array([comp["weights"][n] for n in names], float)
        record["codec"] = str(rng.choice(names, p=weights / weights.sum()))
        if record["codec"] == "jpeg":
            record["quality"] = integer(comp["jpeg_quality"])
            out = jpeg(out, record["quality"])
        elif record["codec"] != "none":
            record["crf"] = integer(comp[f"{record['codec']}_crf"])
            out = encode_decode_image(out, record["codec"], crf=record["crf"])
        if rng.random() < loss["probability"]:
            record["loss_rate"] = uniform(loss["rate"])
            record["loss_pattern"] = "slices" if rng.random() < loss["slice_share"] else "blocks"
            out = transmission_loss(out, record["loss_rate"], rng, record["loss_pattern"])
        return out, record
