"""Degradations that turn clean frames into what a low-bandwidth call delivers."""

from crispcall.degrade.codec import encode_decode_frames, encode_decode_image
from crispcall.degrade.loss import conceal, loss_mask, transmission_loss
from crispcall.degrade.ops import (
    downscale,
    gaussian_blur,
    gaussian_noise,
    jpeg,
    motion_blur,
    poisson_noise,
    resize,
)
from crispcall.degrade.presets import (
    PRESETS,
    Degraded,
    Preset,
    apply_preset,
    apply_preset_clip,
    preset_rng,
)
from crispcall.degrade.random_pipeline import TrainingDegradation

__all__ = [
    "PRESETS",
    "Degraded",
    "Preset",
    "TrainingDegradation",
    "apply_preset",
    "apply_preset_clip",
    "conceal",
    "downscale",
    "encode_decode_frames",
    "encode_decode_image",
    "gaussian_blur",
    "gaussian_noise",
    "jpeg",
    "loss_mask",
    "motion_blur",
    "poisson_noise",
    "preset_rng",
    "resize",
    "transmission_loss",
]
