"""``crispcall video``: sharpen a video file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crispcall.cli.options import add_command, add_model_options, bounded, frame_method, output, write_results


def register(sub) -> None:
    parser = add_command(
        sub,
        "video",
        "sharpen a video file (audio kept)",
        "Decode with PyAV, sharpen every frame, encode H.264 (the input's time base, every time stamp and the "
        "rotation kept; every audio and subtitle stream copied, or re-encoded or dropped where the container "
        "cannot hold it, with a warning). Decoding, inference and encoding overlap. The output is written to a "
        "hidden temporary file and renamed when complete.",
        [
            "crispcall video call.mp4 sharp.mp4",
            "crispcall video call.mp4 compare.mp4 --side-by-side --model student-int8",
            "crispcall video degraded.mp4 sharp.mp4 --reference clean.mp4   # PSNR, SSIM, flicker",
            "crispcall video call.mp4 sharp.mp4 --rgb --json speed.json   # the RGB path, timed",
        ],
    )
    add_model_options(parser, temporal=True)
    parser.add_argument("input", type=Path, help="video file to sharpen")
    parser.add_argument("output", type=output(), help="file to write (.mp4, .mkv, .mov)")
    parser.add_argument("--side-by-side", action="store_true", help="input left, sharpened right")
    parser.add_argument("--reference", type=Path, help="clean clip of the same frames: print PSNR, SSIM, flicker")
    parser.add_argument(
        "--crf", type=bounded(int, 0, 51), default=18, help="H.264 quality, lower is better (default: %(default)s)"
    )
    parser.add_argument(
        "--rgb",
        action="store_true",
        help="sharpen RGB frames even where the model's I420 twin could run on the decoded planes (to compare)",
    )
    parser.add_argument("--json", type=output(), help="write what the run did (frames, time, path) as JSON here")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.runtime.video import sharpen_video, video_document

    method = frame_method(args)
    planes = None if args.rgb else method.i420
    report = sharpen_video(
        args.input, args.output, method.run, args.side_by_side, args.reference, args.crf, not args.quiet, planes
    )
    path = " on yuv420p planes" if report.i420_frames == report.frames else ""
    print(
        f"wrote {args.output}: {report.frames} frames in {report.seconds:.1f} s ({report.fps:.1f} fps, "
        f"{method.name}{path})"
    )
    if report.copied_packets:
        print(f"audio and subtitles: {report.copied_packets} packets copied")
    for note in report.notes:
        print(f"warning: {note}", file=sys.stderr)
    if report.psnr is not None:
        flicker = (
            f", flicker {report.flicker:.3f} (input {report.input_flicker:.3f})" if report.flicker is not None else ""
        )
        print(f"against {args.reference}: PSNR {report.psnr:.2f} dB, SSIM {report.ssim:.4f}{flicker}")
    write_results(video_document(report, args.input, method.name, args.threads), args.json)
