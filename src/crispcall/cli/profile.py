"""``crispcall profile``: where an ONNX frame graph's time goes."""

from __future__ import annotations

import argparse
from contextlib import nullcontext
from pathlib import Path

from crispcall.cli.options import CliError, add_command, add_threads, bounded, needs_extra, output, write_results


def register(sub) -> None:
    parser = add_command(
        sub,
        "profile",
        "time an ONNX frame graph per operator type (ONNX Runtime's profiler)",
        "Run an exported ONNX graph on a synthetic frame and sum ONNX Runtime's kernel times per operator type "
        "over the timed frames: where the frame path's time goes. An I420 graph gets the frame's planes, shown "
        "at their own size; a luma graph gets the frame's luma, and the OpenCV colour work around it is timed "
        "as one more entry.",
        [
            "crispcall profile weights/student-int8.onnx --size 1920x1080 --threads 2",
            "crispcall profile weights/student.onnx --per node   # which layers take the time",
            "crispcall profile weights/student-int8-i420.onnx   # the graph crispcall video runs on planes",
            "crispcall profile weights/student-int8-luma.onnx   # the graph the runtime runs on RGB frames",
            "crispcall profile weights/student-web-i420.onnx --size 1280x720 --received 320x180 --threads 1 --browser",
            "CRISPCALL_CHROMIUM=$(bash scripts/webnn-chromium.sh) crispcall profile weights/student-web-i420.onnx "
            "--size 1280x720 --received 320x180 --threads 1 --browser --backend webnn",
        ],
    )
    parser.add_argument("model", type=Path, help="an .onnx file from crispcall export")
    parser.add_argument("--size", default="1920x1080", help="frame size WxH (default: %(default)s)")
    add_threads(parser, "intra-op threads")
    parser.add_argument("--frames", type=bounded(int, 1), default=20, help="timed frames (default: %(default)s)")
    parser.add_argument("--per", choices=["op", "node"], default="op", help="sum per operator type or per node")
    parser.add_argument(
        "--received",
        help="for an I420 graph: the size WxH the frame arrived at, shown at --size (default: --size)",
    )
    parser.add_argument(
        "--browser",
        action="store_true",
        help="also run the graph in onnxruntime-web in headless Chromium, the page's way, and compare "
        "each operator's time there with the native one (needs the web extra, Chromium and onnxruntime-web)",
    )
    parser.add_argument(
        "--backend",
        choices=["wasm", "webnn"],
        default="wasm",
        help="with --browser: onnxruntime-web's WASM kernels, or WebNN's CPU device (the browser's own kernels; "
        "both sides then time the graph fixed to this frame's shapes, which WebNN needs; Chromium must have "
        "WebNN: scripts/webnn-chromium.sh fetches one) (default: %(default)s)",
    )
    parser.add_argument("--json", type=output(), help="write the profile as JSON here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from crispcall.bench.profile import compare_table, profile_graph, profile_table
    from crispcall.bench.runner import parse_size

    if not args.model.is_file():
        raise CliError(f"no such model file: {args.model}")
    width, height = parse_size(args.size)
    received = parse_size(args.received) if args.received else None
    if args.backend != "wasm" and not args.browser:
        raise CliError("--backend is the page's: add --browser")
    fixed = args.backend == "webnn"
    with needs_extra("train") if fixed else nullcontext():  # the fixed copy is written with onnx
        profile = profile_graph(args.model, width, height, args.threads, args.frames, args.per, received, fixed)
    if not args.browser:
        print(profile_table(profile))
        write_results(profile, args.json)
        return
    from crispcall.web.browser import profile_page

    page = profile_page(args.model, width, height, args.threads, args.frames, args.per, received, args.backend)
    print(compare_table(profile, page))
    write_results({"meta": profile["meta"], "native": profile, "browser": page}, args.json)
