"""``crispcall table``: the Markdown tables of saved eval results."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command


def register(sub) -> None:
    parser = add_command(
        sub,
        "table",
        "print the Markdown tables of saved eval results, merged",
        "Merge the JSON of several crispcall eval runs over the same suites, presets and data, and print their "
        "tables; --against adds each method's PSNR difference to one of them.",
        [
            "crispcall table docs/results/eval-baselines.json docs/results/eval-teacher-call.json --against imdn-rte",
            "crispcall table docs/results/eval-student-s54.json --against student-int8 --sets screens",
        ],
    )
    parser.add_argument("results", nargs="+", type=Path, metavar="JSON", help="files written by eval --json")
    parser.add_argument("--against", metavar="METHOD", help="method to give PSNR differences against")
    parser.add_argument(
        "--sets", nargs="+", default=[], metavar="SET", help="with --against: these sets' differences too (as screens)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.evaluation import difference_table, markdown_tables, merge_documents
    from crispcall.files import read_json

    document = merge_documents([read_json(path) for path in args.results])
    print(markdown_tables(document))
    if args.against:
        print(difference_table(document, args.against, ("mean", *args.sets)))
