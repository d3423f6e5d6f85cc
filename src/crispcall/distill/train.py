"""``crispcall train student``: the student on the pair cache, taught by the frozen teacher."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crispcall.distill.losses import DistillationLoss
from crispcall.models.io import load_network
from crispcall.models.student import Student
from crispcall.train.config import load_config
from crispcall.train.loop import train
from crispcall.train.losses import RestorationLoss


def train_student(
    config_path: str | Path, out_dir: str | Path, steps: int | None = None, overrides: Sequence[str] = ()
) -> Path:
    """Train the student the config describes; the ``distill`` section weighs the teacher's
    terms (all 0: the ground-truth-only twin). Returns the final EMA weights' path."""
    config = load_config(config_path, overrides)
    if steps is not None:
        config["train"]["steps"] = steps
    terms = config["distill"]
    teacher = None
    if terms["response"] or terms["feature"] or terms["structure"]:
        if not terms["teacher"]:
            raise ValueError(f"{config_path}: distill.teacher must name the teacher's weights")
        teacher = load_network(terms["teacher"], "teacher")
    probe = Student(**config["model"])
    loss = DistillationLoss(
        teacher,
        RestorationLoss(**config["loss"]),
        response=terms["response"],
        response_norm=terms["response_norm"],
        feature=terms["feature"],
        structure=terms["structure"],
        structure_eps=terms["structure_eps"],
        student_channels=[probe.channels] * len(probe.tap_after),
        teacher_channels=teacher.body_conv.out_channels if teacher is not None else 0,
    )
    return train(lambda: Student(**config["model"]), config, Path(out_dir), loss, "student", loss_module=loss)
