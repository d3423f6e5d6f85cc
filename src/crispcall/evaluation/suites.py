"""The test suites of BENCHMARK.md and the frames each set yields, ready to score."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crispcall.data.folders import decode_clip, find_images, load_rgb
from crispcall.degrade.ops import crop_to_multiple
from crispcall.degrade.presets import Degraded, apply_preset, apply_preset_clip, preset_rng

SUITES: dict[str, tuple[str, ...]] = {
    "call": ("faces", "screens", "video", "Set14"),
    "natural": ("BSD100", "Urban100"),
    "classic": ("Set5", "Set14", "BSD100", "Urban100"),
}
VIDEO_SET = "video"
OCR_SET = "screens"
VIDEO_STRIDE = 10  # score every 10th frame of each clip


@dataclass
class TestItem:
    """One scored frame: its ground truth, its degradation, and (for clips) the next frame.

    ``next_gt``/``next_degraded`` pair the frame with its successor so flicker can be
    measured on consecutive frames.
    """

    name: str
    gt: np.ndarray
    degraded: Degraded
    next_gt: np.ndarray | None = None
    next_degraded: Degraded | None = None


def video_dir(data_dir: Path) -> Path:
    """Clips live in ``<data>/video`` or, as in shared/data, beside the test folder."""
    inside = data_dir / VIDEO_SET
    return inside if inside.is_dir() else data_dir.parent / VIDEO_SET


def set_files(data_dir: Path, set_name: str) -> list[Path]:
    """The files of one set: images, or ``.mp4`` clips for the video set."""
    if set_name == VIDEO_SET:
        folder = video_dir(data_dir)
        files = sorted(folder.rglob("*.mp4")) if folder.is_dir() else []
    else:
        folder = data_dir / set_name
        files = find_images(folder) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(f"set {set_name!r} has no files under {folder}")
    return files


def iter_items(files: list[Path], set_name: str, preset: str) -> Iterator[TestItem]:
    """Degrade each file of a set with ``preset``, as BENCHMARK.md fixes it."""
    for path in files:
        rng = preset_rng(path.name)
        if set_name != VIDEO_SET:
            gt = crop_to_multiple(load_rgb(path))
            yield TestItem(path.name, gt, apply_preset(gt, preset, rng))
            continue
        frames, fps = decode_clip(path)
        gts: list[np.ndarray] = []

        def remember(source: Iterator[np.ndarray], into: list[np.ndarray] = gts) -> Iterator[np.ndarray]:
            for frame in source:
                into.append(frame)
                yield frame

        pending: TestItem | None = None
        for index, degraded in enumerate(apply_preset_clip(remember(frames), preset, rng, fps)):
            gt = gts[index]
            gts[index] = None  # keep only what is still needed
            if pending is not None:
                pending.next_gt, pending.next_degraded = gt, degraded
                yield pending
                pending = None
            if index % VIDEO_STRIDE == 0:
                pending = TestItem(f"{path.parent.name}/{index:05d}", gt, degraded)
        if pending is not None:  # the clip ended on a sampled frame: no successor
            yield pending
