"""``crispcall prune``: structured pruning of a trained student (channels, blocks, kernels)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command, bounded, needs_extra, output
from crispcall.errors import InputError


def register(sub) -> None:
    parser = add_command(
        sub,
        "prune",
        "structured pruning of a trained student: narrower, shallower or cheaper blocks",
        "Remove the weakest channels of a student's residual stream (--keep: ranked by the L2 norm of every fused "
        "weight touching them), or keep its first --blocks blocks and make the blocks' second convolution "
        "(--block mixed) or the tail's (--tail-kernel 1) 1 x 1, each new layer fitted in least squares to what it "
        "replaces on patches of --fit-pairs; then write a plain student. Fine-tune it by distillation with "
        "train.init pointing at the file and the same model keys.",
        [
            "crispcall prune --checkpoint weights/student.pt --keep 24 --out runs/pruned-24.pt",
            "crispcall train student --config configs/student-cpu.yaml --out runs/student-p24 \\\n"
            "    --set model.channels=24 --set model.rep=false --set train.init=runs/pruned-24.pt",
            "crispcall prune --checkpoint weights/student.pt --blocks 5 --block mixed --tail-kernel 1 "
            "--out runs/mixed32x5t1.pt",
        ],
    )
    parser.add_argument("--checkpoint", type=Path, required=True, help="student weights from crispcall train")
    parser.add_argument("--keep", type=bounded(int, 1), help="channels to keep")
    parser.add_argument("--blocks", type=bounded(int, 1), help="keep the first BLOCKS blocks")
    parser.add_argument("--block", choices=["dense", "mixed", "separable"], help="kind of the kept blocks")
    parser.add_argument("--tail-kernel", type=int, choices=[1, 3], help="side of the tail's convolution")
    parser.add_argument(
        "--fit-pairs",
        type=Path,
        default=Path("data/pairs-teacher-x2-128.npz"),
        help="pair cache whose patches the shrunk layers are fitted on (default: %(default)s)",
    )
    parser.add_argument("--out", type=output(), required=True, help="pruned weights to write (.pt)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    with needs_extra("train"):
        from crispcall.distill.prune import fit_frames, prune_student, save_pruned, shrink_student
        from crispcall.models.complexity import conv_macs, parameter_count
        from crispcall.models.io import load_network

    shrinking = (args.blocks, args.block, args.tail_kernel) != (None, None, None)
    if args.keep is None and not shrinking:
        raise InputError("say what to prune: --keep, --blocks, --block or --tail-kernel")
    model = load_network(args.checkpoint, "student").fuse()
    pruned = model
    if shrinking:
        blocks = args.blocks or len(model.body)
        block = args.block or model.config["block"]
        tail_kernel = args.tail_kernel or model.config["tail_kernel"]
        pruned = shrink_student(model, fit_frames(args.fit_pairs), blocks, block, tail_kernel)
    if args.keep is not None:
        pruned = prune_student(pruned, args.keep)
    print(f"wrote {save_pruned(pruned, args.checkpoint, args.out)}")
    for label, net in (("before", model), ("after", pruned)):
        size = f"{parameter_count(net):,} parameters, {conv_macs(net) / 1e9:.2f} GMAC/1080p"
        print(f"{label}: {net.channels} channels, {len(net.body)} {net.config['block']} blocks, {size}")
