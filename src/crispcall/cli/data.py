"""``crispcall data``: training data (pair cache, screen content, statistics)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command, add_group, bounded, existing_dir, output


def register(sub) -> None:
    actions = add_group(sub, "data", "training data: pair cache, screen content, statistics")
    cache = add_command(
        actions,
        "cache",
        "write a fixed cache of degraded/clean patch pairs",
        "Make patch pairs with the random training degradation and save them in one .npz. Refuses folders that "
        "overlap the test data.",
        [
            "crispcall data cache --train ../shared/data/train data/screens --out data/pairs.npz --count 20000",
            "crispcall data cache --train ../shared/data/train data/screens --out data/pairs-teacher-x3-132.npz "
            "--count 12000 --patch-size 132 --config configs/degrade-teacher-x3.yaml --low-resolution --target-scale 2",
        ],
    )
    cache.add_argument("--train", nargs="+", type=existing_dir, required=True, help="training folders")
    cache.add_argument("--out", type=output(), required=True, help="output .npz file")
    cache.add_argument("--count", type=bounded(int, 1), default=20000, help="pairs (default: %(default)s)")
    cache.add_argument("--patch-size", type=bounded(int, 8), default=96, help="patch side in px (default: %(default)s)")
    cache.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    cache.add_argument("--workers", type=bounded(int, 0), default=2, help="worker processes (default: %(default)s)")
    cache.add_argument(
        "--test",
        nargs="*",
        type=Path,
        help="test folders to keep apart (default: $CRISPCALL_DATA or ../shared/data/test)",
    )
    cache.add_argument(
        "--holdout-every",
        type=bounded(int, 0),
        default=50,
        help="keep every N-th training image out of the cache for validation; 0 keeps none (default: %(default)s)",
    )
    cache.add_argument(
        "--mix",
        default="natural:0.45,faces:0.2,text/screens:0.35",
        help="share of pairs per content category; '' samples images uniformly (default: %(default)s)",
    )
    cache.add_argument("--config", help="degradation ranges YAML (default: the packaged train.yaml)")
    cache.add_argument(
        "--low-resolution",
        action="store_true",
        help="keep degraded patches at the size the call delivered them, for networks that enlarge them "
        "(the config must fix one integer scale, e.g. scale: [2, 2])",
    )
    cache.add_argument(
        "--target-scale",
        type=bounded(int, 2),
        help="with --low-resolution: keep the clean patches at this many times the low-resolution side "
        "(area-resized), for an xN network trained on calls at a larger scale (an x2 teacher for x3 calls)",
    )
    cache.add_argument(
        "--zoom",
        type=bounded(int, 1),
        default=1,
        help="enlarge each crop this many times (bicubic) before degrading it: the received patch is then the "
        "image at its own scale and the clean one no ground truth, only a teacher's responses are learnt from it "
        "(data upcycling, DUKD) (default: %(default)s)",
    )
    cache.set_defaults(func=write_cache)
    recorded = add_command(
        actions,
        "recorded",
        "cut x2 patch pairs from recordings of real calls",
        "Pairs for training from what real calls delivered (crispcall record over training content): each frame "
        "that arrived below its source's size is resized to half the source's size and cut into patches beside "
        "the source frame it shows. Refuses recordings of test content.",
        ["crispcall data recorded /work/recordings-train --out data/pairs-recorded-x2-128.npz --count 6000"],
    )
    recorded.add_argument("recordings", nargs="+", type=existing_dir, metavar="DIR", help="recordings folders")
    recorded.add_argument("--out", type=output(), required=True, help="output .npz file")
    recorded.add_argument("--count", type=bounded(int, 1), default=6000, help="pairs (default: %(default)s)")
    recorded.add_argument(
        "--patch-size", type=bounded(int, 8), default=128, help="clean patch side in px, even (default: %(default)s)"
    )
    recorded.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    recorded.add_argument(
        "--test",
        nargs="*",
        type=Path,
        help="test folders whose content must not be trained on (default: $CRISPCALL_DATA or ../shared/data/test, "
        "and the clips beside it)",
    )
    recorded.set_defaults(func=write_recorded)
    screens = add_command(
        actions,
        "screens",
        "generate synthetic screen-share images with their text",
        "Render slides, documents, code, spreadsheets and chats at 720p/1080p; each PNG gets a .txt of the text "
        "drawn on it.",
        ["crispcall data screens --out data/screens --count 1300"],
    )
    screens.add_argument("--out", type=output(folder=True), required=True, help="output folder")
    screens.add_argument("--count", type=bounded(int, 1), default=1300, help="images (default: %(default)s)")
    screens.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    screens.set_defaults(func=write_screens)
    stats = add_command(
        actions,
        "stats",
        "count unique source images per category",
        "Unique images (by content) per category: natural, faces, text/screens.",
        ["crispcall data stats ../shared/data/train data/screens"],
    )
    stats.add_argument("dirs", nargs="+", type=existing_dir, metavar="DIR")
    stats.set_defaults(func=show_stats)


def write_cache(args: argparse.Namespace) -> None:
    from crispcall.data.cache import write_cache as write
    from crispcall.data.patches import parse_mix
    from crispcall.paths import test_data_dir

    tests = args.test if args.test is not None else [d for d in [test_data_dir()] if d]
    mix = parse_mix(args.mix) if args.mix else None
    out = write(
        args.train, args.out, args.count, args.patch_size, args.seed, args.workers, tests, args.config,
        holdout_every=args.holdout_every, mix=mix, low_resolution=args.low_resolution,
        target_scale=args.target_scale, zoom=args.zoom,
    )  # fmt: skip
    print(f"wrote {args.count} pairs of {args.patch_size}x{args.patch_size} to {out}")


def write_recorded(args: argparse.Namespace) -> None:
    from crispcall.data.cache import write_recorded_cache
    from crispcall.evaluation.suites import video_dir
    from crispcall.paths import test_data_dir

    tests = args.test
    if tests is None:
        data = test_data_dir()
        tests = [data, video_dir(data)] if data else []
    out = write_recorded_cache(args.recordings, args.out, args.count, args.patch_size, args.seed, tests)
    print(f"wrote {args.count} pairs of {args.patch_size}x{args.patch_size} from real calls to {out}")


def write_screens(args: argparse.Namespace) -> None:
    from crispcall.data.screens import generate_screens

    written = generate_screens(args.out, args.count, args.seed)
    print(f"wrote {len(written)} screens (PNG + rendered text) to {args.out}")


def show_stats(args: argparse.Namespace) -> None:
    from crispcall.data.stats import source_stats

    stats = source_stats(args.dirs)
    width = max(len(k) for k in stats)
    for key, count in stats.items():
        print(f"{key:<{width}}  {count}")
