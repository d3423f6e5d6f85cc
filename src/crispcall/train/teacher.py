"""``crispcall train teacher``: the teacher on the pair cache with L1 + SSIM + edge losses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from crispcall.models.teacher import Teacher
from crispcall.train.config import load_config
from crispcall.train.loop import train
from crispcall.train.losses import RestorationLoss


def train_teacher(
    config_path: str | Path, out_dir: str | Path, steps: int | None = None, overrides: Sequence[str] = ()
) -> Path:
    config = load_config(config_path, overrides)
    if steps is not None:
        config["train"]["steps"] = steps
    loss = RestorationLoss(**config["loss"])

    def loss_fn(model: nn.Module, degraded: torch.Tensor, clean: torch.Tensor):
        return loss(model(degraded), clean)

    return train(lambda: Teacher(**config["model"]), config, Path(out_dir), loss_fn, "teacher")
