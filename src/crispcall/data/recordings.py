"""Recordings of real WebRTC calls (``crispcall record``): their sources, the alignment of each
received frame to the source frame it shows, and reading them back (``crispcall eval --suite
webrtc``).

A recording is a folder: ``meta.json`` (the source and how to make it again, the call's
settings, one entry per received frame, the call's statistics every second) and
``received.i420``, every received frame's planes exactly as the decoder gave them (I420 at the
received size), one after the other. Sources are not copied: ``meta.json`` names the clip or the
stills (with their SHA-256) and the slideshow's settings, and :func:`source_from_origin` makes
the same frames again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from crispcall.data.folders import DataLeakError, decode_clip, file_digest, load_rgb
from crispcall.degrade.yuv import i420_to_rgb, rgb_luma
from crispcall.errors import InputError

META_FILE = "meta.json"
RECEIVED_FILE = "received.i420"
MIN_MATCH_PSNR = 20.0  # dB: a received frame further than this from its match is no reliable match
ALIGN_WIDTH = 160  # frames are compared at this width (or less) to find the match
MAX_STEP = 10  # source frames the sender may skip between two frames it sends, plus one


@dataclass
class Source:
    """What the fake camera plays: RGB frames (even sides), their rate, and ``origin``, what
    :func:`source_from_origin` needs to make the same frames again."""

    name: str
    frames: list[np.ndarray]
    fps: int
    origin: dict[str, Any]


def clip_source(path: Path) -> Source:
    """A video clip as a source, every frame."""
    path = Path(path)
    frames, fps = decode_clip(path)
    decoded = list(frames)
    if not decoded:
        raise InputError(f"{path}: no video frame could be decoded")
    return Source(path.stem, decoded, fps, {"kind": "clip", "path": str(path), "sha256": file_digest(path)})


def slideshow(images: Sequence[np.ndarray], size: tuple[int, int], seconds: float, fps: int) -> list[np.ndarray]:
    """Each still shown for ``seconds`` at ``size`` (width, height) with a slow pan: the still is
    resized to cover 110% of the frame and the frame's window slides across the margin, so every
    frame differs from the last, as a camera's do."""
    width, height = size
    count = max(2, round(seconds * fps))
    frames = []
    for image in images:
        cover = 1.1 * max(width / image.shape[1], height / image.shape[0])
        big_w, big_h = max(width, round(image.shape[1] * cover)), max(height, round(image.shape[0] * cover))
        kernel = cv2.INTER_AREA if cover < 1 else cv2.INTER_CUBIC
        big = cv2.resize(image, (big_w, big_h), interpolation=kernel)
        for i in range(count):
            t = i / (count - 1)
            left, top = round(t * (big_w - width)), round(t * (big_h - height))
            frames.append(np.ascontiguousarray(big[top : top + height, left : left + width]))
    return frames


def stills_source(
    name: str, paths: Sequence[Path], size: tuple[int, int] = (1280, 720), seconds: float = 2.0, fps: int = 30
) -> Source:
    """Still images as one slideshow source (:func:`slideshow`), in the order given."""
    if not paths:
        raise InputError(f"{name}: no still images")
    if size[0] % 2 or size[1] % 2:
        raise InputError(f"the slideshow's sides must be even, got {size[0]}x{size[1]}")
    frames = slideshow([load_rgb(p) for p in paths], size, seconds, fps)
    origin = {
        "kind": "stills",
        "paths": [str(p) for p in paths],
        "sha256": [file_digest(Path(p)) for p in paths],
        "size": list(size),
        "seconds": seconds,
        "fps": fps,
    }
    return Source(name, frames, fps, origin)


def origin_files(origin: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, SHA-256) of each file a source's ``origin`` names: the clip, or every still."""
    if origin.get("kind") not in ("clip", "stills"):
        raise InputError(f"a recording's source is a clip or stills, not {origin.get('kind')!r}")
    if origin["kind"] == "clip":
        return [(origin["path"], origin["sha256"])]
    return list(zip(origin["paths"], origin["sha256"], strict=True))


