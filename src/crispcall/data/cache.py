"""A fixed cache of degraded/clean patch pairs, for fast CPU training."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from crispcall.data.folders import check_no_overlap
from crispcall.data.patches import iter_pairs, low_resolution_side
from crispcall.data.recordings import check_apart, find_recordings, read_recording, x2_pairs
from crispcall.degrade.ops import resize
from crispcall.degrade.random_pipeline import TrainingDegradation
from crispcall.errors import InputError, first_line
from crispcall.files import written_whole


def write_cache(
    roots: Sequence[str | Path],
    out: str | Path,
    count: int,
    patch_size: int = 96,
    seed: int = 0,
    workers: int = 0,
    test_roots: Sequence[str | Path] = (),
    degradation_config: str | None = None,
    progress: bool = True,
    holdout_every: int = 0,
    mix: dict[str, float] | None = None,
    low_resolution: bool = False,
    target_scale: int | None = None,
    zoom: int = 1,
) -> Path:
    """Write ``count`` pairs to ``out`` (.npz with ``degraded``, ``clean`` and ``meta``).

    ``holdout_every`` keeps every N-th training image out of the cache for validation.
    ``low_resolution`` keeps the degraded patches at the size the call delivered them
    (:func:`~crispcall.data.patches.iter_pairs`); ``meta["scale"]`` then gives the factor.
    ``target_scale`` (with ``low_resolution``) keeps the clean patches at that many times the
    low-resolution side instead (area-resized), for an x``target_scale`` network
    trained on calls at a larger scale; ``meta["call_scale"]`` then keeps the call's.
    ``zoom`` enlarges each crop before degrading it (:func:`~crispcall.data.patches.iter_pairs`):
    its clean patches are no ground truth, ``meta["zoom"]`` says so, and training refuses them
    as targets: only a teacher's responses may be learnt from them.

    The file is written beside ``out`` under a temporary name and renamed when complete,
    so an interrupted run never leaves a cache that looks whole.
    """
    if count < 1:
        raise InputError(f"count must be >= 1, got {count}")
    check_no_overlap(roots, test_roots)
    degradation = TrainingDegradation.load(degradation_config)
    low_side = low_resolution_side(degradation, patch_size) if low_resolution else patch_size
    call_scale = patch_size // low_side
    if target_scale is not None and not (low_resolution and 1 < target_scale < call_scale):
        raise InputError(f"a target scale needs low-resolution pairs at a larger scale (x{call_scale} here)")
    pairs = iter_pairs(
        roots, count, patch_size, seed, workers, degradation_config, holdout_every=holdout_every, mix=mix,
        low_resolution=low_resolution, zoom=zoom,
    )  # fmt: skip
    degraded, clean = collect_pairs(pairs, count, low_side, patch_size, progress)
    if target_scale is not None:  # area averaging, as the benchmark downscales
        side = low_side * target_scale
        clean = np.stack([resize(patch, (side, side), "area") for patch in clean])
    meta = {
        "roots": [str(r) for r in roots],
        "count": count,
        "patch_size": patch_size,
        "seed": seed,
        "holdout_every": holdout_every,
        "mix": mix,
        "scale": target_scale or call_scale,
        **({"call_scale": call_scale} if target_scale else {}),
        **({"zoom": zoom} if zoom > 1 else {}),
        "degradation_config": degradation_config or "crispcall/degrade/train.yaml",
    }
    return save_cache(out, degraded, clean, meta)


def write_recorded_cache(
    recordings: Sequence[str | Path],
    out: str | Path,
    count: int,
    patch_size: int = 128,
    seed: int = 0,
    test_roots: Sequence[str | Path] = (),
    progress: bool = True,
) -> Path:
    """Write ``count`` x2 pairs cut from the recordings under ``recordings``
    (:func:`~crispcall.data.recordings.x2_pairs`): real call artefacts as training pairs. Refuses
    recordings of test content (a source file with the bytes of one under ``test_roots``)."""
    found = [read_recording(folder) for root in recordings for folder in find_recordings(Path(root))]
    check_apart(found, test_roots)
    pairs = x2_pairs(found, count, patch_size, seed)
    degraded, clean = collect_pairs(pairs, count, patch_size // 2, patch_size, progress)
    meta = {
        "recordings": [str(r.folder) for r in found],
        "count": count,
        "patch_size": patch_size,
        "seed": seed,
        "scale": 2,
    }
    return save_cache(out, degraded, clean, meta)


def collect_pairs(
    pairs: Iterable[tuple[np.ndarray, np.ndarray]], count: int, low_side: int, patch_size: int, progress: bool
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` (degraded, clean) patch pairs stacked into two uint8 arrays, with a progress bar."""
    degraded = np.empty((count, low_side, low_side, 3), np.uint8)
    clean = np.empty((count, patch_size, patch_size, 3), np.uint8)
    for i, (low, high) in enumerate(tqdm(pairs, total=count, desc="pairs", disable=not progress)):
        degraded[i], clean[i] = low, high
    return degraded, clean


def save_cache(out: str | Path, degraded: np.ndarray, clean: np.ndarray, meta: dict) -> Path:
    """Pairs and their meta in one .npz, written under a temporary name and renamed when whole."""
    out = Path(out)
    if out.suffix != ".npz":
        out = out.with_suffix(".npz")
    out.parent.mkdir(parents=True, exist_ok=True)
    with written_whole(out) as partial, open(partial, "wb") as handle:
        np.savez(handle, degraded=degraded, clean=clean, meta=np.array(json.dumps(meta)))
    return out


@contextmanager
def opened_cache(path: str | Path) -> Iterator[Any]:
    """A pair cache's arrays (numpy's lazy NpzFile); a file that is not one, or a cut one, is
    refused in one line."""
    try:
        with np.load(path) as data:
            yield data
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as error:
        reason = first_line(error)
        raise InputError(f"{path} is not a pair cache written by crispcall, or it is cut short ({reason})") from error


def read_cache(path: str | Path) -> tuple[np.ndarray, np.ndarray, dict]:
    """The (degraded, clean, meta) arrays of a cache written by :func:`write_cache`."""
    with opened_cache(path) as data:
        return data["degraded"], data["clean"], json.loads(str(data["meta"]))


def read_cache_meta(path: str | Path) -> dict:
    """A cache's meta alone, without reading its pairs."""
    with opened_cache(path) as data:
        return json.loads(str(data["meta"]))


def cache_paths(paths: str | Path | Sequence[str | Path] | None) -> list[str]:
    """A config's ``data.cache`` (one path, a list, or none yet) as a list of paths."""
    if paths is None:
        return []
    return [str(paths)] if isinstance(paths, str | Path) else [str(path) for path in paths]


def read_caches(paths: str | Path | Sequence[str | Path]) -> tuple[np.ndarray, np.ndarray, dict]:
    """One cache, or several read as one (their pairs in the order given): caches of different
    degradations mixed in one run. They must share the patch size and the scale; the meta is
    the first cache's, with the whole count."""
    parts = [read_cache(path) for path in cache_paths(paths)]
    if len(parts) == 1:
        return parts[0]
    shapes = {(degraded.shape[1:], clean.shape[1:]) for degraded, clean, _ in parts}
    if len(shapes) > 1:
        raise InputError(f"caches {', '.join(cache_paths(paths))} hold pairs of different sizes or scales")
    meta = {**parts[0][2], "count": sum(len(clean) for _, clean, _ in parts)}
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), meta
