"""The training loop shared by every network: small and direct, in the spirit of nanoGPT.

AdamW with a warm-up then cosine schedule, EMA weights (``torch.optim.swa_utils``), batches
drawn from the pair cache, validation on held-out training images degraded by the test
presets, atomic checkpoints that a rerun resumes from, and a CSV log. CUDA with bfloat16
autocast when present, else the CPU with every core (bfloat16 there too with
``train.precision: bfloat16``); several processes under ``torchrun`` (DistributedDataParallel,
NCCL on GPUs, gloo on CPUs).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from crispcall.data.cache import cache_paths, read_cache_meta, read_caches
from crispcall.data.folders import ImageFolder, holdout_split
from crispcall.degrade.ops import crop_to_multiple
from crispcall.degrade.presets import Degraded, apply_preset, preset_rng
from crispcall.errors import InputError
from crispcall.files import sampled_digest
from crispcall.metrics import chroma_psnr, psnr, psnr_ssim
from crispcall.models.blocks import SelfEnsemble
from crispcall.models.io import ARCHS, load_network, load_saved, save_atomic, write_weights

LossFn = Callable[[nn.Module, torch.Tensor, torch.Tensor], tuple[torch.Tensor, dict[str, float]]]


def append_log_row(path: Path, row: dict[str, float]) -> None:
    """Append ``row`` to the CSV log at ``path``. The columns are the first row's keys (whatever
    terms the loss reports); a resumed run keeps the file's own header."""
    if path.is_file():
        with open(path, newline="") as handle:
            fields = next(csv.reader(handle))
    else:
        fields = list(row)
        with open(path, "w", newline="") as handle:
            csv.writer(handle).writerow(fields)
    with open(path, "a", newline="") as handle:
        csv.writer(handle).writerow([row.get(field, "") for field in fields])


@dataclass(frozen=True)
class Runtime:
    rank: int
    world: int
    device: torch.device

    @property
    def main(self) -> bool:
        return self.rank == 0


def start_runtime(threads: int = 0) -> Runtime:
    """Join the process group when started by torchrun; pick CUDA when present."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if torch.cuda.is_available():
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    else:
        device = torch.device("cpu")
        torch.set_num_threads(threads or max(1, (os.cpu_count() or 1) // world))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Runtime(rank, world, device)


def to_tensor(batch: np.ndarray, device: torch.device) -> torch.Tensor:
    """N x H x W x 3 uint8 -> N x 3 x H x W float in [0, 1]."""
    return torch.from_numpy(batch).to(device).permute(0, 3, 1, 2).float().div_(255.0)


def as_played(low: np.ndarray, side: int) -> np.ndarray:
    """Low-resolution patches (N x h x w x 3 uint8) upscaled to ``side`` as a player shows
    them (bilinear, rounded to uint8): what a same-size network sees from a low-resolution cache."""
    return np.stack([cv2.resize(patch, (side, side), interpolation=cv2.INTER_LINEAR) for patch in low])


@torch.no_grad()
def restore_frame(model: nn.Module, frame: np.ndarray, device: torch.device) -> np.ndarray:
    """Run a network on one RGB uint8 frame (sides edge-padded to a multiple of the network's
    ``size_multiple``, as :class:`crispcall.runtime.Sharpener` pads them); an x``scale``
    network's output is ``scale`` times the frame."""
    height, width = frame.shape[:2]
    multiple, scale = int(getattr(model, "size_multiple", 1)), int(getattr(model, "scale", 1))
    x = to_tensor(frame[None], device)
    x = F.pad(x, (0, -width % multiple, 0, -height % multiple), mode="replicate")
    out = model(x)[..., : height * scale, : width * scale].clamp(0, 1)
    return (out[0].permute(1, 2, 0) * 255.0 + 0.5).byte().cpu().numpy()


def on_received(model: nn.Module) -> bool:
    """Whether ``model`` takes the frame the call delivered (an x``scale`` network, or one
    with ``on_received`` set, as the concealment repair), not that frame as played."""
    return int(getattr(model, "scale", 1)) > 1 or bool(getattr(model, "on_received", False))


