"""How well lost macroblocks are filled, on training images at the `call` preset's received size
(docs/models/teacher.md, "Session 29"): the mean squared error inside the lost blocks against
the frame as received before the loss, for the lossy preset's vertical interpolation and, given
which blocks were lost, horizontal interpolation, their mean and OpenCV's inpainting; with repair
weights files (crispcall train repair) also each repair's error inside the lost blocks and its
mean squared change on the same frames when they lost nothing (per image: what it costs a call
that loses no packet).

Usage: python scripts/concealment_probe.py [TRAIN_ROOT] [REPAIR.pt ...]
"""

import sys
from pathlib import Path

import cv2
import numpy as np
import torch

from crispcall.data.folders import load_rgb
from crispcall.degrade.loss import BLOCK, conceal, loss_mask
from crispcall.degrade.presets import apply_preset
from crispcall.models.io import load_network
from crispcall.train.loop import restore_frame

# Six images from each of three kinds of content, none at a frame edge block.
PICKS = {"Kodak24": slice(12, 18), "screens": slice(40, 46), "faces": slice(20, 26)}
RATE = 0.05
CPU = torch.device("cpu")


def received_without_loss(image: np.ndarray) -> np.ndarray:
    """The frame a `call` delivers (x2 area, noise, H.264 CRF 30), cropped to whole blocks."""
    low = apply_preset(image, "call", np.random.default_rng(1)).low
    return low[: low.shape[0] // BLOCK * BLOCK, : low.shape[1] // BLOCK * BLOCK]


def fills(low: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
    """The lost blocks of ``low`` filled each way (all but the first from the known mask)."""
    pixels = np.repeat(np.repeat(mask, BLOCK, 0), BLOCK, 1).astype(np.uint8)
    vertical = conceal(low, mask)
    horizontal = conceal(np.ascontiguousarray(low.transpose(1, 0, 2)), mask.T).transpose(1, 0, 2)
    return {
        "vertical": vertical,
        "horizontal": horizontal,
        "mean": (vertical.astype(np.float64) + horizontal) / 2,
        "telea": cv2.inpaint(low, pixels, 9, cv2.INPAINT_TELEA),
    }


def main(root: Path, repairs: list[Path]) -> None:
    torch.set_num_threads(1)
    models = {path.name if len(repairs) == 1 else str(path): load_network(path, "repair") for path in repairs}
    lost_error: dict[str, list[float]] = {}
    for folder, pick in PICKS.items():
        for path in sorted((root / folder).iterdir())[pick]:
            low = received_without_loss(load_rgb(path))
            mask = loss_mask(low.shape[:2], RATE, np.random.default_rng(2))
            mask[[0, -1]] = mask[:, [0, -1]] = False
            pixels = np.repeat(np.repeat(mask, BLOCK, 0), BLOCK, 1)
            candidates = fills(low, mask)
            changes = []
            for name, model in models.items():
                candidates[name] = restore_frame(model, candidates["vertical"], CPU)
                changes.append(float(((restore_frame(model, low, CPU).astype(np.float64) - low) ** 2).mean()))
            for name, filled in candidates.items():
                lost_error.setdefault(name, []).append(float(((filled - low.astype(np.float64))[pixels] ** 2).mean()))
            if models:
                print(f"{folder}/{path.name}: change without loss " + ", ".join(f"{c:.2f}" for c in changes))
    for name, errors in lost_error.items():
        print(f"{name}: mean squared error in lost blocks {np.mean(errors):.1f}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    train_root = (
        Path(arguments.pop(0)) if arguments and not arguments[0].endswith(".pt") else Path("../shared/data/train")
    )
    main(train_root, [Path(a) for a in arguments])