def source_from_origin(name: str, origin: dict[str, Any]) -> Source:
    """The source a recording names, made again; refused when its files changed since."""
    files = origin_files(origin)
    for path, digest in files:
        if not Path(path).is_file():
            raise InputError(f"the recording's source {path} is missing")
        if file_digest(Path(path)) != digest:
            raise InputError(f"the recording's source {path} changed since it was recorded")
    if origin["kind"] == "clip":
        return clip_source(Path(origin["path"]))
    return stills_source(name, [Path(p) for p, _ in files], tuple(origin["size"]), origin["seconds"], origin["fps"])


def ping_pong(count: int) -> list[int]:
    """The source frame indices the fake camera plays, one loop: forward, then backward without
    repeating either end. A plain loop would jump from the last frame to the first, a scene cut
    that real cameras never make and that costs the encoder its quality for a while."""
    return [*range(count), *range(count - 2, 0, -1)]


def _small(luma: np.ndarray) -> np.ndarray:
    height, width = luma.shape
    scale = min(1.0, ALIGN_WIDTH / width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(luma, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def align(
    received: Sequence[np.ndarray],
    source: Sequence[np.ndarray],
    loop: Sequence[int] | None = None,
    max_step: int = MAX_STEP,
) -> np.ndarray:
    """The position in ``loop`` of the source frame each received frame shows.

    ``received``: Y planes (any sizes); ``source``: RGB frames; ``loop``: the order the fake
    camera plays them in, over and over (default: as given; :func:`ping_pong` shows most frames
    twice a loop, and each is compared once). Each received frame is compared (mean squared
    error, both reduced to at most :data:`ALIGN_WIDTH` wide) with every source frame scaled to
    its size, and the positions are chosen together (dynamic programming) as the cheapest path
    that moves forward by 0 to ``max_step`` frames at a time, wrapping at the end of the loop: a
    sender that drops frames skips source frames, and Chromium's fake camera shows its first
    frame twice when it loops."""
    if not received or not source:
        raise InputError("alignment needs received and source frames")
    loop = np.arange(len(source)) if loop is None else np.asarray(loop)
    count = len(loop)
    source_luma = [rgb_luma(frame) for frame in source]
    cost_rows = []
    by_size: dict[tuple[int, int], np.ndarray] = {}
    for luma in received:
        size = (luma.shape[1], luma.shape[0])
        if size not in by_size:
            by_size[size] = np.stack([_small(cv2.resize(s, size, interpolation=cv2.INTER_AREA)) for s in source_luma])
        candidates = by_size[size]
        cost_rows.append(((candidates - _small(luma)[None]) ** 2).mean(axis=(1, 2)))
    costs = np.stack(cost_rows)[:, loop]
    total = costs[0].copy()
    back = np.zeros((len(received), count), np.int64)
    states = np.arange(count)
    for t in range(1, len(received)):
        # predecessor of state s for a step k is s - k (mod count)
        steps = np.stack([np.roll(total, k) for k in range(max_step + 1)])
        best = steps.argmin(axis=0)
        back[t] = (states - best) % count
        total = steps[best, states] + costs[t]
    path = np.empty(len(received), np.int64)
    path[-1] = int(total.argmin())
    for t in range(len(received) - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def match_psnr(luma: np.ndarray, frame: np.ndarray) -> float:
    """PSNR of a received Y plane against the source frame's, scaled to the received size."""
    reference = cv2.resize(rgb_luma(frame), (luma.shape[1], luma.shape[0]), interpolation=cv2.INTER_AREA)
    mse = float(np.mean((luma.astype(np.float64) - reference) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


@dataclass
class Recording:
    """A recording folder read back: ``meta`` is its ``meta.json``."""

    folder: Path
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def reliable(self) -> bool:
        return bool(self.meta["alignment"]["reliable"])

    def received(self) -> Iterator[tuple[dict[str, Any], np.ndarray]]:
        """(entry, RGB frame at the received size) for every received frame, in order."""
        for entry in self.meta["frames"]:
            yield entry, self.frame(entry)

    @cached_property
    def _raw(self) -> np.ndarray:
        return np.memmap(self.folder / RECEIVED_FILE, np.uint8, mode="r")

    def frame(self, entry: dict[str, Any]) -> np.ndarray:
        """The RGB frame of one of ``meta["frames"]``, at the received size."""
        planes = np.asarray(self._raw[entry["offset"] : entry["offset"] + entry["bytes"]])
        return i420_to_rgb(planes, entry["width"], entry["height"])

    def source_width(self) -> int:
        """The width of the frames the fake camera played."""
        origin = self.meta["source"]["origin"]
        if origin["kind"] == "stills":
            return int(origin["size"][0])
        frames, _ = decode_clip(Path(origin["path"]))
        return next(frames).shape[1]

    def pairs(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(received RGB frame, the source frame it shows) for every received frame."""
        source = source_from_origin(self.meta["source"]["name"], self.meta["source"]["origin"])
        for entry, frame in self.received():
            yield frame, source.frames[entry["source_index"]]


def read_recording(folder: Path) -> Recording:
    """A recording written by ``crispcall record``; a clear error for anything else."""
    folder = Path(folder)
    meta_path = folder / META_FILE
    if not meta_path.is_file() or not (folder / RECEIVED_FILE).is_file():
        raise InputError(
            f"{folder} is not a recording (no {META_FILE} and {RECEIVED_FILE}): make one with crispcall record"
        )
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as error:
        raise InputError(f"{meta_path}: not valid JSON ({error})") from None
    return Recording(folder, meta)


def find_recordings(root: Path) -> list[Path]:
    """Every finished recording under ``root`` (``root`` itself when it is one), sorted;
    unfinished ones (hidden ``.partial`` folders) are not listed."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"no such recordings folder: {root}")
    metas = root.rglob(META_FILE)
    found = [meta.parent for meta in metas if not any(p.startswith(".") for p in meta.relative_to(root).parts)]
    if not found:
        raise InputError(f"no recordings under {root}: make them with crispcall record")
    return sorted(set(found))


def check_apart(recordings: Sequence[Recording], test_roots: Sequence[str | Path]) -> None:
    """Refuse recordings whose source holds a file with the bytes of one under ``test_roots``
    (test images and clips): what trains must never show test content."""
    tests = {file_digest(p): p for root in test_roots for p in sorted(Path(root).rglob("*")) if p.is_file()}
    for recording in recordings:
        for _, digest in origin_files(recording.meta["source"]["origin"]):
            if digest in tests:
                raise DataLeakError(f"recording {recording.folder} shows test file {tests[digest]}")


def x2_pairs(
    recordings: Sequence[Recording], count: int, patch_size: int, seed: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``count`` x2 patch pairs (low ``patch_size // 2`` px, clean ``patch_size`` px) cut from the
    frames the calls delivered below their source's size, drawn uniformly over those frames.

    Each received frame is first resized to half its source frame's size (bilinearly when
    enlarging, by area when shrinking), so that the player's x2 upscale in training stands for the
    one from the received size to the display. Frames that arrived at the source's size are left
    out (they are shown as received), as are unreliable recordings and frames without a reliable
    match."""
    if count < 1 or patch_size < 2 or patch_size % 2:
        raise InputError(f"need a positive count and an even patch size, got {count} and {patch_size}")
    eligible = []
    for index, recording in enumerate(recordings):
        if recording.reliable:
            width = recording.source_width()
            frames = recording.meta["frames"]
            eligible += [(index, e) for e in frames if e["match_psnr"] >= MIN_MATCH_PSNR and e["width"] < width]
    if not eligible:
        raise InputError("no recorded frame arrived below its source's size: nothing to learn an upscale from")
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.integers(len(eligible), size=count))  # in recording order: one source at a time
    low_side = patch_size // 2
    for index, draws in groupby(chosen, key=lambda c: eligible[c][0]):
        recording = recordings[index]
        source = source_from_origin(recording.meta["source"]["name"], recording.meta["source"]["origin"])
        for c in draws:
            entry = eligible[c][1]
            clean = source.frames[entry["source_index"]]
            height, width = clean.shape[0] // 2, clean.shape[1] // 2
            if height < low_side or width < low_side:
                raise InputError(f"{recording.folder}: frames of {width * 2}x{height * 2} are smaller than the patch")
            received = recording.frame(entry)
            kernel = cv2.INTER_LINEAR if received.shape[1] < width else cv2.INTER_AREA
            low = cv2.resize(received, (width, height), interpolation=kernel)
            top, left = int(rng.integers(height - low_side + 1)), int(rng.integers(width - low_side + 1))
            yield (
                low[top : top + low_side, left : left + low_side],
                clean[2 * top : 2 * top + patch_size, 2 * left : 2 * left + patch_size],
            )
