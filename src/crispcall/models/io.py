"""Load the weights that ``crispcall train`` writes, whatever the network."""

from __future__ import annotations

import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from crispcall.errors import InputError, first_line
from crispcall.files import written_whole
from crispcall.models.ensemble import TeacherEnsemble
from crispcall.models.peers.rlfn import RLFNUpscaler
from crispcall.models.repair import ConcealmentRepair, Repaired
from crispcall.models.student import Student
from crispcall.models.teacher import Teacher
from crispcall.models.upconv7 import UpConv7Teacher, UpConv7Upscaler

# Teachers whose shape is fixed by the published weights they start from, but for the depth
# of RLFN's, which ``crispcall train grow`` deepens (option ``blocks``).
PUBLISHED_KINDS: dict[str, Callable[..., nn.Module]] = {
    "upconv7": UpConv7Teacher,
    "upconv7-x2": UpConv7Upscaler,
    "rlfn-x2": lambda **depth: RLFNUpscaler(channels=52, **depth),
    "rlfn-s-x2": lambda **depth: RLFNUpscaler(channels=48, **depth),
    "rlfn-x3": lambda **depth: RLFNUpscaler(channels=52, scale=3, **depth),
}
GROWN_KINDS = ("rlfn-x2", "rlfn-s-x2", "rlfn-x3")


def build_teacher(kind: str = "srresnet", **options) -> nn.Module:
    """A teacher of the given ``kind``: ``srresnet`` (:class:`Teacher`, trained from scratch,
    ``options`` are its arguments), ``upconv7`` (:class:`UpConv7Teacher`, same-size, from
    waifu2x), ``upconv7-x2`` (:class:`UpConv7Upscaler`, x2 on the received frame), ``rlfn-x2``
    and ``rlfn-s-x2`` (:class:`RLFNUpscaler`, x2, from RLFN and RLFN-S), ``rlfn-x3`` (x3, from an
    ``rlfn-x2`` teacher through ``crispcall train rescale``; these three take ``blocks``, 6 as
    published, more through ``crispcall train grow``), ``ensemble``
    (:class:`TeacherEnsemble`; ``members`` is a list of the members' ``model`` configs) or
    ``repaired`` (:class:`Repaired`; ``network`` is a teacher's ``model`` config, ``repair``
    the arguments of its :class:`ConcealmentRepair`)."""
    if kind in PUBLISHED_KINDS:
        allowed = {"blocks"} if kind in GROWN_KINDS else set()
        if set(options) - allowed:
            takes = "blocks only" if allowed else "no options"
            raise InputError(f"the {kind} teacher takes {takes}, got {sorted(options)}")
        return PUBLISHED_KINDS[kind](**options)
    if kind == "ensemble":
        if set(options) != {"members"}:
            raise InputError(f"an ensemble teacher takes members only, got {sorted(options)}")
        return TeacherEnsemble([build_teacher(**member) for member in options["members"]])
    if kind == "repaired":
        if set(options) != {"network", "repair"}:
            raise InputError(f"a repaired teacher takes network and repair, got {sorted(options)}")
        return Repaired(build_teacher(**options["network"]), ConcealmentRepair(**options["repair"]))
    if kind != "srresnet":
        kinds = ", ".join(["srresnet", *PUBLISHED_KINDS, "ensemble", "repaired"])
        raise InputError(f"unknown teacher kind {kind!r}; kinds: {kinds}")
    return Teacher(**options)


ARCHS: dict[str, Callable[..., nn.Module]] = {"teacher": build_teacher, "student": Student, "repair": ConcealmentRepair}


def load_saved(path: str | Path) -> object:
    """What ``torch.save`` wrote at ``path``; a file it did not write (or a truncated one) is
    refused in one line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except (pickle.UnpicklingError, zipfile.BadZipFile, EOFError, RuntimeError, OSError) as error:
        reason = first_line(error)
        raise InputError(f"{path} is not a file written by crispcall train, or it is cut short ({reason})") from error


def read_weights(path: str | Path, arch: str | None = None) -> dict:
    """What ``crispcall train`` saved at ``path`` (``arch``, ``model``, ``config``), checked to
    be such a file and, when ``arch`` is given, one of that arch."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such weights file: {path}")
    state = load_saved(path)
    if not isinstance(state, dict) or "model" not in state or state.get("arch") not in ARCHS:
        raise InputError(f"{path} is not a {arch + ' ' if arch else ''}weights file written by crispcall train")
    if arch is not None and state["arch"] != arch:
        raise InputError(f"{path} holds a {state['arch']}, not a {arch}")
    return state


def save_atomic(obj: object, path: str | Path) -> None:
    """``torch.save`` ``obj`` to ``path`` whole or not at all (:func:`crispcall.files.written_whole`).
    Saved through a file handle, so the archive's inner folder is torch's fixed name rather than
    the temporary file's random one: the same object saves to the same bytes, and a run whose
    starting weights a command remakes on another machine still signs the same (its committed
    checkpoint resumes there)."""
    with written_whole(path) as partial, open(partial, "wb") as handle:
        torch.save(obj, handle)


def write_weights(path: str | Path, arch: str, model: nn.Module, config: dict, **extra) -> Path:
    """Write ``model`` as ``crispcall train`` does (``arch``, ``model``, ``config`` and the
    ``extra`` entries), whole or not at all, so that :func:`read_weights`, a config's
    ``train.init`` and ``crispcall export`` read it."""
    if arch not in ARCHS:
        raise ValueError(f"arch must be one of {', '.join(ARCHS)}, got {arch!r}")
    path = Path(path)
    save_atomic({"arch": arch, "model": model.state_dict(), "config": config, **extra}, path)
    return path


def load_network(path: str | Path, arch: str | None = None) -> nn.Module:
    """The network saved at ``path`` (its ``arch`` and ``config['model']``), in eval mode.

    ``arch``, when given, is checked against the file's.
    """
    state = read_weights(path, arch)
    model = ARCHS[state["arch"]](**state["config"]["model"])
    model.load_state_dict(state["model"])
    return model.eval()
