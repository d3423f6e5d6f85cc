"""``crispcall train repair``: the concealment repair (:class:`ConcealmentRepair`) on received
patches of the pair cache. Each patch loses blocks as the benchmark's `lossy` preset loses
them (:func:`crispcall.degrade.loss.conceal`); the target is the patch as it arrived, and the
gate's logits are fitted to the blocks lost (binary cross-entropy, weighted by
``repair.gate_loss``)."""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from crispcall.degrade.loss import BLOCK, conceal
from crispcall.errors import InputError
from crispcall.models.repair import ConcealmentRepair
from crispcall.train.config import load_config
from crispcall.train.loop import to_tensor, train
from crispcall.train.losses import RestorationLoss


def lose_inner_blocks(
    received: np.ndarray, rates: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``received`` (N x h x w x 3 uint8, sides multiples of 16) with each block of its inner
    block rows lost at the patch's rate in ``rates`` and concealed, and which blocks were lost
    (N x h/16 x w/16 bool). A cached patch is a small piece of a frame: its first and last block
    rows would be concealed from one side only, as only a frame's edge is."""
    rows, cols = received.shape[1] // BLOCK, received.shape[2] // BLOCK
    masks = np.zeros((len(received), rows, cols), bool)
    masks[:, 1 : rows - 1] = rng.random((len(received), max(0, rows - 2), cols)) < rates[:, None, None]
    lost = np.stack([conceal(patch, mask) for patch, mask in zip(received, masks, strict=True)])
    return lost, masks


def train_repair(
    config_path: str | Path, out_dir: str | Path, steps: int | None = None, overrides: Sequence[str] = ()
) -> Path:
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # The loss reads the gate through ConcealmentRepair.mend, which DDP's wrapper would bypass.
        raise InputError("crispcall train repair runs in one process, not under torchrun")
    config = load_config(config_path, overrides, steps)
    loss = RestorationLoss(**config["loss"])
    low_rate, high_rate = config["repair"]["loss_rate"]
    gate_weight = config["repair"]["gate_loss"]

    def loss_fn(model: nn.Module, received: torch.Tensor, clean: torch.Tensor):
        patches = received.mul(255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
        # Drawn from the batch itself, which the step fixes: a resumed run loses the same blocks.
        rng = np.random.default_rng(zlib.crc32(patches.tobytes()))
        lost, masks = lose_inner_blocks(patches, rng.uniform(low_rate, high_rate, len(patches)), rng)
        mended, logits = model.mend(to_tensor(lost, received.device))
        total, parts = loss(mended, received)
        truth = torch.from_numpy(masks[:, None]).to(logits)
        gate = F.binary_cross_entropy_with_logits(logits, truth)
        parts["gate"] = float(gate.detach())
        return total + gate_weight * gate, parts

    return train(lambda: ConcealmentRepair(**config["model"]), config, Path(out_dir), loss_fn, "repair")
