"""``crispcall record``: sources through real WebRTC calls in headless Chromium, every received
frame kept (needs the web extra and Chromium)."""

from __future__ import annotations

import argparse
import itertools
import shlex
import sys
from pathlib import Path

from crispcall.cli.options import CliError, add_command, bounded, needs_extra, output, split_list


def register(sub) -> None:
    parser = add_command(
        sub,
        "record",
        "send clips and stills through real WebRTC calls and keep what the receiver decoded",
        "Play each source as Chromium's fake camera in a loopback WebRTC call held to each bitrate ceiling with "
        "each codec; the sender adapts resolution and quantizer itself. After --warmup seconds, every frame the "
        "receiver decodes during one pass of the source is kept losslessly (I420, at the received size) and "
        "aligned to the source frame it shows. A SOURCE is a video file, or an image file or folder of images "
        "(shown as a slideshow with a slow pan). One folder per source, codec and bitrate under --out, with a "
        "meta.json; score them with crispcall eval --suite webrtc --data OUT.",
        [
            "crispcall record ../shared/data/video/*/*.mp4 --out ~/recordings --codec vp8 h264 --kbps 150 300 600",
            "crispcall record ../shared/data/test/faces ../shared/data/test/screens --out ~/recordings --kbps 300",
        ],
    )
    parser.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="video files, images or image folders")
    parser.add_argument("--out", type=output(folder=True), required=True, help="folder for the recordings")
    parser.add_argument(
        "--codec", nargs="+", default=["vp8"], help="vp8, vp9, h264 or av1, as this Chromium offers (default: vp8)"
    )
    parser.add_argument(
        "--kbps", nargs="+", type=bounded(int, 30, 20000), default=[300], help="bitrate ceilings (default: 300)"
    )
    parser.add_argument(
        "--warmup",
        type=bounded(float, 0),
        default=8.0,
        help="seconds the sender adapts before frames are kept (default: %(default)s)",
    )
    parser.add_argument(
        "--stills-size", default="1280x720", help="slideshow frame size WxH, as a 720p camera (default: %(default)s)"
    )
    parser.add_argument(
        "--stills-seconds", type=bounded(float, 0.2), default=2.0, help="seconds per still (default: %(default)s)"
    )
    parser.set_defaults(func=run)


def load_source(path: Path, stills_size: tuple[int, int], stills_seconds: float):
    from crispcall.data.folders import IMAGE_SUFFIXES, find_images
    from crispcall.data.recordings import clip_source, stills_source

    if not path.exists():
        raise CliError(f"no such file or folder: {path}")
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        images = find_images(path)
        if not images:
            raise CliError(f"no images in {path}")
        return stills_source(path.stem, images, stills_size, stills_seconds)
    return clip_source(path)


def run(args: argparse.Namespace) -> None:
    from crispcall.bench.runner import parse_size
    from crispcall.data.recordings import read_recording

    with needs_extra("web"):
        from crispcall.web.record import CODECS, CallSettings, record

    codecs = [c.lower() for c in split_list(args.codec)]
    unknown = sorted(set(codecs) - set(CODECS))
    if unknown:
        raise CliError(f"unknown codec {', '.join(unknown)}; codecs: {', '.join(CODECS)}")
    size = parse_size(args.stills_size)
    command = shlex.join(["crispcall", *sys.argv[1:]])
    for path in args.sources:
        source = load_source(path, size, args.stills_seconds)
        for codec, kbps in itertools.product(codecs, args.kbps):
            folder = record(source, CallSettings(codec, kbps), args.out, args.warmup, command)
            meta = read_recording(folder).meta
            sizes = sorted({(f["width"], f["height"]) for f in meta["frames"]})
            shown = ", ".join(f"{w}x{h}" for w, h in sizes)
            alignment = meta["alignment"]
            note = "" if alignment["reliable"] else " UNRELIABLE MATCH"
            print(
                f"{folder}: {len(meta['frames'])} frames at {shown}, match {alignment['median_match_psnr']:.1f} dB"
                f"{note}, {meta['recording_seconds']:.0f} s",
                flush=True,
            )
