"""``crispcall demo``: a call end to end on an embedded clip."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command


def register(sub) -> None:
    parser = add_command(
        sub,
        "demo",
        "a call end to end on an embedded clip: degrade, sharpen, compare",
        "Build an embedded clip (a generated slide, scikit-image's astronaut and printed text, a slow pan and "
        "zoom), send it through the call preset as a real H.264 stream, sharpen it with the shipped student, and "
        "write the degraded, sharpened and side-by-side clips, a side-by-side PNG with zoomed insets on the text "
        "and the face, and report.md (PSNR, SSIM, edge ratio, flicker, fps). Needs no network and no data folder.",
        ["crispcall demo", "crispcall demo --out /tmp/demo"],
    )
    parser.add_argument("--out", type=Path, default=Path("crispcall-demo"), help="output folder (default: %(default)s)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.evaluation.demo import run_demo

    report = run_demo(args.out)
    print(report.read_text())
    print(f"wrote {args.out}/: report.md, side_by_side.png, degraded.mp4, sharpened.mp4, side_by_side.mp4")
