"""``crispcall tune-unsharp``: the unsharp-mask baseline's parameters, from training images."""

from __future__ import annotations

import argparse
import json
import sys

from crispcall.cli.options import add_command, bounded, existing_dir, output
from crispcall.files import write_json


def register(sub) -> None:
    parser = add_command(
        sub,
        "tune-unsharp",
        "tune the unsharp-mask baseline on training images",
        "Grid-search the unsharp mask's sigma and amount for the best PSNR under a preset, on training images "
        "only, and record the result.",
        [
            "crispcall tune-unsharp --train ../shared/data/train --limit 100 --preset call "
            "--out src/crispcall/methods/unsharp.json"
        ],
    )
    parser.add_argument("--train", nargs="+", type=existing_dir, required=True, help="training folders")
    parser.add_argument(
        "--limit", type=bounded(int, 1), default=100, help="images, spread over the folders (default: %(default)s)"
    )
    parser.add_argument("--preset", default="call", help="preset to tune for (default: %(default)s)")
    parser.add_argument(
        "--out",
        type=output(),
        required=True,
        help="where to record the parameters (the shipped ones: src/crispcall/methods/unsharp.json of a checkout)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.methods.baselines import tune_unsharp_on_folders

    record = tune_unsharp_on_folders(args.train, args.limit, args.preset)
    record["command"] = "crispcall " + " ".join(sys.argv[1:])
    write_json(args.out, record)
    print(json.dumps(record, indent=1))
