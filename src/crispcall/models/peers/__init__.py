"""PyTorch definitions of the peer super-resolution networks, written to load the published
weights in ``shared/peers`` (one file per family). Used to export them to ONNX (inference runs
the export under ONNX Runtime, like our own models) and as starting points for a teacher."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from crispcall.models.peers.carn import CARNM
from crispcall.models.peers.imdn import IMDN, IMDNRTC, IMDNRTE
from crispcall.models.peers.pan import PAN
from crispcall.models.peers.rlfn import RLFN

PEER_BUILDERS: dict[str, Callable[[], nn.Module]] = {
    "imdn": IMDN,
    "imdn-rtc": IMDNRTC,
    "imdn-rte": IMDNRTE,
    "carn-m": CARNM,
    "pan": PAN,
    "rlfn": lambda: RLFN(channels=52),
    "rlfn-s": lambda: RLFN(channels=48),
}


def published_state(weights: str | Path, model: nn.Module) -> dict[str, torch.Tensor]:
    """The published checkpoint at ``weights`` as a state dict for ``model``: without
    DataParallel's ``module.`` prefix, and without CARN-M's x3/x4 heads, which the x2 model
    does not build."""
    state = torch.load(weights, map_location="cpu", weights_only=True)
    state = {k.removeprefix("module."): v for k, v in state.items()}
    own = model.state_dict()
    return {k: v for k, v in state.items() if k in own or not k.startswith("upsample.")}


def load_peer(build: str, weights: str | Path) -> nn.Module:
    """The peer ``build`` (a key of :data:`PEER_BUILDERS`) with its published weights, in eval mode."""
    model = PEER_BUILDERS[build]()
    model.load_state_dict(published_state(weights, model), strict=True)
    return model.eval()
