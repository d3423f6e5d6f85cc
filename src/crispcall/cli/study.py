"""``crispcall study``: a blind viewer study (stimuli, rating app, results)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from crispcall.cli.options import (
    add_command,
    add_data_option,
    add_group,
    add_server_options,
    bounded,
    needs_extra,
    output,
    serve_until_stopped,
    split_list,
    test_data,
)


def register(sub) -> None:
    actions = add_group(sub, "study", "a blind viewer study (MOS): stimuli, rating app, results")
    clips = add_command(
        actions,
        "make-clips",
        "build the stimulus set from the test clips and images",
        "Degrade test clips (faces) and images (faces, screens, natural) with each preset and write every "
        "condition (original, degraded, unsharp, student, teacher) under random file names, with manifest.json "
        "mapping them, plus the training anchors.",
        ["crispcall study make-clips --out runs/study/clips --preset call --per-set 2"],
    )
    clips.add_argument("--out", type=output(folder=True), required=True, help="new folder for the stimuli")
    add_data_option(clips)
    clips.add_argument("--preset", nargs="+", default=["call"], help="presets (default: call)")
    clips.add_argument("--per-set", type=bounded(int, 1), default=2, help="sources per set (default: %(default)s)")
    clips.add_argument("--seconds", type=bounded(float, 0, above=True), default=3.0, help="clip length (default: 3)")
    clips.add_argument(
        "--sets", nargs="+", default=["video", "faces", "screens", "BSD100"], help="test sets to draw from"
    )
    clips.set_defaults(func=make_clips)
    serve = add_command(
        actions,
        "serve",
        "run the rating app",
        "Serve the P.910 rating app: each rater gets a session, the training anchors, then every stimulus in a "
        "randomised, balanced order with no label naming its condition. Answers are stored at once in the SQLite "
        "database; a restarted server and a reloaded page resume.",
        [
            "crispcall study serve --clips runs/study/clips --db runs/study/study.sqlite",
            "crispcall study serve --clips runs/study/clips --db runs/study/study.sqlite --mode pair --port 8080",
        ],
    )
    serve.add_argument("--clips", type=Path, required=True, help="folder from make-clips")
    serve.add_argument("--db", type=output(), required=True, help="SQLite file (created when missing)")
    add_server_options(serve, 8010, "0.0.0.0 for a lab")
    serve.add_argument("--mode", choices=["acr", "pair"], default="acr", help="method (default: %(default)s)")
    serve.add_argument("--seed", type=int, help="fix the study's base order (default: random, kept in --db)")
    serve.set_defaults(func=serve_app)
    results = add_command(
        actions,
        "results",
        "MOS with 95%% intervals per condition and content, rater screening, CSV and plot",
        "Screen raters (P.910 / P.913 correlation test), then compute MOS, standard deviation and 95%% "
        "confidence intervals per condition and content type; pair answers give preference shares. Writes "
        "mos.csv, raters.csv, pairs.csv, mos.png and results.json.",
        ["crispcall study results --db runs/study/study.sqlite --clips runs/study/clips --out docs/study"],
    )
    results.add_argument("--db", type=Path, required=True, help="the study's SQLite file")
    results.add_argument("--clips", type=Path, required=True, help="the stimulus folder (its manifest)")
    results.add_argument("--out", type=output(folder=True), required=True, help="folder for the CSV, plot and JSON")
    results.set_defaults(func=show_results)


def make_clips(args: argparse.Namespace) -> None:
    with needs_extra("study"):
        from crispcall.study.clips import make_clips as build

    manifest = build(
        test_data(args.data), args.out, split_list(args.preset), args.per_set, args.seconds, split_list(args.sets)
    )
    print(f"wrote {len(json.loads(manifest.read_text())['stimuli'])} stimuli and {manifest}")


def serve_app(args: argparse.Namespace) -> None:
    with needs_extra("study"):
        from werkzeug.serving import make_server

        from crispcall.study.app import create_app

    serve_until_stopped(
        lambda: make_server(args.host, args.port, create_app(args.clips, args.db, args.seed, args.mode), threaded=True),
        args,
        f"the study (answers in {args.db})",
    )


def show_results(args: argparse.Namespace) -> None:
    with needs_extra("study"):
        from crispcall.study.results import study_results

    document = study_results(args.db, args.clips, args.out)
    kept = sum(r["kept"] for r in document["raters"])
    print(f"{kept} of {len(document['raters'])} raters kept by screening")
    for row in document["mos"]:
        if row["content"] == "all":
            print(f"  {row['condition']:>9}: MOS {row['mos']:.2f} +- {row['ci95']:.2f} ({row['n']} ratings)")
    if not document["mos"]:
        print("no MOS: no rater's ratings were kept")
    print(f"wrote {', '.join(document['files'])} in {args.out}")
