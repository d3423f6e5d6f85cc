"""``crispcall report``: docs/REPORT.md from the result JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from crispcall.cli.options import add_command, existing_dir, needs_extra, output
from crispcall.paths import checkout_root


def register(sub) -> None:
    parser = add_command(
        sub,
        "report",
        "build docs/REPORT.md (and .html) from the eval, bench, flicker and study results",
        "Generate the project report from the JSON in --results (crispcall eval, bench, flicker) and the study's "
        "results.json: method, quality per suite and preset, ablations, pruning, INT8, speed beside the peers, a "
        "quality-against-speed plot, per-content results, temporal stability, the study's MOS and the limits "
        "found. Every number comes from those files. In a checkout, the tables marked in README.md, docs/RESULTS.md "
        "and docs/models/*.md are regenerated from the result files they name (crispcall.report.pages).",
        ["crispcall report --study docs/study/results.json"],
    )
    parser.add_argument(
        "--results", type=existing_dir, default="docs/results", help="folder of result JSON (default: %(default)s)"
    )
    parser.add_argument("--study", type=Path, help="results.json of crispcall study results")
    parser.add_argument(
        "--out",
        type=output(),
        default=Path("docs/REPORT.md"),
        help="report to write (default: %(default)s); the HTML copy goes beside it",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    with needs_extra("report"):
        import markdown  # noqa: F401 - checked here so that a missing extra fails before any work

        from crispcall.report import build_report
        from crispcall.report.pages import refresh_pages

    out = build_report(args.results, args.out, args.study)
    print(f"wrote {out} and {out.with_suffix('.html')}")
    root = checkout_root()
    if root is not None:  # the tables inside the hand-written pages come from the same files
        for page in refresh_pages(root):
            print(f"refreshed the tables of {page}")
