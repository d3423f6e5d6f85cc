"""Training configs: YAML files of sections, checked against the defaults below."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from crispcall.errors import InputError

PRECISIONS = ("auto", "float32", "bfloat16")

DEFAULTS: dict[str, dict[str, Any]] = {
    "model": {},
    "data": {
        # One pair cache, or a list of caches of the same patch size and scale, read as one.
        "cache": "data/pairs-96.npz",
        "roots": ["../shared/data/train", "data/screens"],
        "holdout_every": 50,
        "val_images": 24,
        "val_crop": 192,
        "val_presets": ["call", "poor", "lossy"],
    },
    "train": {
        "steps": 1000,
        "batch_size": 16,
        "lr": 5.0e-4,
        "weight_decay": 1.0e-4,
        "warmup_steps": 100,
        "min_lr_ratio": 0.05,
        "ema_decay": 0.999,
        "val_every": 250,
        "checkpoint_every": 100,
        "seed": 0,
        "threads": 0,
        "init": None,
        # Quantization-aware fine-tuning of the fused student named by init (crispcall.quant.qat).
        "qat": False,
        # With qat: first equalize the tail and its hidden layer (crispcall.quant.equalize).
        "equalize": False,
        # Each step's batch seen in one of the eight flips and 90-degree rotations (input,
        # ground truth and the teacher's outputs alike): eight views of every cached pair.
        "augment": False,
        # Arithmetic of the forward pass: auto is bfloat16 autocast on CUDA and float32 on the CPU;
        # bfloat16 autocasts on the CPU too, with the network in channels-last memory, which on a
        # CPU with AMX trains about three times as fast (weights and loss terms stay float32).
        "precision": "auto",
    },
    # luma: every term (and the student's response term) on BT.601 luma only.
    "loss": {"l1": 1.0, "l2": 0.0, "ssim": 0.0, "gradient": 0.0, "luma": False},
    # Only the concealment repair reads this section (crispcall.train.repair): each training
    # patch loses blocks of its inner block rows at a rate drawn from loss_rate; gate_loss
    # weighs the fit of its gate to the blocks lost.
    "repair": {"loss_rate": [0.1, 0.4], "gate_loss": 0.001},
    # Only the student reads this section (crispcall.distill): weights of the teacher terms.
    "distill": {
        "teacher": None,
        "response": 0.0,
        "response_norm": "l1",
        "feature": 0.0,
        "structure": 0.0,
        "structure_eps": 1.0,
        # The teacher's outputs on the cache, precomputed (crispcall train responses): the
        # response target is read instead of computed, so a step costs what a ground-truth one does.
        # With a list of caches, a list of one file per cache, `clean` for a cache whose clean
        # patches are the target (crispcall.distill.train.response_targets).
        "responses": None,
    },
}


def _override_value(text: str) -> Any:
    """An override's value parsed as YAML, where a number in exponent form without a dot
    (``5e-4``, which YAML 1.1 reads as a string) is the number."""
    value = yaml.safe_load(text)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return value


def read_sections(path: Path, derived: tuple[Path, ...] = ()) -> dict[str, dict[str, Any]]:
    """A config file's sections as written, over those of the config its ``base`` names (a path
    relative to the file): a variant says only what it changes, key by key within a section."""
    if not path.is_file():
        raise FileNotFoundError(f"no such config: {path}")
    given = yaml.safe_load(path.read_text()) or {}
    if not isinstance(given, dict):
        raise InputError(f"{path}: a config is a mapping of sections")
    base = given.pop("base", None)
    if base is None:
        return given
    derived = (*derived, path.resolve())
    base_path = (path.parent / str(base)).resolve()
    if base_path in derived:
        raise InputError(f"{path}: base {base} leads back to itself")
    sections = read_sections(base_path, derived)
    for section, values in given.items():
        if isinstance(values, dict) and isinstance(sections.get(section), dict):
            sections[section] = {**sections[section], **values}
        else:
            sections[section] = values
    return sections


def load_config(path: str | Path, overrides: Sequence[str] = (), steps: int | None = None) -> dict[str, dict[str, Any]]:
    """Read a config (over its ``base``: :func:`read_sections`); unknown sections or keys raise
    ``ValueError``, missing ones take defaults.

    ``overrides`` are ``section.key=value`` strings (value parsed as YAML) applied on top,
    e.g. ``distill.response=0``; ``steps``, when given, replaces ``train.steps`` (``crispcall
    train --steps``). The ``model`` section is passed to the network's constructor as it is.
    """
    path = Path(path)
    given = read_sections(path)
    for override in overrides:
        name, equals, value = override.partition("=")
        section, dot, key = name.partition(".")
        if not (equals and dot and section and key):
            raise InputError(f"override {override!r} is not section.key=value")
        given.setdefault(section, {})[key] = _override_value(value)
    config = copy.deepcopy(DEFAULTS)
    for section, values in given.items():
        if section not in config:
            raise InputError(f"{path}: unknown section {section!r}; sections: {', '.join(config)}")
        if not isinstance(values, dict):
            raise InputError(f"{path}: section {section!r} must be a mapping")
        if section != "model":
            unknown = set(values) - set(config[section])
            if unknown:
                raise InputError(f"{path}: unknown keys in {section!r}: {', '.join(sorted(unknown))}")
        config[section].update(values)
    if steps is not None:
        config["train"]["steps"] = steps
    if config["train"]["steps"] < 1 or config["train"]["batch_size"] < 1:
        raise InputError(f"{path}: train.steps and train.batch_size must be >= 1")
    if config["train"]["precision"] not in PRECISIONS:
        raise InputError(f"{path}: train.precision must be one of {', '.join(PRECISIONS)}")
    return config
