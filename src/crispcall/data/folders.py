"""Image folders and clips: recursive listing, robust loading, and the train/test separation check."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import av
import numpy as np
from PIL import Image, UnidentifiedImageError

from crispcall.degrade.ops import crop_to_multiple
from crispcall.degrade.yuv import video_frame_rgb
from crispcall.errors import InputError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


class ImageReadError(InputError):
    """A file is missing or is not a readable image."""


class DataLeakError(InputError):
    """A training folder overlaps a test folder."""


def find_images(root: str | Path) -> list[Path]:
    """All image files under ``root`` (recursive), sorted; ``root`` may also be one file."""
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"no such file or folder: {root}")
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def load_rgb(path: str | Path) -> np.ndarray:
    """Read an image as H x W x 3 uint8 RGB (grey, palette and alpha are converted)."""
    path = Path(path)
    if not path.is_file():
        raise ImageReadError(f"no such file: {path}")
    try:
        with Image.open(path) as image:
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                # Flatten transparency on white, as a screenshot viewer shows it.
                rgba = image.convert("RGBA")
                background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ImageReadError(f"not a readable image: {path} ({error})") from error


class ImageFolder:
    """The images under one or more folders, loaded on demand.

    Unreadable files are reported in the log and skipped, so one bad file never stops a
    long run: :meth:`load` returns None for them, and :attr:`bad` lists them.
    """

    def __init__(self, paths: Sequence[Path]):
        self.paths: list[Path] = list(paths)
        self.bad: list[Path] = []

    @classmethod
    def scan(cls, roots: str | Path | Sequence[str | Path]) -> ImageFolder:
        """The images found under ``roots`` (see :func:`find_images`)."""
        roots = [roots] if isinstance(roots, str | Path) else list(roots)
        return cls([p for root in roots for p in find_images(root)])

    def __len__(self) -> int:
        return len(self.paths)

    def load(self, index: int) -> np.ndarray | None:
        path = self.paths[index]
        try:
            return load_rgb(path)
        except ImageReadError as error:
            log.warning("skipping %s", error)
            self.bad.append(path)
            return None

    def __iter__(self) -> Iterable[tuple[Path, np.ndarray]]:
        for index, path in enumerate(self.paths):
            image = self.load(index)
            if image is not None:
                yield path, image


def decode_clip(path: Path) -> tuple[Iterator[np.ndarray], int]:
    """A clip's frames as RGB (generator, even sides) and its rounded frame rate."""
    try:
        container = av.open(str(path))
        stream = container.streams.video[0]
    except (av.error.FFmpegError, IndexError) as error:
        raise InputError(f"{path}: not a video this build of FFmpeg can decode ({error})") from None
    fps = round(float(stream.average_rate or 30))

    def frames() -> Iterator[np.ndarray]:
        with container:
            for frame in container.decode(stream):
                yield crop_to_multiple(video_frame_rgb(frame))

    return frames(), fps


def holdout_split(paths: Sequence[Path], every: int) -> tuple[list[Path], list[Path]]:
    """Split sorted ``paths`` into (train, held out): every ``every``-th file is held out for
    validation and never reaches a gradient step; ``every`` = 0 holds out nothing."""
    if every < 0:
        raise InputError(f"holdout_every must be >= 0, got {every}")
    if every == 0:
        return list(paths), []
    return [p for i, p in enumerate(paths) if i % every], [p for i, p in enumerate(paths) if not i % every]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_no_overlap(train_roots: Sequence[str | Path], test_roots: Sequence[str | Path]) -> None:
    """Refuse training folders that contain, or sit inside, a test folder, or share a file's
    bytes with one. Raises :class:`DataLeakError` naming the pair."""
    tests = [Path(t).resolve() for t in test_roots if Path(t).exists()]
    for train in (Path(t).resolve() for t in train_roots):
        for test in tests:
            if train == test or test in train.parents or train in test.parents:
                raise DataLeakError(f"training folder {train} overlaps test folder {test}")
    if not tests:
        return
    test_digests = {file_digest(p): p for test in tests for p in find_images(test)}
    for train in train_roots:
        for path in find_images(train):
            twin = test_digests.get(file_digest(path))
            if twin is not None:
                raise DataLeakError(f"training image {path} is byte-identical to test image {twin}")
