"""``crispcall live``: sharpen a camera, stream or file as it plays."""

from __future__ import annotations

import argparse

from crispcall.cli.options import add_command, add_model_options, bounded, frame_method, output


def register(sub) -> None:
    parser = add_command(
        sub,
        "live",
        "sharpen a camera, stream or file live",
        "Read frames at real-time pace (a file plays at its frame rate), sharpen the newest, drop the ones that "
        "could not be taken rather than fall behind (and report how many). Shows a window when a display "
        "exists; --out writes the result (each frame at its source time). Ctrl-C stops and keeps the recording.",
        ["crispcall live --source 0", "crispcall live --source call.mp4 --out live.mp4 --no-window"],
    )
    add_model_options(parser, temporal=True)
    parser.add_argument("--source", default="0", help="camera index, video file or stream URL (default: %(default)s)")
    parser.add_argument("--out", type=output(), help="write the sharpened frames to this video file")
    parser.add_argument("--no-window", action="store_true", help="do not open a window even if a display exists")
    parser.add_argument("--seconds", type=bounded(float, 0, above=True), help="stop after this many seconds")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.runtime.live import parse_source, run_live

    method = frame_method(args)
    report = run_live(parse_source(args.source), method.run, args.out, False if args.no_window else None, args.seconds)
    print(
        f"{report.sharpened} frames sharpened, {report.dropped} dropped of {report.read} read "
        f"({report.fps:.1f} fps, {method.name})"
        + ("; stopped by Ctrl-C" if report.interrupted else "")
        + (f"; wrote {args.out}" if args.out and report.sharpened else "")
    )
