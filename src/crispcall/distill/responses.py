"""The frozen teacher's outputs on every pair of a cache, computed once.

Response distillation compares the student's output with the teacher's on the same degraded
patch. The cache never changes and the teacher is frozen, so its outputs can be computed once
and read back like the clean patches: a distilled step then costs what a ground-truth step
costs (the teacher's forward pass was three quarters of it on the CPU), and longer runs fit.
Outputs are stored as float16, unclamped, so the target is the one the live teacher gives (to
about 1e-3 of its value).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from crispcall.data.cache import read_cache
from crispcall.errors import InputError
from crispcall.files import written_whole
from crispcall.models.blocks import SelfEnsemble
from crispcall.models.io import load_network
from crispcall.train.loop import start_runtime, to_tensor


@torch.no_grad()
def write_responses(
    teacher_path: str | Path,
    cache_path: str | Path,
    out: str | Path,
    batch_size: int = 32,
    progress: bool = True,
    self_ensemble: bool = False,
) -> Path:
    """Run the teacher on every degraded patch of the cache; write ``out`` (.npz with
    ``responses``, N x 3 x H x W float16 at the clean patches' size in the cache's order, and
    ``meta``). An x2 teacher takes a low-resolution cache of the same scale (``crispcall data
    cache --low-resolution``); a same-size teacher, a same-size cache. ``self_ensemble``
    averages the teacher over the 8 flips and rotations (:class:`SelfEnsemble`, 8x the time)."""
    out = Path(out)
    if out.suffix != ".npz":
        raise InputError(f"responses are written as .npz, got {out}")
    runtime = start_runtime()
    teacher = load_network(teacher_path, "teacher").eval().to(runtime.device)
    if self_ensemble:
        teacher = SelfEnsemble(teacher)
    degraded, clean, cache_meta = read_cache(cache_path)
    teacher_scale, cache_scale = int(getattr(teacher, "scale", 1)), int(cache_meta.get("scale", 1))
    if teacher_scale != cache_scale:
        raise InputError(
            f"an x{teacher_scale} teacher needs a cache of x{teacher_scale} pairs; {cache_path} holds x{cache_scale}"
        )
    responses = np.empty((len(degraded), 3, *clean.shape[1:3]), np.float16)
    for start in tqdm(range(0, len(degraded), batch_size), desc="teacher", unit="batch", disable=not progress):
        batch = to_tensor(degraded[start : start + batch_size], runtime.device)
        responses[start : start + batch_size] = teacher(batch).half().cpu().numpy()
    meta = {
        "teacher": str(teacher_path),
        "self_ensemble": self_ensemble,
        "cache": str(cache_path),
        "count": len(degraded),
        "cache_meta": cache_meta,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with written_whole(out) as partial, open(partial, "wb") as handle:
        np.savez(handle, responses=responses, meta=np.array(json.dumps(meta)))
    return out


def clean_targets(cache_path: str | Path) -> np.ndarray:
    """A cache's clean patches in the responses' layout (N x 3 x H x W float16 in [0, 1]): the
    target of pairs whose own ground truth is to be learnt rather than a teacher's output."""
    _degraded, clean, meta = read_cache(cache_path)
    if meta.get("zoom", 1) > 1:
        raise InputError(f"{cache_path} holds enlargements, not ground truth (zoomed): give it a teacher's responses")
    return (clean.transpose(0, 3, 1, 2) / np.float16(255)).astype(np.float16)


def read_responses(path: str | Path) -> np.ndarray:
    """The responses array of a file from :func:`write_responses` (the training loop checks
    that it pairs with the cache)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such responses file: {path} (crispcall train responses writes it)")
    with np.load(path) as data:
        return data["responses"]
