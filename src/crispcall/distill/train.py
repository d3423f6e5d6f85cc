"""``crispcall train student``: the student on the pair cache, taught by the frozen teacher."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from crispcall.data.cache import cache_paths
from crispcall.distill.losses import DistillationLoss
from crispcall.distill.responses import clean_targets, read_responses
from crispcall.errors import InputError
from crispcall.models.io import load_network, read_weights, write_weights
from crispcall.models.student import Student
from crispcall.train.config import load_config
from crispcall.train.loop import to_tensor, train
from crispcall.train.losses import RestorationLoss

# ``distill.teacher`` for QAT: the FP32 student named by ``train.init`` teaches itself.
OWN_FP32 = "init"


def train_student(
    config_path: str | Path, out_dir: str | Path, steps: int | None = None, overrides: Sequence[str] = ()
) -> Path:
    """Train the student the config describes; the ``distill`` section weighs the teacher's
    terms (all 0: the ground-truth-only twin). Returns the final EMA weights' path.

    With ``train.qat``, the fused student named by ``train.init`` is fine-tuned with INT8
    fake quantization (:mod:`crispcall.quant.qat`) and saved as a plain student again."""
    config = load_config(config_path, overrides, steps)
    if config["train"]["qat"]:
        return _train_qat(config, Path(out_dir))
    loss = _distillation_loss(config)
    return train(
        lambda: Student(**config["model"]),
        config,
        Path(out_dir),
        loss,
        "student",
        loss_module=loss,
        targets=response_targets(config),
    )


def response_targets(config: dict) -> np.ndarray | None:
    """The precomputed response targets the config names (``distill.responses``), or None:
    one file of teacher outputs per cache of ``data.cache``, in its order, where ``clean``
    makes a cache's clean patches its targets (pairs the teacher would only smooth, such as
    clean x2 frames: configs/degrade-clean-x2.yaml)."""
    named = config["distill"]["responses"]
    if not named:
        return None
    caches = cache_paths(config["data"]["cache"])
    files = named if isinstance(named, list) else [named]
    if len(files) != len(caches):
        raise InputError(f"distill.responses names {len(files)} files for {len(caches)} caches in data.cache")
    pairs = zip(files, caches, strict=True)
    parts = [clean_targets(cache) if path == "clean" else read_responses(path) for path, cache in pairs]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _distillation_loss(config: dict, teacher: nn.Module | None = None) -> DistillationLoss:
    """The loss the config weighs, taught by ``teacher`` or else by the weights
    ``distill.teacher`` names."""
    terms = config["distill"]
    # The teacher runs live for feature alignment, or where no responses are precomputed.
    live = terms["feature"] or (not terms["responses"] and (terms["response"] or terms["structure"]))
    if teacher is None and live:
        if not terms["teacher"]:
            raise InputError("distill.teacher must name the teacher's weights")
        if terms["teacher"] == OWN_FP32:
            raise InputError(f"distill.teacher: {OWN_FP32} is for QAT (train.qat): the FP32 student teaching itself")
        teacher = load_network(terms["teacher"], "teacher")
        if terms["feature"] and not hasattr(teacher, "feature_channels"):
            raise InputError(f"{terms['teacher']} gives no features to distil; set distill.feature to 0")
    probe = Student(**config["model"])
    return DistillationLoss(
        teacher,
        RestorationLoss(**config["loss"]),
        response=terms["response"],
        response_norm=terms["response_norm"],
        feature=terms["feature"],
        structure=terms["structure"],
        structure_eps=terms["structure_eps"],
        student_channels=[probe.channels] * len(probe.tap_after),
        teacher_channels=getattr(teacher, "feature_channels", 0),
    )


def _calibration_inputs(roots: Sequence[str | Path], count: int = 16) -> list[torch.Tensor]:
    """Degraded training crops (the INT8 export's calibration frames) as network inputs."""
    from crispcall.quant.ptq import calibration_frames

    return [to_tensor(frame[None], torch.device("cpu")) for frame in calibration_frames(roots, count)]


def _train_qat(config: dict, out_dir: Path) -> Path:
    from crispcall.quant.equalize import equalize_tail
    from crispcall.quant.qat import prepare_qat, strip_qat

    init = config["train"]["init"]
    if init is None:
        raise InputError("train.qat fine-tunes an existing student: set train.init")
    # INT8 runs the fused graph, so the fused convolutions are what learn to be rounded.
    fused = load_network(init, "student").fuse()
    if config["train"]["equalize"]:
        equalize_tail(fused, _calibration_inputs(config["data"]["roots"]))
    config["model"] = dict(fused.config)
    own = config["distill"]["teacher"] == OWN_FP32
    if own and config["distill"]["responses"]:
        raise InputError(f"distill.teacher: {OWN_FP32} runs the FP32 student live: leave distill.responses empty")
    # Its own FP32 outputs as targets are meant to keep QAT from moving the function (with the
    # teacher's it traded 0.1 dB at `call` for `x2`); in session 24 they moved it the same way.
    loss = _distillation_loss(config, copy.deepcopy(fused) if own else None)
    final = train(
        lambda: prepare_qat(copy.deepcopy(fused)),
        config,
        out_dir,
        loss,
        "student",
        loss_module=loss,
        targets=None if own else response_targets(config),
        load_init=False,  # init's keys are the plain network's: the builder wraps the loaded weights
    )
    wrapped = prepare_qat(copy.deepcopy(fused))
    state = read_weights(final, "student")
    wrapped.load_state_dict(state["model"])
    return write_weights(final, "student", strip_qat(wrapped), config, steps=state["steps"])
