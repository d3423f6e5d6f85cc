"""``crispcall prune``: structured channel pruning of a trained student."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command, bounded, needs_extra, output


def register(sub) -> None:
    parser = add_command(
        sub,
        "prune",
        "structured channel pruning of a trained student",
        "Remove the weakest channels of a student's residual stream (ranked by the L2 norm of every fused weight "
        "touching them) and write a plain, narrower student. Fine-tune it by distillation with train.init "
        "pointing at the file.",
        [
            "crispcall prune --checkpoint weights/student.pt --keep 24 --out runs/pruned-24.pt",
            "crispcall train student --config configs/student-cpu.yaml --out runs/student-p24 \\\n"
            "    --set model.channels=24 --set model.rep=false --set train.init=runs/pruned-24.pt",
        ],
    )
    parser.add_argument("--checkpoint", type=Path, required=True, help="student weights from crispcall train")
    parser.add_argument("--keep", type=bounded(int, 1), required=True, help="channels to keep")
    parser.add_argument("--out", type=output(), required=True, help="pruned weights to write (.pt)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.distill.prune import prune_student, save_pruned
        from crispcall.models.complexity import conv_macs, parameter_count
        from crispcall.models.io import load_network

    model = load_network(args.checkpoint, "student").fuse()
    pruned = prune_student(model, args.keep)
    print(f"wrote {save_pruned(pruned, args.checkpoint, args.out)}")
    for label, net in (("before", model), ("after", pruned)):
        size = f"{parameter_count(net):,} parameters, {conv_macs(net) / 1e9:.2f} GMAC/1080p"
        print(f"{label}: {net.channels} channels, {size}")
