"""The frozen teacher's outputs on every pair of a cache, computed once.

Response distillation compares the student's output with the teacher's on the same degraded
patch. The cache never changes and the teacher is frozen, so its outputs can be computed once
and read back like the clean patches: a distilled step then costs what a ground-truth step
costs (the teacher's forward pass was three quarters of it on the CPU), and longer runs fit.
Outputs are stored as float16, unclamped, so the target is the one the live teacher gives (to
about 1e-3 of its value). A self-ensembled teacher takes hours on the CPU, so the rows written
so far are kept beside the output and an interrupted run resumes from them.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from crispcall.data.cache import read_cache
from crispcall.errors import InputError
from crispcall.files import sampled_digest, written_whole
from crispcall.models.blocks import SelfEnsemble
from crispcall.models.io import load_network
from crispcall.train.loop import as_played, sees_played, start_runtime, to_tensor

SAVE_EVERY_S = 60.0  # how often an ongoing run makes its rows safe to resume from


def _resumable_rows(out: Path, job: dict, shape: tuple[int, ...]) -> tuple[np.ndarray, int, Path]:
    """The rows array of an unfinished run of the same ``job`` beside ``out`` and how many of
    its rows are done, or a new one (0 done). Returns the array, the rows done and the state
    file, which names the job and the rows done."""
    rows_path = out.with_name(f".{out.stem}.rows.npy")
    state_path = out.with_name(f".{out.stem}.rows.json")
    if rows_path.is_file() and state_path.is_file():
        state = json.loads(state_path.read_text())
        if state.get("job") == job:
            return np.lib.format.open_memmap(rows_path, mode="r+"), int(state["done"]), state_path
    rows = np.lib.format.open_memmap(rows_path, mode="w+", dtype=np.float16, shape=shape)
    _save_state(state_path, job, 0)
    return rows, 0, state_path


def _save_state(state_path: Path, job: dict, done: int) -> None:
    partial = state_path.with_suffix(".partial")
    partial.write_text(json.dumps({"job": job, "done": done}))
    os.replace(partial, state_path)


@torch.no_grad()
def write_responses(
    teacher_path: str | Path,
    cache_path: str | Path,
    out: str | Path,
    batch_size: int = 32,
    progress: bool = True,
    self_ensemble: bool = False,
    on_clean: bool = False,
) -> Path:
    """Run the teacher on every degraded patch of the cache; write ``out`` (.npz with
    ``responses``, N x 3 x H x W float16 at the clean patches' size in the cache's order, and
    ``meta``). An x2 teacher takes a low-resolution cache of the same scale (``crispcall data
    cache --low-resolution``); a same-size network (a teacher, or a student teaching a cut of
    itself) a same-size cache, or a low-resolution one as the student sees it (:func:`as_played`).
    ``self_ensemble`` averages the teacher over the 8 flips and rotations (:class:`SelfEnsemble`, 8x the time).
    ``on_clean`` runs it on each pair's clean patch instead (:func:`enhanced`): the ground
    truth as the teacher enhances it, DIPNet's targets, for any cache.
    Rows are saved beside ``out`` (``.NAME.rows.npy`` and ``.json``) every minute; a run of the
    same teacher, cache (their contents, as training's fingerprint signs them), ensemble and
    inputs resumes from them, and they go when ``out`` is
    written."""
    out = Path(out)
    if out.suffix != ".npz":
        raise InputError(f"responses are written as .npz, got {out}")
    teacher_path, cache_path = Path(teacher_path), Path(cache_path)
    runtime = start_runtime()
    teacher = load_network(teacher_path).eval().to(runtime.device)
    degraded, clean, cache_meta = read_cache(cache_path)
    teacher_scale, cache_scale = int(getattr(teacher, "scale", 1)), int(cache_meta.get("scale", 1))
    inputs = clean if on_clean else degraded
    if not on_clean and sees_played(teacher, cache_scale):
        inputs = as_played(degraded, clean.shape[1])  # as training shows the cache to a same-size network
    elif not on_clean and teacher_scale != cache_scale:
        raise InputError(
            f"an x{teacher_scale} teacher needs a cache of x{teacher_scale} pairs; {cache_path} holds x{cache_scale}"
        )
    if self_ensemble:
        teacher = SelfEnsemble(teacher)
    out.parent.mkdir(parents=True, exist_ok=True)
    job = {
        "teacher": sampled_digest(teacher_path),
        "cache": sampled_digest(cache_path),
        "self_ensemble": self_ensemble,
        "on_clean": on_clean,
    }
    responses, done, state_path = _resumable_rows(out, job, (len(inputs), 3, *clean.shape[1:3]))
    saved_at = time.monotonic()
    with tqdm(total=len(inputs), initial=done, desc="teacher", unit="patch", disable=not progress) as bar:
        for start in range(done, len(inputs), batch_size):
            batch = to_tensor(inputs[start : start + batch_size], runtime.device)
            output = enhanced(teacher, batch) if on_clean else teacher(batch)
            responses[start : start + batch_size] = output.half().cpu().numpy()
            bar.update(len(batch))
            if time.monotonic() - saved_at > SAVE_EVERY_S:
                responses.flush()  # the rows reach the disk before the state counts them
                _save_state(state_path, job, start + len(batch))
                saved_at = time.monotonic()
    meta = {
        "teacher": str(teacher_path),
        "self_ensemble": self_ensemble,
        "on_clean": on_clean,
        "cache": str(cache_path),
        "count": len(degraded),
        "cache_meta": cache_meta,
    }
    with written_whole(out) as partial, open(partial, "wb") as handle:
        np.savez(handle, responses=responses, meta=np.array(json.dumps(meta)))
    rows_path = Path(responses.filename)
    del responses
    rows_path.unlink()
    state_path.unlink()
    return out


def enhanced(teacher: torch.nn.Module, clean: torch.Tensor) -> torch.Tensor:
    """The teacher's enhancement of clean patches at their own size: an xN teacher's output
    area-downscaled by N (the mean of each N x N block, as ``cv2.INTER_AREA`` at an integer
    factor), a same-size teacher's as it is. DIPNet (Yu et al. 2023) trains its student on such
    teacher-enhanced high-resolution targets."""
    scale = int(getattr(teacher, "scale", 1))
    output = teacher(clean)
    return F.avg_pool2d(output, scale) if scale > 1 else output


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
