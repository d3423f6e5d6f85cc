"""``crispcall train teacher``: the teacher on the pair cache with L1 + SSIM + edge losses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from crispcall.models.io import build_teacher
from crispcall.models.upconv7 import read_ncnn_upconv7
from crispcall.train.config import load_config
from crispcall.train.loop import save_atomic, train
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

    return train(lambda: build_teacher(**config["model"]), config, Path(out_dir), loss_fn, "teacher")


def import_waifu2x(bin_path: str | Path, out: str | Path, kind: str = "upconv7") -> Path:
    """Write waifu2x's ncnn ``upconv_7`` weights as a teacher weights file of ``kind``
    (``upconv7`` same-size or ``upconv7-x2``; what ``train.init`` of a fine-tuning config
    names, and what ``crispcall export`` reads)."""
    teacher = build_teacher(kind).load_upconv7(read_ncnn_upconv7(bin_path))
    out = Path(out)
    config = {"model": {"kind": kind}}
    save_atomic(
        {"arch": "teacher", "model": teacher.state_dict(), "config": config, "steps": 0, "source": str(bin_path)}, out
    )
    return out