def sees_played(model: nn.Module, cache_scale: int) -> bool:
    """Whether ``model`` sees a cache of x``cache_scale`` pairs' patches upscaled as a player shows
    them (:func:`as_played`): a same-size network on a low-resolution cache."""
    return not on_received(model) and cache_scale > 1


def restore_degraded(model: nn.Module, degraded: Degraded, device: torch.device) -> np.ndarray:
    """What eval scores (:meth:`crispcall.methods.base.Method.restore`): a same-size network
    on the upscaled frame; a network :func:`on_received` on the frame the call delivered, its
    output resized bilinearly to the target when the preset's scale is another."""
    if not on_received(model):
        return restore_frame(model, degraded.frame, device)
    return degraded.shown(restore_frame(model, degraded.low, device))


def validation_set(data: dict[str, Any]) -> list[tuple[np.ndarray, Degraded]]:
    """(ground truth, degraded) pairs from the held-out training images: centre crops,
    degraded by each validation preset with the benchmark's per-file seeding."""
    held = [p for root in data["roots"] for p in holdout_split(ImageFolder.scan(root).paths, data["holdout_every"])[1]]
    pairs = []
    for path, image in ImageFolder(held[: data["val_images"]]):
        height, width = image.shape[:2]
        size = min(data["val_crop"], height, width)
        top, left = (height - size) // 2, (width - size) // 2
        gt = crop_to_multiple(np.ascontiguousarray(image[top : top + size, left : left + size]))
        for preset in data["val_presets"]:
            pairs.append((gt, apply_preset(gt, preset, preset_rng(path.name))))
    if not pairs:
        raise InputError(f"no held-out validation images under {data['roots']}")
    return pairs


def evenly_spaced(total: int, count: int) -> np.ndarray:
    """``count`` indices spread evenly over ``range(total)``, both ends included (all when fewer)."""
    return np.linspace(0, total - 1, min(count, total)).astype(int)


def training_pairs(data: dict[str, Any], count: int) -> list[tuple[np.ndarray, Degraded]]:
    """(ground truth, degraded) pairs as :func:`validation_set` gives them, but from the pairs a
    config's data section learns from: ``count`` of its caches' pairs, evenly spaced, each
    delivered as cached and upscaled as a player shows it. A network's score here beside its score
    on the held-out frames shows what it learnt of these images that does not carry over."""
    degraded, clean, meta = read_caches(data["cache"])
    scale, side = int(meta.get("scale", 1)), clean.shape[1]
    picked = evenly_spaced(len(clean), count)
    lows = degraded[picked]
    frames = as_played(lows, side) if scale > 1 else lows
    return [
        (clean[i], Degraded(low=low, frame=frame, scale=scale))
        for i, low, frame in zip(picked, lows, frames, strict=True)
    ]


def validate(
    model: nn.Module, pairs: list[tuple[np.ndarray, Degraded]], device: torch.device, pooled: bool = False
) -> dict[str, float]:
    """Mean PSNR and SSIM on luma (crispcall.metrics, as eval scores them) and PSNR on chroma
    over the validation pairs: ``psnr``, ``ssim``, ``chroma_psnr``. ``pooled`` gives the PSNRs of
    the pairs' mean squared error instead, for patches: a flat one restored exactly scores an
    infinite PSNR, and the mean of the PSNRs would be that."""
    was_training = model.training
    model.eval()
    scores = []
    for gt, degraded in pairs:
        output = restore_degraded(model, degraded, device)
        scores.append((*psnr_ssim(output, gt), chroma_psnr(output, gt)))
    model.train(was_training)
    scores = np.array(scores)
    if pooled:  # PSNR -> squared error as a fraction of the peak's, averaged, and back (inf where all are exact)
        with np.errstate(divide="ignore"):
            scores[:, [0, 2]] = -10 * np.log10(np.mean(10 ** (-scores[:, [0, 2]] / 10), axis=0, keepdims=True))
    return dict(zip(("psnr", "ssim", "chroma_psnr"), scores.mean(axis=0).tolist(), strict=True))


