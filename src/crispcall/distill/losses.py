"""Distillation terms: response (student output to teacher output), feature alignment through
learned adapters, and a SIFT-inspired structure term on gradient-orientation descriptors."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from crispcall.errors import InputError
from crispcall.train.losses import RestorationLoss, full_precision, sobel, to_luma


def orientation_descriptors(image: torch.Tensor, bins: int = 8, cell: int = 8, eps: float = 1.0) -> torch.Tensor:
    """Dense, differentiable gradient-orientation histograms, as SIFT builds them.

    Luma gradients (Sobel) vote into ``bins`` orientations over [0, 2pi) with a smooth
    kernel: a gradient at angle t of magnitude m gives bin b the vote m cos^2(t - phi_b) where
    the cosine is positive, which is ``relu(g . u_b)^2 / m`` with u_b the bin's unit vector
    (no atan2, so no undefined gradient at zero). Votes are summed over ``cell`` x ``cell``
    cells and each cell's histogram is L2-normalised, so the term compares the shape of local
    structure, not its contrast. ``eps`` keeps weak cells near zero instead of amplifying their
    noise: with ``eps`` 0.01 the noise-only cells of flat areas dominated the term and held
    the student at its input (docs/models/student.md).
    SIFT's clipping at 0.2 is left out: on 8-bin cells it would flatten every peak.

    Args:
        image: N x 3 x H x W RGB in [0, 1].
    Returns:
        N x bins x H/cell x W/cell descriptors.
    """
    gx, gy = sobel(to_luma(image)).unbind(1)
    angles = torch.arange(bins, device=image.device, dtype=image.dtype) * (2 * math.pi / bins)
    projection = gx[:, None] * torch.cos(angles).view(1, -1, 1, 1) + gy[:, None] * torch.sin(angles).view(1, -1, 1, 1)
    magnitude = torch.sqrt(gx * gx + gy * gy + 1e-12)[:, None]
    votes = F.relu(projection).square() / (magnitude + 1e-6)
    cells = F.avg_pool2d(votes, cell) * cell * cell
    return cells / torch.sqrt(cells.square().sum(1, keepdim=True) + eps * eps)


class FeatureAdapters(nn.Module):
    """1x1 convolutions that map each student feature to the width of its teacher feature;
    the result is resampled (bilinear) to the teacher feature's size.

    Args:
        student_channels: width of each tapped student feature.
        teacher_channels: width of the teacher features.
    """

    def __init__(self, student_channels: list[int], teacher_channels: int):
        super().__init__()
        self.adapters = nn.ModuleList(nn.Conv2d(c, teacher_channels, 1) for c in student_channels)

    def forward(self, student: list[torch.Tensor], teacher: list[torch.Tensor]) -> torch.Tensor:
        """Mean over pairs of the L2 distance, normalised by the teacher feature's energy so
        every depth weighs the same whatever its scale."""
        total = student[0].new_zeros(())
        for adapter, s, t in zip(self.adapters, student, teacher, strict=True):
            mapped = adapter(s)
            if mapped.shape[-2:] != t.shape[-2:]:
                mapped = F.interpolate(mapped, size=t.shape[-2:], mode="bilinear", align_corners=False)
            total = total + F.mse_loss(mapped, t) / t.square().mean().clamp_min(1e-8)
        return total / len(self.adapters)


def matched_taps(student_taps: int, teacher_taps: int) -> list[int]:
    """For each student tap, the teacher tap at the same relative depth."""
    return [round((i + 1) * teacher_taps / student_taps) - 1 for i in range(student_taps)]


class DistillationLoss(nn.Module):
    """Ground-truth loss plus the distillation terms weighted by ``weights``; a weight of 0
    switches its term off (the teacher is not even run when all three are 0).

    Args:
        teacher: the frozen teacher (kept out of this module's parameters and state).
        ground_truth: the restoration loss against the clean patch.
        response: weight of the L1/L2 distance between student and teacher outputs.
        response_norm: ``l1`` or ``l2``.
        feature: weight of the feature-alignment term.
        structure: weight of the L1 distance between orientation descriptors.
        structure_eps: ``eps`` of :func:`orientation_descriptors`.
        student_channels: widths of the student's tapped features (for the adapters).
        teacher_channels: width of the teacher's features.

    A teacher that upscales (``scale`` > 1, as RLFN) runs on the frame the call delivered,
    which the training loop passes as ``received`` when ``needs_received`` says so.
    """

    def __init__(
        self,
        teacher: nn.Module | None,
        ground_truth: RestorationLoss,
        response: float = 0.0,
        response_norm: str = "l1",
        feature: float = 0.0,
        structure: float = 0.0,
        structure_eps: float = 1.0,
        student_channels: list[int] | None = None,
        teacher_channels: int = 0,
    ):
        super().__init__()
        if response_norm not in ("l1", "l2"):
            raise InputError(f"response_norm must be l1 or l2, got {response_norm!r}")
        self.weights = {"response": response, "feature": feature, "structure": structure}
        if feature and teacher is None:
            raise InputError("feature alignment needs a teacher")
        self._teacher = [teacher.eval().requires_grad_(False)] if teacher is not None else []
        self.needs_received = teacher is not None and int(getattr(teacher, "scale", 1)) > 1
        self.ground_truth, self.response_norm, self.structure_eps = ground_truth, response_norm, structure_eps
        self.adapters = FeatureAdapters(student_channels or [], teacher_channels) if feature else None

    def forward(
        self,
        student: nn.Module,
        degraded: torch.Tensor,
        clean: torch.Tensor,
        response: torch.Tensor | None = None,
        received: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """``response``: the teacher's output on ``degraded`` when precomputed
        (:mod:`crispcall.distill.responses`); the teacher then runs only for feature alignment.
        ``received``: the low-resolution batch ``degraded`` was upscaled from, for a teacher
        that runs on it (``needs_received``)."""
        output, student_features = student(degraded, with_features=True)
        total, parts = self.ground_truth(output, clean)
        if not any(self.weights.values()):
            return total, parts
        output = output.float()
        with full_precision(output):
            target, teacher_features = response, []
            if response is None or self.weights["feature"]:
                if not self._teacher:
                    raise InputError(
                        "distillation terms need a teacher or its precomputed responses (distill.responses)"
                    )
                teacher = self._teacher[0]
                if next(teacher.parameters()).device != degraded.device:
                    teacher.to(degraded.device)
                source = received if self.needs_received else degraded
                if source is None:
                    raise InputError("the teacher runs on received frames: train on a low-resolution pair cache")
                with torch.no_grad():
                    computed, teacher_features = teacher(source, with_features=True)
                target = computed if response is None else response
            terms: dict[str, torch.Tensor] = {}
            if self.weights["response"]:
                distance = F.l1_loss if self.response_norm == "l1" else F.mse_loss
                # In the ground-truth terms' space: luma, where they compare luma only.
                terms["response"] = distance(self.ground_truth.compared(output), self.ground_truth.compared(target))
            if self.weights["feature"]:
                pick = matched_taps(len(student_features), len(teacher_features))
                terms["feature"] = self.adapters(
                    [f.float() for _name, f in student_features], [teacher_features[i][1] for i in pick]
                )
            if self.weights["structure"]:
                eps = self.structure_eps
                terms["structure"] = F.l1_loss(
                    orientation_descriptors(output, eps=eps), orientation_descriptors(target, eps=eps)
                )
        for name, value in terms.items():
            total = total + self.weights[name] * value
            parts[name] = float(value.detach())
        return total, parts
