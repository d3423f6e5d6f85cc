"""``crispcall image``: sharpen image files or folders."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crispcall.cli.options import CliError, add_command, add_model_options, frame_method, output


def register(sub) -> None:
    parser = add_command(
        sub,
        "image",
        "sharpen image files or folders",
        "Sharpen images (PNG, JPEG, WebP, BMP, TIFF; folders searched recursively) into a folder, keeping each "
        "file's format, EXIF, ICC profile and DPI; grey stays grey, alpha is kept, every page of a multi-page "
        "file is sharpened, and 16-bit or floating-point files keep their depth. A file that fails is reported "
        "and the rest go on.",
        ["crispcall image slide.png photos/ -o sharp/", "crispcall image scan.jpg -o out/ --model unsharp"],
    )
    add_model_options(parser, temporal=False)
    parser.add_argument("inputs", nargs="+", type=Path, help="image files or folders")
    parser.add_argument("-o", "--out", type=output(folder=True), required=True, help="output folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.runtime.images import image_jobs, sharpen_images

    jobs = image_jobs(args.inputs, args.out)
    method = frame_method(args)
    failures = sharpen_images(jobs, method.run, progress=not args.quiet)
    print(f"wrote {len(jobs) - len(failures)} of {len(jobs)} images to {args.out} ({method.name})")
    for path, reason in failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    if failures:
        raise CliError(f"{len(failures)} image(s) failed")