def validate_weights(
    weights: list[Path], config: dict, self_ensemble: bool = False, pairs_from_caches: int = 0
) -> list[dict[str, Any]]:
    """:func:`validate` for each weights file on the held-out frames of a training ``config``'s
    data section (degraded once for all files), or with ``pairs_from_caches`` on that many of the
    pairs it learns from (:func:`training_pairs`; PSNR pooled over them), and with
    ``self_ensemble`` also as its 8-fold self-ensemble (:class:`SelfEnsemble`): one row (weights,
    self_ensemble, psnr, ssim, chroma_psnr) each."""
    runtime = start_runtime(config["train"]["threads"])
    data = config["data"]
    pairs = training_pairs(data, pairs_from_caches) if pairs_from_caches else validation_set(data)
    rows = []
    for path in weights:
        model = load_network(path).to(runtime.device)
        for ensemble in (False, True) if self_ensemble else (False,):
            with torch.no_grad():
                network = SelfEnsemble(model) if ensemble else model
                scores = validate(network, pairs, runtime.device, pooled=bool(pairs_from_caches))
            rows.append({"weights": str(path), "self_ensemble": ensemble, **scores})
    return rows


def dihedral(images: torch.Tensor, k: int) -> torch.Tensor:
    """View ``k`` (0-7) of the eight flips and 90-degree rotations of N x C x H x W images:
    ``k // 2`` quarter turns, then a mirror when ``k`` is odd (0 is the identity)."""
    turned = torch.rot90(images, k // 2, dims=(-2, -1))
    return turned.flip(-1) if k % 2 else turned


def lr_factor(step: int, steps: int, warmup: int, min_ratio: float) -> float:
    """Linear warm-up, then cosine decay to ``min_ratio`` of the peak."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


RESUMABLE_KEYS = ("steps", "val_every", "checkpoint_every", "threads")
# Keys added after checkpoints were committed, left out of the fingerprint at their default so
# that those checkpoints still resume.
LATER_DEFAULTS = {("train", "augment"): False, ("loss", "luma"): False, ("train", "precision"): "auto"}


def run_fingerprint(config: dict) -> str:
    """What a checkpoint must match to be resumed: the config (but for ``RESUMABLE_KEYS``), and
    the content of every file it names (starting weights, teacher, pair cache, responses;
    :func:`~crispcall.files.sampled_digest`). A run resumed under another config or with
    replaced weights would mix two runs silently; caches rebuilt identically on a fresh machine
    let a committed checkpoint resume there."""
    named = [config["train"]["init"], *cache_paths(config["data"]["cache"])]
    for value in config.get("distill", {}).values():
        named += value if isinstance(value, list) else [value]
    files = sorted({str(v) for v in named if isinstance(v, str) and Path(v).is_file()})
    stats = {f: sampled_digest(f) for f in files}
    # How long to run, how often to log and on how many threads may change between sessions:
    # extending a run, or giving it the cores another job has freed, is resuming it.
    recipe = {
        section: {
            k: v
            for k, v in values.items()
            if not (section == "train" and k in RESUMABLE_KEYS)
            and not ((section, k) in LATER_DEFAULTS and v == LATER_DEFAULTS[section, k])
        }
        if isinstance(values, dict)
        else values
        for section, values in config.items()
    }
    text = json.dumps({"config": recipe, "files": stats}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def train(
    build_model: Callable[[], nn.Module],
    config: dict,
    out_dir: Path,
    loss_fn: LossFn,
    name: str,
    loss_module: nn.Module | None = None,
    targets: np.ndarray | None = None,
    load_init: bool = True,
) -> Path:
    """Train the network ``build_model`` makes (seeded by the config) into ``out_dir``; return
    the path of the final EMA weights.

    ``out_dir/checkpoint.pt`` is written every ``checkpoint_every`` steps and resumed from when
    present; ``out_dir/log.csv`` gets a row per ``val_every`` steps; ``out_dir/{name}.pt``
    holds the final EMA weights and the config. ``train.init`` names weights of the same
    network to start from (fine-tuning). ``loss_module`` holds trainable parts of the loss
    (distillation adapters): optimised and checkpointed with the network, not saved with it.
    ``load_init`` False leaves ``train.init`` to ``build_model`` (QAT wraps it first).
    A checkpoint of another run (:func:`run_fingerprint`) is refused, not resumed.
    ``targets`` holds one more N x 3 x H x W float tensor per cached pair (the teacher's
    precomputed outputs); when given, the batch's are passed to ``loss_fn`` as a fourth argument.
    """
    cfg = config["train"]
    runtime = start_runtime(cfg["threads"])
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg["seed"])
    bf16 = cfg["precision"] == "bfloat16" or (cfg["precision"] == "auto" and runtime.device.type == "cuda")
    # oneDNN's bfloat16 convolutions are fast in channels-last memory only.
    memory_format = torch.channels_last if bf16 and runtime.device.type == "cpu" else torch.contiguous_format
    model = build_model().to(runtime.device, memory_format=memory_format)
    if cfg["init"] is not None and load_init:
        # Fine-tuning starts from earlier weights (a checkpoint, when present, overrides them below).
        model.load_state_dict(load_saved(cfg["init"])["model"])
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg["ema_decay"]))
    loss_module = (loss_module or nn.Module()).to(runtime.device, memory_format=memory_format)
    parameters = [*model.parameters(), *loss_module.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: lr_factor(s, cfg["steps"], cfg["warmup_steps"], cfg["min_lr_ratio"])
    )
    checkpoint_path = out_dir / "checkpoint.pt"
    fingerprint = run_fingerprint(config)
    step, elapsed = 0, 0.0
    if checkpoint_path.is_file():
        state = load_saved(checkpoint_path)
        if state.get("fingerprint") != fingerprint:
            raise InputError(
                f"{checkpoint_path} is from another run (its config or the files it names differ): "
                f"remove {out_dir} or train into a new folder"
            )
        model.load_state_dict(state["model"])
        ema.load_state_dict(state["ema"])
        loss_module.load_state_dict(state["loss_module"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        step, elapsed = state["step"], state["seconds"]
        if runtime.main:
            print(f"resuming {name} from step {step}")
    trained = nn.parallel.DistributedDataParallel(model) if runtime.world > 1 else model

    degraded_all, clean_all, cache_meta = read_caches(config["data"]["cache"])
    # A same-size network on a low-resolution cache sees its patches upscaled, as a player shows them.
    cache_scale, model_scale = int(cache_meta.get("scale", 1)), int(getattr(model, "scale", 1))
    if model_scale not in (1, cache_scale):
        raise InputError(f"an x{model_scale} network cannot train on {config['data']['cache']} (x{cache_scale} pairs)")
    played = sees_played(model, cache_scale)
    # A teacher that runs live on the frame the call delivered (distillation) gets the cached low-resolution batch.
    wants_received = bool(getattr(loss_module, "needs_received", False))
    if wants_received and cache_scale == 1:
        raise InputError(f"the teacher runs on the frame the call delivered: {config['data']['cache']} holds none")
    zoomed = [path for path in cache_paths(config["data"]["cache"]) if read_cache_meta(path).get("zoom", 1) > 1]
    if zoomed and (targets is None or any(config["loss"].values())):
        # Its clean patches are enlargements (crispcall data cache --zoom): only a teacher's outputs are targets.
        raise InputError(
            f"{', '.join(zoomed)} holds no ground truth (zoomed): learn from responses only, every loss term 0"
        )
    if targets is not None and targets.shape != (len(clean_all), 3, *clean_all.shape[1:3]):
        raise InputError(f"targets of shape {targets.shape} do not pair with the cache's {clean_all.shape}")
    val_pairs = validation_set(config["data"]) if runtime.main else []
    if runtime.main:
        baseline = np.mean([psnr(degraded.frame, gt) for gt, degraded in val_pairs])
        print(f"{name}: {len(val_pairs)} validation frames, degraded input {baseline:.2f} dB", flush=True)
    log_path = out_dir / "log.csv"
    autocast = torch.autocast(runtime.device.type, dtype=torch.bfloat16, enabled=bf16)
    running: dict[str, list[float]] = {}
    started = time.perf_counter() - elapsed

    while step < cfg["steps"]:
        # Batch indices depend on (seed, rank, step) alone, so a resumed run sees the same data.
        pick = np.random.default_rng((cfg["seed"], runtime.rank, step)).integers(0, len(clean_all), cfg["batch_size"])
        pick.sort()
        low = degraded_all[pick]
        degraded = to_tensor(as_played(low, clean_all.shape[1]) if played else low, runtime.device)
        clean = to_tensor(clean_all[pick], runtime.device)
        extra = () if targets is None else (torch.from_numpy(targets[pick]).to(runtime.device).float(),)
        received = {"received": to_tensor(low, runtime.device)} if wants_received else {}
        if cfg["augment"]:
            # Drawn apart from the pick, so an augmented run sees the same pairs as its twin.
            view = int(np.random.default_rng((cfg["seed"], runtime.rank, step, 1)).integers(8))
            degraded, clean = dihedral(degraded, view), dihedral(clean, view)
            extra = tuple(dihedral(target, view) for target in extra)
            received = {key: dihedral(batch, view) for key, batch in received.items()}
        with autocast:
            loss, parts = loss_fn(trained, degraded, clean, *extra, **received)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if runtime.world > 1:
            # DDP averages the network's gradients; the loss module's are averaged here.
            for parameter in loss_module.parameters():
                dist.all_reduce(parameter.grad)
                parameter.grad /= runtime.world
        optimizer.step()
        schedule.step()
        ema.update_parameters(model)
        step += 1
        for key, value in {"loss": float(loss.detach()), **parts}.items():
            running.setdefault(key, []).append(value)
        last = step == cfg["steps"]
        if runtime.main and (step % cfg["val_every"] == 0 or last):
            scores = validate(ema.module, val_pairs, runtime.device)
            val_psnr, val_ssim = scores["psnr"], scores["ssim"]
            row = {"step": step, "lr": schedule.get_last_lr()[0], **{k: float(np.mean(v)) for k, v in running.items()}}
            row.update(val_psnr=val_psnr, val_ssim=val_ssim, seconds=time.perf_counter() - started)
            append_log_row(log_path, row)
            print(
                f"{name} step {step}/{cfg['steps']} loss {row['loss']:.4f} val {val_psnr:.2f} dB "
                f"{val_ssim:.4f} ({row['seconds'] / 60:.1f} min)",
                flush=True,
            )
            running.clear()
        if runtime.main and (step % cfg["checkpoint_every"] == 0 or last):
            save_atomic(
                {
                    "model": model.state_dict(),
                    "ema": ema.state_dict(),
                    "loss_module": loss_module.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "schedule": schedule.state_dict(),
                    "step": step,
                    "seconds": time.perf_counter() - started,
                    "config": config,
                    "fingerprint": fingerprint,
                    "arch": name,
                },
                checkpoint_path,
            )
    final = out_dir / f"{name}.pt"
    if runtime.main:
        write_weights(final, name, ema.module, config, steps=step)
    if runtime.world > 1:
        dist.barrier()
        dist.destroy_process_group()
    return final


def checkpoint_weights(checkpoint: str | Path, out: str | Path, arch: str | None = None) -> Path:
    """Write the EMA weights a run's ``checkpoint.pt`` holds, as the run writes them when it
    ends: a start (``train.init``) for a new phase where the checkpoint cannot be resumed (its
    pairs made again on another machine: session 34's, remade on an AMD EPYC, did not match the
    Intel Xeon's byte for byte), or the weights of a run stopped early. ``arch`` is the
    network's (``student``, ``teacher``); checkpoints record it since session 41, and one that
    does not is taken as a student's unless ``arch`` says otherwise."""
    state = load_saved(checkpoint)
    if not isinstance(state, dict) or "ema" not in state or "config" not in state:
        raise InputError(f"{checkpoint} is not a checkpoint.pt written by crispcall train")
    arch = arch or state.get("arch", "student")
    if arch not in ARCHS:
        raise InputError(f"arch must be one of {', '.join(ARCHS)}, got {arch!r}")
    config = state["config"]
    if config["train"].get("qat"):
        raise InputError(f"{checkpoint} is a QAT run's: take its student.pt")
    ema = AveragedModel(ARCHS[arch](**config["model"]))
    ema.load_state_dict(state["ema"])
    return write_weights(out, arch, ema.module, config, steps=state["step"])
