"""An ensemble teacher: the mean of several networks' outputs on the same frame."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from crispcall.errors import InputError


class TeacherEnsemble(nn.Module):
    """The mean of ``members``' outputs; averaging networks trained apart cancels part of their
    separate errors, which a teacher for precomputed targets can afford (its cost is paid once).

    Args:
        members: networks that map the same input to outputs of the same size (equal ``scale``
            and ``size_multiple``, read as 1 when absent).
    """

    def __init__(self, members: Sequence[nn.Module]):
        super().__init__()
        if len(members) < 2:
            raise InputError(f"an ensemble needs at least two members, got {len(members)}")
        scales = {int(getattr(m, "scale", 1)) for m in members}
        multiples = {int(getattr(m, "size_multiple", 1)) for m in members}
        if len(scales) > 1 or len(multiples) > 1:
            raise InputError(f"ensemble members differ in scale {sorted(scales)} or size multiple {sorted(multiples)}")
        self.members = nn.ModuleList(members)
        self.scale, self.size_multiple = scales.pop(), multiples.pop()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([member(x) for member in self.members]).mean(dim=0)
