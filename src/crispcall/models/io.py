"""Load the weights that ``crispcall train`` writes, whatever the network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from crispcall.errors import InputError
from crispcall.models.student import Student
from crispcall.models.teacher import Teacher
from crispcall.models.upconv7 import UpConv7Teacher, UpConv7Upscaler

UPCONV7_KINDS: dict[str, Callable[[], nn.Module]] = {"upconv7": UpConv7Teacher, "upconv7-x2": UpConv7Upscaler}


def build_teacher(kind: str = "srresnet", **options) -> nn.Module:
    """A teacher of the given ``kind``: ``srresnet`` (:class:`Teacher`, trained from scratch,
    ``options`` are its arguments), ``upconv7`` (:class:`UpConv7Teacher`, same-size, from
    waifu2x) or ``upconv7-x2`` (:class:`UpConv7Upscaler`, x2 on the received frame)."""
    if kind in UPCONV7_KINDS:
        if options:
            raise InputError(f"the {kind} teacher takes no options, got {sorted(options)}")
        return UPCONV7_KINDS[kind]()
    if kind != "srresnet":
        raise InputError(f"unknown teacher kind {kind!r}; kinds: srresnet, {', '.join(UPCONV7_KINDS)}")
    return Teacher(**options)


ARCHS: dict[str, Callable[..., nn.Module]] = {"teacher": build_teacher, "student": Student}


def load_network(path: str | Path, arch: str | None = None) -> nn.Module:
    """The network saved at ``path`` (its ``arch`` and ``config['model']``), in eval mode.

    ``arch``, when given, is checked against the file's.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such weights file: {path}")
    state = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(state, dict) or "model" not in state or state.get("arch") not in ARCHS:
        raise InputError(f"{path} is not a weights file written by crispcall train")
    if arch is not None and state["arch"] != arch:
        raise InputError(f"{path} holds a {state['arch']}, not a {arch}")
    model = ARCHS[state["arch"]](**state["config"]["model"])
    model.load_state_dict(state["model"])
    return model.eval()
