"""``crispcall train teacher``: the teacher on the pair cache with L1 + SSIM + edge losses."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from crispcall.errors import InputError
from crispcall.models.blocks import regrid_subpixel_head
from crispcall.models.io import GROWN_KINDS, build_teacher, read_weights, write_weights
from crispcall.models.peers import published_state
from crispcall.models.peers.rlfn import identity_block
from crispcall.models.upconv7 import read_ncnn_upconv7
from crispcall.train.config import load_config
from crispcall.train.loop import train
from crispcall.train.losses import RestorationLoss


def train_teacher(
    config_path: str | Path, out_dir: str | Path, steps: int | None = None, overrides: Sequence[str] = ()
) -> Path:
    config = load_config(config_path, overrides, steps)
    loss = RestorationLoss(**config["loss"])

    def loss_fn(model: nn.Module, degraded: torch.Tensor, clean: torch.Tensor):
        return loss(model(degraded), clean)

    return train(lambda: build_teacher(**config["model"]), config, Path(out_dir), loss_fn, "teacher")


def _save_teacher(teacher: nn.Module, model_config: dict, source: str, out: str | Path) -> Path:
    """Write ``teacher`` as a weights file that a config's ``train.init``, ``distill.teacher``
    and ``crispcall export`` can name."""
    return write_weights(out, "teacher", teacher, {"model": model_config}, steps=0, source=source)


def import_waifu2x(bin_path: str | Path, out: str | Path, kind: str = "upconv7") -> Path:
    """Write waifu2x's ncnn ``upconv_7`` weights as a teacher weights file of ``kind``
    (``upconv7`` same-size or ``upconv7-x2``)."""
    teacher = build_teacher(kind).load_upconv7(read_ncnn_upconv7(bin_path))
    return _save_teacher(teacher, {"kind": kind}, str(bin_path), out)


def import_rlfn(pth_path: str | Path, out: str | Path, kind: str = "rlfn-x2") -> Path:
    """Write RLFN's published PyTorch weights (``rlfn_x2.pth`` for ``rlfn-x2``,
    ``rlfn_s_x2.pth`` for ``rlfn-s-x2``) as an x2 teacher weights file."""
    teacher = build_teacher(kind)
    try:
        teacher.load_state_dict(published_state(pth_path, teacher), strict=True)
    except (RuntimeError, pickle.UnpicklingError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise InputError(
            f"{pth_path} holds no {kind} weights (rlfn_x2.pth: rlfn-x2, rlfn_s_x2.pth: rlfn-s-x2): {first_line}"
        ) from error
    return _save_teacher(teacher, {"kind": kind}, str(pth_path), out)


def ensemble_teachers(weights: Sequence[str | Path], out: str | Path) -> Path:
    """Write the ensemble of the teacher weights files ``weights`` (the mean of their
    outputs) as one teacher weights file."""
    members = [read_weights(path, "teacher") for path in weights]
    model_config = {"kind": "ensemble", "members": [member["config"]["model"] for member in members]}
    teacher = build_teacher(**model_config)
    state = {f"members.{i}.{key}": value for i, member in enumerate(members) for key, value in member["model"].items()}
    teacher.load_state_dict(state, strict=True)
    return _save_teacher(teacher, model_config, " + ".join(str(path) for path in weights), out)


def add_repair(weights: str | Path, repair: str | Path, out: str | Path) -> Path:
    """Write the teacher of ``weights`` behind the trained concealment repair of ``repair``
    (``crispcall train repair``) as one ``repaired`` teacher weights file."""
    network, mend = read_weights(weights, "teacher"), read_weights(repair, "repair")
    model_config = {"kind": "repaired", "network": network["config"]["model"], "repair": mend["config"]["model"]}
    teacher = build_teacher(**model_config)
    teacher.network.load_state_dict(network["model"], strict=True)
    teacher.repair.load_state_dict(mend["model"], strict=True)
    return _save_teacher(teacher, model_config, f"{weights} behind the repair {repair}", out)


def _behind_repair(model: dict) -> tuple[dict, str]:
    """The config of the network a teacher config runs and the prefix of that network's keys in
    the teacher's state: the network behind a ``repaired`` teacher's concealment repair."""
    return (model["network"], "network.") if model["kind"] == "repaired" else (model, "")


def grow_teacher(weights: str | Path, blocks: int, out: str | Path) -> Path:
    """Write the RLFN teacher of ``weights`` deepened to ``blocks`` blocks to fine-tune: its
    trained blocks, then new ones that start as the identity (:func:`identity_block`), so that
    it starts from the trained network's output and the new depth learns from there. Of a
    ``repaired`` teacher it grows the network behind the repair."""
    source = read_weights(weights, "teacher")
    model, state = source["config"]["model"], dict(source["model"])
    network, prefix = _behind_repair(model)
    if network["kind"] not in GROWN_KINDS:
        raise InputError(f"{weights} holds a {network['kind']} teacher; grow takes {', '.join(GROWN_KINDS)}")
    trained = network.get("blocks", 6)
    if blocks <= trained:
        raise InputError(f"{weights} has {trained} blocks already; grow it to more")
    grown = {**network, "blocks": blocks}
    model_config = {**model, "network": grown} if prefix else grown
    channels = state[f"{prefix}conv_1.weight"].shape[0]
    for index in range(trained + 1, blocks + 1):
        fresh = identity_block(channels).state_dict()
        state.update({f"{prefix}block_{index}.{key}": value for key, value in fresh.items()})
    teacher = build_teacher(**model_config)
    teacher.load_state_dict(state, strict=True)
    return _save_teacher(teacher, model_config, f"{weights} grown to {blocks} blocks", out)


RESCALED_KINDS = {"rlfn-x2": "rlfn-x3"}  # an x2 teacher's kind -> the kind of the same body at x3


def rescale_teacher(weights: str | Path, out: str | Path) -> Path:
    """Write the x2 teacher of ``weights`` as an x3 one to fine-tune: the same body, its
    pixel-shuffle head regridded to x3 (:func:`crispcall.models.blocks.regrid_subpixel_head`),
    so that it starts close to the x2 network's output instead of from noise. Of a ``repaired``
    teacher it takes the network behind the repair (the x3 twin has none)."""
    source = read_weights(weights, "teacher")
    network, prefix = _behind_repair(source["config"]["model"])
    state = {key.removeprefix(prefix): value for key, value in source["model"].items() if key.startswith(prefix)}
    kind = network["kind"]
    if kind not in RESCALED_KINDS:
        raise InputError(f"{weights} holds a {kind} teacher; rescale takes {', '.join(RESCALED_KINDS)}")
    model_config = {**network, "kind": RESCALED_KINDS[kind]}  # a grown network keeps its depth
    teacher = build_teacher(**model_config)
    state["upsampler.0.weight"], state["upsampler.0.bias"] = regrid_subpixel_head(
        state["upsampler.0.weight"], state["upsampler.0.bias"], 2, teacher.scale
    )
    teacher.load_state_dict(state, strict=True)
    return _save_teacher(teacher, model_config, f"{weights} rescaled to x{teacher.scale}", out)
