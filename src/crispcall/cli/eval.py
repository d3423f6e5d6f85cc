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
        "Print the reference table of BENCHMARK.md and write its JSON. The webrtc suite scores recordings of real "
        "calls (crispcall record) found under --data; its presets are the recordings' codec-kbps.",
        [
            "crispcall eval --suite call --preset call --method input unsharp espcn --limit 5",
            "crispcall eval --suite webrtc --data ~/recordings --preset vp8-300 --method input unsharp student",
            "crispcall eval --suite webrtc --data ~/recordings --method student student+upscaled-only",
            "crispcall eval --suite call --sets video --vmaf --method input unsharp student",
            "crispcall eval --suite call --sets screens --preset call --method student student-int8 --per-file "
            "--json screens.json",
        ],
    )
    add_data_option(parser)
    parser.add_argument(
        "--suite", nargs="+", default=["call"], help="call, natural, classic, or webrtc (default: call)"
    )
    parser.add_argument(
        "--preset",
        nargs="+",
        help="x2, call, poor, lossy (default: all four); for webrtc, codec-kbps such as vp8-300 (default: all found)",
    )
    parser.add_argument("--sets", nargs="+", help="score only these sets of the suites, e.g. video (default: all)")
    add_method_options(parser, ["input", "unsharp"])
    parser.add_argument("--limit", type=bounded(int, 1), help="score at most N files per set (clips for the video set)")
    parser.add_argument("--no-ocr", action="store_true", help="skip the OCR character error rate")
    parser.add_argument(
        "--per-file",
        action="store_true",
        help="also write each file's PSNR, SSIM, OCR CER and word error to the JSON (files)",
    )
    parser.add_argument(
        "--frames", type=bounded(int, 2), default=90, help="webrtc: frames scored per recording (default: %(default)s)"
    )
    parser.add_argument(
        "--no-flicker",
        action="store_true",
        help="the video set: skip flicker, which runs each method on every scored frame's successor (half the time)",
    )
    parser.add_argument("--no-vmaf", action="store_true", help="webrtc: skip VMAF and VMAF-NEG")
    parser.add_argument(
        "--vmaf", action="store_true", help="the video set: VMAF and VMAF-NEG per clip too (the vmaf extra)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.evaluation import evaluate, markdown_tables
    from crispcall.evaluation.webrtc import WEBRTC_SUITE, evaluate_recordings
    from crispcall.metrics.ocr import tesseract_available

    suites = split_list(args.suite)
    presets = split_list(args.preset) if args.preset else None
    if WEBRTC_SUITE in suites:
        if suites != [WEBRTC_SUITE]:
            raise CliError("the webrtc suite runs on its own (its --data is a recordings folder)")
        if args.data is None:
            raise CliError("--suite webrtc needs --data, the folder crispcall record wrote")
        document = evaluate_recordings(args.data, methods(args), presets, args.frames, not args.no_vmaf)
        print(markdown_tables(document))
        write_results(document, args.json)
        return
    data = test_data(args.data)
    if not args.no_ocr and not tesseract_available():
        raise CliError("OCR needs tesseract (apt-get install tesseract-ocr), or pass --no-ocr")
    presets = presets or ["x2", "call", "poor", "lossy"]
    sets = split_list(args.sets) if args.sets else None
    document = evaluate(
        data,
        suites,
        presets,
        methods(args),
        args.limit,
        not args.no_ocr,
        vmaf=args.vmaf,
        sets=sets,
        per_file=args.per_file,
        flicker_pairs=not args.no_flicker,
    )
    print(markdown_tables(document))
    write_results(document, args.json)
