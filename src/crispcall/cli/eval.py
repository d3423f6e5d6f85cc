"""``crispcall eval``: BENCHMARK.md's reference table."""

from __future__ import annotations

import argparse

from crispcall.cli.options import (
    CliError,
    add_command,
    add_data_option,
    add_method_options,
    bounded,
    methods,
    split_list,
    test_data,
    write_results,
)


def register(sub) -> None:
    parser = add_command(
        sub,
        "eval",
        "score methods on the test suites (BENCHMARK.md)",
        "Print the reference table of BENCHMARK.md and write its JSON.",
        ["crispcall eval --suite call --preset call --method input unsharp espcn --limit 5"],
    )
    add_data_option(parser)
    parser.add_argument("--suite", nargs="+", default=["call"], help="call, natural, classic (default: call)")
    parser.add_argument(
        "--preset", nargs="+", default=["x2", "call", "poor", "lossy"], help="x2, call, poor, lossy (default: all four)"
    )
    add_method_options(parser, ["input", "unsharp"])
    parser.add_argument("--limit", type=bounded(int, 1), help="score at most N files per set (clips for the video set)")
    parser.add_argument("--no-ocr", action="store_true", help="skip the OCR character error rate")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.evaluation import evaluate, markdown_tables
    from crispcall.metrics.ocr import tesseract_available

    data = test_data(args.data)
    if not args.no_ocr and not tesseract_available():
        raise CliError("OCR needs tesseract (apt-get install tesseract-ocr), or pass --no-ocr")
    document = evaluate(
        data, split_list(args.suite), split_list(args.preset), methods(args), args.limit, not args.no_ocr
    )
    print(markdown_tables(document))
    write_results(document, args.json)
