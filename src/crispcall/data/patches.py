"""Random patches and degraded/clean training pairs, made on the fly in worker processes."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crispcall.data.folders import ImageFolder, holdout_split
from crispcall.data.stats import CATEGORIES, category
from crispcall.degrade.ops import resize
from crispcall.degrade.random_pipeline import TrainingDegradation
from crispcall.errors import InputError


def random_crop(image: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A ``size`` x ``size`` crop at a random place; smaller images are padded by reflection."""
    height, width = image.shape[:2]
    if height < size or width < size:
        pad = ((0, max(0, size - height)), (0, max(0, size - width)), (0, 0))
        image = np.pad(image, pad, mode="reflect" if min(height, width) > 1 else "edge")
        height, width = image.shape[:2]
    top = int(rng.integers(0, height - size + 1))
    left = int(rng.integers(0, width - size + 1))
    return image[top : top + size, left : left + size]


def augment(patch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One of the eight flips and 90-degree rotations, uniformly."""
    if rng.random() < 0.5:
        patch = patch[:, ::-1]
    return np.ascontiguousarray(np.rot90(patch, int(rng.integers(0, 4))))


@dataclass(frozen=True)
class PairSpec:
    """Everything a worker needs to make pair ``index`` on its own, deterministically."""

    paths: tuple[Path, ...]
    patch_size: int
    seed: int
    degradation_config: str | None
    weights: tuple[float, ...] | None = None  # sampling probability per path; None: uniform
    low_resolution: bool = False  # keep the frame the call delivered, not its upscale
    zoom: int = 1  # enlarge each crop this many times (bicubic) before it is degraded


class PairMaker:
    """Makes degraded/clean patch pairs from a list of images; safe to send to workers."""

    def __init__(self, spec: PairSpec):
        self.spec = spec
        self.folder = ImageFolder(spec.paths)
        self.degrade = TrainingDegradation.load(spec.degradation_config)

    def __call__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng((self.spec.seed, index))
        for _attempt in range(20):
            image = self.folder.load(int(rng.choice(len(self.folder), p=self.spec.weights)))
            if image is not None:
                break
        else:
            raise InputError("20 unreadable images in a row: check the training folders")
        side = self.spec.patch_size // self.spec.zoom
        clean = augment(random_crop(image, side, rng), rng)
        if self.spec.zoom > 1:
            clean = resize(clean, (self.spec.patch_size, self.spec.patch_size), "bicubic")
        degrade = self.degrade.low_resolution if self.spec.low_resolution else self.degrade
        degraded, _record = degrade(clean, rng)
        return degraded, clean


_worker_maker: PairMaker | None = None


def _init_worker(spec: PairSpec) -> None:
    global _worker_maker
    _worker_maker = PairMaker(spec)


def _make_in_worker(index: int) -> tuple[np.ndarray, np.ndarray]:
    assert _worker_maker is not None
    return _worker_maker(index)


def low_resolution_side(degradation: TrainingDegradation, patch_size: int) -> int:
    """The side of a low-resolution patch: ``patch_size`` over the config's one fixed scale."""
    scale = degradation.fixed_scale
    if scale is None or patch_size % scale:
        raise InputError(
            f"low-resolution pairs need a config with one integer scale ([s, s]) that divides the patch size "
            f"{patch_size}; got scale {degradation.config['scale']}"
        )
    return patch_size // scale


def parse_mix(text: str) -> dict[str, float]:
    """``"natural:0.45,faces:0.2,text/screens:0.35"`` -> a dict of category shares."""
    mix = {}
    for part in text.split(","):
        name, _, share = part.partition(":")
        if name not in CATEGORIES:
            raise InputError(f"mix category must be one of {', '.join(CATEGORIES)}; got {name!r}")
        try:
            mix[name] = float(share)
        except ValueError:
            raise InputError(f"mix share for {name} must be a number, got {share!r}") from None
        if mix[name] < 0:
            raise InputError(f"mix share for {name} must be >= 0")
    return mix


def _mix_weights(by_root: dict[Path, list[Path]], mix: dict[str, float]) -> tuple[float, ...]:
    categories = [category(p, root) for root, paths in by_root.items() for p in paths]
    counts = Counter(categories)
    # A category with no images gives its share to the others.
    total = sum(share for name, share in mix.items() if counts[name])
    if total <= 0:
        raise InputError(f"mix {mix} gives no weight to any category present ({dict(counts)})")
    weights = np.array([mix.get(c, 0.0) / total / counts[c] for c in categories])
    return tuple(weights / weights.sum())


def iter_pairs(
    roots: Sequence[str | Path],
    count: int,
    patch_size: int = 96,
    seed: int = 0,
    workers: int = 0,
    degradation_config: str | None = None,
    start: int = 0,
    holdout_every: int = 0,
    mix: dict[str, float] | None = None,
    low_resolution: bool = False,
    zoom: int = 1,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``count`` (degraded, clean) uint8 patch pairs, pair ``i`` fixed by (seed, i).

    ``workers`` > 0 makes them in that many processes (order kept); 0 makes them here.
    ``start`` skips the first pairs, so a resumed run continues the same sequence.
    ``holdout_every`` leaves out the validation images of :func:`holdout_split`.
    ``mix`` gives each content category (see :func:`crispcall.data.stats.category`) its share
    of the pairs, whatever its number of images; None samples images uniformly.
    ``low_resolution`` yields the degraded frame before its upscale (what the call delivered,
    for networks that enlarge it); the config must fix one integer scale that divides
    ``patch_size``.
    ``zoom`` > 1 cuts crops of ``patch_size / zoom`` and enlarges them (bicubic) to ``patch_size``
    before degrading them: with an x``zoom`` call, the received patch is the training image at
    its own scale, and the "clean" patch is no ground truth, only an enlargement (pairs for a
    teacher's targets: data upcycling, DUKD).
    """
    by_root = {Path(root): holdout_split(ImageFolder.scan(root).paths, holdout_every)[0] for root in roots}
    paths = tuple(p for root_paths in by_root.values() for p in root_paths)
    if not paths:
        raise InputError(f"no images found under {', '.join(map(str, roots))}")
    if patch_size < 8:
        raise InputError(f"patch_size must be >= 8, got {patch_size}")
    degradation = TrainingDegradation.load(degradation_config)  # a bad config fails here, not in a worker
    if low_resolution:
        low_resolution_side(degradation, patch_size)
    if zoom < 1 or patch_size % zoom:
        raise InputError(f"zoom must be a positive integer that divides the patch size {patch_size}; got {zoom}")
    weights = None if mix is None else _mix_weights(by_root, mix)
    spec = PairSpec(paths, patch_size, seed, degradation_config, weights, low_resolution, zoom)
    indices = range(start, start + count)
    if workers <= 0:
        maker = PairMaker(spec)
        yield from (maker(i) for i in indices)
        return
    context = multiprocessing.get_context("spawn")  # fork is unsafe beside codec threads
    with context.Pool(workers, initializer=_init_worker, initargs=(spec,)) as pool:
        yield from pool.imap(_make_in_worker, indices, chunksize=8)
